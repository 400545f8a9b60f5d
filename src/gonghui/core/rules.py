"""Pure rules about people: identity numbers, ages, phone numbers and text clean-up.

Standard library only; no clock (callers pass ``today``). Tested with hypothesis in
``tests/test_rules.py``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from operator import mul

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


_ID_WEIGHT_OFFSET = 48 * sum(ID_WEIGHTS)  # the weights times ord("0")
_ODD_DIGITS = frozenset("13579")
_MISSING = object()


class IdNumberChecker:
    """``check_id_number`` for many numbers at once (a roster import checks 100,000): the
    same rule, answered as a tuple (reason, birth date, gender) with reason "" when the
    number is valid. Clean ASCII numbers take a fast path (the check character from the
    bytes, the birth date from a cache keyed by its 8 digits); anything else goes through
    ``check_id_number`` itself."""

    def __init__(self, *, today: date | None = None) -> None:
        self.today = today
        self._births: dict[str, date | None] = {}  # "YYYYMMDD" -> date, None when invalid

    def __call__(self, value: str) -> tuple[str, date | None, str]:
        if not (len(value) == 18 and value.isascii() and value.isalnum()):
            slow = check_id_number(value, today=self.today)
            return slow.reason, slow.birth_date, slow.gender
        v = value.upper()
        if not v[:17].isdigit() or not (v[17].isdigit() or v[17] == "X"):
            return "chars", None, ""
        key = v[6:14]
        born = self._births.get(key, _MISSING)
        if born is _MISSING:
            born = self._births[key] = self.birth(key)
        if born is None:
            return "birth_date", None, ""
        total = sum(map(mul, v[:17].encode("ascii"), ID_WEIGHTS)) - _ID_WEIGHT_OFFSET
        if ID_CHECK_CHARS[total % 11] != v[17]:
            return "check_digit", None, ""
        return "", born, "M" if v[16] in _ODD_DIGITS else "F"  # type: ignore[return-value]

    def birth(self, digits: str) -> date | None:
        """The birth date of an ID number's 8 date digits ("YYYYMMDD"), None when it is not
        one the rule accepts (a real date, from 1900, not after today)."""
        try:
            born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
        except ValueError:
            return None
        if born.year < 1900 or (self.today is not None and born > self.today):
            return None
        return born


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


def normalise_text_fast(value: str) -> str:
    """``normalise_text`` with a fast path for ASCII text, which is already NFKC-normal and
    holds neither a zero-width space nor a byte-order mark."""
    if value.isascii():
        return " ".join(value.split())
    return normalise_text(value)


def normalise_phone(value: str) -> tuple[str, bool]:
    """A mainland mobile number: 11 digits starting with 1, after removing spaces,
    dashes and a +86/86 prefix. Returns (digits, ok)."""
    digits = "".join(c for c in normalise_text(value) if c.isdigit())
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits, len(digits) == 11 and digits.startswith("1")


def normalise_phone_fast(value: str) -> tuple[str, bool]:
    """``normalise_phone`` with a fast path for a plain 11-digit ASCII number."""
    if len(value) == 11 and value.isascii() and value.isdigit():
        return value, value[0] == "1"
    return normalise_phone(value)


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
