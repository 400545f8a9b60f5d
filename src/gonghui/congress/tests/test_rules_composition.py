"""Roster composition and the other set-up rules (no database): hypothesis properties
and worked examples from the school staff congress rules."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from gonghui.congress import rules
from gonghui.congress.rules import RosterPerson, RuleSet, StaffShares, composition_check

people = st.builds(
    RosterPerson,
    frontline=st.booleans(),
    leader=st.booleans(),
    woman=st.booleans(),
    young=st.booleans(),
)
shares = st.builds(
    StaffShares,
    women=st.fractions(min_value=0, max_value=1),
    young=st.fractions(min_value=0, max_value=1),
)
rulesets = st.builds(
    RuleSet,
    frontline_min=st.fractions(min_value=0, max_value=1),
    leader_max=st.fractions(min_value=0, max_value=1),
)


def _codes(check: rules.CompositionCheck) -> set[str]:
    return {code for code, _message in check.warnings}


def _roster(frontline: int, leaders: int, women: int, young: int, total: int) -> list[RosterPerson]:
    return [
        RosterPerson(frontline=i < frontline, leader=i < leaders, woman=i < women, young=i < young)
        for i in range(total)
    ]


@given(roster=st.lists(people, max_size=60), staff=st.none() | shares, rs=rulesets)
def test_it_warns_exactly_when_a_share_crosses_its_bar(roster, staff, rs):
    check = composition_check(roster, staff, rs)
    total = len(roster)
    assert check.total == total
    assert check.frontline == sum(p.frontline for p in roster)
    assert check.leaders == sum(p.leader for p in roster)
    codes = _codes(check)
    if total == 0:
        assert codes == {"empty"}
        return
    assert ("frontline_low" in codes) == (Fraction(check.frontline, total) < rs.frontline_min)
    assert ("leaders_high" in codes) == (Fraction(check.leaders, total) > rs.leader_max)
    assert ("women_low" in codes) == (
        staff is not None and Fraction(check.women, total) < staff.women
    )
    assert ("young_low" in codes) == (
        staff is not None and Fraction(check.young, total) < staff.young
    )
    assert check.ok == (not codes)


@given(roster=st.lists(people, min_size=1, max_size=40), staff=shares)
def test_it_never_warns_more_when_a_woman_replaces_a_man(roster, staff):
    men = [i for i, p in enumerate(roster) if not p.woman]
    if not men:
        return
    before = composition_check(roster, staff)
    swapped = list(roster)
    p = swapped[men[0]]
    swapped[men[0]] = RosterPerson(
        frontline=p.frontline, leader=p.leader, woman=True, young=p.young
    )
    after = composition_check(swapped, staff)
    assert ("women_low" in _codes(after)) <= ("women_low" in _codes(before))


def test_it_accepts_exactly_60_percent_front_line_and_20_percent_leaders():
    # 30 delegates: 18 front-line (60%), 6 leaders (20%): both bars met exactly
    check = composition_check(_roster(18, 6, 15, 10, 30), None)
    assert check.ok


def test_it_warns_one_delegate_below_the_front_line_bar_and_above_the_leader_bar():
    check = composition_check(_roster(17, 7, 15, 10, 30), None)
    assert _codes(check) == {"frontline_low", "leaders_high"}
    message = dict(check.warnings)["frontline_low"]
    assert "17" in message and "57%" in message and "60%" in message


def test_it_warns_in_chinese_when_women_are_under_their_share_of_staff():
    # women are 55% of staff; 12 of 30 delegates (40%) are women
    check = composition_check(
        _roster(25, 3, 12, 10, 30), StaffShares(Fraction(55, 100), Fraction(1, 3))
    )
    assert _codes(check) == {"women_low"}
    assert dict(check.warnings)["women_low"] == "女代表占 40%，低于女职工占比 55%"


def test_it_treats_an_empty_roster_as_a_warning_only_once():
    check = composition_check([], StaffShares(Fraction(1, 2), Fraction(1, 3)))
    assert check.warnings == (("empty", "代表名单为空"),)


@given(seats=st.integers(0, 500), serving=st.integers(0, 500))
def test_it_counts_vacancies_as_seats_minus_serving(seats, serving):
    vacant = rules.seats_check(seats, serving)
    assert vacant + serving == seats
    assert (vacant > 0) == (serving < seats)


@given(staff=st.integers(0, 100_000))
def test_it_advises_an_all_staff_meeting_only_under_80_staff(staff):
    assert rules.should_use_all_staff_meeting(staff) == (staff < 80)


def test_it_draws_the_all_staff_line_between_79_and_80():
    assert rules.should_use_all_staff_meeting(79) and not rules.should_use_all_staff_meeting(80)


@given(day=st.dates(date(2000, 1, 1), date(2100, 1, 1)), days=st.integers(0, 90))
def test_it_closes_proposals_the_set_number_of_days_before_the_session(day, days):
    closes = rules.proposals_close_on(day, RuleSet(proposal_close_days=days))
    assert day - closes == timedelta(days=days)


def test_it_closes_proposals_15_days_before_by_default():
    assert rules.proposals_close_on(date(2026, 12, 20)) == date(2026, 12, 5)
