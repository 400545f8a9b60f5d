"""``gonghui care remind [--date YYYY-MM-DD] [--union CODE]``: remind the visits that are
due or overdue, printed per union. Exit status 0; 2 when the union code is unknown."""

from __future__ import annotations

from datetime import date
from itertools import groupby
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gonghui.care import services
from gonghui.care.models import EventKind, VisitTask
from gonghui.core.models import OrgUnit


class Command(BaseCommand):
    help = "Care work: `care remind` prints the visits due or overdue, per union."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        remind = sub.add_parser("remind", help="Remind due and overdue visit tasks.")
        remind.add_argument("--date", type=date.fromisoformat, help="Today, as YYYY-MM-DD.")
        remind.add_argument("--union", help="Only this union (OrgUnit.code).")
        remind.add_argument("--language", default=settings.LANGUAGE_CODE)

    def handle(self, *args: Any, **opts: Any) -> None:
        with translation.override(opts.get("language") or settings.LANGUAGE_CODE):
            self._remind(opts.get("date") or timezone.localdate(), opts.get("union"))

    def _remind(self, today: date, code: str | None) -> None:
        union = None
        if code:
            union = OrgUnit.objects.filter(code=code, archived_at__isnull=True).first()
            if union is None:
                raise CommandError(_("No union with the code %(code)s.") % {"code": code}, 2)
        tasks = services.care_remind_overdue(today, union=union)
        if not tasks:
            self.stdout.write(_("No visits due or overdue on %(d)s.") % {"d": today.isoformat()})
            return
        for _union_id, group in groupby(tasks, key=lambda t: t.union_id):
            rows: list[VisitTask] = list(group)
            self.stdout.write(
                _("%(union)s: %(n)s visits due or overdue")
                % {"union": rows[0].union.name, "n": len(rows)}
            )
            for t in rows:
                late = (today - t.due_on).days
                self.stdout.write(
                    "  "
                    + _("%(name)s, %(kind)s, due %(due)s (%(late)s days late)")
                    % {
                        "name": t.event.member.person.name,
                        "kind": EventKind(t.event.kind).label,
                        "due": t.due_on.isoformat(),
                        "late": late,
                    }
                )
