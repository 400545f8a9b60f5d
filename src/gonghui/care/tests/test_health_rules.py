"""Pure rules of health checks, rest and recuperation and ages, with hypothesis."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gonghui.care import rules

years = st.integers(min_value=1990, max_value=2100)
statuses = st.lists(st.sampled_from(["scheduled", "done", "excused"]), max_size=200)


def test_it_makes_a_member_who_never_went_due():
    assert rules.rest_due(None, 2026) is True


def test_it_uses_three_years_by_default():
    assert rules.rest_due(2023, 2026) is True
    assert rules.rest_due(2024, 2026) is False


@given(last=years, year=years, every=st.integers(min_value=1, max_value=10))
def test_it_is_due_exactly_when_the_cycle_has_passed(last, year, every):
    assert rules.rest_due(last, year, every) == (year - last >= every)


@given(last=years, every=st.integers(min_value=1, max_value=10))
def test_it_stays_due_once_due(last, every):
    # given a member due in some year, when later years come, then they remain due
    first = last + every
    assert all(rules.rest_due(last, y, every) for y in range(first, first + 5))
    assert not rules.rest_due(last, first - 1, every)


def test_it_refuses_a_cycle_below_one_year():
    with pytest.raises(ValueError):
        rules.rest_due(2020, 2026, 0)


@given(expected=st.integers(min_value=1, max_value=100_000), data=st.data())
def test_it_keeps_the_rate_between_0_and_100(expected, data):
    done = data.draw(st.integers(min_value=0, max_value=expected))
    rate = rules.completion_rate(done, expected)
    assert Decimal(0) <= rate <= Decimal(100)
    assert rate.as_tuple().exponent == -1
    assert abs(rate - Decimal(done) * 100 / expected) <= Decimal("0.05")


def test_it_rounds_the_rate_half_up():
    assert rules.completion_rate(1, 3) == Decimal("33.3")
    assert rules.completion_rate(2, 3) == Decimal("66.7")
    assert rules.completion_rate(0, 0) == Decimal("0.0")


def test_it_refuses_more_done_than_expected():
    with pytest.raises(ValueError):
        rules.completion_rate(3, 2)


@given(statuses)
def test_it_counts_every_check_once(sts):
    p = rules.check_progress(sts)
    assert p.total == len(sts) == p.done + p.excused + p.scheduled
    assert p.done == sts.count("done")
    if p.total - p.excused:
        assert p.rate == rules.completion_rate(p.done, p.total - p.excused)
    else:
        assert p.rate == Decimal("0.0")


def test_it_reaches_100_when_all_but_the_excused_went():
    assert rules.check_progress(["done", "done", "excused"]).rate == Decimal("100.0")


@given(
    birth=st.dates(min_value=date(1930, 1, 1), max_value=date(2020, 12, 31)),
    days=st.integers(min_value=0, max_value=40_000),
)
def test_it_ages_by_one_on_each_birthday_only(birth, days):
    on = birth + timedelta(days=days)
    age = rules.age_on(birth, on)
    assert age >= 0
    assert rules.age_on(birth, on + timedelta(days=1)) - age in (0, 1)


def test_it_counts_a_leap_day_birthday_from_1_march():
    assert rules.age_on(date(2000, 2, 29), date(2026, 2, 28)) == 25
    assert rules.age_on(date(2000, 2, 29), date(2026, 3, 1)) == 26
    assert rules.age_on(date(2000, 2, 29), date(2028, 2, 29)) == 28


@given(
    total=st.integers(min_value=0, max_value=10_000),
    data=st.data(),
)
def test_it_gives_the_same_progress_from_counts_as_from_statuses(total, data):
    done = data.draw(st.integers(min_value=0, max_value=total))
    excused = data.draw(st.integers(min_value=0, max_value=total - done))
    statuses = ["done"] * done + ["excused"] * excused + ["scheduled"] * (total - done - excused)
    assert rules.progress_of(total=total, done=done, excused=excused) == rules.check_progress(
        statuses
    )


def test_it_refuses_counts_that_do_not_add_up():
    with pytest.raises(ValueError):
        rules.progress_of(total=2, done=2, excused=1)
