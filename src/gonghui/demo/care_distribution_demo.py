"""Demo distributions, made through the distribution services: two Mid-Autumn
distributions (2025 and 2026, handed out), Spring Festival 2026, this month's birthday cakes,
and heat relief for the high-temperature posts of an enterprise's workshops."""

from __future__ import annotations

from datetime import date

from gonghui.care import distributions as svc
from gonghui.care import rules
from gonghui.care.models import Distribution
from gonghui.core.models import OrgUnit, User


def _make(
    *, union: OrgUnit, actor: User, preset: str, on: date, **criteria: object
) -> Distribution:
    p = rules.PRESETS[preset]
    data = p.criteria.to_json()
    data.update(criteria)
    d = svc.distribution_plan(
        actor=actor,
        union=union,
        title=rules.preset_title(p, on),
        kind=p.kind,
        cap_item=p.cap_item,
        given_on=on,
        amount_per_person=p.amount,
        gift_description=p.gift,
        criteria=data,
    )
    svc.distribution_build(actor=actor, distribution=d, run_now=True)
    d.refresh_from_db()
    return d


def _hand_out(d: Distribution, actor: User) -> None:
    """Tick off everyone who may receive the gift, group by group, as on the day."""
    for g in svc.group_figures(d):
        lines = svc.waiting_lines(d, g.unit_id)
        if lines:
            svc.handout_mark(actor=actor, lines=lines, on=d.given_on)


def seed_distributions(
    *,
    union: OrgUnit,
    actor: User,
    today: date,
    enterprise: OrgUnit | None = None,
    enterprise_actor: User | None = None,
) -> None:
    """Distributions of ``union`` up to ``today``, planned and handed out by its chair
    ``actor``; with ``enterprise``, heat relief there too, by ``enterprise_actor`` (its
    chair or an administrator; ``actor`` when not given)."""
    plans = [
        ("mid_autumn", date(2025, 10, 1), "closed"),
        ("spring_festival", date(2026, 2, 10), "closed"),
        ("mid_autumn", date(2026, 9, 24), "handed"),
        ("birthday", date(today.year, today.month, 1), "ready"),
    ]
    for preset, on, state in plans:
        if on > today:
            continue
        criteria = {"birth_month": on.month} if preset == "birthday" else {}
        d = _make(union=union, actor=actor, preset=preset, on=on, **criteria)
        if state in ("closed", "handed"):
            _hand_out(d, actor)
        if state == "closed":
            svc.distribution_close(actor=actor, distribution=d)
    if enterprise is not None and date(2026, 7, 10) <= today:
        boss = enterprise_actor or actor
        d = _make(
            union=enterprise,
            actor=boss,
            preset="heat_relief",
            on=date(2026, 7, 10),
            # Hot and outdoor posts: the foundry and welding teams, boilers, forging.
            posts=["高温", "户外", "锻造", "锅炉", "铸造", "造型", "焊工"],
        )
        _hand_out(d, boss)
