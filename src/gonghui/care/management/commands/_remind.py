"""What the ``care``, ``hardship`` and ``insurance`` commands share: a ``remind`` action with
``--date YYYY-MM-DD``, ``--union CODE`` and ``--language``, the union looked up by its code,
and a last line saying how many notices were sent. Exit status 0; 2 when the union code is
unknown or the date is not a date."""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gonghui.core.models import OrgUnit


def iso_date(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("%(value)s is not a date; give it as YYYY-MM-DD, e.g. 2026-11-02.") % {"value": raw}
        ) from None


def union_by_code(code: str | None) -> OrgUnit | None:
    """The unit with this code (not archived); None when no code was given."""
    if not code:
        return None
    union = OrgUnit.objects.filter(code=code, archived_at__isnull=True).first()
    if union is None:
        raise CommandError(_("No union with the code %(code)s.") % {"code": code}, returncode=2)
    return union


class RemindCommand(BaseCommand):
    """A command whose one action is ``remind``; subclasses say what it does in
    :meth:`remind` and return the number of notices sent."""

    remind_help = ""
    union_help = "Only this union (OrgUnit.code)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        remind = sub.add_parser("remind", help=self.remind_help)
        remind.add_argument("--date", type=iso_date, help="Today, as YYYY-MM-DD.")
        remind.add_argument("--union", help=self.union_help)
        remind.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            help="Language of this printout (notices are in the site's language).",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        with translation.override(opts.get("language") or settings.LANGUAGE_CODE):
            today = opts.get("date") or timezone.localdate()
            sent = self.remind(today, union_by_code(opts.get("union")))
            self.stdout.write(
                ngettext("%(n)s notice sent.", "%(n)s notices sent.", sent) % {"n": sent}
            )

    def remind(self, today: date, union: OrgUnit | None) -> int:
        raise NotImplementedError
