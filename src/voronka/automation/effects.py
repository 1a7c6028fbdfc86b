"""What a robot sends outside the database (a webhook, a letter to the client), delivered
after its run has committed.

A run changes the database in one transaction. Calling a slow receiver inside it would hold
the write lock — on SQLite the only one, which every incoming call and form also needs — for
as long as the receiver takes. So an action that reaches outside only describes what to
send (an *effect*); the engine stores the effects on the run in the same transaction, and a
worker delivers them after the commit. Delivery is at least once: a worker that dies while
delivering leaves the effects claimed until its lease passes, and the schedule hands them to
a worker again. A webhook carries `X-Voronka-Delivery` so that its receiver can drop a
repeat. A failed delivery is retried a few times with growing pauses, then given up and
written on the item's timeline.
"""

from __future__ import annotations

import datetime as dt
import logging
import urllib.error
import urllib.request

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from voronka.automation.models import RobotRun, RunState
from voronka.crm.models import EventKind
from voronka.crm.timeline import event_record

log = logging.getLogger(__name__)

WEBHOOK_TIMEOUT = 10
RETRY_MINUTES = (1, 5, 30, 120)  # the pause after each failure; one failure more gives up
SWEEP_BATCH = 200


class DeliveryError(Exception):
    """The receiver refused or could not be reached; the message is for a person."""


def webhook_effect(url: str, headers: dict[str, str], body: bytes) -> dict:
    return {"type": "webhook", "url": url, "headers": headers, "body": body.decode(),
            "state": "pending", "attempts": 0}


def email_effect(to: str, subject: str, body: str) -> dict:
    return {"type": "email", "to": to, "subject": subject, "body": body,
            "state": "pending", "attempts": 0}


def _webhook_send(effect: dict) -> None:
    request = urllib.request.Request(effect["url"], data=effect["body"].encode(), method="POST",
                                     headers=effect["headers"])
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT):
            return
    except urllib.error.HTTPError as error:
        raise DeliveryError(_("вебхук ответил %(s)s") % {"s": error.code}) from None
    except (urllib.error.URLError, OSError) as error:
        # URLError wraps the socket's error: its reason is what a person can read.
        reason = getattr(error, "reason", error)
        raise DeliveryError(_("вебхук недоступен: %(e)s") % {"e": reason}) from None


def _email_send(effect: dict) -> None:
    try:
        EmailMessage(subject=effect["subject"], body=effect["body"], to=[effect["to"]]).send(
            fail_silently=False)
    except OSError as error:  # smtplib's errors are OSErrors
        raise DeliveryError(_("письмо на %(a)s не отправлено: %(e)s")
                            % {"a": effect["to"], "e": error}) from None


SENDERS = {"webhook": _webhook_send, "email": _email_send}


def lease_until(now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(seconds=settings.AUTOMATION_LEASE_SECONDS)


def _log_failure(run: RobotRun, effect: dict, retry_at: dt.datetime | None) -> None:
    if retry_at is None:
        text = _("Робот «%(r)s»: %(e)s — попыток больше не будет") % {
            "r": run.robot.name, "e": effect["error"]}
    else:
        text = _("Робот «%(r)s»: %(e)s — повторим в %(t)s") % {
            "r": run.robot.name, "e": effect["error"],
            "t": timezone.localtime(retry_at).strftime("%H:%M")}
    owner = {"lead": run.lead} if run.lead_id else {"deal": run.deal}
    event_record(EventKind.ROBOT, **owner, text=text,
                 payload={"robot": run.robot_id, "run": run.pk, "state": "failed" if retry_at is None
                          else "retry", "effect": effect["type"]})


def effects_deliver(run_id: int, claim: str | dt.datetime, now: dt.datetime | None = None) -> int:
    """Deliver the pending effects of a run claimed with `claim` (the lease it was stamped
    with); return how many went out. A claim that the sweep has since handed to another
    worker delivers nothing."""
    stamp = parse_datetime(claim) if isinstance(claim, str) else claim
    run = (RobotRun.objects.select_related("robot", "lead", "deal")
           .filter(pk=run_id, effects_due_at=stamp).first())
    if run is None:
        return 0
    effects, sent, retry_at, failures = run.effects, 0, None, []
    for effect in effects:
        if effect["state"] != "pending":
            continue
        try:
            SENDERS[effect["type"]](effect)
        except DeliveryError as error:
            effect["attempts"] += 1
            effect["error"] = str(error)
            if effect["attempts"] > len(RETRY_MINUTES):
                effect["state"] = "failed"
                failures.append((effect, None))
            else:
                pause = dt.timedelta(minutes=RETRY_MINUTES[effect["attempts"] - 1])
                at = (now or timezone.now()) + pause
                retry_at = min(retry_at or at, at)
                failures.append((effect, at))
        else:
            effect["state"], effect["sent_at"] = "sent", timezone.now().isoformat()
            sent += 1
        # Saved after each effect, so that a crash repeats only the one in flight.
        RobotRun.objects.filter(pk=run.pk, effects_due_at=stamp).update(effects=effects)
    with transaction.atomic():
        changes = {"effects": effects, "effects_due_at": retry_at}
        if any(effect["state"] == "failed" for effect in effects):
            changes.update(state=RunState.FAILED, outcome=(run.outcome + "; " + "; ".join(
                effect["error"] for effect in effects if effect["state"] == "failed"))[:5000])
        RobotRun.objects.filter(pk=run.pk, effects_due_at=stamp).update(**changes)
        for effect, at in failures:
            _log_failure(run, effect, at)
    return sent


def effects_due_enqueue(now: dt.datetime | None = None) -> int:
    """Hand to the workers the runs whose effects wait: retries whose time has come, and
    deliveries whose worker died (their claim has expired)."""
    from voronka.automation.tasks import robot_effects_task

    now = now or timezone.now()
    claim = lease_until(now)
    with transaction.atomic():
        ids = list(RobotRun.objects.filter(effects_due_at__lte=now).order_by("effects_due_at")
                   .values_list("pk", flat=True)[:SWEEP_BATCH])
        RobotRun.objects.filter(pk__in=ids).update(effects_due_at=claim)

        def enqueue() -> None:
            for run_id in ids:
                try:
                    robot_effects_task.enqueue(run_id, claim.isoformat())
                except Exception:  # the backend is down: the claim expires, the sweep retries
                    log.exception("effects of robot run %s could not be enqueued", run_id)
        transaction.on_commit(enqueue)
    return len(ids)
