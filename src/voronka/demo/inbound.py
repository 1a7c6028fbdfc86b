"""How the demo's requests arrived: calls through MANGO, e-mails, web forms, and their traces.

The intake (`voronka.intake`) turns a delivery into a stored InboundEvent, a lead (or an
activity on an open lead or deal), an ASSIGNED event with the reason, a call/e-mail/form
event on the timeline, a Call row and, for a missed call, a «Перезвонить» task. Here the
same rows are built in bulk, shaped as `intake.services.routing`, `intake.telephony.calls`,
`intake.telephony.mango` and `webforms` write them. Raw events are written for the last
RECENT_DAYS only (an installation keeps its log, a demo does not need a year of it), plus a
few failed ones for the failed-events screen and `voronka intake retry`.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from voronka.accounts.models import User
from voronka.core.rows import RowFactory
from voronka.crm.models import (
    UTM_FIELDS,
    Call,
    CallDirection,
    Company,
    Contact,
    Deal,
    EventKind,
    Lead,
    Source,
    Task,
    TaskKind,
)
from voronka.demo.catalog import (
    CHANNELS,
    LINES,
    MAILBOX,
    SLA_DEFAULT_MINUTES,
    SLA_MINUTES,
    email_subject,
)
from voronka.demo.clock import during_work, is_working
from voronka.demo.events import EventSpec
from voronka.demo.people import Phone, phone_display, phone_random
from voronka.demo.state import Run
from voronka.intake.assignment import REASONS
from voronka.intake.models import (
    Channel,
    EventState,
    InboundEvent,
    IntakeSettings,
    SlaRule,
    TelephonyConnection,
    TelephonyProvider,
    TrackedNumber,
)
from voronka.intake.sla import working_deadline
from voronka.webforms.models import FieldType, FormField, WebForm

PROVIDER = TelephonyProvider.MANGO.value
CONNECTION = "mango-office"
UNKNOWN_CONNECTION = "mango-old"  # a second PBX account nobody configured: its events fail
DEMO_API_KEY = "demo0000propuskmsk0000000000000a"
DEMO_SALT = "demo-salt-propusk-msk"
EMAIL_PROVIDER = "email"
WEBFORM_PROVIDER = "webform"
MAIN_LINE = "+74951500100"  # the office number, for clients who call about their deal
CALL_BACK_MINUTES = 15  # intake.telephony.calls.CALL_BACK_MINUTES

LATE_SHARE, REPEAT_LATE_SHARE = 0.12, 0.07  # first reaction after the SLA deadline
STUCK_DAYS, STUCK_SHARE = dt.timedelta(days=5), 0.2  # recent leads still waiting, overdue
MISSED_IN_HOURS, MISSED_OFF_HOURS = 0.08, 0.7  # of calls that were not drawn missed
RECORDED_SHARE = 0.7  # answered calls with a recording
FOLLOW_UP_LEAD, FOLLOW_UP_DEAL = 0.1, 0.3  # clients who call again about an open item
FOLLOW_UP_MISSED = 0.15
FORMS = {  # channel code -> (form slug, form name)
    "SOCIAL": ("vk-lead", "Лид-форма ВКонтакте"),
    "WEBFORM": ("calculate", "Рассчитать стоимость"),
}
DEFAULT_FORM = ("callback", "Обратный звонок")
_USER_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0 YaBrowser/24.4 Safari/537.36",
    "Mozilla/5.0 (Linux; Android 13; SM-A525F) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/123.0 Mobile Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
)

_call_row = RowFactory(Call)
_task_row = RowFactory(Task)
_inbound_row = RowFactory(InboundEvent)
_reason_texts: dict[str, str] = {}


def demo_hours() -> IntakeSettings:
    """The SLA clock of the demo office, unsaved: Mon–Fri 09:00–18:00 Moscow time."""
    return IntakeSettings(time_zone="Europe/Moscow", working_days=[1, 2, 3, 4, 5],
                          work_start=dt.time(9, 0), work_end=dt.time(18, 0),
                          first_response_minutes=SLA_DEFAULT_MINUTES)


def intake_configure(sources: dict[str, Source]) -> None:
    """The PBX connection, tracked numbers, SLA rules and hours; idempotent on re-runs."""
    TelephonyConnection.objects.update_or_create(slug=CONNECTION, defaults={
        "provider": PROVIDER, "name": "MANGO OFFICE — офис «ПропускМСК»",
        "api_key": DEMO_API_KEY, "salt": DEMO_SALT, "create_leads": True,
        # Known clients with nothing open get a repeat lead, as the demo's repeat requests.
        "only_unknown_numbers": False, "set_source": True, "is_active": True})
    for channel in CHANNELS:
        source = sources.get(channel.code)
        if source is None:
            continue
        for number in channel.tracked_numbers:
            campaign, description = LINES[number]
            TrackedNumber.objects.update_or_create(number=number, defaults={
                "source": source, "campaign": campaign, "description": description,
                "is_active": True})
    for code, minutes in SLA_MINUTES.items():
        if code in sources:
            SlaRule.objects.update_or_create(source=sources[code],
                                             defaults={"first_response_minutes": minutes})
    webform_configure(sources.get("SITE"))
    hours = IntakeSettings.load()
    demo = demo_hours()
    for name in ("time_zone", "working_days", "work_start", "work_end",
                 "first_response_minutes"):
        setattr(hours, name, getattr(demo, name))
    hours.save()


DEMO_FORM_FIELDS = [
    ("name", "Имя", FieldType.TEXT, True, [], "name"),
    ("phone", "Телефон", FieldType.PHONE, True, [], "phone"),
    ("email", "E-mail", FieldType.EMAIL, False, [], "email"),
    ("pass_zone", "Зона пропуска", FieldType.SELECT, False, ["МКАД", "ТТК", "СК"], ""),
    ("car", "Госномер машины", FieldType.TEXT, False, [], ""),
]


def webform_configure(source: Source | None) -> None:
    """The site's request form «Заявка на пропуск», so the form builder has one to show."""
    form, _created = WebForm.objects.update_or_create(slug="propusk", defaults={
        "name": "Заявка на пропуск", "source": source, "is_active": True,
        "allowed_origins": ["https://propusk-msk.ru"],
        "success_message": "Спасибо! Менеджер перезвонит в течение 15 минут в рабочее время."})
    for sort, (name, label, kind, required, options, maps_to) in enumerate(DEMO_FORM_FIELDS):
        FormField.objects.update_or_create(form=form, name=name, defaults={
            "label": label, "field_type": kind, "required": required, "options": options,
            "maps_to": maps_to, "sort": (sort + 1) * 10})


def sla_draw(run: Run, at: dt.datetime, code: str, *, repeat: bool
             ) -> tuple[dt.datetime, dt.datetime]:
    """(deadline, first reaction): most react in time, some late, all in working hours."""
    rng, tz = run.rng, at.tzinfo
    minutes = SLA_MINUTES.get(code, SLA_DEFAULT_MINUTES)
    deadline = working_deadline(at, minutes, run.hours).astimezone(tz)
    if at >= run.now - STUCK_DAYS and rng.random() < STUCK_SHARE:
        # Nobody has got to it yet: the overdue list of the SLA screen.
        spent = minutes + rng.uniform(600, 2400)
        run.stats.leads_late += 1
    elif rng.random() < (REPEAT_LATE_SHARE if repeat else LATE_SHARE):
        spent = minutes + 1 + rng.expovariate(1 / 50)
        run.stats.leads_late += 1
    else:
        spent = minutes * (0.05 + 0.9 * rng.random() ** 2)
    react = working_deadline(at, spent, run.hours).astimezone(tz)
    return deadline, max(react, at + dt.timedelta(seconds=30))


def _reason_text(reason: str) -> str:
    if reason not in _reason_texts:
        _reason_texts[reason] = str(REASONS[reason])
    return _reason_texts[reason]


def assigned(run: Run, lead: Lead, *, at: dt.datetime, to: User, reason: str) -> None:
    """`routing._new_lead`: who got the new lead and why."""
    run.event(EventSpec(EventKind.ASSIGNED, at, None, lead=lead, payload={
        "to": to, "reason": reason, "reason_text": _reason_text(reason)}))


def _digits(e164: str) -> str:
    return e164.lstrip("+")


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _stamp(moment: dt.datetime) -> int:
    return int(moment.timestamp())


def _inbound(run: Run, *, channel: str, provider: str, connection: str, kind: str, key: str,
             thread: str, payload: dict[str, Any], at: dt.datetime, outcome: str,
             lead: Lead | None, deal: Deal | None) -> InboundEvent:
    event = _inbound_row(channel=channel, provider=provider, connection=connection, kind=kind,
                         idempotency_key=key, thread_key=thread, payload=payload,
                         received_at=at, state=EventState.PROCESSED, attempts=1,
                         processed_at=at + dt.timedelta(milliseconds=run.rng.randint(40, 900)),
                         outcome=outcome)
    event.lead, event.deal = lead, deal
    run.batch.inbound.append(event)
    run.stats.inbound_events += 1
    return event


def _mango_events(run: Run, call: Call, *, seq_base: int, outcome: str) -> None:
    """The webhooks MANGO sent for this call: call states, then the summary."""
    entry, client, line = call.external_id, _digits(call.client_number), _digits(call.line_number)
    call_id = _b64(f"1:{seq_base}:{line[-3:]}")
    parties = {"from": {"number": client}, "to": {"number": line, "line_number": line}}
    states = [("Appeared", call.started_at, "ivr")]
    if call.answered_at is not None:
        states.append(("Connected", call.answered_at, "abonent"))
    states.append(("Disconnected", call.ended_at, "abonent"))
    for seq, (state, at, location) in enumerate(states, 1):
        data = {"entry_id": entry, "call_id": call_id, "timestamp": _stamp(at), "seq": seq,
                "call_state": state, "location": location, **parties}
        if state == "Connected":
            data["to"] = {**parties["to"], "extension": call.extension}
        if state == "Disconnected":
            data["disconnect_reason"] = 1110 if call.is_missed else 1100
        _inbound(run, channel=Channel.CALL, provider=PROVIDER, connection=CONNECTION,
                 kind="call", key=f"call:{entry}:{call_id}:{seq}", thread=entry, payload=data,
                 at=at, outcome=outcome if seq == 1 else "call_updated", lead=call.lead,
                 deal=call.deal)
    to = {"number": line, **({"extension": call.extension} if call.extension else {})}
    summary = {"entry_id": entry, "call_direction": 1, "from": {"number": client}, "to": to,
               "line_number": line, "create_time": _stamp(call.started_at),
               "forward_time": _stamp(call.started_at) + 2,
               "talk_time": _stamp(call.answered_at) if call.answered_at else 0,
               "end_time": _stamp(call.ended_at), "entry_result": 0 if call.is_missed else 1,
               "disconnect_reason": 1110 if call.is_missed else 1100}
    _inbound(run, channel=Channel.CALL, provider=PROVIDER, connection=CONNECTION,
             kind="summary", key=f"summary:{entry}", thread=entry, payload=summary,
             at=call.ended_at, outcome="call_updated", lead=call.lead, deal=call.deal)


def call_make(run: Run, *, at: dt.datetime, phone: Phone, line: str, owner: User,
              answered: bool, outcome: str, lead: Lead | None = None, deal: Deal | None = None,
              contact: Contact | None = None, company: Company | None = None,
              short: bool = False) -> Call:
    """A finished incoming call with its timeline event, call-back task and webhooks."""
    rng, now, stats = run.rng, run.now, run.stats
    stats.calls += 1
    number = stats.calls
    extension = owner.extension if answered else ""
    entry = _b64(f"{4_100_000_000 + number}:{extension or 400}")
    call = _call_row(provider=PROVIDER, external_id=entry, direction=CallDirection.INCOMING,
                     client_number=phone.e164, line_number=line, started_at=at,
                     is_finished=True, created_lead=outcome in ("new_lead", "repeat_lead"))
    if answered:
        answered_at = at + dt.timedelta(seconds=rng.uniform(4, 25))
        # Junk calls are short; a real request is a few minutes of questions.
        talk = rng.lognormvariate(3.6, 0.8) if short else rng.lognormvariate(5.0, 0.6)
        ended = min(answered_at + dt.timedelta(seconds=talk), now)
        call.answered_at, call.ended_at = answered_at, max(ended, answered_at)
        call.talk_seconds = int((call.ended_at - answered_at).total_seconds())
        call.answered_by_id, call.extension, call.result = owner.pk, extension, "answered"
        call.disconnect_reason = "1100"
        if rng.random() < RECORDED_SHARE:
            call.recording_ref = _b64(f"rec:{number}")
            call.recording_url = f"https://records.example/mango/{number:08d}.mp3"
    else:
        call.ended_at = min(at + dt.timedelta(seconds=rng.uniform(12, 60)), now)
        call.result, call.is_missed, call.disconnect_reason = "missed", True, "1110"
        stats.calls_missed += 1
    call.lead, call.deal, call.contact, call.company = lead, deal, contact, company
    run.batch.calls.append(call)
    run.event(EventSpec(EventKind.CALL, at, None, lead=lead, deal=deal, contact=contact,
                        company=company, call=call, payload={
                            "direction": CallDirection.INCOMING.value,
                            "client_number": phone.e164, "line_number": line,
                            "provider": PROVIDER, "outcome": outcome}))
    if at >= run.recent_since:
        _mango_events(run, call, seq_base=number, outcome=outcome)
    return call


def call_back(run: Run, call: Call, *, owner: User, done_at: dt.datetime | None) -> None:
    """`calls._call_back_task_sync`: one «Перезвонить» task per missed incoming call."""
    ended = call.ended_at
    done = done_at if done_at is not None and done_at <= run.now else None
    task = _task_row(kind=TaskKind.CALL_BACK, responsible_id=owner.pk,
                     title=f"Перезвонить: пропущенный звонок {phone_display(call.client_number)}",
                     deadline=ended + dt.timedelta(minutes=CALL_BACK_MINUTES), created_at=ended,
                     done_at=max(done, ended + dt.timedelta(seconds=30)) if done else None)
    task.lead, task.deal, task.contact, task.company = call.lead, call.deal, call.contact, call.company
    task.call = call
    run.batch.tasks.append(task)
    run.stats.call_backs += 1


def missed_draw(run: Run, at: dt.datetime, *, drawn_missed: bool) -> bool:
    """Calls at night and on Sundays mostly go unanswered; some are lost in office hours too."""
    if drawn_missed:
        return True
    return run.rng.random() < (MISSED_IN_HOURS if is_working(at) else MISSED_OFF_HOURS)


def form_fields(*, name: str, phone: Phone | None, email: str | None, text: str
                ) -> list[dict[str, Any]]:
    """The submitted fields as `webforms.services.event_payload` stores them."""
    fields = [("name", "Имя", "text", "name", name),
              ("phone", "Телефон", "phone", "phone", phone.value if phone else ""),
              ("email", "E-mail", "email", "email", email or ""),
              ("comment", "Комментарий", "textarea", "comments", text)]
    return [{"name": n, "label": label, "type": kind, "target": target, "value": value}
            for n, label, kind, target, value in fields]


def form_arrived(run: Run, lead: Lead, *, code: str, name: str, phone: Phone | None,
                 email: str | None, outcome: str, contact: Contact | None = None,
                 company: Company | None = None) -> None:
    """A web-form submission: the FORM event (`webforms.handler`) and, if recent, the raw one."""
    rng, at = run.rng, lead.created_at
    slug, form_name = FORMS.get(code, DEFAULT_FORM)
    fields = form_fields(name=name, phone=phone, email=email, text=lead.comments)
    utm = {k: getattr(lead, k) for k in UTM_FIELDS if getattr(lead, k)}
    inbound = None
    if at >= run.recent_since:
        submission = f"{rng.getrandbits(64):016x}"
        inbound = _inbound(run, channel=Channel.FORM, provider=WEBFORM_PROVIDER,
                           connection=slug, kind="submission", key=f"{slug}:id:{submission}",
                           thread="", at=at, outcome=outcome, lead=lead, deal=None, payload={
                               "form": {"slug": slug, "name": form_name, "source": code},
                               "fields": fields, "consent": None, "utm": utm,
                               "landing_page": lead.landing_page, "referrer": lead.referrer,
                               "visit_id": lead.visit_id, "submission_id": submission,
                               "submitted_at": at.isoformat(),
                               "client": {"ip": f"95.{rng.randint(24, 220)}.{rng.randint(0, 255)}"
                                                f".{rng.randint(1, 254)}",
                                          "user_agent": rng.choice(_USER_AGENTS)}})
    run.event(EventSpec(EventKind.FORM, at, None, lead=lead, contact=contact, company=company,
                        text=lead.comments, inbound=inbound, payload={
                            "form": slug, "form_name": form_name,
                            "fields": [{k: f[k] for k in ("name", "label", "value")}
                                       for f in fields],
                            "utm": utm, "landing_page": lead.landing_page,
                            "referrer": lead.referrer, "visit_id": lead.visit_id,
                            "consent": None, "source_by_utm_rule": False,
                            "inbound_event": None, "outcome": outcome}))


def email_arrived(run: Run, lead: Lead, *, sender: str, subject: str, outcome: str,
                  contact: Contact | None = None, company: Company | None = None) -> None:
    """A letter to the sales mailbox: the EMAIL event and, if recent, the raw message."""
    rng, at = run.rng, lead.created_at
    domain = sender.rpartition("@")[2] or "mail.example"
    message_id = f"<{rng.getrandbits(48):012x}.{_stamp(at)}@{domain}>"
    body = lead.comments
    if at >= run.recent_since:
        _inbound(run, channel=Channel.EMAIL, provider=EMAIL_PROVIDER, connection=MAILBOX,
                 kind="message", key=message_id, thread=message_id, at=at, outcome=outcome,
                 lead=lead, deal=None, payload={
                     "message_id": message_id, "from": sender, "to": [MAILBOX],
                     "subject": subject, "date": at.isoformat(), "text": body})
    run.event(EventSpec(EventKind.EMAIL, at, None, lead=lead, contact=contact, company=company,
                        text=body, payload={"subject": subject, "from": sender,
                                            "mailbox": MAILBOX, "message_id": message_id,
                                            "outcome": outcome}))


def subject_for(run: Run, lead: Lead, service: Any, vehicles: int) -> str:
    """An e-mail lead's title is its subject; a repeat lead's title is not, so draw one."""
    if lead.is_repeat:
        return email_subject(run.rng, service, vehicles)
    return lead.title


def follow_up_calls(run: Run, *, phone: Phone | None, owner: User, lead: Lead | None = None,
                    deal: Deal | None = None, start: dt.datetime, end: dt.datetime | None,
                    line: str) -> None:
    """A client calls again while their lead or deal is open: an activity, not a new lead."""
    rng = run.rng
    share = FOLLOW_UP_DEAL if deal is not None else FOLLOW_UP_LEAD
    if phone is None or rng.random() >= share:
        return
    at = during_work(rng, start, (2.5 if deal is not None else 0.6) * 86400, 1800)
    limit = min(end or run.now, run.now)
    if at >= limit - dt.timedelta(minutes=2):
        return
    answered = rng.random() >= FOLLOW_UP_MISSED
    if deal is not None:
        call = call_make(run, at=at, phone=phone, line=line, owner=owner, answered=answered,
                         outcome="on_open_deal", deal=deal, contact=deal.contact,
                         company=deal.company)
    else:
        call = call_make(run, at=at, phone=phone, line=line, owner=owner, answered=answered,
                         outcome="on_open_lead", lead=lead, contact=lead.contact,
                         company=lead.company)
    if not answered:
        call_back(run, call, owner=owner,
                  done_at=during_work(rng, call.ended_at, 1800, 60))


def failed_events(run: Run) -> None:
    """Deliveries that could not be processed: an unconfigured PBX account, a malformed
    summary, and a few that met a locked database and will go through on retry."""
    rng, now = run.rng, run.now
    hours_ago = sorted((rng.uniform(1, 24 * 6) for _ in range(6)), reverse=True)
    lines = [c.tracked_numbers[0] for c in run.dicts.channels if c.tracked_numbers] or [
        next(iter(LINES))]
    for index, ago in enumerate(hours_ago):
        at = now - dt.timedelta(hours=ago)
        phone = phone_random(rng, mobile=True, from_pbx=True)
        entry = _b64(f"{4_900_000_000 + index}:400")
        call_id = _b64(f"1:{4_900_000_000 + index}:000")
        line = _digits(lines[index % len(lines)])
        data = {"entry_id": entry, "call_id": call_id, "timestamp": _stamp(at), "seq": 1,
                "call_state": "Appeared", "location": "ivr",
                "from": {"number": _digits(phone.e164)},
                "to": {"number": line, "line_number": line}}
        key, kind, connection, attempts = f"call:{entry}:{call_id}:1", "call", CONNECTION, 1
        if index < 3:
            connection, attempts = UNKNOWN_CONNECTION, 1 + index
            error = "DoesNotExist: TelephonyConnection matching query does not exist."
        elif index == 3:
            data = {"entry_id": entry, "call_direction": 1, "from": data["from"],
                    "to": {"number": line}, "line_number": line, "create_time": _stamp(at),
                    "end_time": _stamp(at) + 41, "disconnect_reason": 1110}
            key, kind = f"summary:{entry}", "summary"
            error = "PayloadError: entry_result: required"
        else:
            error = "OperationalError: database is locked"
        event = _inbound_row(channel=Channel.CALL, provider=PROVIDER, connection=connection,
                             kind=kind, idempotency_key=key, thread_key=entry, payload=data,
                             received_at=at, state=EventState.FAILED, error=error,
                             attempts=attempts)
        run.batch.inbound.append(event)
        run.stats.inbound_failed += 1

