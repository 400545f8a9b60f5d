"""The annual disclosure report to the congress (年度校务公开 / 厂务公开工作报告) as Word.

Every figure comes from ``disclosure.year_tally`` over the union's records, and the list
of items from ``disclosure.report_items``, so the document and the page agree.
"""

from __future__ import annotations

import io
from datetime import date

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.text.run import Run

from gonghui.core.models import OrgUnit

from . import disclosure, rules
from .models import DisclosureItem

FONT = "SimSun"
STAGE_ZH = {"policy": "事前（政策、方案）", "process": "事中（过程）", "result": "事后（结果）"}
REGULARITY_ZH = {"regular": "定期公开", "ad_hoc": "随时公开"}
STATUS_ZH = {"published": "公开中", "withdrawn": "已撤回", "draft": "草稿"}


def report_title(union: OrgUnit, year: int) -> str:
    word = "厂务公开" if disclosure.board_kind(union) == "enterprise" else "校务公开"
    return f"{union.name}{year}年度{word}工作报告"


def _staff_word(union: OrgUnit) -> str:
    return "职工" if disclosure.board_kind(union) == "enterprise" else "教职工"


def _font(run: Run, size: float | None = None, bold: bool = False) -> None:
    run.font.name = FONT
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    if size:
        run.font.size = Pt(size)
    run.bold = bold


def _para(doc: DocxDocument, text: str, *, size: float = 12, bold: bool = False) -> None:
    _font(doc.add_paragraph().add_run(text), size, bold)


def _table(doc: DocxDocument, header: list[str], rows: list[list[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(text), 10.5, True)
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = ""
            _font(cell.paragraphs[0].add_run(text), 10.5)


def summary_sentence(t: rules.DisclosureTally) -> str:
    """The figures in the words of a report: "2026年共公开事项 12 项，其中定期公开 8 项……"."""
    stage = "，".join(
        f"{STAGE_ZH[s][:2]}公开 {t.by_stage.get(s, 0)} 项" for s in rules.DISCLOSURE_STAGES
    )
    return (
        f"{t.year}年共公开事项 {t.total} 项，其中定期公开 {t.regular} 项、随时公开 {t.ad_hoc} 项；"
        f"{stage}；公开后修订的事项 {t.revised_items} 项（共修订 {t.revisions} 次），"
        f"撤回 {t.withdrawn} 项（撤回事项及撤回原因均留档备查）。"
    )


def annual_report_docx(union: OrgUnit, year: int, today: date) -> bytes:
    tally = disclosure.year_tally(union, year)
    items: list[DisclosureItem] = disclosure.report_items(union, year)
    categories = list(disclosure.categories_of(union))
    staff = _staff_word(union)
    doc = Document()
    heading = doc.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(heading.add_run(report_title(union, year)), 16, True)

    _para(doc, "一、总体情况", bold=True)
    _para(doc, summary_sentence(tally))
    _para(
        doc,
        f"公开栏共设 {len(categories)} 个栏目，各栏目由责任部门负责公开内容的真实、准确和及时。",
    )

    _para(doc, "二、分类公开情况", bold=True)
    by_dept = {c.name: c.responsible_department for c in categories}
    rows = [
        [
            name,
            by_dept.get(name, ""),
            *(str(stages.get(s, 0)) for s in rules.DISCLOSURE_STAGES),
            str(tally.by_category[name]),
        ]
        for name, stages in tally.by_category_stage.items()
    ]
    rows.append(
        ["合计", "", *(str(tally.by_stage[s]) for s in rules.DISCLOSURE_STAGES), str(tally.total)]
    )
    _table(doc, ["栏目", "责任部门", "事前", "事中", "事后", "合计"], rows)

    _para(doc, "三、公开形式", bold=True)
    _table(
        doc,
        ["方式", "事项数"],
        [["定期公开", str(tally.regular)], ["随时公开", str(tally.ad_hoc)]],
    )

    _para(doc, "四、公开事项一览", bold=True)
    _table(
        doc,
        ["序号", "栏目", "事项", "阶段", "方式", "公开日期", "修订", "状态"],
        [
            [
                str(n),
                i.category.name,
                i.title,
                STAGE_ZH[i.stage][:2],
                REGULARITY_ZH[i.regularity],
                i.published_on.isoformat() if i.published_on else "",
                f"{i.revision - 1} 次" if i.revision > 1 else "—",
                STATUS_ZH[i.status]
                + (
                    f"（{i.withdrawn_on.isoformat()}：{i.withdraw_reason}）"
                    if i.withdrawn_on
                    else ""
                ),
            ]
            for n, i in enumerate(items, start=1)
        ],
    )
    _para(doc, "五、下一步工作", bold=True)
    _para(
        doc,
        "继续坚持定期公开与随时公开相结合，重大事项事前、事中、事后全过程公开，"
        f"认真听取{staff}意见，对公开后需要更正的事项及时修订并说明原因。",
    )
    _para(doc, f"{union.name}　{today.year}年{today.month}月{today.day}日")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
