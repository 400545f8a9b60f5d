"""Demo proposals: departments, and for two past sessions and the upcoming one proposals in
every state, made through the proposal services with dates inside each session's window.

Replies are written as the system (``user=None``): the demo names no department handlers,
so that no demo login appears to answer for a department it does not belong to.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from gonghui.congress import proposals as svc
from gonghui.congress.models import CongressSession, Delegate, Department, Proposal
from gonghui.congress.queries import active_delegates
from gonghui.core.models import User

DEPARTMENTS = ["校长办公室", "教务处", "总务处", "人事处", "工会"]

# (title, category, reasons, measures, department)
TOPICS: list[tuple[str, str, str, str, str]] = [
    (
        "关于每年为全体教职工安排健康体检的提案",
        "welfare",
        "教职工长期伏案、嗓音负担重，部分教师多年未做全面体检。",
        "每年三月定为教职工健康体检月，体检费用由学校和工会共同承担。",
        "工会",
    ),
    (
        "关于改善教职工食堂午餐质量的提案",
        "welfare",
        "食堂菜品单一，午餐高峰排队时间长。",
        "增加窗口和菜品种类，每学期开展一次满意度调查。",
        "总务处",
    ),
    (
        "关于完善绩效工资分配办法的提案",
        "pay",
        "现行办法对班主任和跨头课教师的工作量体现不足。",
        "提高班主任津贴权重，分配方案提交教代会审议。",
        "人事处",
    ),
    (
        "关于增设教师休息室的提案",
        "safety",
        "部分年级组没有休息场所，午休只能伏案。",
        "利用闲置教室改建两间教师休息室。",
        "总务处",
    ),
    (
        "关于减少非教学类检查和填表的提案",
        "management",
        "各类检查、报表占用教师大量时间。",
        "梳理合并各类台账，非必要材料一律不再要求教师填写。",
        "校长办公室",
    ),
    (
        "关于支持青年教师外出培训的提案",
        "training",
        "青年教师外出学习机会少，培训经费使用不均衡。",
        "设立青年教师培训专项，每人每学年至少一次外出学习。",
        "教务处",
    ),
    (
        "关于校园停车位统筹安排的提案",
        "safety",
        "上下学时段校门口拥堵，教职工停车困难。",
        "划定教职工专用车位，错峰开放操场东侧停车区。",
        "总务处",
    ),
    (
        "关于调整课后服务时间安排的提案",
        "teaching",
        "课后服务结束时间偏晚，教师轮值负担重。",
        "合理排班，课后服务计入工作量并给予补贴。",
        "教务处",
    ),
    (
        "关于为女教职工设立爱心妈咪小屋的提案",
        "welfare",
        "哺乳期女教职工缺少私密、卫生的休息场所。",
        "在行政楼设立爱心妈咪小屋，配备冰箱和沙发。",
        "工会",
    ),
    (
        "关于规范职称评审推荐程序的提案",
        "management",
        "职称推荐标准公布不及时，教师对程序有疑问。",
        "提前公布推荐方案，推荐结果在校务公开栏公示。",
        "人事处",
    ),
    (
        "关于更新办公电脑和多媒体设备的提案",
        "teaching",
        "部分办公电脑已使用十年以上，上课经常卡顿。",
        "分批更新设备，建立设备报修快速响应机制。",
        "总务处",
    ),
    (
        "关于丰富教职工文体活动的提案",
        "welfare",
        "教职工文体活动少，工作压力缺少排解渠道。",
        "成立羽毛球、合唱等兴趣小组，每学期举办一次趣味运动会。",
        "工会",
    ),
    (
        "关于建立退休教师慰问制度的提案",
        "welfare",
        "退休教师与学校联系减少，节日慰问不够系统。",
        "建立退休教师档案，重阳节和春节集中走访慰问。",
        "工会",
    ),
    (
        "关于优化作业批改与教研时间的提案",
        "teaching",
        "教研活动时间与作业批改冲突。",
        "每周固定半天教研时间，其间不安排其他会议。",
        "教务处",
    ),
]

CONVERT_REASONS = [
    "所提事项属个人具体诉求，转为意见建议由相关部门直接答复。",
    "所提事项已列入学校年度工作计划，转为意见建议跟踪落实。",
]
UNSATISFIED_COMMENTS = ["答复未明确完成时间和经费来源。", "答复较笼统，未逐条回应建议。"]


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=ZoneInfo(settings.TIME_ZONE))


def _window(session: CongressSession) -> tuple[date, date]:
    w = svc.window_for(session, session.held_on)
    closes = w.closes_on
    opens = w.opens_on or closes - timedelta(days=20)
    return opens, closes


class _Seeder:
    def __init__(self, actor: User | None, rng: random.Random, departments: dict[str, Department]):
        self.actor, self.rng, self.departments = actor, rng, departments
        self.topics = list(TOPICS)
        rng.shuffle(self.topics)

    def topic(self) -> tuple[str, str, str, str, str]:
        if not self.topics:
            self.topics = list(TOPICS)
            self.rng.shuffle(self.topics)
        return self.topics.pop()

    def submit(
        self, session: CongressSession, seats: list[Delegate], day: date, cosigners: int
    ) -> tuple[Proposal, str]:
        title, category, reasons, measures, dept = self.topic()
        proposer, *others = self.rng.sample(seats, k=min(len(seats), 1 + cosigners))
        p = svc.proposal_submit(
            user=None,
            delegate=proposer,
            session=session,
            title=title,
            reasons=reasons,
            measures=measures,
            category=category,
            now=_at(day, 9),
        )
        for seat in others:
            svc.proposal_cosign(user=None, delegate=seat, proposal=p, now=_at(day, 15))
        p.refresh_from_db()
        return p, dept

    def accept(self, p: Proposal, dept: str, day: date, due: date) -> Proposal:
        return svc.proposal_accept(
            actor=self.actor,
            proposal=p,
            department=self.departments[dept],
            due_on=due,
            now=_at(day, 14),
        )

    def reply(self, p: Proposal, day: date, round_no: int = 1) -> None:
        answers = [
            {"point": "关于所提问题", "answer": "经研究，已列入本学年工作计划，分步落实。"},
            {"point": "关于具体措施", "answer": "由承办部门牵头制定方案，下学期开学前完成。"},
        ]
        if round_no > 1:
            answers.append(
                {"point": "关于经费和时间", "answer": "经费从年度预算中列支，本学期内完成。"}
            )
        svc.proposal_reply(
            user=None,
            proposal=p,
            points=answers,
            body="感谢代表对学校工作的关心。",
            now=_at(day, 16),
        )

    def rate(self, p: Proposal, rating: str, day: date, comment: str = "") -> None:
        svc.proposal_rate(
            user=None,
            delegate=p.proposer,
            proposal=p,
            rating=rating,
            comment=comment,
            now=_at(day, 11),
        )


def _past_session(s: _Seeder, session: CongressSession, seats: list[Delegate]) -> None:
    """A held session: everything reviewed, handled and rated, two outstanding."""
    opens, closes = _window(session)
    day = opens + timedelta(days=2)
    review = closes + timedelta(days=3)
    due = session.held_on + timedelta(days=60)
    done = due - timedelta(days=20)
    ratings = ["satisfied", "satisfied", "basic", "satisfied", "basic"]
    accepted_ones = []
    for rating in ratings:
        p, dept = s.submit(session, seats, day, cosigners=2)
        p = s.accept(p, dept, review, due)
        s.reply(p, done)
        s.rate(p, rating, done + timedelta(days=3))
        accepted_ones.append(p)
    # unsatisfied first, handled again, then basically satisfied
    p, dept = s.submit(session, seats, day, cosigners=3)
    p = s.accept(p, dept, review, due)
    s.reply(p, done)
    s.rate(p, "unsatisfied", done + timedelta(days=2), s.rng.choice(UNSATISFIED_COMMENTS))
    s.reply(p, done + timedelta(days=10), round_no=2)
    s.rate(p, "basic", done + timedelta(days=12))
    p, _dept = s.submit(session, seats, day, cosigners=2)
    svc.proposal_convert(actor=s.actor, proposal=p, reason=CONVERT_REASONS[0], now=_at(review, 15))
    for p in accepted_ones[:2]:
        svc.proposal_mark_outstanding(
            actor=s.actor, proposal=p, note="经提案工作委员会评选", now=_at(done, 17)
        )


def _upcoming_session(
    s: _Seeder, session: CongressSession, seats: list[Delegate], today: date
) -> None:
    """The session to come: proposals at every step before and during handling."""
    opens, closes = _window(session)
    last = min(closes, today)
    day = max(opens, last - timedelta(days=12))
    review = max(day + timedelta(days=1), last - timedelta(days=6))
    overdue_due = review + timedelta(days=2)  # past by "today" when today is after it
    due = max(today, review) + timedelta(days=30)
    s.submit(session, seats, day, cosigners=1)  # collecting
    s.submit(session, seats, day, cosigners=2)  # submitted, awaiting review
    p, _dept = s.submit(session, seats, day, cosigners=0)
    svc.proposal_withdraw(
        user=None, delegate=p.proposer, proposal=p, reason="已与学校沟通解决", now=_at(day, 18)
    )
    p, _dept = s.submit(session, seats, day, cosigners=2)
    svc.proposal_convert(actor=s.actor, proposal=p, reason=CONVERT_REASONS[1], now=_at(review, 15))
    p, dept = s.submit(session, seats, day, cosigners=2)
    s.accept(p, dept, review, due)  # being handled
    p, dept = s.submit(session, seats, day, cosigners=3)
    s.accept(p, dept, review, overdue_due)  # overdue once today passes its date
    p, dept = s.submit(session, seats, day, cosigners=2)
    p = s.accept(p, dept, review, due)
    s.reply(p, review + timedelta(days=1))  # replied, awaiting the rating
    p, dept = s.submit(session, seats, day, cosigners=2)
    p = s.accept(p, dept, review, due)
    s.reply(p, review + timedelta(days=1))
    s.rate(p, "unsatisfied", review + timedelta(days=2), UNSATISFIED_COMMENTS[1])  # rehandling
    p, dept = s.submit(session, seats, day, cosigners=2)
    p = s.accept(p, dept, review, due)
    s.reply(p, review + timedelta(days=1))
    s.rate(p, "satisfied", review + timedelta(days=2))


def seed_proposals(
    *,
    sessions: list[CongressSession],
    departments: list[str],
    actor: User | None,
    rng: random.Random,
    today: date,
) -> dict[str, Any]:
    """``sessions``: the past ones (oldest first) and, last, the upcoming one, all of one
    union and each with at least four serving delegates in its term."""
    if not sessions:
        return {"departments": 0, "proposals": 0, "by_status": {}}
    union = sessions[0].term.congress.union
    depts: dict[str, Department] = {}
    for name in departments or DEPARTMENTS:
        existing = Department.objects.filter(union=union, name=name).first()
        depts[name] = existing or svc.department_create(actor=actor, union=union, name=name)
    for name in DEPARTMENTS:  # topics name these; a shorter list still gets them
        if name not in depts:
            depts[name] = Department.objects.filter(union=union, name=name).first() or (
                svc.department_create(actor=actor, union=union, name=name)
            )
    seeder = _Seeder(actor, rng, depts)
    *past, upcoming = sessions
    for session in past:
        _past_session(seeder, session, list(active_delegates(session.term)))
    _upcoming_session(seeder, upcoming, list(active_delegates(upcoming.term)), today)
    made = Proposal.objects.filter(session__in=sessions)
    return {
        "departments": len(depts),
        "proposals": made.count(),
        "by_status": dict(Counter(made.values_list("status", flat=True))),
        "outstanding": made.filter(is_outstanding=True).count(),
    }
