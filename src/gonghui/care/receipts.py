"""The signed-receipt sheet (签领表) of a distribution, as Word and as Excel.

One table per union group: 序号, 姓名, 小组, 物品, 金额 and an empty 签名 column for the
recipient's signature; the title, the date and the totals. Only the people who may receive
the gift are listed: lines over the cap without the chair's override, and people taken off
the list, are left out.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet.worksheet import Worksheet

from . import rules
from .models import Distribution

HEADERS = ("序号", "姓名", "小组", "物品", "金额（元）", "签名")
FONT = "SimSun"


@dataclass(frozen=True)
class ReceiptRow:
    no: int
    name: str
    group: str
    gift: str
    amount: Decimal


@dataclass(frozen=True)
class ReceiptGroup:
    name: str
    rows: list[ReceiptRow]

    @property
    def total(self) -> Decimal:
        return sum((r.amount for r in self.rows), Decimal("0.00"))


def receipt_groups(distribution: Distribution) -> list[ReceiptGroup]:
    """The people to sign, group by group in the union's order, by name within a group."""
    lines = (
        distribution.lines.filter(
            excluded_at__isnull=True, cap_state__in=list(rules.HANDOUT_STATES)
        )
        .order_by("member__unit__path", "member__person__name", "id")
        .values_list("member__unit_id", "member__unit__name", "member__person__name", "amount")
    )
    groups: list[ReceiptGroup] = []
    current: int | None = None
    for unit_id, unit_name, name, amount in lines.iterator(chunk_size=2000):
        if unit_id != current:
            groups.append(ReceiptGroup(unit_name, []))
            current = unit_id
        rows = groups[-1].rows
        rows.append(
            ReceiptRow(len(rows) + 1, name, unit_name, distribution.gift_description, amount)
        )
    return groups


def _subtitle(d: Distribution, groups: list[ReceiptGroup]) -> str:
    people = sum(len(g.rows) for g in groups)
    total = sum((g.total for g in groups), Decimal("0.00"))
    return f"{d.union.name}    发放日期：{d.given_on:%Y年%m月%d日}    合计 {people} 人，¥{total}"


def file_name(d: Distribution, ext: str) -> str:
    """An ASCII-safe file name (the title goes in the document, not in the header)."""
    return f"receipts-{d.pk}-{d.given_on:%Y%m%d}.{ext}"


# ---- Word ---------------------------------------------------------------------------------


def _font(run, size: float | None = None, bold: bool = False) -> None:
    run.font.name = FONT
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    if size:
        run.font.size = Pt(size)
    run.bold = bold


def _para(doc, text: str, *, size: float, bold: bool = False, center: bool = False) -> None:
    p = doc.add_paragraph()
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run(text), size, bold)


def _cell(cell, text: str, *, bold: bool = False, center: bool = False) -> None:
    p = cell.paragraphs[0]
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run(text), 10.5, bold)


# Column widths (cm) that fit an A4 portrait page with 2 cm margins (17 cm of text width).
WIDTHS_CM = (1.2, 2.6, 3.2, 4.2, 2.2, 3.6)


def receipts_docx(distribution: Distribution) -> bytes:
    groups = receipt_groups(distribution)
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    _para(doc, f"{distribution.title}签领表", size=16, bold=True, center=True)
    _para(doc, _subtitle(distribution, groups), size=10.5, center=True)
    if not groups:
        _para(doc, "名单中没有可发放的人员。", size=10.5)
    for i, group in enumerate(groups):
        if i:
            doc.add_page_break()  # each group signs its own sheet
        _para(doc, f"{group.name}（{len(group.rows)} 人，¥{group.total}）", size=12, bold=True)
        table = doc.add_table(rows=1, cols=len(HEADERS))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, text in zip(table.rows[0].cells, HEADERS, strict=True):
            _cell(cell, text, bold=True, center=True)
        for r in group.rows:
            cells = table.add_row().cells
            for cell, text in zip(
                cells, (str(r.no), r.name, r.group, r.gift, f"{r.amount}", ""), strict=True
            ):
                _cell(cell, text, center=text == str(r.no))
        total = table.add_row().cells
        _cell(total[1], "小计", bold=True)
        _cell(total[4], f"{group.total}", bold=True)
        for row in table.rows:
            row.height = Cm(0.9)  # room for a handwritten signature
            for cell, width in zip(row.cells, WIDTHS_CM, strict=True):
                cell.width = Cm(width)
    _para(doc, "经办人：              审核人：              工会主席：", size=10.5)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# ---- Excel --------------------------------------------------------------------------------

THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def _sheet_names(groups: list[ReceiptGroup]) -> Iterator[str]:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, unique."""
    seen: set[str] = {"汇总"}
    for g in groups:
        base = re.sub(r"[\[\]:*?/\\]", "_", g.name)[:28] or "小组"
        name, n = base, 2
        while name in seen:
            name, n = f"{base[:26]}({n})", n + 1
        seen.add(name)
        yield name


def _title(ws: Worksheet, title: str, subtitle: str, width: int) -> None:
    ws.append([title])
    ws.append([subtitle])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    ws["A1"].font = Font(name=FONT, size=14, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws["A2"].alignment = Alignment(horizontal="center")


def _header(ws: Worksheet, headers: tuple[str, ...]) -> None:
    ws.append(list(headers))
    for cell in ws[ws.max_row]:
        cell.font = Font(name=FONT, bold=True)
        cell.border = BOX
        cell.alignment = Alignment(horizontal="center")


def receipts_xlsx(distribution: Distribution) -> bytes:
    groups = receipt_groups(distribution)
    subtitle = _subtitle(distribution, groups)
    wb = Workbook()
    summary = wb.active
    summary.title = "汇总"
    _title(summary, f"{distribution.title}签领汇总", subtitle, 4)
    _header(summary, ("序号", "小组", "人数", "金额（元）"))
    for i, g in enumerate(groups, 1):
        summary.append([i, g.name, len(g.rows), g.total])
    summary.append(["", "合计", sum(len(g.rows) for g in groups), sum(g.total for g in groups)])
    for col, width in zip("ABCD", (8, 30, 10, 14), strict=True):
        summary.column_dimensions[col].width = width
    for g, name in zip(groups, _sheet_names(groups), strict=True):
        ws = wb.create_sheet(name)
        _title(ws, f"{distribution.title}签领表", f"{g.name}    {subtitle}", len(HEADERS))
        _header(ws, HEADERS)
        for r in g.rows:
            ws.append([r.no, r.name, r.group, r.gift, r.amount, ""])
            for cell in ws[ws.max_row]:
                cell.border = BOX
            ws.cell(ws.max_row, 5).number_format = "0.00"
            ws.row_dimensions[ws.max_row].height = 26
        ws.append(["", "小计", "", "", g.total, ""])
        for col, width in zip("ABCDEF", (6, 12, 18, 24, 12, 18), strict=True):
            ws.column_dimensions[col].width = width
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "portrait"
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.print_title_rows = "3:3"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
