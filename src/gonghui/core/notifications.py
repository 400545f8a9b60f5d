"""Notifications: how the product tells a user that work is waiting for them.

Every notice lands in the user's inbox (the bell in the menu). When the operator has set
up mail (``GONGHUI_NOTIFY_EMAIL``), a notice is also sent to the user's email address
after the transaction commits. Apps call :func:`notify` from their services and reminder
tasks; a ``key`` makes a reminder idempotent per recipient (see docs/decisions/0009).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from .models import Notification, OrgUnit, User

log = logging.getLogger(__name__)


def notify(
    recipients: Iterable[User],
    *,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    unit: OrgUnit | None = None,
    key: str = "",
) -> list[Notification]:
    """Send one notice to each recipient (inactive users skipped). With a ``key``, a
    recipient who already has a notice with that key gets nothing new. Returns the notices
    created now."""
    users = {u.pk: u for u in recipients if u.is_active}
    if not users:
        return []
    if key:
        already = set(
            Notification.objects.filter(recipient_id__in=users, key=key).values_list(
                "recipient_id", flat=True
            )
        )
        users = {pk: u for pk, u in users.items() if pk not in already}
    now = timezone.now()
    created = Notification.objects.bulk_create(
        [
            Notification(
                recipient=u,
                unit=unit,
                kind=kind,
                title=title[:200],
                body=body,
                url=url[:300],
                key=key[:160],
                created_at=now,
            )
            for u in users.values()
        ],
        ignore_conflicts=bool(key),  # a concurrent run with the same key: one wins
    )
    if getattr(settings, "GONGHUI_NOTIFY_EMAIL", False):
        ids = [pk for pk, u in users.items() if u.email]
        if ids:
            transaction.on_commit(lambda: email_pending(key=key, kind=kind, recipient_ids=ids))
    return created


def email_pending(*, key: str, kind: str, recipient_ids: list[int]) -> int:
    """Email the notices of this send that have not been emailed yet; a failed send is
    logged and left for the next run (the inbox still has it). Returns the number sent."""
    pending = Notification.objects.filter(
        recipient_id__in=recipient_ids, kind=kind, emailed_at__isnull=True
    ).select_related("recipient")
    if key:
        pending = pending.filter(key=key)
    sent = 0
    for n in pending:
        link = f"{settings.GONGHUI_BASE_URL.rstrip('/')}{n.url}" if n.url else ""
        text = "\n\n".join(part for part in (n.body, link) if part)
        try:
            send_mail(n.title, text, None, [n.recipient.email], fail_silently=False)
        except Exception:  # a mail server down must not fail the reminder run
            log.exception("notification %s: email to user %s failed", n.pk, n.recipient_id)
            continue
        Notification.objects.filter(pk=n.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent


def inbox(user: User) -> QuerySet[Notification]:
    """The user's own notices, newest first. Nobody reads another user's inbox."""
    return Notification.objects.filter(recipient=user).select_related("unit")


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notices read (all of them when ``ids`` is None); others' are untouched."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
