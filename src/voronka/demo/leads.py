"""Inbound requests: new people and returning clients, and how each lead ends.

Like deals, a lead's future is drawn at once — first reaction, closing as junk or
conversion — and only what has happened by "now" is written: recent leads are still
NEW or IN_PROCESS, and a small share is forgotten, as in any real CRM.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from voronka.crm.models import (
    TRACKING_FIELDS,
    UTM_FIELDS,
    CommunicationKind,
    CommunicationType,
    Company,
    Contact,
    Lead,
)
from voronka.crm.services.communications import PERSONAL_EMAIL_DOMAINS
from voronka.demo import events
from voronka.demo.batch import CommSpec
from voronka.demo.catalog import (
    CALL,
    CHANNELS,
    CHAT,
    DIRECT_CAMPAIGNS,
    EMAIL,
    JUNK_REASONS,
    LEAD_COMMENTS,
    LINES,
    MISSED,
    REPEAT_JUNK_REASONS,
    SEARCH_TERMS,
    SITE,
    SOCIAL_CAMPAIGNS,
    Channel,
    Service,
    email_subject,
    pick,
)
from voronka.demo.clock import during_work
from voronka.demo.people import Phone
from voronka.demo.state import Run

FORGOTTEN_SHARE = 0.012  # leads nobody closes: what the SLA screens are for
CHANNEL_BY_CODE = {c.code: c for c in CHANNELS}
NO_TRACKING = dict.fromkeys((*UTM_FIELDS, *TRACKING_FIELDS), "")


@dataclass(frozen=True, slots=True)
class Fate:
    """The drawn future of a lead."""

    junk: bool
    touched: bool  # moved NEW -> IN_PROCESS before closing
    forgotten: bool
    react_at: dt.datetime
    close_at: dt.datetime
    reason_code: str
    junk_comment: str
    comment: str
    comment_at: float  # where between first reaction and the end the comment falls


# Mean hours from the first reaction to closing as junk, by reason: spam and wrong numbers
# are closed on the spot; a client who does not answer gets call-backs for a day or two.
JUNK_CLOSE_HOURS = {"NO_ANSWER": 30.0, "PRICE": 8.0, "OTHER": 8.0}


def fate_draw(rng: random.Random, *, react_at: dt.datetime, junk_rate: float,
              repeat: bool) -> Fate:
    """The lead's future from its first reaction on (drawn against the SLA by `inbound`)."""
    junk = rng.random() < junk_rate
    reasons = REPEAT_JUNK_REASONS if repeat else JUNK_REASONS
    reason_code = pick(rng, reasons)
    waits = junk and reason_code in JUNK_CLOSE_HOURS
    touched = waits or rng.random() < (0.25 if junk else 0.85)
    forgotten = rng.random() < FORGOTTEN_SHARE
    if junk:
        hours = JUNK_CLOSE_HOURS.get(reason_code, 0.5)
        close_at = during_work(rng, react_at, hours * 3600, 300) if touched else react_at
    else:  # qualification: calling back, pricing, collecting documents
        close_at = during_work(rng, react_at, (4 if repeat else 24) * 3600, 600)
    comments = JUNK_REASONS.get(reason_code, (0, ("",)))[1]
    junk_comment = rng.choice(comments) if rng.random() < 0.5 else ""
    comment = rng.choice(LEAD_COMMENTS) if rng.random() < 0.08 else ""
    return Fate(junk, touched, forgotten, react_at, close_at, reason_code, junk_comment,
                comment, rng.random())


def tracking_draw(rng: random.Random, channel: Channel | None, kind: str,
                  service: Service) -> dict[str, str]:
    """UTM tags and visit context of a web request; the call-tracking number of a call."""
    values = dict(NO_TRACKING)
    if channel is None:
        return values
    if kind in (CALL, MISSED) and channel.tracked_numbers:
        line = rng.choice(channel.tracked_numbers)
        values["tracked_number"] = line
        # What the intake's attribution writes: the tracked number's campaign.
        values["utm_campaign"] = LINES.get(line, ("", ""))[0]
    if not channel.web:
        return values
    code, referrer = channel.code, ""
    if code == "YANDEX_DIRECT" or (code == "SITE" and rng.random() < 0.7):
        campaign = rng.choice(DIRECT_CAMPAIGNS)
        values.update(utm_source="yandex", utm_medium="cpc", utm_campaign=campaign,
                      utm_content=f"ad{rng.randint(1, 24)}")
        if campaign.endswith("_search"):
            values["utm_term"] = rng.choice(SEARCH_TERMS)
        referrer = "https://yandex.ru/search/"
    elif code in ("SEO", "SITE"):
        engine = "yandex" if rng.random() < 0.75 else "google"
        values.update(utm_source=engine, utm_medium="organic")
        referrer = "https://yandex.ru/search/" if engine == "yandex" else "https://www.google.com/"
    elif code == "SOCIAL":
        source, medium, campaign = rng.choice(SOCIAL_CAMPAIGNS)
        values.update(utm_source=source, utm_medium=medium, utm_campaign=campaign)
        referrer = "https://vk.com/" if source == "vk" else "https://t.me/"
    values["visit_id"] = f"{rng.getrandbits(64):016x}"
    query = "&".join(f"{k}={values[k]}" for k in ("utm_source", "utm_medium", "utm_campaign")
                     if values[k])
    values["landing_page"] = SITE + service.page + (f"?{query}" if query else "")
    values["referrer"] = referrer
    return values


def lead_title(rng: random.Random, channel: Channel | None, kind: str, phone: Phone | None,
               service: Service, vehicles: int) -> str:
    """Titles as intake writes them: by the way the request came in."""
    if kind in (CALL, MISSED) and phone is not None:
        return f"{'Входящий' if kind == CALL else 'Пропущенный'} звонок {phone.display}"
    if kind == EMAIL:
        return email_subject(rng, service, vehicles)
    code = channel.code if channel else ""
    if kind == CHAT:
        if code in ("AVITO", "YULA"):
            return f"{'Авито' if code == 'AVITO' else 'Юла'}: сообщение по объявлению"
        return rng.choice(("Сообщение ВКонтакте", "Сообщение в Telegram"))
    if code == "SOCIAL":
        return f"Лид-форма ВКонтакте: {service.title}"
    if code == "WEBFORM":
        return f"CRM-форма «Рассчитать стоимость»: {service.title}"
    return f"Заявка с сайта: {service.title}"


def comm_phone(phone: Phone, **owner: Lead | Contact | Company | None) -> CommSpec:
    return CommSpec(CommunicationKind.PHONE,
                    CommunicationType.MOBILE if phone.mobile else CommunicationType.WORK,
                    phone.value, phone.e164, phone.extension, **owner)


def comm_email(value: str, **owner: Lead | Contact | Company | None) -> CommSpec:
    normalized = value.lower()
    personal = normalized.rpartition("@")[2] in PERSONAL_EMAIL_DOMAINS
    return CommSpec(CommunicationKind.EMAIL,
                    CommunicationType.HOME if personal else CommunicationType.WORK,
                    value, normalized, "", **owner)


def comm_copy(spec: CommSpec, *, with_company: bool, contact: Contact,
              company: Company | None) -> CommSpec:
    """Where conversion puts a lead's value: work ones to the company, the rest to the person
    (`conversion.communication_default_target`)."""
    to_company = with_company and spec.value_type == CommunicationType.WORK
    return spec._replace(lead=None, contact=None if to_company else contact,
                         company=company if to_company else None)


def lead_settle(run: Run, lead: Lead, fate: Fate) -> bool:
    """Apply what has happened to the lead by now; True when it is to be converted now.

    Writes STATUS_CHANGED, CLOSED and COMMENT events; the caller writes CONVERTED after
    the deal exists, and sets the converted status.
    """
    d, now, stats = run.dicts, run.now, run.stats
    actor_id = lead.responsible_id
    moves = fate.touched and d.status_in_process.pk != d.status_new.pk
    closes = not fate.forgotten and fate.close_at <= now
    if moves and fate.react_at <= now:
        run.event(events.lead_status_changed(lead, at=fate.react_at, actor_id=actor_id,
                                             old=d.status_new, new=d.status_in_process))
        lead.first_handled_at = fate.react_at
    elif closes:
        lead.first_handled_at = fate.close_at  # closing or converting is the first reaction
    lead.status = d.status_in_process if lead.first_handled_at else d.status_new
    if fate.comment and lead.first_handled_at:
        end = fate.close_at if closes else now
        at = lead.first_handled_at + (end - lead.first_handled_at) * fate.comment_at
        run.event(events.comment(at=at, actor_id=actor_id, text=fate.comment, lead=lead))
    if not closes:
        stats.leads_open += 1
        return False
    lead.closed_at = fate.close_at
    if not fate.junk:
        return True
    old = lead.status
    reason = d.junk_reasons.get(fate.reason_code) or next(iter(d.junk_reasons.values()))
    lead.status, lead.junk_reason, lead.junk_comment = d.status_junk, reason, fate.junk_comment
    run.event(events.lead_closed(lead, at=fate.close_at, actor_id=actor_id, old=old,
                                 new=d.status_junk, reason=reason, comment=fate.junk_comment))
    stats.leads_junk += 1
    return False
