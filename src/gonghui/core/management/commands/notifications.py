"""``gonghui notifications email``: retry the notice emails not sent yet (for cron).
``gonghui notifications prune [--days N]``: delete read notices older than N days (365).

Both print one line and exit 0; ``email`` exits 1 when emails are still pending after the
run (the mail server is down), and a bad number of days exits 2. Unread notices are never
pruned. Notices are messages, not records of union work (docs/decisions/0009), so
deleting old read ones loses nothing the archive or the audit log needs.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from gonghui.core import notifications


class Command(BaseCommand):
    help = "Notifications: `email` retries unsent emails, `prune --days N` deletes old read ones."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        email = sub.add_parser("email", help="Send the notice emails that are still pending.")
        email.add_argument(
            "--within-days",
            type=int,
            default=notifications.EMAIL_RETRY_DAYS,
            help="Only notices of the last N days (default %(default)s).",
        )
        prune = sub.add_parser("prune", help="Delete read notices older than N days.")
        prune.add_argument("--days", type=int, default=365, help="Default %(default)s.")
        for p in (email, prune):
            p.add_argument("--language", default=settings.LANGUAGE_CODE)

    def handle(self, *args: Any, **opts: Any) -> None:
        with translation.override(opts.get("language") or settings.LANGUAGE_CODE):
            if opts["action"] == "email":
                self._email(opts["within_days"])
            else:
                self._prune(opts["days"])

    def _email(self, within_days: int) -> None:
        if not settings.GONGHUI_NOTIFY_EMAIL:
            self.stdout.write(
                _("Email is off (GONGHUI_NOTIFY_EMAIL is not set): notices are in the inbox only.")
            )
            return
        if within_days < 1:
            raise CommandError(_("--within-days must be 1 or more."), returncode=2)
        run = notifications.email_unsent(within_days=within_days)
        line = _("Emails sent: %(sent)s; still pending: %(pending)s.") % {
            "sent": run.sent,
            "pending": run.still_pending,
        }
        if run.still_pending:
            # Non-zero, so that cron or the monitoring tells the operator the mail is stuck.
            raise CommandError(
                line + " " + _("Check the mail server settings and the log."), returncode=1
            )
        self.stdout.write(line)

    def _prune(self, days: int) -> None:
        if days < 1:
            raise CommandError(_("--days must be 1 or more."), returncode=2)
        n = notifications.prune(days=days)
        self.stdout.write(
            _("Deleted %(n)s read notices older than %(days)s days.") % {"n": n, "days": days}
        )
