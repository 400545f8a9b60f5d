"""Pure rules about people: identity numbers, ages, phone numbers and text clean-up.

Standard library only; no clock (callers pass ``today``). Tested with hypothesis in
``tests/test_rules.py``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

# GB 11643-1999: weights 2^(17-i) mod 11 and the check-character table.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"


@dataclass(frozen=True)
class IdCheck:
    ok: bool
    reason: str = ""  # a code: "length", "chars", "birth_date", "check_digit"
    birth_date: date | None = None
    gender: str = ""  # "M" or "F"


def id_check_char(first17: str) -> str:
    """The check character for the first 17 digits of a resident ID number."""
    total = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def check_id_number(value: str, *, today: date | None = None) -> IdCheck:
    """Validate an 18-character resident ID number (GB 11643): digits, a real birth date
    not in the future, and the check character. Gender is odd/even of the 17th digit."""
    v = value.strip().upper()
    if len(v) != 18:
        return IdCheck(False, "length")
    if not v[:17].isdigit() or not (v[17].isdigit() or v[17] == "X") or not v.isascii():
        return IdCheck(False, "chars")
    try:
        born = date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError:
        return IdCheck(False, "birth_date")
    if born.year < 1900 or (today is not None and born > today):
        return IdCheck(False, "birth_date")
    if id_check_char(v[:17]) != v[17]:
        return IdCheck(False, "check_digit")
    return IdCheck(True, "", born, "M" if int(v[16]) % 2 else "F")


def age_on(birth: date, today: date) -> int:
    """Completed years of age on ``today`` (a 29 February birthday counts on 1 March)."""
    years = today.year - birth.year
    if (today.month, today.day) < (birth.month, birth.day):
        years -= 1
    return years


# Age bands used in union statistics; the upper bound is exclusive.
AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("<35", 0, 35),
    ("35-44", 35, 45),
    ("45-54", 45, 55),
    ("55+", 55, 200),
)
YOUNG_STAFF_AGE = 35  # "young staff" (青年职工) are under 35


def age_band(age: int) -> str:
    for label, low, high in AGE_BANDS:
        if low <= age < high:
            return label
    raise ValueError(f"age out of range: {age}")


def birth_date_bounds_for_age(low: int, high: int, today: date) -> tuple[date, date]:
    """Birth dates (inclusive) of people aged ``low`` ≤ age < ``high`` on ``today``.
    Lets a list filter by age with an indexed range on birth_date."""
    latest = _years_before(today, low)
    earliest = _years_before(today, high)
    return date.fromordinal(earliest.toordinal() + 1), latest


def _years_before(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February in a non-leap year
        return d.replace(year=d.year - years, day=28)


def normalise_text(value: str) -> str:
    """Full-width to half-width (NFKC), stray and inner repeated spaces removed,
    including the ideographic space that Chinese spreadsheets are full of."""
    v = unicodedata.normalize("NFKC", value)
    v = v.replace("\u200b", "").replace("\ufeff", "")
    return " ".join(v.split())


def normalise_phone(value: str) -> tuple[str, bool]:
    """A mainland mobile number: 11 digits starting with 1, after removing spaces,
    dashes and a +86/86 prefix. Returns (digits, ok)."""
    digits = "".join(c for c in normalise_text(value) if c.isdigit())
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits, len(digits) == 11 and digits.startswith("1")


def mask_id_number(value: str | None) -> str:
    """110105********1234 style: region and last four shown."""
    if not value:
        return ""
    if len(value) < 8:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "****" + value[-4:]


def rate(part: int, whole: int) -> Fraction | None:
    """A share such as the enrolment rate (members / staff); None when the whole is 0."""
    if whole <= 0:
        return None
    return Fraction(part, whole)


def percent(share: Fraction | None, places: int = 1) -> str:
    if share is None:
        return "—"
    return f"{float(share) * 100:.{places}f}%"
