"""Demo hardship files for one union, 2024–2026, written through the hardship services so
that they carry file numbers, audit rows, ledger payments and re-check dates like real ones.

Every tier and several causes; family members; yearly re-checks each November; one household
out of hardship; aid of each common kind, with a 金秋助学 grant to a child entering college.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from gonghui.care import hardship
from gonghui.care.models import AidRecord, HardshipFile, HardshipReview
from gonghui.core.models import OrgUnit, User
from gonghui.members.models import Member

D = Decimal
# Anhui-style local minimum-income line (yuan per person per month) in the demo's county.
MIN_LINE = D("760.00")

# (opened, tier, primary, secondary, size, income, costs, needs, measures, family)
HOUSEHOLDS = [
    (
        date(2024, 1, 10),
        "deep",
        "illness",
        ["schooling"],
        3,
        "2600",
        "1200",
        "丈夫尿毒症长期透析，医药费负担重；女儿读高三。",
        "每年春节前慰问；申请大病医疗救助；女儿考上大学后申请金秋助学。",
        [
            ("配偶", 1976, "无业（透析治疗）", "0", "尿毒症"),
            ("女儿", 2006, "县一中高三", "0", "健康"),
        ],
    ),
    (
        date(2024, 1, 12),
        "relative",
        "single_parent",
        ["schooling", "uninsured"],
        2,
        "3800",
        "900",
        "单亲抚养儿子，房贷压力大。",
        "结对帮扶干部每月走访；协调子女课后托管。",
        [("儿子", 2013, "实验小学五年级", "0", "健康")],
    ),
    (
        date(2024, 1, 15),
        "relative",
        "unemployed",
        [],
        3,
        "3000",
        "600",
        "配偶失业，家庭收入骤降。",
        "推荐配偶参加再就业培训并介绍工作。",
        [("配偶", 1982, "待业", "0", "健康"), ("儿子", 2010, "二中初三", "0", "健康")],
    ),
    (
        date(2025, 1, 8),
        "accident",
        "disaster",
        ["illness"],
        4,
        "5200",
        "4500",
        "7 月洪水冲毁住房，母亲受伤住院。",
        "发放临时救助；协调住房修缮补助。",
        [
            ("母亲", 1950, "退休", "1800", "骨折康复中"),
            ("配偶", 1978, "个体经营", "1500", "健康"),
            ("女儿", 2012, "二中初一", "0", "健康"),
        ],
    ),
    (
        date(2026, 1, 10),
        "deep",
        "disability",
        ["no_work_capacity"],
        2,
        "1900",
        "600",
        "本人肢体残疾二级，配偶无工作能力。",
        "申请低保；法律援助协助办理残疾人补贴。",
        [("配偶", 1970, "无", "0", "慢性病")],
    ),
    (
        date(2026, 1, 14),
        "relative",
        "schooling",
        ["other"],
        4,
        "6000",
        "2600",
        "两个孩子同时读大学，学费生活费支出大。",
        "金秋助学；寒暑假勤工俭学推荐。",
        [("儿子", 2005, "安徽大学大三", "0", "健康"), ("女儿", 2007, "合肥学院大一", "0", "健康")],
    ),
]


def _pick(rng: random.Random, members: Sequence[Member], n: int) -> list[Member]:
    pool = [m for m in members if m.status == "active"]
    if len(pool) < n:
        raise ValueError(f"seed_hardship needs {n} active members, got {len(pool)}")
    return rng.sample(pool, n)


def seed_hardship(
    *,
    union: OrgUnit,
    members: Sequence[Member],
    chair: User | None,
    today: date,
    rng: random.Random,
) -> None:
    """Six households of ``union`` over 2024–2026 (only dates up to ``today``)."""
    chosen = _pick(rng, members, len(HOUSEHOLDS))
    cadres = list(hardship.pairing_candidates(union)[:3])
    files: list[HardshipFile] = []
    for member, row in zip(chosen, HOUSEHOLDS, strict=True):
        opened, tier, primary, secondary, size, income, costs, needs, measures, family = row
        if opened > today:
            continue
        f = hardship.hardship_file_open(
            actor=chair,
            member=member,
            tier=tier,
            primary_cause=primary,
            secondary_causes=secondary,
            household_size=size,
            household_income_monthly=D(income),
            hardship_costs_monthly=D(costs),
            local_min_income_line=MIN_LINE,
            needs=needs,
            measures=measures,
            pair_cadre=rng.choice(cadres) if cadres else None,
            opened_on=opened,
        )
        for relation, year, occupation, earn, health in family:
            name = member.person.name[0] + rng.choice("明华丽军芳强静伟秀英") + rng.choice("子然")
            hardship.family_member_add(
                actor=chair,
                file=f,
                name=name,
                relation=relation,
                birth_year=year,
                occupation=occupation,
                income_monthly=D(earn),
                health=health,
            )
        files.append(f)
    _history(files, chair=chair, today=today)


def _aid(f: HardshipFile, chair: User | None, today: date, *rows: tuple) -> None:
    responsible = f.pair_cadre
    for kind, on, amount, text, *student in rows:
        if on > today or on < f.opened_on:
            continue
        hardship.aid_record(
            actor=chair,
            file=f,
            kind=kind,
            given_on=on,
            amount=D(amount),
            description=text,
            student_name=student[0] if student else "",
            student_school=student[1] if student else "",
            responsible=responsible,
        )


def _review(f: HardshipFile, chair: User | None, today: date, on: date, **kw: object) -> None:
    f.refresh_from_db()
    if on <= today and f.status == HardshipFile.Status.ACTIVE:
        hardship.hardship_review(actor=chair, file=f, reviewed_on=on, **kw)  # type: ignore[arg-type]


def _history(files: list[HardshipFile], *, chair: User | None, today: date) -> None:
    K, Out = AidRecord.Kind, HardshipReview.Outcome
    by_cause = {f.primary_cause: f for f in files}
    if f := by_cause.get("illness"):
        _aid(
            f,
            chair,
            today,
            (K.FESTIVAL, date(2024, 1, 30), "1000", "2024 年春节送温暖"),
            (K.MEDICAL, date(2024, 6, 18), "3000", "透析费用医疗救助"),
            (K.FESTIVAL, date(2025, 1, 20), "1000", "2025 年春节送温暖"),
            (
                K.EDUCATION,
                date(2025, 8, 20),
                "5000",
                "金秋助学：女儿考入大学",
                "女儿",
                "安徽师范大学",
            ),
            (K.FESTIVAL, date(2026, 1, 22), "1000", "2026 年春节送温暖"),
        )
        _review(f, chair, today, date(2024, 11, 6), outcome=Out.CONTINUE, income=D("2600"))
        _review(f, chair, today, date(2025, 11, 5), outcome=Out.CONTINUE, income=D("2500"))
    if f := by_cause.get("single_parent"):
        _aid(f, chair, today, (K.DAILY, date(2024, 3, 5), "800", "日常生活补助"))
        _review(
            f,
            chair,
            today,
            date(2024, 11, 8),
            outcome=Out.RETIER,
            tier_after="deep",
            income=D("2400"),
            note="房贷利率上调、收入下降",
        )
        _review(f, chair, today, date(2025, 11, 7), outcome=Out.CONTINUE, income=D("2500"))
    if f := by_cause.get("unemployed"):
        _aid(f, chair, today, (K.TARGETED, date(2024, 4, 10), "1500", "再就业培训期间生活补助"))
        _review(f, chair, today, date(2024, 11, 6), outcome=Out.CONTINUE, income=D("3600"))
        _review(
            f,
            chair,
            today,
            date(2025, 11, 4),
            outcome=Out.EXIT,
            income=D("7200"),
            note="配偶在县物流园稳定就业，家庭人均收入超过低保标准两倍，解困脱困。",
        )
    if f := by_cause.get("disaster"):
        _aid(
            f,
            chair,
            today,
            (K.TARGETED, date(2025, 1, 15), "2000", "洪灾临时救助"),
            (K.FESTIVAL, date(2026, 1, 22), "800", "2026 年春节送温暖"),
        )
        _review(f, chair, today, date(2025, 11, 10), outcome=Out.CONTINUE, income=D("5600"))
    if f := by_cause.get("disability"):
        _aid(
            f,
            chair,
            today,
            (K.MIN_INCOME, date(2026, 2, 20), "0", "协助向民政部门申请最低生活保障"),
            (K.LEGAL, date(2026, 3, 12), "0", "法律援助：残疾人两项补贴申领"),
        )
    if f := by_cause.get("schooling"):
        _aid(
            f,
            chair,
            today,
            (K.EDUCATION, date(2026, 8, 25), "4000", "金秋助学", "女儿", "合肥学院"),
        )
