"""Must-visit deadlines and spending caps: the pure rules (hypothesis) and, once, the ledger
that applies them to stored payments."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gonghui.care import ledger, rules
from gonghui.care.models import CarePayment
from gonghui.care.rules import (
    CapRow,
    cap_check,
    cap_row_in_force,
    effective_cap,
    is_overdue,
    strictest_provincial_row,
    visit_due_on,
)
from gonghui.core.errors import DomainError

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 1))
deadlines = st.integers(min_value=0, max_value=60)
money = st.decimals(min_value=Decimal("0"), max_value=Decimal("5000"), places=2)
positive = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("3000"), places=2)


# ---- deadlines -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reported", "deadline", "due"),
    [
        (date(2024, 2, 28), 1, date(2024, 2, 29)),  # leap year
        (date(2023, 2, 28), 1, date(2023, 3, 1)),
        (date(2024, 2, 29), 1, date(2024, 3, 1)),
        (date(2025, 1, 31), 3, date(2025, 2, 3)),  # month end
        (date(2025, 12, 30), 3, date(2026, 1, 2)),  # year end
        (date(2026, 2, 17), 3, date(2026, 2, 20)),  # Spring Festival 2026: no pause
        (date(2025, 1, 29), 7, date(2025, 2, 5)),  # Spring Festival 2025
        (date(2026, 5, 1), 0, date(2026, 5, 1)),  # same day
    ],
)
def test_it_counts_the_deadline_in_calendar_days(reported, deadline, due):
    assert visit_due_on(reported, deadline) == due


@given(days, deadlines)
def test_it_puts_the_due_date_exactly_deadline_days_after_the_report(reported, deadline):
    due = visit_due_on(reported, deadline)
    assert (due - reported).days == deadline
    assert due >= reported


@given(days, deadlines, deadlines)
def test_it_never_makes_a_longer_deadline_due_earlier(reported, a, b):
    low, high = sorted((a, b))
    assert visit_due_on(reported, low) <= visit_due_on(reported, high)


@given(days, st.integers(min_value=-400, max_value=-1))
def test_it_refuses_a_negative_deadline(reported, deadline):
    with pytest.raises(ValueError):
        visit_due_on(reported, deadline)


@given(days, st.integers(min_value=-30, max_value=30), st.booleans())
def test_it_calls_a_task_overdue_only_when_open_and_past_due(due, offset, done):
    today = due + timedelta(days=offset)
    assert is_overdue(due, done, today) == (not done and offset > 0)


# ---- caps ------------------------------------------------------------------------------


@given(st.lists(st.decimals(min_value=-500, max_value=3000, places=2), max_size=30), money)
def test_it_never_lets_allowed_payments_exceed_the_cap(amounts, cap):
    # given a sequence of attempted payments and corrections against one cap
    spent = Decimal("0.00")
    for amount in amounts:
        # when each is checked against what was allowed before it
        decision = cap_check(spent=spent, amount=amount, cap=cap)
        if decision.allowed:
            spent += rules.yuan(amount)
        # then the running total never goes over the cap without an override
        assert spent <= rules.yuan(cap)


@given(money, positive, money)
def test_it_refuses_over_the_cap_and_says_how_much_room_is_left(spent, amount, cap):
    decision = cap_check(spent=spent, amount=amount, cap=cap)
    room = max(rules.yuan(cap) - rules.yuan(spent), Decimal("0.00"))
    assert decision.room == room
    assert decision.allowed == (rules.yuan(amount) <= room)
    if not decision.allowed:
        assert f"¥{rules.yuan(cap)}" in decision.reason


@given(money, positive, money, st.text(min_size=1).filter(lambda s: s.strip()))
def test_it_allows_an_override_with_a_reason_and_marks_it(spent, amount, cap, reason):
    decision = cap_check(spent=spent, amount=amount, cap=cap, override_reason=reason)
    assert decision.allowed
    over = rules.yuan(amount) > max(rules.yuan(cap) - rules.yuan(spent), Decimal("0.00"))
    assert decision.overridden == over


@given(money, st.decimals(min_value=-5000, max_value=Decimal("-0.01"), places=2), money)
def test_it_always_allows_a_negative_correction(spent, amount, cap):
    assert cap_check(spent=spent, amount=amount, cap=cap).allowed


@given(money, money)
def test_it_allows_anything_for_an_uncapped_item(spent, amount):
    decision = cap_check(spent=spent, amount=amount, cap=None)
    assert decision.allowed and decision.room is None


years = st.integers(min_value=2010, max_value=2030)


# One rule per year on each side, as the database keeps them (a unique constraint).
yearly_rules = st.dictionaries(years, money, max_size=5)


def _in_force(by_year: dict[int, Decimal], year: int) -> Decimal | None:
    started = [y for y in by_year if y <= year]
    return by_year[max(started)] if started else None


@given(yearly_rules, yearly_rules, years)
def test_it_applies_the_lower_of_the_unions_rule_and_the_provinces(provincial, own, year):
    # given a province's rules and a union's own, each by the year it applies from
    rows = [CapRow("安徽", "birthday", y, a) for y, a in provincial.items()]
    rows += [CapRow("安徽", "birthday", y, a, union_id=7) for y, a in own.items()]
    # when the cap in force for a year is asked for
    kw = {"province": "安徽", "union_id": 7, "item": "birthday", "year": year}
    cap = effective_cap(rows, **kw)
    row = cap_row_in_force(rows, **kw)
    # then it is the lower of the two rules in force, either alone, or none
    present = [a for a in (_in_force(provincial, year), _in_force(own, year)) if a is not None]
    assert cap == (min(present) if present else None)
    # and a union's own rule never takes a member above the province's
    prov = _in_force(provincial, year)
    assert prov is None or cap <= prov
    # and the row shown on the pages is one of the rows given, deciding with its amount
    assert (row is None and cap is None) or (row in rows and row.amount == cap)


@given(yearly_rules, years)
def test_it_lets_the_province_alone_decide_when_the_union_is_not_asked(provincial, year):
    rows = [CapRow("安徽", "birthday", y, a) for y, a in provincial.items()]
    rows.append(CapRow("安徽", "birthday", 2000, Decimal("0.00"), union_id=7))
    kw = {"province": "安徽", "item": "birthday", "year": year}
    assert effective_cap(rows, union_id=None, **kw) == _in_force(provincial, year)


@given(yearly_rules, yearly_rules, years, st.integers(min_value=0, max_value=8))
def test_the_strictest_provincial_rule_over_years_is_the_lowest_in_force_in_any(
    provincial, other_item, start, span
):
    # given a province's rules of an item, rules of another item and a union's own row
    rows = [CapRow("安徽", "birthday", y, a) for y, a in provincial.items()]
    rows += [CapRow("安徽", "festival", y, a) for y, a in other_item.items()]
    rows.append(CapRow("安徽", "birthday", start, Decimal("0.00"), union_id=7))
    # when the strictest rule from one year to another is asked for
    row = strictest_provincial_row(
        rows, province="安徽", item="birthday", from_year=start, to_year=start + span
    )
    # then it is the lowest of the rules in force in those years, year by year
    in_force = [_in_force(provincial, y) for y in range(start, start + span + 1)]
    amounts = [a for a in in_force if a is not None]
    assert (row.amount if row else None) == (min(amounts) if amounts else None)
    # and it is a provincial row of the item, one in force in some year of the span
    assert row is None or (row in rows and row.union_id is None and row.item == "birthday")
    assert row is None or row.from_year <= start + span


def test_it_keeps_a_higher_union_cap_from_loosening_a_later_lowered_provincial_one():
    # given a union cap of ¥280 set in 2024 under the province's ¥300, and the province
    # lowering its cap to ¥250 from 2026
    rows = [
        CapRow("安徽", "birthday", 2018, Decimal("300.00")),
        CapRow("安徽", "birthday", 2024, Decimal("280.00"), union_id=7),
        CapRow("安徽", "birthday", 2026, Decimal("250.00")),
    ]
    kw = {"province": "安徽", "union_id": 7, "item": "birthday"}
    # then the union's stricter cap decides until 2025 and the province's from 2026
    assert cap_row_in_force(rows, year=2025, **kw) == rows[1]
    assert cap_row_in_force(rows, year=2026, **kw) == rows[2]
    # and on a tie the province's row decides
    rows.append(CapRow("安徽", "birthday", 2027, Decimal("250.00"), union_id=7))
    assert cap_row_in_force(rows, year=2027, **kw) == rows[2]


def test_it_ignores_another_unions_and_another_provinces_rows():
    rows = [
        CapRow("安徽", "hospital", 2018, Decimal("1000.00")),
        CapRow("福建", "hospital", 2018, Decimal("500.00")),
        CapRow("安徽", "hospital", 2020, Decimal("100.00"), union_id=99),
    ]
    assert effective_cap(rows, province="安徽", union_id=7, item="hospital", year=2026) == Decimal(
        "1000.00"
    )
    assert effective_cap(rows, province="福建", union_id=7, item="hospital", year=2026) == Decimal(
        "500.00"
    )


def test_it_uses_anhuis_later_festival_cap_from_2021():
    kw = {"province": "安徽", "union_id": None, "item": "festival"}
    assert effective_cap(list(rules.DEFAULT_CAPS), year=2020, **kw) == Decimal("1500.00")
    assert effective_cap(list(rules.DEFAULT_CAPS), year=2021, **kw) == Decimal("2000.00")


def test_it_keeps_every_default_visit_standard_under_the_strictest_cap():
    for rule in rules.DEFAULT_VISIT_RULES.values():
        for province in ("安徽", "福建"):
            cap = effective_cap(
                list(rules.DEFAULT_CAPS),
                province=province,
                union_id=None,
                item=rule.cap_item,
                year=2026,
            )
            assert cap is None or rule.standard_cash <= cap, (rule, province)


# ---- the ledger, with the database ------------------------------------------------------


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(amounts=st.lists(st.integers(min_value=1, max_value=800), min_size=1, max_size=6))
def test_it_never_posts_past_the_cap_in_the_ledger(world, amounts):
    # given a member of an 安徽 union (hospital cap ¥1,000) with nothing given this year
    CarePayment.objects.filter(member=world.member_b).delete()
    posted = Decimal("0.00")
    for n, amount in enumerate(amounts):
        # when the cadre posts each payment
        try:
            ledger.payment_post(
                actor=world.cadre,
                member=world.member_b,
                cap_item="hospital",
                paid_on=date(2026, 3, 1),
                cash=Decimal(amount),
                source="visit",
                source_id=n + 1,
            )
            posted += amount
        except DomainError as e:
            assert e.code == "over_cap"
    # then what was posted stays within the cap and matches the ledger's own sum
    assert posted <= Decimal("1000.00")
    assert ledger.spent(world.member_b, "hospital", 2026) == posted
