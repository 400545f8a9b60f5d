"""Festival, birthday and seasonal distributions: plan, build the recipient list with cap
checks, override or exclude a line, tick off the hand-out, close.

Every write runs in a transaction and leaves an audit row. The list is built by a background
task (``distribution_tasks``) through ``lines_build``; each hand-out posts a gift to the care
ledger (``ledger.payment_post``), which checks the cap again at that moment, so a member who
was given something else since the list was built is still refused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import reduce
from operator import or_
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from gonghui.core import access
from gonghui.core.access import Perm
from gonghui.core.errors import DomainError
from gonghui.core.models import UNION_KINDS, BackgroundJob, OrgUnit, User
from gonghui.core.services import audit, require_permission, snapshot
from gonghui.members.models import Member
from gonghui.members.queries import units_in_union

from . import ledger, rules
from .models import CapItem, CarePayment, Distribution, DistributionLine

AUDIT_LABELS = {
    "care.distribution_plan": _("Distribution planned"),
    "care.distribution_build": _("Distribution list built"),
    "care.distribution_build_failed": _("Building a distribution list failed"),
    "care.distribution_override": _("Over-cap gift allowed by the chair"),
    "care.distribution_exclude": _("Person taken off a distribution list"),
    "care.distribution_handout": _("Distribution handed out"),
    "care.distribution_close": _("Distribution closed"),
}

JOB_KIND = "care_distribution_build"
CHUNK = 10_000  # lines per insert and per progress step
Progress = Callable[[int, int], None]


def _no_progress(done: int, total: int) -> None:
    return None


# ---- plan ---------------------------------------------------------------------------------


def _clean_criteria(union: OrgUnit, criteria: rules.Criteria | dict[str, Any]) -> rules.Criteria:
    if isinstance(criteria, dict):
        try:
            criteria = rules.criteria_from_json(criteria)
        except (TypeError, ValueError) as e:
            raise DomainError("bad_criteria", "生日月份应为 1–12", field="birth_month") from e
    if criteria.unit_ids:
        own = {u.pk for u in units_in_union(union)}
        if not set(criteria.unit_ids) <= own:
            raise DomainError("bad_unit", f"所选小组不属于{union.name}", field="unit_ids")
    return criteria


def distribution_plan(
    *,
    actor: User | None,
    union: OrgUnit,
    title: str,
    kind: str,
    cap_item: str,
    given_on: date,
    amount_per_person: Decimal | str,
    gift_description: str,
    criteria: rules.Criteria | dict[str, Any],
) -> Distribution:
    """Record a planned distribution (draft); its list is built by ``distribution_build``."""
    require_permission(actor, Perm.MANAGE_CARE, union)
    if union.kind not in UNION_KINDS:
        raise DomainError("not_a_union", f"{union.name}不是基层工会，不能发放", field="union")
    title, gift = title.strip(), gift_description.strip()
    if not title:
        raise DomainError("title_required", "请填写发放名称", field="title")
    if kind not in Distribution.Kind.values:
        raise DomainError("bad_kind", "未知的发放类别", field="kind")
    if cap_item not in CapItem.values:
        raise DomainError("bad_cap_item", "未知的慰问/福利项目", field="cap_item")
    if not gift:
        raise DomainError("gift_required", "请填写发放物品", field="gift_description")
    try:
        amount = rules.yuan(amount_per_person)
    except (InvalidOperation, TypeError, ValueError) as e:
        raise DomainError("bad_amount", "每人金额格式不正确", field="amount_per_person") from e
    if amount <= 0:
        raise DomainError("bad_amount", "每人金额应大于 0", field="amount_per_person")
    clean = _clean_criteria(union, criteria)
    with transaction.atomic():
        d = Distribution.objects.create(
            union=union,
            title=title,
            kind=kind,
            cap_item=cap_item,
            given_on=given_on,
            amount_per_person=amount,
            gift_description=gift,
            criteria=clean.to_json(),
            created_by=actor if actor and actor.pk else None,
        )
        audit(actor=actor, action="care.distribution_plan", obj=d, unit=union, after=snapshot(d))
    return d


# ---- build the list -------------------------------------------------------------------------


def selection(distribution: Distribution, criteria: rules.Criteria) -> QuerySet[Member]:
    """The members the criteria select, as one database filter: the same rule as
    ``rules.member_selected``. Only the distribution's own union's members."""
    qs = Member.objects.filter(union_id=distribution.union_id, status__in=criteria.statuses)
    if criteria.work_statuses:
        qs = qs.filter(work_status__in=criteria.work_statuses)
    if criteria.employment_types:
        qs = qs.filter(employment_type__in=criteria.employment_types)
    if criteria.unit_ids:
        union_path = distribution.union.path
        paths = OrgUnit.objects.filter(
            pk__in=criteria.unit_ids, path__startswith=union_path
        ).values_list("path", flat=True)
        qs = qs.filter(reduce(or_, [Q(unit__path__startswith=p) for p in paths], Q(pk__in=[])))
    if criteria.birth_month is not None:
        qs = qs.filter(person__birth_date__month=criteria.birth_month)
    if criteria.posts:
        qs = qs.filter(reduce(or_, [Q(post__icontains=w) for w in criteria.posts]))
    return qs


def distribution_build(
    *, actor: User | None, distribution: Distribution, language: str = "", run_now: bool = False
) -> BackgroundJob:
    """Start (re)building the recipient list as a background task; a list from which
    anything was handed out is never replaced. ``run_now`` builds it in this process
    (demo data, benchmarks)."""
    require_permission(actor, Perm.MANAGE_CARE, distribution.union)
    with transaction.atomic():
        d = Distribution.objects.select_for_update().get(pk=distribution.pk)
        if d.status == Distribution.Status.CLOSED:
            raise DomainError("closed", "该发放已结束，不能重新生成名单")
        if d.status == Distribution.Status.BUILDING:
            raise DomainError("building", "名单正在生成中，请稍候")
        if d.lines.filter(handed_out_at__isnull=False).exists():
            raise DomainError("handed_out", "已有人签领，不能重新生成名单；请在现有名单上调整")
        job = BackgroundJob.objects.create(
            kind=JOB_KIND,
            unit=d.union,
            created_by=actor if actor and actor.pk else None,
            params={
                "distribution_id": d.pk,
                "language": language or translation.get_language() or "zh-hans",
            },
        )
        d.status, d.job = Distribution.Status.BUILDING, job
        d.save(update_fields=["status", "job"])
        if not run_now:
            from .distribution_tasks import distribution_build_task

            # The worker must see the job row: enqueue once it is committed.
            transaction.on_commit(lambda: distribution_build_task.enqueue(job.pk))
    distribution.status, distribution.job = d.status, job
    if run_now:
        from .distribution_tasks import run_build

        run_build(job.pk)
        job.refresh_from_db()
        distribution.refresh_from_db()
    return job


def lines_build(*, job: BackgroundJob, progress: Progress = _no_progress) -> Distribution:
    """The task's work: replace the list with one line per selected member, each checked
    against the item's yearly cap. Queries: the selection's ids, the year-to-date totals of
    every member of the union (one aggregate), the cap (once); then the lines are written
    by the database itself (INSERT … SELECT over the selection, a chunk of ids at a time,
    with the decision for members without spending) and the few members with spending
    this year are corrected (one UPDATE per distinct decision). At 200,000 members that
    is seconds, where creating 200,000 model objects is most of a minute.
    While the status is "building" no page shows the partial list."""
    d = Distribution.objects.select_related("union").get(pk=job.params["distribution_id"])
    if d.status != Distribution.Status.BUILDING or d.job_id != job.pk:
        raise DomainError("stale_job", "这次生成已被取消或替换")
    criteria = rules.criteria_from_json(d.criteria)
    with transaction.atomic():
        if d.lines.filter(handed_out_at__isnull=False).exists():
            raise DomainError("handed_out", "已有人签领，不能重新生成名单")
        d.lines.all().delete()
    chosen = selection(d, criteria).order_by()
    ids = list(chosen.order_by("id").values_list("id", flat=True))
    total = len(ids)
    progress(0, total)
    year = d.given_on.year
    cap = ledger.cap_for(d.union, d.cap_item, year)
    plan = rules.plan_caps(
        spent=ledger.spent_all(d.cap_item, year, d.union), amount=d.amount_per_person, cap=cap
    )
    recipients = 0
    for start in range(0, total, CHUNK):
        part = ids[start : start + CHUNK]
        with transaction.atomic():
            recipients += _insert_lines(d, chosen.filter(id__gte=part[0], id__lte=part[-1]), plan)
        progress(start + len(part), total)
    with transaction.atomic():
        for (state, room), member_ids in plan.changes.items():
            for start in range(0, len(member_ids), 5000):
                d.lines.filter(member_id__in=member_ids[start : start + 5000]).update(
                    cap_state=state, cap_room=room
                )
        over = d.lines.exclude(cap_state__in=list(rules.HANDOUT_STATES)).count()
        before = snapshot(d, ["status", "recipients_count", "over_cap_count", "total_amount"])
        d.status = Distribution.Status.READY
        d.recipients_count, d.over_cap_count = recipients, over
        d.total_amount = rules.yuan(d.amount_per_person * (recipients - over))
        d.handed_out_count = 0
        d.save(
            update_fields=[
                "status",
                "recipients_count",
                "over_cap_count",
                "total_amount",
                "handed_out_count",
            ]
        )
        audit(
            actor=job.created_by,
            action="care.distribution_build",
            obj=d,
            unit=d.union,
            before=before,
            after=snapshot(d, ["status", "recipients_count", "over_cap_count", "total_amount"]),
            note=f"上限 ¥{cap}" if cap is not None else "该项目无上限",
        )
    return d


def _insert_lines(d: Distribution, members: QuerySet[Member], plan: rules.CapPlan) -> int:
    """One INSERT … SELECT of the lines of ``members`` with the default cap decision."""
    sql, params = members.values_list("id").query.sql_with_params()
    table = DistributionLine._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {table} (distribution_id, member_id, amount, cap_state, cap_room,"  # noqa: S608 - names from the model, values as parameters
            f" override_reason, exclude_reason) SELECT %s, sub.id, %s, %s, %s, '', ''"
            f" FROM ({sql}) sub",
            [d.pk, d.amount_per_person, plan.default_state, plan.default_room, *params],
        )
        return cur.rowcount


def distribution_build_failed(*, job: BackgroundJob, message: str) -> None:
    """Back to draft after a failed build, without the partial list."""
    with transaction.atomic():
        d = Distribution.objects.select_for_update().get(pk=job.params["distribution_id"])
        if d.job_id != job.pk or d.status != Distribution.Status.BUILDING:
            return
        d.lines.filter(handed_out_at__isnull=True).delete()
        d.status = Distribution.Status.DRAFT
        d.recipients_count = d.over_cap_count = d.handed_out_count = 0
        d.total_amount = Decimal("0.00")
        d.save()
        audit(
            actor=job.created_by,
            action="care.distribution_build_failed",
            obj=d,
            unit=d.union,
            note=message,
        )


# ---- change the list ----------------------------------------------------------------------


def _locked_line(line: DistributionLine) -> tuple[DistributionLine, Distribution]:
    d = Distribution.objects.select_for_update().get(pk=line.distribution_id)
    locked = (
        DistributionLine.objects.select_for_update()
        .select_related("member__person")
        .get(pk=line.pk)
    )
    if d.status != Distribution.Status.READY:
        raise DomainError("not_ready", "名单尚未生成或发放已结束，不能修改")
    if locked.handed_out_at is not None:
        raise DomainError("handed_out", f"{locked.member.person.name}已签领，不能修改")
    if locked.excluded_at is not None:
        raise DomainError("excluded", f"{locked.member.person.name}已移出名单")
    return locked, d


def line_override(*, actor: User, line: DistributionLine, reason: str) -> DistributionLine:
    """The chair allows a gift that would pass the member's yearly cap, with a written
    reason that goes to the audit trail and, at hand-out, to the ledger."""
    if actor is None:
        raise DomainError("override_not_allowed", "只有工会主席可以批准超过上限的发放")
    require_permission(actor, Perm.OVERRIDE_CAPS, line.distribution.union)
    reason = reason.strip()
    if not reason:
        raise DomainError("reason_required", "请填写超上限发放的理由", field="reason")
    with transaction.atomic():
        locked, d = _locked_line(line)
        if locked.cap_state != DistributionLine.CapState.OVER:
            raise DomainError("not_over", f"{locked.member.person.name}未超过上限，无需批准")
        before = snapshot(locked, ["cap_state", "override_reason"])
        locked.cap_state = DistributionLine.CapState.OVERRIDDEN
        locked.override_reason = reason[:300]
        locked.overridden_by = actor
        locked.save(update_fields=["cap_state", "override_reason", "overridden_by"])
        Distribution.objects.filter(pk=d.pk).update(
            over_cap_count=F("over_cap_count") - 1, total_amount=F("total_amount") + locked.amount
        )
        audit(
            actor=actor,
            action="care.distribution_override",
            obj=locked,
            unit=d.union,
            before=before,
            after=snapshot(locked, ["cap_state", "override_reason"]),
            note=reason,
        )
    return locked


def line_exclude(*, actor: User | None, line: DistributionLine, reason: str) -> DistributionLine:
    """Take a person off the list before hand-out (on long leave, declined...). The line
    stays, marked, with the reason."""
    require_permission(actor, Perm.MANAGE_CARE, line.distribution.union)
    reason = reason.strip()
    if not reason:
        raise DomainError("reason_required", "请填写移出名单的原因", field="reason")
    with transaction.atomic():
        locked, d = _locked_line(line)
        locked.excluded_at = timezone.now()
        locked.exclude_reason = reason[:200]
        locked.save(update_fields=["excluded_at", "exclude_reason"])
        counted = rules.may_hand_out(locked.cap_state)
        Distribution.objects.filter(pk=d.pk).update(
            recipients_count=F("recipients_count") - 1,
            over_cap_count=F("over_cap_count") - (0 if counted else 1),
            total_amount=F("total_amount") - (locked.amount if counted else 0),
        )
        audit(
            actor=actor,
            action="care.distribution_exclude",
            obj=locked,
            unit=d.union,
            after=snapshot(locked, ["member_id", "excluded_at", "exclude_reason"]),
            note=reason,
        )
    return locked


# ---- hand out and close -------------------------------------------------------------------


def handout_mark(
    *, actor: User | None, lines: Sequence[DistributionLine], on: date
) -> list[DistributionLine]:
    """Tick off persons who received the gift: each line posts its value to the care
    ledger (cash 0, gift value = amount). All or nothing: a line over the cap without the
    chair's override, already ticked or taken off the list refuses the whole call."""
    if not lines:
        raise DomainError("no_lines", "请选择签领人员")
    dist_ids = {ln.distribution_id for ln in lines}
    if len(dist_ids) != 1:
        raise DomainError("mixed", "一次只能登记同一项发放的签领")
    union = lines[0].distribution.union
    require_permission(actor, Perm.MANAGE_CARE, union)
    may_override = actor is not None and access.has_perm(actor, Perm.OVERRIDE_CAPS, union)
    now = timezone.now()
    with transaction.atomic():
        d = Distribution.objects.select_for_update().get(pk=dist_ids.pop())
        if d.status != Distribution.Status.READY:
            raise DomainError("not_ready", "名单尚未生成或发放已结束，不能登记签领")
        locked = list(
            # Only the lines are locked: the chair who approved may be absent (outer join).
            DistributionLine.objects.select_for_update(of=("self",))
            .select_related("member__person", "overridden_by")
            .filter(pk__in=[ln.pk for ln in lines])
            .order_by("id")
        )
        for ln in locked:
            name = ln.member.person.name
            if ln.excluded_at is not None:
                raise DomainError("excluded", f"{name}已移出名单")
            if ln.handed_out_at is not None:
                raise DomainError("handed_out", f"{name}已签领")
            if not rules.may_hand_out(ln.cap_state):
                raise DomainError(
                    "over_cap",
                    f"{name}：本次发放将超过本年度每人上限（尚余 ¥{ln.cap_room}），"
                    "须工会主席批准后才能发放",
                )
        responsible = getattr(actor, "person", None) if actor else None
        for ln in locked:
            overridden = ln.cap_state == DistributionLine.CapState.OVERRIDDEN
            # The ledger accepts an over-cap posting only with someone who may override:
            # the chair who allowed this line, when a cadre hands it out.
            ln.payment = ledger.payment_post(
                actor=actor,
                approved_by=None if (may_override or not overridden) else ln.overridden_by,
                member=ln.member,
                cap_item=d.cap_item,
                paid_on=on,
                gift_value=ln.amount,
                source=CarePayment.Source.DISTRIBUTION,
                source_id=d.pk,
                responsible=responsible,
                override_reason=ln.override_reason if overridden else "",
            )
            ln.handed_out_at = now
            ln.handed_out_by = actor if actor and actor.pk else None
        DistributionLine.objects.bulk_update(
            locked, ["payment", "handed_out_at", "handed_out_by"], batch_size=500
        )
        Distribution.objects.filter(pk=d.pk).update(
            handed_out_count=F("handed_out_count") + len(locked)
        )
        audit(
            actor=actor,
            action="care.distribution_handout",
            obj=d,
            unit=d.union,
            after={"lines": [ln.pk for ln in locked], "on": on.isoformat()},
            note="、".join(ln.member.person.name for ln in locked[:20]),
        )
    return locked


def distribution_close(*, actor: User | None, distribution: Distribution) -> Distribution:
    """End a distribution: no more ticks. Lines never ticked stay on record as not given."""
    require_permission(actor, Perm.MANAGE_CARE, distribution.union)
    with transaction.atomic():
        d = Distribution.objects.select_for_update().get(pk=distribution.pk)
        if d.status != Distribution.Status.READY:
            raise DomainError("not_ready", "只有名单已生成的发放可以结束")
        d.status = Distribution.Status.CLOSED
        d.closed_at = timezone.now()
        d.save(update_fields=["status", "closed_at"])
        left = d.recipients_count - d.handed_out_count
        audit(
            actor=actor,
            action="care.distribution_close",
            obj=d,
            unit=d.union,
            after=snapshot(d, ["status", "closed_at", "handed_out_count"]),
            note=f"未签领 {left} 人",
        )
    return d


# ---- reads --------------------------------------------------------------------------------


def may_manage(user: Any) -> bool:
    return access.has_any(user, Perm.MANAGE_CARE)


def distributions_for(user: Any) -> QuerySet[Distribution]:
    """Distributions of the unions where the user manages care."""
    qs = Distribution.objects.select_related("union", "job")
    return access.scope(qs, user, Perm.MANAGE_CARE, "union")


def distribution_for(user: Any, pk: int) -> Distribution | None:
    return distributions_for(user).filter(pk=pk).first()


def line_search(
    distribution: Distribution, *, unit_id: int | None = None, state: str = "", q: str = ""
) -> QuerySet[DistributionLine]:
    """Lines of a list, filtered by group, by state (a cap state, "handed", "waiting",
    "excluded") and by the start of a name."""
    qs = distribution.lines.select_related("member__person", "member__unit").order_by(
        "member__unit__path", "member__person__name", "id"
    )
    if unit_id:
        qs = qs.filter(member__unit_id=unit_id)
    if state in DistributionLine.CapState.values:
        qs = qs.filter(cap_state=state, excluded_at__isnull=True)
    elif state == "handed":
        qs = qs.filter(handed_out_at__isnull=False)
    elif state == "waiting":
        qs = qs.filter(
            handed_out_at__isnull=True,
            excluded_at__isnull=True,
            cap_state__in=list(rules.HANDOUT_STATES),
        )
    elif state == "excluded":
        qs = qs.filter(excluded_at__isnull=False)
    if q.strip():
        qs = qs.filter(member__person__name__startswith=q.strip())
    return qs


@dataclass(frozen=True)
class GroupFigures:
    unit_id: int
    name: str
    lines: int
    handed: int
    waiting: int  # may be ticked off now


def group_figures(distribution: Distribution) -> list[GroupFigures]:
    """Per group of the union: how many on the list, ticked off, still to tick (one query)."""
    allowed = Q(cap_state__in=list(rules.HANDOUT_STATES))
    rows = (
        distribution.lines.filter(excluded_at__isnull=True)
        .values("member__unit_id", "member__unit__name", "member__unit__path")
        .annotate(
            n=Count("id"),
            handed=Count("id", filter=Q(handed_out_at__isnull=False)),
            waiting=Count("id", filter=allowed & Q(handed_out_at__isnull=True)),
        )
        .order_by("member__unit__path")
    )
    return [
        GroupFigures(
            r["member__unit_id"], r["member__unit__name"], r["n"], r["handed"], r["waiting"]
        )
        for r in rows
    ]


def waiting_lines(distribution: Distribution, unit_id: int) -> list[DistributionLine]:
    """The lines of one group that may be ticked off now."""
    return list(
        line_search(distribution, unit_id=unit_id, state="waiting").select_related(
            "distribution__union"
        )
    )


@dataclass(frozen=True)
class UnionCounts:
    union_id: int
    name: str
    distributions: int
    recipients: int
    handed_out: int
    total: Decimal


def counts_by_union(user: Any, year: int) -> list[UnionCounts]:
    """Figures per union in the user's statistical reach for a year: counts and amounts,
    never names (upper unions see aggregates only)."""
    qs = access.scope(
        Distribution.objects.filter(given_on__year=year), user, Perm.VIEW_STATS, "union"
    )
    rows = (
        qs.values("union_id", "union__name", "union__path")
        .annotate(
            n=Count("id"),
            recipients=Sum("recipients_count"),
            handed=Sum("handed_out_count"),
            total=Sum("total_amount"),
        )
        .order_by("union__path")
    )
    return [
        UnionCounts(
            r["union_id"],
            r["union__name"],
            r["n"],
            r["recipients"] or 0,
            r["handed"] or 0,
            rules.yuan(r["total"] or 0),
        )
        for r in rows
    ]


def plan_unions(user: Any) -> list[OrgUnit]:
    """Unions where the user may plan a distribution."""
    units = access.units_with(user, Perm.MANAGE_CARE).filter(kind__in=list(UNION_KINDS))
    return list(units.order_by("path"))


def plan_groups(unions: Iterable[OrgUnit]) -> list[tuple[int, str]]:
    """Groups and branches of the given unions, for the "who" part of the plan form."""
    out = []
    for union in unions:
        out += [(u.pk, f"{union.name} / {u.name}") for u in units_in_union(union) if u != union]
    return out
