"""Demo notices: what the union chairs find behind the bell on the demo's "today".

Each chair's inbox holds notices about the work that really waits in their union's demo
records: a visit that is overdue, hardship files due for the November re-check, a proposal
awaiting review, an insurance claim to decide, membership applications and profile changes
to approve, and a few older ones already read (a new visit task, a distribution list that is
ready). Care reminders go through ``care.notices``, the functions (and keys) the daily
reminder run uses, so running ``gonghui care remind`` on the demo adds nothing twice; the
others carry keys of their own, so seeding again adds nothing either.

Notices are dated on the demo's "today" (reminders at 07:30, when cron runs them), not on
the day the seed runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse

from gonghui.care import notices as care_notices
from gonghui.care.models import VisitTask
from gonghui.care.models.distributions import Distribution
from gonghui.care.models.donations import InsuranceClaim
from gonghui.care.models.hardship import HardshipFile
from gonghui.congress.models.proposals import Proposal
from gonghui.core.models import Notification, OrgUnit, Role, RoleGrant, User
from gonghui.core.notifications import notify
from gonghui.members.models import Member, MemberStatus, ProfileChangeRequest

from .logins import DEMO_LOGINS


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(settings.TIME_ZONE))


def _date(key: str, at: datetime, *, read: datetime | None = None) -> None:
    """Put the notices of ``key`` on the demo calendar (notify stamps the real clock)."""
    Notification.objects.filter(key=key).update(created_at=at, read_at=read)


def _key_of(kind: str, *parts: object) -> str:
    return ":".join([kind, *(str(p) for p in parts)])


def _care(union: OrgUnit, today: date) -> None:
    tasks = (
        VisitTask.objects.filter(union=union, status=VisitTask.Status.OPEN)
        .select_related("union", "event__member__person", "event__member__unit")
        .select_related("event__reported_by")
        .order_by("due_on", "pk")
    )
    for task in tasks:
        member = task.event.member
        managers = care_notices.care_managers(task.union, member.unit)
        reported = task.event.reported_at
        # Every open task was announced when it was made; those read long since.
        care_notices.task_created(task, reporter=task.event.reported_by)
        new_key = _key_of(care_notices.KIND_TASK_NEW, task.pk)
        _date(new_key, reported + timedelta(minutes=2), read=reported + timedelta(hours=3))
        if task.due_on <= today:
            care_notices.visit_due(task, today, managers)
            _date(
                _key_of(care_notices.KIND_VISIT_DUE, task.pk, today.isoformat()), _at(today, 7, 30)
            )
    due = HardshipFile.objects.filter(
        union=union, status=HardshipFile.Status.ACTIVE, next_review_on__lte=today
    ).count()
    if due:
        care_notices.hardship_due(union, due, today)
        year = care_notices.survey_year(today)
        _date(_key_of(care_notices.KIND_HARDSHIP_RECHECK, union.pk, year), _at(today, 7, 35))


def _chair_notices(chair: User, union: OrgUnit, today: date) -> None:
    for p in Proposal.objects.filter(
        session__term__congress__union=union, status=Proposal.Status.SUBMITTED
    ).order_by("pk"):
        key = _key_of("congress.proposal_review", p.pk)
        notify(
            [chair],
            kind="congress.proposal_review",
            title=f"提案待审查：{p.title}",
            body="提案已提交，请审查是否立案并确定承办部门。",
            url=reverse("congress:proposal_detail", args=[p.pk]),
            unit=union,
            key=key,
        )
        _date(key, _at(today - timedelta(days=1), 16, 20))
    for c in InsuranceClaim.objects.filter(
        enrolment__plan__union=union, status=InsuranceClaim.Status.SUBMITTED
    ).select_related("enrolment__plan", "enrolment__member__person"):
        key = _key_of("care.claim_submitted", c.pk)
        notify(
            [chair],
            kind="care.claim_submitted",
            title=f"互助保障理赔待审核：{c.enrolment.member.person.name}（{c.enrolment.plan.name}）",
            body="理赔材料已登记，请核对后批准或说明不予赔付的理由。",
            url=reverse("care:insurance_claim_detail", args=[c.pk]),
            unit=union,
            key=key,
        )
        _date(key, _at(today - timedelta(days=2), 10, 5))
    applied = Member.objects.filter(union=union, status=MemberStatus.APPLIED).count()
    changes = ProfileChangeRequest.objects.filter(member__union=union, status="pending").count()
    if applied or changes:
        key = _key_of("members.approvals", union.pk, today.isoformat())
        parts = [f"入会申请 {applied} 人"] if applied else []
        parts += [f"信息变更 {changes} 条"] if changes else []
        notify(
            [chair],
            kind="members.approvals",
            title="待审批：" + "，".join(parts),
            url=reverse("members:approvals"),
            unit=union,
            key=key,
        )
        _date(key, _at(today, 7, 40))
    # The newest list that is ready: the chair was told when it was built, before the day.
    for d in Distribution.objects.filter(union=union, status=Distribution.Status.READY).order_by(
        "-given_on", "-pk"
    )[:1]:
        key = _key_of("care.distribution_ready", d.pk)
        notify(
            [chair],
            kind="care.distribution_ready",
            title=f"发放名单已生成：{d.title}",
            body="名单已按条件生成并完成限额检查，可以打印签领表、逐人签领。",
            url=reverse("care:distribution_detail", args=[d.pk]),
            unit=union,
            key=key,
        )
        made = _at(min(d.given_on, today) - timedelta(days=3), 15, 10)
        _date(key, made, read=made + timedelta(minutes=20))


def seed_notifications(*, users: Mapping[str, User], today: date) -> int:
    """Fill the inboxes of the demo chair logins in ``users`` (by login name) from their
    unions' records; returns how many notices the demo now holds."""
    chairs = [
        users[d.username] for d in DEMO_LOGINS if d.role == Role.CHAIR and d.username in users
    ]
    for chair in chairs:
        grant = (
            RoleGrant.objects.filter(user=chair, role=Role.CHAIR, revoked_at__isnull=True)
            .select_related("unit")
            .first()
        )
        if grant is None:
            continue
        _care(grant.unit, today)
        _chair_notices(chair, grant.unit, today)
    return Notification.objects.count()
