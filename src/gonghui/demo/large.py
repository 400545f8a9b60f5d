"""The large data set for benchmarks: the demo world, then many more unions of the same
shape under 青山县总工会 until the database holds ``members`` members.

Speed matters here (200,000 members in a few minutes on SQLite and PostgreSQL, under
~1 GB of memory), so below the demo world the rows are written with ``bulk_create``, one
union at a time: persons, then members, then one membership event per member. No
per-row service calls; one audit event records the whole load.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from gonghui.core.models import OrgUnit, Person, UnitKind
from gonghui.core.services import audit
from gonghui.members.models import (
    EmploymentType,
    Member,
    MembershipEvent,
    MemberStatus,
    WorkStatus,
)

from .logins import EDU, FED
from .people import Folk, years_before
from .seed import DEFAULT_SEED, DEMO_TODAY, MIDDLE_GROUPS, DemoWorld, seed_demo

Out = Callable[[str], None]
MEMBERS_PER_UNION = 1000
MIN_MEMBERS = 1000
GROUPS_PER_UNION = 12

TOWNS = [
    "城关镇",
    "石桥镇",
    "东岭乡",
    "柳溪镇",
    "白云乡",
    "龙泉镇",
    "大坪乡",
    "枫林镇",
    "杨梅乡",
    "桃源镇",
    "梅江镇",
    "黄竹乡",
    "长岗乡",
    "青塘镇",
    "洛口镇",
    "固村镇",
]
FIRM_WORDS = [
    "宏达",
    "鑫源",
    "华兴",
    "金桥",
    "恒通",
    "瑞丰",
    "永安",
    "东方",
    "新华",
    "长城",
    "九州",
    "天成",
    "汇丰",
    "隆昌",
    "同创",
    "博远",
    "安泰",
    "中联",
    "海川",
    "盛世",
    "明珠",
    "开元",
    "兴业",
    "顺达",
    "富民",
    "嘉禾",
    "万象",
    "远航",
    "金鼎",
    "红日",
]
INDUSTRIES = [
    "机械制造",
    "电子科技",
    "纺织服装",
    "食品加工",
    "建材",
    "化工",
    "矿业",
    "物流",
    "农业开发",
    "家具制造",
    "印刷包装",
    "新能源",
    "汽车零部件",
    "医药",
    "稀土材料",
]
SCHOOL_KINDS = ("中学", "中心小学", "实验学校", "幼儿园", "职业中学")
CN_NUMBERS = "〇一二三四五六七八九十"
WORKSHOPS = ("一车间", "二车间", "三车间", "四车间")
TEAMS = ("甲班", "乙班", "丙班")
FIRM_GROUPS = ("质检班组", "仓储物流班组", "机关科室组")

SCHOOL_POSTS = ("语文教师", "数学教师", "英语教师", "物理教师", "班主任", "体育教师", "会计")
WORKER_POSTS = ("车工", "钳工", "焊工", "装配工", "电工", "质检员", "仓管员", "叉车司机")
E = EmploymentType
SCHOOL_MIX = ((E.PERMANENT, 85), (E.CONTRACT, 12), (E.TEMPORARY, 3))
FIRM_MIX = (
    (E.PERMANENT, 35),
    (E.CONTRACT, 30),
    (E.DISPATCHED, 12),
    (E.SEASONAL, 8),
    (E.MIGRANT, 13),
    (E.TEMPORARY, 2),
)
# Final status of a member, and the one event that records how they got there.
STATUS_MIX = (
    (MemberStatus.ACTIVE, 930),
    (MemberStatus.APPLIED, 15),
    (MemberStatus.TRANSFERRED_OUT, 20),
    (MemberStatus.LEFT, 25),
    (MemberStatus.DECEASED, 5),
    (MemberStatus.REJECTED, 5),
)
EVENT_FOR_STATUS = {
    MemberStatus.APPLIED: MembershipEvent.Kind.APPLIED,
    MemberStatus.REJECTED: MembershipEvent.Kind.REJECTED,
}


@dataclass
class _Union:
    unit: OrgUnit
    school: bool
    groups: list[OrgUnit]
    size: int


def _split(total: int, parts: int, rng: random.Random, spread: float = 0.4) -> list[int]:
    """``total`` split into ``parts`` uneven whole shares that add up exactly."""
    weights = [rng.uniform(1 - spread, 1 + spread) for _ in range(parts)]
    scale = total / sum(weights)
    sizes = [int(w * scale) for w in weights]
    for i in range(total - sum(sizes)):
        sizes[i % parts] += 1
    return sizes


class _Tree:
    """Creates units in bulk, level by level, with their materialised paths."""

    def __init__(self) -> None:
        self.count = 0

    def add(self, parent: OrgUnit, rows: list[tuple[str, str, str, int]]) -> list[OrgUnit]:
        """rows: (name, code, kind, sort_order) children of ``parent``."""
        units = OrgUnit.objects.bulk_create(
            [
                OrgUnit(
                    name=name,
                    code=code,
                    kind=kind,
                    parent=parent,
                    depth=parent.depth + 1,
                    sort_order=sort,
                )
                for name, code, kind, sort in rows
            ]
        )
        for u in units:
            u.path = f"{parent.path}{u.pk}/"
        OrgUnit.objects.bulk_update(units, ["path"])
        self.count += len(units)
        return units


def build_tree(unions: int, rng: random.Random, total: int) -> list[_Union]:
    """About 45% school unions under the education union (a third of them central schools
    with three branch schools), the rest enterprises under town federations."""
    fed = OrgUnit.objects.get(code=FED)
    edu = OrgUnit.objects.get(code=EDU)
    tree = _Tree()
    sizes = _split(total, unions, rng)
    n_schools = round(unions * 0.45)
    towns = tree.add(
        fed,
        [
            (f"{t}总工会", f"BT{i:02d}", UnitKind.FEDERATION, 20 + i)
            for i, t in enumerate(TOWNS[: max(1, min(len(TOWNS), (unions - n_schools) // 8 + 1))])
        ],
    )
    result: list[_Union] = []
    seen: dict[tuple[str, str], int] = {}
    for i in range(unions):
        code = f"B{i:04d}"
        school = i < n_schools
        if school:
            town = TOWNS[i % len(TOWNS)]
            kind = "中心学校" if i % 3 == 0 else SCHOOL_KINDS[(i // len(TOWNS)) % len(SCHOOL_KINDS)]
            seen[(town, kind)] = nth = seen.get((town, kind), 0) + 1
            number = "" if nth == 1 else f"第{CN_NUMBERS[nth] if nth < 11 else nth}"
            parent, name = edu, f"青山县{town}{number}{kind}工会"
        else:
            j = i - n_schools
            parent = towns[j % len(towns)]
            word = FIRM_WORDS[j % len(FIRM_WORDS)]
            industry = INDUSTRIES[(j // len(FIRM_WORDS)) % len(INDUSTRIES)]
            suffix = "" if j < len(FIRM_WORDS) * len(INDUSTRIES) else str(j)
            name = f"青山{word}{industry}{suffix}有限公司工会"
        (union,) = tree.add(parent, [(name, code, UnitKind.GRASSROOTS_UNION, i)])
        groups: list[OrgUnit] = []
        if school and i % 3 == 0:  # a central school: three branch schools (完小)
            branches = tree.add(
                union,
                [
                    (
                        f"{TOWNS[(i + k) % len(TOWNS)][:2]}第{k + 1}完小分工会",
                        f"{code}-F{k}",
                        UnitKind.BRANCH_UNION,
                        k,
                    )
                    for k in range(3)
                ],
            )
            for k, b in enumerate(branches):
                groups += tree.add(
                    b,
                    [
                        (f"{b.name[:-3]}{g}", f"{code}-F{k}-{n}", UnitKind.UNION_GROUP, n)
                        for n, g in enumerate(("语数组", "综合组", "低段组"))
                    ],
                )
            groups += tree.add(
                union,
                [
                    (g, f"{code}-G{n}", UnitKind.UNION_GROUP, 10 + n)
                    for n, g in enumerate(("中心校机关组", "中心校教研组", "离退休组"))
                ],
            )
        elif school:
            groups += tree.add(
                union,
                [
                    (s.name, f"{code}-G{n}", UnitKind.UNION_GROUP, n)
                    for n, s in enumerate(MIDDLE_GROUPS)
                ],
            )
        else:  # an enterprise: workshops as branch unions with shift teams, plus offices
            branches = tree.add(
                union,
                [
                    (f"{w}分工会", f"{code}-W{k}", UnitKind.BRANCH_UNION, k)
                    for k, w in enumerate(WORKSHOPS[:3])
                ],
            )
            for k, b in enumerate(branches):
                groups += tree.add(
                    b,
                    [
                        (f"{WORKSHOPS[k]}{t}", f"{code}-W{k}-{n}", UnitKind.UNION_GROUP, n)
                        for n, t in enumerate(TEAMS)
                    ],
                )
            groups += tree.add(
                union,
                [
                    (g, f"{code}-G{n}", UnitKind.UNION_GROUP, 10 + n)
                    for n, g in enumerate(FIRM_GROUPS)
                ],
            )
        result.append(_Union(union, school, groups, sizes[i]))
    return result


class _MemberMaker:
    def __init__(self, rng: random.Random, folk: Folk, today: date) -> None:
        self.rng = rng
        self.folk = folk
        self.today = today
        self.now = timezone.now()
        self._status = [s for s, _w in STATUS_MIX]
        self._status_w = [w for _s, w in STATUS_MIX]
        self._days_2024 = (today - date(2024, 1, 1)).days

    def union_rows(self, u: _Union) -> tuple[list[Person], list[dict[str, Any]], int]:
        """Persons and member fields for one union; also its count of active members."""
        rng = self.rng
        mix = SCHOOL_MIX if u.school else FIRM_MIX
        types = [t for t, _w in mix]
        type_w = [w for _t, w in mix]
        women = 0.62 if u.school else 0.38
        education = (
            ("本科", "本科", "大专", "硕士研究生")
            if u.school
            else ("初中", "高中", "中专", "大专", "本科")
        )
        posts = SCHOOL_POSTS if u.school else WORKER_POSTS
        group_sizes = _split(u.size, len(u.groups), rng)
        persons: list[Person] = []
        members: list[dict[str, Any]] = []
        number = active = 0
        for group, n in zip(u.groups, group_sizes, strict=True):
            retirees = group.name.startswith("离退休")
            for _ in range(n):
                employment = rng.choices(types, weights=type_w)[0]
                data = self.folk.person(
                    self.today,
                    women_share=women,
                    age=(62, 85) if retirees else (22, 59),
                    migrant=employment == E.MIGRANT,
                    education=education,
                )
                persons.append(Person(**data))
                status = rng.choices(self._status, weights=self._status_w)[0]
                birth: date = data["birth_date"]
                if status in (MemberStatus.APPLIED, MemberStatus.REJECTED):
                    joined = None
                    applied = self.today - timedelta(days=rng.randrange(1, 60))
                elif rng.random() < 0.2:  # joined in 2024–2026
                    joined = date(2024, 1, 1) + timedelta(days=rng.randrange(self._days_2024))
                    applied = joined - timedelta(days=rng.randrange(3, 20))
                else:
                    start = max(years_before(birth, -21), date(1985, 1, 1))
                    end = date(2023, 12, 31) if start < date(2023, 1, 1) else self.today
                    joined = start + timedelta(days=rng.randrange(max(1, (end - start).days)))
                    applied = joined
                member_no = ""
                if joined is not None:
                    number += 1
                    member_no = f"{u.unit.code}-{number:05d}"
                retired_on = years_before(birth, -60) if retirees else None
                if status == MemberStatus.ACTIVE:
                    active += 1
                members.append(
                    {
                        "union_id": u.unit.pk,
                        "unit_id": group.pk,
                        "member_no": member_no,
                        "status": status,
                        "applied_on": applied,
                        "joined_on": joined,
                        "status_changed_on": joined or applied,
                        "employment_type": E.PERMANENT if retirees else employment,
                        "work_status": WorkStatus.RETIRED if retirees else WorkStatus.WORKING,
                        "post": "退休" if retirees else rng.choice(posts),
                        "department": group.name,
                        "is_model_worker": rng.random() < 0.005,
                        "is_in_hardship": rng.random() < 0.01,
                        "is_survivor": rng.random() < 0.002,
                        "retired_on": retired_on,
                        "created_at": self.now,
                        "updated_at": self.now,
                    }
                )
        return persons, members, active


def seed_large(
    *,
    members: int,
    seed: int = DEFAULT_SEED,
    today: date = DEMO_TODAY,
    out: Out | None = None,
) -> DemoWorld:
    """The demo world plus bulk unions until there are ``members`` members in all."""
    if members < MIN_MEMBERS:
        raise ValueError(
            f"--members must be at least {MIN_MEMBERS}: the demo world alone has about 450."
        )
    say = out or (lambda s: None)
    started = time.monotonic()
    world = seed_demo(seed=seed, today=today, out=say)
    extra = members - Member.objects.count()
    rng = random.Random(seed + 1)  # noqa: S311 (demo data, not secrets)
    folk = Folk(rng, world.ids)
    unions = max(1, round(extra / MEMBERS_PER_UNION))
    with transaction.atomic():
        tree = build_tree(unions, rng, extra)
    say(
        f"Large: {unions} unions, {sum(len(u.groups) for u in tree)} groups; "
        f"{extra} members to write"
    )
    maker = _MemberMaker(rng, folk, today)
    done = 0
    next_report = 0.0
    for u in tree:
        with transaction.atomic():
            persons, rows, active = maker.union_rows(u)
            Person.objects.bulk_create(persons, batch_size=2000)
            objs = [Member(person_id=p.pk, **r) for p, r in zip(persons, rows, strict=True)]
            Member.objects.bulk_create(objs, batch_size=2000)
            MembershipEvent.objects.bulk_create(
                [
                    MembershipEvent(
                        member_id=m.pk,
                        kind=EVENT_FOR_STATUS.get(m.status, MembershipEvent.Kind.IMPORTED),
                        on=m.joined_on or m.applied_on,
                        to_unit_id=m.unit_id,
                        note="批量导入（基准测试数据）",
                        created_at=maker.now,
                    )
                    for m in objs
                ],
                batch_size=2000,
            )
            rate = rng.uniform(0.96, 1.0)
            OrgUnit.objects.filter(pk=u.unit.pk).update(staff_count=round(active / rate) or 1)
        done += len(rows)
        if done / extra >= next_report or done == extra:
            say(f"Large: {done}/{extra} members ({time.monotonic() - started:.0f} s)")
            next_report += 0.1
    fed = OrgUnit.objects.get(code=FED)
    audit(
        actor=None,
        action="seed.large",
        obj=fed,
        unit=fed,
        note=f"{extra} members in {unions} unions loaded in bulk for benchmarks",
    )
    # Fresh statistics after a bulk load: PostgreSQL's autovacuum would soon do it; SQLite
    # never does, and without them it walks the whole member index for a small union.
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return world
