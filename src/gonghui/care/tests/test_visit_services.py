"""Must-visit services: reporting events, tasks, visits through the ledger's caps,
cancelling, reminders, the union's rule set, the statistics and the demo seeding."""

from __future__ import annotations

import io
import random
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from gonghui.care import cap_defaults, ledger, rules, services, stats
from gonghui.care.models import (
    CapItem,
    CarePayment,
    CareSettings,
    EventKind,
    LifeEvent,
    SpendingCap,
    Visit,
    VisitPhoto,
    VisitRule,
    VisitTask,
)
from gonghui.core.errors import DomainError
from gonghui.core.models import AuditEvent
from gonghui.demo.care_visits_demo import seed_care_visits
from gonghui.members.models import Member, MemberStatus
from gonghui.testing.care_factories import CarePaymentFactory

TZ = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 3, 10)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def _at(day: date):
    return time_machine.travel(datetime(day.year, day.month, day.day, 10, tzinfo=TZ), tick=False)


def _audits(action: str, obj) -> int:
    return AuditEvent.objects.filter(
        action=action, object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).count()


def _report(world, user=None, member=None, kind="hospital", **kw):
    kw.setdefault("occurred_on", TODAY)
    return services.event_report(
        user=user or world.group_leader, member=member or world.member_a, kind=kind, **kw
    )


def _visit(world, actor=None, member=None, **kw):
    kw.setdefault("kind", "hospital")
    kw.setdefault("visited_on", TODAY)
    kw.setdefault("visitors", "张主席、李组长")
    return services.visit_record(actor=actor or world.cadre, member=member or world.member_a, **kw)


@pytest.fixture(autouse=True)
def _clock():
    with _at(TODAY):
        yield


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


# ---- reporting ---------------------------------------------------------------------------


def test_it_turns_a_group_leaders_report_into_a_task_due_by_the_default_rule(world):
    event = _report(world, details="市人民医院 5 楼")
    task = event.task
    assert event.status == LifeEvent.Status.OPEN
    assert event.reported_by == world.group_leader
    assert task.due_on == date(2026, 3, 13)  # hospital: within 3 days
    assert task.standard_cash == Decimal("500.00")
    assert task.cap_item == "hospital"
    assert task.who_visits == "工会主席、小组长"
    assert _audits("care.event_report", event) == 1
    assert _audits("care.task_create", task) == 1


def test_it_lets_a_member_report_their_own_event(world):
    event = _report(world, user=world.member, kind="wedding", occurred_on=date(2026, 4, 18))
    assert event.task.due_on == date(2026, 3, 17)  # 7 days after the report


def test_it_uses_the_unions_own_rule(world):
    VisitRule.objects.create(
        union=world.school,
        event_kind="hospital",
        who_visits="分管副主席",
        standard_cash=Decimal("300"),
        deadline_days=1,
        cap_item="hospital",
    )
    task = _report(world).task
    assert (task.due_on, task.standard_cash, task.who_visits) == (
        date(2026, 3, 11),
        Decimal("300.00"),
        "分管副主席",
    )


def test_it_makes_no_task_when_the_rule_needs_no_visit(world):
    VisitRule.objects.create(
        union=world.school, event_kind="wedding", visit_required=False, cap_item="wedding"
    )
    event = _report(world, kind="wedding")
    assert event.status == LifeEvent.Status.CLOSED
    assert not VisitTask.objects.filter(event=event).exists()


def test_it_refuses_a_member_reporting_someone_elses_event(world):
    with pytest.raises(DomainError) as e:
        _report(world, user=world.member, member=world.member_b)
    assert e.value.code == "care.report_forbidden"
    assert not LifeEvent.objects.exists()


def test_it_refuses_a_group_leader_outside_their_group(world):
    with pytest.raises(DomainError) as e:
        _report(world, member=world.member_b)  # group B; the leader leads group A
    assert e.value.code == "care.report_forbidden"


def test_it_refuses_another_unions_cadre(world):
    with pytest.raises(DomainError) as e:
        _report(world, user=world.other_chair)
    assert e.value.code == "care.report_forbidden"


def test_it_refuses_a_member_who_left(world):
    world.member_b.status = MemberStatus.LEFT
    world.member_b.save()
    with pytest.raises(DomainError) as e:
        _report(world, user=world.cadre, member=world.member_b)
    assert e.value.code == "care.member_status"


def test_it_refuses_the_same_event_twice(world):
    _report(world)
    with pytest.raises(DomainError) as e:
        _report(world, user=world.cadre)
    assert e.value.code == "care.event_duplicate"
    assert VisitTask.objects.count() == 1


def test_it_asks_which_relative_died(world):
    with pytest.raises(DomainError) as e:
        _report(world, kind="death_relative")
    assert e.value.field == "relative"


@pytest.mark.parametrize("occurred", [date(2026, 6, 9), date(2025, 3, 1)])
def test_it_refuses_dates_far_from_the_report(world, occurred):
    with pytest.raises(DomainError) as e:
        _report(world, occurred_on=occurred)
    assert e.value.field == "occurred_on"


def test_it_dates_a_back_dated_report_by_its_day(world):
    event = _report(world, occurred_on=date(2026, 3, 1), reported_on=date(2026, 3, 2))
    assert event.task.due_on == date(2026, 3, 5)
    assert event.reported_at.astimezone(TZ).date() == date(2026, 3, 2)


# ---- visits and caps ---------------------------------------------------------------------


def test_it_records_a_visit_that_closes_the_task_and_posts_to_the_ledger(world):
    task = _report(world).task
    visit = _visit(
        world,
        task=task,
        cash=Decimal("500"),
        gift_description="水果",
        gift_value=Decimal("80.5"),
        receipt_signed=True,
    )
    task.refresh_from_db()
    assert task.status == VisitTask.Status.DONE and task.done_at is not None
    assert LifeEvent.objects.get(pk=task.event_id).status == LifeEvent.Status.VISITED
    payment = CarePayment.objects.get(source="visit", source_id=visit.pk)
    assert (payment.cash, payment.gift_value, payment.amount) == (
        Decimal("500.00"),
        Decimal("80.50"),
        Decimal("580.50"),
    )
    assert payment.cap_item == "hospital" and payment.year == 2026
    assert _audits("care.visit_record", visit) == 1
    assert _audits("care.payment", payment) == 1


def test_it_records_a_visit_without_money_and_posts_nothing(world):
    visit = _visit(world, notes="看望，未送物品")
    assert not CarePayment.objects.filter(source_id=visit.pk, source="visit").exists()


def test_it_refuses_a_visit_over_the_cap_and_keeps_nothing(world):
    # given ¥800 of the ¥1,000 hospital cap already given this year
    CarePaymentFactory(member=world.member_a, cap_item="hospital", gift_value=Decimal("800"))
    task = _report(world).task
    # when the cadre records ¥500 more
    with pytest.raises(DomainError) as e:
        _visit(world, task=task, cash=Decimal("500"), photos=[SimpleUploadedFile("a.png", PNG)])
    # then it is refused with the figures, and nothing of the visit remains
    assert e.value.code == "over_cap"
    assert "¥800.00" in e.value.message and "¥1000.00" in e.value.message
    assert not Visit.objects.exists() and not VisitPhoto.objects.exists()
    task.refresh_from_db()
    assert task.status == VisitTask.Status.OPEN


def test_it_refuses_an_override_from_a_cadre(world):
    CarePaymentFactory(member=world.member_a, cap_item="hospital", gift_value=Decimal("800"))
    with pytest.raises(DomainError) as e:
        _visit(world, cash=Decimal("500"), override_reason="病情危重")
    assert e.value.code == "override_not_allowed"
    assert not Visit.objects.exists()


def test_it_lets_the_chair_go_over_the_cap_with_a_reason_and_audits_it(world):
    CarePaymentFactory(member=world.member_a, cap_item="hospital", gift_value=Decimal("800"))
    visit = _visit(world, actor=world.chair, cash=Decimal("500"), override_reason="重病手术")
    payment = CarePayment.objects.get(source="visit", source_id=visit.pk)
    assert payment.override_reason == "重病手术"
    assert _audits("care.cap_override", payment) == 1
    assert ledger.spent(world.member_a, "hospital", 2026) == Decimal("1300.00")


def test_it_refuses_a_visit_by_someone_who_does_not_manage_care(world):
    for actor in (world.group_leader, world.other_chair, world.auditor):
        with pytest.raises(DomainError) as e:
            _visit(world, actor=actor)
        assert e.value.code == "forbidden"


def test_it_refuses_a_task_of_another_member_or_a_closed_task(world):
    task = _report(world).task
    with pytest.raises(DomainError) as e:
        _visit(world, member=world.member_b, task=task)
    assert e.value.code == "care.task_member"
    services.task_cancel(actor=world.cadre, task=task, reason="家属婉拒")
    with pytest.raises(DomainError) as e:
        _visit(world, task=task)
    assert e.value.code == "care.task_closed"


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"visited_on": date(2026, 3, 11)}, "visited_on"),
        ({"visitors": " "}, "visitors"),
        ({"gift_value": Decimal("50")}, "gift_description"),
        ({"cash": Decimal("-1")}, "cash"),
        ({"kind": "bonus"}, "kind"),
    ],
)
def test_it_names_the_field_of_a_bad_visit(world, kw, field):
    with pytest.raises(DomainError) as e:
        _visit(world, **kw)
    assert e.value.field == field


def test_it_stores_photos_under_random_names(world, tmp_path):
    visit = _visit(
        world,
        photos=[SimpleUploadedFile("../../病房.jpg", JPG), SimpleUploadedFile("b.PNG", PNG)],
    )
    photos = list(visit.photos.order_by("pk"))
    assert [p.file_name for p in photos] == ["病房.jpg", "b.PNG"]
    for p in photos:
        assert p.stored_path.startswith("care/visits/")
        assert "病房" not in p.stored_path
        assert (tmp_path / p.stored_path).read_bytes()[:3] in (JPG[:3], PNG[:3])


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("a.gif", b"GIF89a" + b"\x00" * 10, "upload.type"),
        ("a.jpg", b"<html>not a photo</html>", "upload.content"),
        ("a.png", JPG, "upload.content"),
        ("big.jpg", JPG + b"\x00" * (5 * 1024 * 1024), "upload.too_large"),
    ],
)
def test_it_refuses_a_bad_photo_and_leaves_no_file(world, tmp_path, name, content, code):
    with pytest.raises(DomainError) as e:
        _visit(world, photos=[SimpleUploadedFile("ok.png", PNG), SimpleUploadedFile(name, content)])
    assert e.value.code == code
    assert not Visit.objects.exists()
    folder = tmp_path / "care" / "visits"
    assert not folder.exists() or not any(folder.iterdir())


# ---- cancelling and reminding --------------------------------------------------------------


def test_it_cancels_a_task_with_a_reason(world):
    task = _report(world).task
    with pytest.raises(DomainError):
        services.task_cancel(actor=world.cadre, task=task, reason=" ")
    with pytest.raises(DomainError):
        services.task_cancel(actor=world.group_leader, task=task, reason="误报")
    services.task_cancel(actor=world.cadre, task=task, reason="误报")
    task.refresh_from_db()
    assert task.status == VisitTask.Status.CANCELLED and task.cancel_reason == "误报"
    assert LifeEvent.objects.get(pk=task.event_id).status == LifeEvent.Status.CLOSED
    assert _audits("care.task_cancel", task) == 1


def test_it_reminds_due_and_overdue_tasks_once_a_day(world):
    # given a hospital task due 03-13 and a wedding task due 03-17
    hospital = _report(world).task
    wedding = _report(world, member=world.member_a, kind="wedding").task
    # when nothing is due yet
    assert services.care_remind_overdue(date(2026, 3, 12)).reminded == []
    # then on the due day the hospital task is reminded, once that day
    with _at(date(2026, 3, 13)):
        assert services.care_remind_overdue(date(2026, 3, 13)).reminded == [hospital]
        assert services.care_remind_overdue(date(2026, 3, 13)).reminded == []
    # and the next days both, overdue, but never a done task
    with _at(date(2026, 3, 18)):
        reminded = services.care_remind_overdue(date(2026, 3, 18)).reminded
        assert set(reminded) == {hospital, wedding}
    hospital.refresh_from_db()
    assert hospital.reminded_at is not None
    _visit(world, task=wedding)
    with _at(date(2026, 3, 19)):
        assert services.care_remind_overdue(date(2026, 3, 19)).reminded == [hospital]
    assert AuditEvent.objects.filter(action="care.task_remind").count() == 4


def test_it_prints_the_reminders_per_union(world):
    _report(world)
    _report(world, user=world.other_chair, member=world.outsider)
    out = io.StringIO()
    with _at(date(2026, 3, 20)):
        call_command("care", "remind", stdout=out)
    text = out.getvalue()
    assert "第一中学工会" in text and "红星机械厂工会" in text
    assert "李芳" in text and "赵敏" in text and "2026-03-13" in text


def test_it_runs_the_reminder_as_a_background_task(world):
    from gonghui.care.tasks import care_remind_task

    _report(world)
    with _at(date(2026, 3, 20)):
        result = care_remind_task.enqueue()
    assert result.return_value == 1
    assert VisitTask.objects.get().reminded_at is not None


# ---- the rule set ----------------------------------------------------------------------------


def test_it_sets_the_province_and_its_caps_apply(world):
    assert ledger.cap_for(world.school, "hospital", 2026) == Decimal("1000.00")
    row = services.care_province_set(actor=world.chair, union=world.school, province="福建")
    assert CareSettings.objects.get(union=world.school).province == "福建"
    assert ledger.cap_for(world.school, "hospital", 2026) == Decimal("500.00")
    assert _audits("care.settings_province", row) == 1


def test_it_keeps_the_rule_set_to_the_chair(world):
    for actor in (world.cadre, world.admin, world.other_chair):
        with pytest.raises(DomainError):
            services.care_province_set(actor=actor, union=world.school, province="福建")
        with pytest.raises(DomainError):
            services.spending_cap_set(
                actor=actor, union=world.school, item="birthday", from_year=2026, amount=200
            )
    assert not CareSettings.objects.exists() and not SpendingCap.objects.exists()


def test_it_sets_a_stricter_union_cap_but_not_a_looser_one(world):
    row = services.spending_cap_set(
        actor=world.chair,
        union=world.school,
        item="birthday",
        from_year=2026,
        amount=Decimal("200"),
        source_note="教代会决议",
    )
    assert ledger.cap_for(world.school, "birthday", 2026) == Decimal("200.00")
    assert ledger.cap_for(world.school, "birthday", 2025) == Decimal("300.00")
    assert _audits("care.cap_set", row) == 1
    with pytest.raises(DomainError) as e:
        services.spending_cap_set(
            actor=world.chair, union=world.school, item="birthday", from_year=2026, amount=301
        )
    # the refusal names the provincial amount, the year it applies from and its source
    assert (e.value.code, e.value.field) == ("care.cap_above_province", "amount")
    assert "¥300.00" in e.value.message and "2018" in e.value.message
    assert rules.DEFAULT_CAPS_SOURCE in e.value.message
    assert SpendingCap.objects.get(union=world.school, item="birthday").amount == Decimal("200.00")
    # the province's own amount is allowed: the union's cap may equal it
    services.spending_cap_set(
        actor=world.chair, union=world.school, item="birthday", from_year=2026, amount=300
    )
    # an item the province does not cap may get any union cap
    services.spending_cap_set(
        actor=world.chair, union=world.school, item="heat_relief", from_year=2026, amount=400
    )
    assert ledger.cap_for(world.school, "heat_relief", 2026) == Decimal("400.00")


def _anhui_caps(world, from_year: int, item: str, amount: str, source: str) -> None:
    """The administrator enters a rule of 安徽 from a year on, as its document says."""
    cap_defaults.provincial_caps_add(
        actor=world.admin,
        province="安徽",
        from_year=from_year,
        amounts={item: amount},
        source_note=source,
    )


def test_it_checks_a_union_cap_against_the_provincial_rule_in_force_in_its_first_year(world):
    # 安徽 caps festival gifts at ¥1,500 from 2018 and ¥2,000 from 2021
    with pytest.raises(DomainError) as e:
        services.spending_cap_set(
            actor=world.chair, union=world.school, item="festival", from_year=2020, amount=1800
        )
    assert "¥1500.00" in e.value.message and "2018" in e.value.message
    services.spending_cap_set(
        actor=world.chair, union=world.school, item="festival", from_year=2021, amount=1800
    )
    # a provincial rule the administrator stored is named with its own source
    _anhui_caps(world, 2027, "festival", "1700", "皖工发〔2026〕9号")
    with pytest.raises(DomainError) as e:
        services.spending_cap_set(
            actor=world.chair, union=world.school, item="festival", from_year=2027, amount=1750
        )
    assert "¥1700.00" in e.value.message and "皖工发〔2026〕9号" in e.value.message
    assert "2027" in e.value.message and str(CapItem.FESTIVAL.label) in e.value.message
    assert not SpendingCap.objects.filter(union=world.school, from_year=2027).exists()
    # and the union's ¥1,800 from 2021, left standing, gives way to the province's ¥1,700
    assert ledger.cap_for(world.school, "festival", 2026) == Decimal("1800.00")
    assert ledger.cap_for(world.school, "festival", 2027) == Decimal("1700.00")


def test_a_union_cap_entered_late_is_checked_against_every_provincial_rule_since(world):
    # given 安徽 lowered its birthday cap from ¥300 (2018) to ¥250 from 2025, entered in 2024
    with _at(date(2024, 11, 1)):
        _anhui_caps(world, 2025, "birthday", "250", "皖工发〔2024〕12号")
    # when, in 2026, the chair enters a union cap of ¥280 from 2024 (under 2024's ¥300)
    with pytest.raises(DomainError) as e:
        services.spending_cap_set(
            actor=world.chair, union=world.school, item="birthday", from_year=2024, amount=280
        )
    # then it is refused: it would stand above the province's ¥250 in 2025 and 2026
    assert e.value.code == "care.cap_above_province"
    assert "¥250.00" in e.value.message and "2025" in e.value.message
    assert "皖工发〔2024〕12号" in e.value.message
    assert not SpendingCap.objects.filter(union=world.school).exists()
    # the strictest amount over those years is allowed
    services.spending_cap_set(
        actor=world.chair, union=world.school, item="birthday", from_year=2024, amount=250
    )
    # and once the union has its own row from 2025, the 2024 row governs 2024 alone
    services.spending_cap_set(
        actor=world.chair, union=world.school, item="birthday", from_year=2025, amount=200
    )
    row = services.spending_cap_set(
        actor=world.chair, union=world.school, item="birthday", from_year=2024, amount=280
    )
    assert row.amount == Decimal("280.00")
    assert ledger.cap_for(world.school, "birthday", 2024) == Decimal("280.00")
    assert ledger.cap_for(world.school, "birthday", 2026) == Decimal("200.00")


def test_it_shows_which_cap_applies_in_the_cap_table(world):
    services.spending_cap_set(
        actor=world.chair, union=world.school, item="birthday", from_year=2024, amount=280
    )
    lines = {c.item: c for c in services.cap_table(world.school, 2026)}
    assert (lines["birthday"].effective, lines["birthday"].applies) == (Decimal("280.00"), "union")
    assert (lines["festival"].effective, lines["festival"].applies) == (
        Decimal("2000.00"),
        "province",
    )
    assert (lines["heat_relief"].effective, lines["heat_relief"].applies) == (None, "")
    # the province lowers its birthday cap below the union's: the province's now applies
    SpendingCap.objects.create(province="安徽", item="birthday", from_year=2026, amount=250)
    line = next(c for c in services.cap_table(world.school, 2026) if c.item == "birthday")
    assert (line.union_cap, line.effective, line.applies, line.above_province) == (
        Decimal("280.00"),
        Decimal("250.00"),
        "province",
        True,
    )


def test_it_sets_a_visit_rule_within_the_cap(world):
    rule = services.visit_rule_set(
        actor=world.chair,
        union=world.school,
        event_kind="retirement",
        visit_required=True,
        who_visits="校长、工会主席",
        standard_cash=Decimal("800"),
        standard_gift="纪念册",
        deadline_days=10,
        cap_item="retirement",
    )
    assert services.visit_rule_for(world.school, "retirement").standard_cash == Decimal("800.00")
    assert _audits("care.visit_rule_set", rule) == 1
    with pytest.raises(DomainError) as e:
        services.visit_rule_set(
            actor=world.chair,
            union=world.school,
            event_kind="retirement",
            visit_required=True,
            who_visits="",
            standard_cash=Decimal("1200"),
            standard_gift="",
            deadline_days=10,
            cap_item="retirement",
        )
    assert e.value.field == "standard_cash"


def test_it_shows_every_item_in_the_cap_table_with_its_source(world):
    SpendingCap.objects.create(
        union=world.school, province="安徽", item="birthday", from_year=2024, amount=250
    )
    lines = {c.item: c for c in services.cap_table(world.school, 2026)}
    assert lines["birthday"].effective == Decimal("250") and lines["birthday"].provincial
    assert lines["festival"].effective == Decimal("2000.00")
    assert "2021" in lines["festival"].source
    assert lines["heat_relief"].effective is None


# ---- statistics ------------------------------------------------------------------------------


def test_it_counts_visits_households_and_net_amounts(world):
    # given three visits to two members this year, one corrected, and one last year
    v1 = _visit(world, cash=Decimal("500"))
    _visit(world, kind="birthday", gift_description="蛋糕", gift_value=Decimal("120"))
    _visit(world, member=world.member_b, cash=Decimal("300"), visited_on=date(2026, 2, 1))
    _visit(world, member=world.member_b, cash=Decimal("999"), visited_on=date(2025, 12, 31))
    ledger.payment_correct(
        actor=world.chair,
        payment=CarePayment.objects.get(source="visit", source_id=v1.pk),
        reason="重复录入",
    )
    _report(world, user=world.cadre, member=world.member_b, occurred_on=date(2026, 3, 1))
    # when the figures are computed later in March
    f = stats.care_figures(world.school, 2026, today=date(2026, 3, 20))
    # then
    assert (f.visits, f.households) == (3, 2)
    assert f.amount == Decimal("420.00")  # 500 − 500 + 120 + 300
    assert f.by_month[1] == 1 and f.by_month[2] == 2
    assert {k.kind: k.visits for k in f.by_kind} == {"hospital": 2, "birthday": 1}
    assert (f.open_tasks, f.overdue_tasks) == (1, 1)
    assert f.sentence == "慰问 3 户次（2 户），金额 ¥420.00"
    rows = {
        r.union.pk: r
        for r in stats.union_rows(
            [world.school, world.factory_union], 2026, today=date(2026, 3, 20)
        )
    }
    assert rows[world.school.pk].visits == 3 and rows[world.school.pk].amount == Decimal("420.00")
    assert rows[world.factory_union.pk].visits == 0


def test_it_hides_hardship_aid_from_a_history_reader_without_hardship_rights(world):
    CarePaymentFactory(
        member=world.member_a, cap_item="hardship", source="aid", cash=Decimal("900")
    )
    _visit(world, cash=Decimal("100"))
    assert len(stats.care_history(world.member_a, 2026, include_aid=True).payments) == 2
    reduced = stats.care_history(world.member_a, 2026, include_aid=False)
    assert [p.source for p in reduced.payments] == ["visit"]
    assert "hardship" not in {u.item for u in reduced.cap_use}


# ---- demo data ---------------------------------------------------------------------------------


def test_it_seeds_three_years_of_visits_within_the_caps(world):
    seed_care_visits(
        union=world.school,
        members=[world.member_a, world.member_b],
        actor=world.chair,
        leader=world.group_leader,
        today=TODAY,
        rng=random.Random(7),
    )
    kinds = set(LifeEvent.objects.values_list("kind", flat=True))
    assert kinds == set(EventKind.values)
    assert set(Visit.objects.values_list("visited_on__year", flat=True)) == {2024, 2025, 2026}
    open_tasks = VisitTask.objects.filter(status="open")
    assert open_tasks.count() == 2
    assert open_tasks.filter(due_on__lt=TODAY).count() == 1
    assert CareSettings.objects.filter(union=world.school).exists()
    assert not CarePayment.objects.exclude(override_reason="").exists()
    for p in CarePayment.objects.values("member", "cap_item", "year").distinct():
        cap = ledger.cap_for(world.school, p["cap_item"], p["year"])
        total = ledger.spent(Member.objects.get(pk=p["member"]), p["cap_item"], p["year"])
        assert cap is None or total <= cap
