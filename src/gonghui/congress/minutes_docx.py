"""The session record (会议纪要) as Word: title 第X届第Y次会议纪要, date and venue, attendance
(应到 / 实到 / 缺席 with the absent delegates' names), the presidium, each agenda item with its
vote (counts, result, resolution number), the documents adopted, and the minutes text.

Written in Chinese because it is the document union offices file and send upwards; every
figure comes from the records the meeting services stored.
"""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.text.paragraph import Paragraph

from . import meeting
from .models import AgendaItem, CongressSession, SessionOfficer

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FONT = "SimSun"
TITLE_FONT = "SimHei"

CHOICE_WORDS = {"yes": "赞成", "no": "反对", "abstain": "弃权"}
VOTE_MODE_WORDS: dict[str, str] = {
    AgendaItem.VoteMode.OPEN: "举手表决",
    AgendaItem.VoteMode.SECRET: "无记名投票",
}


def title(session: CongressSession) -> str:
    return f"{session.term.congress.name}第{session.term.number}届第{session.number}次会议纪要"


def file_name(session: CongressSession) -> str:
    return f"{title(session)}.docx"


def _run(p: Paragraph, text: str, *, size: float = 12, bold: bool = False, font: str = FONT):
    run = p.add_run(text)
    run.font.name = font
    run.font.size = Pt(size)
    run.bold = bold
    # Word picks East-Asian glyphs from a separate font slot: without it Chinese falls back.
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    return run


def _para(doc: DocxDocument, text: str = "", **kw) -> Paragraph:
    p = doc.add_paragraph()
    if text:
        _run(p, text, **kw)
    return p


def _heading(doc: DocxDocument, text: str) -> None:
    p = doc.add_paragraph()
    p.paragraph_format.space_before = Pt(10)
    _run(p, text, size=14, bold=True, font=TITLE_FONT)


def vote_line(item: AgendaItem) -> str:
    """'应到 40 人，实到 36 人；赞成 30 票，反对 4 票，弃权 2 票；通过，决议第1号'."""
    if item.vote_mode == AgendaItem.VoteMode.NONE:
        return "不表决"
    if item.status != AgendaItem.Status.DECIDED:
        return "未表决"
    result = "通过" if item.result == AgendaItem.Result.PASSED else "未通过"
    line = (
        f"{VOTE_MODE_WORDS.get(item.vote_mode, '')}：应到 {item.delegates_total} 人，"
        f"实到 {item.present_count} 人；赞成 {item.yes_count} 票，反对 {item.no_count} 票，"
        f"弃权 {item.abstain_count} 票；{result}"
    )
    if item.resolution_no:
        line += f"（{item.resolution_no}）"
    return line


def build(session: CongressSession) -> bytes:
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)

    p = _para(doc, title(session), size=18, bold=True, font=TITLE_FONT)
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if session.title:
        sub = _para(doc, session.title, size=12)
        sub.alignment = WD_ALIGN_PARAGRAPH.CENTER

    _para(doc, f"时间：{session.held_on:%Y年%m月%d日}")
    _para(doc, f"地点：{session.venue or '—'}")

    numbers = iter("一二三四五六")  # sections without content are left out, numbers close up
    att = meeting.attendance(session)
    absent = meeting.absent_delegates(session)
    _heading(doc, f"{next(numbers)}、出席情况")
    quorum = "符合" if att.met else "不足"
    _para(
        doc,
        f"应到代表 {att.total} 人，实到 {att.present} 人，缺席 {att.absent} 人；"
        f"法定到会人数 {att.needed} 人，到会人数{quorum}法定人数。",
    )
    if absent:
        _para(doc, "缺席代表：" + "、".join(d.person.name for d in absent))

    officers = meeting.presidium(session)
    if officers:
        _heading(doc, f"{next(numbers)}、主席团")
        chairs = [o.person.name for o in officers if o.kind == SessionOfficer.Kind.PRESIDIUM_CHAIR]
        members = [o.person.name for o in officers if o.kind == SessionOfficer.Kind.PRESIDIUM]
        if chairs:
            _para(doc, "执行主席：" + "、".join(chairs))
        if members:
            _para(doc, "主席团成员：" + "、".join(members))

    _heading(doc, f"{next(numbers)}、会议议程及表决结果")
    items = meeting.agenda(session)
    table = doc.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("序号", "议题", "汇报人", "表决结果"), strict=True):
        _run(cell.paragraphs[0], text, bold=True, size=11)
    for n, item in enumerate(items, start=1):
        row = table.add_row().cells
        for cell, text in zip(
            row, (str(n), item.title, item.presenter or "—", vote_line(item)), strict=True
        ):
            _run(cell.paragraphs[0], text, size=11)

    adopted = meeting.adopted_documents(session)
    if adopted:
        _heading(doc, f"{next(numbers)}、通过的文件")
        for n, document in enumerate(adopted, start=1):
            version = (
                f"（第{document.adopted_version.number}稿）" if document.adopted_version else ""
            )
            _para(doc, f"{n}. 《{document.title}》{version}，{document.item.resolution_no}")

    _heading(doc, f"{next(numbers)}、会议纪要")
    for line in (session.minutes or "（未填写）").splitlines():
        if line.strip():
            _para(doc, line.strip())

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
