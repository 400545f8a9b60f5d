"""Proposal rules: the collection window, the co-signer minimum, rating outcomes, overdue.
No database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gonghui.congress import rules
from gonghui.congress.rules import NATIONAL_DEFAULTS, RuleSet

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
STATUSES = [
    "collecting",
    "submitted",
    "accepted",
    "replied",
    "rehandling",
    "closed",
    "converted",
    "withdrawn",
]


# ---- the co-signer minimum ----------------------------------------------------------------


@given(minimum=st.integers(0, 20), cosigners=st.integers(0, 40))
def test_it_sends_to_the_committee_exactly_at_the_minimum(minimum, cosigners):
    rs = RuleSet(cosigners_min=minimum)
    status = rules.status_after_cosign("collecting", cosigners, rs)
    assert status == ("submitted" if cosigners >= minimum else "collecting")


def test_it_needs_two_cosigners_by_national_default():
    assert rules.status_after_cosign("collecting", 1) == "collecting"
    assert rules.status_after_cosign("collecting", 2) == "submitted"


@given(status=st.sampled_from([s for s in STATUSES if s != "collecting"]), n=st.integers(0, 9))
def test_it_never_moves_a_proposal_past_collecting_by_cosigning(status, n):
    assert rules.status_after_cosign(status, n) == status


# ---- the collection window ---------------------------------------------------------------


@given(opens=days, span=st.integers(0, 120), today=days)
def test_it_is_open_from_the_first_to_the_last_day_inclusive(opens, span, today):
    closes = opens + timedelta(days=span)
    w = rules.proposal_window(today, opens_on=opens, closes_on=closes, session_day=closes)
    assert w.open == (opens <= today <= closes)
    assert w.reason == ("not_yet" if today < opens else "closed" if today > closes else "open")


@given(session_day=days, close_days=st.integers(0, 60), delta=st.integers(-3, 3))
def test_it_closes_close_days_before_the_session_when_no_date_is_set(
    session_day, close_days, delta
):
    rs = RuleSet(proposal_close_days=close_days)
    last = session_day - timedelta(days=close_days)
    today = last + timedelta(days=delta)
    w = rules.proposal_window(
        today, opens_on=None, closes_on=None, session_day=session_day, rules=rs
    )
    assert w.closes_on == last
    assert w.open == (delta <= 0)


@pytest.mark.parametrize(
    "session_day,last_day",
    [
        (date(2026, 1, 10), date(2025, 12, 26)),  # across the year end
        (date(2024, 3, 15), date(2024, 2, 29)),  # leap February
        (date(2025, 3, 15), date(2025, 2, 28)),
        (date(2026, 5, 16), date(2026, 5, 1)),
    ],
)
def test_it_counts_fifteen_days_across_month_and_year_ends(session_day, last_day):
    w = rules.proposal_window(last_day, opens_on=None, closes_on=None, session_day=session_day)
    assert w.open and w.closes_on == last_day
    after = rules.proposal_window(
        last_day + timedelta(days=1), opens_on=None, closes_on=None, session_day=session_day
    )
    assert not after.open and after.reason == "closed"


def test_it_prefers_the_sessions_own_closing_day():
    w = rules.proposal_window(
        date(2026, 12, 10),
        opens_on=date(2026, 11, 1),
        closes_on=date(2026, 12, 10),
        session_day=date(2026, 12, 20),
        rules=NATIONAL_DEFAULTS,
    )
    assert w.open


# ---- rating and re-handling ---------------------------------------------------------------


def test_it_closes_on_satisfied_or_basic_and_reopens_on_unsatisfied():
    assert rules.status_after_rating("satisfied") == "closed"
    assert rules.status_after_rating("basic") == "closed"
    assert rules.status_after_rating("unsatisfied") == "rehandling"
    with pytest.raises(ValueError):
        rules.status_after_rating("meh")


@given(rated=days)
def test_it_gives_a_new_round_its_days(rated):
    due = rules.rehandling_due_on(rated)
    assert (due - rated).days == rules.REHANDLING_DAYS


# ---- overdue ----------------------------------------------------------------------------


@given(status=st.sampled_from(STATUSES), due=days, today=days)
def test_it_flags_only_proposals_waiting_for_a_reply_past_their_date(status, due, today):
    overdue = rules.proposal_overdue(status, due, today)
    assert overdue == (status in ("accepted", "rehandling") and today > due)


@given(today=days)
def test_it_is_not_overdue_on_the_due_day_nor_without_a_due_day(today):
    assert not rules.proposal_overdue("accepted", today, today)
    assert rules.proposal_overdue("accepted", today - timedelta(days=1), today)
    assert not rules.proposal_overdue("accepted", None, today)
