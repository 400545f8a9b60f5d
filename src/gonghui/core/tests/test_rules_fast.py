"""The fast paths of core/rules.py agree with the reference rules they speed up."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from gonghui.core import rules

TODAY = date(2025, 6, 15)
dates = st.dates(min_value=date(1890, 1, 1), max_value=date(2030, 12, 31))


@st.composite
def id_like(draw):
    """Strings around the shape of an ID number: valid ones, one character off, a wrong
    check character, impossible or future birth dates, lower-case x, odd lengths, spaces,
    full-width digits and arbitrary text."""
    kind = draw(st.sampled_from(["valid", "mutated", "date", "text", "shape"]))
    birth = draw(dates)
    seq = draw(st.text(alphabet="0123456789", min_size=3, max_size=3))
    first17 = f"{draw(st.sampled_from(['110105', '440301', '000000']))}{birth:%Y%m%d}{seq}"
    number = first17 + rules.id_check_char(first17)
    if kind == "valid":
        return number
    if kind == "mutated":
        i = draw(st.integers(min_value=0, max_value=17))
        c = draw(st.sampled_from(list("0123456789XxA \u3000０")))
        return number[:i] + c + number[i + 1 :]
    if kind == "date":
        ymd = draw(st.sampled_from(["20230229", "19991301", "18991231", "20991231", "00000000"]))
        first17 = f"110105{ymd}{seq}"
        return first17 + rules.id_check_char(first17)
    if kind == "shape":
        return draw(st.sampled_from([number.lower(), f" {number} ", number[:17], number + "1"]))
    return draw(st.text(max_size=20))


@given(id_like(), st.sampled_from([TODAY, None]))
def test_the_id_checker_agrees_with_check_id_number(value, today):
    checker = rules.IdNumberChecker(today=today)
    reference = rules.check_id_number(value, today=today)
    expected = (reference.reason, reference.birth_date, reference.gender)
    assert checker(value) == expected
    assert checker(value) == expected  # and again, from its cache of birth dates


@given(st.lists(id_like(), max_size=30))
def test_one_checker_agrees_over_many_numbers(values):
    checker = rules.IdNumberChecker(today=TODAY)
    for value in values:
        reference = rules.check_id_number(value, today=TODAY)
        assert checker(value) == (reference.reason, reference.birth_date, reference.gender)


texts = st.one_of(
    st.text(),
    st.text(alphabet=" \t\n\u3000\u200b\ufeffab1２Ａ张"),
    st.from_regex(r"[ -~]{0,20}", fullmatch=True),
)


@given(texts)
def test_fast_text_normalisation_agrees(value):
    assert rules.normalise_text_fast(value) == rules.normalise_text(value)


phones = st.one_of(
    st.text(alphabet="0123456789", min_size=10, max_size=13),
    st.text(alphabet="0123456789 -+８", max_size=16),
    st.text(max_size=12),
)


@given(phones)
def test_fast_phone_normalisation_agrees(value):
    assert rules.normalise_phone_fast(value) == rules.normalise_phone(value)
