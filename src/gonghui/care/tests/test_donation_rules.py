"""Donation and insurance rules: balances, enrolment rates, claim limits, renewals."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from gonghui.care import rules

money = st.decimals(min_value=0, max_value=1_000_000, places=2, allow_nan=False)
positive = st.decimals(min_value=Decimal("0.01"), max_value=1_000_000, places=2)


@given(collected=money, given_out=money, amount=positive)
def test_it_never_lets_a_drive_give_out_more_than_it_collected(collected, given_out, amount):
    d = rules.use_check(collected=collected, given_out=given_out, amount=amount)
    assert d.allowed == (given_out + amount <= collected)
    if not d.allowed:
        assert "余额" in d.reason


@given(collected=money, given_out=money)
def test_it_computes_the_balance_as_collected_less_given(collected, given_out):
    b = rules.drive_balance(collected=collected, given_out=given_out)
    assert b.balance + b.given_out == b.collected


def test_it_refuses_a_use_of_nothing():
    assert not rules.use_check(collected=Decimal("100"), given_out=0, amount=Decimal("0")).allowed


@given(eligible=st.integers(1, 100_000), data=st.data())
def test_it_keeps_the_enrolment_rate_between_0_and_100(eligible, data):
    enrolled = data.draw(st.integers(0, eligible))
    rate = rules.enrolment_rate(enrolled=enrolled, eligible=eligible)
    assert Decimal("0") <= rate <= Decimal("100")
    assert (rate == 100) == (enrolled == eligible) or eligible > 1000


def test_it_reports_59_of_59_as_100_percent_and_nobody_as_0():
    assert rules.enrolment_rate(enrolled=59, eligible=59) == Decimal("100.0")
    assert rules.enrolment_rate(enrolled=2, eligible=3) == Decimal("66.7")
    assert rules.enrolment_rate(enrolled=0, eligible=0) == Decimal("0.0")


@given(amount=positive, limit=st.none() | positive)
def test_it_keeps_approved_claims_within_the_plan_limit(amount, limit):
    reason = rules.claim_amount_check(amount=amount, limit=limit)
    assert (reason == "") == (limit is None or amount <= limit)


@given(
    end=st.dates(date(2020, 1, 1), date(2035, 12, 31)),
    today=st.dates(date(2020, 1, 1), date(2035, 12, 31)),
    reminder=st.none() | st.dates(date(2020, 1, 1), date(2035, 12, 31)),
)
def test_it_is_due_for_renewal_from_the_reminder_date(end, today, reminder):
    due = rules.renewal_due(period_end=end, reminder_on=reminder, today=today)
    start = reminder if reminder else end - timedelta(days=60)
    assert due == (today >= start)


def test_it_reminds_a_plan_ending_in_april_from_february():
    end = date(2026, 4, 30)
    assert not rules.renewal_due(period_end=end, reminder_on=None, today=date(2026, 2, 28))
    assert rules.renewal_due(period_end=end, reminder_on=None, today=date(2026, 3, 1))


@given(
    current=st.sampled_from(list(rules.CLAIM_MOVES)),
    target=st.sampled_from(list(rules.CLAIM_MOVES)),
)
def test_it_only_moves_claims_forward(current, target):
    allowed = rules.claim_may_move(current, target)
    assert allowed == (
        (current, target)
        in {("submitted", "approved"), ("submitted", "rejected"), ("approved", "paid")}
    )
