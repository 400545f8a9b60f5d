"""The error report (an .xlsx with one line per problem) and the roster template."""

from __future__ import annotations

import io
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from python_calamine import CalamineWorkbook

from .. import rules
from .analysis import Issue
from .files import import_dir

ERRORS_SAMPLE = 200


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
