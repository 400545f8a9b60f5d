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
import gc
import hashlib
import io
import re
import secrets
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import chain, islice, repeat
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
from .counts import members_changed
from .models import Member, MembershipEvent, MemberStatus, RosterImport
from .services import id_error_message, next_member_no

BATCH = 2000
PG_LOOKUP_BATCH = 10_000  # ID numbers per lookup query on PostgreSQL (one array parameter)
# PostgreSQL: after an import that inserted at least this many people or members, the
# tables it wrote are ANALYZEd in the same transaction. Without it the planner still
# believes the tables small (autovacuum analyses later, on its own schedule) and the
# next import's lookups by ID number join by sequential scans: a re-import of 100,000
# rows took 30 s instead of a few.
ANALYZE_AFTER_ROWS = 5000
HEADER_SCAN_ROWS = 10
ERRORS_SAMPLE = 200
CHUNK = 5000  # rows validated at a time, column by column; progress is reported per chunk
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
    rows: Iterator[list[Any]]  # the cells of each data row, from the first on
    first_line: int  # the first data row's number as Excel shows it; the rest follow on
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
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    head = list(islice(reader, HEADER_SCAN_ROWS + 2))
    match = rules.find_header(head)
    if match is None:
        raise _no_header_error()
    first = match.row_index + match.height
    total = max(0, text.count("\n") + 1 - first) if first <= len(head) else 0
    return SheetData("", match, 0, chain(head[first:], reader), first + 1, total)


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
        rows = sheet.iter_rows()
        head = list(islice(rows, HEADER_SCAN_ROWS + 2))
        match = rules.find_header(head)
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
            chain(head[first:], rows),
            first + 1,
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


class ValidRows:
    """The rows without errors, column by column: value key -> one value per row (None
    where the row gives no value; an empty cell never erases), and the rows' numbers as
    Excel shows them. Columns instead of a dict per row keep 100,000 rows small and fast."""

    def __init__(self) -> None:
        self.lines: list[int] = []
        self.cols: dict[str, list[Any]] = {k: [] for k in rules.VALUE_KEYS}

    def __len__(self) -> int:
        return len(self.lines)

    def extend(
        self, lines: Sequence[int], cols: dict[str, list[Any]], keep: list[int] | None
    ) -> None:
        if keep is None:
            self.lines += lines
            for key, values in self.cols.items():
                values += cols[key]
            return
        self.lines += [lines[i] for i in keep]
        for key, values in self.cols.items():
            col = cols[key]
            values += [col[i] for i in keep]

    def values(self, i: int) -> dict[str, Any]:
        """Row ``i`` as a dict of the values it gives."""
        return {k: col[i] for k, col in self.cols.items() if col[i] is not None}


@dataclass
class Analysis:
    sheet_name: str
    header_map: dict[str, Any]
    rows: ValidRows
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


def withheld_fields(actor: User | None, union: OrgUnit) -> frozenset[str]:
    """The columns this importer may not write, which the import reads past: whether a
    member is in hardship is hardship data (decision 0006), set only by those who may open
    the union's hardship files. (The CLI runs as the operator: actor None.)"""
    if actor is None or access.has_perm(actor, Perm.VIEW_HARDSHIP, union):
        return frozenset()
    return frozenset({"is_in_hardship"})


def _header_map(data: SheetData, withheld: frozenset[str]) -> dict[str, Any]:
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
                "field": c.field if c.field and not c.note and c.field not in withheld else None,
                "label": rules.FIELD_BY_KEY[c.field].label if c.field else "",
                "note": "withheld" if c.field in withheld and not c.note else c.note,
            }
            for c in match.columns
            if c.header or c.field
        ],
        "missing": [rules.FIELD_BY_KEY[f].label for f in match.missing],
    }


def analyse(
    path: Path,
    kind: str,
    *,
    union: OrgUnit,
    today: date,
    progress: Progress = _no_progress,
    withheld: frozenset[str] = frozenset(),
) -> Analysis:
    """Read and validate every row (pure Python rules, no per-row queries). Rows are taken
    CHUNK at a time and checked column by column (``RowCleaner.clean_columns``). The
    ``withheld`` fields' columns are shown as ignored and not read (``withheld_fields``)."""
    data = read_roster(path, kind)
    match = data.header
    columns = [
        (c.index, c.field)
        for c in match.columns
        if c.field and not c.note and c.field not in withheld
    ]
    headers = {c.index: c.header for c in match.columns}
    letters = {c.index: rules.column_letter(c.index + data.col_offset) for c in match.columns}
    by_field = {f: i for i, f in columns}
    id_columns = {f: (letters[i], headers[i]) for f, i in by_field.items()}
    analysis = Analysis(
        data.sheet_name, _header_map(data, withheld), ValidRows(), [], 0, id_columns
    )
    issues = analysis.issues
    for label_key in match.missing:
        spec = rules.FIELD_BY_KEY[label_key]
        issues.append(Issue(match.row_index + 1, "", spec.label, "", "missing_column", spec.label))
    cleaner = rules.RowCleaner(today=today, groups=union_groups(union))
    group_union = str(union)
    missing = frozenset(match.missing)
    field_of = dict(columns)
    width = max((i for i, _f in columns), default=-1) + 1
    cell_issues: dict[int, list[tuple[int, str, str]]] = {}
    for (ln, ci), (code, detail) in data.cell_issues.items():
        cell_issues.setdefault(ln, []).append((ci, code, detail))
    seen_ids: dict[str, int] = {}
    seen_nos: dict[str, int] = {}
    total = data.total
    progress(0, total, "")
    count = 0
    next_line = data.first_line
    while block_cells := list(islice(data.rows, CHUNK)):
        lines: Sequence[int] = range(next_line, next_line + len(block_cells))
        next_line += len(block_cells)
        # Blank rows between blocks are common; they are not errors. (any() is the fast test;
        # a row of zeros and False still counts as filled.)
        if not all(map(any, block_cells)):
            kept = [
                i
                for i, cells in enumerate(block_cells)
                if any(cells) or not all(c in ("", None) for c in cells)
            ]
            if not kept:
                continue
            lines = [lines[i] for i in kept]
            block_cells = [block_cells[i] for i in kept]
        if width and min(map(len, block_cells)) < width:
            block_cells = [
                cells if len(cells) >= width else [*cells, *[None] * (width - len(cells))]
                for cells in block_cells
            ]
        n = len(lines)
        count += n
        transposed = list(zip(*block_cells, strict=False)) if width else []
        block = cleaner.clean_columns({f: transposed[i] for i, f in columns}, n)
        silenced: dict[int, set[str]] = {}
        if cell_issues:
            for line in lines:
                for ci, code, detail in cell_issues.get(line, ()):
                    if ci in field_of:
                        issues.append(Issue(line, letters[ci], headers[ci], "", code, detail))
                        silenced.setdefault(line, set()).add(field_of[ci])
        bad: set[int] = set()
        for i, err in sorted(block.errors, key=lambda e: e[0]):
            bad.add(i)
            line = lines[i]
            if err.field in missing or err.field in silenced.get(line, ()):
                continue  # already reported for the column or the cell
            ci = by_field.get(err.field, -1)
            cells = block_cells[i]
            issues.append(
                Issue(
                    line,
                    letters.get(ci, ""),
                    headers.get(ci, rules.FIELD_BY_KEY[err.field].label),
                    display_value(cells[ci]) if 0 <= ci < len(cells) else "",
                    err.code,
                    group_union if err.code == "group_unknown" else err.detail,
                )
            )
        for key, seen, code in (
            ("id_number", seen_ids, "duplicate_id"),
            ("member_no", seen_nos, "duplicate_member_no"),
        ):
            column = block.values[key]
            if None not in column and "" not in column:  # every row gives one
                if len(set(column)) == n and seen.keys().isdisjoint(column):
                    seen.update(zip(column, lines, strict=True))
                    continue
            elif not any(column):
                continue  # no row gives one (member numbers, usually)
            given = [(v, line) for v, line in zip(column, lines, strict=True) if v]
            keys = {v for v, _line in given}
            if len(keys) == len(given) and seen.keys().isdisjoint(keys):
                seen.update(given)  # the usual case: no number seen twice
                continue
            for value, line in given:
                if (first := seen.setdefault(value, line)) != line:
                    letter, header = id_columns[key]
                    issues.append(Issue(line, letter, header, value, code, str(first)))
        keep = None if not bad else [i for i in range(n) if i not in bad]
        analysis.rows.extend(lines, block.values, keep)
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
    # rows are indices into Analysis.rows
    new_people: list[int] = field(default_factory=list)
    person_updates: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    new_members: list[tuple[int, int | None]] = field(default_factory=list)  # person pk
    member_updates: list[tuple[int, dict[str, Any], int | None]] = field(default_factory=list)
    # (member pk, changes, previous unit for a MOVED event)
    takeovers: list[tuple[int, int, int]] = field(default_factory=list)
    # (member pk, row, from unit): membership re-activated in this union by the import


# What _existing reads per person, in this order (a tuple per person, not a dict).
_OLD_PERSON = ("pk", "id_number", *PERSON_CMP)
_OLD_MEMBER = ("pk", "union_id", "status", *MEMBER_CMP)
_OLD = {k: i for i, k in enumerate(_OLD_PERSON)} | {
    f"member__{k}": i + len(_OLD_PERSON) for i, k in enumerate((*_OLD_MEMBER, "union_name"))
}


def _column(opts: Any, name: str) -> str:
    return str(opts.pk.column if name == "pk" else opts.get_field(name).column)


def _existing(ids: list[str]) -> dict[str, tuple[Any, ...]]:
    """The people of these ID numbers with their membership, one query per BATCH numbers,
    reading only the columns compared (a tuple per person; positions in _OLD)."""
    found: dict[str, tuple[Any, ...]] = {}
    qn = connection.ops.quote_name
    person, member, unit = Person._meta, Member._meta, OrgUnit._meta
    pcols = ", ".join(f"p.{qn(_column(person, k))}" for k in _OLD_PERSON)
    mcols = ", ".join(f"m.{qn(_column(member, k))}" for k in _OLD_MEMBER)
    head = (
        f"SELECT {pcols}, {mcols}, u.{qn('name')} FROM {qn(person.db_table)} p"  # noqa: S608
        f" LEFT JOIN {qn(member.db_table)} m"
        f" ON m.{qn(_column(member, 'person'))} = p.{qn(_column(person, 'pk'))}"
        f" LEFT JOIN {qn(unit.db_table)} u"
        f" ON u.{qn(_column(unit, 'pk'))} = m.{qn(_column(member, 'union'))}"
        f" WHERE p.{qn(_column(person, 'id_number'))}"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One array parameter instead of thousands of placeholders: psycopg quotes it
            # in one go and the server plans one short query (an index scan per number).
            for start in range(0, len(ids), PG_LOOKUP_BATCH):
                cursor.execute(f"{head} = ANY(%s)", [ids[start : start + PG_LOOKUP_BATCH]])
                for row in cursor.fetchall():
                    found[row[1]] = row
            return found
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            cursor.execute(f"{head} IN ({', '.join(['%s'] * len(chunk))})", chunk)
            for row in cursor.fetchall():
                found[row[1]] = row
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
    rows = analysis.rows
    ids, nos = rows.cols["id_number"], rows.cols["member_no"]
    existing = _existing(ids)
    taken = _taken_numbers(union, [no for no in nos if no])
    if not existing and not taken:  # a first import: every row is new
        plan.new_people = list(range(len(rows)))
        plan.new_members = [(i, None) for i in plan.new_people]
        analysis.new, analysis.updated, analysis.unchanged = len(rows), 0, 0
        return plan
    id_letter, id_header = analysis.id_columns.get("id_number", ("", ""))
    no_letter, no_header = analysis.id_columns.get("member_no", ("", ""))
    person_cmp = [(k, rows.cols[k], _OLD[k]) for k in PERSON_CMP]
    member_cmp = [(k, rows.cols[k], _OLD[f"member__{k}"]) for k in MEMBER_CMP]
    m_pk, m_union, m_status = _OLD["member__pk"], _OLD["member__union_id"], _OLD["member__status"]
    m_unit, m_union_name = _OLD["member__unit_id"], _OLD["member__union_name"]
    new = updated = unchanged = 0
    for i, (line, idn, no) in enumerate(zip(rows.lines, ids, nos, strict=True)):
        if no and no in taken and taken[no][0] != idn:
            analysis.issues.append(
                Issue(line, no_letter, no_header, no, "member_no_taken", taken[no][1])
            )
            continue
        old = existing.get(idn)
        if old is None:
            plan.new_people.append(i)
            plan.new_members.append((i, None))
            new += 1
            continue
        status, member_union = old[m_status], old[m_union]
        if (
            old[m_pk] is not None
            and member_union != union.pk
            and status in (MemberStatus.ACTIVE, MemberStatus.APPLIED)
        ):
            analysis.issues.append(
                Issue(line, id_letter, id_header, idn, "other_union", old[m_union_name])
            )
            continue
        if status == MemberStatus.DECEASED:
            analysis.issues.append(Issue(line, id_letter, id_header, idn, "deceased"))
            continue
        pchanges = {
            k: col[i] for k, col, o in person_cmp if col[i] is not None and col[i] != old[o]
        }
        if pchanges:
            plan.person_updates.append((old[0], pchanges))
        if old[m_pk] is None:
            plan.new_members.append((i, old[0]))
            new += 1
            continue
        if member_union != union.pk or status != MemberStatus.ACTIVE:
            plan.takeovers.append((old[m_pk], i, old[m_unit]))
            updated += 1
            continue
        mchanges = {
            k: col[i] for k, col, o in member_cmp if col[i] is not None and col[i] != old[o]
        }
        if mchanges:
            moved_from = old[m_unit] if "unit_id" in mchanges else None
            plan.member_updates.append((old[m_pk], mchanges, moved_from))
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

    def fill(self, numbers: list[Any]) -> list[str]:
        """``numbers`` with each missing (None or empty) one replaced by the next number."""
        missing = len(numbers) - sum(map(bool, numbers))
        fresh = iter(self._take(missing))
        return [no or next(fresh) for no in numbers]

    def _take(self, k: int) -> list[str]:
        """The next ``k`` numbers: formatted in one go, one by one only when some of them
        are in use (an import of 100,000 rows spent 0.3 s in a loop per number)."""
        start = self.n
        fresh = [f"{self.prefix}{i:05d}" for i in range(start + 1, start + k + 1)]
        if self.used.isdisjoint(fresh):
            self.n = start + k
            return fresh
        return [next(self) for _ in range(k)]


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


@dataclass
class _Same:
    """One value for a field in every row (the union, the date, the actor...)."""

    value: Any


@dataclass
class _Rows:
    """``n`` rows to insert, one entry per field: a list of ``n`` values or a _Same."""

    n: int
    columns: list[list[Any] | _Same]

    def tuples(self) -> Iterator[tuple[Any, ...]]:
        return zip(
            *(repeat(c.value, self.n) if isinstance(c, _Same) else c for c in self.columns),
            strict=False,
        )


# SQLite's classic limit of parameters per statement (newer builds allow more).
SQLITE_MAX_PARAMS = 999


class _Inserter:
    """Plain multi-row INSERTs (executemany; COPY on PostgreSQL) for the import's new rows.
    Django's bulk_create compiles every field of every object, which costs far more than
    the database itself at 100,000 rows; here the rows are built column by column (a list
    per field, or one value for all) with the model's defaults for the fields not given
    and dates through the backend's own adapter."""

    def __init__(self, model: Any, *, keys: bool = True) -> None:
        # With the key (see _allocate_ids) when other rows will refer to the new ones;
        # without it the database numbers them.
        self.fields = [f for f in model._meta.concrete_fields if keys or not f.primary_key]
        self.template = [f.get_default() for f in self.fields]
        self.date_fields = {f.attname for f in self.fields if f.get_internal_type() == "DateField"}
        qn = connection.ops.quote_name
        columns = ", ".join(qn(f.column) for f in self.fields)
        self.copy_sql = f"COPY {qn(model._meta.db_table)} ({columns}) FROM STDIN (FORMAT BINARY)"
        self.sql = f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES"

    def rows(self, n: int, values: dict[str, Any]) -> _Rows:
        """``n`` rows: ``values`` maps an attname to a list of ``n`` values (None: the
        default) or to one value for every row."""
        ops = connection.ops
        adapt_date, adapt_datetime = ops.adapt_datefield_value, ops.adapt_datetimefield_value
        columns: list[list[Any] | _Same] = []
        for f, default in zip(self.fields, self.template, strict=True):
            v = values.get(f.attname, default)
            if not isinstance(v, list):
                if isinstance(v, datetime):
                    v = adapt_datetime(v)
                elif isinstance(v, date):
                    v = adapt_date(v)
                columns.append(_Same(v))
                continue
            if f.attname in self.date_fields:
                adapted = {d: adapt_date(d) for d in set(v) if d is not None}  # dates repeat
                v = [default if d is None else adapted[d] for d in v]
            elif default is not None and None in v:
                v = [default if x is None else x for x in v]
            columns.append(v)
        return _Rows(n, columns)

    def insert(self, rows: _Rows) -> None:
        with connection.cursor() as cursor:
            if connection.vendor != "postgresql":
                self._insert_sqlite(cursor, rows)
                return
            # Django binds parameters client-side on PostgreSQL, so executemany sends one
            # statement per row; COPY streams the rows in one go (psycopg 3). In binary
            # format with the columns' types given: psycopg then packs each value with the
            # one dumper of its column instead of choosing one per value and writing text,
            # and the server parses no text (the client's CPU for 100,000 members, events
            # and people fell from 2.0-2.6 s to 1.2-1.3 s).
            with cursor.cursor.copy(self.copy_sql) as copy:
                copy.set_types(self.copy_types())
                for row in rows.tuples():
                    copy.write_row(row)

    def copy_types(self) -> list[str]:
        """The columns' PostgreSQL types by name (``varchar(50)`` -> ``varchar``)."""
        return [f.db_type(connection).split("(")[0].strip() for f in self.fields]

    def _insert_sqlite(self, cursor: Any, rows: _Rows) -> None:
        """Many rows per INSERT (half the time of a statement per row), with numbered
        parameters: a value the same in every row is bound once per statement, as ?1..?k,
        and each row binds only its own values. A member has 20 fields, 7 of them the same
        for the whole import, an event 8, 4 of them: a third fewer values to bind, more
        rows per statement, and 20-30% less time for a member's insert before indexes."""
        shared = tuple(c.value for c in rows.columns if isinstance(c, _Same))
        varying = [c for c in rows.columns if not isinstance(c, _Same)]
        width = len(varying)
        per = max(1, (SQLITE_MAX_PARAMS - len(shared)) // max(1, width))
        flat = list(chain.from_iterable(zip(*varying, strict=False)))
        full = rows.n - rows.n % per
        if full:
            step = per * width
            cursor.executemany(
                self._numbered_sql(rows, per),
                [shared + tuple(flat[i : i + step]) for i in range(0, full * width, step)]
                if width
                else [shared] * (full // per),
            )
        if full < rows.n:  # executemany for one statement too: it has no %s to format
            cursor.executemany(
                self._numbered_sql(rows, rows.n - full), [shared + tuple(flat[full * width :])]
            )

    def _numbered_sql(self, rows: _Rows, count: int) -> str:
        """INSERT of ``count`` rows: the same values as ?1..?k, then each row's own."""
        k = sum(isinstance(c, _Same) for c in rows.columns)
        width = len(rows.columns) - k
        tuples = []
        for r in range(count):
            marks, same, own = [], 0, k + r * width
            for c in rows.columns:
                if isinstance(c, _Same):
                    same += 1
                    marks.append(f"?{same}")
                else:
                    own += 1
                    marks.append(f"?{own}")
            tuples.append(f"({', '.join(marks)})")
        return f"{self.sql} {', '.join(tuples)}"


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
            # The sequence is named once (a scalar subquery): as nextval's argument it was
            # looked up again for every key, 0.5 s per 100,000. The keys come back as one
            # array rather than a row each.
            cursor.execute(
                "SELECT ARRAY(SELECT nextval((SELECT pg_get_serial_sequence(%s, %s))::regclass)"
                " FROM generate_series(1, %s))",
                [opts.db_table, opts.pk.column, n],
            )
            return list(cursor.fetchone()[0])
        if connection.vendor != "sqlite":
            raise NotImplementedError(connection.vendor)
        cursor.execute(f"SELECT COALESCE(MAX({qn(opts.pk.column)}), 0) FROM {qn(opts.db_table)}")  # noqa: S608
        last = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [opts.db_table])
        seq = cursor.fetchone()
        first = max(last, seq[0] if seq else 0) + 1
        return list(range(first, first + n))


# SQLite's page cache for the import's connection while it writes (KiB): the default 2 MB
# makes the inserts into eight indexes of the member table spill and re-read pages.
SQLITE_WRITE_CACHE_KIB = 128 * 1024


@contextmanager
def _write_cache() -> Iterator[None]:
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_WRITE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def _pick(col: list[Any], rows: list[int], every: bool) -> list[Any]:
    return col if every else [col[i] for i in rows]


def _write(
    plan: Plan,
    rows: ValidRows,
    *,
    union: OrgUnit,
    actor: User | None,
    today: date,
    note: str,
) -> None:
    with _write_cache():
        _write_rows(plan, rows, union=union, actor=actor, today=today, note=note)


def _write_rows(
    plan: Plan,
    rows: ValidRows,
    *,
    union: OrgUnit,
    actor: User | None,
    today: date,
    note: str,
) -> None:
    now = timezone.now()
    actor_id = actor.pk if actor and actor.pk else None
    cols = rows.cols

    people = _Inserter(Person)
    new_people = plan.new_people
    every = len(new_people) == len(rows)  # then they are all the rows, in order
    person_ids = _allocate_ids(Person, len(new_people))
    person_values: dict[str, Any] = {"id": person_ids}
    for key in ("id_number", *PERSON_CMP):
        person_values[key] = _pick(cols[key], new_people, every)
    people.insert(people.rows(len(new_people), person_values))
    _bulk_update(Person, plan.person_updates, {})

    member_rows = [i for i, _pk in plan.new_members]
    every = len(member_rows) == len(rows)
    person_of: list[int]
    if len(new_people) == len(member_rows) == len(rows):
        person_of = person_ids
    else:
        new_person = dict(zip(new_people, person_ids, strict=True))
        person_of = [pk or new_person[i] for i, pk in plan.new_members]
    numbers_given = _pick(cols["member_no"], member_rows, every)
    takeover_numbers = [cols["member_no"][i] for _m, i, _u in plan.takeovers]
    numbers = _NumberSource(
        union, [no for no in chain(numbers_given, takeover_numbers) if no is not None]
    )
    members = _Inserter(Member)
    member_ids = _allocate_ids(Member, len(member_rows))
    units = [union.pk if u is None else u for u in _pick(cols["unit_id"], member_rows, every)]
    member_values: dict[str, Any] = {
        "id": member_ids,
        "person_id": person_of,
        "union_id": union.pk,
        "unit_id": units,
        "member_no": numbers.fill(numbers_given),
        "status": MemberStatus.ACTIVE.value,
        "status_changed_on": today,
        "created_at": now,
        "updated_at": now,
        "joined_on": _pick(cols["joined_on"], member_rows, every),
    }
    for key in _MEMBER_DATA:
        member_values[key] = _pick(cols[key], member_rows, every)
    members.insert(members.rows(len(member_rows), member_values))

    event_members: list[int] = list(member_ids)
    event_from: list[int | None] = [None] * len(member_ids)
    event_to: list[int | None] = list(units)
    takeover_updates = []
    for member_id, i, from_unit in plan.takeovers:
        v = rows.values(i)
        changes = {k: v[k] for k in MEMBER_CMP if k in v}
        changes.update(
            union_id=union.pk,
            unit_id=v.get("unit_id", union.pk),
            member_no=v.get("member_no") or next(numbers),
            status=MemberStatus.ACTIVE,
            status_changed_on=today,
        )
        takeover_updates.append((member_id, changes))
        event_members.append(member_id)
        event_from.append(from_unit)
        event_to.append(changes["unit_id"])
    _bulk_update(Member, takeover_updates, {"updated_at": now})
    _bulk_update(Member, [(pk, ch) for pk, ch, _f in plan.member_updates], {"updated_at": now})
    event_kinds = [MembershipEvent.Kind.IMPORTED.value] * len(event_members)
    for pk, ch, moved_from in plan.member_updates:
        if moved_from is not None:
            event_members.append(pk)
            event_from.append(moved_from)
            event_to.append(ch["unit_id"])
            event_kinds.append(MembershipEvent.Kind.MOVED.value)
    events = _Inserter(MembershipEvent, keys=False)  # nothing refers to an event
    events.insert(
        events.rows(
            len(event_members),
            {
                "kind": event_kinds,
                "on": today,
                "actor_id": actor_id,
                "note": note,
                "created_at": now,
                "member_id": event_members,
                "from_unit_id": event_from,
                "to_unit_id": event_to,
            },
        )
    )


# What the next import's lookups read (``_existing``, ``_taken_numbers``, _NumberSource):
# the statistics ANALYZE refreshes after a large import. The events are never looked up.
_LOOKUP_COLUMNS = ((Person, ("id_number",)), (Member, ("person", "union", "member_no")))


def _analyze_after(plan: Plan) -> None:
    """Refresh the planner's statistics for the next import's lookups after a large import
    (PostgreSQL; see ANALYZE_AFTER_ROWS). ANALYZE runs inside the import's transaction: it
    samples the rows this transaction inserted, and its statistics become visible with the
    commit. Only the looked-up columns: the row counts of both tables are refreshed all
    the same, and ANALYZE of every column of the three tables took three to four times as
    long (0.6-1.4 s against 0.1-0.3 s at 100,000 rows); autovacuum analyses the rest."""
    if connection.vendor != "postgresql":
        return
    if max(len(plan.new_people), len(plan.new_members)) < ANALYZE_AFTER_ROWS:
        return
    qn = connection.ops.quote_name
    tables = ", ".join(
        f"{qn(model._meta.db_table)} ({', '.join(qn(_column(model._meta, f)) for f in fields)})"
        for model, fields in _LOOKUP_COLUMNS
    )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")


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
        path = _stored(ri)
        analysis = analyse(
            path,
            detect_kind(path, ri.file_name),
            union=ri.union,
            today=today,
            progress=progress,
            withheld=withheld_fields(actor, ri.union),
        )
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
        path = _stored(ri)
        analysis = analyse(
            path,
            detect_kind(path, ri.file_name),
            union=union,
            today=today,
            progress=progress,
            withheld=withheld_fields(actor, union),
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
