"""``gonghui members import FILE --union CODE [--dry-run]``: the roster import from the
command line, through the same services as the web pages. Exit status 0 on success;
non-zero with the error report (row, column, value, reason) otherwise."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from gonghui.core.errors import DomainError
from gonghui.core.models import OrgUnit
from gonghui.members import importing
from gonghui.members.models import RosterImport

MAX_PRINTED_ERRORS = 1000


class Command(BaseCommand):
    help = "Membership work: `members import FILE --union CODE [--dry-run]`."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Import a roster file (.xlsx, .xls, .csv).")
        imp.add_argument("file", type=Path)
        imp.add_argument("--union", required=True, help="Code of the union (OrgUnit.code).")
        imp.add_argument(
            "--dry-run", action="store_true", help="Check and report only; write no members."
        )
        imp.add_argument("--language", default=settings.LANGUAGE_CODE)

    def handle(self, *args: Any, **opts: Any) -> None:
        with translation.override(opts.get("language") or settings.LANGUAGE_CODE):
            self._import(opts["file"], opts["union"], dry_run=opts["dry_run"])

    def _import(self, path: Path, code: str, *, dry_run: bool) -> None:
        union = OrgUnit.objects.filter(code=code, archived_at__isnull=True).first()
        if union is None:
            raise CommandError(_("No union with the code %(code)s.") % {"code": code})
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        ri: RosterImport | None = None
        try:
            ri = importing.roster_upload_path(actor=None, union=union, path=path)
            if dry_run:
                ri = importing.roster_check(actor=None, roster_import=ri)
            else:
                ri = importing.roster_commit(actor=None, roster_import=ri)
        except DomainError as e:
            if ri is not None and ri.error_count:
                self._report(ri)
            raise CommandError(e.message, returncode=2) from e
        self._report(ri)
        if ri.error_count:
            raise CommandError(
                _("%(n)s problems found; nothing was imported.") % {"n": ri.error_count},
                returncode=2,
            )

    def _report(self, ri: RosterImport) -> None:
        out = self.stdout
        out.write(
            _(
                "%(file)s → %(union)s: %(rows)s rows, %(new)s new, %(updated)s updated,"
                " %(unchanged)s unchanged, %(errors)s errors"
            )
            % {
                "file": ri.file_name,
                "union": ri.union,
                "rows": ri.rows_total,
                "new": ri.rows_new,
                "updated": ri.rows_updated,
                "unchanged": ri.rows_unchanged,
                "errors": ri.error_count,
            }
        )
        if not ri.error_count:
            return
        report = importing.read_error_report(importing.report_path(ri))
        out.write("\t".join([_("Row"), _("Column"), _("Header"), _("Value"), _("Reason")]))
        for row in report[:MAX_PRINTED_ERRORS]:
            out.write("\t".join(importing.display_value(c) for c in row))
        if len(report) > MAX_PRINTED_ERRORS:
            out.write(
                _("… %(n)s more in %(path)s")
                % {"n": len(report) - MAX_PRINTED_ERRORS, "path": importing.report_path(ri)}
            )
