"""The roster import (花名册导入): upload, check (dry run) and commit of a union's roster.

Flow: ``roster_upload`` stores the file under MEDIA_ROOT/imports/ with a random name after
checking its size and content (magic bytes, zip-bomb limits, text encoding).
``roster_check`` reads and validates every row and compares it with the database without
writing members: counts of new / updated / unchanged rows, the header mapping, and a
row-by-row error report (xlsx). ``roster_commit`` does the same and then writes everything
in ONE transaction, or nothing when any row has an error. The ID number is the natural key,
so importing the same file again changes nothing.

Built for bulk: python-calamine reads, ``members.rules`` validates in pure Python, existing
people are loaded by ID number in chunks, and rows are written with bulk_create/bulk_update
in batches. One AuditEvent summarises an import; there is no audit row per member.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import secrets
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import chain, islice
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from python_calamine import CalamineError, CalamineWorkbook

from gonghui.core import access
from gonghui.core.access import Perm
from gonghui.core.errors import DomainError
from gonghui.core.models import OrgUnit, Person, UnitKind, User
from gonghui.core.services import audit

from . import rules
from .models import Member, MembershipEvent, MemberStatus, RosterImport
from .services import id_error_message, next_member_no

BATCH = 2000
HEADER_SCAN_ROWS = 10
ERRORS_SAMPLE = 200
PROGRESS_EVERY = 5000
# Limits on what an .xlsx (a zip) may unpack to before we parse it: a zip bomb is small on
# disk and enormous once inflated.
MAX_UNCOMPRESSED_BYTES = 400 * 1024 * 1024
MAX_COMPRESSION_RATIO = 150
MAX_ZIP_ENTRIES = 5000

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ALLOWED_EXTENSIONS = {".xlsx", ".xls", ".csv"}

PERSON_CMP = ("name", "gender", "birth_date", "phone", "ethnicity", "political_status", "education")
MEMBER_CMP = (
    "unit_id",
    "member_no",
    "employment_type",
    "work_status",
    "post",
    "department",
    "joined_on",
    "is_model_worker",
    "is_in_hardship",
    "is_survivor",
    "note",
)

Progress = Callable[[int, int, str], None]


def _no_progress(done: int, total: int, message: str) -> None:
    return None


# ---- messages ---------------------------------------------------------------------------


def reason_text(code: str, detail: str = "") -> str:
    """The sentence for an error code, in the active language."""
    if code.startswith("id_") and code[3:] in {"length", "chars", "birth_date", "check_digit"}:
        return id_error_message(code[3:])
    messages: dict[str, Callable[[], str]] = {
        "required": lambda: _("A value is required here."),
        "too_long": lambda: _("Too long: at most %(n)s characters.") % {"n": detail},
        "id_numeric": lambda: _(
            "The ID number is stored as a number, so Excel dropped its last digits; "
            "format the column as text and type the number again."
        ),
        "date_invalid": lambda: _("This is not a real date (write it like 2020-09-01)."),
        "date_future": lambda: _("The date is in the future."),
        "birth_date_mismatch": lambda: (
            _("The birth date does not match the ID number (which gives %(date)s).")
            % {"date": detail}
        ),
        "joined_before_birth": lambda: _("The join date is before the birth date."),
        "gender_unknown": lambda: _("The gender must be 男 or 女."),
        "gender_mismatch": lambda: _("The gender does not match the ID number."),
        "phone_invalid": lambda: _("A mobile number has 11 digits starting with 1."),
        "group_unknown": lambda: (
            _("No union group or branch union of this name in %(union)s.") % {"union": detail}
        ),
        "group_ambiguous": lambda: _(
            "Several units of the union have this name; rename one of them."
        ),
        "employment_unknown": lambda: _(
            "Unknown employment type; use 正式, 合同, 劳务派遣, 季节工, 农民工 or 临时工."
        ),
        "work_status_unknown": lambda: _("Unknown work status; use 在职 or 退休."),
        "yes_no_unknown": lambda: _("Write 是 or 否."),
        "duplicate_id": lambda: _("The same ID number is also in row %(row)s.") % {"row": detail},
        "duplicate_member_no": lambda: (
            _("The same member number is also in row %(row)s.") % {"row": detail}
        ),
        "member_no_taken": lambda: (
            _("This member number already belongs to %(name)s.") % {"name": detail}
        ),
        "other_union": lambda: (
            _(
                "This person is already a member of %(union)s; that union must transfer them"
                " out first."
            )
            % {"union": detail}
        ),
        "deceased": lambda: _("This person is recorded as deceased."),
        "formula_no_value": lambda: _(
            "The formula in this cell has no saved value; open the file in Excel, let it"
            " calculate, save it and upload it again."
        ),
        "formula_error": lambda: (
            _("The formula in this cell gives an error (%(value)s).") % {"value": detail}
        ),
        "missing_column": lambda: (
            _("The required column %(column)s is missing.") % {"column": detail}
        ),
    }
    make = messages.get(code)
    return make() if make else code


# ---- upload and content checks ----------------------------------------------------------


def import_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def importable_unions(user: User) -> list[OrgUnit]:
    """Unions (grassroots or joint) whose roster ``user`` may import."""
    if access.is_admin(user):
        qs = OrgUnit.objects.filter(archived_at__isnull=True)
    else:
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
    if not (access.has_perm(actor, Perm.EDIT_MEMBERS, union) or access.is_admin(actor)):
        raise DomainError(
            "forbidden", _("You are not allowed to do this in %(unit)s.") % {"unit": union}
        )


def _too_large() -> DomainError:
    mb = settings.GONGHUI_MAX_UPLOAD_BYTES / (1024 * 1024)
    return DomainError(
        "import.too_large",
        _("The file is larger than %(mb)s MB. Split the roster into smaller files.")
        % {"mb": f"{mb:g}"},
        field="file",
    )


def _not_spreadsheet() -> DomainError:
    return DomainError(
        "import.not_spreadsheet",
        _("This file is not a spreadsheet. Upload an .xlsx, .xls or .csv roster."),
        field="file",
    )


def detect_kind(path: Path, file_name: str) -> str:
    """ "xlsx", "xls" or "csv" from the file's content (the extension is only a hint), or
    DomainError when the content is not a spreadsheet we read safely."""
    ext = Path(file_name).suffix.lower()
    if ext not in ALLOWED_EXTENSIONS:
        raise _not_spreadsheet()
    size = path.stat().st_size
    if size == 0:
        raise DomainError("import.empty", _("The file is empty."), field="file")
    if size > settings.GONGHUI_MAX_UPLOAD_BYTES:
        raise _too_large()
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(ZIP_MAGIC):
        check_xlsx_zip(path)
        return "xlsx"
    if head == OLE2_MAGIC:
        return "xls"
    if ext == ".csv":
        decode_csv(path)  # raises when it is not text
        return "csv"
    raise _not_spreadsheet()


def check_xlsx_zip(path: Path) -> None:
    """Refuse a zip that is not a workbook, or that would inflate beyond our limits."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError) as e:
        raise _not_spreadsheet() from e
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        raise _not_spreadsheet()
    bomb = DomainError(
        "import.zip_bomb",
        _("The workbook unpacks to far more data than a roster holds; it was refused."),
        field="file",
    )
    if len(infos) > MAX_ZIP_ENTRIES:
        raise bomb
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > 1024 * 1024 and (
            info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1)
        ):
            raise bomb
    if total > MAX_UNCOMPRESSED_BYTES:
        raise bomb


def decode_csv(path: Path) -> str:
    """CSV text: UTF-8 (with or without BOM) or GBK/GB18030, as Chinese Excel saves it."""
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise _not_spreadsheet()
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _mostly_printable(text):
            return text
    raise DomainError(
        "import.encoding",
        _("The CSV file is not readable text (save it as UTF-8 or GBK)."),
        field="file",
    )


def _mostly_printable(text: str) -> bool:
    sample = text[:4096]
    bad = sum(1 for c in sample if not c.isprintable() and c not in "\r\n\t")
    return bad <= len(sample) // 100


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


# ---- reading ----------------------------------------------------------------------------


@dataclass
class SheetData:
    sheet_name: str
    header: rules.HeaderMatch
    col_offset: int  # index in the sheet of the first column read (for column letters)
    rows: Iterator[tuple[int, list[Any]]]  # (row number as Excel shows it, cells)
    total: int  # data rows, approximately (for progress)
    cell_issues: dict[tuple[int, int], tuple[str, str]] = field(default_factory=dict)
    skipped_sheets: list[str] = field(default_factory=list)


def _no_header_error() -> DomainError:
    return DomainError(
        "import.no_header",
        _(
            "No sheet has a header row we recognise in its first %(n)s rows. The header needs"
            " at least 姓名 or 身份证号 and one more known column; download the template to"
            " see them."
        )
        % {"n": HEADER_SCAN_ROWS},
        field="file",
    )


def read_roster(path: Path, kind: str) -> SheetData:
    if kind == "csv":
        return _read_csv(path)
    return _read_workbook(path, kind)


def _read_csv(path: Path) -> SheetData:
    text = decode_csv(path)
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel  # type: ignore[assignment]
    reader = csv.reader(io.StringIO(text), dialect)
    numbered = ((i + 1, row) for i, row in enumerate(reader))
    head = list(islice(numbered, HEADER_SCAN_ROWS + 2))
    match = rules.find_header([r for _n, r in head])
    if match is None:
        raise _no_header_error()
    first = match.row_index + match.height
    total = max(0, text.count("\n") + 1 - head[first - 1][0]) if first <= len(head) else 0
    return SheetData("", match, 0, chain(head[first:], numbered), total)


def _read_workbook(path: Path, kind: str) -> SheetData:
    try:
        wb = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as e:
        raise _not_spreadsheet() from e
    skipped: list[str] = []
    for index, meta in enumerate(wb.sheets_metadata):
        if str(meta.typ).split(".")[-1] != "WorkSheet":
            continue
        try:
            sheet = wb.get_sheet_by_index(index)
        except CalamineError as e:
            raise _not_spreadsheet() from e
        if sheet.start is None:  # an empty sheet
            skipped.append(meta.name)
            continue
        # iter_rows yields rows from the sheet's first row but columns from its first
        # used column (python-calamine 0.9): row numbers are index + 1, columns shift.
        numbered = ((i + 1, row) for i, row in enumerate(sheet.iter_rows()))
        head = list(islice(numbered, HEADER_SCAN_ROWS + 2))
        match = rules.find_header([r for _n, r in head])
        if match is None:
            skipped.append(meta.name)
            continue
        first = match.row_index + match.height
        end_row = sheet.end[0] + 1 if sheet.end else 0
        issues = _formula_issues(path, index, sheet.start[1]) if kind == "xlsx" else {}
        return SheetData(
            meta.name,
            match,
            sheet.start[1],
            chain(head[first:], numbered),
            max(0, end_row - first),
            issues,
            skipped,
        )
    raise _no_header_error()


_CELL_REF_RE = re.compile(r"^([A-Z]+)(\d+)$")
_FORMULA_RE = re.compile(rb"<f[ >/]")
_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def _sheet_xml_path(zf: zipfile.ZipFile, index: int) -> str | None:
    workbook = ElementTree.fromstring(zf.read("xl/workbook.xml"))  # noqa: S314 - size-checked
    sheets = workbook.findall(f"{_NS}sheets/{_NS}sheet")
    if index >= len(sheets):
        return None
    rel_id = sheets[index].get(f"{_REL_NS}id")
    rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))  # noqa: S314
    for rel in rels:
        if rel.get("Id") == rel_id:
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return None


def _formula_issues(
    path: Path, index: int, col_offset: int
) -> dict[tuple[int, int], tuple[str, str]]:
    """Formula cells that calamine reads as empty: saved without a computed value (as
    generated files often are) or computed to an error such as #DIV/0!. A cheap scan
    first: most rosters have no formula at all."""
    try:
        with zipfile.ZipFile(path) as zf:
            name = _sheet_xml_path(zf, index)
            if name is None:
                return {}
            tail = b""
            with zf.open(name) as fh:
                while block := fh.read(1024 * 1024):
                    if _FORMULA_RE.search(tail + block):
                        break
                    tail = block[-3:]
                else:
                    return {}
            return _scan_formulas(zf, name, col_offset)
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError):
        return {}


def _scan_formulas(
    zf: zipfile.ZipFile, name: str, col_offset: int
) -> dict[tuple[int, int], tuple[str, str]]:
    issues: dict[tuple[int, int], tuple[str, str]] = {}
    with zf.open(name) as fh:
        for _event, elem in ElementTree.iterparse(fh):  # noqa: S314 - size-checked zip
            if elem.tag != f"{_NS}c":
                continue
            formula, value = elem.find(f"{_NS}f"), elem.find(f"{_NS}v")
            if formula is not None:
                m = _CELL_REF_RE.match(elem.get("r", ""))
                if m:
                    key = (int(m[2]), _column_index(m[1]) - col_offset)
                    if value is None or value.text is None:
                        issues[key] = ("formula_no_value", "")
                    elif elem.get("t") == "e":
                        issues[key] = ("formula_error", value.text)
            elem.clear()
    return issues


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


# ---- validation -------------------------------------------------------------------------


@dataclass
class Issue:
    line: int  # row number as the user sees it in Excel (0: the file as a whole)
    column: str  # column letter
    header: str  # column header as in the file
    value: str
    code: str
    detail: str = ""

    def reason(self) -> str:
        return reason_text(self.code, self.detail)


@dataclass
class ParsedRow:
    line: int
    values: dict[str, Any]


@dataclass
class Analysis:
    sheet_name: str
    header_map: dict[str, Any]
    rows: list[ParsedRow]
    issues: list[Issue]
    rows_total: int
    id_columns: dict[str, tuple[str, str]]  # field -> (letter, header) for DB-side issues
    new: int = 0
    updated: int = 0
    unchanged: int = 0


def display_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer() and abs(value) >= 1e15:
            return format(Decimal(f"{value:.15g}"), "f")  # as Excel shows it: 15 digits
        return str(int(value)) if value.is_integer() else str(value)
    return str(value).strip()


def union_groups(union: OrgUnit) -> dict[str, int]:
    """Normalised names of the union's groups and branch unions -> unit id, AMBIGUOUS where
    two share a name. Units of a union nested below are that union's, not this one's."""
    units = list(
        OrgUnit.objects.filter(
            path__startswith=union.path,
            archived_at__isnull=True,
            kind__in=[UnitKind.UNION_GROUP, UnitKind.BRANCH_UNION, *_UNION_KIND_VALUES],
        )
        .exclude(pk=union.pk)
        .values_list("pk", "name", "short_name", "path", "kind")
    )
    nested = [p for _pk, _n, _s, p, k in units if k in _UNION_KIND_VALUES]
    lookup: dict[str, int] = {}
    for pk, name, short_name, path, kind in units:
        if kind in _UNION_KIND_VALUES or any(path.startswith(p) for p in nested):
            continue
        for label in {rules.normalise_group_name(name), rules.normalise_group_name(short_name)}:
            if not label:
                continue
            lookup[label] = rules.AMBIGUOUS if lookup.get(label, pk) != pk else pk
    return lookup


_UNION_KIND_VALUES = (UnitKind.GRASSROOTS_UNION.value, UnitKind.JOINT_UNION.value)


def _header_map(data: SheetData) -> dict[str, Any]:
    match = data.header
    first_line = match.row_index + 1
    return {
        "sheet": data.sheet_name,
        "header_row": first_line,
        "header_rows": match.height,
        "skipped_sheets": data.skipped_sheets,
        "columns": [
            {
                "column": rules.column_letter(c.index + data.col_offset),
                "header": c.header,
                "field": c.field if c.field and not c.note else None,
                "label": rules.FIELD_BY_KEY[c.field].label if c.field else "",
                "note": c.note,
            }
            for c in match.columns
            if c.header or c.field
        ],
        "missing": [rules.FIELD_BY_KEY[f].label for f in match.missing],
    }


def analyse(
    path: Path, kind: str, *, union: OrgUnit, today: date, progress: Progress = _no_progress
) -> Analysis:
    """Read and validate every row (pure Python rules, no per-row queries)."""
    data = read_roster(path, kind)
    match = data.header
    columns = [(c.index, c.field) for c in match.columns if c.field and not c.note]
    headers = {c.index: c.header for c in match.columns}
    letters = {c.index: rules.column_letter(c.index + data.col_offset) for c in match.columns}
    by_field = {f: i for i, f in columns}
    id_columns = {f: (letters[i], headers[i]) for f, i in by_field.items()}
    analysis = Analysis(data.sheet_name, _header_map(data), [], [], 0, id_columns)
    issues = analysis.issues
    for label_key in match.missing:
        spec = rules.FIELD_BY_KEY[label_key]
        issues.append(Issue(match.row_index + 1, "", spec.label, "", "missing_column", spec.label))
    cleaner = rules.RowCleaner(today=today, groups=union_groups(union))
    group_union = str(union)
    missing = frozenset(match.missing)
    field_of = dict(columns)
    cell_issues: dict[int, list[tuple[int, str, str]]] = {}
    for (ln, ci), (code, detail) in data.cell_issues.items():
        cell_issues.setdefault(ln, []).append((ci, code, detail))
    seen_ids: dict[str, int] = {}
    seen_nos: dict[str, int] = {}
    total = data.total
    progress(0, total, "")
    count = 0
    for line, cells in data.rows:
        if not any(c not in ("", None) for c in cells):
            continue  # blank rows between blocks are common; they are not errors
        count += 1
        raw = {f: cells[i] for i, f in columns if i < len(cells)}
        silenced = missing
        for ci, code, detail in cell_issues.get(line, ()):
            if ci in field_of:
                issues.append(Issue(line, letters[ci], headers[ci], "", code, detail))
                silenced = silenced | {field_of[ci]}
        clean = cleaner.clean(raw)
        for err in clean.errors:
            if err.field in silenced:
                continue  # already reported for the column or the cell
            ci = by_field.get(err.field, -1)
            detail = group_union if err.code == "group_unknown" else err.detail
            issues.append(
                Issue(
                    line,
                    letters.get(ci, ""),
                    headers.get(ci, rules.FIELD_BY_KEY[err.field].label),
                    display_value(cells[ci]) if 0 <= ci < len(cells) else "",
                    err.code,
                    detail,
                )
            )
        values = clean.values
        idn = values.get("id_number")
        if idn:
            if idn in seen_ids:
                letter, header = id_columns["id_number"]
                issues.append(Issue(line, letter, header, idn, "duplicate_id", str(seen_ids[idn])))
            else:
                seen_ids[idn] = line
        no = values.get("member_no")
        if no:
            if no in seen_nos:
                letter, header = id_columns["member_no"]
                issues.append(
                    Issue(line, letter, header, no, "duplicate_member_no", str(seen_nos[no]))
                )
            else:
                seen_nos[no] = line
        if not clean.errors:
            analysis.rows.append(ParsedRow(line, values))
        if count % PROGRESS_EVERY == 0:
            progress(count, max(total, count), "")
    analysis.rows_total = count
    if count == 0:
        raise DomainError(
            "import.no_rows",
            _("The file has a header row but no member rows under it."),
            field="file",
        )
    progress(count, count, "")
    return analysis


# ---- comparing with the database --------------------------------------------------------


@dataclass
class Plan:
    new_people: list[tuple[ParsedRow, dict[str, Any]]] = field(default_factory=list)
    person_updates: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    new_members: list[tuple[ParsedRow, int | None]] = field(default_factory=list)  # person pk
    member_updates: list[tuple[int, dict[str, Any], int | None]] = field(default_factory=list)
    # (member pk, changes, previous unit for a MOVED event)
    takeovers: list[tuple[int, ParsedRow, int]] = field(default_factory=list)
    # (member pk, row, from unit): membership re-activated in this union by the import


def _existing(ids: list[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    member_fields = [f"member__{f}" for f in MEMBER_CMP]
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        for row in Person.objects.filter(id_number__in=chunk).values(
            "pk",
            "id_number",
            *PERSON_CMP,
            "member__pk",
            "member__union_id",
            "member__union__name",
            "member__status",
            *member_fields,
        ):
            found[row["id_number"]] = row
    return found


def _taken_numbers(union: OrgUnit, numbers: list[str]) -> dict[str, tuple[str, str]]:
    taken: dict[str, tuple[str, str]] = {}
    for start in range(0, len(numbers), BATCH):
        chunk = numbers[start : start + BATCH]
        for no, idn, name in Member.objects.filter(union=union, member_no__in=chunk).values_list(
            "member_no", "person__id_number", "person__name"
        ):
            taken[no] = (idn or "", name)
    return taken


def plan_rows(analysis: Analysis, union: OrgUnit) -> Plan:
    """Classify every valid row as new, updated or unchanged; add the errors only the
    database can reveal (member of another union, number taken)."""
    plan = Plan()
    existing = _existing([r.values["id_number"] for r in analysis.rows])
    numbers = [r.values["member_no"] for r in analysis.rows if r.values.get("member_no")]
    taken = _taken_numbers(union, numbers)
    id_letter, id_header = analysis.id_columns.get("id_number", ("", ""))
    no_letter, no_header = analysis.id_columns.get("member_no", ("", ""))
    new = updated = unchanged = 0
    for row in analysis.rows:
        v = row.values
        idn = v["id_number"]
        no = v.get("member_no")
        if no and no in taken and taken[no][0] != idn:
            analysis.issues.append(
                Issue(row.line, no_letter, no_header, no, "member_no_taken", taken[no][1])
            )
            continue
        old = existing.get(idn)
        if old is None:
            plan.new_people.append((row, {k: v[k] for k in PERSON_CMP if k in v}))
            plan.new_members.append((row, None))
            new += 1
            continue
        status, member_union = old["member__status"], old["member__union_id"]
        if (
            old["member__pk"] is not None
            and member_union != union.pk
            and status in (MemberStatus.ACTIVE, MemberStatus.APPLIED)
        ):
            analysis.issues.append(
                Issue(
                    row.line,
                    id_letter,
                    id_header,
                    idn,
                    "other_union",
                    old["member__union__name"],
                )
            )
            continue
        if status == MemberStatus.DECEASED:
            analysis.issues.append(Issue(row.line, id_letter, id_header, idn, "deceased"))
            continue
        pchanges = {k: v[k] for k in PERSON_CMP if k in v and v[k] != old[k]}
        if pchanges:
            plan.person_updates.append((old["pk"], pchanges))
        if old["member__pk"] is None:
            plan.new_members.append((row, old["pk"]))
            new += 1
            continue
        if member_union != union.pk or status != MemberStatus.ACTIVE:
            plan.takeovers.append((old["member__pk"], row, old["member__unit_id"]))
            updated += 1
            continue
        mchanges = {k: v[k] for k in MEMBER_CMP if k in v and v[k] != old[f"member__{k}"]}
        if mchanges:
            moved_from = old["member__unit_id"] if "unit_id" in mchanges else None
            plan.member_updates.append((old["member__pk"], mchanges, moved_from))
        if mchanges or pchanges:
            updated += 1
        else:
            unchanged += 1
    analysis.new, analysis.updated, analysis.unchanged = new, updated, unchanged
    return plan


# ---- writing ----------------------------------------------------------------------------


class _NumberSource:
    """Member numbers for new members, continuing the union's sequence (the logic of
    services.next_member_no) without a query per member and skipping numbers in use."""

    def __init__(self, union: OrgUnit, reserved: Iterable[str]) -> None:
        self.prefix = f"{union.code}-"
        first = next_member_no(union)
        used = set(
            Member.objects.filter(union=union, member_no__startswith=self.prefix).values_list(
                "member_no", flat=True
            )
        )
        self.used = used | set(reserved)
        # next_member_no compares strings; past 99999 the numeric maximum is the right one.
        suffixes = [
            int(n[len(self.prefix) :]) for n in self.used if n[len(self.prefix) :].isdigit()
        ]
        self.n = max([int(first[len(self.prefix) :]) - 1, *suffixes])

    def __next__(self) -> str:
        while True:
            self.n += 1
            candidate = f"{self.prefix}{self.n:05d}"
            if candidate not in self.used:
                return candidate


def _bulk_update(
    model: Any, updates: list[tuple[int, dict[str, Any]]], extra: dict[str, Any]
) -> None:
    """Update only the changed fields: rows are grouped by which fields changed."""
    groups: dict[tuple[str, ...], list[Any]] = {}
    for pk, changes in updates:
        obj = model(pk=pk, **changes, **extra)
        groups.setdefault(tuple(sorted(changes)) + tuple(extra), []).append(obj)
    for fields, objs in groups.items():
        model.objects.bulk_update(objs, list(fields), batch_size=BATCH)


class _Inserter:
    """Plain multi-row INSERTs (executemany) for the import's new rows. Django's
    bulk_create compiles every field of every object, which costs far more than the
    database itself at 100,000 rows; here each row is a tuple built from a template of the
    model's defaults. Dates go through the backend's own adapters."""

    def __init__(self, model: Any) -> None:
        self.fields = list(model._meta.concrete_fields)  # the key too: see _allocate_ids
        self.index = {f.attname: i for i, f in enumerate(self.fields)}
        self.template = [f.get_default() for f in self.fields]
        self.date_fields = {f.attname for f in self.fields if f.get_internal_type() == "DateField"}
        self.adapt_date = connection.ops.adapt_datefield_value
        qn = connection.ops.quote_name
        columns = ", ".join(qn(f.column) for f in self.fields)
        marks = ", ".join(["%s"] * len(self.fields))
        self.copy_sql = f"COPY {qn(model._meta.db_table)} ({columns}) FROM STDIN"
        self.sql = f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608

    def base(self, **values: Any) -> list[Any]:
        row = list(self.template)
        for k, v in values.items():
            row[self.index[k]] = self._adapt(k, v)
        return row

    def _adapt(self, attname: str, value: Any) -> Any:
        if isinstance(value, datetime):
            return connection.ops.adapt_datetimefield_value(value)
        if isinstance(value, date):
            return connection.ops.adapt_datefield_value(value)
        return value

    def row(self, base: list[Any], values: dict[str, Any]) -> tuple[Any, ...]:
        row = base.copy()
        index, dates = self.index, self.date_fields
        for k, v in values.items():
            row[index[k]] = self.adapt_date(v) if k in dates and v is not None else v
        return tuple(row)

    def insert(self, rows: list[tuple[Any, ...]]) -> None:
        with connection.cursor() as cursor:
            if connection.vendor != "postgresql":
                for start in range(0, len(rows), BATCH):
                    cursor.executemany(self.sql, rows[start : start + BATCH])
                return
            # Django binds parameters client-side on PostgreSQL, so executemany sends one
            # statement per row; COPY streams the rows in one go (psycopg 3).
            with cursor.cursor.copy(self.copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)


def _allocate_ids(model: Any, n: int) -> list[int]:
    """Primary keys for ``n`` rows about to be inserted, so that the rows referring to them
    can be built without reading the inserted rows back. PostgreSQL: from the column's
    sequence. SQLite: after the largest key ever used; the import's transaction holds the
    database write lock (transaction_mode IMMEDIATE), so no one else inserts meanwhile."""
    if n == 0:
        return []
    opts = model._meta
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [opts.db_table, opts.pk.column, n],
            )
            return [row[0] for row in cursor.fetchall()]
        if connection.vendor != "sqlite":
            raise NotImplementedError(connection.vendor)
        cursor.execute(f"SELECT COALESCE(MAX({qn(opts.pk.column)}), 0) FROM {qn(opts.db_table)}")  # noqa: S608
        last = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [opts.db_table])
        seq = cursor.fetchone()
        first = max(last, seq[0] if seq else 0) + 1
        return list(range(first, first + n))


def _write(plan: Plan, *, union: OrgUnit, actor: User | None, today: date, note: str) -> None:
    now = timezone.now()
    actor_id = actor.pk if actor and actor.pk else None
    people = _Inserter(Person)
    person_base = people.base()
    person_ids = _allocate_ids(Person, len(plan.new_people))
    person_pk = {}
    person_rows = []
    for pk, (row, fields) in zip(person_ids, plan.new_people, strict=True):
        idn = row.values["id_number"]
        person_pk[idn] = pk
        person_rows.append(people.row(person_base, {"id": pk, "id_number": idn, **fields}))
    people.insert(person_rows)
    _bulk_update(Person, plan.person_updates, {})

    reserved = [
        row.values["member_no"] for row, _pk in plan.new_members if "member_no" in row.values
    ]
    reserved += [r.values["member_no"] for _m, r, _u in plan.takeovers if "member_no" in r.values]
    numbers = _NumberSource(union, reserved)
    members = _Inserter(Member)
    member_base = members.base(
        union_id=union.pk,
        unit_id=union.pk,
        status=MemberStatus.ACTIVE,
        status_changed_on=today,
        created_at=now,
        updated_at=now,
    )
    new_rows, new_units = [], {}
    member_ids = _allocate_ids(Member, len(plan.new_members))
    for member_id, (row, pk) in zip(member_ids, plan.new_members, strict=True):
        v = row.values
        person_id = pk or person_pk[v["id_number"]]
        data = {k: v[k] for k in _MEMBER_DATA if k in v}
        data["id"], data["person_id"] = member_id, person_id
        data["member_no"] = v.get("member_no") or next(numbers)
        if "unit_id" in v:
            data["unit_id"] = v["unit_id"]
        if "joined_on" in v:
            data["joined_on"] = v["joined_on"]
        new_units[member_id] = data.get("unit_id", union.pk)
        new_rows.append(members.row(member_base, data))
    members.insert(new_rows)

    events = _Inserter(MembershipEvent)
    event_base = events.base(
        kind=MembershipEvent.Kind.IMPORTED, on=today, actor_id=actor_id, note=note, created_at=now
    )
    event_rows = [
        events.row(event_base, {"member_id": member_id, "to_unit_id": unit_id})
        for member_id, unit_id in new_units.items()
    ]
    takeover_updates = []
    for member_id, row, from_unit in plan.takeovers:
        v = row.values
        changes = {k: v[k] for k in MEMBER_CMP if k in v}
        changes.update(
            union_id=union.pk,
            unit_id=v.get("unit_id", union.pk),
            member_no=v.get("member_no") or next(numbers),
            status=MemberStatus.ACTIVE,
            status_changed_on=today,
        )
        takeover_updates.append((member_id, changes))
        event_rows.append(
            events.row(
                event_base,
                {
                    "member_id": member_id,
                    "from_unit_id": from_unit,
                    "to_unit_id": changes["unit_id"],
                },
            )
        )
    _bulk_update(Member, takeover_updates, {"updated_at": now})
    _bulk_update(Member, [(pk, ch) for pk, ch, _f in plan.member_updates], {"updated_at": now})
    moved = events.base(
        kind=MembershipEvent.Kind.MOVED, on=today, actor_id=actor_id, note=note, created_at=now
    )
    event_rows += [
        events.row(moved, {"member_id": pk, "from_unit_id": from_unit, "to_unit_id": ch["unit_id"]})
        for pk, ch, from_unit in plan.member_updates
        if from_unit is not None
    ]
    event_ids = _allocate_ids(MembershipEvent, len(event_rows))
    slot = events.index["id"]
    events.insert(
        [(*r[:slot], pk, *r[slot + 1 :]) for pk, r in zip(event_ids, event_rows, strict=True)]
    )


_MEMBER_DATA = tuple(k for k in MEMBER_CMP if k not in {"unit_id", "member_no", "joined_on"})


# ---- the error report -------------------------------------------------------------------


def write_error_report(issues: list[Issue], *, file_name: str) -> str:
    """An .xlsx with one line per problem; returns its path relative to MEDIA_ROOT."""
    path = import_dir() / f"{secrets.token_hex(16)}-errors.xlsx"
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Errors"))
    ws.column_dimensions["A"].width = 8
    ws.column_dimensions["C"].width = 16
    ws.column_dimensions["D"].width = 22
    ws.column_dimensions["E"].width = 70
    ws.append([_("Errors in %(file)s") % {"file": file_name}])
    header = [_("Row"), _("Column"), _("Header"), _("Value"), _("Reason")]
    ws.append(header)
    reasons: dict[tuple[str, str], str] = {}  # thousands of rows share a handful of reasons
    for issue in sorted(issues, key=lambda i: (i.line, i.column)):
        key = (issue.code, issue.detail)
        if key not in reasons:
            reasons[key] = issue.reason()
        ws.append([issue.line or "", issue.column, issue.header, issue.value, reasons[key]])
    wb.save(path)
    return str(path.relative_to(settings.MEDIA_ROOT))


def read_error_report(path: Path) -> list[list[Any]]:
    """The rows of an error report (used by tests and the CLI)."""
    with CalamineWorkbook.from_path(str(path)) as wb:
        return wb.get_sheet_by_index(0).to_python()[2:]


def _sample(issues: list[Issue]) -> list[dict[str, Any]]:
    ordered = sorted(issues, key=lambda i: (i.line, i.column))[:ERRORS_SAMPLE]
    return [
        {
            "row": i.line,
            "column": i.column,
            "header": i.header,
            "value": i.value,
            "code": i.code,
            "reason": i.reason(),
        }
        for i in ordered
    ]


# ---- the services -----------------------------------------------------------------------


def _stored(ri: RosterImport) -> Path:
    return Path(settings.MEDIA_ROOT) / ri.stored_path


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
        path = _stored(ri)
        analysis = analyse(
            path, detect_kind(path, ri.file_name), union=ri.union, today=today, progress=progress
        )
        plan_rows(analysis, ri.union)
    except DomainError as e:
        _fail(ri, e)
        raise
    _record(ri, analysis, RosterImport.Status.CHECKED)
    ri.save()
    return ri


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
        path = _stored(ri)
        analysis = analyse(
            path, detect_kind(path, ri.file_name), union=union, today=today, progress=progress
        )
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
            _write(plan, union=union, actor=actor, today=today, note=note[:200])
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


# ---- the template -----------------------------------------------------------------------


def template_workbook() -> bytes:
    """The roster template: our headers, required ones marked, and one example row."""
    wb = Workbook()
    ws = wb.active
    ws.title = "花名册"
    bold = Font(bold=True)
    example = {
        "name": "张伟",
        "id_number": "110105199003071239",
        "gender": "男",
        "birth_date": "1990-03-07",
        "phone": "13912345678",
        "group": "",
        "employment_type": "正式",
        "post": "教师",
        "department": "教务处",
        "joined_on": "2015-09-01",
        "member_no": "",
        "ethnicity": "汉族",
        "political_status": "群众",
        "education": "本科",
        "work_status": "在职",
        "is_retired": "否",
        "is_model_worker": "否",
        "is_in_hardship": "否",
        "is_survivor": "否",
        "note": "示例行，导入前请删除",
    }
    ws.append([spec.label for spec in rules.FIELDS])
    for cell in ws[1]:
        cell.font = bold
    ws.append([example.get(spec.key, "") for spec in rules.FIELDS])
    for i, spec in enumerate(rules.FIELDS):
        letter = rules.column_letter(i)
        ws.column_dimensions[letter].width = 22 if spec.key == "id_number" else 14
        # Text format keeps ID and phone numbers from turning into rounded numbers.
        if spec.key in {"id_number", "phone", "member_no"}:
            for row in range(2, 1002):
                ws[f"{letter}{row}"].number_format = "@"
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def open_stored(path: str) -> IO[bytes]:
    return (Path(settings.MEDIA_ROOT) / path).open("rb")


def report_path(ri: RosterImport) -> Path:
    return Path(settings.MEDIA_ROOT) / ri.error_report_path
