"""``gonghui care remind [--date YYYY-MM-DD] [--union CODE] [--language xx]``: remind the
visits that are due or overdue, printed per union, and send each to the union's care
managers as a notice (once a day). Exit status 0; 2 when the union code is unknown."""

from __future__ import annotations

from datetime import date
from itertools import groupby

from django.utils.translation import gettext as _

from gonghui.care import services
from gonghui.care.models import EventKind, VisitTask
from gonghui.core.models import OrgUnit

from ._remind import RemindCommand


class Command(RemindCommand):
    help = "Care work: `care remind` sends and prints the visits due or overdue, per union."
    remind_help = "Remind due and overdue visit tasks."

    def remind(self, today: date, union: OrgUnit | None) -> int:
        run = services.care_remind_overdue(today, union=union)
        if not run.reminded:
            self.stdout.write(_("No visits due or overdue on %(d)s.") % {"d": today.isoformat()})
        for _union_id, group in groupby(run.reminded, key=lambda t: t.union_id):
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
        return run.notices
