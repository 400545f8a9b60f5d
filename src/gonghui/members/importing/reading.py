"""Reading a roster: the first sheet with a header row we recognise (python-calamine) or a
CSV file, and the formula cells that have no usable value."""

from __future__ import annotations

import csv
import io
import re
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook

from gonghui.core.errors import DomainError

from .. import rules
from .files import _not_spreadsheet, decode_csv, zip_bomb

HEADER_SCAN_ROWS = 10


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
    # The formula scan of the first sheet runs while calamine parses (which releases the
    # interpreter): a tenth of the read, no longer after it.
    scan = _FormulaScan(path, 0) if kind == "xlsx" else None
    try:
        wb = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as e:
        raise _unreadable(e) from e
    skipped: list[str] = []
    for index, meta in enumerate(wb.sheets_metadata):
        if str(meta.typ).split(".")[-1] != "WorkSheet":
            continue
        try:
            sheet = wb.get_sheet_by_index(index)
        except CalamineError as e:
            raise _unreadable(e) from e
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
        issues = scan.issues(index, sheet.start[1]) if scan else {}
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


def _unreadable(error: Exception) -> DomainError:
    # A zip whose headers understate what a part unpacks to passes check_xlsx_zip, which
    # can only read the headers; calamine's unzip stops at the stated size and says so.
    if "larger than its declared" in str(error):
        return zip_bomb()
    return _not_spreadsheet()


class _FormulaScan:
    """``_formula_issues`` of one sheet, in a thread started at once."""

    def __init__(self, path: Path, index: int) -> None:
        self.path, self.index = path, index
        self.found: dict[tuple[int, int], tuple[str, str]] = {}
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="formula-scan", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            self.found = _formula_issues(self.path, self.index, 0)
        except BaseException as e:  # raised again where the issues are asked for
            self.error = e

    def issues(self, index: int, col_offset: int) -> dict[tuple[int, int], tuple[str, str]]:
        """The issues of sheet ``index`` (columns counted from ``col_offset``)."""
        self.thread.join()
        if self.error is not None:
            raise self.error
        if index != self.index:  # the roster is not on the first sheet
            return _formula_issues(self.path, index, col_offset)
        return {(line, ci - col_offset): v for (line, ci), v in self.found.items()}


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
