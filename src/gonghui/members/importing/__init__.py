"""The roster import (花名册导入): upload, check (dry run) and commit of a union's roster.

Flow: ``roster_upload`` stores the file under MEDIA_ROOT/imports/ with a random name after
checking its size and content (magic bytes, zip-bomb limits, text encoding).
``roster_check`` reads and validates every row and compares it with the database without
writing members: counts of new / updated / unchanged rows, the header mapping, and a
row-by-row error report (xlsx). ``roster_commit`` does the same and then writes everything
in ONE transaction, or nothing when any row has an error. The ID number is the natural key,
so importing the same file again changes nothing.

Built for bulk: python-calamine reads, ``members.rules`` validates in pure Python, existing
people are loaded by ID number in chunks, new rows are written by COPY (PostgreSQL) or
multi-row INSERTs (SQLite) and changed ones with bulk_update in batches (decision 0011 says
what each row costs). One AuditEvent summarises an import; there is no audit row per member.

The steps, one module each: ``files`` (what an upload may be, where it is stored),
``reading`` (the sheet and its header), ``analysis`` (every row checked), ``planning`` (new,
changed or unchanged against the database), ``writing`` (the one transaction's inserts and
updates), ``report`` (the error report and the template); ``messages`` words the reasons.
This module holds the flow.
"""

from __future__ import annotations

import gc
import hashlib
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import access
from gonghui.core.access import Perm
from gonghui.core.errors import DomainError
from gonghui.core.models import OrgUnit, Person, UnitKind, User
from gonghui.core.services import audit

from ..counts import members_changed
from ..models import Member, MembershipEvent, RosterImport
from .analysis import Analysis, Progress, _no_progress, analyse, display_value, withheld_fields
from .files import (
    ALLOWED_EXTENSIONS,
    _not_spreadsheet,
    _stored,
    _too_large,
    detect_kind,
    import_dir,
    open_stored,
    report_path,
)
from .integrity import foreign_keys_checked_per_table
from .planning import plan_rows
from .report import ERRORS_SAMPLE, _sample, read_error_report, template_workbook, write_error_report
from .writing import _analyze_after, _write

# The tables an import writes.
WRITTEN_TABLES = (Person, Member, MembershipEvent)

# What the views, tasks, forms and the CLI use.
__all__ = [
    "ALLOWED_EXTENSIONS",
    "ERRORS_SAMPLE",
    "display_value",
    "importable_unions",
    "open_stored",
    "read_error_report",
    "report_path",
    "roster_check",
    "roster_commit",
    "roster_upload",
    "roster_upload_path",
    "template_workbook",
    "visible_imports",
]


# ---- upload and content checks ----------------------------------------------------------


def importable_unions(user: User) -> list[OrgUnit]:
    """Unions (grassroots or joint) whose roster ``user`` may import."""
    qs = access.units_with(user, Perm.EDIT_MEMBERS)
    return list(qs.filter(kind__in=[UnitKind.GRASSROOTS_UNION, UnitKind.JOINT_UNION]))


def visible_imports(user: User) -> Any:
    """RosterImports the user may open: those of unions where they may edit members."""
    return access.scope(
        RosterImport.objects.all(), user, Perm.EDIT_MEMBERS, "union"
    ).select_related("union", "job", "created_by")


def _require_edit(actor: User | None, union: OrgUnit) -> None:
    if actor is None:  # system work: the CLI names the union explicitly
        return
    if not access.has_perm(actor, Perm.EDIT_MEMBERS, union):
        raise DomainError(
            "forbidden", _("You are not allowed to do this in %(unit)s.") % {"unit": union}
        )


@transaction.atomic
def roster_upload(
    *, actor: User | None, union: OrgUnit, file_name: str, chunks: Iterable[bytes]
) -> RosterImport:
    """Store an uploaded roster (MEDIA_ROOT/imports/<random>) after checking its size and
    content. Nothing about members changes until ``roster_commit``."""
    _require_edit(actor, union)
    if union.kind not in (UnitKind.GRASSROOTS_UNION, UnitKind.JOINT_UNION):
        raise DomainError("member.not_union", _("%(u)s is not a union.") % {"u": union})
    ext = Path(file_name).suffix.lower()
    if ext not in ALLOWED_EXTENSIONS:
        raise _not_spreadsheet()
    stored = import_dir() / f"{secrets.token_hex(16)}{ext}"
    digest, size = hashlib.sha256(), 0
    try:
        with stored.open("wb") as out:
            for chunk in chunks:
                size += len(chunk)
                if size > settings.GONGHUI_MAX_UPLOAD_BYTES:
                    raise _too_large()
                digest.update(chunk)
                out.write(chunk)
        detect_kind(stored, file_name)
    except BaseException:
        stored.unlink(missing_ok=True)
        raise
    return RosterImport.objects.create(
        union=union,
        file_name=Path(file_name).name[:200],
        stored_path=str(stored.relative_to(settings.MEDIA_ROOT)),
        sha256=digest.hexdigest(),
        size_bytes=size,
        created_by=actor if actor and actor.pk else None,
    )


def roster_upload_path(*, actor: User | None, union: OrgUnit, path: Path) -> RosterImport:
    """The CLI's way in: the same checks as a web upload, from a file on disk."""
    if path.stat().st_size > settings.GONGHUI_MAX_UPLOAD_BYTES:
        raise _too_large()

    def chunks() -> Iterator[bytes]:
        with path.open("rb") as fh:
            while block := fh.read(1024 * 1024):
                yield block

    return roster_upload(actor=actor, union=union, file_name=path.name, chunks=chunks())


# ---- the services -----------------------------------------------------------------------


def _record(ri: RosterImport, analysis: Analysis, status: str) -> None:
    ri.rows_total = analysis.rows_total
    ri.rows_new, ri.rows_updated = analysis.new, analysis.updated
    ri.rows_unchanged = analysis.unchanged
    ri.error_count = len(analysis.issues)
    ri.header_map = analysis.header_map
    ri.errors_sample = _sample(analysis.issues)
    ri.error_report_path = (
        write_error_report(analysis.issues, file_name=ri.file_name) if analysis.issues else ""
    )
    ri.status = status


def _fail(ri: RosterImport, error: DomainError) -> None:
    RosterImport.objects.filter(pk=ri.pk).update(
        status=RosterImport.Status.FAILED,
        errors_sample=[
            {
                "row": 0,
                "column": "",
                "header": "",
                "value": "",
                "code": error.code,
                "reason": error.message,
            }
        ],
    )
    ri.status = RosterImport.Status.FAILED


@contextmanager
def _gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off while an import runs: its 100,000 rows are millions
    of live objects, and every collection of the oldest generation walks them all again
    (about a quarter of the validation's CPU time at 100,000 rows). An import makes no
    reference cycles of its own; whatever garbage it leaves is collected after, and the
    collector is on again even when the import fails. (Concurrent imports: the one that
    found it on turns it back on.)"""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _analysed(ri: RosterImport, actor: User | None, today: date, progress: Progress) -> Analysis:
    """The stored file read and every row checked, as ``actor`` may import it."""
    path = _stored(ri)
    return analyse(
        path,
        detect_kind(path, ri.file_name),
        union=ri.union,
        today=today,
        progress=progress,
        withheld=withheld_fields(actor, ri.union),
    )


@_gc_paused()
def roster_check(
    *,
    actor: User | None,
    roster_import: RosterImport,
    progress: Progress = _no_progress,
    today: date | None = None,
) -> RosterImport:
    """Dry run: validate every row and compare with the database; write only the
    RosterImport's counts, header mapping and error report."""
    ri = roster_import
    _require_edit(actor, ri.union)
    today = today or timezone.localdate()
    RosterImport.objects.filter(pk=ri.pk).update(status=RosterImport.Status.CHECKING)
    try:
        analysis = _analysed(ri, actor, today, progress)
        plan_rows(analysis, ri.union)
    except DomainError as e:
        _fail(ri, e)
        raise
    _record(ri, analysis, RosterImport.Status.CHECKED)
    ri.save()
    return ri


@_gc_paused()
def roster_commit(
    *,
    actor: User | None,
    roster_import: RosterImport,
    progress: Progress = _no_progress,
    today: date | None = None,
) -> RosterImport:
    """Import for real: validate again (the file is re-read; the database may have changed
    since the dry run), then write everything in one transaction, or nothing if any row has
    an error. Raises DomainError("import.has_errors") in that case, with the report saved."""
    ri = roster_import
    _require_edit(actor, ri.union)
    if ri.status == RosterImport.Status.COMMITTED:
        raise DomainError("import.committed", _("This file has already been imported."))
    today = today or timezone.localdate()
    union = ri.union
    RosterImport.objects.filter(pk=ri.pk).update(status=RosterImport.Status.COMMITTING)
    try:
        analysis = _analysed(ri, actor, today, progress)
    except DomainError as e:
        _fail(ri, e)
        raise
    # Progress written inside the transaction below would be invisible to the page until
    # commit, so the page is told once, honestly, that the database write is under way.
    progress(analysis.rows_total, analysis.rows_total, _("Writing to the database…"))
    with transaction.atomic():
        OrgUnit.objects.select_for_update().filter(pk=union.pk).first()
        plan = plan_rows(analysis, union)
        if not analysis.issues:
            note = _("Roster import %(file)s") % {"file": ri.file_name}
            with foreign_keys_checked_per_table(WRITTEN_TABLES) as written:
                written.updated(Member, plan.updated_member_pks())
                _write(plan, analysis.rows, union=union, actor=actor, today=today, note=note[:200])
            _analyze_after(plan)
            members_changed()  # the bulk writes send no signals; the list's counts move on
            _record(ri, analysis, RosterImport.Status.COMMITTED)
            ri.save()
            audit(
                actor=actor,
                action="member.import",
                obj=ri,
                unit=union,
                after={
                    "file_name": ri.file_name,
                    "sha256": ri.sha256,
                    "rows": ri.rows_total,
                    "new": ri.rows_new,
                    "updated": ri.rows_updated,
                    "unchanged": ri.rows_unchanged,
                },
                note=ri.file_name,
            )
            return ri
    _record(ri, analysis, RosterImport.Status.CHECKED)
    ri.save()
    raise DomainError(
        "import.has_errors",
        _("%(n)s problems found; nothing was imported. Fix the file and upload it again.")
        % {"n": len(analysis.issues)},
    )
