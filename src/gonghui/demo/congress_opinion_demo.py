"""Demo opinions and suggestions for 2025–2026, made through the opinion services: forum,
suggestion-box, hotline, reception-day, questionnaire and evaluation opinions handled to an
outcome (the latest still open), rationalisation suggestions assessed, adopted and rewarded,
a "3510" quota, and the converted proposals taken over."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from gonghui.congress import opinions as svc
from gonghui.congress import proposals as proposal_svc
from gonghui.congress.models import Department
from gonghui.core.models import OrgUnit, User
from gonghui.members.models import Member

# (source, title, content)
OPINIONS: list[tuple[str, str, str]] = [
    ("forum", "食堂午餐菜品单一", "希望增加菜品种类，错峰开放窗口。"),
    ("forum", "办公室电脑老化", "部分教研组电脑使用超过八年，运行缓慢。"),
    ("forum", "青年教师住宿困难", "新入职教师宿舍紧张，希望协调周转房。"),
    ("forum", "教职工体检项目偏少", "建议增加甲状腺、颈椎等检查项目。"),
    ("box", "操场夜间照明不足", "晚自习后操场太暗，存在安全隐患。"),
    ("box", "停车位紧张", "上午八点后教职工车辆无处停放。"),
    ("box", "会议过多", "每周例会时间过长，建议精简。"),
    ("hotline", "绩效工资发放时间不固定", "希望明确每月发放日期。"),
    ("hotline", "班主任津贴标准", "询问班主任津贴的核定办法。"),
    ("reception", "子女入学政策", "咨询教职工子女就近入学的办理流程。"),
    ("reception", "退休手续办理", "临近退休教师希望了解手续和所需材料。"),
    ("questionnaire", "培训安排集中在周末", "希望培训尽量安排在工作日。"),
    ("questionnaire", "图书室开放时间短", "建议延长午间开放时间。"),
    ("evaluation", "作业量偏大", "家长反映初二年级书面作业偏多。"),
    ("evaluation", "课后服务内容单一", "学生希望增加体育和艺术类课后服务。"),
]

SUGGESTIONS: list[tuple[str, str]] = [
    ("复印机错峰使用节约纸张", "按年级排定复印时段，双面打印默认开启。"),
    ("实验耗材统一采购", "各学科实验耗材合并采购，可降低单价。"),
    ("走廊灯改声控", "教学楼走廊照明改为声光控，节约用电。"),
    ("建立教案共享库", "按学科建立电子教案库，减少重复劳动。"),
    ("食堂剩菜称重公示", "每周公示剩菜重量，倡导光盘行动。"),
    ("雨水收集浇灌绿化", "在屋顶加装雨水收集桶用于校园绿化。"),
]

# Outcomes of handled opinions, weighted as the real reports read (most are rectified).
OUTCOMES = ["rectified"] * 7 + ["phone"] * 2 + ["interview"] + ["not_adopted"]


def _departments(union: OrgUnit, actor: User | None) -> list[Department]:
    depts = list(Department.objects.filter(union=union, archived_at__isnull=True))
    if not depts:
        depts = [
            proposal_svc.department_create(actor=actor, union=union, name=name)
            for name in ("校长办公室", "总务处", "教务处")
        ]
    return depts


def _day_in(year: int, rng: random.Random, today: date) -> date | None:
    start = date(year, 1, 5)
    end = min(date(year, 12, 20), today - timedelta(days=1))
    if end < start:
        return None
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def _later(day: date, days: int, today: date) -> date:
    return min(day + timedelta(days=days), today)


def seed_opinions(
    *, union: OrgUnit, members: list[Member], actor: User | None, today: date, rng: random.Random
) -> None:
    depts = _departments(union, actor)
    people = [m for m in members if m.union_id == union.pk]
    for year in (2025, 2026):
        for source, title, content in OPINIONS:
            received = _day_in(year, rng, today)
            if received is None:
                continue
            who = rng.choice(people) if people and source in ("forum", "reception") else None
            o = svc.opinion_record(
                actor=actor,
                union=union,
                kind="opinion",
                source=source,
                title=title,
                content=content,
                received_on=received,
                submitted_by=who.person if who else None,
                submitter_name="家长" if source == "evaluation" else "",
                team=who.unit if who and who.unit_id != union.pk else None,
            )
            o = svc.opinion_assign(actor=actor, opinion=o, department=rng.choice(depts))
            if (today - received).days < 20:
                continue  # recent items are still being handled
            answered = _later(received, rng.randint(3, 15), today)
            o = svc.opinion_answer(actor=actor, opinion=o, answer="已研究并答复。", on=answered)
            outcome = rng.choice(OUTCOMES)
            interviews = rng.randint(1, 3) if outcome in ("interview", "rectified") else 0
            svc.opinion_close(
                actor=actor,
                opinion=o,
                outcome=outcome,
                interview_count=interviews if rng.random() < 0.6 or outcome == "interview" else 0,
                on=_later(answered, rng.randint(1, 20), today),
            )
        for title, content in SUGGESTIONS:
            received = _day_in(year, rng, today)
            if received is None or not people:
                continue
            who = rng.choice(people)
            s = svc.opinion_record(
                actor=actor,
                union=union,
                kind="rationalisation",
                source=rng.choice(["box", "forum"]),
                title=title,
                content=content,
                received_on=received,
                submitted_by=who.person,
                team=who.unit if who.unit_id != union.pk else None,
            )
            if (today - received).days < 30:
                continue
            assessed = _later(received, 10, today)
            score = rng.randint(55, 98)
            svc.suggestion_assess(actor=actor, opinion=s, score=score, on=assessed)
            adopted = score >= 70
            svc.suggestion_adopt(
                actor=actor,
                opinion=s,
                adopted=adopted,
                benefit_estimate=Decimal(rng.randrange(2000, 30000, 500)) if adopted else None,
                note="" if adopted else "暂不具备实施条件",
                on=assessed,
            )
            if adopted:
                svc.suggestion_reward(
                    actor=actor,
                    opinion=s,
                    amount=Decimal(rng.choice([100, 200, 300, 500])),
                    rewarded_on=_later(assessed, 15, today),
                )
    if today.year >= 2026:
        svc.quota_set(actor=actor, union=union, year=2026, per_person=3, per_team=5, per_unit=10)
    for o in svc.opinions_take_over_all(actor=actor, union=union):
        svc.opinion_close(
            actor=actor,
            opinion=o,
            outcome="phone",
            note="已电话答复提案人",
            on=today,
        )
