"""The demo world: 青山县总工会 with an education union, two school unions and an
enterprise union, about 450 members and three years of history (2024–2026).

Everything is built through the services (so membership events and the audit trail are
real) from one ``random.Random(seed)`` and a fixed "today": two runs give the same people,
ID numbers and history. System work passes ``actor=None``; from 2024 on, the unions' own
chairs and cadres act, as they would in the product.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count

from gonghui.congress import services as congress_services
from gonghui.core import services as core
from gonghui.core.models import (
    CommitteeKind,
    CommitteePosition,
    CommitteeTerm,
    OrgUnit,
    Person,
    PositionKind,
    UnitKind,
    User,
)
from gonghui.members import services as ms
from gonghui.members.models import (
    EmploymentType,
    Member,
    MembershipEvent,
    MemberStatus,
    ProfileChangeRequest,
)

from .care_distribution_demo import seed_distributions
from .care_donation_demo import seed_donations_and_insurance
from .care_hardship_demo import seed_hardship
from .care_health_demo import seed_health_rest_retirees
from .care_visits_demo import seed_care_visits
from .congress_appraisal_demo import seed_appraisal
from .congress_demo import seed_congress_structure
from .congress_disclosure_demo import seed_disclosure
from .congress_meeting_demo import seed_congress_meetings
from .congress_opinion_demo import seed_opinions
from .congress_proposal_demo import DEPARTMENTS as PROPOSAL_DEPARTMENTS
from .congress_proposal_demo import seed_proposals
from .logins import CENTER, DEMO_LOGINS, EDU, FACTORY, FED, MIDDLE
from .notifications import seed_notifications
from .people import Folk, IdNumbers, years_before

DEMO_TODAY = date(2026, 11, 1)
DEFAULT_SEED = 20261101
HISTORY_YEARS = (2024, 2025, 2026)
# Members who have a login or a seat; the history picks other people for its events.
PERSONAS = (
    "chair",
    "cadre",
    "leader",
    "member",
    "auditor",
    "vice2",
    "women_chair",
    "center_chair",
    "factory_chair",
    "factory_vice",
    "old_chair",
)

Out = Callable[[str], None]


# ---- what the unions look like ---------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    """Who works in a kind of group: share of women, ages, employment mix, schooling."""

    women: float
    age: tuple[int, int]
    employment: dict[str, int]
    education: tuple[str, ...]
    retired: bool = False


E = EmploymentType
TEACHER = Profile(
    0.62,
    (24, 57),
    {E.PERMANENT: 88, E.CONTRACT: 10, E.TEMPORARY: 2},
    ("本科",) * 4 + ("硕士研究生",),
)
SCHOOL_STAFF = Profile(
    0.5, (26, 57), {E.PERMANENT: 70, E.CONTRACT: 20, E.TEMPORARY: 10}, ("大专", "本科", "高中")
)
RETIREE = Profile(0.5, (64, 84), {E.PERMANENT: 1}, ("中专", "大专", "本科"), retired=True)
OFFICE = Profile(0.55, (25, 56), {E.PERMANENT: 70, E.CONTRACT: 30}, ("大专", "本科"))
WORKER_MIX = {
    E.PERMANENT: 35,
    E.CONTRACT: 30,
    E.DISPATCHED: 12,
    E.SEASONAL: 8,
    E.MIGRANT: 13,
    E.TEMPORARY: 2,
}
WORKER_EDUCATION = ("初中", "高中", "高中", "中专", "中专", "大专")


def worker(women: float) -> Profile:
    return Profile(women, (20, 56), WORKER_MIX, WORKER_EDUCATION)


@dataclass(frozen=True)
class GroupSpec:
    name: str
    code: str  # suffix after the parent's code
    size: int  # members on the roll before 2024
    profile: Profile
    posts: tuple[str, ...]
    department: str = ""  # defaults to the group's name


@dataclass(frozen=True)
class BranchSpec:
    name: str
    code: str
    groups: tuple[GroupSpec, ...]


MIDDLE_GROUPS = (
    GroupSpec("语文教研组", "01", 14, TEACHER, ("语文教师", "语文教师", "班主任")),
    GroupSpec("数学教研组", "02", 14, TEACHER, ("数学教师", "数学教师", "班主任")),
    GroupSpec("英语教研组", "03", 12, TEACHER, ("英语教师", "英语教师", "班主任")),
    GroupSpec("理化生教研组", "04", 15, TEACHER, ("物理教师", "化学教师", "生物教师", "实验员")),
    GroupSpec("政史地教研组", "05", 12, TEACHER, ("政治教师", "历史教师", "地理教师")),
    GroupSpec("音体美教研组", "06", 9, TEACHER, ("音乐教师", "体育教师", "美术教师")),
    GroupSpec("信息技术教研组", "07", 5, TEACHER, ("信息技术教师", "网络管理员")),
    GroupSpec("高一年级组", "08", 8, TEACHER, ("班主任", "年级主任")),
    GroupSpec("高二年级组", "09", 8, TEACHER, ("班主任", "年级主任")),
    GroupSpec("高三年级组", "10", 9, TEACHER, ("班主任", "年级主任")),
    GroupSpec("行政后勤组", "11", 13, SCHOOL_STAFF, ("会计", "出纳", "校医", "宿管员", "厨师")),
    GroupSpec("离退休教工组", "12", 18, RETIREE, ("退休教师",)),
)
CENTER_GROUPS = (
    GroupSpec("中心学校机关组", "01", 8, OFFICE, ("教研员", "会计", "办公室主任", "校长")),
    GroupSpec("中心学校离退休组", "02", 10, RETIREE, ("退休教师",)),
)
CENTER_BRANCHES = tuple(
    BranchSpec(
        f"{school}分工会",
        code,
        (
            GroupSpec(f"{school}语数组", f"{code}-1", n1, TEACHER, ("语文教师", "数学教师")),
            GroupSpec(
                f"{school}综合组", f"{code}-2", n2, TEACHER, ("英语教师", "科学教师", "体育教师")
            ),
        ),
    )
    for school, code, n1, n2 in (
        ("东岭完小", "DL", 10, 8),
        ("石桥完小", "SQ", 9, 7),
        ("柳溪完小", "LX", 8, 6),
    )
)
FACTORY_BRANCHES = (
    BranchSpec(
        "一车间分工会",
        "C1",
        (
            GroupSpec("一车间铸造班组", "C1-1", 22, worker(0.1), ("铸造工", "造型工", "班组长")),
            GroupSpec("一车间机加工班组", "C1-2", 28, worker(0.2), ("车工", "铣工", "钳工")),
        ),
    ),
    BranchSpec(
        "二车间分工会",
        "C2",
        (
            GroupSpec("二车间装配班组", "C2-1", 30, worker(0.45), ("装配工", "调试工")),
            GroupSpec("二车间焊接班组", "C2-2", 18, worker(0.1), ("焊工", "电焊工")),
        ),
    ),
    BranchSpec(
        "三车间分工会",
        "C3",
        (
            GroupSpec("三车间涂装班组", "C3-1", 16, worker(0.3), ("喷涂工", "打磨工")),
            GroupSpec("三车间包装班组", "C3-2", 20, worker(0.6), ("包装工", "搬运工")),
        ),
    ),
)
FACTORY_GROUPS = (
    GroupSpec("质检班组", "ZJ", 10, worker(0.5), ("质检员", "计量员")),
    GroupSpec("仓储物流班组", "CC", 12, worker(0.2), ("仓管员", "叉车司机", "驾驶员")),
    GroupSpec("机关科室组", "JG", 18, OFFICE, ("会计", "人事专员", "技术员", "销售员")),
)


# What the two sessions of 2025 adopted (the December 2026 session has its own agenda).
PAST_MOTIONS = (
    (
        ("审议通过《2025年学校工作计划》", "open"),
        ("审议通过《教职工奖励性绩效工资分配办法（修订）》", "secret"),
        ("审议通过《2025年工会经费预算》", "open"),
    ),
    (
        ("审议通过《教职工年度考核实施办法》", "secret"),
        ("审议通过《校园安全管理制度（修订）》", "open"),
        ("审议通过《教职工外出学习培训管理办法》", "secret"),
    ),
)


# ---- the builder -------------------------------------------------------------------------


@dataclass
class DemoWorld:
    """What the seed built, for the command's report and for tests."""

    units: dict[str, OrgUnit] = field(default_factory=dict)  # by code
    people: dict[str, Member] = field(default_factory=dict)  # named personas
    users: dict[str, User] = field(default_factory=dict)
    ids: IdNumbers = field(default_factory=IdNumbers)


@dataclass
class _Planned:
    union: OrgUnit
    unit: OrgUnit
    person: dict[str, Any]
    fields: dict[str, Any]
    joined_on: date
    retired_on: date | None = None
    key: str = ""


class DemoBuilder:
    def __init__(self, *, seed: int, today: date, out: Out) -> None:
        self.rng = random.Random(seed)  # noqa: S311 (demo data, not secrets)
        self.today = today
        self.out = out
        self.world = DemoWorld()
        self.folk = Folk(self.rng, self.world.ids)
        self.members: dict[str, Member] = {}  # every member by key
        self._n = 0
        self._timeline: list[tuple[date, int, Callable[[], None]]] = []
        self._retirements: list[tuple[str, date, str]] = []  # (member key, date, union code)
        self._picked: set[int] = set()  # members already given a part in the history

    # -- small helpers ---------------------------------------------------------------

    def unit(self, code: str) -> OrgUnit:
        return self.world.units[code]

    def _make_unit(
        self, name: str, code: str, kind: str, parent: OrgUnit | None, sort: int = 0
    ) -> OrgUnit:
        unit = core.unit_create(
            actor=None, name=name, code=code, kind=kind, parent=parent, sort_order=sort
        )
        self.world.units[code] = unit
        return unit

    def _date_between(self, start: date, end: date) -> date:
        return start + timedelta(days=self.rng.randrange(max(1, (end - start).days + 1)))

    def _at(self, on: date, action: Callable[[], None]) -> None:
        self._n += 1
        self._timeline.append((on, self._n, action))

    def _next_key(self) -> str:
        self._n += 1
        return f"m{self._n}"

    def _employment(self, profile: Profile) -> str:
        types = list(profile.employment)
        return self.rng.choices(types, weights=[profile.employment[t] for t in types])[0]

    def _fields(self, spec: GroupSpec, employment: str, post: str = "") -> dict[str, Any]:
        rng = self.rng
        return {
            "employment_type": employment,
            "post": post or rng.choice(spec.posts),
            "department": spec.department or spec.name,
            "is_model_worker": rng.random() < 0.02,
            "is_in_hardship": rng.random() < 0.025,
        }

    def _plan_member(
        self,
        union: OrgUnit,
        unit: OrgUnit,
        spec: GroupSpec,
        *,
        key: str = "",
        name: str = "",
        gender: str | None = None,
        age: tuple[int, int] | None = None,
        post: str = "",
        joined_on: date | None = None,
    ) -> _Planned:
        profile = spec.profile
        employment = self._employment(profile)
        if age is None and joined_on is None and not profile.retired:
            # on the roll before 2024, so out of school by then
            age = (max(26, profile.age[0]), profile.age[1])
        person = self.folk.person(
            self.today,
            gender=gender,
            women_share=profile.women,
            age=age or profile.age,
            migrant=employment == E.MIGRANT,
            name=name,
            education=profile.education,
        )
        birth: date = person["birth_date"]
        start_work = max(years_after(birth, 22), date(1985, 9, 1))
        if joined_on is None:
            joined_on = self._date_between(start_work, date(2023, 12, 20))
        retired_on = None
        if profile.retired:
            retire_age = 55 if person["gender"] == "F" else 60
            retired_on = years_after(birth, retire_age) + timedelta(days=1)
            if joined_on >= retired_on:
                joined_on = self._date_between(start_work, retired_on - timedelta(days=400))
        fields = self._fields(spec, employment, post)
        if profile.retired and self.rng.random() < 0.05:
            fields["is_survivor"] = True  # a retiree who is also the survivor of a colleague
        return _Planned(
            union=union,
            unit=unit,
            person=person,
            fields=fields,
            joined_on=joined_on,
            retired_on=retired_on,
            key=key or self._next_key(),
        )

    # -- 1. the organisation ------------------------------------------------------------

    def build_tree(self) -> list[tuple[OrgUnit, OrgUnit, GroupSpec]]:
        """Create the units; return (union, group, spec) for every union group."""
        fed = self._make_unit("青山县总工会", FED, UnitKind.FEDERATION, None)
        edu = self._make_unit("青山县教育工会", EDU, UnitKind.SECTOR_UNION, fed, 1)
        groups: list[tuple[OrgUnit, OrgUnit, GroupSpec]] = []

        center = self._make_unit("青山县中心学校工会", CENTER, UnitKind.GRASSROOTS_UNION, edu, 1)
        for i, spec in enumerate(CENTER_GROUPS):
            g = self._make_unit(spec.name, f"{CENTER}-{spec.code}", UnitKind.UNION_GROUP, center, i)
            groups.append((center, g, spec))
        for i, branch in enumerate(CENTER_BRANCHES):
            b = self._make_unit(
                branch.name, f"{CENTER}-{branch.code}", UnitKind.BRANCH_UNION, center, 10 + i
            )
            for j, spec in enumerate(branch.groups):
                g = self._make_unit(spec.name, f"{CENTER}-{spec.code}", UnitKind.UNION_GROUP, b, j)
                groups.append((center, g, spec))

        middle = self._make_unit("青山县第一中学工会", MIDDLE, UnitKind.GRASSROOTS_UNION, edu, 2)
        for i, spec in enumerate(MIDDLE_GROUPS):
            g = self._make_unit(spec.name, f"{MIDDLE}-{spec.code}", UnitKind.UNION_GROUP, middle, i)
            groups.append((middle, g, spec))

        factory = self._make_unit(
            "青山机械有限公司工会", FACTORY, UnitKind.GRASSROOTS_UNION, fed, 2
        )
        for i, branch in enumerate(FACTORY_BRANCHES):
            b = self._make_unit(
                branch.name, f"{FACTORY}-{branch.code}", UnitKind.BRANCH_UNION, factory, i
            )
            for j, spec in enumerate(branch.groups):
                g = self._make_unit(spec.name, f"{FACTORY}-{spec.code}", UnitKind.UNION_GROUP, b, j)
                groups.append((factory, g, spec))
        for i, spec in enumerate(FACTORY_GROUPS):
            g = self._make_unit(
                spec.name, f"{FACTORY}-{spec.code}", UnitKind.UNION_GROUP, factory, 10 + i
            )
            groups.append((factory, g, spec))
        return groups

    # -- 2. the roll before 2024 ----------------------------------------------------------

    def plan_roster(self, groups: list[tuple[OrgUnit, OrgUnit, GroupSpec]]) -> list[_Planned]:
        by_code = {g.code: (u, g, s) for u, g, s in groups}
        planned: list[_Planned] = []

        def persona(
            code: str, key: str, name: str, gender: str, age: tuple[int, int], post: str
        ) -> None:
            union, unit, spec = by_code[code]
            p = self._plan_member(
                union, unit, spec, key=key, name=name, gender=gender, age=age, post=post
            )
            p.fields["employment_type"] = E.PERMANENT
            planned.append(p)

        # The people the demo logins belong to and the committees are made of.
        persona(f"{MIDDLE}-11", "chair", "周建华", "M", (45, 50), "工会主席")
        persona(f"{MIDDLE}-02", "cadre", "陈丽萍", "F", (38, 44), "数学教师")
        persona(f"{MIDDLE}-01", "leader", "李文静", "F", (40, 46), "语文教研组长")
        persona(f"{MIDDLE}-01", "member", "王晓燕", "F", (29, 33), "语文教师")
        persona(f"{MIDDLE}-11", "auditor", "刘志刚", "M", (48, 53), "总务处副主任")
        persona(f"{MIDDLE}-05", "vice2", "孙海峰", "M", (42, 48), "历史教师")
        persona(f"{MIDDLE}-03", "women_chair", "吴秀英", "F", (44, 50), "英语教师")
        persona(f"{CENTER}-01", "center_chair", "黄春梅", "F", (46, 52), "工会主席")
        persona(f"{FACTORY}-JG", "factory_chair", "赵国强", "M", (44, 52), "工会主席")
        persona(f"{FACTORY}-C2-1", "factory_vice", "马丽娟", "F", (36, 44), "装配工")
        # The chair of the 7th term retires in August 2024, before the re-election.
        born = date(1964, 8, 12)
        union, unit, spec = by_code[f"{MIDDLE}-11"]
        p = self._plan_member(
            union,
            unit,
            spec,
            key="old_chair",
            name="郑国平",
            gender="M",
            post="工会主席",
            joined_on=date(1988, 9, 1),
        )
        p.person.update(birth_date=born, id_number=self.world.ids.make("360731", born, "M"))
        p.fields["employment_type"] = E.PERMANENT
        planned.append(p)

        # People whose retirement age (55 women, 60 men) falls in 2024–2026.
        for year, code in (
            (2024, FACTORY),
            (2025, MIDDLE),
            (2025, CENTER),
            (2026, MIDDLE),
            (2026, FACTORY),
        ):
            planned.append(self._plan_retiring(year, code, groups))

        for union, unit, spec in groups:
            have = sum(1 for p in planned if p.unit.pk == unit.pk)
            for _ in range(spec.size - have):
                planned.append(self._plan_member(union, unit, spec))
        planned.sort(key=lambda p: (p.joined_on, p.key))
        return planned

    def enrol(self, p: _Planned, actor: User | None) -> Member:
        member = ms.member_enrol(
            actor=actor,
            union=p.union,
            unit=p.unit,
            person=p.person,
            joined_on=p.joined_on,
            **p.fields,
        )
        self.members[p.key] = member
        return member

    # -- 3. users -------------------------------------------------------------------------

    def create_users(self) -> None:
        for d in DEMO_LOGINS:
            person = self.members[d.person_key].person if d.person_key else None
            user = core.user_create(
                actor=None,
                username=d.username,
                display_name=d.display_name or (person.name if person else d.username),
                password=d.password,
                person=person,
            )
            core.role_grant(actor=None, user=user, role=d.role, unit=self.unit(d.unit_code))
            self.world.users[d.username] = user
        self.world.people = {
            d.person_key: self.members[d.person_key] for d in DEMO_LOGINS if d.person_key
        }

    # -- 4. three years of history --------------------------------------------------------

    def plan_history(self, groups: list[tuple[OrgUnit, OrgUnit, GroupSpec]]) -> None:
        rng = self.rng
        users = self.world.users
        cadre, factory_chair = users["cadre"], users["factory"]
        approvers = {CENTER: users["center"], MIDDLE: users["chair"], FACTORY: factory_chair}
        editors = {CENTER: users["center"], MIDDLE: cadre, FACTORY: factory_chair}
        by_union: dict[str, list[tuple[OrgUnit, OrgUnit, GroupSpec]]] = {}
        for u, g, s in groups:
            if not s.profile.retired:
                by_union.setdefault(u.code, []).append((u, g, s))

        # New members every year: teachers around September, workers all year round.
        joins_per_year = {CENTER: 3, MIDDLE: 5, FACTORY: 15}
        for year in HISTORY_YEARS:
            for code, n in joins_per_year.items():
                for _ in range(n):
                    union, unit, spec = rng.choice(by_union[code])
                    if code == FACTORY:
                        applied = self._date_between(date(year, 1, 5), date(year, 10, 10))
                    else:
                        applied = self._date_between(date(year, 8, 20), date(year, 9, 15))
                    if applied > self.today - timedelta(days=20):
                        continue
                    p = self._plan_member(union, unit, spec, age=(22, 35), joined_on=applied)
                    if code == FACTORY and spec.profile is not OFFICE and rng.random() < 0.5:
                        # the drive to enrol every new migrant, dispatched and seasonal worker
                        p.fields["employment_type"] = rng.choice(
                            [E.MIGRANT, E.DISPATCHED, E.SEASONAL]
                        )
                    approved = applied + timedelta(days=rng.randrange(5, 20))
                    self._apply_and_decide(p, applied, approved, approvers[code])

        # Applications waiting for the chair, and two refused ones.
        for code, n in ((MIDDLE, 2), (FACTORY, 3), (CENTER, 1)):
            for _ in range(n):
                union, unit, spec = rng.choice(by_union[code])
                applied = self._date_between(self.today - timedelta(days=18), self.today)
                p = self._plan_member(union, unit, spec, age=(22, 30), joined_on=applied)
                self._apply_and_decide(p, applied, None, approvers[code])
        for code, day, reason in (
            (FACTORY, date(2025, 4, 8), "非本单位职工，请向所在单位工会申请"),
            (MIDDLE, date(2026, 3, 16), "入会申请材料不全，补充后可重新申请"),
        ):
            union, unit, spec = rng.choice(by_union[code])
            p = self._plan_member(union, unit, spec, age=(22, 30), joined_on=day)
            self._apply_and_decide(p, day, day + timedelta(days=6), approvers[code], reason)

        # Transfers between the two school unions (会籍接转), and one to another county.
        center_groups, middle_groups = by_union[CENTER], by_union[MIDDLE]
        self._transfer("t1", center_groups, middle_groups, date(2024, 8, 28))
        self._transfer("t2", center_groups, middle_groups, date(2025, 8, 30))
        self._transfer("t3", middle_groups, center_groups, date(2025, 9, 1))
        self._transfer("t4", center_groups, middle_groups, date(2026, 2, 24))
        self._at(date(2026, 7, 10), lambda: self._transfer_away(cadre))

        # Retirements: the old chair, and the people planned on the roll for it.
        self._at(date(2024, 8, 13), lambda: self._retire("old_chair", date(2024, 8, 13), cadre))
        for key, on, code in self._retirements:
            self._at(on, lambda key=key, on=on, code=code: self._retire(key, on, editors[code]))

        # Leaving: seasonal and dispatched work ends; one leaves and comes back.
        for day, employment, reason in (
            (date(2024, 11, 30), E.SEASONAL, "季节性用工结束"),
            (date(2025, 6, 30), E.DISPATCHED, "劳务派遣协议到期离职"),
            (date(2026, 4, 15), E.CONTRACT, "本人申请退会"),
        ):
            self._at(day, lambda d=day, e=employment, r=reason: self._leave(d, e, r, factory_chair))
        self._at(
            date(2024, 12, 20),
            lambda: self._leave(date(2024, 12, 20), E.CONTRACT, "离职", factory_chair, key="back"),
        )
        self._at(
            date(2025, 3, 3),
            lambda: ms.member_reinstate(
                actor=factory_chair,
                member=self.members["back"],
                on=date(2025, 3, 3),
                note="重新入职，恢复会籍",
            ),
        )

        # A retired teacher dies; the union cared for the family.
        self._at(
            date(2025, 12, 6),
            lambda: ms.member_decease(
                actor=cadre,
                member=self._pick(MIDDLE, retired=True, key="died"),
                on=date(2025, 12, 6),
                note="因病去世，工会已慰问家属",
            ),
        )
        # Class teachers follow their classes to the next grade group each September.
        for year in (2025, 2026):
            for src, dst in (("09", "10"), ("08", "09")):
                day = date(year, 8, 31)
                self._at(day, lambda s=src, d=dst, on=day: self._move(s, d, on, cadre))

    def _apply_and_decide(
        self, p: _Planned, applied: date, decided: date | None, approver: User, reason: str = ""
    ) -> None:
        def apply() -> None:
            self.members[p.key] = ms.member_apply(
                actor=None,
                union=p.union,
                unit=p.unit,
                person=p.person,
                applied_on=applied,
                **p.fields,
            )

        def decide() -> None:
            assert decided is not None
            if reason:
                ms.member_reject(
                    actor=approver, member=self.members[p.key], on=decided, reason=reason
                )
            else:
                ms.member_approve(actor=approver, member=self.members[p.key], on=decided)

        self._at(applied, apply)
        if decided is not None:
            self._at(decided, decide)

    def _pick(
        self,
        union_code: str,
        *,
        key: str,
        retired: bool = False,
        employment: str = "",
        unit_code: str = "",
    ) -> Member:
        """An active member of a union who plays no other part in the demo (chosen by the
        seeded generator among members ordered by ID number), remembered as ``key``."""
        qs = Member.objects.filter(
            union__code=union_code,
            status=MemberStatus.ACTIVE,
            work_status="retired" if retired else "working",
        ).exclude(pk__in=self._picked | self._persona_member_ids())
        if employment:
            qs = qs.filter(employment_type=employment)
        if unit_code:
            qs = qs.filter(unit__code=unit_code)
        member = self.rng.choice(list(qs.select_related("person").order_by("person__id_number")))
        self._picked.add(member.pk)
        self.members[key] = member
        return member

    def _persona_member_ids(self) -> set[int]:
        return {self.members[k].pk for k in PERSONAS if k in self.members}

    def _transfer(self, key: str, src: list, dst: list, on: date) -> None:
        src_union = src[0][0]
        dst_union, dst_unit, _spec = self.rng.choice(dst)
        actors = {CENTER: self.world.users["center"], MIDDLE: self.world.users["cadre"]}

        def go() -> None:
            member = self._pick(src_union.code, key=key)
            ms.member_transfer_out(
                actor=actors[src_union.code],
                member=member,
                on=on,
                to_union=dst_union,
                note=f"调入{dst_union.name}",
            )
            self.members[key] = ms.member_transfer_in(
                actor=actors[dst_union.code],
                member=member,
                union=dst_union,
                unit=dst_unit,
                on=on + timedelta(days=3),
                note=f"由{src_union.name}转入",
            )

        self._at(on, go)

    def _transfer_away(self, actor: User) -> None:
        ms.member_transfer_out(
            actor=actor,
            member=self._pick(MIDDLE, key="away"),
            on=date(2026, 7, 10),
            note="调往邻县实验中学（系统外接收）",
        )

    def _plan_retiring(
        self, year: int, code: str, groups: list[tuple[OrgUnit, OrgUnit, GroupSpec]]
    ) -> _Planned:
        """Someone on the roll whose 55th (women) or 60th (men) birthday falls in ``year``."""
        union, unit, spec = self.rng.choice(
            [t for t in groups if t[0].code == code and not t[2].profile.retired]
        )
        gender = self.rng.choice("MF")
        birthday = self._date_between(date(year, 1, 10), date(year, 10, 20))
        born = years_before(birthday, 60 if gender == "M" else 55)
        p = self._plan_member(
            union,
            unit,
            spec,
            gender=gender,
            joined_on=self._date_between(date(1990, 9, 1), date(2000, 9, 1)),
        )
        region = p.person["id_number"][:6]
        p.person.update(birth_date=born, id_number=self.world.ids.make(region, born, gender))
        p.fields["employment_type"] = E.PERMANENT
        self._retirements.append((p.key, birthday + timedelta(days=1), code))
        return p

    def _retire(self, key: str, on: date, actor: User | None) -> None:
        member = ms.member_retire(actor=actor, member=self.members[key], on=on)
        if member.union.code == MIDDLE and on.year >= 2024:
            ms.member_move(actor=actor, member=member, to_unit=self.unit(f"{MIDDLE}-12"), on=on)

    def _leave(self, on: date, employment: str, reason: str, actor: User, key: str = "") -> None:
        member = self._pick(FACTORY, key=key or f"left-{on}", employment=employment)
        ms.member_leave(actor=actor, member=member, on=on, reason=reason)

    def _move(self, src: str, dst: str, on: date, actor: User) -> None:
        member = self._pick(MIDDLE, key=f"move-{src}-{on}", unit_code=f"{MIDDLE}-{src}")
        ms.member_move(actor=actor, member=member, to_unit=self.unit(f"{MIDDLE}-{dst}"), on=on)

    def run_timeline(self) -> None:
        for _on, _n, action in sorted(self._timeline, key=lambda t: (t[0], t[1])):
            action()
        self._timeline.clear()

    # -- 5. committees, registration, self-service, staff counts --------------------------

    def _seats(
        self,
        union: OrgUnit,
        n: int,
        on: date,
        *,
        women: bool = False,
        exclude: set[int] = frozenset(),
    ) -> list[Person]:
        """``n`` working members of ``union`` who had joined by ``on`` and play no other part."""
        qs = Member.objects.filter(
            union=union, status=MemberStatus.ACTIVE, work_status="working", joined_on__lt=on
        ).exclude(pk__in=self._picked | self._persona_member_ids())
        if women:
            qs = qs.filter(person__gender="F")
        people = [
            m.person
            for m in qs.select_related("person").order_by("person__id_number")
            if m.person_id not in exclude
        ]
        chosen = self.rng.sample(people, n)
        self._picked.update(Member.objects.filter(person__in=chosen).values_list("pk", flat=True))
        return chosen

    def _fill(
        self,
        term: CommitteeTerm,
        chair: Person,
        vices: list[Person],
        others: list[Person],
        on: date,
    ) -> None:
        seats = [(chair, PositionKind.CHAIR)] + [(p, PositionKind.VICE_CHAIR) for p in vices]
        seats += [(p, PositionKind.MEMBER) for p in others]
        for person, position in seats:
            core.position_assign(
                actor=None, term=term, person=person, position=position, starts_on=on
            )

    def _term(
        self, union: OrgUnit, kind: str, number: int, on: date, note: str = ""
    ) -> CommitteeTerm:
        return core.committee_term_start(
            actor=None, union=union, kind=kind, number=number, starts_on=on, note=note
        )

    def committees(self) -> None:
        m = self.members
        middle, center, factory = self.unit(MIDDLE), self.unit(CENTER), self.unit(FACTORY)

        # 一中: the 7th term (2019–2024), and the 8th elected on 26 September 2024.
        t7_on, t8_on = date(2019, 9, 20), date(2024, 9, 26)
        t7 = self._term(middle, CommitteeKind.UNION, 7, t7_on, "第七届会员代表大会选举产生")
        self._fill(
            t7, m["old_chair"].person, [m["vice2"].person], self._seats(middle, 5, t7_on), t7_on
        )
        t8 = self._term(middle, CommitteeKind.UNION, 8, t8_on, "第八届会员代表大会选举产生")
        # t3 sat on the committee until the transfer to the central school in September 2025.
        moved = m["t3"].person
        t8_members = [moved, *self._seats(middle, 3, t8_on), m["women_chair"].person]
        self._fill(t8, m["chair"].person, [m["cadre"].person, m["vice2"].person], t8_members, t8_on)
        seat = CommitteePosition.objects.get(term=t8, person=moved)
        core.position_end(
            actor=self.world.users["chair"],
            position=seat,
            ends_on=date(2025, 9, 1),
            reason="工作调动，调往县中心学校",
        )
        core.position_assign(
            actor=None,
            term=t8,
            person=self._seats(middle, 1, date(2025, 10, 15))[0],
            position=PositionKind.MEMBER,
            starts_on=date(2025, 10, 15),
            source=CommitteePosition.Source.BY_ELECTION,
        )
        audit = self._term(middle, CommitteeKind.FUNDS_AUDIT, 8, t8_on)
        self._fill(audit, m["auditor"].person, [], self._seats(middle, 2, t8_on), t8_on)
        women = self._term(middle, CommitteeKind.WOMEN, 8, t8_on)
        self._fill(
            women, m["women_chair"].person, [], self._seats(middle, 3, t8_on, women=True), t8_on
        )

        # 中心学校: the 5th term since March 2023.
        c5_on = date(2023, 3, 18)
        c5 = self._term(center, CommitteeKind.UNION, 5, c5_on)
        vice, *others = self._seats(center, 4, c5_on)
        self._fill(c5, m["center_chair"].person, [vice], others, c5_on)

        # 青山机械: the 3rd term since June 2022, with the committees an enterprise needs.
        f3 = date(2022, 6, 18)
        union_term = self._term(factory, CommitteeKind.UNION, 3, f3, "第三届会员大会选举产生")
        self._fill(
            union_term,
            m["factory_chair"].person,
            [m["factory_vice"].person],
            self._seats(factory, 5, f3),
            f3,
        )
        women = self._term(factory, CommitteeKind.WOMEN, 3, f3)
        self._fill(women, m["factory_vice"].person, [], self._seats(factory, 2, f3, women=True), f3)
        for kind in (CommitteeKind.FUNDS_AUDIT, CommitteeKind.MEDIATION):
            term = self._term(factory, kind, 3, f3)
            head, *others = self._seats(factory, 3, f3)
            self._fill(term, head, [], others, f3)

        # Legal-person registration (法人资格登记) and its change after the re-election.
        core.registration_record(
            actor=None,
            union=middle,
            credit_code="81360731MC2019045K",
            certificate_no="工法证字第360731200045号",
            legal_representative=m["old_chair"].person.name,
            address="青山县城关镇学府路1号",
            registered_on=date(2020, 3, 10),
            valid_until=date(2025, 3, 9),
        )
        core.registration_record(
            actor=None,
            union=middle,
            credit_code="81360731MC2019045K",
            certificate_no="工法证字第360731240112号",
            legal_representative=m["chair"].person.name,
            address="青山县城关镇学府路1号",
            registered_on=date(2024, 10, 15),
            valid_until=date(2029, 10, 14),
            change_note="换届后法定代表人变更",
        )
        core.registration_record(
            actor=None,
            union=factory,
            credit_code="81360731MC2022187P",
            certificate_no="工法证字第360731220187号",
            legal_representative=m["factory_chair"].person.name,
            address="青山县工业园区兴业大道88号",
            registered_on=date(2022, 8, 1),
            valid_until=date(2027, 7, 31),
        )

    def self_service(self) -> None:
        """Two corrections waiting for the chair, one already approved."""
        users = self.world.users
        ms.profile_update_self(
            actor=users["member"],
            changes={"phone": self.folk.phone(), "name": "王筱燕"},
            reason="身份证上是“筱”字，入会时录成了“晓”",
        )
        for key, approve in (("leader", False), ("auditor", True)):
            person = self.members[key].person
            fixed = self.world.ids.make(person.id_number[:6], person.birth_date, person.gender)
            _member, request = ms.profile_update_self(
                actor=users[key], changes={"id_number": fixed}, reason="身份证号码录入有误"
            )
            if approve and request is not None:
                ms.change_request_decide(
                    actor=users["chair"], request=request, approve=True, note="已核对身份证原件"
                )

    def staff_counts(self) -> None:
        """Staff per union, so that enrolment (active members / staff) reads 96–100%."""
        admin = self.world.users["admin"]
        for code in (CENTER, MIDDLE, FACTORY):
            union = self.unit(code)
            active = Member.objects.filter(union=union, status=MemberStatus.ACTIVE).count()
            rate = self.rng.uniform(0.965, 1.0)
            self.world.units[code] = core.unit_update(
                actor=admin, unit=union, staff_count=math.ceil(active / rate)
            )

    # -- 6. the staff congress and care -------------------------------------------------

    def _active_members(self, code: str) -> list[Member]:
        return list(
            Member.objects.filter(union=self.unit(code), status=MemberStatus.ACTIVE)
            .select_related("person", "unit")
            .order_by("pk")
        )

    def congress(self) -> None:
        """The middle school's teachers' congress: term 8 with its delegates, two sessions
        held in 2025 with votes and minutes, the December 2026 session being prepared,
        proposals in every state, and the affairs disclosure board."""
        chair = self.world.users["chair"]
        built = seed_congress_structure(
            union=self.unit(MIDDLE),
            members=self._active_members(MIDDLE),
            actor=chair,
            today=self.today,
            rng=self.rng,
        )
        sessions = sorted(built["sessions"], key=lambda s: s.held_on)
        for session, motions in zip(sessions, PAST_MOTIONS, strict=False):
            for title, mode in motions:
                congress_services.agenda_item_add(
                    actor=chair, session=session, kind="adopt", title=title, vote_mode=mode
                )
        seed_congress_meetings(sessions=sessions, actor=chair, rng=self.rng, today=self.today)
        seed_proposals(
            sessions=sessions,
            departments=list(PROPOSAL_DEPARTMENTS),
            actor=chair,
            rng=self.rng,
            today=self.today,
        )
        seed_disclosure(union=self.unit(MIDDLE), actor=chair, today=self.today, rng=self.rng)
        active = self._active_members(MIDDLE)
        # The school's middle managers first (年级主任...), then others, for the appraisal.
        leaders = sorted(active, key=lambda m: ("主任" not in m.post or "班主任" in m.post, m.pk))
        seed_appraisal(
            union=self.unit(MIDDLE),
            members=leaders[:6],
            term=built["term"],
            actor=chair,
            today=self.today,
            rng=self.rng,
        )
        seed_opinions(
            union=self.unit(MIDDLE),
            members=self._active_members(MIDDLE),
            actor=chair,
            today=self.today,
            rng=self.rng,
        )

    def care(self) -> None:
        """Visits since 2024, festival and birthday distributions, hardship files."""
        users = self.world.users
        middle = self._active_members(MIDDLE)
        seed_care_visits(
            union=self.unit(MIDDLE),
            members=middle,
            actor=users["chair"],
            leader=users["leader"],
            today=self.today,
            rng=self.rng,
        )
        seed_distributions(
            union=self.unit(MIDDLE),
            actor=users["chair"],
            today=self.today,
            enterprise=self.unit(FACTORY),
            enterprise_actor=users["factory"],
        )
        seed_hardship(
            union=self.unit(MIDDLE),
            members=middle,
            chair=users["chair"],
            today=self.today,
            rng=self.rng,
        )
        seed_health_rest_retirees(
            union=self.unit(MIDDLE),
            members=list(Member.objects.filter(union=self.unit(MIDDLE)).select_related("person")),
            actor=users["chair"],
            today=self.today,
            rng=self.rng,
        )
        seed_donations_and_insurance(
            union=self.unit(MIDDLE),
            members=middle,
            actor=users["chair"],
            today=self.today,
            rng=self.rng,
        )
        # Last: the notices point at the tasks, files and claims made above.
        seed_notifications(users=users, today=self.today)

    # -- all of it ------------------------------------------------------------------------

    def build(self) -> DemoWorld:
        self.out("Demo: organisation tree")
        groups = self.build_tree()
        self.out("Demo: members on the roll before 2024")
        roster = self.plan_roster(groups)
        for p in roster:
            self.enrol(p, None)
        for p in roster:
            if p.retired_on is not None:
                ms.member_retire(actor=None, member=self.members[p.key], on=p.retired_on)
        self.out("Demo: logins")
        self.create_users()
        self.out("Demo: three years of history (2024–2026)")
        self.plan_history(groups)
        self.run_timeline()
        self.out("Demo: committees, registration, change requests")
        self.committees()
        self.self_service()
        self.staff_counts()
        self.out("Demo: staff congress, proposals, disclosure board")
        self.congress()
        self.out("Demo: visits, distributions, hardship files")
        self.care()
        return self.world


def years_after(d: date, years: int) -> date:
    return years_before(d, -years)


def seed_demo(
    *, seed: int = DEFAULT_SEED, today: date = DEMO_TODAY, out: Out | None = None
) -> DemoWorld:
    """Build the demo world in one transaction (the database should hold no units yet)."""
    with transaction.atomic():
        return DemoBuilder(seed=seed, today=today, out=out or (lambda s: None)).build()


def demo_counts() -> dict[str, Any]:
    """Counts for the command's report."""
    by_status = dict(
        Member.objects.values_list("status").annotate(n=Count("id")).order_by("status")
    )
    return {
        "units": OrgUnit.objects.count(),
        "unions": OrgUnit.objects.filter(kind__in=["grassroots", "joint"]).count(),
        "groups": OrgUnit.objects.filter(kind=UnitKind.UNION_GROUP).count(),
        "members": Member.objects.count(),
        "by_status": by_status,
        "events": MembershipEvent.objects.count(),
        "pending_changes": ProfileChangeRequest.objects.filter(status="pending").count(),
        "users": User.objects.count(),
    }
