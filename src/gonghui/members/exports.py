"""The member list as an Excel roster.

Column headers are Chinese whatever the interface language: the file is a roster that union
offices exchange and that the roster import reads back. Rows are written with openpyxl's
write-only mode while the query is iterated, so a 200,000-member export keeps memory flat.
ID numbers and phones are masked unless the user may see them and asked for them; such an
export is recorded once in the audit trail with the number of rows.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from gonghui.core import access, rules
from gonghui.core.access import Perm

from . import queries, services
from .models import Member

HEADERS = [
    ("member_no", "会员编号", 16),
    ("name", "姓名", 10),
    ("gender", "性别", 6),
    ("birth_date", "出生日期", 12),
    ("id_number", "身份证号", 22),
    ("phone", "手机号码", 14),
    ("union", "所属工会", 24),
    ("unit", "工会小组/分会", 20),
    ("status", "会籍状态", 10),
    ("joined_on", "入会日期", 12),
    ("employment_type", "用工性质", 12),
    ("work_status", "在职状态", 10),
    ("post", "岗位", 14),
    ("department", "部门", 14),
    ("categories", "类别", 16),
]
GENDERS = {"M": "男", "F": "女"}
STATUSES = {
    "applied": "申请中",
    "active": "在册",
    "transferred_out": "转出",
    "left": "退会",
    "deceased": "故去",
    "rejected": "未批准",
}
EMPLOYMENT = {
    "permanent": "正式",
    "contract": "合同",
    "dispatched": "劳务派遣",
    "seasonal": "季节工",
    "migrant": "农民工",
    "temporary": "临时工",
}
WORK = {"working": "在职", "retired": "离退休"}


def _safe(value: Any) -> Any:
    """Text that Excel would run as a formula is written as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def _categories(m: Member, *, hardship: bool) -> str:
    names = []
    if m.is_model_worker:
        names.append("劳模")
    if hardship and m.is_in_hardship:
        names.append("困难职工")
    if m.is_survivor:
        names.append("遗属")
    return "、".join(names)


def member_row(m: Member, *, clear: bool, hardship: bool = False) -> list[Any]:
    """One roster row. ``hardship``: whether the reader may see that a member is in
    hardship (only those who may open hardship files; decision 0006)."""
    p = m.person
    return [
        m.member_no,
        p.name,
        GENDERS.get(p.gender, ""),
        p.birth_date,
        (p.id_number or "") if clear else rules.mask_id_number(p.id_number),
        p.phone if clear else rules.mask_phone(p.phone),
        m.union.name,
        m.unit.name,
        STATUSES.get(m.status, m.status),
        m.joined_on,
        EMPLOYMENT.get(m.employment_type, m.employment_type),
        WORK.get(m.work_status, m.work_status),
        m.post,
        m.department,
        _categories(m, hardship=hardship),
    ]


def write_members(
    members: Iterable[Member], out: Any, *, clear_for: Any = None, hardship_for: Any = None
) -> tuple[int, int]:
    """Write the roster to the file object ``out``; ``clear_for(member)`` says whether that
    row shows ID number and phone in clear. Returns (rows, rows in clear)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("会员名册")
    for i, (_key, _title, width) in enumerate(HEADERS):
        ws.column_dimensions[get_column_letter(i + 1)].width = width
    ws.freeze_panes = "A2"
    header = []
    for _key, title, _w in HEADERS:
        cell = WriteOnlyCell(ws, value=title)
        cell.font = Font(bold=True)
        header.append(cell)
    ws.append(header)
    rows = clear_rows = 0
    for m in members:
        clear = bool(clear_for and clear_for(m))
        hardship = bool(hardship_for and hardship_for(m))
        ws.append([_safe(v) for v in member_row(m, clear=clear, hardship=hardship)])
        rows += 1
        clear_rows += clear
    wb.save(out)
    return rows, clear_rows


def member_export_response(
    user: Any, qs: QuerySet[Member], f: queries.MemberFilter, *, include_sensitive: bool
) -> FileResponse:
    def clear_for(m: Member) -> bool:
        return access.has_perm(user, Perm.VIEW_SENSITIVE, m.unit)

    out = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it

    def hardship_for(m: Member) -> bool:
        return access.has_perm(user, Perm.VIEW_HARDSHIP, m.union)

    _rows, clear_rows = write_members(
        qs.iterator(chunk_size=2000),
        out,
        clear_for=clear_for if include_sensitive else None,
        hardship_for=hardship_for,
    )
    if clear_rows:
        services.member_export_log(actor=user, count=clear_rows, unit=f.unit, filters=f.as_params())
    out.seek(0)
    name = f"会员名册-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(
        out,
        as_attachment=True,
        filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
