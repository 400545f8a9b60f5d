"""Notifications: how the product tells a user that work is waiting for them.

Every notice lands in the user's inbox (the bell in the menu). When the operator has set
up mail (``GONGHUI_NOTIFY_EMAIL``), a notice is also sent to the user's email address
after the transaction commits, by a background task so that no page waits for the mail
server; ``gonghui notifications email`` retries what could not be sent. Apps call
:func:`notify` from their services and reminder tasks; a ``key`` makes a reminder
idempotent per recipient (see docs/decisions/0009).

Notices are messages, not records of union work: opening one or pruning old read ones is
not written to the audit log.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property, partial

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from .models import Notification, OrgUnit, User

log = logging.getLogger(__name__)

# A failed mail is retried by ``notifications email`` for this long; a reminder that arrives
# weeks late by email would only confuse (the inbox still has it).
EMAIL_RETRY_DAYS = 7


def is_local_path(url: str) -> bool:
    """A path on this site such as "/care/tasks/?union=3". Anything that could lead off the
    site ("//host", "/\\host", "https://...", "javascript:", control characters) is not."""
    if not url.startswith("/") or url.startswith("//") or "\\" in url:
        return False
    if any(c.isspace() or ord(c) < 32 for c in url):
        return False
    return url_has_allowed_host_and_scheme(url, allowed_hosts=None)


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
    recipient who already has a notice with that key gets nothing new. ``url`` must be a
    path on this site; anything else is dropped. Returns the notices created now."""
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
        if not users:
            return []
    if url and not is_local_path(url):
        log.warning("notification %r: url %r is not a local path, dropped", kind, url)
        url = ""
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
        mailable = [pk for pk, u in users.items() if u.email]
        if key:
            # With ignore_conflicts the database does not hand back the new ids.
            ids = list(
                Notification.objects.filter(
                    recipient_id__in=mailable, key=key[:160], emailed_at__isnull=True
                ).values_list("pk", flat=True)
            )
        else:
            ids = [n.pk for n in created if n.recipient_id in mailable]
        if ids:
            # After commit, so a rolled-back send mails nothing; robust, so a queue that is
            # down cannot fail the work that has just been committed (cron retries).
            transaction.on_commit(partial(_enqueue_email, ids), robust=True)
    return created


def _enqueue_email(ids: list[int]) -> None:
    from .notification_tasks import notification_email_task

    notification_email_task.enqueue(ids)


def _message(n: Notification) -> EmailMessage:
    base = settings.GONGHUI_BASE_URL.rstrip("/")
    parts = [n.body]
    if n.url and is_local_path(n.url):
        parts.append(_("Open: %(link)s") % {"link": base + n.url})
    parts.append(
        "— "
        + _("This notice is also in your inbox on the union work platform: %(link)s")
        % {"link": base + reverse("notifications")}
    )
    subject = f"[{_('Gonghui')}] {n.title}"
    return EmailMessage(subject, "\n\n".join(p for p in parts if p), None, [n.recipient.email])


def email_notices(ids: Iterable[int]) -> int:
    """Email these notices to their recipients, each at most once; a notice that cannot be
    sent is logged and left unsent for ``notifications email``. Returns the number sent."""
    if not getattr(settings, "GONGHUI_NOTIFY_EMAIL", False):
        return 0
    pending = list(
        Notification.objects.filter(
            pk__in=list(ids), emailed_at__isnull=True, recipient__is_active=True
        )
        .exclude(recipient__email="")
        .select_related("recipient")
        .order_by("pk")
    )
    if not pending:
        return 0
    # Without a timeout a mail server that does not answer would hold the worker forever.
    connection = get_connection(timeout=getattr(settings, "EMAIL_TIMEOUT", None) or 30)
    try:
        connection.open()
    except Exception:
        log.exception("notifications: mail server unreachable, %s notices left", len(pending))
        return 0
    sent = 0
    try:
        with translation.override(settings.LANGUAGE_CODE):
            for n in pending:
                # Claim before sending: the after-commit task and the cron retry may meet on
                # one notice, and only the one that claims it sends it.
                claimed = Notification.objects.filter(pk=n.pk, emailed_at__isnull=True).update(
                    emailed_at=timezone.now()
                )
                if not claimed:
                    continue
                try:
                    connection.send_messages([_message(n)])
                except Exception:
                    Notification.objects.filter(pk=n.pk).update(emailed_at=None)
                    log.exception("notification %s: email to user %s failed", n.pk, n.recipient_id)
                    continue
                sent += 1
    finally:
        connection.close()
    return sent


@dataclass(frozen=True)
class EmailRun:
    sent: int
    still_pending: int


def email_unsent(*, within_days: int = EMAIL_RETRY_DAYS) -> EmailRun:
    """Retry the emails of the last ``within_days`` days that were not sent (mail server
    down, no worker running). Users without an address are not waited for."""
    since = timezone.now() - timedelta(days=within_days)
    unsent = Notification.objects.filter(
        emailed_at__isnull=True, created_at__gte=since, recipient__is_active=True
    ).exclude(recipient__email="")
    sent = email_notices(list(unsent.values_list("pk", flat=True)))
    return EmailRun(sent=sent, still_pending=unsent.count())


def prune(*, days: int = 365) -> int:
    """Delete the notices that were read and are older than ``days`` days. Unread notices
    stay, however old: nobody has seen them yet. Returns the number deleted."""
    if days < 1:
        raise ValueError("days must be at least 1")
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _by_model = Notification.objects.filter(
        read_at__isnull=False, created_at__lt=cutoff
    ).delete()
    return deleted


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


def notification_open(*, user: User, notice_id: int) -> Notification:
    """The user's notice, marked read. Another user's id is ``Notification.DoesNotExist``,
    exactly like a missing one."""
    notice = inbox(user).get(pk=notice_id)
    if notice.read_at is None:
        notice.read_at = timezone.now()
        Notification.objects.filter(pk=notice.pk, read_at__isnull=True).update(
            read_at=notice.read_at
        )
    return notice


class UnreadCount:
    """The bell's number, counted the first time a template shows it (one COUNT on the
    ``notification_unread`` index); a partial or a page without the bell pays nothing."""

    def __init__(self, user: User) -> None:
        self._user = user

    @cached_property
    def count(self) -> int:
        return unread_count(self._user)


def unread_for(request: HttpRequest) -> UnreadCount:
    """One lazy count per request, shared by the context processor and the inbox view."""
    cached: UnreadCount | None = getattr(request, "_unread_notices", None)
    if cached is None:
        cached = UnreadCount(request.user)  # type: ignore[arg-type]
        request._unread_notices = cached  # type: ignore[attr-defined]
    return cached
