"""``gonghui insurance remind [--date YYYY-MM-DD] [--union CODE]``: mark and print the
mutual-aid plans due for renewal (each plan is reminded once). Exit status 0; 2 when the
union code is unknown."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gonghui.care import insurance
from gonghui.core.models import OrgUnit


class Command(BaseCommand):
    help = "Mutual-aid insurance: `insurance remind` prints the plans due for renewal."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        remind = sub.add_parser("remind", help="Remind plans due for renewal.")
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
        plans = insurance.renewal_remind(actor=None, today=today, union=union)
        if not plans:
            self.stdout.write(
                _("No insurance plans newly due for renewal on %(d)s.") % {"d": today.isoformat()}
            )
            return
        for p in plans:
            self.stdout.write(
                _("%(union)s: %(year)s %(name)s, cover ends %(end)s: renew it")
                % {
                    "union": p.union.name,
                    "year": p.year,
                    "name": p.name,
                    "end": p.period_end.isoformat(),
                }
            )
