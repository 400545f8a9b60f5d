"""Mutual-aid insurance (职工互助保障): plans, yearly enrolment, claims and renewals.

Claims carry health data: only those who manage care in the union and the member
themselves see a claim's details; upper unions see counts and totals only.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core import access, uploads
from gonghui.core.access import Perm
from gonghui.core.errors import DomainError
from gonghui.core.models import UNION_KINDS, OrgUnit, User
from gonghui.core.services import audit, require_permission, snapshot
from gonghui.members.models import Member, MemberStatus

from . import notices, rules
from .models.donations import InsuranceClaim, InsuranceEnrolment, InsurancePlan

AUDIT_LABELS = {
    "care.insurance_plan_create": _("Insurance plan created"),
    "care.insurance_enrol": _("Members enrolled in an insurance plan"),
    "care.insurance_claim_submit": _("Insurance claim submitted"),
    "care.insurance_claim_approve": _("Insurance claim approved"),
    "care.insurance_claim_reject": _("Insurance claim rejected"),
    "care.insurance_claim_pay": _("Insurance claim paid"),
    "care.insurance_renewal_remind": _("Insurance renewal reminder"),
}

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
MAX_DOCUMENTS = 10
# Checked by content too (core.uploads): a renamed file is refused.
DOCUMENT_KINDS = {"pdf", "jpg", "png"}


# ---- plans and enrolment -------------------------------------------------------------------


def plan_create(
    *,
    actor: User | None,
    union: OrgUnit,
    kind: str,
    name: str,
    year: int,
    premium_per_person: Decimal,
    period_start: date,
    period_end: date,
    insurer: str = "",
    claim_limit: Decimal | None = None,
    renewal_reminder_on: date | None = None,
) -> InsurancePlan:
    require_permission(actor, Perm.MANAGE_CARE, union)
    if union.kind not in UNION_KINDS:
        raise DomainError("care.plan_union", "保障计划须由工会办理", field="union")
    if kind not in InsurancePlan.Kind.values:
        raise DomainError("care.plan_kind", "保障类别不正确", field="kind")
    if not name.strip():
        raise DomainError("care.plan_name", "请填写计划名称", field="name")
    if rules.yuan(premium_per_person) <= 0:
        raise DomainError("care.plan_premium", "每人保费必须大于零", field="premium_per_person")
    if period_end <= period_start:
        raise DomainError("care.plan_period", "保障期结束日期须晚于开始日期", field="period_end")
    if claim_limit is not None and rules.yuan(claim_limit) <= 0:
        raise DomainError("care.plan_limit", "理赔上限必须大于零", field="claim_limit")
    with transaction.atomic():
        plan = InsurancePlan.objects.create(
            union=union,
            kind=kind,
            name=name.strip(),
            year=year,
            premium_per_person=rules.yuan(premium_per_person),
            period_start=period_start,
            period_end=period_end,
            insurer=insurer.strip(),
            claim_limit=rules.yuan(claim_limit) if claim_limit is not None else None,
            renewal_reminder_on=renewal_reminder_on,
            created_by=actor if actor and actor.pk else None,
        )
        audit(
            actor=actor,
            action="care.insurance_plan_create",
            obj=plan,
            unit=union,
            after=snapshot(plan),
        )
    return plan


def eligible_members(plan: InsurancePlan) -> QuerySet[Member]:
    """Active members of the plan's union; women only for the women's special plan."""
    qs = Member.objects.filter(union=plan.union, status=MemberStatus.ACTIVE)
    if plan.kind == InsurancePlan.Kind.WOMEN_SPECIAL:
        qs = qs.filter(person__gender="F")
    return qs


def enrol_bulk(
    *,
    actor: User | None,
    plan: InsurancePlan,
    paid_by: str,
    enrolled_on: date,
    member_ids: Sequence[int] | None = None,
) -> int:
    """Enrol every eligible member not yet enrolled (or only those named), at the plan's
    premium per person. Members already enrolled are left as they are, so running it again
    after new members join enrols just them. Returns how many were enrolled."""
    require_permission(actor, Perm.MANAGE_CARE, plan.union)
    if paid_by not in InsuranceEnrolment.PaidBy.values:
        raise DomainError("care.enrol_paid_by", "请选择保费由谁缴纳", field="paid_by")
    with transaction.atomic():
        plan = InsurancePlan.objects.select_for_update().select_related("union").get(pk=plan.pk)
        candidates = eligible_members(plan).exclude(pk__in=plan.enrolments.values("member_id"))
        if member_ids is not None:
            wanted = set(member_ids)
            ok = set(eligible_members(plan).filter(pk__in=wanted).values_list("pk", flat=True))
            if wanted - ok:
                raise DomainError(
                    "care.enrol_member", "所选会员不在本计划的参保范围内", field="members"
                )
            candidates = candidates.filter(pk__in=wanted)
        recorder = actor if actor and actor.pk else None
        rows = [
            InsuranceEnrolment(
                plan=plan,
                member_id=mid,
                paid_by=paid_by,
                premium=plan.premium_per_person,
                enrolled_on=enrolled_on,
                recorded_by=recorder,
            )
            for mid in candidates.values_list("pk", flat=True)
        ]
        InsuranceEnrolment.objects.bulk_create(rows, batch_size=1000)
        audit(
            actor=actor,
            action="care.insurance_enrol",
            obj=plan,
            unit=plan.union,
            after={"enrolled": len(rows), "paid_by": paid_by, "on": enrolled_on.isoformat()},
        )
    return len(rows)


@dataclass(frozen=True)
class PlanFigures:
    enrolled: int
    eligible: int
    rate: Decimal  # percent
    premiums: Decimal
    claims: int
    claims_paid: int
    paid_amount: Decimal


def plan_figures(plan: InsurancePlan) -> PlanFigures:
    enrolled = plan.enrolments.aggregate(n=Count("id"), s=Sum("premium"))
    eligible = eligible_members(plan).count()
    claims = InsuranceClaim.objects.filter(enrolment__plan=plan).aggregate(
        n=Count("id"),
        paid=Count("id", filter=Q(status=InsuranceClaim.Status.PAID)),
        s=Sum("paid_amount"),
    )
    return PlanFigures(
        enrolled["n"],
        eligible,
        rules.enrolment_rate(enrolled=enrolled["n"], eligible=eligible),
        rules.yuan(enrolled["s"] or 0),
        claims["n"],
        claims["paid"],
        rules.yuan(claims["s"] or 0),
    )


def plans_with_figures(user: Any, limit: int = 200) -> list[InsurancePlan]:
    """The plans the user manages, each with ``figures`` (as ``plan_figures``) in four
    queries whatever the number of plans."""
    return with_figures(list(plans_managed(user)[:limit]))


def with_figures(plans: list[InsurancePlan]) -> list[InsurancePlan]:
    """Set ``figures`` (as ``plan_figures``) on each of the given plans, in three queries;
    the caller has scoped and filtered the plans (the pages, the API)."""
    ids = [p.pk for p in plans]
    enrol = {
        r["plan_id"]: (r["n"], r["s"] or 0)
        for r in InsuranceEnrolment.objects.filter(plan_id__in=ids)
        .values("plan_id")
        .annotate(n=Count("id"), s=Sum("premium"))
        .order_by()
    }
    claims = {
        r["enrolment__plan_id"]: (r["n"], r["paid"], r["s"] or 0)
        for r in InsuranceClaim.objects.filter(enrolment__plan_id__in=ids)
        .values("enrolment__plan_id")
        .annotate(
            n=Count("id"),
            paid=Count("id", filter=Q(status=InsuranceClaim.Status.PAID)),
            s=Sum("paid_amount"),
        )
        .order_by()
    }
    heads = {
        r["union_id"]: (r["n"], r["women"])
        for r in Member.objects.filter(
            union_id__in={p.union_id for p in plans}, status=MemberStatus.ACTIVE
        )
        .values("union_id")
        .annotate(n=Count("id"), women=Count("id", filter=Q(person__gender="F")))
        .order_by()
    }
    for p in plans:
        enrolled, premiums = enrol.get(p.pk, (0, 0))
        n_claims, n_paid, paid_amount = claims.get(p.pk, (0, 0, 0))
        members, women = heads.get(p.union_id, (0, 0))
        eligible = women if p.kind == InsurancePlan.Kind.WOMEN_SPECIAL else members
        # An attribute, not a field: the pages and the API read it off each plan.
        p.figures = PlanFigures(  # type: ignore[attr-defined]
            enrolled,
            eligible,
            rules.enrolment_rate(enrolled=enrolled, eligible=eligible),
            rules.yuan(premiums),
            n_claims,
            n_paid,
            rules.yuan(paid_amount),
        )
    return plans


# ---- claims --------------------------------------------------------------------------------


def may_see_claim(user: Any, claim: InsuranceClaim) -> bool:
    member = claim.enrolment.member
    return access.has_perm(user, Perm.MANAGE_CARE, member.union) or access.is_self(
        user, member.person_id
    )


def _store_documents(files: Sequence[UploadedFile]) -> list[dict[str, Any]]:
    """Check each file (PDF, JPG or PNG by its own first bytes, at most 10 MB) and store it
    under a random name; the client's file name is kept only as a label."""
    if len(files) > MAX_DOCUMENTS:
        raise DomainError(
            "care.claim_document_count", f"每次最多上传{MAX_DOCUMENTS}个材料", field="documents"
        )
    stored = uploads.check_and_store_all(
        files,
        area="care/claims",
        kinds=DOCUMENT_KINDS,
        max_bytes=MAX_DOCUMENT_BYTES,
        field="documents",
    )
    return [{"label": s.file_name, "path": s.stored_path, "size": s.size_bytes} for s in stored]


def document_path(claim: InsuranceClaim, index: int) -> tuple[Path, str] | None:
    docs = claim.documents or []
    if not 0 <= index < len(docs):
        return None
    try:
        path = uploads.open_stored(docs[index]["path"])
    except SuspiciousFileOperation:
        return None
    if not path.exists():
        return None
    return path, docs[index]["label"]


def claim_submit(
    *,
    actor: User | None,
    enrolment: InsuranceEnrolment,
    submitted_on: date,
    illness_or_event: str,
    claimed_amount: Decimal | None = None,
    documents: Sequence[UploadedFile] = (),
) -> InsuranceClaim:
    """A claim by the member themselves or entered by the union office for them."""
    member = enrolment.member
    if actor is not None and not (
        access.has_perm(actor, Perm.MANAGE_CARE, member.union)
        or access.is_self(actor, member.person_id)
    ):
        raise DomainError("permission_denied", "只有本人或工会经办人可以提交理赔申请")
    if not illness_or_event.strip():
        raise DomainError("care.claim_event", "请填写疾病或事故情况", field="illness_or_event")
    if claimed_amount is not None and rules.yuan(claimed_amount) <= 0:
        raise DomainError("care.claim_amount", "申请金额必须大于零", field="claimed_amount")
    plan = enrolment.plan
    if not plan.period_start <= submitted_on:
        raise DomainError("care.claim_date", "申请日期早于保障期开始", field="submitted_on")
    stored = _store_documents(documents)
    try:
        with transaction.atomic():
            claim = InsuranceClaim.objects.create(
                enrolment=enrolment,
                submitted_on=submitted_on,
                illness_or_event=illness_or_event.strip(),
                claimed_amount=rules.yuan(claimed_amount) if claimed_amount is not None else None,
                documents=stored,
                submitted_by=actor if actor and actor.pk else None,
            )
            audit(
                actor=actor,
                action="care.insurance_claim_submit",
                obj=claim,
                unit=member.union,
                # The illness is health data: the audit row names the claim, not the illness.
                after={"enrolment_id": enrolment.pk, "documents": len(stored)},
            )
    except BaseException:
        uploads.discard(d["path"] for d in stored)
        raise
    return claim


def _locked_claim(actor: User | None, claim: InsuranceClaim, target: str) -> InsuranceClaim:
    claim = (
        InsuranceClaim.objects.select_for_update()
        .select_related("enrolment__plan__union", "enrolment__member")
        .get(pk=claim.pk)
    )
    require_permission(actor, Perm.MANAGE_CARE, claim.enrolment.plan.union)
    if not rules.claim_may_move(claim.status, target):
        raise DomainError(
            "care.claim_state",
            f"理赔申请当前为“{claim.get_status_display()}”，不能执行此操作",
            field="status",
        )
    return claim


def _claim_audit(actor: User | None, action: str, claim: InsuranceClaim, note: str = "") -> None:
    fields = ["status", "approved_amount", "paid_on", "paid_amount"]
    audit(
        actor=actor,
        action=action,
        obj=claim,
        unit=claim.enrolment.plan.union,
        after=snapshot(claim, fields),
        note=note,
    )


def claim_approve(
    *, actor: User | None, claim: InsuranceClaim, amount: Decimal, note: str = ""
) -> InsuranceClaim:
    with transaction.atomic():
        claim = _locked_claim(actor, claim, InsuranceClaim.Status.APPROVED)
        reason = rules.claim_amount_check(amount=amount, limit=claim.enrolment.plan.claim_limit)
        if reason:
            raise DomainError("care.claim_amount", reason, field="amount")
        claim.status = InsuranceClaim.Status.APPROVED
        claim.approved_amount = rules.yuan(amount)
        claim.note = note.strip() or claim.note
        claim.decided_by = actor if actor and actor.pk else None
        claim.save()
        _claim_audit(actor, "care.insurance_claim_approve", claim)
    return claim


def claim_reject(*, actor: User | None, claim: InsuranceClaim, note: str) -> InsuranceClaim:
    if not note.strip():
        raise DomainError("care.claim_reason", "请填写不予理赔的原因", field="note")
    with transaction.atomic():
        claim = _locked_claim(actor, claim, InsuranceClaim.Status.REJECTED)
        claim.status = InsuranceClaim.Status.REJECTED
        claim.note = note.strip()
        claim.decided_by = actor if actor and actor.pk else None
        claim.save()
        _claim_audit(actor, "care.insurance_claim_reject", claim, note.strip())
    return claim


def claim_pay(
    *, actor: User | None, claim: InsuranceClaim, paid_on: date, amount: Decimal | None = None
) -> InsuranceClaim:
    """Record the payment; by default the approved amount, never more."""
    with transaction.atomic():
        claim = _locked_claim(actor, claim, InsuranceClaim.Status.PAID)
        approved = claim.approved_amount or Decimal("0")
        paid = rules.yuan(amount if amount is not None else approved)
        if paid <= 0 or paid > approved:
            raise DomainError(
                "care.claim_paid_amount",
                f"赔付金额须大于零且不超过核定金额 ¥{approved}",
                field="amount",
            )
        if paid_on < claim.submitted_on:
            raise DomainError("care.claim_paid_on", "赔付日期不能早于申请日期", field="paid_on")
        claim.status = InsuranceClaim.Status.PAID
        claim.paid_on = paid_on
        claim.paid_amount = paid
        claim.save()
        _claim_audit(actor, "care.insurance_claim_pay", claim)
    return claim


@dataclass(frozen=True)
class ClaimTotals:
    claims: int  # 人次 paid
    amount: Decimal

    def sentence(self) -> str:
        # Reports write whole yuan without cents ("金额¥10,900").
        whole = self.amount == self.amount.to_integral_value()
        shown = f"{int(self.amount):,}" if whole else f"{self.amount:,}"
        return f"理赔{self.claims}人次，金额¥{shown}"


def claim_totals(union: OrgUnit, year: int) -> ClaimTotals:
    """Paid claims of a union's plans of a year ("理赔7人次，金额¥10,900")."""
    row = InsuranceClaim.objects.filter(
        enrolment__plan__union=union,
        enrolment__plan__year=year,
        status=InsuranceClaim.Status.PAID,
    ).aggregate(n=Count("id"), s=Sum("paid_amount"))
    return ClaimTotals(row["n"], rules.yuan(row["s"] or 0))


# ---- renewals ------------------------------------------------------------------------------


def renewals_due(today: date, union: OrgUnit | None = None) -> list[InsurancePlan]:
    """Plans whose renewal should start now and for which no later plan of the same kind
    exists yet."""
    # Plans whose cover ended over a year ago are history, not renewals.
    qs = InsurancePlan.objects.select_related("union").filter(
        period_end__gte=today - timedelta(days=366)
    )
    if union is not None:
        qs = qs.filter(union=union)
    renewed = {
        (p.union_id, p.kind, p.year) for p in InsurancePlan.objects.only("union_id", "kind", "year")
    }
    return [
        p
        for p in qs
        if (p.union_id, p.kind, p.year + 1) not in renewed
        and rules.renewal_due(
            period_end=p.period_end, reminder_on=p.renewal_reminder_on, today=today
        )
    ]


def renewal_remind(
    *, actor: User | None, today: date, union: OrgUnit | None = None
) -> notices.Reminded[InsurancePlan]:
    """Mark each plan due for renewal as reminded (once) with an audit row, and tell the
    union's care managers in a notice; returns the plans reminded now."""
    reminded = []
    sent = 0
    with transaction.atomic():
        for plan in renewals_due(today, union):
            if plan.reminded_at is not None:
                continue
            plan.reminded_at = timezone.now()
            plan.save(update_fields=["reminded_at"])
            audit(
                actor=actor,
                action="care.insurance_renewal_remind",
                obj=plan,
                unit=plan.union,
                note=f"{plan.year} {plan.name}：保障期至 {plan.period_end.isoformat()}，请办理续保",
            )
            sent += notices.renewal_due(plan)
            reminded.append(plan)
    return notices.Reminded(reminded, sent)


# ---- reads ---------------------------------------------------------------------------------


def plans_managed(user: Any) -> QuerySet[InsurancePlan]:
    qs = InsurancePlan.objects.select_related("union")
    return access.scope(qs, user, Perm.MANAGE_CARE, "union")


def plan_managed(user: Any, pk: int) -> InsurancePlan | None:
    return plans_managed(user).filter(pk=pk).first()


def claims_managed(user: Any) -> QuerySet[InsuranceClaim]:
    qs = InsuranceClaim.objects.select_related(
        "enrolment__plan__union", "enrolment__member__person", "enrolment__member__unit"
    )
    return access.scope(qs, user, Perm.MANAGE_CARE, "enrolment__plan__union")


def claim_visible(user: Any, pk: int) -> InsuranceClaim | None:
    claim = (
        InsuranceClaim.objects.select_related(
            "enrolment__plan__union", "enrolment__member__person", "enrolment__member__union"
        )
        .filter(pk=pk)
        .first()
    )
    return claim if claim is not None and may_see_claim(user, claim) else None


def enrolment_for_claim(user: Any, pk: int) -> InsuranceEnrolment | None:
    e = (
        InsuranceEnrolment.objects.select_related("plan__union", "member__person", "member__union")
        .filter(pk=pk)
        .first()
    )
    if e is None:
        return None
    allowed = access.has_perm(user, Perm.MANAGE_CARE, e.member.union) or access.is_self(
        user, e.member.person_id
    )
    return e if allowed else None


def my_enrolments(user: Any) -> list[InsuranceEnrolment]:
    person_id = getattr(user, "person_id", None)
    if not user.is_authenticated or not person_id:
        return []
    return list(
        InsuranceEnrolment.objects.filter(member__person_id=person_id)
        .select_related("plan")
        .prefetch_related("claims")
        .order_by("-plan__year", "plan__kind")
    )


@dataclass(frozen=True)
class UnionInsuranceCounts:
    union_id: int
    name: str
    plans: int
    enrolments: int
    claims_paid: int
    paid_amount: Decimal


def counts_by_union(user: Any, year: int) -> list[UnionInsuranceCounts]:
    """Per union in the user's statistical reach: plans, enrolments and paid claims of a
    year; never names or illnesses."""
    plans = access.scope(InsurancePlan.objects.filter(year=year), user, Perm.VIEW_STATS, "union")
    enrol = dict(
        InsuranceEnrolment.objects.filter(plan__in=plans)
        .values_list("plan__union_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    paid = {
        r["enrolment__plan__union_id"]: (r["n"], r["s"] or 0)
        for r in InsuranceClaim.objects.filter(
            enrolment__plan__in=plans, status=InsuranceClaim.Status.PAID
        )
        .values("enrolment__plan__union_id")
        .annotate(n=Count("id"), s=Sum("paid_amount"))
        .order_by()
    }
    rows = plans.values("union_id", "union__name", "union__path").annotate(n=Count("id"))
    out = []
    for r in rows.order_by("union__path"):
        n_paid, paid_amount = paid.get(r["union_id"], (0, 0))
        out.append(
            UnionInsuranceCounts(
                r["union_id"],
                r["union__name"],
                r["n"],
                enrol.get(r["union_id"], 0),
                n_paid,
                rules.yuan(paid_amount),
            )
        )
    return out


def enrolments_xlsx(plan: InsurancePlan) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "参保名单"
    ws.append([f"{plan.year} {plan.name}"])
    ws.append(["序号", "姓名", "所在小组", "缴费方", "保费（元）", "参保日期"])
    paid_by = dict(InsuranceEnrolment.PaidBy.choices)
    qs = plan.enrolments.select_related("member__person", "member__unit").order_by(
        "member__unit__path", "member__person__name", "id"
    )
    for i, e in enumerate(qs, start=1):
        ws.append(
            [
                i,
                e.member.person.name,
                e.member.unit.name if e.member.unit else "",
                str(paid_by.get(e.paid_by, e.paid_by)),
                e.premium,
                e.enrolled_on,
            ]
        )
    f = plan_figures(plan)
    ws.append([])
    ws.append(["参保人数", f.enrolled, "应参保人数", f.eligible, "参保率（%）", f.rate])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
