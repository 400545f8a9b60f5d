"""提案办理情况报告: the report on how a session's proposals were handled, heard by the next
session. Every figure comes from ``proposals.proposal_counts`` over the session's records."""

from __future__ import annotations

import io
from datetime import date

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.text.run import Run

from .models import CongressSession, Proposal
from .proposals import ACCEPTED_STATUSES, proposal_counts

FONT = "SimSun"
STATUS_ZH = {
    "collecting": "征集附议",
    "submitted": "待审查",
    "accepted": "办理中",
    "replied": "已答复待评价",
    "rehandling": "重新办理",
    "closed": "已办结",
    "converted": "转为意见建议",
    "withdrawn": "已撤回",
}
RATING_ZH = {"satisfied": "满意", "basic": "基本满意", "unsatisfied": "不满意", "": "—"}


def _font(run: Run, size: float | None = None, bold: bool = False) -> Run:
    run.font.name = FONT
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    if size:
        run.font.size = Pt(size)
    run.bold = bold
    return run


def _zh_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def opening_paragraph(session: CongressSession, today: date) -> str:
    """The sentence that states the figures, as the report reads it out."""
    c = proposal_counts(Proposal.objects.filter(session=session), today)
    text = (
        f"{session.label}共收到提案{c.received}件，经提案工作委员会审查，立案{c.accepted}件，"
        f"转为意见建议{c.converted}件"
    )
    if c.pending_review:
        text += f"，待审查{c.pending_review}件"
    text += (
        f"。截至{_zh_date(today)}，已答复{c.replied}件，其中提案人满意{c.satisfied}件、"
        f"基本满意{c.basic}件、不满意{c.unsatisfied}件（已退回承办部门重新办理），"
        f"待提案人评价{c.awaiting_rating}件"
    )
    in_hand = c.accepted - c.replied
    text += f"；尚在办理中{in_hand}件" if in_hand else ""
    text += f"，其中逾期未答复{c.overdue}件。" if c.overdue else "。"
    if c.outstanding:
        text += f"经提案工作委员会评选，{c.outstanding}件提案被评为优秀提案。"
    return text


def build_report(session: CongressSession, *, today: date) -> bytes:
    union = session.term.congress.union
    doc = Document()
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(title.add_run(f"{union.name}\n关于{session.label}提案办理情况的报告"), 16, bold=True)
    _font(doc.add_paragraph().add_run(opening_paragraph(session, today)), 12)

    qs = (
        Proposal.objects.filter(session=session)
        .select_related("proposer__person", "department")
        .order_by("number", "id")
    )
    accepted = [p for p in qs if p.status in ACCEPTED_STATUSES]
    _font(doc.add_paragraph().add_run("一、立案提案办理情况"), 13, bold=True)
    table = doc.add_table(rows=1, cols=6)
    table.style = "Table Grid"
    heads = ["编号", "提案题目", "提案人", "承办部门", "办理状态", "提案人评价"]
    for cell, head in zip(table.rows[0].cells, heads, strict=True):
        _font(cell.paragraphs[0].add_run(head), 10.5, bold=True)
    for p in accepted:
        values = [
            f"第{p.number}号",
            p.title,
            p.proposer.person.name,
            p.department.name if p.department else "—",
            STATUS_ZH.get(p.status, p.status),
            RATING_ZH.get(p.rating, p.rating),
        ]
        for cell, value in zip(table.add_row().cells, values, strict=True):
            _font(cell.paragraphs[0].add_run(value), 10.5)

    _font(doc.add_paragraph().add_run("二、优秀提案"), 13, bold=True)
    outstanding = [p for p in accepted if p.is_outstanding]
    if not outstanding:
        _font(doc.add_paragraph().add_run("本次会议未评选优秀提案。"), 12)
    for p in outstanding:
        line = f"第{p.number}号 {p.title}（提案人：{p.proposer.person.name}）"
        _font(doc.add_paragraph(style="List Bullet").add_run(line), 12)

    _font(doc.add_paragraph().add_run("三、转为意见建议的提案"), 13, bold=True)
    converted = [p for p in qs if p.status == Proposal.Status.CONVERTED]
    if not converted:
        _font(doc.add_paragraph().add_run("无。"), 12)
    for p in converted:
        line = f"{p.title}（提案人：{p.proposer.person.name}）。理由：{p.review_reason}"
        _font(doc.add_paragraph(style="List Bullet").add_run(line), 12)

    end = doc.add_paragraph()
    end.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _font(end.add_run(f"{union.name}提案工作委员会\n{_zh_date(today)}"), 12)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
