"""Properties and worked examples of the pure rules in core/rules.py (no database)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from gonghui.core import rules

digits17 = st.text(alphabet="0123456789", min_size=17, max_size=17)
dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31))
TODAY = date(2025, 6, 15)


def id_for(birth: date, seq: str = "123", region: str = "110105") -> str:
    first17 = f"{region}{birth:%Y%m%d}{seq}"
    return first17 + rules.id_check_char(first17)


# ---- ID numbers (GB 11643) ---------------------------------------------------------------


def test_it_accepts_the_standard_example():
    # The worked example of GB 11643-1999: 11010519491231002X.
    check = rules.check_id_number("11010519491231002X")
    assert check.ok
    assert check.birth_date == date(1949, 12, 31)
    assert check.gender == "F"


@given(birth=dates, seq=st.text(alphabet="0123456789", min_size=3, max_size=3))
def test_it_accepts_any_real_birth_date_with_the_computed_check_char(birth, seq):
    number = id_for(birth, seq)
    check = rules.check_id_number(number)
    assert check.ok, check.reason
    assert check.birth_date == birth


@given(birth=dates, seq=st.text(alphabet="0123456789", min_size=3, max_size=3))
def test_it_accepts_lower_case_x_and_surrounding_spaces(birth, seq):
    number = id_for(birth, seq)
    assert rules.check_id_number(f"  {number.lower()} ").ok


@given(first17=digits17)
def test_it_computes_a_check_char_from_the_table(first17):
    assert rules.id_check_char(first17) in rules.ID_CHECK_CHARS


@given(
    birth=dates,
    seq=st.text(alphabet="0123456789", min_size=3, max_size=3),
    wrong=st.sampled_from(list("0123456789X")),
)
def test_it_refuses_any_other_check_char(birth, seq, wrong):
    number = id_for(birth, seq)
    assume(wrong != number[17])
    check = rules.check_id_number(number[:17] + wrong)
    assert not check.ok
    assert check.reason == "check_digit"


@st.composite
def first17_with_real_date(draw):
    region = draw(st.text(alphabet="0123456789", min_size=6, max_size=6))
    birth = draw(dates)
    order = draw(st.text(alphabet="0123456789", min_size=3, max_size=3))
    return f"{region}{birth:%Y%m%d}{order}"


@st.composite
def impossible_dates(draw):
    year = draw(st.integers(1900, 2099))
    month = draw(st.integers(1, 12))
    last = calendar.monthrange(year, month)[1]
    day = draw(st.integers(last + 1, 31)) if last < 31 else draw(st.integers(32, 99))
    return f"{year:04d}{month:02d}{day:02d}"


@given(first17=first17_with_real_date())
def test_it_accepts_exactly_one_check_char_for_any_17_digits_with_a_real_date(first17):
    passing = [c for c in "0123456789X" if rules.check_id_number(first17 + c).ok]
    assert passing == [rules.id_check_char(first17)]


@given(yyyymmdd=impossible_dates())
def test_it_refuses_impossible_birth_dates(yyyymmdd):
    first17 = f"110105{yyyymmdd}123"
    check = rules.check_id_number(first17 + rules.id_check_char(first17))
    assert not check.ok
    assert check.reason == "birth_date"


@pytest.mark.parametrize("month_day", ["0013", "1300", "0230", "0431", "0000"])
def test_it_refuses_impossible_month_or_day(month_day):
    first17 = f"1101051990{month_day}123"
    assert rules.check_id_number(first17 + rules.id_check_char(first17)).reason == "birth_date"


def test_it_refuses_29_february_in_a_common_year_and_accepts_it_in_a_leap_year():
    common = "110105" + "19990229" + "123"
    leap = "110105" + "20000229" + "123"
    assert rules.check_id_number(common + rules.id_check_char(common)).reason == "birth_date"
    assert rules.check_id_number(leap + rules.id_check_char(leap)).ok


def test_it_refuses_a_birth_date_after_today():
    number = id_for(TODAY + timedelta(days=1))
    assert rules.check_id_number(number, today=TODAY).reason == "birth_date"
    assert rules.check_id_number(id_for(TODAY), today=TODAY).ok


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "length"),
        ("1101051949123100", "length"),
        ("11010519491231002X1", "length"),
        ("1101051949123100AX", "chars"),
        ("X1010519491231002X", "chars"),
        ("１１０１０５１９４９１２３１００２Ｘ", "chars"),
    ],
)
def test_it_names_the_reason_for_malformed_numbers(value, reason):
    assert rules.check_id_number(value).reason == reason


@given(birth=dates, order=st.integers(0, 99), gender_digit=st.integers(0, 9))
def test_it_reads_gender_from_the_parity_of_the_17th_digit(birth, order, gender_digit):
    number = id_for(birth, f"{order:02d}{gender_digit}")
    assert rules.check_id_number(number).gender == ("M" if gender_digit % 2 else "F")


# ---- ages and bands -----------------------------------------------------------------------


@given(birth=dates, a=dates, b=dates)
def test_it_never_makes_anyone_younger_as_time_passes(birth, a, b):
    # Sorted rather than filtered: filtering three free dates rejects five draws in six.
    birth, a, b = sorted((birth, a, b))
    assert rules.age_on(birth, a) <= rules.age_on(birth, b)


@given(
    birth=st.dates(min_value=date(1900, 1, 1), max_value=date(2050, 12, 31)),
    years=st.integers(1, 49),
)
def test_it_adds_a_year_on_the_birthday_and_not_the_day_before(birth, years):
    assume(not (birth.month == 2 and birth.day == 29))
    birthday = birth.replace(year=birth.year + years)
    assert rules.age_on(birth, birthday) == years
    assert rules.age_on(birth, birthday - timedelta(days=1)) == years - 1


@given(birth=dates)
def test_it_is_zero_on_the_day_of_birth(birth):
    assert rules.age_on(birth, birth) == 0


def test_it_counts_a_29_february_birthday_on_1_march_in_common_years():
    born = date(2000, 2, 29)
    assert rules.age_on(born, date(2001, 2, 28)) == 0
    assert rules.age_on(born, date(2001, 3, 1)) == 1
    assert rules.age_on(born, date(2004, 2, 28)) == 3
    assert rules.age_on(born, date(2004, 2, 29)) == 4


def test_it_covers_every_age_from_0_to_199_with_exactly_one_band():
    for age in range(200):
        matching = [label for label, low, high in rules.AGE_BANDS if low <= age < high]
        assert len(matching) == 1, age
        assert rules.age_band(age) == matching[0]


@pytest.mark.parametrize("age", [-1, 200])
def test_it_refuses_ages_outside_the_bands(age):
    with pytest.raises(ValueError):
        rules.age_band(age)


def test_it_puts_34_in_young_and_35_in_the_next_band():
    assert rules.age_band(rules.YOUNG_STAFF_AGE - 1) == "<35"
    assert rules.age_band(rules.YOUNG_STAFF_AGE) == "35-44"


@given(
    birth=st.dates(min_value=date(1830, 1, 1), max_value=date(2099, 12, 31)),
    today=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
    low=st.integers(0, 120),
    width=st.integers(1, 80),
)
def test_it_gives_birth_date_bounds_that_agree_with_age_on(birth, today, low, width):
    assume(birth <= today)
    high = low + width
    earliest, latest = rules.birth_date_bounds_for_age(low, high, today)
    in_bounds = earliest <= birth <= latest
    in_ages = low <= rules.age_on(birth, today) < high
    assert in_bounds == in_ages


@given(today=st.dates(min_value=date(1950, 1, 1), max_value=date(2099, 12, 31)))
def test_it_makes_adjacent_age_ranges_meet_without_gap_or_overlap(today):
    _e1, l1 = rules.birth_date_bounds_for_age(35, 45, today)
    e2, l2 = rules.birth_date_bounds_for_age(0, 35, today)
    assert l1 + timedelta(days=1) == e2
    assert l2 == today


# ---- text, phones and masks ----------------------------------------------------------------


@given(st.text())
def test_it_normalises_text_idempotently(value):
    once = rules.normalise_text(value)
    assert rules.normalise_text(once) == once


@given(
    st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", min_size=1)
)
def test_it_maps_full_width_digits_and_letters_to_ascii(value):
    full = "".join(chr(ord(c) + 0xFEE0) for c in value)
    assert rules.normalise_text(full) == value


def test_it_strips_ideographic_and_repeated_spaces_and_zero_width_characters():
    assert rules.normalise_text("\u3000 张\u3000\u3000三 \u200b\ufeff") == "张 三"


@given(st.text(alphabet="0123456789", min_size=10, max_size=10))
def test_it_accepts_mobile_numbers_in_common_spellings(rest):
    number = "1" + rest
    spaced = f"{number[:3]} {number[3:7]}-{number[7:]}"
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in number)
    for spelling in (number, spaced, f"+86 {number}", f"86{number}", full_width):
        assert rules.normalise_phone(spelling) == (number, True)


@pytest.mark.parametrize("value", ["", "2345678901", "1234567890", "139123456789", "abc"])
def test_it_refuses_what_is_not_a_mobile_number(value):
    assert rules.normalise_phone(value)[1] is False


@given(st.text(alphabet="0123456789X", min_size=10, max_size=18))
def test_it_masks_id_numbers_keeping_six_and_four(value):
    masked = rules.mask_id_number(value)
    assert len(masked) == len(value)
    assert masked[:6] == value[:6]
    assert masked[-4:] == value[-4:]
    assert set(masked[6:-4]) <= {"*"}
    assert sum(c != "*" for c in masked) <= 10


@given(st.text(alphabet="0123456789", min_size=7, max_size=20))
def test_it_masks_phones_keeping_three_and_four(value):
    masked = rules.mask_phone(value)
    assert masked[:3] == value[:3]
    assert masked[-4:] == value[-4:]
    assert masked[3:-4] == "****"
    assert sum(c != "*" for c in masked) == 7


@given(st.text(alphabet="0123456789", max_size=6))
def test_it_masks_short_values_completely(value):
    assert set(rules.mask_phone(value)) <= {"*"}
    assert set(rules.mask_id_number(value)) <= {"*"}


def test_it_masks_nothing_into_nothing():
    assert rules.mask_id_number(None) == ""
    assert rules.mask_phone("") == ""


# ---- rates ---------------------------------------------------------------------------------


def test_it_shows_an_unknown_rate_as_a_dash():
    assert rules.rate(5, 0) is None
    assert rules.percent(None) == "—"
    assert rules.percent(rules.rate(1, 3)) == "33.3%"
