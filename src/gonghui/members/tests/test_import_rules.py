"""Pure rules of the roster import: no database."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gonghui.members import rules
from gonghui.testing.factories import valid_id_number

TODAY = date(2025, 3, 1)
KNOWN_HEADERS = [
    (alias, spec.key) for spec in rules.FIELDS for alias in (spec.label, *spec.aliases)
]
SPACES = st.sampled_from([" ", "\u3000", "\n", "\t", "\r\n", ""])


def to_full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@st.composite
def header_variant(draw):
    alias, key = draw(st.sampled_from(KNOWN_HEADERS))
    chars = []
    for c in alias:
        chars.append(draw(SPACES) + (c.upper() if draw(st.booleans()) else c))
    text = "".join(chars) + draw(SPACES)
    if draw(st.booleans()):
        text = to_full_width(text)
    if draw(st.booleans()):
        text += draw(st.sampled_from(["*", "（必填）", "(选填)", "：", "【必填】"]))
    return text, key


@given(header_variant())
def test_it_maps_any_spacing_width_or_case_variant_of_a_known_header(variant):
    text, key = variant
    assert rules.match_header(text) == key


def test_it_leaves_unknown_headers_unmapped():
    assert rules.match_header("爱好") is None
    assert rules.match_header("") is None
    assert rules.match_header(None) is None


dates = st.dates(min_value=date(1900, 3, 1), max_value=date(2100, 12, 31))
TEXT_FORMS = [
    lambda d: d.isoformat(),
    lambda d: f"{d.year}/{d.month}/{d.day}",
    lambda d: f"{d.year}.{d.month}.{d.day}",
    lambda d: f"{d.year}年{d.month}月{d.day}日",
    lambda d: f"{d:%Y%m%d}",
    lambda d: to_full_width(d.isoformat()),
    lambda d: f" {d.isoformat()} 00:00:00 ",
]


@given(dates, st.sampled_from(TEXT_FORMS))
def test_every_date_round_trips_through_each_text_form(d, form):
    assert rules.parse_date(form(d)) == d


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2173, 1, 1)).filter(
        lambda d: not 1900 <= rules.date_to_excel_serial(d) <= 2100  # read as bare years
    )
)
def test_every_date_round_trips_through_an_excel_serial(d):
    serial = rules.date_to_excel_serial(d)
    assert rules.parse_date(serial) == d
    assert rules.parse_date(float(serial) + 0.5) == d  # a time of day is dropped


def test_excel_serials_follow_excels_1900_calendar():
    # Excel: 1 = 1900-01-01, 59 = 1900-02-28, 60 = the fictitious 1900-02-29, 61 = 1 March
    assert rules.excel_serial_to_date(1) == date(1900, 1, 1)
    assert rules.excel_serial_to_date(59) == date(1900, 2, 28)
    assert rules.excel_serial_to_date(61) == date(1900, 3, 1)
    assert rules.excel_serial_to_date(43709) == date(2019, 9, 1)
    with pytest.raises(ValueError):
        rules.excel_serial_to_date(60)


@pytest.mark.parametrize(
    "text", ["2020-02-30", "2020-13-01", "hello", "2020", 2020, "20201301", "0", "123"]
)
def test_it_refuses_impossible_dates(text):
    with pytest.raises(ValueError):
        rules.parse_date(text)


def test_it_reads_year_and_month_only_where_allowed():
    assert rules.parse_date("2020.9", allow_month=True) == date(2020, 9, 1)
    assert rules.parse_date("2020年9月", allow_month=True) == date(2020, 9, 1)
    assert rules.parse_date(202009, allow_month=True) == date(2020, 9, 1)
    with pytest.raises(ValueError):
        rules.parse_date("2020.9")


def test_it_takes_real_date_cells_as_they_are():
    assert rules.parse_date(datetime(2020, 9, 1, 8, 30)) == date(2020, 9, 1)
    assert rules.parse_date(date(2020, 9, 1)) == date(2020, 9, 1)
    assert rules.parse_date("") is None and rules.parse_date(None) is None


@pytest.mark.parametrize(
    ("word", "code"),
    [
        ("正式", "permanent"),
        ("在编", "permanent"),
        ("合同制", "contract"),
        ("劳务派遣", "dispatched"),
        ("派遣", "dispatched"),
        ("劳务派遣人员", "dispatched"),
        ("季节工", "seasonal"),
        ("农民工", "migrant"),
        ("临时工", "temporary"),
        (" 临 时 工 ", "temporary"),
        ("外包", None),
    ],
)
def test_it_reads_employment_type_words(word, code):
    assert rules.employment_type(word) == code


def test_it_reads_gender_and_yes_no_words():
    assert rules.gender("男") == "M" and rules.gender("女性") == "F" and rules.gender("?") is None
    assert rules.yes_no("是") is True and rules.yes_no("否") is False and rules.yes_no("√")
    assert rules.yes_no("也许") is None
    assert rules.model_worker("省级劳模") is True and rules.model_worker("否") is False
    assert rules.work_status("离退休") == "retired" and rules.work_status("在职") == "working"


def test_it_cleans_a_good_row():
    idn = valid_id_number(date(1990, 3, 7), 12, "F")
    raw = {
        "name": " 李　芳 ",
        "id_number": idn.lower(),
        "gender": "女",
        "birth_date": "1990年3月7日",
        "phone": "+86 139-1234-5678",
        "group": "语文 教研组",
        "employment_type": "合同",
        "joined_on": 20150901,
        "is_model_worker": "是",
        "is_retired": "否",
    }
    row = rules.clean_row(raw, today=TODAY, groups={"语文教研组": 7})
    assert row.errors == []
    assert row.values == {
        "name": "李 芳",
        "id_number": idn.upper(),
        "birth_date": date(1990, 3, 7),
        "gender": "F",
        "phone": "13912345678",
        "unit_id": 7,
        "employment_type": "contract",
        "joined_on": date(2015, 9, 1),
        "is_model_worker": True,
        "work_status": "working",
    }


def test_it_returns_error_codes_for_a_bad_row():
    idn = valid_id_number(date(1990, 3, 7), 12, "F")
    raw = {
        "name": "",
        "id_number": idn,
        "gender": "男",
        "birth_date": "1990-03-08",
        "phone": "12345",
        "group": "不存在",
        "employment_type": "外包",
        "joined_on": "2030-01-01",
    }
    row = rules.clean_row(raw, today=TODAY, groups={})
    assert {(e.field, e.code) for e in row.errors} == {
        ("name", "required"),
        ("gender", "gender_mismatch"),
        ("birth_date", "birth_date_mismatch"),
        ("phone", "phone_invalid"),
        ("group", "group_unknown"),
        ("employment_type", "employment_unknown"),
        ("joined_on", "date_future"),
    }


def test_an_id_number_stored_as_a_number_is_an_error():
    row = rules.clean_row(
        {"name": "张三", "id_number": 1.10105199003071e17}, today=TODAY, groups={}
    )
    assert [e.code for e in row.errors] == ["id_numeric"]


def test_a_birth_month_only_is_compared_by_month():
    idn = valid_id_number(date(1990, 3, 7), 12, "F")
    ok = rules.clean_row(
        {"name": "a", "id_number": idn, "birth_date": "1990.03"}, today=TODAY, groups={}
    )
    bad = rules.clean_row(
        {"name": "a", "id_number": idn, "birth_date": "1990.04"}, today=TODAY, groups={}
    )
    assert ok.errors == [] and [e.code for e in bad.errors] == ["birth_date_mismatch"]


def test_it_finds_the_header_below_title_rows():
    rows = [
        ["2025年会员花名册"],
        [],
        ["姓名", "身份证号码", "手机", "备注"],
        ["张三", "1", "2", ""],
    ]
    match = rules.find_header(rows)
    assert match is not None and (match.row_index, match.height) == (2, 1)
    assert match.field_columns == {"name": 0, "id_number": 1, "phone": 2, "note": 3}


def test_it_combines_a_two_level_header():
    rows = [["姓名", "身份证号", "联系方式", ""], ["", "", "手机", "邮箱"], ["张三", "x", "1", ""]]
    match = rules.find_header(rows)
    assert match is not None and match.height == 2
    assert match.field_columns == {"name": 0, "id_number": 1, "phone": 2}


def test_it_reports_duplicate_and_missing_columns():
    match = rules.find_header([["姓名", "手机", "联系电话", "爱好"]])
    assert match is not None and match.missing == ("id_number",)
    assert [(c.header, c.note) for c in match.ignored] == [("联系电话", "duplicate"), ("爱好", "")]


def test_no_header_is_found_in_a_sheet_of_numbers():
    assert rules.find_header([[1, 2, 3], [4, 5, 6]]) is None


@given(st.integers(min_value=0, max_value=20000))
def test_column_letters_match_excel(n):
    letters = rules.column_letter(n)
    value = 0
    for ch in letters:
        value = value * 26 + ord(ch) - 64
    assert value - 1 == n and letters.isupper()


def test_header_normalisation_is_nfkc():
    assert rules.normalise_header("ＩＤ　Ｎｏ") == unicodedata.normalize("NFKC", "idno")


# ---- column-wise cleaning agrees with the row-by-row reference ---------------------------

CELLS = {
    "name": st.one_of(
        st.sampled_from(["张伟", " 李 娜 ", "Ｗａｎｇ", "\u200b", "", None, "x" * 51, 12.0]),
        st.text(max_size=8),
    ),
    "id_number": st.one_of(
        st.builds(
            lambda d, s, g: valid_id_number(d, s, g),
            st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 1, 1)),
            st.integers(0, 99),
            st.sampled_from(["M", "F"]),
        ),
        st.sampled_from(["", None, " ", 110105199003071239.0, "11010519491231002x", "123"]),
        st.text(max_size=19),
    ),
    "gender": st.sampled_from(["男", "女", "M", "f", "?", "", None, " "]),
    "birth_date": st.one_of(
        st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 1, 1)),
        st.sampled_from(["1990-03-07", "1990.3", "199003", "bad", "", "\u200b", 1990, 33000]),
    ),
    "phone": st.one_of(
        st.from_regex(r"1[0-9]{10}", fullmatch=True),
        st.sampled_from(
            ["+86 139 1234 5678", "123", "", None, "１３９１２３４５６７８", 13912345678.0]
        ),
        st.text(max_size=14),
    ),
    "group": st.sampled_from(["语文组", "数学组", "同名", "不存在", "", None]),
    "employment_type": st.sampled_from(["正式", "合同工", "劳务派遣人员", "外包", "", 1]),
    "post": st.one_of(st.sampled_from(["教师", "", " ", None, 1.0, "x" * 61]), st.text(max_size=4)),
    "joined_on": st.one_of(
        st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 1, 1)),
        st.sampled_from(["2015-09-01", "2015年9月", "1800-01-01", "", "\u200b", "x"]),
    ),
    "member_no": st.one_of(
        st.sampled_from(["SCH-00001", "SCH-00001", " A 1 ", "", None, 7.0, "Ａ１", "9" * 31]),
        st.text(max_size=6),
    ),
    "work_status": st.sampled_from(["在职", "退休", "离职", "", None]),
    "is_retired": st.sampled_from(["是", "否", True, 0, 1.0, "也许", "", None]),
    "is_model_worker": st.sampled_from(["是", "否", "省级劳模", "?", True, "", None]),
    "is_in_hardship": st.sampled_from(["是", "否", "√", "x", "", None]),
    "note": st.one_of(
        st.sampled_from(["", "\u200b", "备注", "x" * 201, None]), st.text(max_size=5)
    ),
}
GROUPS = {"语文组": 11, "数学组": 12, "同名": rules.AMBIGUOUS}


@st.composite
def sheets(draw):
    fields = draw(st.lists(st.sampled_from(sorted(CELLS)), unique=True, min_size=1))
    n = draw(st.integers(min_value=1, max_value=12))
    return {f: [draw(CELLS[f]) for _ in range(n)] for f in fields}, n


@given(sheets())
def test_cleaning_by_columns_agrees_with_cleaning_row_by_row(sheet):
    columns, n = sheet
    reference = rules.RowCleaner(today=TODAY, groups=GROUPS)
    fast = rules.RowCleaner(today=TODAY, groups=GROUPS)
    block = fast.clean_columns(columns, n)
    for i in range(n):
        expected = reference.clean({f: cells[i] for f, cells in columns.items()})
        got_values = {k: col[i] for k, col in block.values.items() if col[i] is not None}
        got_errors = [err for row, err in block.errors if row == i]
        assert got_values == expected.values
        assert sorted(got_errors, key=repr) == sorted(expected.errors, key=repr)


SPOILERS = {
    "id_number": st.one_of(
        CELLS["id_number"],
        st.sampled_from(["１１０１０５１９９００３０７１２３９", "110105199002301234"]),
    ),
    "birth_date": st.one_of(
        CELLS["birth_date"], st.just(datetime(1990, 3, 7, 8, 30)), st.just("1990-03-07 ")
    ),
    "gender": CELLS["gender"],
    "joined_on": CELLS["joined_on"],
    "name": CELLS["name"],
}


@st.composite
def clean_sheets(draw):
    """Columns as real rosters hold them (valid ID numbers, the birth dates and genders
    they give, later join dates), so that the whole-column paths run; now and then one
    cell spoils its column and sends it down the row-by-row path."""
    n = draw(st.integers(min_value=1, max_value=12))
    people = draw(
        st.lists(
            st.tuples(
                st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
                st.integers(0, 99),
                st.sampled_from(["M", "F"]),
                st.integers(1, 20000),
            ),
            min_size=n,
            max_size=n,
        )
    )
    ids = [valid_id_number(born, seq, sex) for born, seq, sex, _days in people]
    if draw(st.booleans()):
        ids = [v.lower() for v in ids]  # a lower-case check character x
    iso = draw(st.booleans())
    columns = {
        "name": [f"职工{i}" for i in range(n)],
        "id_number": ids,
        "birth_date": [born.isoformat() if iso else born for born, *_rest in people],
        "gender": ["男" if sex == "M" else "女" for _b, _s, sex, _d in people],
        "joined_on": [
            min(TODAY, date.fromordinal(born.toordinal() + days)) for born, _s, _g, days in people
        ],
    }
    if draw(st.booleans()):
        field = draw(st.sampled_from(sorted(SPOILERS)))
        columns[field][draw(st.integers(0, n - 1))] = draw(SPOILERS[field])
    return columns, n


@given(clean_sheets())
def test_whole_column_checks_agree_with_cleaning_row_by_row(sheet):
    columns, n = sheet
    reference = rules.RowCleaner(today=TODAY, groups=GROUPS)
    fast = rules.RowCleaner(today=TODAY, groups=GROUPS)
    first = fast.clean_columns(columns, n)
    again = fast.clean_columns(columns, n)  # the cleaner's memories from the first block
    for block in (first, again):
        for i in range(n):
            expected = reference.clean({f: cells[i] for f, cells in columns.items()})
            got_values = {k: col[i] for k, col in block.values.items() if col[i] is not None}
            got_errors = [err for row, err in block.errors if row == i]
            assert got_values == expected.values
            assert sorted(got_errors, key=repr) == sorted(expected.errors, key=repr)


def test_id_check_characters_of_a_whole_column():
    # given: numbers whose check characters run through all eleven, X included
    numbers = [valid_id_number(date(1990, 3, 7), seq, "M") for seq in range(60)]
    joined = "\n".join(numbers)
    # when
    chars = rules._id_check_chars(joined, len(numbers))
    # then
    assert chars == "".join(v[17] for v in numbers)
    assert set(chars) >= set("0123456789X")
    assert rules._id_check_chars(joined.replace("1990", "19a0", 1), len(numbers)) is None
