"""Pure rules for the roster import (花名册导入): header recognition, dates, value words and
per-row validation.

Standard library only (an import-linter contract keeps Django out); no clock: callers pass
``today``. Errors are returned as stable codes; ``members/importing/`` turns them into
sentences in the user's language. Tested with hypothesis in ``tests/test_import_rules.py``.
"""

from __future__ import annotations

import operator
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, cast

from gonghui.core import rules as core_rules

# ---- fields and the headers people give them ---------------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str  # the header our template uses (Chinese, as union offices write it)
    aliases: tuple[str, ...]  # further headers seen in real rosters (Chinese and English)
    required: bool = False
    max_length: int | None = None
    example: str = ""


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("name", "姓名", ("名字", "职工姓名", "会员姓名", "name"), True, 50, "张伟"),
    FieldSpec(
        "id_number",
        "身份证号",
        ("身份证号码", "公民身份号码", "身份证", "证件号码", "身份证件号码", "idnumber", "idno"),
        True,
        18,
        "110105199003071239",
    ),
    FieldSpec("gender", "性别", ("gender", "sex"), example="男"),
    FieldSpec(
        "birth_date",
        "出生日期",
        ("出生年月", "出生年月日", "生日", "birthdate", "dateofbirth"),
        example="1990-03-07",
    ),
    FieldSpec(
        "phone",
        "手机号码",
        ("手机", "手机号", "联系电话", "电话", "移动电话", "联系方式", "phone", "mobile"),
        max_length=20,
        example="13912345678",
    ),
    FieldSpec(
        "group",
        "工会小组",
        (
            "小组",
            "所在小组",
            "所属小组",
            "分工会",
            "所在分工会",
            "所属工会小组",
            "uniongroup",
            "group",
        ),
        example="语文教研组",
    ),
    FieldSpec(
        "employment_type",
        "用工性质",
        ("用工形式", "用工类型", "用工方式", "employmenttype"),
        example="正式",
    ),
    FieldSpec("post", "岗位", ("职务", "岗位职务", "职务岗位", "post", "position"), max_length=60),
    FieldSpec("department", "部门", ("所在部门", "科室", "department"), max_length=60),
    FieldSpec(
        "joined_on",
        "入会时间",
        ("入会日期", "入会年月", "joinedon", "joindate"),
        example="2015-09-01",
    ),
    FieldSpec(
        "member_no", "会员编号", ("会员号", "会员证号", "memberno", "membernumber"), max_length=30
    ),
    FieldSpec("ethnicity", "民族", ("ethnicity",), max_length=20, example="汉族"),
    FieldSpec("political_status", "政治面貌", ("politicalstatus",), max_length=20, example="群众"),
    FieldSpec(
        "education", "学历", ("文化程度", "最高学历", "education"), max_length=20, example="本科"
    ),
    FieldSpec(
        "work_status",
        "在职状态",
        ("在职情况", "人员状态", "工作状态", "workstatus"),
        example="在职",
    ),
    FieldSpec("is_retired", "是否退休", ("是否离退休", "离退休", "retired")),
    FieldSpec(
        "is_model_worker", "劳模", ("是否劳模", "劳动模范", "劳模称号", "modelworker"), example="否"
    ),
    FieldSpec("is_in_hardship", "困难职工", ("是否困难职工", "hardship")),
    FieldSpec("is_survivor", "遗属", ("是否遗属", "survivor")),
    FieldSpec("note", "备注", ("说明", "note"), max_length=200),
)
FIELD_BY_KEY: dict[str, FieldSpec] = {f.key: f for f in FIELDS}
REQUIRED_FIELDS: tuple[str, ...] = tuple(f.key for f in FIELDS if f.required)

# Marks people add to headers that carry no meaning: required stars, colons, quotes, and a
# bracketed hint such as "(必填)" or "（格式：2020-01-01）".
_HINT_RE = re.compile(r"\([^)]*\)|\[[^\]]*\]|【[^】]*】")
_NOISE = str.maketrans("", "", "*:：_-.·'\"“”‘’#")


def normalise_header(value: Any) -> str:
    """A header cell reduced to what identifies it: NFKC (full-width to half-width), no
    whitespace at all (line breaks inside cells included), lower case, no hints or stars."""
    if value is None:
        return ""
    v = unicodedata.normalize("NFKC", str(value))
    v = _HINT_RE.sub("", v)
    v = "".join(v.split()).translate(_NOISE)
    return v.casefold()


_ALIAS_TO_FIELD: dict[str, str] = {}
for _spec in FIELDS:
    for _alias in (_spec.label, *_spec.aliases):
        _ALIAS_TO_FIELD.setdefault(normalise_header(_alias), _spec.key)


def match_header(value: Any) -> str | None:
    """The field a header cell names, or None when it is not one we know."""
    return _ALIAS_TO_FIELD.get(normalise_header(value))


@dataclass(frozen=True)
class HeaderColumn:
    index: int  # 0-based position in the row as read
    header: str  # the header text as in the file (one line)
    field: str | None  # None: ignored
    note: str = ""  # "duplicate" when a second column names a field already mapped


@dataclass(frozen=True)
class HeaderMatch:
    row_index: int  # 0-based index (within the rows given) of the first header row
    height: int  # 1, or 2 for a two-level header (merged cells above sub-headers)
    columns: tuple[HeaderColumn, ...]
    missing: tuple[str, ...]  # required fields no column names

    @property
    def field_columns(self) -> dict[str, int]:
        return {c.field: c.index for c in self.columns if c.field and not c.note}

    @property
    def ignored(self) -> list[HeaderColumn]:
        return [c for c in self.columns if c.header and (c.field is None or c.note)]


def _display(value: Any) -> str:
    return core_rules.normalise_text(str(value)) if value not in (None, "") else ""


def _map_row(cells: Sequence[Any], below: Sequence[Any] | None = None) -> list[HeaderColumn]:
    width = max(len(cells), len(below) if below else 0)
    seen: set[str] = set()
    out: list[HeaderColumn] = []
    last_top = ""
    for i in range(width):
        top = cells[i] if i < len(cells) else ""
        sub = below[i] if below and i < len(below) else ""
        # A merged header cell keeps its text only in its first column; carry it right so a
        # sub-header row below still shows which group its column belongs to.
        if top not in (None, ""):
            last_top = _display(top)
        field_ = match_header(sub) if below else None
        header = _display(sub) if field_ else _display(top)
        if field_ is None:
            field_ = match_header(top)
        if not header and below and sub not in (None, ""):
            header = f"{last_top} {_display(sub)}".strip()
        note = ""
        if field_ and field_ in seen:
            note = "duplicate"
        elif field_:
            seen.add(field_)
        out.append(HeaderColumn(i, header, field_, note))
    return out


def _score(columns: Sequence[HeaderColumn]) -> int:
    fields = {c.field for c in columns if c.field and not c.note}
    if not fields & set(REQUIRED_FIELDS):
        return 0
    return len(fields) if len(fields) >= 2 else 0


def _is_subheader(top: Sequence[HeaderColumn], below: Sequence[Any]) -> bool:
    """Whether the row under a header row is a second header row (sub-headers under merged
    cells) rather than the first data row: a data row has a name or ID under those
    headers, a sub-header row leaves them empty (they are merged downwards)."""
    key_columns = [c.index for c in top if c.field in REQUIRED_FIELDS and not c.note]
    if any(i < len(below) and not is_blank(below[i]) for i in key_columns):
        return False
    return any(match_header(c) for c in below)


def find_header(rows: Sequence[Sequence[Any]], *, scan: int = 10) -> HeaderMatch | None:
    """Find the header row among the first ``scan`` rows: the row naming the most known
    fields (at least two, one of them name or ID number). Title rows above it are skipped.
    A second header row below it (merged group headers above sub-headers) is combined."""
    best: HeaderMatch | None = None
    best_score = 0
    for r in range(min(scan, len(rows))):
        single = _map_row(rows[r])
        score, height, cols = _score(single), 1, single
        if r + 1 < len(rows) and _is_subheader(single, rows[r + 1]):
            below_score = _score(_map_row(rows[r + 1]))
            combined = _map_row(rows[r], rows[r + 1])
            both = _score(combined)
            # A title row above a header adds nothing; a real upper header row does.
            if both > below_score or (score and both >= score):
                score, height, cols = both, 2, combined
        if score > best_score:
            mapped = {c.field for c in cols if c.field}
            missing = tuple(f for f in REQUIRED_FIELDS if f not in mapped)
            best, best_score = HeaderMatch(r, height, tuple(cols), missing), score
    return best


# ---- dates ------------------------------------------------------------------------------

EXCEL_EPOCH = date(1899, 12, 30)
# Excel counts 1900-02-29, a day that never was (kept from Lotus 1-2-3): serial 60.
EXCEL_FAKE_LEAP_DAY = 60
MAX_SERIAL = 100_000  # 2173-10-14; larger numbers are not dates a roster holds
YEAR_ALONE = (1900, 2100)  # numbers read as a bare year, never as a serial

_DMY_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_YM_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_TIME_TAIL_RE = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")


def excel_serial_to_date(serial: int) -> date:
    """Excel's 1900 date system, including its fictitious 29 February 1900."""
    if serial < 1 or serial >= MAX_SERIAL or serial == EXCEL_FAKE_LEAP_DAY:
        raise ValueError(f"not a date serial: {serial}")
    if serial < EXCEL_FAKE_LEAP_DAY:
        return EXCEL_EPOCH + timedelta(days=serial + 1)
    return EXCEL_EPOCH + timedelta(days=serial)


def date_to_excel_serial(d: date) -> int:
    serial = (d - EXCEL_EPOCH).days
    return serial - 1 if serial <= EXCEL_FAKE_LEAP_DAY else serial


def _from_number(n: int, *, allow_month: bool) -> date:
    digits = str(n)
    if YEAR_ALONE[0] <= n <= YEAR_ALONE[1]:
        # 1990 is a year someone typed, not Excel's day 1990 (12 June 1905).
        raise ValueError("a year alone is not a date")
    if len(digits) == 8:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    if len(digits) == 6 and allow_month:
        return date(int(digits[:4]), int(digits[4:]), 1)
    return excel_serial_to_date(n)


def parse_date(value: Any, *, allow_month: bool = False) -> date | None:
    """A date from what rosters hold: a real date cell, an Excel serial number, or text
    such as 2020-09-01, 2020/9/1, 2020.9.1, 2020年9月1日 or 20200901 (full-width digits
    too). A number from 1900 to 2100 is a bare year, refused rather than read as a serial
    of 1905. ``allow_month`` also takes year and month alone (2020.9, 2020年9月, 202009) as the
    first of that month, for "入会年月". Returns None for an empty cell; raises ValueError
    for anything else that is not a real date."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise ValueError("not a date")
    if isinstance(value, int | float):
        # A serial with a fraction carries a time of day; the day is the whole part.
        return _from_number(int(value), allow_month=allow_month)
    text = core_rules.normalise_text(str(value))
    if not text:
        return None
    text = _TIME_TAIL_RE.sub("", text).strip()
    if text.isdigit():
        if len(text) in (6, 8):
            return _from_number(int(text), allow_month=allow_month)
        if len(text) == 5:
            return excel_serial_to_date(int(text))
        raise ValueError("not a date")
    m = _DMY_RE.match(text)
    if m:
        return date(int(m[1]), int(m[2]), int(m[3]))
    if allow_month:
        m = _YM_RE.match(text)
        if m:
            return date(int(m[1]), int(m[2]), 1)
    raise ValueError("not a date")


def date_precision(value: Any) -> str:
    """ "month" when a value gives only year and month, else "day"."""
    if isinstance(value, date):
        return "day"
    text = core_rules.normalise_text(str(value)) if value is not None else ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = str(int(value))
    if (text.isdigit() and len(text) == 6) or _YM_RE.match(text):
        return "month"
    return "day"


# ---- value words ------------------------------------------------------------------------


def _key(value: Any) -> str:
    return "".join(unicodedata.normalize("NFKC", str(value)).split()).casefold()


# Values are the codes of members.models.EmploymentType (rules cannot import Django).
EMPLOYMENT_WORDS: dict[str, str] = {}
for _code, _words in {
    "permanent": "正式 正式工 正式职工 正式员工 在编 编制内 在编在岗 固定工 事业编制 permanent",
    "contract": "合同 合同工 合同制 合同制职工 劳动合同 聘用 聘用制 编外聘用 contract",
    "dispatched": "劳务派遣 派遣 派遣工 劳务派遣工 dispatched",
    "seasonal": "季节工 季节性 季节性用工 季节 seasonal",
    "migrant": "农民工 进城务工 进城务工人员 migrant",
    "temporary": "临时工 临时 临聘 临时聘用 temporary",
}.items():
    for _w in _words.split():
        EMPLOYMENT_WORDS[_key(_w)] = _code
_PEOPLE_SUFFIXES = ("人员", "职工", "员工")

GENDER_WORDS = {
    **{_key(w): "M" for w in ("男", "男性", "m", "male")},
    **{_key(w): "F" for w in ("女", "女性", "f", "female")},
}
YES_WORDS = frozenset(_key(w) for w in ("是", "有", "y", "yes", "true", "1", "√", "✓", "✔", "对"))
NO_WORDS = frozenset(_key(w) for w in ("否", "无", "不是", "n", "no", "false", "0", "×", "✗", "-"))
WORK_STATUS_WORDS = {
    **{_key(w): "working" for w in ("在职", "在岗", "在职在岗", "working")},
    **{_key(w): "retired" for w in ("退休", "离休", "离退休", "已退休", "retired")},
}


def employment_type(value: Any) -> str | None:
    """正式 / 合同 / 劳务派遣 / 季节工 / 农民工 / 临时工 and their common variants."""
    k = _key(value)
    if k in EMPLOYMENT_WORDS:
        return EMPLOYMENT_WORDS[k]
    for suffix in _PEOPLE_SUFFIXES:
        if k.endswith(suffix) and k[: -len(suffix)] in EMPLOYMENT_WORDS:
            return EMPLOYMENT_WORDS[k[: -len(suffix)]]
    return None


def gender(value: Any) -> str | None:
    return GENDER_WORDS.get(_key(value))


def yes_no(value: Any) -> bool | None:
    """是/否 and their variants; None when the word is neither."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    k = _key(value)
    if k in YES_WORDS:
        return True
    if k in NO_WORDS:
        return False
    return None


def model_worker(value: Any) -> bool | None:
    """A 劳模 column often names the title instead of 是: 省级劳模, 市劳动模范, 全国劳模."""
    answer = yes_no(value)
    if answer is not None:
        return answer
    k = _key(value)
    if "劳模" in k or "劳动模范" in k or k.endswith("级"):
        return True
    return None


def work_status(value: Any) -> str | None:
    return WORK_STATUS_WORDS.get(_key(value))


# ---- one row ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    field: str
    code: str
    detail: str = ""  # e.g. the date the ID number implies


@dataclass
class CleanRow:
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)


@dataclass
class CleanBlock:
    """Rows cleaned column by column: value key -> one value per row (None: no value), and
    the errors as (row index, RowError)."""

    values: dict[str, list[Any]]
    errors: list[tuple[int, RowError]]


# Sentinel in a group lookup: two units of the union share this normalised name.
AMBIGUOUS = -1


def normalise_group_name(value: Any) -> str:
    return _key(value)


def _norm(value: str) -> str:
    """core.rules.normalise_text with a fast path for text that is already NFKC-normal
    (most cells): the roster import calls this a million times."""
    if not unicodedata.is_normalized("NFKC", value):
        value = unicodedata.normalize("NFKC", value)
    if "\u200b" in value or "\ufeff" in value:
        value = value.replace("\u200b", "").replace("\ufeff", "")
    return " ".join(value.split())


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _norm(value if isinstance(value, str) else str(value))


def _text_fast(value: Any) -> str:
    """``_text`` with a fast path for ASCII strings (already NFKC-normal)."""
    if value.__class__ is str and value.isascii():
        return " ".join(value.split())
    return _text(value)


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _is_empty(value: Any) -> bool:
    """A cell ``clean`` skips: no value, an empty string or only white space."""
    return value is None or value == "" or (isinstance(value, str) and value.isspace())


_BLANK: tuple[Any, str, str] = (None, "", "")
_ODD_DIGITS = frozenset("13579")


def _joined(cells: Sequence[Any]) -> str | None:
    """The cells joined by line breaks when every one is a string, else None."""
    try:
        return "\n".join(cells)
    except TypeError:
        return None


def _clean_words(cells: Sequence[Any]) -> bool:
    """Whether every cell is a non-empty string that ``_text`` leaves as it is (NFKC-normal,
    no white space, no invisible characters), tested on the whole column at once. A line
    break never composes with its neighbours, so the joined column is NFKC-normal exactly
    when every cell is; and its split equals the cells only when no cell is empty or holds
    white space."""
    joined = _joined(cells)
    return (
        joined is not None
        and "\u200b" not in joined
        and "\ufeff" not in joined
        and unicodedata.is_normalized("NFKC", joined)
        and joined.split() == list(cells)
    )


def _plain_mobiles(cells: Sequence[Any]) -> bool:
    """Whether every cell is a string of 11 ASCII digits starting with 1 (the fast path of
    ``_unique_column`` for phones, tested on the whole column at once)."""
    joined = _joined(cells)
    return (
        joined is not None
        and joined.isascii()
        and joined.count("\n") == len(cells) - 1
        and set(map(len, cells)) == {11}
        and joined[::12] == "1" * len(cells)
        and joined.replace("\n", "").isdigit()
    )


# The 17th digit of an ID number gives the gender: odd for men.
_GENDER_OF_DIGIT = str.maketrans("0123456789", "FMFMFMFMFM")
# Per position of the first 17 digits: digit -> digit * weight mod 11, as a byte.
_ID_WEIGHTED = tuple(
    bytes.maketrans(b"0123456789", bytes(d * w % 11 for d in range(10)))
    for w in core_rules.ID_WEIGHTS
)
# A sum of weighted digits (at most 17 * 10) -> its check character.
_CHECK_CHAR_OF_SUM = bytes(ord(core_rules.ID_CHECK_CHARS[t % 11]) for t in range(256))


def _id_check_chars(joined: str, n: int) -> str | None:
    """The check characters (GB 11643) of ``n`` ID numbers of 18 ASCII characters joined by
    line breaks, or None when one of their first 17 characters is not a digit.

    All rows at once: the weighted digits of one position, one byte per row, read as one
    big integer; the 17 integers' sum holds each row's sum in its own byte (at most 170,
    so no byte carries into the next), and a table turns each sum into its character.
    Checking 100,000 numbers this way takes a few milliseconds instead of a tenth of a
    second for a loop in Python."""
    total = 0
    for position, weighted in enumerate(_ID_WEIGHTED):
        digits = joined[position::19]
        if not digits.isdigit():
            return None
        total += int.from_bytes(digits.encode("ascii").translate(weighted), "big")
    return total.to_bytes(n, "big").translate(_CHECK_CHAR_OF_SUM).decode("ascii")


def _same_dates(cells: Sequence[Any], born: list[date | None]) -> bool:
    """Whether a birth-date column gives exactly its rows' dates from valid ID numbers,
    as date cells or as ISO text (2020-09-01): such a column can neither disagree with
    the ID numbers nor lie in the future, so it needs no further check."""
    if None in born:
        return False
    dates = cast("list[date]", born)
    kinds = set(map(type, cells))
    if kinds == {date}:
        return list(cells) == dates
    if kinds == {str}:
        return list(cells) == [b.isoformat() for b in dates]
    return False


TEXT_FIELDS = ("post", "department", "ethnicity", "political_status", "education", "note")
FLAG_FIELDS = ("is_in_hardship", "is_survivor")
# Fields whose values repeat down a roster (a few groups, a few employment types...):
# their conversion is memoised per distinct cell value.
_UNIQUE_FIELDS = frozenset({"name", "id_number", "phone", "member_no", "note"})
_OK = ""


class RowCleaner:
    """Validates and normalises roster rows; see ``clean_row``. One cleaner serves one
    file: it memoises conversions of repeating values, which keeps 100,000 rows fast."""

    def __init__(self, *, today: date, groups: Mapping[str, int]) -> None:
        self.today = today
        self.groups = groups
        self._memo: dict[str, dict[Any, tuple[Any, str, str]]] = {f.key: {} for f in FIELDS}
        self._ids = core_rules.IdNumberChecker(today=today)
        # "YYYYMMDD" -> date for the birth dates of ID numbers found valid (valid for
        # ``today``): an ID number of one of these dates takes the inline fast path.
        self._valid_births: dict[str, date] = {}
        # Per repeating field, cell value -> converted value for the values that convert
        # without an error: a column of such values is converted in one map().
        self._clean: dict[str, dict[Any, Any]] = {f.key: {} for f in FIELDS}

    def clean(self, raw: Mapping[str, Any]) -> CleanRow:
        out = CleanRow()
        values, errors = out.values, out.errors
        born, sex = self._identity(raw, values, errors)
        given: dict[str, Any] = {}
        for key, value in raw.items():
            if key in ("name", "id_number") or value is None or value == "":
                continue
            if isinstance(value, str) and value.isspace():
                continue
            if key in _UNIQUE_FIELDS:
                result = self._convert(key, value)
            else:
                memo = self._memo[key]
                try:
                    result = memo[value]
                except KeyError:
                    result = memo[value] = self._convert(key, value)
            converted, code, detail = result
            if code:
                errors.append(RowError(key, code, detail))
            elif converted is None:
                continue
            elif key in _DIRECT:
                values[_DIRECT[key]] = converted
            else:
                given[key] = converted
        self._cross_checks(given, values, errors, born, sex)
        return out

    def clean_columns(self, columns: Mapping[str, Sequence[Any]], n: int) -> CleanBlock:
        """``clean`` for ``n`` rows given column by column (field -> the cells of that
        column, one per row; a field without a column is left out). The same rules, the
        same values and errors, but one loop per column instead of one dict per row: the
        roster import cleans 100,000 rows this way. Values come back as columns too (value
        key -> one value per row, None where the row has none); errors as (row index,
        RowError)."""
        none: list[Any] = [None] * n
        values: dict[str, list[Any]] = {k: none.copy() for k in VALUE_KEYS}
        errors: list[tuple[int, RowError]] = []
        born, sex = self._identity_columns(columns, n, values, errors)
        given: dict[str, list[Any]] = {}
        for key, cells in columns.items():
            if key in ("name", "id_number"):
                continue
            if key == "birth_date" and _same_dates(cells, born):
                continue  # the usual column: the ID numbers' own dates, nothing to check
            if key in _UNIQUE_FIELDS:
                out = self._unique_column(key, cells, errors)
            else:
                out = self._repeating_column(key, cells, errors)
            if key in _DIRECT:
                values[_DIRECT[key]] = out
            else:
                given[key] = out
        self._cross_check_columns(given, values, errors, born, sex)
        return CleanBlock(values, errors)

    def _repeating_column(
        self, key: str, cells: Sequence[Any], errors: list[tuple[int, RowError]]
    ) -> list[Any]:
        """A column whose values repeat: each distinct value is converted once, in the
        order first seen (as ``clean`` fills the same memo), blanks included. Once every
        value of a column has been seen without an error (from the second block of a
        roster on, usually), the column is converted in one map()."""
        clean = self._clean[key]
        try:
            return list(map(clean.__getitem__, cells))  # every value seen before, no error
        except KeyError:
            pass
        memo = self._memo[key]
        distinct = dict.fromkeys(cells)
        for value in distinct:
            result = memo.get(value)
            if result is None:
                result = memo[value] = _BLANK if _is_empty(value) else self._convert(key, value)
            if not result[1]:
                clean[value] = result[0]
        if not any(memo[v][1] for v in distinct):
            return list(map(clean.__getitem__, cells))
        results = [memo[v] for v in cells]
        for i, (_converted, code, detail) in enumerate(results):
            if code:
                errors.append((i, RowError(key, code, detail)))
        return [r[0] for r in results]

    def _unique_column(
        self, key: str, cells: Sequence[Any], errors: list[tuple[int, RowError]]
    ) -> list[Any]:
        """A column of values that rarely repeat (phone, member number, note): a fast path
        for plain ASCII cells, ``_convert``'s rules for the rest."""
        if not any(cells) and set(cells) <= {None, ""}:
            return [None] * len(cells)  # an empty column (a note column nobody filled)
        if key == "phone" and _plain_mobiles(cells):
            return list(cells)
        if key == "phone":
            out = [
                v
                if v.__class__ is str
                and len(v) == 11
                and v.isdigit()
                and v.isascii()
                and v[0] == "1"
                else None
                for v in cells
            ]
        else:
            limit = FIELD_BY_KEY[key].max_length or 200
            out = [
                t
                if v.__class__ is str
                and v.isascii()
                and (t := " ".join(v.split()))
                and len(t) <= limit
                else None
                for v in cells
            ]
        if None not in out:
            return out
        convert = self._converter(key)
        for i, (fast, value) in enumerate(zip(out, cells, strict=True)):
            if fast is not None or _is_empty(value):
                continue
            converted, code, detail = convert(value)
            if code:
                errors.append((i, RowError(key, code, detail)))
            else:
                out[i] = converted
        return out

    def _converter(self, key: str) -> Callable[[Any], tuple[Any, str, str]]:
        """One cell of ``key`` -> (converted, error code, detail): memoised for the fields
        whose values repeat, with fast paths for the unique ones."""
        convert = self._convert
        if key == "phone":

            def phone(value: Any) -> tuple[Any, str, str]:
                if value.__class__ is str and value.isascii():  # NFKC-normal already
                    digits, ok = core_rules.normalise_phone_fast(value)
                else:
                    digits, ok = core_rules.normalise_phone(_text(value))
                return (digits, _OK, "") if ok else (None, "phone_invalid", "")

            return phone
        if key in ("member_no", "note"):
            limit = FIELD_BY_KEY[key].max_length or 200
            too_long = (None, "too_long", str(limit))

            def text(value: Any) -> tuple[Any, str, str]:
                t = _text_fast(value)
                return too_long if len(t) > limit else (t, _OK, "")

            return text
        if key in _UNIQUE_FIELDS:
            return lambda value: convert(key, value)
        memo = self._memo[key]

        def memoised(value: Any) -> tuple[Any, str, str]:
            try:
                return memo[value]
            except KeyError:
                result = memo[value] = convert(key, value)
                return result

        return memoised

    def _identity_columns(
        self,
        columns: Mapping[str, Sequence[Any]],
        n: int,
        values: dict[str, list[Any]],
        errors: list[tuple[int, RowError]],
    ) -> tuple[list[date | None], list[str]]:
        nfkc = unicodedata.is_normalized
        cells = columns.get("name") or [None] * n
        names: list[str | None]
        if _clean_words(cells):
            names = list(cells)  # the usual column: _text would change no name
        else:
            # _norm's work, skipped for text that is NFKC-normal without invisible characters
            names = [
                " ".join(v.split())
                if v.__class__ is str
                and (v.isascii() or (nfkc("NFKC", v) and "\u200b" not in v and "\ufeff" not in v))
                else _text(v)
                for v in cells
            ]
        if "" in names or max(map(len, names), default=0) > 50:  # type: ignore[arg-type]
            for i, name in enumerate(names):
                if not name:
                    errors.append((i, RowError("name", "required")))
                elif len(name) > 50:
                    errors.append((i, RowError("name", "too_long", "50")))
                else:
                    continue
                names[i] = None
        values["name"] = names
        id_cells = columns.get("id_number") or [None] * n
        whole = self._valid_id_column(id_cells)
        if whole is not None:  # the usual column: every number valid, checked at once
            values["id_number"], values["birth_date"], values["gender"] = whole
            return whole[1].copy(), whole[2].copy()
        ids, births, genders = values["id_number"], values["birth_date"], values["gender"]
        sexes = [""] * n
        check = self._ids
        valid_births = self._valid_births
        chars = core_rules.ID_CHECK_CHARS
        for i, idv in enumerate(id_cells):
            # Fast path: 17 ASCII digits, a birth date already found valid, and the check
            # character: the weights of GB 11643 are 2**(17-i) mod 11, and 13 = 2 (mod 11),
            # so twice the digits read in base 13 give the weighted sum mod 11.
            if (
                idv.__class__ is str
                and len(idv) == 18
                and idv.isascii()
                and (head := idv[:17]).isdigit()
                and (born := valid_births.get(idv[6:14])) is not None
                and chars[2 * int(head, 13) % 11] == idv[17].upper()
            ):
                sex = "M" if idv[16] in _ODD_DIGITS else "F"
                ids[i], births[i], genders[i], sexes[i] = idv.upper(), born, sex, sex
                continue
            if idv.__class__ is str and idv.isascii() and idv.isalnum():
                idn = idv.upper()  # clean ASCII: _text would change nothing
            elif is_blank(idv):
                errors.append((i, RowError("id_number", "required")))
                continue
            elif isinstance(idv, float | int) and not isinstance(idv, bool):
                errors.append((i, RowError("id_number", "id_numeric")))
                continue
            else:
                idn = _text(idv).upper()
            reason, birth, sex = check(idn)
            if reason:
                errors.append((i, RowError("id_number", f"id_{reason}")))
                continue
            ids[i], births[i], genders[i], sexes[i] = idn, birth, sex, sex
            if birth is not None:
                valid_births[idn[6:14]] = birth
        return births.copy(), sexes

    def _valid_id_column(
        self, cells: Sequence[Any]
    ) -> tuple[list[str], list[date | None], list[str]] | None:
        """(ID numbers, birth dates, genders) when every cell is a valid ID number written
        as 18 ASCII characters, else None (then the numbers are checked one by one): the
        rule of ``core.rules.check_id_number`` (17 digits, a birth date that exists, from
        1900 and not after today, the check character) applied to the whole column."""
        joined = _joined(cells)  # a string only when every cell is one
        if joined is None or not joined.isascii() or set(map(len, cells)) != {18}:
            return None
        check_chars = _id_check_chars(joined, len(cells))
        if check_chars is None or check_chars != joined[17::19].upper():
            return None
        births = self._valid_births
        keys = [v[6:14] for v in cells]
        try:
            born: list[date | None] = list(map(births.__getitem__, keys))
        except KeyError:  # dates not seen before
            for key in set(keys).difference(births):
                if (birth := self._ids.birth(key)) is None:
                    return None
                births[key] = birth
            born = list(map(births.__getitem__, keys))
        ids = [v.upper() for v in cells] if "x" in joined[17::19] else list(cells)
        return ids, born, list(joined[16::19].translate(_GENDER_OF_DIGIT))

    @staticmethod
    def _cross_check_columns(
        given: dict[str, list[Any]],
        values: dict[str, list[Any]],
        errors: list[tuple[int, RowError]],
        born: list[date | None],
        sex: list[str],
    ) -> None:
        if "birth_date" in given:
            for i, (bd_given, b) in enumerate(zip(given["birth_date"], born, strict=True)):
                if bd_given is None or b is None:
                    continue
                bd, precision = bd_given
                same = (bd.year, bd.month) == (b.year, b.month) if precision == "month" else bd == b
                if not same:
                    errors.append((i, RowError("birth_date", "birth_date_mismatch", b.isoformat())))
        if "gender" in given and given["gender"] != sex:  # equal: every row agrees
            for i, (g, s) in enumerate(zip(given["gender"], sex, strict=True)):
                if g is not None and s and g != s:
                    errors.append((i, RowError("gender", "gender_mismatch")))
        if "joined_on" in given:
            column = given["joined_on"]
            try:  # the usual column: every row has a join date after its birth date
                dates = [j[0] for j in column]
                early = any(map(operator.le, dates, cast("list[date]", born)))
            except TypeError:  # a row lacks one of them (None): row by row
                early = True
            if not early:
                values["joined_on"] = dates
            else:
                joined_on = values["joined_on"]
                for i, (j_given, b) in enumerate(zip(column, born, strict=True)):
                    if j_given is None:
                        continue
                    joined = j_given[0]
                    if b is not None and joined <= b:
                        errors.append((i, RowError("joined_on", "joined_before_birth")))
                    else:
                        joined_on[i] = joined
        if "is_retired" in given:
            status = values["work_status"]
            for i, retired in enumerate(given["is_retired"]):
                if status[i] is None and retired is not None:
                    status[i] = "retired" if retired else "working"

    def _identity(
        self, raw: Mapping[str, Any], values: dict[str, Any], errors: list[RowError]
    ) -> tuple[date | None, str]:
        name = _text(raw.get("name"))
        if not name:
            errors.append(RowError("name", "required"))
        elif len(name) > 50:
            errors.append(RowError("name", "too_long", "50"))
        else:
            values["name"] = name
        idv = raw.get("id_number")
        if is_blank(idv):
            errors.append(RowError("id_number", "required"))
            return None, ""
        if isinstance(idv, float | int) and not isinstance(idv, bool):
            # Excel keeps 15 significant digits: an 18-digit number has lost its tail.
            errors.append(RowError("id_number", "id_numeric"))
            return None, ""
        idn = _text(idv).upper()
        check = core_rules.check_id_number(idn, today=self.today)
        if not check.ok:
            errors.append(RowError("id_number", f"id_{check.reason}"))
            return None, ""
        values["id_number"] = idn
        values["birth_date"], values["gender"] = check.birth_date, check.gender
        return check.birth_date, check.gender

    def _convert(self, key: str, value: Any) -> tuple[Any, str, str]:
        """(converted value, error code or "", detail) for one non-empty cell."""
        if key in ("birth_date", "joined_on"):
            try:
                parsed = parse_date(value, allow_month=True)
            except ValueError:
                return None, "date_invalid", ""
            if parsed is None:  # nothing visible (a zero-width space alone): blank
                return None, _OK, ""
            if parsed > self.today:
                return None, "date_future", ""
            return (parsed, date_precision(value)), _OK, ""
        if key == "gender":
            g = gender(value)
            return (g, _OK, "") if g else (None, "gender_unknown", "")
        if key == "phone":
            phone, ok = core_rules.normalise_phone(_text(value))
            return (phone, _OK, "") if ok else (None, "phone_invalid", "")
        if key == "group":
            unit_id = self.groups.get(normalise_group_name(value))
            if unit_id is None:
                return None, "group_unknown", ""
            return (None, "group_ambiguous", "") if unit_id == AMBIGUOUS else (unit_id, _OK, "")
        if key == "employment_type":
            et = employment_type(value)
            return (et, _OK, "") if et else (None, "employment_unknown", "")
        if key == "work_status":
            ws = work_status(value)
            return (ws, _OK, "") if ws else (None, "work_status_unknown", "")
        if key == "is_model_worker":
            mw = model_worker(value)
            return (mw, _OK, "") if mw is not None else (None, "yes_no_unknown", "")
        if key in ("is_retired", *FLAG_FIELDS):
            flag = yes_no(value)
            return (flag, _OK, "") if flag is not None else (None, "yes_no_unknown", "")
        text = _text(value)
        limit = FIELD_BY_KEY[key].max_length or 200
        if len(text) > limit:
            return None, "too_long", str(limit)
        return text, _OK, ""

    @staticmethod
    def _cross_checks(
        given: dict[str, Any],
        values: dict[str, Any],
        errors: list[RowError],
        born: date | None,
        sex: str,
    ) -> None:
        if "birth_date" in given and born is not None:
            bd, precision = given["birth_date"]
            same = (
                (bd.year, bd.month) == (born.year, born.month)
                if precision == "month"
                else bd == born
            )
            if not same:
                errors.append(RowError("birth_date", "birth_date_mismatch", born.isoformat()))
        if "gender" in given and sex and given["gender"] != sex:
            errors.append(RowError("gender", "gender_mismatch"))
        if "joined_on" in given:
            joined = given["joined_on"][0]
            if born is not None and joined <= born:
                errors.append(RowError("joined_on", "joined_before_birth"))
            else:
                values["joined_on"] = joined
        status = values.get("work_status")
        if status is None and "is_retired" in given:
            values["work_status"] = "retired" if given["is_retired"] else "working"


# Fields whose converted value goes straight into the row's values (the others are checked
# against each other first); "group" becomes the unit id.
_DIRECT = {
    "phone": "phone",
    "group": "unit_id",
    "employment_type": "employment_type",
    "work_status": "work_status",
    "is_model_worker": "is_model_worker",
    "member_no": "member_no",
    **{k: k for k in (*TEXT_FIELDS, *FLAG_FIELDS)},
}
# Every key a cleaned row's values may hold.
VALUE_KEYS = (
    "name",
    "id_number",
    "birth_date",
    "gender",
    "joined_on",
    *dict.fromkeys(_DIRECT.values()),
)


def clean_row(raw: Mapping[str, Any], *, today: date, groups: Mapping[str, int]) -> CleanRow:
    """Validate and normalise one roster row (``raw``: field -> cell value as read).

    Only non-empty cells produce values: an empty cell means "no information", never
    "erase". Birth date and gender always come from the ID number; a birth date or gender
    column that disagrees with it is an error. ``groups`` maps normalised names of the
    union's groups and branches to their ids (or AMBIGUOUS). For many rows, make one
    ``RowCleaner`` and call its ``clean``."""
    return RowCleaner(today=today, groups=groups).clean(raw)


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: the column name the user sees in Excel."""
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
