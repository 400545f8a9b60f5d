"""Hardship rules without a database: tier advice at its boundaries, the November re-check
date for every day of several years, the cause rule, and the export's masking helpers."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from gonghui.care import rules
from gonghui.care.hardship_exports import income_band, mask_name, per_head
from gonghui.care.models import HardshipCause

money = st.decimals(min_value=0, max_value=100_000, places=2)
lines = st.decimals(min_value=Decimal("100"), max_value=3000, places=2)
sizes = st.integers(min_value=1, max_value=12)
causes = st.sampled_from(HardshipCause.values)


def tier(income, costs, size, line):
    return rules.hardship_tier(
        household_income_monthly=Decimal(income),
        hardship_costs_monthly=Decimal(costs),
        household_size=size,
        min_income_line=Decimal(line),
    )


# ---- tiers -------------------------------------------------------------------------------


@given(line=lines, size=sizes, costs=money)
def test_it_calls_a_household_exactly_at_the_line_deep(line, size, costs):
    income = line * size + costs
    assert tier(income, costs, size, line) == "deep"


@given(line=lines, size=sizes, costs=money)
def test_it_calls_a_household_one_cent_over_the_line_relative(line, size, costs):
    income = line * size + costs + Decimal("0.01") * size
    assert tier(income, costs, size, line) == "relative"


@given(line=lines, size=sizes, costs=money)
def test_it_calls_a_household_exactly_at_twice_the_line_relative(line, size, costs):
    income = 2 * line * size + costs
    assert tier(income, costs, size, line) == "relative"


@given(line=lines, size=sizes)
def test_it_calls_no_tier_just_over_twice_the_line_with_small_costs(line, size):
    income = (2 * line + Decimal("0.01")) * size
    assert tier(income, Decimal("0"), size, line) is None


@given(line=lines, size=sizes, costs=money)
def test_it_never_gives_deep_above_the_line_nor_none_at_or_below_twice_it(line, size, costs):
    for income in (line * size + costs, 2 * line * size + costs):
        result = tier(income, costs, size, line)
        head = (income - costs) / size
        assert (result == "deep") == (head <= line)
        assert result in ("deep", "relative")


@given(income=st.decimals(min_value=Decimal("1000"), max_value=50_000, places=2))
def test_it_calls_costs_above_eighty_percent_of_income_accident_caused(income):
    # a single person far above the line whose hardship costs eat most of the income
    line = Decimal("1")
    costs_over = income * Decimal("0.8") + Decimal("0.01")
    assume((income - costs_over) > 2 * line)
    assert tier(income, costs_over, 1, line) == "accident"
    costs_at = income * Decimal("0.8")
    assume((income - costs_at) > 2 * line)
    assert tier(income, costs_at, 1, line) is None  # exactly 80% is not above it


def test_it_reads_a_one_person_household_per_head_as_its_income():
    assert tier("760", "0", 1, "760") == "deep"
    assert tier("760.01", "0", 1, "760") == "relative"
    assert tier("1520", "0", 1, "760") == "relative"
    assert tier("1520.01", "0", 1, "760") is None
    assert tier("10000", "8500", 1, "760") == "relative"  # 1500 per head: the line rule first


def test_it_refuses_an_empty_household():
    with pytest.raises(ValueError):
        tier("1000", "0", 0, "760")


# ---- re-check dates ----------------------------------------------------------------------


def _every_day(year: int):
    d = date(year, 1, 1)
    while d.year == year:
        yield d
        d += timedelta(days=1)


@pytest.mark.parametrize("year", [2023, 2024, 2025, 2028])
def test_it_sets_the_recheck_to_the_next_first_of_november_for_every_day(year):
    for d in _every_day(year):
        got = rules.next_review_on(d)
        assert (got.month, got.day) == (11, 1), d
        assert got > d, d
        assert (got - d).days <= 366, d
        assert got.year == (year if d < date(year, 11, 1) else year + 1), d


def test_it_waits_a_year_for_a_file_opened_on_the_first_of_november():
    assert rules.next_review_on(date(2026, 11, 1)) == date(2027, 11, 1)
    assert rules.next_review_on(date(2026, 10, 31)) == date(2026, 11, 1)
    assert rules.next_review_on(date(2024, 2, 29)) == date(2024, 11, 1)
    assert rules.next_review_on(date(2023, 12, 31)) == date(2024, 11, 1)


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)))
def test_it_never_skips_a_november_survey(d):
    got = rules.next_review_on(d)
    # no 1 November lies strictly between the day and the re-check
    between = [date(y, 11, 1) for y in range(d.year, got.year + 1)]
    assert [n for n in between if d < n < got] == []


# ---- causes ------------------------------------------------------------------------------


@given(primary=causes, secondary=st.lists(causes, max_size=6))
def test_it_accepts_causes_only_when_the_rule_holds(primary, secondary):
    expected = (
        len(secondary) <= 3 and primary not in secondary and len(set(secondary)) == len(secondary)
    )
    assert rules.causes_valid(primary, secondary) == expected


@given(primary=causes, secondary=st.lists(causes, max_size=3, unique=True))
def test_it_accepts_up_to_three_distinct_other_causes(primary, secondary):
    assume(primary not in secondary)
    assert rules.causes_valid(primary, secondary)


def test_it_refuses_a_missing_primary_cause():
    assert not rules.causes_valid("", [])
    assert rules.causes_valid("illness", [])


# ---- masking for exports -----------------------------------------------------------------


@given(st.text(min_size=1, max_size=8).map(str.strip).filter(bool))
def test_it_masks_a_name_to_its_first_character(name):
    masked = mask_name(name)
    assert masked == name[0] + "*"
    assert len(name) < 2 or name not in masked


def test_it_masks_chinese_names_as_surname_and_star():
    assert mask_name("李芳") == "李*"
    assert mask_name("欧阳小明") == "欧*"
    assert mask_name("") == ""


@given(st.decimals(min_value=Decimal("0.01"), max_value=100_000, places=2))
def test_it_puts_an_income_in_the_500_yuan_band_that_holds_it(value):
    low, high = (int(x) for x in income_band(value).split("–"))
    assert high - low == 500 and low % 500 == 0
    assert low <= value < high


def test_it_bands_incomes_at_the_edges():
    assert income_band(Decimal("0")) == "0及以下"
    assert income_band(Decimal("-20")) == "0及以下"
    assert income_band(Decimal("499.99")) == "0–500"
    assert income_band(Decimal("500")) == "500–1000"


@given(income=money, costs=money, size=sizes)
def test_it_computes_per_head_income_in_yuan_with_two_places(income, costs, size):
    value = per_head(income, costs, size)
    assert value == value.quantize(Decimal("0.01"))
    assert abs(value * size - (income - costs)) <= Decimal("0.01") * size
