"""The distribution rules, without a database: bulk cap checks, birthdays across 29
February, the selection and its stored form."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from gonghui.care import rules

money = st.decimals(min_value=0, max_value=5000, places=2, allow_nan=False, allow_infinity=False)
positive = st.decimals(
    min_value=Decimal("0.01"), max_value=2000, places=2, allow_nan=False, allow_infinity=False
)
caps = st.one_of(st.none(), money)
spent_maps = st.dictionaries(st.integers(1, 50), money, max_size=30)


@given(spent=spent_maps, amount=positive, cap=caps)
def test_it_flags_exactly_the_lines_that_would_pass_the_cap(spent, amount, cap):
    ids = list(range(1, 51))
    plans = rules.plan_lines(ids, spent=spent, amount=amount, cap=cap)
    assert [p.member_id for p in plans] == ids
    for p in plans:
        so_far = spent.get(p.member_id, Decimal("0"))
        if cap is None:
            assert p.cap_state == "ok" and p.cap_room is None
        elif so_far + amount <= cap:
            assert p.cap_state == "ok"
            assert p.cap_room == max(cap - so_far, Decimal("0"))
        else:
            assert p.cap_state == "over"
            assert p.cap_room < amount


@given(spent=spent_maps, amount=positive, cap=caps, ids=st.lists(st.integers(1, 80), unique=True))
def test_it_plans_the_same_caps_from_the_default_and_the_exceptions(spent, amount, cap, ids):
    # the builder writes the default for everyone, then corrects the members with spending
    plan = rules.plan_caps(spent=spent, amount=amount, cap=cap)
    overlay = {m: (plan.default_state, plan.default_room) for m in ids}
    for decision, members in plan.changes.items():
        overlay.update({m: decision for m in members if m in overlay})
    expected = {
        p.member_id: (p.cap_state, p.cap_room)
        for p in rules.plan_lines(ids, spent=spent, amount=amount, cap=cap)
    }
    assert overlay == expected
    assert all(spent.get(m, 0) > 0 for members in plan.changes.values() for m in members)


@given(
    cap=money,
    amounts=st.lists(positive, min_size=1, max_size=8),
    start=spent_maps,
)
def test_it_never_lets_a_year_of_distributions_pass_the_cap_without_override(cap, amounts, start):
    # given members with what they already had this year (within the cap)
    spent = {m: min(v, cap) for m, v in start.items()}
    ids = list(range(1, 51))
    # when distribution after distribution is built and only allowed lines are handed out
    for amount in amounts:
        for p in rules.plan_lines(ids, spent=spent, amount=amount, cap=cap):
            if rules.may_hand_out(p.cap_state):
                spent[p.member_id] = spent.get(p.member_id, Decimal("0")) + p.amount
    # then nobody ends the year over the cap
    assert all(total <= cap for total in spent.values())


@given(
    lines=st.lists(st.tuples(st.sampled_from(["ok", "over", "overridden"]), positive), max_size=40)
)
def test_it_totals_only_what_may_be_handed_out(lines):
    t = rules.distribution_totals(lines)
    assert t.recipients == len(lines)
    assert t.over_cap == sum(1 for s, _a in lines if s == "over")
    assert t.total == sum((a for s, a in lines if s != "over"), Decimal("0"))


def test_it_treats_an_override_as_the_only_way_past_the_cap():
    assert rules.may_hand_out("ok") and rules.may_hand_out("overridden")
    assert not rules.may_hand_out("over")


def test_it_flags_the_worked_example_of_the_mid_autumn_gift():
    # Anhui: festival gifts ≤ ¥2,000 a year; ¥1,900 given at Spring Festival, ¥300 at Mid-Autumn
    [p] = rules.plan_lines(
        [7], spent={7: Decimal("1900")}, amount=Decimal("300"), cap=Decimal(2000)
    )
    assert (p.cap_state, p.cap_room) == ("over", Decimal("100.00"))


# ---- birthdays ------------------------------------------------------------------------------


@given(
    birth=st.dates(min_value=date(1930, 1, 1), max_value=date(2010, 12, 31)),
    year=st.integers(1990, 2100),
)
def test_it_selects_every_birthday_in_exactly_one_month(birth, year):
    months = [m for m in range(1, 13) if rules.born_in_month(birth, m, year)]
    assert months == [birth.month]
    assert rules.birthday_in(birth, year).year == year


@given(year=st.integers(1901, 2199))
def test_it_keeps_a_29_february_birthday_in_february(year):
    birth = date(1976, 2, 29)
    kept = rules.birthday_in(birth, year)
    assert kept.month == 2
    assert kept.day == (29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28)
    assert rules.born_in_month(birth, 2, year)
    assert not rules.born_in_month(birth, 3, year)


def test_it_does_not_select_a_member_without_a_birth_date():
    assert not any(rules.born_in_month(None, m, 2026) for m in range(1, 13))


# ---- selection ------------------------------------------------------------------------------

statuses = st.sampled_from(["active", "applied", "left", "transferred_out", "deceased"])
works = st.sampled_from(["working", "retired"])
emps = st.sampled_from(["permanent", "contract", "dispatched", "temporary"])
paths = st.sampled_from(["/1/2/", "/1/2/3/", "/1/2/4/", "/1/5/"])
posts = st.sampled_from(["", "语文教师", "户外巡检", "高温锻造", "会计"])
facts = st.builds(
    rules.MemberFacts,
    status=statuses,
    work_status=works,
    employment_type=emps,
    unit_path=paths,
    birth_date=st.one_of(
        st.none(), st.dates(min_value=date(1950, 1, 1), max_value=date(2005, 12, 31))
    ),
    post=posts,
)
criteria = st.builds(
    rules.Criteria,
    statuses=st.lists(statuses, min_size=1, max_size=3, unique=True).map(tuple),
    work_statuses=st.lists(works, max_size=2, unique=True).map(tuple),
    employment_types=st.lists(emps, max_size=3, unique=True).map(tuple),
    unit_ids=st.lists(st.integers(1, 9), max_size=3, unique=True).map(tuple),
    birth_month=st.one_of(st.none(), st.integers(1, 12)),
    posts=st.lists(st.sampled_from(["户外", "高温", "教师"]), max_size=2, unique=True).map(tuple),
)


@given(c=criteria)
def test_it_reads_back_the_criteria_it_stores(c):
    assert rules.criteria_from_json(c.to_json()) == c


@given(m=facts, c=criteria, extra=st.sampled_from(["work", "emp", "month", "post"]))
def test_it_never_selects_more_when_a_condition_is_added(m, c, extra):
    narrower = {
        "work": rules.Criteria(**{**c.__dict__, "work_statuses": ("retired",)}),
        "emp": rules.Criteria(**{**c.__dict__, "employment_types": ("contract",)}),
        "month": rules.Criteria(**{**c.__dict__, "birth_month": 2}),
        "post": rules.Criteria(**{**c.__dict__, "posts": ("高温",)}),
    }[extra]
    wide = rules.Criteria(**{**c.__dict__, "work_statuses": (), "employment_types": ()})
    wide = rules.Criteria(**{**wide.__dict__, "birth_month": None, "posts": ()})
    if rules.member_selected(m, narrower, unit_paths=(), year=2026):
        assert rules.member_selected(m, wide, unit_paths=(), year=2026)


@given(m=facts)
def test_it_selects_every_active_member_by_default(m):
    c = rules.criteria_from_json({})
    assert rules.member_selected(m, c, unit_paths=(), year=2026) == (m.status == "active")


def test_it_counts_members_of_units_below_a_chosen_group():
    m = rules.MemberFacts("active", "working", "permanent", "/1/2/3/", None, "")
    c = rules.Criteria(unit_ids=(2,))
    assert rules.member_selected(m, c, unit_paths=("/1/2/",), year=2026)
    assert not rules.member_selected(m, c, unit_paths=("/1/5/",), year=2026)


def test_it_refuses_a_birth_month_outside_the_year():
    import pytest

    for bad in (0, 13):
        with pytest.raises(ValueError):
            rules.criteria_from_json({"birth_month": bad})


def test_it_titles_each_preset_with_its_year():
    for p in rules.PRESETS.values():
        title = rules.preset_title(p, date(2027, 6, 1))
        assert "2027" in title
        assert p.amount > 0
    assert rules.PRESETS["double_ninth"].criteria.work_statuses == ("retired",)
    assert rules.PRESETS["mid_autumn"].cap_item == "festival"
