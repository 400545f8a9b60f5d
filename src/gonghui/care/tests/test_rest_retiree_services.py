"""Rest rotations (places, the due list, went/declined) and retirees (list, a festival
round through the visit service and its caps, activities)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from gonghui.care import rest, retirees, stats
from gonghui.care.models import CarePayment, SpendingCap, Visit
from gonghui.care.models.health import RestParticipant, RetireeActivity
from gonghui.core.errors import DomainError
from gonghui.core.models import AuditEvent
from gonghui.members.models import WorkStatus
from gonghui.testing.factories import MemberFactory, PersonFactory


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel("2026-10-20 10:00 +0800", tick=False):
        yield


def _rotation(world, capacity=2, start=date(2026, 7, 10), title="暑期疗休养"):
    return rest.rest_rotation_create(
        actor=world.chair,
        union=world.school,
        title=title,
        destination="千岛湖",
        starts_on=start,
        ends_on=start.replace(day=start.day + 4),
        capacity=capacity,
    )


@pytest.fixture
def retired(world):
    return [
        MemberFactory(
            union=world.school,
            work_status=WorkStatus.RETIRED,
            person=PersonFactory(name=name),
        )
        for name in ("张老师", "陈老师")
    ]


def test_it_creates_a_rotation_and_refuses_no_places(world):
    r = _rotation(world)
    assert r.year == 2026 and r.capacity == 2
    assert AuditEvent.objects.filter(action="care.rest_rotation_create").count() == 1
    with pytest.raises(DomainError) as err:
        _rotation(world, capacity=0)
    assert err.value.field == "capacity"


def test_it_nominates_within_the_places(world):
    r = _rotation(world, capacity=1)
    rest.rest_nominate(actor=world.cadre, rotation=r, members=[world.member_a])
    with pytest.raises(DomainError) as err:
        rest.rest_nominate(actor=world.cadre, rotation=r, members=[world.member_b])
    assert err.value.code == "care.rest_full"
    assert list(RestParticipant.objects.values_list("member_id", flat=True)) == [world.member_a.pk]


def test_it_refuses_a_member_twice_and_a_retiree(world, retired):
    r = _rotation(world, capacity=5)
    rest.rest_nominate(actor=world.cadre, rotation=r, members=[world.member_a])
    with pytest.raises(DomainError) as err:
        rest.rest_nominate(actor=world.cadre, rotation=r, members=[world.member_a])
    assert err.value.code == "care.rest_twice" and "李芳" in err.value.message
    with pytest.raises(DomainError) as err:
        rest.rest_nominate(actor=world.cadre, rotation=r, members=[retired[0]])
    assert err.value.code == "care.rest_member"
    with pytest.raises(DomainError):
        rest.rest_nominate(actor=world.cadre, rotation=r, members=[world.outsider])


def test_a_decline_frees_the_place(world):
    r = _rotation(world, capacity=1)
    [p] = rest.rest_nominate(actor=world.cadre, rotation=r, members=[world.member_a])
    rest.rest_mark(actor=world.cadre, participant=p, status="declined")
    rest.rest_nominate(actor=world.cadre, rotation=r, members=[world.member_b])
    assert RestParticipant.objects.filter(status="nominated").get().member == world.member_b
    with pytest.raises(DomainError) as err:
        rest.rest_mark(actor=world.cadre, participant=p, status="nominated")
    assert err.value.code == "care.rest_full"


def test_the_due_list_leaves_out_who_went_recently(world):
    # given member A went in 2025, member B went in 2022
    old = _rotation(world, capacity=5, start=date(2022, 7, 1), title="2022疗休养")
    recent = _rotation(world, capacity=5, start=date(2025, 7, 1), title="2025疗休养")
    [pb] = rest.rest_nominate(actor=world.chair, rotation=old, members=[world.member_b])
    [pa] = rest.rest_nominate(actor=world.chair, rotation=recent, members=[world.member_a])
    rest.rest_mark(actor=world.chair, participant=pb, status="gone")
    rest.rest_mark(actor=world.chair, participant=pa, status="gone")
    # when
    due = rest.due_list(world.school, 2026)
    # then
    assert [(d.member, d.last_gone_year) for d in due] == [(world.member_b, 2022)]
    assert {d.member for d in rest.due_list(world.school, 2026, every_years=1)} == {
        world.member_a,
        world.member_b,
    }
    assert [p.rotation for p in rest.rest_history(world.member_a)] == [recent]


def test_it_refuses_rest_work_in_another_union(world):
    r = _rotation(world)
    with pytest.raises(DomainError):
        rest.rest_nominate(actor=world.other_chair, rotation=r, members=[world.member_a])
    assert rest.rotation_for(world.other_chair, r.pk) is None


def _double_ninth_round(world, **gift) -> RetireeActivity:
    """The chair's Double Ninth round of the school's retirees: ¥200 each, and ``gift``."""
    return retirees.retiree_visit_round(
        actor=world.chair,
        union=world.school,
        title="重阳节慰问",
        visited_on=date(2026, 10, 18),
        visitors="工会主席",
        cash=Decimal("200"),
        **gift,
    )


def test_it_lists_retirees_with_their_visits(world, retired):
    _double_ninth_round(world)
    rows = retirees.retiree_rows(world.school)
    assert [r.member.person.name for r in rows] == ["张老师", "陈老师"]
    assert all(r.visits == 1 and r.last_visit == date(2026, 10, 18) for r in rows)
    history = retirees.retiree_history(retired[0], 2026)
    assert [v.cash for v in history.visits] == [Decimal("200.00")]


def test_a_festival_round_visits_every_retiree_through_the_ledger(world, retired):
    activity = _double_ninth_round(world, gift_description="重阳糕", gift_value=Decimal("50"))
    visits = Visit.objects.filter(kind="festival")
    assert {v.member_id for v in visits} == {m.pk for m in retired}
    assert CarePayment.objects.filter(source="visit").count() == 2
    assert sum(p.amount for p in CarePayment.objects.all()) == Decimal("500.00")
    assert activity.kind == RetireeActivity.Kind.FESTIVAL_VISIT
    assert set(activity.participants.all()) == set(retired)
    assert AuditEvent.objects.filter(action="care.retiree_visit_round").count() == 1
    assert AuditEvent.objects.filter(action="care.visit_record").count() == 2


def test_a_round_over_the_cap_records_nothing_and_names_the_retiree(world, retired):
    # given a union festival cap of 300 and one retiree already given 200
    SpendingCap.objects.create(
        province="安徽", union=world.school, item="festival", from_year=2020, amount=300
    )
    CarePayment.objects.create(
        union=world.school,
        member=retired[1],
        cap_item="festival",
        year=2026,
        paid_on=date(2026, 2, 1),
        cash=200,
        amount=200,
        source="distribution",
        source_id=1,
    )
    # when
    with pytest.raises(DomainError) as err:
        _double_ninth_round(world)
    # then
    assert "陈老师" in err.value.message
    assert not Visit.objects.exists()
    assert not RetireeActivity.objects.exists()


def test_it_records_an_activity_of_retirees_only(world, retired):
    a = retirees.retiree_activity_create(
        actor=world.cadre,
        union=world.school,
        title="秋游",
        held_on=date(2026, 10, 1),
        kind="activity",
        participants=retired,
    )
    assert a.participants.count() == 2
    with pytest.raises(DomainError) as err:
        retirees.retiree_activity_create(
            actor=world.cadre,
            union=world.school,
            title="秋游",
            held_on=date(2026, 10, 1),
            kind="activity",
            participants=[world.member_a],
        )
    assert err.value.field == "participants"
    assert RetireeActivity.objects.count() == 1


def test_the_care_figures_count_the_round(world, retired):
    retirees.retiree_visit_round(
        actor=world.chair,
        union=world.school,
        title="春节慰问",
        visited_on=date(2026, 2, 10),
        visitors="工会",
        cash=Decimal("300"),
    )
    figures = stats.care_figures(world.school, 2026, today=date(2026, 10, 20))
    assert (figures.visits, figures.amount) == (2, Decimal("600.00"))
