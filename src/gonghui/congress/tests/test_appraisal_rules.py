"""Appraisal rules without a database: shares that add up to 100, weighted scores,
participation, ranks, scales, submissions and paper counts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from gonghui.congress import rules

counts_lists = st.lists(st.integers(min_value=0, max_value=500), min_size=2, max_size=7)


@given(counts_lists, st.integers(min_value=0, max_value=2))
def test_it_makes_shares_add_up_to_exactly_100(counts, places):
    shares = rules.shares_percent(counts, places)
    if sum(counts) == 0:
        assert all(s == 0 for s in shares)
    else:
        assert sum(shares) == Decimal(100)
        # each share is within one last-place unit of the exact share
        unit = Decimal(1).scaleb(-places)
        for c, s in zip(counts, shares, strict=True):
            exact = Decimal(c) * 100 / Decimal(sum(counts))
            assert abs(s - exact) < unit


def test_it_rounds_thirds_by_largest_remainder():
    # 1/3 each: 33.3 + 33.3 + 33.3 = 99.9 with plain rounding; the earlier grade gets 0.1
    assert rules.shares_percent([1, 1, 1]) == [Decimal("33.4"), Decimal("33.3"), Decimal("33.3")]
    assert rules.shares_percent([2, 1, 0, 0]) == [Decimal("66.7"), Decimal("33.3"), 0, 0]


@given(counts_lists)
def test_it_scores_between_the_lowest_and_highest_points(counts):
    weights = [100, 80, 60, 0, 40, 20, 10][: len(counts)]
    score = rules.weighted_score(counts, weights)
    if sum(counts) == 0:
        assert score is None
    else:
        used = [w for c, w in zip(counts, weights, strict=True) if c]
        assert min(used) <= score <= max(used)


def test_it_scores_the_worked_example():
    # 30 优秀, 10 称职, 0 基本称职, 0 不称职 → (3000 + 800) / 40 = 95
    assert rules.weighted_score([30, 10, 0, 0], [100, 80, 60, 0]) == Decimal("95.00")
    assert rules.weighted_score([1, 1, 1, 0], [100, 80, 60, 0]) == Decimal("80.00")
    assert rules.weighted_score([2, 0, 1, 0], [100, 80, 60, 0]) == Decimal("86.67")


@given(st.integers(min_value=0, max_value=1000), st.integers(min_value=0, max_value=1000))
def test_it_computes_participation_and_flags_more_forms_than_raters(took, eligible):
    p = rules.participation_rate(took, eligible)
    assert p.over == (took > eligible)
    if eligible == 0:
        assert p.rate is None
    else:
        assert abs(p.rate - Decimal(took) * 100 / eligible) <= Decimal("0.05")


def test_it_reports_participation_to_one_place():
    assert rules.participation_rate(2, 3).rate == Decimal("66.7")
    assert rules.participation_rate(45, 45).rate == Decimal("100.0")


@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), min_size=1, max_size=10))
def test_it_ranks_equal_keys_equal_and_better_keys_higher(keys):
    ranks = rules.competition_ranks(keys)
    for i, a in enumerate(keys):
        for j, b in enumerate(keys):
            if a == b:
                assert ranks[i] == ranks[j]
            elif a > b:
                assert ranks[i] < ranks[j]
    assert min(ranks) == 1


def test_it_ranks_without_scores_by_share_of_the_best_grades():
    weights = [100, 80, 60, 0]
    a = rules.appraisal_rank_key([5, 5, 0, 0], weights, weighted=False)
    b = rules.appraisal_rank_key([5, 4, 1, 0], weights, weighted=False)
    nobody = rules.appraisal_rank_key([0, 0, 0, 0], weights, weighted=False)
    assert rules.competition_ranks([b, a, nobody]) == [2, 1, 3]


@given(
    st.lists(
        st.tuples(st.text(max_size=6), st.integers(min_value=-10, max_value=120)),
        max_size=9,
    )
)
def test_it_accepts_a_scale_only_with_2_to_7_distinct_named_grades(grades):
    problem = rules.scale_check(grades)
    labels = [label.strip() for label, _ in grades]
    valid = (
        2 <= len(grades) <= 7
        and all(labels)
        and len(set(labels)) == len(labels)
        and all(0 <= w <= 100 for _, w in grades)
    )
    assert (problem is None) == valid


def test_it_accepts_the_default_scale():
    assert rules.scale_check(list(rules.DEFAULT_APPRAISAL_SCALE)) is None


@given(
    st.sets(st.integers(1, 20), max_size=6),
    st.dictionaries(st.integers(1, 20), st.integers(-1, 5), max_size=6),
)
def test_it_accepts_a_submission_only_with_every_subject_graded_on_the_scale(subjects, grades):
    problem = rules.submission_check(subjects, grades, 4)
    valid = set(grades) == subjects and all(0 <= g < 4 for g in grades.values())
    assert (problem is None) == valid


@given(
    st.integers(min_value=-2, max_value=60),
    st.dictionaries(
        st.integers(1, 9), st.lists(st.integers(-1, 30), min_size=4, max_size=4), max_size=5
    ),
)
def test_it_refuses_paper_counts_above_the_number_of_forms(forms, counts):
    problems = rules.paper_counts_check(forms, counts, 4)
    bad_subjects = {
        s for s, row in counts.items() if any(c < 0 for c in row) or sum(row) > max(forms, 0)
    }
    assert {p.subject for p in problems if p.subject is not None} == bad_subjects
    assert any(p.subject is None for p in problems) == (forms <= 0)


def test_it_refuses_a_row_of_the_wrong_length():
    assert rules.paper_counts_check(10, {1: [1, 2]}, 4)[0].reason == "wrong_length"


def test_it_takes_ratings_only_inside_the_window_of_an_open_appraisal():
    opens, closes = date(2025, 12, 1), date(2025, 12, 10)
    assert rules.appraisal_window("open", opens, closes, date(2025, 12, 10)) == "open"
    assert rules.appraisal_window("open", opens, closes, date(2025, 12, 11)) == "closed"
    assert rules.appraisal_window("open", opens, closes, date(2025, 11, 30)) == "not_yet"
    assert rules.appraisal_window("draft", opens, closes, date(2025, 12, 5)) == "draft"
    assert rules.appraisal_window("closed", opens, closes, date(2025, 12, 5)) == "closed"


@given(
    st.sampled_from(["draft", "open", "closed"]),
    st.dates(min_value=date(2025, 1, 1), max_value=date(2025, 12, 31)),
    st.integers(min_value=0, max_value=30),
    st.dates(min_value=date(2024, 12, 1), max_value=date(2026, 2, 1)),
)
def test_it_takes_ratings_exactly_on_the_days_of_an_open_window(status, opens, days, today):
    closes = date.fromordinal(opens.toordinal() + days)
    window = rules.appraisal_window(status, opens, closes, today)
    assert (window == "open") == (status == "open" and opens <= today <= closes)


@given(counts_lists.filter(lambda c: len(c) == 4), counts_lists.filter(lambda c: len(c) == 4))
def test_it_ranks_by_score_when_scoring(a, b):
    weights = [100, 80, 60, 0]
    ka = rules.appraisal_rank_key(a, weights, weighted=True)
    kb = rules.appraisal_rank_key(b, weights, weighted=True)
    sa, sb = rules.weighted_score(a, weights), rules.weighted_score(b, weights)
    if sa is not None and sb is not None and sa != sb:
        # scores are rounded to 2 places, the key is exact: the order agrees when they differ
        assert (ka > kb) == (sa > sb)
    if sum(a) == 0 and sum(b) > 0:
        assert ka < kb
