"""Opinions and suggestions (意见建议) and rationalisation suggestions (合理化建议): every
write and the reads the pages, the statistics, the export and the upper unions' counts share.

An opinion comes from a forum, the suggestion box, the hotline, a reception day, a
questionnaire, an evaluation drive, a member's own submission, or a proposal the committee
did not accept (不立案 → 意见建议). The union (Perm.MANAGE_CONGRESS) records it, assigns a
department, notes the answer and closes it with an outcome: rectified, answered by phone,
interview held or not adopted. A rationalisation suggestion is assessed, adopted or not, and
the adopted ones are rewarded. Each service runs in one transaction, appends an OpinionEvent
(the history people read) and writes an AuditEvent.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from openpyxl import Workbook

from gonghui.core import access
from gonghui.core.access import Perm
from gonghui.core.errors import DomainError
from gonghui.core.models import OrgUnit, Person, User
from gonghui.core.services import audit, require_permission, snapshot
from gonghui.members.models import Member, MemberStatus
from gonghui.members.queries import units_in_union

from . import proposals as proposal_svc
from . import rules
from .models import Department, Proposal
from .models.opinions import (
    Opinion,
    OpinionEvent,
    OpinionKind,
    OpinionOutcome,
    OpinionSource,
    SuggestionQuota,
)
from .queries import may_manage, may_take_part

AUDIT_LABELS = {
    "congress.opinion_record": _lazy("Opinion recorded"),
    "congress.opinion_submit": _lazy("Opinion submitted by a member"),
    "congress.opinion_assign": _lazy("Opinion assigned to a department"),
    "congress.opinion_answer": _lazy("Opinion answered"),
    "congress.opinion_close": _lazy("Opinion closed with an outcome"),
    "congress.opinion_from_proposal": _lazy("Converted proposal taken over as an opinion"),
    "congress.suggestion_assess": _lazy("Rationalisation suggestion assessed"),
    "congress.suggestion_adopt": _lazy("Rationalisation suggestion adoption decided"),
    "congress.suggestion_reward": _lazy("Rationalisation suggestion rewarded"),
    "congress.suggestion_quota_set": _lazy("Suggestion quota set"),
}

EVENT_LABELS = {
    "recorded": _lazy("Recorded"),
    "submitted": _lazy("Submitted by the member"),
    "from_proposal": _lazy("Taken over from a converted proposal"),
    "assigned": _lazy("Assigned to a department"),
    "answered": _lazy("Answered"),
    "closed": _lazy("Handled and closed"),
    "assessed": _lazy("Assessed"),
    "adopted": _lazy("Suggestion adopted"),
    "not_adopted": _lazy("Declined"),
    "rewarded": _lazy("Rewarded"),
}

St = Opinion.Status
O = OpinionOutcome  # noqa: E741
# Sources a manager types in; online items come from members, proposals from the take-over.
RECORDED_SOURCES = tuple(
    s for s in OpinionSource.values if s not in (OpinionSource.ONLINE, OpinionSource.PROPOSAL)
)
OPINION_FIELDS = [
    "status",
    "department_id",
    "due_on",
    "outcome",
    "interview_count",
    "score",
    "adopted",
    "benefit_estimate",
    "reward",
]
MAX_SCORE = 100
MAX_REWARD = Decimal("100000.00")


# ---- helpers ---------------------------------------------------------------------------


def _today() -> date:
    return timezone.localdate()


def _day(on: date | None) -> date:
    """The day a step happened: today, or an earlier day when an item handled on paper is
    typed in later (and for the demo's past years); never a day still to come."""
    today = _today()
    if on is not None and on > today:
        raise DomainError("opinion.on", _("The date cannot lie in the future."), field="on")
    return on or today


def _event(opinion: Opinion, kind: str, *, actor: User | None, note: str = "") -> None:
    OpinionEvent.objects.create(
        opinion=opinion,
        kind=kind,
        actor=actor if actor and actor.pk else None,
        note=note[:300],
    )


def _audit(actor: User | None, action: str, opinion: Opinion, before: dict | None) -> None:
    audit(
        actor=actor,
        action=action,
        obj=opinion,
        unit=opinion.union,
        before=before,
        after=snapshot(opinion, OPINION_FIELDS),
    )


def _locked(opinion: Opinion) -> Opinion:
    return Opinion.objects.select_for_update().select_related("union").get(pk=opinion.pk)


def _require_open(opinion: Opinion) -> None:
    if opinion.status == St.CLOSED:
        raise DomainError("opinion.closed", _("This item is closed already."))


def _require_kind(opinion: Opinion, kind: str) -> None:
    if opinion.kind != kind:
        raise DomainError(
            "opinion.kind", _("This step applies to rationalisation suggestions only.")
        )


def _text(value: str, field: str, message: str, max_length: int) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(f"opinion.{field}", message, field=field)
    if len(value) > max_length:
        raise DomainError(
            f"opinion.{field}", _("This text is too long for the field."), field=field
        )
    return value


def _money(value: Any, field: str) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise DomainError(f"opinion.{field}", _("Enter an amount in yuan."), field=field) from None
    if amount < 0 or amount > MAX_REWARD:
        raise DomainError(
            f"opinion.{field}",
            _("The amount must lie between 0 and 100,000 yuan."),
            field=field,
        )
    return amount


def _check_team(team: OrgUnit | None, union: OrgUnit) -> None:
    if team is not None and team.pk not in {u.pk for u in units_in_union(union)}:
        raise DomainError("opinion.team", _("Choose a group of this union."), field="team")


def _check_department(department: Department | None, union: OrgUnit) -> None:
    if department is not None and (
        department.union_id != union.pk or department.archived_at is not None
    ):
        raise DomainError(
            "opinion.department",
            _("Choose a current department of this union."),
            field="department",
        )


def _check_kind_source(kind: str, source: str, allowed: tuple[str, ...]) -> None:
    if kind not in OpinionKind.values:
        raise DomainError(
            "opinion.kind", _("Choose opinion or rationalisation suggestion."), field="kind"
        )
    if source not in allowed:
        raise DomainError("opinion.source", _("Choose where the item came from."), field="source")


# ---- recording -------------------------------------------------------------------------


def opinion_record(
    *,
    actor: User | None,
    union: OrgUnit,
    kind: str,
    source: str,
    title: str,
    content: str,
    received_on: date,
    submitted_by: Person | None = None,
    submitter_name: str = "",
    team: OrgUnit | None = None,
    department: Department | None = None,
) -> Opinion:
    """The union records an item received off-line. ``submitted_by`` empty: anonymous (the
    box) or someone outside the roll named in ``submitter_name`` (a parent, a student)."""
    require_permission(actor, Perm.MANAGE_CONGRESS, union)
    _check_kind_source(kind, source, RECORDED_SOURCES)
    title = _text(title, "title", _("Give the opinion a title."), 200)
    content = _text(content, "content", _("Write down what was said or suggested."), 20000)
    if received_on is None or received_on > _today():
        raise DomainError(
            "opinion.received_on",
            _("The date received cannot lie in the future."),
            field="received_on",
        )
    if (
        submitted_by is not None
        and not Member.objects.filter(union=union, person=submitted_by).exists()
    ):
        raise DomainError(
            "opinion.submitted_by",
            _("The person is not on this union's roll."),
            field="submitted_by",
        )
    _check_team(team, union)
    _check_department(department, union)
    with transaction.atomic():
        opinion = Opinion.objects.create(
            union=union,
            kind=kind,
            source=source,
            title=title,
            content=content,
            received_on=received_on,
            submitted_by=submitted_by,
            submitter_name=submitter_name.strip()[:80],
            team=team,
            department=department,
            status=St.ASSIGNED if department else St.RECEIVED,
            created_by=actor if actor and actor.pk else None,
        )
        _event(opinion, "recorded", actor=actor)
        _audit(actor, "congress.opinion_record", opinion, None)
    return opinion


def opinion_submit(*, actor: User, union: OrgUnit, kind: str, title: str, content: str) -> Opinion:
    """A member submits an opinion or a rationalisation suggestion from their phone; it is
    theirs (their person, their group) and they follow it on "my suggestions"."""
    member = (
        None
        if actor.person_id is None
        else Member.objects.filter(
            union=union, person_id=actor.person_id, status=MemberStatus.ACTIVE
        ).first()
    )
    if member is None or not may_take_part(actor, union):
        raise DomainError(
            "opinion.not_member", _("Only an active member of this union may submit here.")
        )
    if kind not in OpinionKind.values:
        raise DomainError(
            "opinion.kind", _("Choose opinion or rationalisation suggestion."), field="kind"
        )
    title = _text(title, "title", _("Give the opinion a title."), 200)
    content = _text(content, "content", _("Write down what was said or suggested."), 20000)
    with transaction.atomic():
        opinion = Opinion.objects.create(
            union=union,
            kind=kind,
            source=OpinionSource.ONLINE,
            title=title,
            content=content,
            received_on=_today(),
            submitted_by_id=actor.person_id,
            team_id=member.unit_id if member.unit_id != union.pk else None,
            created_by=actor,
        )
        _event(opinion, "submitted", actor=actor)
        _audit(actor, "congress.opinion_submit", opinion, None)
    return opinion


def opinion_from_proposal(*, actor: User | None, proposal: Proposal) -> Opinion:
    """Take over a converted proposal (不立案 → 意见建议): the proposer becomes the submitter,
    the reasons and measures the content; the committee's reason goes into the history."""
    union = proposal_svc.union_of(proposal)
    require_permission(actor, Perm.MANAGE_CONGRESS, union)
    with transaction.atomic():
        # Marks the proposal taken (and refuses one that is not waiting) under its row lock.
        proposal = proposal_svc.proposal_opinion_taken(actor=actor, proposal=proposal)
        received = timezone.localdate(proposal.reviewed_at) if proposal.reviewed_at else _today()
        content = f"{proposal.reasons}\n\n{proposal.measures}".strip()
        member = Member.objects.filter(union=union, person_id=proposal.proposer.person_id).first()
        opinion = Opinion.objects.create(
            union=union,
            kind=OpinionKind.OPINION,
            source=OpinionSource.PROPOSAL,
            title=proposal.title[:200],
            content=content,
            received_on=received,
            submitted_by_id=proposal.proposer.person_id,
            team_id=member.unit_id if member and member.unit_id != union.pk else None,
            proposal=proposal,
            created_by=actor if actor and actor.pk else None,
        )
        _event(opinion, "from_proposal", actor=actor, note=proposal.review_reason)
        _audit(actor, "congress.opinion_from_proposal", opinion, None)
    return opinion


def opinions_take_over_all(*, actor: User | None, union: OrgUnit) -> list[Opinion]:
    """Every converted proposal of the union still waiting, in one go (all or none)."""
    require_permission(actor, Perm.MANAGE_CONGRESS, union)
    with transaction.atomic():
        waiting = list(proposal_svc.converted_awaiting_opinion(union).order_by("id"))
        return [opinion_from_proposal(actor=actor, proposal=p) for p in waiting]


# ---- handling --------------------------------------------------------------------------


def opinion_assign(
    *, actor: User | None, opinion: Opinion, department: Department, due_on: date | None = None
) -> Opinion:
    require_permission(actor, Perm.MANAGE_CONGRESS, opinion.union)
    with transaction.atomic():
        opinion = _locked(opinion)
        _require_open(opinion)
        if department is None:
            raise DomainError(
                "opinion.department", _("Choose the responsible department."), field="department"
            )
        _check_department(department, opinion.union)
        if due_on is not None and due_on < _today():
            raise DomainError(
                "opinion.due_on", _("The answer date cannot lie in the past."), field="due_on"
            )
        before = snapshot(opinion, OPINION_FIELDS)
        opinion.department = department
        opinion.due_on = due_on
        if opinion.status == St.RECEIVED:
            opinion.status = St.ASSIGNED
        opinion.save(update_fields=["department", "due_on", "status"])
        _event(opinion, "assigned", actor=actor, note=department.name)
        _audit(actor, "congress.opinion_assign", opinion, before)
    return opinion


def opinion_answer(
    *, actor: User | None, opinion: Opinion, answer: str, on: date | None = None
) -> Opinion:
    require_permission(actor, Perm.MANAGE_CONGRESS, opinion.union)
    answer = _text(answer, "answer", _("Write down the answer given."), 20000)
    with transaction.atomic():
        opinion = _locked(opinion)
        _require_open(opinion)
        before = snapshot(opinion, OPINION_FIELDS)
        opinion.answer = answer
        opinion.answered_on = _day(on)
        opinion.status = St.ANSWERED
        opinion.save(update_fields=["answer", "answered_on", "status"])
        _event(opinion, "answered", actor=actor, note=answer)
        _audit(actor, "congress.opinion_answer", opinion, before)
    return opinion


def _close(
    opinion: Opinion,
    outcome: str,
    note: str,
    interview_count: int,
    actor: User | None,
    on: date | None,
) -> None:
    problem = rules.outcome_fits(opinion.kind, outcome, interview_count)
    if problem == "outcome":
        raise DomainError(
            "opinion.outcome", _("This outcome does not fit this kind of item."), field="outcome"
        )
    if problem == "interview_count":
        raise DomainError(
            "opinion.interview_count",
            _("Give how many people were interviewed (at least one)."),
            field="interview_count",
        )
    opinion.outcome = outcome
    opinion.outcome_note = note.strip()[:300]
    opinion.interview_count = interview_count
    opinion.status = St.CLOSED
    opinion.closed_on = _day(on)
    opinion.save(
        update_fields=["outcome", "outcome_note", "interview_count", "status", "closed_on"]
    )
    _event(opinion, "closed", actor=actor, note=str(O(outcome).label))


def opinion_close(
    *,
    actor: User | None,
    opinion: Opinion,
    outcome: str,
    note: str = "",
    interview_count: int = 0,
    on: date | None = None,
) -> Opinion:
    """Close an opinion with its outcome; ``interview_count`` counts people (人次) and may
    come with any outcome (a rectification often starts with talks)."""
    require_permission(actor, Perm.MANAGE_CONGRESS, opinion.union)
    with transaction.atomic():
        opinion = _locked(opinion)
        _require_open(opinion)
        if opinion.kind == OpinionKind.RATIONALISATION and outcome == O.ADOPTED_REWARDED:
            raise DomainError(
                "opinion.outcome",
                _("Adopted suggestions are closed by recording their reward."),
                field="outcome",
            )
        before = snapshot(opinion, OPINION_FIELDS)
        _close(opinion, outcome, note, interview_count, actor, on)
        _audit(actor, "congress.opinion_close", opinion, before)
    return opinion


def suggestion_assess(
    *, actor: User | None, opinion: Opinion, score: int, note: str = "", on: date | None = None
) -> Opinion:
    """The assessment panel's score (0–100) and comment on a rationalisation suggestion."""
    require_permission(actor, Perm.MANAGE_CONGRESS, opinion.union)
    if score is None or not 0 <= int(score) <= MAX_SCORE:
        raise DomainError(
            "opinion.score", _("The score must lie between 0 and 100."), field="score"
        )
    with transaction.atomic():
        opinion = _locked(opinion)
        _require_kind(opinion, OpinionKind.RATIONALISATION)
        _require_open(opinion)
        before = snapshot(opinion, OPINION_FIELDS)
        opinion.score = int(score)
        opinion.assessment_note = note.strip()[:300]
        opinion.assessed_on = _day(on)
        opinion.save(update_fields=["score", "assessment_note", "assessed_on"])
        _event(opinion, "assessed", actor=actor, note=f"{score} {opinion.assessment_note}".strip())
        _audit(actor, "congress.suggestion_assess", opinion, before)
    return opinion


def suggestion_adopt(
    *,
    actor: User | None,
    opinion: Opinion,
    adopted: bool,
    benefit_estimate: Any = None,
    note: str = "",
    on: date | None = None,
) -> Opinion:
    """Adopt an assessed suggestion (with its estimated benefit) or decline it, which
    closes it as not adopted."""
    require_permission(actor, Perm.MANAGE_CONGRESS, opinion.union)
    benefit = (
        None if benefit_estimate in (None, "") else _money(benefit_estimate, "benefit_estimate")
    )
    with transaction.atomic():
        opinion = _locked(opinion)
        _require_kind(opinion, OpinionKind.RATIONALISATION)
        _require_open(opinion)
        if opinion.score is None:
            raise DomainError("opinion.not_assessed", _("Assess the suggestion first."))
        before = snapshot(opinion, OPINION_FIELDS)
        opinion.adopted = bool(adopted)
        opinion.benefit_estimate = benefit if adopted else None
        opinion.save(update_fields=["adopted", "benefit_estimate"])
        if adopted:
            opinion.status = St.ANSWERED
            opinion.save(update_fields=["status"])
            _event(opinion, "adopted", actor=actor, note=note)
        else:
            _event(opinion, "not_adopted", actor=actor, note=note)
            _close(opinion, O.NOT_ADOPTED, note, 0, actor, on)
        _audit(actor, "congress.suggestion_adopt", opinion, before)
    return opinion


def suggestion_reward(
    *, actor: User | None, opinion: Opinion, amount: Any, rewarded_on: date | None = None
) -> Opinion:
    """Record the reward of an adopted suggestion; this closes it as adopted and rewarded."""
    require_permission(actor, Perm.MANAGE_CONGRESS, opinion.union)
    reward = _money(amount, "reward")
    on = rewarded_on or _today()
    if on > _today():
        raise DomainError(
            "opinion.rewarded_on",
            _("The reward date cannot lie in the future."),
            field="rewarded_on",
        )
    with transaction.atomic():
        opinion = _locked(opinion)
        _require_kind(opinion, OpinionKind.RATIONALISATION)
        _require_open(opinion)
        if not opinion.adopted:
            raise DomainError("opinion.not_adopted", _("Only an adopted suggestion is rewarded."))
        before = snapshot(opinion, OPINION_FIELDS)
        opinion.reward = reward
        opinion.rewarded_on = on
        opinion.save(update_fields=["reward", "rewarded_on"])
        _event(opinion, "rewarded", actor=actor, note=f"{reward} 元")
        _close(opinion, O.ADOPTED_REWARDED, "", 0, actor, on)
        _audit(actor, "congress.suggestion_reward", opinion, before)
    return opinion


def quota_set(
    *,
    actor: User | None,
    union: OrgUnit,
    year: int,
    per_person: int,
    per_team: int,
    per_unit: int = 0,
) -> SuggestionQuota:
    require_permission(actor, Perm.MANAGE_CONGRESS, union)
    for name, value in (("per_person", per_person), ("per_team", per_team), ("per_unit", per_unit)):
        if value is None or not 0 <= int(value) <= 1000:
            raise DomainError(
                "opinion.quota", _("A quota must lie between 0 and 1000."), field=name
            )
    if not 2000 <= int(year) <= 2100:
        raise DomainError("opinion.year", _("Choose a year."), field="year")
    with transaction.atomic():
        quota, _created = SuggestionQuota.objects.select_for_update().get_or_create(
            union=union, year=year
        )
        before = snapshot(quota, ["per_person", "per_team", "per_unit"])
        quota.per_person, quota.per_team, quota.per_unit = per_person, per_team, per_unit
        quota.save()
        audit(
            actor=actor,
            action="congress.suggestion_quota_set",
            obj=quota,
            unit=union,
            before=before,
            after=snapshot(quota, ["per_person", "per_team", "per_unit"]),
        )
    return quota


# ---- reads -----------------------------------------------------------------------------


def _base() -> QuerySet[Opinion]:
    return Opinion.objects.select_related("union", "submitted_by", "team", "department", "proposal")


def opinions_of_union(union: OrgUnit) -> QuerySet[Opinion]:
    return _base().filter(union=union)


@dataclass
class OpinionFilter:
    kind: str = ""
    source: str = ""
    status: str = ""
    outcome: str = ""
    year: int | None = None
    department: Department | None = None


def filter_opinions(qs: QuerySet[Opinion], f: OpinionFilter) -> QuerySet[Opinion]:
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.source:
        qs = qs.filter(source=f.source)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.outcome:
        qs = qs.filter(outcome=f.outcome)
    if f.year:
        qs = qs.filter(received_on__year=f.year)
    if f.department is not None:
        qs = qs.filter(department=f.department)
    return qs


@dataclass(frozen=True)
class Viewer:
    manage: bool
    own: bool


def opinion_for_page(user: User, opinion_id: int) -> tuple[Opinion, Viewer]:
    """An item the user may read: its union's managers, and the member who submitted it.
    Outside the user's reach it is 404 (ids cannot be probed); within it (another member
    of the union, an upper union that sees counts only) 403."""
    opinion = _base().filter(pk=opinion_id).first()
    if opinion is None:
        raise Http404
    manage = may_manage(user, opinion.union)
    own = bool(getattr(user, "person_id", None)) and user.person_id == opinion.submitted_by_id
    if manage or own:
        return opinion, Viewer(manage=manage, own=own)
    if may_take_part(user, opinion.union) or access.has_perm(user, Perm.VIEW_STATS, opinion.union):
        raise PermissionDenied
    raise Http404


def my_opinions(user: User) -> QuerySet[Opinion]:
    if not getattr(user, "person_id", None):
        return Opinion.objects.none()
    return _base().filter(submitted_by_id=user.person_id).order_by("-received_on", "-id")


def history(opinion: Opinion) -> list[OpinionEvent]:
    events = list(opinion.events.select_related("actor").order_by("at", "id"))
    for e in events:
        e.label = str(EVENT_LABELS.get(e.kind, e.kind))  # type: ignore[attr-defined]  # for the template
    return events


def _facts(qs: QuerySet[Opinion]) -> list[rules.OpinionFact]:
    return [
        rules.OpinionFact(
            kind=kind,
            source=source,
            received_on=received_on,
            outcome=outcome,
            interview_count=interviews,
            reward=reward or Decimal("0.00"),
        )
        for kind, source, received_on, outcome, interviews, reward in qs.values_list(
            "kind", "source", "received_on", "outcome", "interview_count", "reward"
        )
    ]


def _of_year(union: OrgUnit, year: int) -> QuerySet[Opinion]:
    return Opinion.objects.filter(union=union, received_on__year=year)


@dataclass(frozen=True)
class OpinionSummary:
    union: OrgUnit
    year: int
    tally: rules.OpinionTally
    sentence: str
    by_source: list[tuple[str, str, int]]  # (value, label, count), every source
    by_outcome: list[tuple[str, str, int]]  # opinions only


def opinion_summary(union: OrgUnit, year: int) -> OpinionSummary:
    """The year's counts by source and outcome and the report sentence."""
    tally = rules.opinion_tally(_facts(_of_year(union, year)), year)
    return OpinionSummary(
        union=union,
        year=year,
        tally=tally,
        sentence=rules.opinion_summary_sentence(tally),
        by_source=[(v, str(lbl), tally.by_source.get(v, 0)) for v, lbl in OpinionSource.choices],
        by_outcome=[
            (v, str(O(v).label), tally.by_outcome.get(v, 0))
            for v in rules.OUTCOMES_BY_KIND["opinion"]
        ],
    )


def chart_data(summary: OpinionSummary) -> dict[str, Any]:
    """What the ECharts bars need, labels already translated."""
    return {
        "sources": [label for _v, label, _n in summary.by_source],
        "sourceCounts": [n for _v, _label, n in summary.by_source],
        "outcomes": [label for _v, label, _n in summary.by_outcome],
        "outcomeCounts": [n for _v, _label, n in summary.by_outcome],
    }


@dataclass(frozen=True)
class QuotaReport:
    quota: SuggestionQuota | None
    people: rules.QuotaProgress | None
    teams: rules.QuotaProgress | None
    union_count: int


def quota_report(union: OrgUnit, year: int) -> QuotaReport:
    """Rationalisation suggestions of the year per active member and per group against the
    union's quota ("3510"); members with none count as 0."""
    quota = SuggestionQuota.objects.filter(union=union, year=year).first()
    mine = Opinion.objects.filter(
        union=union, kind=OpinionKind.RATIONALISATION, received_on__year=year
    )
    total = mine.count()
    if quota is None:
        return QuotaReport(quota=None, people=None, teams=None, union_count=total)
    per_person = Counter(
        dict(
            mine.filter(submitted_by__isnull=False)
            .values_list("submitted_by_id")
            .annotate(n=Count("id"))
        )
    )
    per_team = Counter(
        dict(mine.filter(team__isnull=False).values_list("team_id").annotate(n=Count("id")))
    )
    members = Member.objects.filter(union=union, status=MemberStatus.ACTIVE).values_list(
        "person_id", "person__name"
    )
    people = rules.quota_progress(
        {f"{name}（{pid}）": per_person.get(pid, 0) for pid, name in members}, quota.per_person
    )
    teams = rules.quota_progress(
        {u.name: per_team.get(u.pk, 0) for u in units_in_union(union)}, quota.per_team
    )
    return QuotaReport(quota=quota, people=people, teams=teams, union_count=total)


@dataclass(frozen=True)
class UnionCountRow:
    union_name: str
    tally: rules.OpinionTally


def subordinate_counts(user: User, year: int) -> list[UnionCountRow]:
    """Counts per union in the user's statistics reach: figures only, no titles or names."""
    units = (
        access.units_with(user, Perm.VIEW_STATS)
        .filter(kind__in=["grassroots", "joint"])
        .filter(Q(opinions__isnull=False))
        .distinct()
        .order_by("path")
    )
    return [
        UnionCountRow(u.name, rules.opinion_tally(_facts(_of_year(u, year)), year)) for u in units
    ]


def _cell(value: Any) -> Any:
    # Text that Excel would run as a formula is written as text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def opinions_xlsx(rows: list[Opinion]) -> bytes:
    kinds, sources = dict(OpinionKind.choices), dict(OpinionSource.choices)
    statuses, outcomes = dict(St.choices), dict(O.choices)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Opinions"))
    ws.append(
        [
            _("Received on"),
            _("Kind"),
            _("Source"),
            _("Title"),
            _("Opinion content"),
            _("Submitted by"),
            _("Team"),
            _("Responsible department"),
            _("Status"),
            _("Result of handling"),
            _("People interviewed"),
            _("Answer"),
            _("Score"),
            _("Reward (yuan)"),
        ]
    )
    for o in rows:
        who = o.submitted_by.name if o.submitted_by else (o.submitter_name or _("Anonymous"))
        ws.append(
            [
                _cell(x)
                for x in (
                    o.received_on,
                    str(kinds.get(o.kind, o.kind)),
                    str(sources.get(o.source, o.source)),
                    o.title,
                    o.content,
                    who,
                    o.team.name if o.team else "",
                    o.department.name if o.department else "",
                    str(statuses.get(o.status, o.status)),
                    str(outcomes.get(o.outcome, "")) if o.outcome else "",
                    o.interview_count,
                    o.answer,
                    o.score,
                    o.reward,
                )
            ]
        )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
