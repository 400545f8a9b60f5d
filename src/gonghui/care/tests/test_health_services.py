"""Health-check campaigns: creating, scheduling everyone or women only, marking done or
excused, progress, refusals and audit rows."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from gonghui.care import health
from gonghui.care.models.health import HealthCampaign, HealthCheck
from gonghui.core.errors import DomainError
from gonghui.core.models import AuditEvent
from gonghui.members.models import MemberStatus, WorkStatus
from gonghui.testing.factories import MemberFactory, PersonFactory

TODAY = date(2026, 3, 20)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel("2026-03-20 10:00 +0800", tick=False):
        yield


@pytest.fixture
def campaign(world):
    return health.health_campaign_create(
        actor=world.chair,
        union=world.school,
        kind="general",
        title="2026年教职工体检",
        provider="县人民医院",
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 3, 31),
    )


def test_it_creates_a_campaign_with_an_audit_row(world, campaign):
    assert campaign.year == 2026 and campaign.status == HealthCampaign.Status.OPEN
    assert AuditEvent.objects.filter(
        action="care.health_campaign_create", object_id=str(campaign.pk)
    ).exists()


def test_it_refuses_an_end_before_the_start(world):
    with pytest.raises(DomainError) as err:
        health.health_campaign_create(
            actor=world.chair,
            union=world.school,
            kind="general",
            title="体检",
            starts_on=date(2026, 3, 10),
            ends_on=date(2026, 3, 1),
        )
    assert err.value.field == "ends_on"
    assert not HealthCampaign.objects.exists()


def test_it_refuses_a_campaign_in_another_union(world):
    with pytest.raises(DomainError) as err:
        health.health_campaign_create(
            actor=world.other_chair,
            union=world.school,
            kind="general",
            title="体检",
            starts_on=date(2026, 3, 1),
            ends_on=date(2026, 3, 2),
        )
    assert err.value.code == "forbidden"


def test_it_schedules_active_members_in_work_only_once(world, campaign):
    # given a retiree and a member who left, who are not checked by the union
    MemberFactory(union=world.school, work_status=WorkStatus.RETIRED)
    MemberFactory(union=world.school, status=MemberStatus.LEFT)
    # when
    added = health.health_checks_schedule(
        actor=world.cadre, campaign=campaign, scheduled_on=date(2026, 3, 12)
    )
    again = health.health_checks_schedule(
        actor=world.cadre, campaign=campaign, scheduled_on=date(2026, 3, 13)
    )
    # then
    members = set(HealthCheck.objects.values_list("member_id", flat=True))
    assert added == 2 and again == 0
    assert members == {world.member_a.pk, world.member_b.pk}
    assert AuditEvent.objects.filter(action="care.health_schedule").count() == 2


def test_it_schedules_only_women_for_a_womens_check(world):
    MemberFactory(union=world.school, person=PersonFactory(gender="F"))
    women = health.health_campaign_create(
        actor=world.chair,
        union=world.school,
        kind="women",
        title="女职工专项检查",
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 3, 31),
    )
    added = health.health_checks_schedule(
        actor=world.chair, campaign=women, scheduled_on=date(2026, 3, 8)
    )
    assert added == 2
    genders = set(HealthCheck.objects.values_list("member__person__gender", flat=True))
    assert genders == {"F"}


def test_it_refuses_a_check_day_outside_the_campaign(world, campaign):
    with pytest.raises(DomainError) as err:
        health.health_checks_schedule(
            actor=world.chair, campaign=campaign, scheduled_on=date(2026, 4, 2)
        )
    assert err.value.field == "scheduled_on"
    assert not HealthCheck.objects.exists()


def test_it_marks_done_and_excused_and_computes_progress(world, campaign):
    health.health_checks_schedule(actor=world.chair, campaign=campaign, scheduled_on=TODAY)
    a = HealthCheck.objects.get(member=world.member_a)
    b = HealthCheck.objects.get(member=world.member_b)
    # when
    health.health_check_mark(actor=world.chair, check=a, status="done", done_on=TODAY)
    progress = health.campaign_progress(campaign)
    # then
    assert (progress.total, progress.done, progress.scheduled) == (2, 1, 1)
    assert str(progress.rate) == "50.0"
    health.health_check_mark(actor=world.chair, check=b, status="excused", note="外地进修")
    progress = health.campaign_progress(campaign)
    assert (progress.excused, str(progress.rate)) == (1, "100.0")
    a.refresh_from_db()
    assert a.done_on == TODAY
    assert AuditEvent.objects.filter(action="care.health_check_mark").count() == 2


def test_it_refuses_an_excuse_without_reason_and_a_future_done_day(world, campaign):
    health.health_checks_schedule(actor=world.chair, campaign=campaign, scheduled_on=TODAY)
    check = HealthCheck.objects.get(member=world.member_a)
    with pytest.raises(DomainError) as err:
        health.health_check_mark(actor=world.chair, check=check, status="excused")
    assert err.value.field == "note"
    with pytest.raises(DomainError) as err:
        health.health_check_mark(
            actor=world.chair, check=check, status="done", done_on=date(2026, 3, 25)
        )
    assert err.value.field == "done_on"
    check.refresh_from_db()
    assert check.status == HealthCheck.Status.SCHEDULED


def test_it_refuses_changes_to_a_closed_campaign(world, campaign):
    health.health_checks_schedule(actor=world.chair, campaign=campaign, scheduled_on=TODAY)
    health.health_campaign_close(actor=world.chair, campaign=campaign)
    check = HealthCheck.objects.get(member=world.member_a)
    with pytest.raises(DomainError) as err:
        health.health_check_mark(actor=world.chair, check=check, status="done")
    assert err.value.code == "care.health_closed"


def test_it_refuses_a_group_leader_marking_checks(world, campaign):
    health.health_checks_schedule(actor=world.chair, campaign=campaign, scheduled_on=TODAY)
    check = HealthCheck.objects.get(member=world.member_a)
    with pytest.raises(DomainError):
        health.health_check_mark(actor=world.group_leader, check=check, status="done")
    assert not AuditEvent.objects.filter(action="care.health_check_mark").exists()


def test_it_scopes_campaigns_to_the_managing_union(world, campaign):
    assert health.campaign_for(world.cadre, campaign.pk) == campaign
    assert health.campaign_for(world.other_chair, campaign.pk) is None
    assert health.campaign_for(world.upper_officer, campaign.pk) is None
