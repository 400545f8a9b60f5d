"""Demo data for the congress set-up: a teachers' congress with term 8 (2024–2029), its
delegations and delegates, two past sessions and an upcoming one with a typical agenda.

Everything goes through ``congress.services`` so the audit trail is real. The roster is
close to the rules on purpose but with women a little under their share of staff, so the
composition warning has something to say on the demo's roster page.
"""

from __future__ import annotations

import math
import random
from datetime import date
from typing import Any

from gonghui.congress import services
from gonghui.congress.models import AgendaItem, SessionOfficer
from gonghui.core.models import OrgUnit, UnitKind, User
from gonghui.members.models import Member

TERM_STARTS, TERM_ENDS = date(2024, 3, 1), date(2029, 2, 28)
DELEGATE_SHARE = 0.10  # about one delegate in ten staff
LEADER_SHARE = 0.15  # under the 20% ceiling

PAY_PLAN_V1 = """第一章 总则
第一条 为体现多劳多得、优绩优酬，制定本方案。
第二章 分配办法
第二条 绩效工资分基础性绩效和奖励性绩效两部分，奖励性绩效占30%。
第三条 班主任津贴每月300元。
第四条 超课时津贴每节20元。
第三章 附则
第五条 本方案经教代会审议通过后实施。"""

PAY_PLAN_V2 = """第一章 总则
第一条 为体现多劳多得、优绩优酬，向一线教师倾斜，制定本方案。
第二章 分配办法
第二条 绩效工资分基础性绩效和奖励性绩效两部分，奖励性绩效占30%。
第三条 班主任津贴每月400元。
第四条 超课时津贴每节25元。
第五条 教研组长津贴每月150元。
第三章 附则
第六条 本方案经教代会审议通过后实施，由学校工会监督执行。"""

PAST_AGENDA = [
    ("report", "听取审议校长学校工作报告", "校长"),
    ("report", "听取审议学校财务工作报告", "总务主任"),
    ("report", "听取审议工会工作报告", "工会主席"),
]
UPCOMING_AGENDA = [
    ("report", "听取审议校长学校工作报告", "校长"),
    ("report", "听取审议学校财务工作报告", "总务主任"),
    ("report", "听取审议工会工作报告", "工会主席"),
    ("report", "听取上次会议提案办理情况报告", "提案工作委员会"),
    ("adopt", "审议通过《绩效工资分配方案》", "副校长"),
    ("appraisal", "民主评议学校领导班子和中层干部", "主席团"),
]


def _groups(union: OrgUnit) -> list[OrgUnit]:
    return list(
        OrgUnit.objects.filter(
            parent=union, kind__in=[UnitKind.UNION_GROUP, UnitKind.BRANCH_UNION]
        ).order_by("sort_order", "path")[:8]
    )


def _allot(sizes: list[int], seats: int) -> list[int]:
    """Seats per group in proportion to its members, at least one each (largest remainder)."""
    total = sum(sizes) or 1
    exact = [s * seats / total for s in sizes]
    out = [max(1, math.floor(e)) for e in exact]
    for i in sorted(range(len(sizes)), key=lambda i: exact[i] - math.floor(exact[i]), reverse=True):
        if sum(out) >= seats:
            break
        out[i] += 1
    return out


def seed_congress_structure(
    *,
    union: OrgUnit,
    members: list[Member],
    actor: User | None,
    today: date,
    rng: random.Random,
) -> dict[str, Any]:
    congress = services.congress_create(actor=actor, union=union, kind="teachers")
    term = services.term_start(
        actor=actor, congress=congress, number=8, starts_on=TERM_STARTS, planned_end_on=TERM_ENDS
    )
    groups = _groups(union) or [union]
    by_group = {g.pk: [m for m in members if m.unit_id == g.pk] for g in groups}
    sizes = [len(by_group[g.pk]) for g in groups]
    total = max(len(groups), round(len(members) * DELEGATE_SHARE))
    seats = _allot(sizes, total)
    shares = services.staff_shares(union, today)
    # One woman fewer than her share asks for, so the roster page shows the warning.
    women_left = max(0, math.ceil(float(shares.women) * total) - 1) if shares else 0
    leaders_left = math.floor(total * LEADER_SHARE)

    delegations, delegates = [], []
    for n, (group, n_seats) in enumerate(zip(groups, seats, strict=True)):
        # The first delegation keeps a vacant seat, as rosters usually have one.
        delegation = services.delegation_create(
            actor=actor,
            term=term,
            name=f"{group.name}代表团" if group != union else "第一代表团",
            seats=n_seats + (1 if n == 0 else 0),
            unit=group if group != union else None,
        )
        delegations.append(delegation)
        pool = sorted(by_group[group.pk], key=lambda m: m.person_id)
        rng.shuffle(pool)
        for _ in range(n_seats):
            if not pool:
                break
            women = [m for m in pool if m.person.gender == "F"]
            men = [m for m in pool if m.person.gender != "F"]
            pick = (women if women_left > 0 and women else men or women)[0]
            pool.remove(pick)
            women_left -= pick.person.gender == "F"
            is_leader = leaders_left > 0 and rng.random() < 0.3
            leaders_left -= is_leader
            voters = max(len(by_group[group.pk]), 1)
            delegates.append(
                services.delegate_elect(
                    actor=actor,
                    delegation=delegation,
                    person=pick.person,
                    elected_on=TERM_STARTS,
                    is_frontline=not is_leader,
                    is_leader=is_leader,
                    votes_received=rng.randint(math.ceil(voters * 0.6), voters),
                    voters_total=voters,
                )
            )

    sessions = []
    for held_on, title in (
        (date(2025, 4, 18), "第八届教职工代表大会第一次会议（春季）"),
        (date(2025, 11, 21), "第八届教职工代表大会第二次会议（秋季）"),
    ):
        s = services.session_create(actor=actor, term=term, held_on=held_on, title=title)
        for kind, item_title, presenter in PAST_AGENDA:
            services.agenda_item_add(
                actor=actor, session=s, kind=kind, title=item_title, presenter=presenter
            )
        sessions.append(s)
    upcoming = services.session_create(
        actor=actor,
        term=term,
        held_on=date(2026, 12, 20),
        title="第八届教职工代表大会第三次会议",
        venue="学术报告厅",
    )
    sessions.append(upcoming)
    items = [
        services.agenda_item_add(
            actor=actor, session=upcoming, kind=kind, title=item_title, presenter=presenter
        )
        for kind, item_title, presenter in UPCOMING_AGENDA
    ]
    pay_item = next(i for i in items if i.kind == AgendaItem.Kind.ADOPT)
    pay_document = services.document_add(
        actor=actor, item=pay_item, title="绩效工资分配方案", body=PAY_PLAN_V1
    )
    services.document_version_add(
        actor=actor,
        document=pay_document,
        body=PAY_PLAN_V2,
        change_note="根据各代表团讨论意见修改：提高班主任和超课时津贴，增设教研组长津贴",
    )
    for d, kind in zip(
        delegates[:5],
        [SessionOfficer.Kind.PRESIDIUM_CHAIR]
        + [SessionOfficer.Kind.PRESIDIUM] * 2
        + [SessionOfficer.Kind.SCRUTINEER] * 2,
        strict=False,
    ):
        services.officer_add(actor=actor, session=upcoming, person=d.person, kind=kind)
    return {
        "congress": congress,
        "term": term,
        "delegations": delegations,
        "delegates": delegates,
        "sessions": sessions,
        "items": items,
        "pay_document": pay_document,
    }
