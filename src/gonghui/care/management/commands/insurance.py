"""``gonghui insurance remind [--date YYYY-MM-DD] [--union CODE] [--language xx]``: mark and
print the mutual-aid plans due for renewal and tell the union's care managers (each plan is
reminded once). Exit status 0; 2 when the union code is unknown."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from gonghui.care import insurance
from gonghui.core.models import OrgUnit

from ._remind import RemindCommand


class Command(RemindCommand):
    help = "Mutual-aid insurance: `insurance remind` sends and prints the plans due for renewal."
    remind_help = "Remind plans due for renewal."

    def remind(self, today: date, union: OrgUnit | None) -> int:
        run = insurance.renewal_remind(actor=None, today=today, union=union)
        if not run.reminded:
            self.stdout.write(
                _("No insurance plans newly due for renewal on %(d)s.") % {"d": today.isoformat()}
            )
        for p in run.reminded:
            self.stdout.write(
                _("%(union)s: %(year)s %(name)s, cover ends %(end)s: renew it")
                % {
                    "union": p.union.name,
                    "year": p.year,
                    "name": p.name,
                    "end": p.period_end.isoformat(),
                }
            )
        return run.notices
