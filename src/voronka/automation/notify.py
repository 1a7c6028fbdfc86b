"""Notifications for people: a line under the bell in the app, and, if asked, an e-mail.

E-mail goes through Django's SMTP backend (`VORONKA_SMTP_*` settings). A mail server that
is down does not lose the notification: it stays in the app, and its `emailed_at` stays
empty, so the reminder sweep tries the e-mail again next round.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from voronka.accounts.models import Role, User
from voronka.automation.models import Notification

log = logging.getLogger(__name__)

EMAIL_RETRY_LIMIT = 200


def _email(notification: Notification) -> bool:
    user = notification.user
    if not user.email:
        return False
    link = f"\n\n{settings.VORONKA_BASE_URL}{notification.link}" if notification.link else ""
    try:
        send_mail(subject=f"Voronka: {notification.text[:120]}",
                  message=notification.text + link, from_email=None,
                  recipient_list=[user.email], fail_silently=False)
    except OSError as error:  # smtplib errors are OSErrors; the next sweep tries again
        log.warning("notification %s: e-mail to %s failed: %s", notification.pk, user.email, error)
        return False
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
    return True


def notify(users, text: str, *, link: str = "", email: bool = False) -> list[Notification]:
    """Tell each user (one or many); with `email`, also by e-mail once the data is committed."""
    if isinstance(users, User):
        users = [users]
    created = [Notification.objects.create(user=user, text=text[:1000], link=link[:300],
                                           wants_email=email and bool(user.email))
               for user in {u.pk: u for u in users if u is not None and u.is_active}.values()]
    if email:
        for notification in created:
            transaction.on_commit(lambda n=notification: _email(n))
    return created


def heads_of_sales() -> list[User]:
    return list(User.objects.filter(role=Role.HEAD, is_active=True).order_by("id"))


def emails_retry() -> int:
    """Send the e-mails of notifications that asked for one and have not gone out yet."""
    pending = (Notification.objects.filter(emailed_at__isnull=True, wants_email=True)
               .select_related("user").order_by("id")[:EMAIL_RETRY_LIMIT])
    return sum(_email(n) for n in pending)
