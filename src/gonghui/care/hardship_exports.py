"""Hardship files as an Excel table, masked by default.

Masked (any keeper of files): the name as 李*, income as a band of 500 yuan per head, no
needs, measures or family. In clear (the chair only, after a confirmation with a reason):
full names and figures. ID numbers are never exported. Every export writes one read-log row
per file. Headers are Chinese whatever the interface language: union offices exchange it.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from django.db.models import Count, Sum
from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from . import hardship, rules
from .models import AidRecord, HardshipCause, HardshipFile, HardshipTier

BAND = Decimal("500")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

TIERS = {"deep": "深度困难", "relative": "相对困难", "accident": "意外致困"}
CAUSES = {
    "no_work_capacity": "无劳动能力",
    "unemployed": "家庭成员失业",
    "laid_off": "下岗",
    "uninsured": "无社会保险",
    "unpaid": "待遇未落实",
    "illness": "大病",
    "disability": "残疾",
    "single_parent": "单亲",
    "disaster": "自然灾害",
    "accident": "意外事故",
    "schooling": "子女就学",
    "other": "其他",
}
STATUSES = {"active": "在档", "exited": "已解困脱困"}

MASKED_HEADERS = [
    ("档案编号", 14),
    ("所属工会", 22),
    ("姓名", 8),
    ("困难类型", 10),
    ("主要致困原因", 14),
    ("其他致困原因", 22),
    ("家庭人口", 8),
    ("人均月收入区间（元）", 18),
    ("状态", 12),
    ("建档日期", 12),
    ("下次复核", 12),
    ("帮扶次数", 8),
    ("帮扶金额（元）", 14),
]
CLEAR_HEADERS = [
    ("所在小组", 16),
    ("家庭月收入（元）", 14),
    ("困难支出（元/月）", 14),
    ("当地低保标准（元）", 14),
    ("人均月收入（元）", 14),
    ("困难需求", 30),
    ("帮扶措施", 30),
    ("结对帮扶干部", 12),
]

# The labels above mirror the model's choices; a new choice must get a Chinese label here.
assert set(TIERS) == set(HardshipTier.values) and set(CAUSES) == set(HardshipCause.values)


def mask_name(name: str) -> str:
    """李芳 → 李*: the surname stays so a cadre can tell rows apart, the given name goes."""
    name = (name or "").strip()
    return f"{name[0]}*" if name else ""


def per_head(income: Decimal, costs: Decimal, size: int) -> Decimal:
    """(household income − hardship costs) per person per month, as the tiers read it."""
    return rules.yuan((Decimal(income) - Decimal(costs)) / max(size, 1))


def income_band(value: Decimal) -> str:
    """A per-head income as a band of 500 yuan ("500–1000" means 500 up to under 1000);
    anything at or below zero is one band."""
    if value <= 0:
        return "0及以下"
    low = (Decimal(value) / BAND).to_integral_value(rounding=ROUND_FLOOR) * BAND
    return f"{int(low)}–{int(low + BAND)}"


def _safe(value: Any) -> Any:
    """Text that Excel would run as a formula is written as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def file_row(f: HardshipFile, *, clear: bool, aid: tuple[int, Decimal]) -> list[Any]:
    head = per_head(f.household_income_monthly, f.hardship_costs_monthly, f.household_size)
    name = f.member.person.name
    row: list[Any] = [
        f.file_no,
        f.union.name,
        name if clear else mask_name(name),
        TIERS.get(f.tier, f.tier),
        CAUSES.get(f.primary_cause, f.primary_cause),
        "、".join(CAUSES.get(c, c) for c in f.secondary_causes),
        f.household_size,
        income_band(head),
        STATUSES.get(f.status, f.status),
        f.opened_on,
        f.next_review_on if f.status == HardshipFile.Status.ACTIVE else None,
        aid[0],
        float(aid[1]),
    ]
    if clear:
        row += [
            f.member.unit.name,
            float(f.household_income_monthly),
            float(f.hardship_costs_monthly),
            float(f.local_min_income_line) if f.local_min_income_line is not None else None,
            float(head),
            f.needs,
            f.measures,
            f.pair_cadre.name if f.pair_cadre else "",
        ]
    return row


def write_files(files: Iterable[HardshipFile], out: Any, *, clear: bool) -> list[HardshipFile]:
    """Write the table to ``out``; returns the files written (for the read log)."""
    files = list(files)
    aid = {
        r["file_id"]: (r["n"], rules.yuan(r["s"] or 0))
        for r in AidRecord.objects.filter(file__in=files)
        .values("file_id")
        .annotate(s=Sum("amount"), n=Count("pk"))
    }
    wb = Workbook()
    ws = wb.active
    ws.title = "困难职工档案"
    headers = MASKED_HEADERS + (CLEAR_HEADERS if clear else [])
    ws.append([title for title, _w in headers])
    for i, (_title, width) in enumerate(headers):
        ws.column_dimensions[get_column_letter(i + 1)].width = width
        ws.cell(row=1, column=i + 1).font = Font(bold=True)
    ws.freeze_panes = "A2"
    for f in files:
        row = file_row(f, clear=clear, aid=aid.get(f.pk, (0, Decimal("0.00"))))
        ws.append([_safe(v) for v in row])
    wb.save(out)
    return files


def export_response(
    user: Any, files: Iterable[HardshipFile], *, clear: bool, reason: str = ""
) -> HttpResponse:
    """The xlsx download; each exported file is logged as read by ``user``."""
    files = list(files)
    if clear:
        # Belt and braces: the view asked already; a file of a union the user does not
        # oversee never leaves in clear.
        files = [f for f in files if hardship.may_oversee(user, f.union)]
    buf = io.BytesIO()
    written = write_files(files, buf, clear=clear)
    context = f"export in clear: {reason}" if clear else "export (masked)"
    hardship.log_reads(actor=user, files=written, context=context)
    stamp = timezone.localdate().isoformat()
    name = f"hardship-{'full' if clear else 'masked'}-{stamp}.xlsx"
    response = HttpResponse(buf.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
