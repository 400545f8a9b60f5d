"""Demo health, rest and retiree work for one union: the March health-check months of 2025
and 2026 (about 95% done), a women's check, two rest rotations a year, the retirees'
Double Ninth visits and an outing. Everything goes through the care services; nothing is
dated after ``today``."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from gonghui.care import health, rest, retirees
from gonghui.care.models.health import HealthCheck
from gonghui.core.errors import DomainError
from gonghui.core.models import OrgUnit, User
from gonghui.members.models import Member, WorkStatus

YEARS = (2025, 2026)
DOUBLE_NINTH = {2025: date(2025, 10, 29), 2026: date(2026, 10, 18)}
EXCUSES = ("外出进修", "产假", "已在其他医院体检")
DESTINATIONS = (("暑期疗休养", "千岛湖", 7, 12), ("秋季疗休养", "黄山", 10, 20))


def _health(union: OrgUnit, actor: User | None, today: date, rng: random.Random, year: int) -> None:
    start, end = date(year, 3, 1), date(year, 3, 31)
    if start > today:
        return
    campaign = health.health_campaign_create(
        actor=actor,
        union=union,
        kind="general",
        title=f"{year}年教职工健康体检",
        provider="县人民医院体检中心",
        starts_on=start,
        ends_on=end,
    )
    health.health_checks_schedule(actor=actor, campaign=campaign, scheduled_on=date(year, 3, 10))
    women = health.health_campaign_create(
        actor=actor,
        union=union,
        kind="women",
        title=f"{year}年女职工“两癌”专项检查",
        provider="县妇幼保健院",
        starts_on=date(year, 3, 8),
        ends_on=end,
    )
    health.health_checks_schedule(actor=actor, campaign=women, scheduled_on=date(year, 3, 8))
    last = min(end, today)
    for c in (campaign, women):
        for check in HealthCheck.objects.filter(campaign=c).select_related("campaign__union"):
            roll = rng.random()
            if roll < 0.95:
                day = check.campaign.starts_on + timedelta(
                    days=rng.randrange(max((last - check.campaign.starts_on).days, 0) + 1)
                )
                health.health_check_mark(actor=actor, check=check, status="done", done_on=day)
            elif roll < 0.97:
                health.health_check_mark(
                    actor=actor, check=check, status="excused", note=rng.choice(EXCUSES)
                )


def _rest(union: OrgUnit, actor: User | None, today: date, rng: random.Random, year: int) -> None:
    for title, place, month, day in DESTINATIONS:
        starts = date(year, month, day)
        if starts > today:
            continue
        due = rest.due_list(union, year)
        capacity = min(max(len(due) // 6, 2), 20)
        rotation = rest.rest_rotation_create(
            actor=actor,
            union=union,
            title=f"{year}年{title}",
            destination=place,
            starts_on=starts,
            ends_on=starts + timedelta(days=4),
            capacity=capacity,
        )
        chosen = [d.member for d in due[:capacity]]
        if not chosen:
            continue
        for p in rest.rest_nominate(actor=actor, rotation=rotation, members=chosen):
            status = "declined" if rng.random() < 0.1 else "gone"
            rest.rest_mark(actor=actor, participant=p, status=status)


def _retirees(union: OrgUnit, actor: User | None, today: date, rng: random.Random) -> None:
    people = list(retirees.retirees(union).select_related("person"))
    if not people:
        return
    for year, day in DOUBLE_NINTH.items():
        if day > today:
            continue
        try:
            retirees.retiree_visit_round(
                actor=actor,
                union=union,
                title=f"{year}年重阳节慰问离退休教职工",
                visited_on=day,
                visitors="工会主席、退管会主任",
                cash=Decimal("200"),
            )
        except DomainError:
            # A retiree already at the festival cap this year: visit with greetings only.
            retirees.retiree_visit_round(
                actor=actor,
                union=union,
                title=f"{year}年重阳节慰问离退休教职工",
                visited_on=day,
                visitors="工会主席、退管会主任",
            )
    outing = date(2025, 5, 15)
    if outing <= today:
        retirees.retiree_activity_create(
            actor=actor,
            union=union,
            title="离退休教职工春季踏青",
            held_on=outing,
            kind="activity",
            participants=rng.sample(people, k=max(1, len(people) * 2 // 3)),
        )


def seed_health_rest_retirees(
    *,
    union: OrgUnit,
    members: Sequence[Member],
    actor: User | None,
    today: date,
    rng: random.Random,
) -> None:
    """Seed the union's health, rest and retiree records (``members`` is the union's roll;
    the services pick who is in work, who is a woman and who has retired)."""
    if not any(m.work_status == WorkStatus.WORKING for m in members):
        return
    for year in YEARS:
        _health(union, actor, today, rng, year)
        _rest(union, actor, today, rng, year)
    _retirees(union, actor, today, rng)
