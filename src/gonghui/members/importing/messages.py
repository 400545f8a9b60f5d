"""The sentences for the import's error codes, in the active language."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _

from ..services import id_error_message


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
