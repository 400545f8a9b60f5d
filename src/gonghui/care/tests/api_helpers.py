"""What the care API tests share: a token client and a few records in the school and in the
factory union (the "other union" of every IDOR check)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from gonghui.care import distributions, insurance, services
from gonghui.care.models import Distribution, LifeEvent, Visit, VisitTask
from gonghui.care.models.donations import InsurancePlan
from gonghui.core.models import User
from gonghui.testing.api import PREFIX, Api  # noqa: F401 - used by the tests that import from here


def today() -> date:
    return timezone.localdate()


@dataclass
class Records:
    task: VisitTask  # member B's hospital stay, overdue
    visit: Visit  # member B's birthday, a cake
    own_event: LifeEvent  # member A's wedding, reported by herself
    distribution: Distribution
    plan: InsurancePlan
    other_task: VisitTask  # the factory union's
    other_visit: Visit
    other_distribution: Distribution
    other_plan: InsurancePlan


def _distribution(union: Any, actor: User) -> Distribution:
    return distributions.distribution_plan(
        actor=actor,
        union=union,
        title=f"{today().year}年元旦慰问品",
        kind="festival",
        cap_item="festival",
        given_on=today(),
        amount_per_person=Decimal("300"),
        gift_description="米、油",
        criteria={"work_statuses": ["working"]},
    )


def _plan(union: Any, actor: User) -> InsurancePlan:
    year = today().year
    return insurance.plan_create(
        actor=actor,
        union=union,
        kind="inpatient",
        name="住院医疗互助保障",
        year=year,
        premium_per_person=Decimal("50"),
        period_start=date(year, 1, 1),
        period_end=date(year, 12, 31),
        claim_limit=Decimal("5000"),
    )


def make_records(world: Any) -> Records:
    ago = today() - timedelta(days=10)
    task = services.event_report(
        user=world.cadre, member=world.member_b, kind="hospital", occurred_on=ago, reported_on=ago
    ).task
    visit = services.visit_record(
        actor=world.cadre,
        member=world.member_b,
        kind="birthday",
        visited_on=today(),
        visitors="工会委员",
        gift_description="蛋糕",
        gift_value=Decimal("150"),
        notes="内部备注",
    )
    own_event = services.event_report(
        user=world.member, member=world.member_a, kind="wedding", occurred_on=today()
    )
    other_task = services.event_report(
        user=world.other_chair, member=world.outsider, kind="hospital", occurred_on=ago
    ).task
    other_visit = services.visit_record(
        actor=world.other_chair,
        member=world.outsider,
        kind="birthday",
        visited_on=today(),
        visitors="车间主任",
        cash=Decimal("100"),
    )
    return Records(
        task=task,
        visit=visit,
        own_event=own_event,
        distribution=_distribution(world.school, world.chair),
        plan=_plan(world.school, world.chair),
        other_task=other_task,
        other_visit=other_visit,
        other_distribution=_distribution(world.factory_union, world.other_chair),
        other_plan=_plan(world.factory_union, world.other_chair),
    )
