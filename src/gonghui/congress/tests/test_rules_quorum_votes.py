"""Quorum and majority rules of a congress session, without a database.

Worked examples from 学校教职工代表大会规定 (教育部令第32号): a session needs at least two
thirds of all delegates present; a resolution needs yes votes from more than half of ALL
delegates, not of those present.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from gonghui.congress import rules
from gonghui.congress.rules import NATIONAL_DEFAULTS, PassBase

totals = st.integers(min_value=0, max_value=2000)
quorums = st.fractions(min_value=Fraction(1, 20), max_value=1, max_denominator=20)


@st.composite
def head_counts(draw: st.DrawFn) -> tuple[int, int, int, int, int]:
    """(total, present, yes, no, abstain) with cast ≤ present ≤ total."""
    total = draw(totals)
    present = draw(st.integers(0, total))
    yes = draw(st.integers(0, present))
    no = draw(st.integers(0, present - yes))
    abstain = draw(st.integers(0, present - yes - no))
    return total, present, yes, no, abstain


# ---- quorum -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "needed"), [(30, 20), (31, 21), (3, 2), (1, 1), (100, 67), (99, 66), (0, 0)]
)
def test_it_needs_two_thirds_of_all_delegates(total, needed):
    assert rules.quorum_needed(total, Fraction(2, 3)) == needed


def test_it_meets_the_quorum_at_exactly_two_thirds_and_not_one_below():
    assert rules.quorum_met(20, 30).met is True
    assert rules.quorum_met(19, 30).met is False


def test_it_has_no_quorum_without_delegates():
    result = rules.quorum_met(0, 0)
    assert result.met is False
    assert result.needed == 0


@given(total=totals, quorum=quorums)
def test_it_names_the_smallest_head_count_that_meets_the_quorum(total, quorum):
    needed = rules.quorum_needed(total, quorum)
    assume(total > 0)
    assert Fraction(needed, total) >= quorum
    assert Fraction(needed - 1, total) < quorum
    assert rules.quorum_met(needed, total, quorum).met
    if needed > 0:
        assert not rules.quorum_met(needed - 1, total, quorum).met


@given(total=st.integers(1, 2000), data=st.data())
def test_it_meets_two_thirds_exactly_when_three_present_reach_two_total(total, data):
    present = data.draw(st.integers(0, total))
    assert rules.quorum_met(present, total).met == (3 * present >= 2 * total)


@given(total=st.integers(1, 2000), data=st.data())
def test_it_never_loses_the_quorum_when_one_more_arrives(total, data):
    present = data.draw(st.integers(0, total - 1))
    if rules.quorum_met(present, total).met:
        assert rules.quorum_met(present + 1, total).met


@given(total=totals, present=st.integers(-5, 2100))
def test_it_refuses_more_present_than_delegates(total, present):
    assume(present < 0 or present > total)
    with pytest.raises(ValueError):
        rules.quorum_met(present, total)


# ---- majorities ---------------------------------------------------------------------------


@pytest.mark.parametrize(("base", "needed"), [(60, 31), (61, 31), (1, 1), (2, 2), (0, 1)])
def test_it_needs_more_than_half(base, needed):
    assert rules.majority_needed(base) == needed


def test_it_counts_the_majority_of_all_delegates_not_of_those_present():
    # 60 delegates, 45 present: 30 yes is half of all delegates, not more than half
    failed = rules.vote_passes(yes=30, no=10, abstain=5, total=60, present=45)
    assert failed.passed is False
    assert failed.needed == 31
    assert failed.reason == "short_of_majority"
    assert rules.vote_passes(yes=31, no=10, abstain=4, total=60, present=45).passed


def test_it_does_not_pass_a_tie_at_exactly_half():
    result = rules.vote_passes(yes=20, no=20, abstain=0, total=40, present=40)
    assert result.passed is False


def test_it_passes_nothing_without_a_base():
    result = rules.vote_passes(yes=0, no=0, abstain=0, total=0, present=0)
    assert result.passed is False
    assert result.reason == "no_base"


@pytest.mark.parametrize(
    ("base", "passed"),
    [(PassBase.ALL_DELEGATES, False), (PassBase.PRESENT, True), (PassBase.CAST, True)],
)
def test_it_takes_the_majority_of_the_base_the_rule_set_names(base, passed):
    # 100 delegates, 70 present, 50 cast, 40 yes
    rule_set = replace(NATIONAL_DEFAULTS, pass_base=base)
    result = rules.vote_passes(yes=40, no=6, abstain=4, total=100, present=70, rules=rule_set)
    assert result.passed is passed
    assert (
        result.base == {PassBase.ALL_DELEGATES: 100, PassBase.PRESENT: 70, PassBase.CAST: 50}[base]
    )


@given(counts=head_counts(), base=st.sampled_from(list(PassBase)))
def test_it_passes_exactly_when_yes_is_more_than_half_of_the_base(counts, base):
    total, present, yes, no, abstain = counts
    rule_set = replace(NATIONAL_DEFAULTS, pass_base=base)
    result = rules.vote_passes(
        yes=yes, no=no, abstain=abstain, total=total, present=present, rules=rule_set
    )
    expected_base = {
        PassBase.ALL_DELEGATES: total,
        PassBase.PRESENT: present,
        PassBase.CAST: yes + no + abstain,
    }[base]
    assert result.base == expected_base
    assert result.passed == (expected_base > 0 and 2 * yes > expected_base)
    assert (result.yes, result.no, result.abstain) == (yes, no, abstain)


@given(counts=head_counts())
def test_it_is_strictest_with_all_delegates_as_the_base(counts):
    total, present, yes, no, abstain = counts
    by = {
        b: rules.vote_passes(
            yes=yes,
            no=no,
            abstain=abstain,
            total=total,
            present=present,
            rules=replace(NATIONAL_DEFAULTS, pass_base=b),
        ).passed
        for b in PassBase
    }
    # passing on all delegates implies passing on those present, which implies on votes cast
    assert by[PassBase.ALL_DELEGATES] <= by[PassBase.PRESENT] <= by[PassBase.CAST]


@given(half=st.integers(1, 1000))
def test_it_never_passes_a_tie_between_yes_and_no_when_everyone_votes(half):
    total = 2 * half
    result = rules.vote_passes(yes=half, no=half, abstain=0, total=total, present=total)
    assert result.passed is False


@given(counts=head_counts(), extra=st.integers(1, 50))
def test_it_refuses_more_votes_than_delegates_present(counts, extra):
    total, present, yes, no, abstain = counts
    too_many = present - no - abstain + extra  # one more vote than heads in the hall
    with pytest.raises(ValueError):
        rules.vote_passes(
            yes=too_many, no=no, abstain=abstain, total=total + extra, present=present
        )
    with pytest.raises(ValueError):
        rules.vote_passes(yes=yes, no=no, abstain=abstain, total=total, present=total + extra)


def test_it_refuses_negative_counts():
    with pytest.raises(ValueError):
        rules.vote_passes(yes=-1, no=0, abstain=0, total=10, present=10)
