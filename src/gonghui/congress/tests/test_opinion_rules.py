"""The opinions rules without a database: the year's tally and its report sentence, which
outcome closes which item, and quota progress ("3510")."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from gonghui.congress import rules
from gonghui.congress.rules import OpinionFact

SOURCES = ["forum", "box", "hotline", "reception", "questionnaire", "evaluation", "proposal"]

opinion_facts = st.builds(
    OpinionFact,
    kind=st.sampled_from(["opinion", "rationalisation"]),
    source=st.sampled_from(SOURCES),
    received_on=st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31)),
    outcome=st.sampled_from(["", *rules.OPINION_OUTCOMES]),
    interview_count=st.integers(min_value=0, max_value=20),
    reward=st.decimals(min_value=0, max_value=10000, places=2),
)


def test_it_reads_like_the_real_work_report():
    # given the example of a school's year: 149 opinions, 140 rectified, 9 by phone,
    # 30 people interviewed
    items = [OpinionFact("opinion", "forum", date(2025, 5, 1), "rectified", 0)] * 110
    items += [OpinionFact("opinion", "forum", date(2025, 5, 1), "rectified", 1)] * 30
    items += [OpinionFact("opinion", "hotline", date(2025, 9, 1), "phone")] * 9
    # when
    tally = rules.opinion_tally(items, 2025)
    # then
    assert rules.opinion_summary_sentence(tally) == (
        "共收集意见建议149条，已整改落实140条，电话答复9条，约谈30人次。"
    )


def test_it_counts_items_in_the_year_they_were_received():
    items = [
        OpinionFact("opinion", "box", date(2025, 12, 31), "phone"),
        OpinionFact("opinion", "box", date(2026, 1, 1)),
    ]
    assert rules.opinion_tally(items, 2025).opinions == 1
    assert rules.opinion_tally(items, 2026).open_opinions == 1


@given(st.lists(opinion_facts, max_size=60), st.integers(min_value=2024, max_value=2027))
def test_it_keeps_the_tally_arithmetic_whole(items, year):
    t = rules.opinion_tally(items, year)
    in_year = [i for i in items if i.received_on.year == year]
    # every item of the year counted once, by kind and by source
    assert t.opinions + t.suggestions == len(in_year) == sum(t.by_source.values())
    # every opinion is open or has exactly one outcome
    opinion_outcomes = sum(t.by_outcome.values())
    assert opinion_outcomes + t.open_opinions == t.opinions
    assert t.suggestions_adopted + t.suggestions_not_adopted <= t.suggestions
    assert t.interviews == sum(i.interview_count for i in in_year)
    assert t.rewards >= 0 and t.rewards == t.rewards.quantize(Decimal("0.01"))


@given(st.lists(opinion_facts, max_size=40), st.integers(min_value=2024, max_value=2027))
def test_it_always_states_the_total_and_only_nonzero_parts(items, year):
    t = rules.opinion_tally(items, year)
    sentence = rules.opinion_summary_sentence(t)
    assert sentence.startswith(f"共收集意见建议{t.opinions}条")
    assert sentence.endswith("。")
    assert ("电话答复" in sentence) == bool(t.by_outcome["phone"])
    assert ("约谈" in sentence) == bool(t.interviews)
    assert ("合理化建议" in sentence) == bool(t.suggestions)


@given(
    st.sampled_from(["opinion", "rationalisation"]),
    st.sampled_from([*rules.OPINION_OUTCOMES, "bogus"]),
    st.integers(min_value=-3, max_value=5),
)
def test_it_lets_only_fitting_outcomes_close_an_item(kind, outcome, interviews):
    problem = rules.outcome_fits(kind, outcome, interviews)
    if outcome not in rules.OUTCOMES_BY_KIND[kind]:
        assert problem == "outcome"
    elif interviews < 0 or (outcome == "interview" and interviews == 0):
        assert problem == "interview_count"
    else:
        assert problem is None


@given(
    st.dictionaries(st.text(min_size=1, max_size=5), st.integers(0, 12), max_size=30),
    st.integers(0, 10),
)
def test_it_measures_quota_progress(counts, target):
    p = rules.quota_progress(counts, target)
    assert p.total == len(counts)
    assert p.met == sum(c >= target for c in counts.values())
    assert 0 <= p.percent <= 100
    for r in p.rows:
        assert r.met == (r.short == 0)
        assert r.count + r.short >= r.target
    # the furthest behind come first
    assert [r.short for r in p.rows] == sorted((r.short for r in p.rows), reverse=True)


def test_it_treats_a_zero_target_as_met_by_everyone():
    p = rules.quota_progress({"李芳": 0, "王强": 2}, 0)
    assert (p.met, p.percent) == (2, 100)
    assert rules.quota_progress({}, 3).percent == 0
