"""The health, rest and retiree demo seeds real records through the services."""

from __future__ import annotations

import random
from datetime import date

import time_machine

from gonghui.care import health
from gonghui.care.models import Visit
from gonghui.care.models.health import (
    HealthCampaign,
    HealthCheck,
    RestParticipant,
    RestRotation,
    RetireeActivity,
)
from gonghui.demo.care_health_demo import seed_health_rest_retirees
from gonghui.members.models import Member, WorkStatus
from gonghui.testing.factories import MemberFactory


def test_it_seeds_two_years_of_health_rest_and_retiree_work(world):
    MemberFactory.create_batch(30, union=world.school, unit=world.group_a)
    MemberFactory.create_batch(4, union=world.school, work_status=WorkStatus.RETIRED)
    members = list(Member.objects.filter(union=world.school))
    with time_machine.travel("2026-12-01 10:00 +0800", tick=False):
        seed_health_rest_retirees(
            union=world.school,
            members=members,
            actor=None,
            today=date(2026, 12, 1),
            rng=random.Random(7),
        )
    assert HealthCampaign.objects.filter(kind="general").count() == 2
    assert HealthCampaign.objects.filter(kind="women").count() == 2
    for c in HealthCampaign.objects.filter(kind="general"):
        rate = health.campaign_progress(c).rate
        assert rate >= 85, rate
        assert c.checks.count() == 32  # the in-work members, never the retirees
    assert not HealthCheck.objects.filter(member__work_status=WorkStatus.RETIRED).exists()
    assert RestRotation.objects.count() == 4
    assert RestParticipant.objects.filter(status="gone").exists()
    assert Visit.objects.filter(kind="festival").count() == 8  # 4 retirees x 2 Double Ninths
    assert RetireeActivity.objects.filter(kind="activity").count() == 1


def test_it_dates_nothing_after_today(world):
    MemberFactory.create_batch(10, union=world.school)
    members = list(Member.objects.filter(union=world.school))
    with time_machine.travel("2025-06-01 10:00 +0800", tick=False):
        seed_health_rest_retirees(
            union=world.school,
            members=members,
            actor=None,
            today=date(2025, 6, 1),
            rng=random.Random(1),
        )
    assert set(HealthCampaign.objects.values_list("year", flat=True)) == {2025}
    assert not RestRotation.objects.exists()
    assert not HealthCheck.objects.filter(done_on__gt=date(2025, 6, 1)).exists()
