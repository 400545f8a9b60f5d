"""care.cap_defaults: the provincial default caps, read as a table by year, and the three
changes an administrator makes to them (a new year, a correction, a withdrawal), with
their refusals and audit rows; and the rule that picks the cap in force."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError
from hypothesis import given
from hypothesis import strategies as st

from gonghui.care import cap_defaults, ledger, rules, services
from gonghui.care.models import CareSettings, SpendingCap
from gonghui.core.errors import DomainError
from gonghui.core.models import AuditEvent
from gonghui.testing.care_factories import CarePaymentFactory

SOURCE = "皖工发〔2026〕30号《安徽省基层工会经费收支管理实施细则》"


@pytest.fixture(autouse=True)
def _clock(time_machine):
    time_machine.move_to(datetime(2026, 6, 15, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)


def _add(world, year=2027, amounts=None, province="安徽", actor=None, source=SOURCE):
    return cap_defaults.provincial_caps_add(
        actor=actor or world.admin,
        province=province,
        from_year=year,
        amounts=amounts if amounts is not None else {"festival": "2200", "birthday": "350"},
        source_note=source,
    )


def _correct(world, amount="350", reason="录入错误，文件为350元", actor=None, **kw):
    args = {"province": "安徽", "item": "birthday", "from_year": 2018} | kw
    return cap_defaults.provincial_cap_correct(
        actor=actor or world.admin, amount=amount, reason=reason, **args
    )


def _withdraw(world, year=2027, reason="年份录错，应为2028年", province="安徽", actor=None):
    return cap_defaults.provincial_caps_withdraw(
        actor=actor or world.admin, province=province, from_year=year, reason=reason
    )


def _cap_events():
    return AuditEvent.objects.filter(action__startswith="care.provincial_cap").exists()


def _refusal(call, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as err:
        call(*args, **kwargs)
    return err.value


# ---- reads -------------------------------------------------------------------------------


def test_it_shows_the_built_in_provinces_by_year_with_the_rule_in_force(db):
    assert cap_defaults.provinces() == ["安徽", "福建", "贵州"]
    caps = cap_defaults.province_caps("安徽")
    assert [c.year for c in caps.years] == [2018, 2021]
    assert all(c.started and not c.withdrawable for c in caps.years)
    festival = next(line for line in caps.items if line.item == "festival")
    old, new = festival.cells
    assert (old.amount, old.in_force, new.amount, new.in_force) == (
        Decimal("1500.00"),
        False,
        Decimal("2000.00"),
        True,
    )
    assert festival.in_force == Decimal("2000.00") and new.built_in
    heat = next(line for line in caps.items if line.item == "heat_relief")
    assert heat.cells == [None, None] and heat.in_force is None
    assert caps.years[0].sources == [rules.DEFAULT_CAPS_SOURCE]


def test_it_prefills_a_new_year_from_each_items_newest_rule(db):
    latest = cap_defaults.latest_amounts("安徽")
    assert latest["festival"] == Decimal("2000.00") and latest["birthday"] == Decimal("300.00")
    assert "heat_relief" not in latest


def test_it_counts_the_unions_each_province_reaches(world):
    CareSettings.objects.create(union=world.factory_union, province="福建")
    assert cap_defaults.unions_by_province() == {"安徽": 1, "福建": 1}


# ---- a new year --------------------------------------------------------------------------


def test_it_adds_a_new_years_caps_that_apply_from_that_year_only(world):
    rows = _add(world)
    assert {(r.item, r.amount, r.union_id) for r in rows} == {
        ("festival", Decimal("2200.00"), None),
        ("birthday", Decimal("350.00"), None),
    }
    assert ledger.cap_for(world.school, "festival", 2027) == Decimal("2200.00")
    assert ledger.cap_for(world.school, "festival", 2026) == Decimal("2000.00")
    # an item the new document leaves out keeps its older rule
    assert ledger.cap_for(world.school, "hospital", 2027) == Decimal("1000.00")
    events = AuditEvent.objects.filter(action="care.provincial_cap_add")
    assert events.count() == 2 and {e.actor for e in events} == {world.admin}
    assert {e.after["amount"] for e in events} == {"2200.00", "350.00"}
    column = cap_defaults.province_caps("安徽").years[-1]
    assert (column.year, column.started, column.withdrawable) == (2027, False, True)
    assert column.sources == [SOURCE]


def test_it_refuses_a_year_the_province_already_has(world):
    built_in = _refusal(_add, world, year=2021)
    assert (built_in.code, built_in.field) == ("care.cap_year_exists", "from_year")
    assert "2021" in built_in.message
    _add(world)
    stored = _refusal(_add, world, amounts={"hospital": "1200"})
    assert stored.code == "care.cap_year_exists"
    assert not SpendingCap.objects.filter(item="hospital").exists()


def test_it_refuses_a_year_entered_by_another_administrator_a_moment_ago(world, monkeypatch):
    # given a year stored between this administrator's check and their write
    _add(world)
    monkeypatch.setattr(cap_defaults.ledger, "provincial_rows", lambda province: [])
    # when the write meets the database's constraint, then the same refusal, nothing stored
    err = _refusal(_add, world, amounts={"hospital": "1200", "festival": "2300"})
    assert err.code == "care.cap_year_exists"
    assert not SpendingCap.objects.filter(item="hospital").exists()
    assert SpendingCap.objects.get(item="festival").amount == Decimal("2200.00")


def test_it_enters_a_new_province_as_its_first_year(world):
    _add(
        world, year=2025, province="江苏", amounts={"festival": "1600"}, source="苏工发〔2025〕1号"
    )
    assert (
        "江苏" in cap_defaults.provinces() and "江苏" not in cap_defaults.provinces_without_caps()
    )
    CareSettings.objects.create(union=world.school, province="江苏")
    assert ledger.cap_for(world.school, "festival", 2026) == Decimal("1600.00")
    assert ledger.cap_for(world.school, "birthday", 2026) is None


@pytest.mark.parametrize(
    ("kw", "code", "field"),
    [
        ({"province": "火星"}, "care.province", "province"),
        ({"year": 1999}, "care.cap_year", "from_year"),
        ({"year": 2029}, "care.cap_year", "from_year"),  # more than two years ahead
        ({"source": "  "}, "care.cap_source", "source_note"),
        ({"source": "文" * 201}, "care.cap_source", "source_note"),
        ({"amounts": {}}, "care.caps_empty", None),
        ({"amounts": {"festival": "", "birthday": None}}, "care.caps_empty", None),
        ({"amounts": {"cash_card": "100"}}, "care.cap_item", "amount_cash_card"),
        ({"amounts": {"birthday": "0"}}, "care.cap_amount", "amount_birthday"),
    ],
)
def test_it_refuses_bad_input_for_a_new_year_and_stores_nothing(world, kw, code, field):
    err = _refusal(_add, world, **kw)
    assert (err.code, err.field) == (code, field) and err.message
    assert not SpendingCap.objects.exists() and not _cap_events()


@pytest.mark.parametrize(
    "amount", ["0", "0.00", "-5", "1.234", "50000.01", "abc", "NaN", "Infinity", ""]
)
def test_it_refuses_a_bad_amount_naming_the_field(world, amount):
    err = _refusal(_correct, world, amount=amount)
    assert (err.code, err.field) == ("care.cap_amount", "amount")
    assert not SpendingCap.objects.exists()


def test_it_takes_an_amount_with_two_places_up_to_the_bound(world):
    assert _correct(world, amount="0.01").amount == Decimal("0.01")
    assert _correct(world, amount=cap_defaults.MAX_CAP).amount == Decimal("50000.00")


def test_it_lets_only_an_administrator_change_provincial_caps(world):
    for user in (world.chair, world.cadre, world.upper_officer, world.other_chair):
        assert _refusal(_add, world, actor=user).code == "care.caps_forbidden"
        assert _refusal(_correct, world, actor=user).code == "care.caps_forbidden"
    assert not SpendingCap.objects.exists()


# ---- corrections -------------------------------------------------------------------------


def test_it_corrects_a_built_in_rule_by_storing_it_in_its_place_and_audits_before_and_after(
    world,
):
    row = _correct(world)
    assert (row.province, row.union_id, row.item, row.from_year) == ("安徽", None, "birthday", 2018)
    assert row.source_note == rules.DEFAULT_CAPS_SOURCE
    assert ledger.cap_for(world.school, "birthday", 2026) == Decimal("350.00")
    event = AuditEvent.objects.get(action="care.provincial_cap_correct")
    assert (event.before, event.after) == ({"amount": "300.00"}, {"amount": "350.00"})
    assert event.note == "录入错误，文件为350元" and event.actor == world.admin
    assert event.unit is None and event.object_id == str(row.pk)
    cell = cap_defaults.province_rule("安徽", "birthday", 2018)
    assert cell is not None and not cell.built_in and cell.amount == Decimal("350.00")


def test_it_corrects_a_stored_rule_in_place_with_its_source(world):
    _add(world)
    row = _correct(
        world, amount="2100", from_year=2027, item="festival", source_note="皖工发〔2026〕31号"
    )
    assert SpendingCap.objects.filter(item="festival", from_year=2027).count() == 1
    assert (row.amount, row.source_note) == (Decimal("2100.00"), "皖工发〔2026〕31号")
    event = AuditEvent.objects.get(action="care.provincial_cap_correct")
    assert event.before == {"amount": "2200.00", "source_note": SOURCE}
    history = cap_defaults.history("安徽")
    assert [h.what for h in history][:1] == [
        str(cap_defaults.AUDIT_LABELS["care.provincial_cap_correct"])
    ]
    assert (history[0].before, history[0].after) == ("2200.00", "2100.00")
    assert cap_defaults.history("福建") == []


def test_it_never_judges_payments_already_posted_again(world):
    # given a birthday gift at the old cap of ¥300
    CarePaymentFactory(member=world.member_a, cap_item="birthday", gift_value=Decimal("300"))
    # when the province's cap turns out to be ¥250
    _correct(world, amount="250")
    # then the payment stands, and the next one is checked against the new cap
    assert ledger.spent(world.member_a, "birthday", 2026) == Decimal("300.00")
    decision = ledger.cap_decision(
        member=world.member_a, item="birthday", on=datetime(2026, 7, 1).date(), amount=Decimal("1")
    )
    assert not decision.allowed and decision.cap == Decimal("250.00")


@pytest.mark.parametrize(
    ("kw", "code", "field"),
    [
        ({"reason": "  "}, "care.reason_required", "reason"),
        ({"reason": "因" * 301}, "care.reason_long", "reason"),
        ({"amount": "300"}, "care.cap_unchanged", "amount"),
        ({"from_year": 2019}, "care.cap_missing", None),
        ({"item": "heat_relief"}, "care.cap_missing", None),
        ({"item": "cash_card"}, "care.cap_item", "item"),
        ({"province": "火星"}, "care.province", "province"),
    ],
)
def test_it_refuses_a_bad_correction_and_changes_nothing(world, kw, code, field):
    err = _refusal(_correct, world, **kw)
    assert (err.code, err.field) == (code, field)
    assert not SpendingCap.objects.exists() and not _cap_events()


def test_it_keeps_one_rule_per_province_item_and_year_in_the_database(db):
    SpendingCap.objects.create(province="安徽", item="birthday", from_year=2030, amount=1)
    with pytest.raises(IntegrityError):
        SpendingCap.objects.create(province="安徽", item="birthday", from_year=2030, amount=2)


def test_it_flags_a_unions_own_cap_left_above_a_lower_provincial_cap(world):
    services.spending_cap_set(
        actor=world.chair, union=world.school, item="birthday", from_year=2024, amount=Decimal(280)
    )
    line = next(c for c in services.cap_table(world.school, 2026) if c.item == "birthday")
    assert (line.provincial_from, line.union_from, line.above_province) == (2018, 2024, False)
    assert line.provincial_source == rules.DEFAULT_CAPS_SOURCE
    _correct(world, amount="250")
    line = next(c for c in services.cap_table(world.school, 2026) if c.item == "birthday")
    assert (line.provincial, line.union_cap, line.above_province) == (
        Decimal("250.00"),
        Decimal("280.00"),
        True,
    )


# ---- withdrawals -------------------------------------------------------------------------


def test_it_withdraws_a_year_not_yet_in_force_keeping_its_content_in_the_audit_log(world):
    _add(world)
    assert _withdraw(world) == 2 and not SpendingCap.objects.exists()
    assert ledger.cap_for(world.school, "festival", 2027) == Decimal("2000.00")
    events = AuditEvent.objects.filter(action="care.provincial_cap_withdraw")
    assert {e.before["amount"] for e in events} == {"2200.00", "350.00"}
    assert {e.note for e in events} == {"年份录错，应为2028年"}


def test_it_refuses_to_withdraw_a_year_in_force_or_checked_against(world):
    _correct(world)  # a stored rule from 2018: in force
    assert _refusal(_withdraw, world, year=2018).code == "care.caps_in_force"
    _add(world)
    # a festival gift already recorded for early 2027 was checked against the 2027 caps
    CarePaymentFactory(member=world.member_a, paid_on=datetime(2027, 1, 2).date())
    assert _refusal(_withdraw, world).code == "care.caps_used"
    assert SpendingCap.objects.filter(from_year=2027).count() == 2
    assert not AuditEvent.objects.filter(action="care.provincial_cap_withdraw").exists()


def test_it_withdraws_when_only_another_provinces_unions_have_paid(world):
    _add(world, province="福建", amounts={"festival": "1400"}, source="闽工发〔2026〕9号")
    CarePaymentFactory(member=world.member_a, paid_on=datetime(2027, 1, 2).date())  # 安徽
    assert _withdraw(world, province="福建") == 1


def test_it_refuses_a_withdrawal_without_a_reason_or_by_a_chair(world):
    _add(world)
    err = _refusal(_withdraw, world, reason=" ")
    assert (err.code, err.field) == ("care.reason_required", "reason")
    assert _refusal(_withdraw, world, actor=world.chair).code == "care.caps_forbidden"
    assert _refusal(_withdraw, world, year=2028).code == "care.caps_none"
    assert SpendingCap.objects.count() == 2


# ---- the rule in force (pure) -------------------------------------------------------------

years = st.integers(min_value=2010, max_value=2030)
money = st.decimals(min_value=1, max_value=5000, places=2)
provincial_rows = st.dictionaries(years, money, max_size=5)  # one rule per year, as stored


@given(provincial_rows, provincial_rows, st.dictionaries(years, money, max_size=3), years)
def test_it_shows_the_row_whose_amount_the_checks_use(anhui, fujian, own, year):
    rows = [rules.CapRow("安徽", "birthday", y, a) for y, a in anhui.items()]
    rows += [rules.CapRow("福建", "birthday", y, a) for y, a in fujian.items()]
    rows += [rules.CapRow("安徽", "birthday", y, a, union_id=7) for y, a in own.items()]
    kw = {"province": "安徽", "union_id": 7, "item": "birthday", "year": year}
    row = rules.cap_row_in_force(rows, **kw)
    # the same amount the ledger checks against
    assert (row.amount if row else None) == rules.effective_cap(rows, **kw)

    # the lower of the union's own rule in force and 安徽's (安徽's on a tie), never 福建's
    def newest(by_year, rank, union_id):
        started = [y for y in by_year if y <= year]
        return [(by_year[max(started)], rank, union_id, max(started))] if started else []

    candidates = newest(anhui, 0, None) + newest(own, 1, 7)
    if candidates:
        _amount, _rank, union_id, from_year = min(candidates)
        assert (row.union_id, row.province, row.from_year) == (union_id, "安徽", from_year)
    else:
        assert row is None
