"""Validation: every row read and checked by ``members.rules``, column by column, with no
query per row."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from gonghui.core import access
from gonghui.core.access import Perm
from gonghui.core.errors import DomainError
from gonghui.core.models import OrgUnit, UnitKind, User

from .. import rules
from .messages import reason_text
from .reading import SheetData, read_roster

CHUNK = 5000  # rows validated at a time, column by column; progress is reported per chunk

Progress = Callable[[int, int, str], None]


def _no_progress(done: int, total: int, message: str) -> None:
    return None


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
