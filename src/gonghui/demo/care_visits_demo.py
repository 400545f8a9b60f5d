"""Demo must-visit history for one union: 2024 to ``today``, every kind of life event with
its visit (amounts kept within the caps), two open tasks of which one is overdue, and the
union's care settings. Everything goes through the care services, as a user's work would."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from gonghui.care import ledger, rules, services
from gonghui.care.models import EventKind
from gonghui.core.models import OrgUnit, User
from gonghui.members.models import Member

RELATIVES = ("父亲", "母亲", "配偶", "岳父", "婆婆")
DETAILS = {
    "hospital": "县人民医院住院治疗，家属陪护。",
    "death_member": "因病医治无效去世，小组协助料理后事。",
    "death_relative": "直系亲属病故，已通知工会。",
    "wedding": "在本市举办婚礼。",
    "childbirth": "顺产一女，母女平安。",
    "retirement": "到龄退休，学校举行欢送会。",
    "misfortune": "家中突发火灾，损失较大。",
    "hardship": "配偶失业、子女上学，家庭困难。",
}


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange(max((end - start).days, 1)))


def _visit(
    *, union: OrgUnit, member: Member, actor: User | None, event_task: object, visited_on: date
) -> None:
    task = event_task
    room = ledger.cap_decision(
        member=member, item=task.cap_item, on=visited_on, amount=Decimal("0")
    ).room
    cash = task.standard_cash if room is None else min(task.standard_cash, room)
    gift_value = Decimal("0")
    if task.standard_gift:
        gift_value = Decimal("100") if room is None or cash + 100 <= room else Decimal("0")
    services.visit_record(
        actor=actor,
        member=member,
        task=task,
        kind=task.cap_item,
        visited_on=visited_on,
        visitors=task.who_visits or "工会委员",
        cash=rules.yuan(cash),
        gift_description=task.standard_gift if gift_value else "",
        gift_value=gift_value,
        notes="已慰问，转达工会关怀。",
        receipt_signed=True,
    )


def seed_care_visits(
    *,
    union: OrgUnit,
    members: Sequence[Member],
    actor: User | None,
    leader: User | None,
    today: date,
    rng: random.Random,
) -> None:
    """History from 2024-01-01 to ``today``. ``members`` are the union's members to draw
    from (at least two); the leader reports the events of their own group, ``actor`` (a
    chair or care cadre) the rest and records the visits."""
    services.care_province_set(actor=actor, union=union, province="安徽")
    pool = list(members)
    deceased: Member | None = None
    for year in range(2024, today.year + 1):
        start = date(year, 1, 1)
        end = min(date(year, 12, 31), today - timedelta(days=20))
        if end <= start:
            continue
        kinds = [k for k in EventKind.values if k != EventKind.DEATH_MEMBER]
        if year == today.year:
            kinds.append(EventKind.DEATH_MEMBER)  # once, in the last year, to no one reused
        for kind in kinds:
            living = [m for m in pool if m is not deceased]
            member = rng.choice(living)
            occurred = _day(rng, start, end)
            reporter = leader if leader and services.may_report_for(leader, member) else actor
            event = services.event_report(
                user=reporter,
                member=member,
                kind=kind,
                occurred_on=occurred,
                relative=rng.choice(RELATIVES) if kind == EventKind.DEATH_RELATIVE else "",
                details=DETAILS[kind],
                reported_on=occurred,
            )
            task = getattr(event, "task", None)
            if task is None:
                continue
            visited = min(
                occurred
                + timedelta(days=rng.randint(0, task.due_on.toordinal() - occurred.toordinal())),
                today,
            )
            _visit(union=union, member=member, actor=actor, event_task=task, visited_on=visited)
            if kind == EventKind.DEATH_MEMBER:
                deceased = member
    # Two tasks still open: one overdue (reported ten days ago), one due next week.
    living = [m for m in pool if m is not deceased]
    services.event_report(
        user=actor,
        member=living[0],
        kind=EventKind.HOSPITAL,
        occurred_on=today - timedelta(days=11),
        details="骨折住院，尚未探望。",
        reported_on=today - timedelta(days=10),
    )
    services.event_report(
        user=actor,
        member=living[-1],
        kind=EventKind.WEDDING,
        occurred_on=today + timedelta(days=14),
        details="下月举行婚礼。",
        reported_on=today,
    )
