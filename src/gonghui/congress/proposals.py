"""Proposals (提案) from submission to the proposer's rating: every write and the reads the
pages, the counts and the handling report share.

The path: a delegate submits while the session's collection window is open; other delegates
of the same term co-sign (附议) and, once the rule set's minimum is reached, the proposal goes
to the proposal committee (managers: Perm.MANAGE_CONGRESS). The committee accepts it (立案,
numbered per session, assigned to a department with a reply date) or turns it into an
opinion (不立案 → 意见建议) with a reason. A handler of the department replies point by point;
the proposer rates the reply: 满意 / 基本满意 close it, 不满意 sends it back for another round.

Each service runs in one transaction, appends a ProposalEvent (the history people read) and
writes an AuditEvent. ``user=None`` with ``delegate=`` is the system's own work (demo data, a
paper proposal typed in later), as ``actor=None`` is elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from gonghui.core import access, uploads
from gonghui.core.access import Perm
from gonghui.core.errors import DomainError
from gonghui.core.models import OrgUnit, RoleGrant, User
from gonghui.core.services import audit, require_permission, snapshot

from . import rules
from .models import (
    CongressSession,
    CoSignature,
    Delegate,
    Department,
    Proposal,
    ProposalAttachment,
    ProposalCategory,
    ProposalEvent,
    ProposalReply,
)
from .queries import delegate_for, may_manage, may_take_part, rules_for

AUDIT_LABELS = {
    "congress.department_create": _lazy("Department added"),
    "congress.department_handlers": _lazy("Department handlers set"),
    "congress.proposal_submit": _lazy("Proposal submitted"),
    "congress.proposal_cosign": _lazy("Proposal co-signed"),
    "congress.proposal_withdraw": _lazy("Proposal withdrawn"),
    "congress.proposal_accept": _lazy("Proposal accepted and assigned"),
    "congress.proposal_convert": _lazy("Proposal turned into an opinion"),
    "congress.proposal_reassign": _lazy("Proposal reassigned"),
    "congress.proposal_reply": _lazy("Proposal replied"),
    "congress.proposal_rate": _lazy("Proposal reply rated"),
    "congress.proposal_outstanding": _lazy("Outstanding proposal marked"),
    "congress.proposal_opinion_taken": _lazy("Converted proposal taken over as an opinion"),
}

# The history's event kinds, as the timeline shows them.
EVENT_LABELS = {
    "submitted": _lazy("Submitted"),
    "cosigned": _lazy("Co-signed"),
    "to_committee": _lazy("Enough co-signers: sent to the proposal committee"),
    "withdrawn": _lazy("Withdrawn by the proposer"),
    "accepted": _lazy("Accepted as a proposal"),
    "assigned": _lazy("Assigned to a department"),
    "converted": _lazy("Turned into an opinion"),
    "reassigned": _lazy("Reassigned"),
    "replied": _lazy("Department replied"),
    "rated": _lazy("Proposer rated the reply"),
    "sent_back": _lazy("Sent back for re-handling"),
    "closed": _lazy("Closed: handling finished"),
    "outstanding": _lazy("Selected as an outstanding proposal"),
    "outstanding_removed": _lazy("No longer an outstanding proposal"),
    "opinion_taken": _lazy("Taken over by the opinions tracker"),
}

S = Proposal.Status
BEFORE_REVIEW = (S.COLLECTING, S.SUBMITTED)
AWAITING_REPLY = (S.ACCEPTED, S.REHANDLING)
ACCEPTED_STATUSES = (S.ACCEPTED, S.REPLIED, S.REHANDLING, S.CLOSED)

# Attachments to replies: the documents departments exchange, checked by content too.
ATTACHMENT_KINDS = {"pdf", "docx", "xlsx", "jpg", "png"}
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 10
PROPOSAL_FIELDS = [
    "status",
    "number",
    "department_id",
    "due_on",
    "rating",
    "is_outstanding",
    "review_reason",
]


def union_of(proposal: Proposal) -> OrgUnit:
    return proposal.session.term.congress.union


def _clock(now: datetime | None) -> tuple[datetime, date]:
    now = now or timezone.now()
    return now, timezone.localdate(now)


def _event(
    proposal: Proposal,
    kind: str,
    *,
    actor: User | None,
    at: datetime,
    person_id: int | None = None,
    note: str = "",
) -> ProposalEvent:
    return ProposalEvent.objects.create(
        proposal=proposal,
        kind=kind,
        at=at,
        actor=actor if actor and actor.pk else None,
        person_id=person_id,
        note=note[:300],
    )


def _audit(
    actor: User | None, action: str, proposal: Proposal, before: dict[str, Any], note: str = ""
) -> None:
    audit(
        actor=actor,
        action=action,
        obj=proposal,
        unit=union_of(proposal),
        before=before,
        after=snapshot(proposal, PROPOSAL_FIELDS),
        note=note,
    )


def _locked(proposal: Proposal) -> Proposal:
    return (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("session__term__congress__union", "proposer", "department")
        .get(pk=proposal.pk)
    )


def _acting_delegate(user: User | None, session: CongressSession, delegate: Delegate | None):
    """The delegate seat the user acts from: their serving seat in the session's term."""
    if user is None:
        if delegate is None or delegate.term_id != session.term_id:
            raise DomainError("proposal.not_delegate", _("Name a delegate of this term."))
        if delegate.status != Delegate.Status.ACTIVE:
            raise DomainError("proposal.not_delegate", _("This delegate no longer serves."))
        return delegate
    seat = delegate_for(user, session.term)
    if seat is None:
        raise DomainError(
            "proposal.not_delegate",
            _("Only a serving delegate of this congress term may do this."),
        )
    return seat


def _check_window(session: CongressSession, today: date) -> None:
    union = session.term.congress.union
    window = rules.proposal_window(
        today,
        opens_on=session.proposals_open_on,
        closes_on=session.proposals_close_on,
        session_day=session.held_on,
        rules=rules_for(union),
    )
    if window.reason == "not_yet":
        raise DomainError(
            "proposal.window_not_open",
            _("Proposals for this session are collected from %(opens)s to %(closes)s.")
            % {"opens": window.opens_on, "closes": window.closes_on},
        )
    if window.reason == "closed":
        raise DomainError(
            "proposal.window_closed",
            _("Proposal collection for this session closed on %(closes)s.")
            % {"closes": window.closes_on},
        )


def window_for(session: CongressSession, today: date) -> rules.WindowCheck:
    return rules.proposal_window(
        today,
        opens_on=session.proposals_open_on,
        closes_on=session.proposals_close_on,
        session_day=session.held_on,
        rules=rules_for(session.term.congress.union),
    )


def _require_manage(actor: User | None, proposal: Proposal) -> None:
    require_permission(actor, Perm.MANAGE_CONGRESS, union_of(proposal))


def _check_department(department: Department, proposal: Proposal) -> None:
    if department.union_id != union_of(proposal).pk or department.archived_at is not None:
        raise DomainError(
            "proposal.department",
            _("Choose a current department of this union."),
            field="department",
        )


def _check_due(due_on: date | None, today: date) -> None:
    if due_on is None:
        raise DomainError("proposal.due_on", _("Give the reply date."), field="due_on")
    if due_on < today:
        raise DomainError(
            "proposal.due_on", _("The reply date cannot lie in the past."), field="due_on"
        )


def _is_proposer(user: User | None, proposal: Proposal, delegate: Delegate | None) -> bool:
    if user is None:
        return delegate is not None and delegate.pk == proposal.proposer_id
    return bool(user.person_id) and user.person_id == proposal.proposer.person_id


# ---- departments ------------------------------------------------------------------------


def eligible_handlers(union: OrgUnit) -> QuerySet[User]:
    """Users who may answer for a department: members of the union with a login, and users
    holding a role in the union or below it."""
    in_union = RoleGrant.objects.filter(
        user=OuterRef("pk"), revoked_at__isnull=True, unit__path__startswith=union.path
    )
    return (
        User.objects.filter(is_active=True)
        .filter(Q(person__member__union=union) | Exists(in_union))
        .distinct()
        .order_by("display_name", "username")
    )


@transaction.atomic
def department_create(*, actor: User | None, union: OrgUnit, name: str) -> Department:
    require_permission(actor, Perm.MANAGE_CONGRESS, union)
    name = name.strip()
    if not name:
        raise DomainError("department.name", _("Give the department's name."), field="name")
    if Department.objects.filter(union=union, name=name).exists():
        raise DomainError(
            "department.name_taken",
            _("The department %(name)s exists already.") % {"name": name},
            field="name",
        )
    dept = Department.objects.create(union=union, name=name[:80])
    audit(
        actor=actor,
        action="congress.department_create",
        obj=dept,
        unit=union,
        after=snapshot(dept, ["union_id", "name"]),
    )
    return dept


@transaction.atomic
def department_set_handlers(
    *, actor: User | None, department: Department, users: Iterable[User]
) -> Department:
    require_permission(actor, Perm.MANAGE_CONGRESS, department.union)
    department = Department.objects.select_for_update().get(pk=department.pk)
    wanted = {u.pk for u in users}
    allowed = set(
        eligible_handlers(department.union).filter(pk__in=wanted).values_list("pk", flat=True)
    )
    if wanted - allowed:
        raise DomainError(
            "department.handler_outside",
            _("Handlers must be members or officers of this union."),
            field="handlers",
        )
    before = sorted(department.handlers.values_list("pk", flat=True))
    department.handlers.set(sorted(wanted))
    audit(
        actor=actor,
        action="congress.department_handlers",
        obj=department,
        unit=department.union,
        before={"handlers": before},
        after={"handlers": sorted(wanted)},
    )
    return department


# ---- the delegate's side ---------------------------------------------------------------


@transaction.atomic
def proposal_submit(
    *,
    user: User | None,
    session: CongressSession,
    title: str,
    reasons: str,
    measures: str,
    category: str,
    delegate: Delegate | None = None,
    now: datetime | None = None,
) -> Proposal:
    """A serving delegate of the session's term submits while the window is open. With no
    co-signers required it goes straight to the committee."""
    now, today = _clock(now)
    session = CongressSession.objects.select_related("term__congress__union").get(pk=session.pk)
    seat = _acting_delegate(user, session, delegate)
    _check_window(session, today)
    title, reasons, measures = title.strip(), reasons.strip(), measures.strip()
    for field, value, msg in (
        ("title", title, _("Give the proposal a title.")),
        ("reasons", reasons, _("Explain the reasons (案由).")),
        ("measures", measures, _("Suggest measures.")),
    ):
        if not value:
            raise DomainError(f"proposal.{field}", msg, field=field)
    if len(title) > 200:
        raise DomainError(
            "proposal.title", _("The title is longer than 200 characters."), field="title"
        )
    if category not in ProposalCategory.values:
        raise DomainError("proposal.category", _("Choose a category."), field="category")
    status = rules.status_after_cosign(S.COLLECTING, 0, rules_for(session.term.congress.union))
    proposal = Proposal.objects.create(
        session=session,
        proposer=seat,
        title=title,
        reasons=reasons,
        measures=measures,
        category=category,
        status=status,
        submitted_at=now,
    )
    _event(proposal, "submitted", actor=user, at=now, person_id=seat.person_id)
    if status == S.SUBMITTED:
        _event(proposal, "to_committee", actor=user, at=now)
    _audit(user, "congress.proposal_submit", proposal, {})
    return proposal


@transaction.atomic
def proposal_cosign(
    *,
    user: User | None,
    proposal: Proposal,
    delegate: Delegate | None = None,
    now: datetime | None = None,
) -> CoSignature:
    """Another serving delegate of the same term supports the proposal, once."""
    now, today = _clock(now)
    proposal = _locked(proposal)
    if proposal.status not in BEFORE_REVIEW:
        raise DomainError("proposal.cosign_closed", _("This proposal no longer takes co-signers."))
    seat = _acting_delegate(user, proposal.session, delegate)
    if seat.pk == proposal.proposer_id or seat.person_id == proposal.proposer.person_id:
        raise DomainError("proposal.self_cosign", _("The proposer cannot co-sign their own."))
    _check_window(proposal.session, today)
    twice = DomainError("proposal.cosigned_twice", _("You have co-signed this proposal already."))
    if proposal.cosignatures.filter(delegate__person_id=seat.person_id).exists():
        raise twice
    before = snapshot(proposal, PROPOSAL_FIELDS)
    try:
        with transaction.atomic():
            sig = CoSignature.objects.create(proposal=proposal, delegate=seat, at=now)
    except IntegrityError as e:  # the same delegate from two browsers at once
        raise twice from e
    _event(proposal, "cosigned", actor=user, at=now, person_id=seat.person_id)
    count = proposal.cosignatures.count()
    status = rules.status_after_cosign(proposal.status, count, rules_for(union_of(proposal)))
    if status != proposal.status:
        proposal.status = status
        proposal.save(update_fields=["status"])
        _event(proposal, "to_committee", actor=user, at=now)
    _audit(user, "congress.proposal_cosign", proposal, before, note=str(seat.person))
    return sig


@transaction.atomic
def proposal_withdraw(
    *,
    user: User | None,
    proposal: Proposal,
    reason: str = "",
    delegate: Delegate | None = None,
    now: datetime | None = None,
) -> Proposal:
    now, _today = _clock(now)
    proposal = _locked(proposal)
    if not _is_proposer(user, proposal, delegate):
        raise DomainError("proposal.not_proposer", _("Only the proposer may withdraw it."))
    if proposal.status not in BEFORE_REVIEW:
        raise DomainError(
            "proposal.reviewed", _("The committee has reviewed it; it can no longer be withdrawn.")
        )
    before = snapshot(proposal, PROPOSAL_FIELDS)
    proposal.status = S.WITHDRAWN
    proposal.closed_at = now
    proposal.save(update_fields=["status", "closed_at"])
    _event(proposal, "withdrawn", actor=user, at=now, note=reason.strip())
    _audit(user, "congress.proposal_withdraw", proposal, before, note=reason)
    return proposal


# ---- the proposal committee -----------------------------------------------------------


@transaction.atomic
def proposal_accept(
    *,
    actor: User | None,
    proposal: Proposal,
    department: Department,
    due_on: date | None,
    note: str = "",
    now: datetime | None = None,
) -> Proposal:
    """立案: the next number of the session (the session row is locked, so two reviewers at
    once cannot take the same number), a department and a reply date."""
    now, today = _clock(now)
    _require_manage(actor, proposal)
    CongressSession.objects.select_for_update().get(pk=proposal.session_id)
    proposal = _locked(proposal)
    if proposal.status == S.COLLECTING:
        needed = rules_for(union_of(proposal)).cosigners_min
        raise DomainError(
            "proposal.not_enough_cosigners",
            _("It has %(n)s co-signers; at least %(m)s are needed before it can be accepted.")
            % {"n": proposal.cosignatures.count(), "m": needed},
        )
    if proposal.status != S.SUBMITTED:
        raise DomainError("proposal.reviewed", _("This proposal has been reviewed already."))
    _check_department(department, proposal)
    _check_due(due_on, today)
    before = snapshot(proposal, PROPOSAL_FIELDS)
    last = Proposal.objects.filter(session_id=proposal.session_id).aggregate(n=Max("number"))["n"]
    proposal.number = (last or 0) + 1
    proposal.status = S.ACCEPTED
    proposal.department = department
    proposal.due_on = due_on
    proposal.reviewed_at, proposal.reviewed_by = now, actor if actor and actor.pk else None
    proposal.review_reason = note.strip()[:300]
    proposal.save()
    _event(proposal, "accepted", actor=actor, at=now, note=_("No. %(n)s") % {"n": proposal.number})
    _event(
        proposal,
        "assigned",
        actor=actor,
        at=now,
        note=_("%(dept)s, reply by %(due)s") % {"dept": department.name, "due": due_on},
    )
    _audit(actor, "congress.proposal_accept", proposal, before, note=note)
    return proposal


@transaction.atomic
def proposal_convert(
    *, actor: User | None, proposal: Proposal, reason: str, now: datetime | None = None
) -> Proposal:
    """不立案 → 意见建议. The reason is kept and the proposal waits (opinion_taken_at empty)
    for the opinions tracker to take it over. Proposals short of co-signers may be
    converted too: that is the usual fate of one the window closed on."""
    now, _today = _clock(now)
    _require_manage(actor, proposal)
    proposal = _locked(proposal)
    if proposal.status not in BEFORE_REVIEW:
        raise DomainError("proposal.reviewed", _("This proposal has been reviewed already."))
    reason = reason.strip()
    if not reason:
        raise DomainError(
            "proposal.reason",
            _("Give the reason for not accepting it as a proposal."),
            field="reason",
        )
    before = snapshot(proposal, PROPOSAL_FIELDS)
    proposal.status = S.CONVERTED
    proposal.review_reason = reason[:300]
    proposal.reviewed_at, proposal.reviewed_by = now, actor if actor and actor.pk else None
    proposal.closed_at = now
    proposal.save()
    _event(proposal, "converted", actor=actor, at=now, note=reason)
    _audit(actor, "congress.proposal_convert", proposal, before, note=reason)
    return proposal


@transaction.atomic
def proposal_reassign(
    *,
    actor: User | None,
    proposal: Proposal,
    department: Department,
    due_on: date | None,
    note: str = "",
    now: datetime | None = None,
) -> Proposal:
    now, today = _clock(now)
    _require_manage(actor, proposal)
    proposal = _locked(proposal)
    if proposal.status not in AWAITING_REPLY:
        raise DomainError(
            "proposal.not_in_handling",
            _("Only a proposal waiting for a department's reply can be reassigned."),
        )
    _check_department(department, proposal)
    _check_due(due_on, today)
    before = snapshot(proposal, PROPOSAL_FIELDS)
    proposal.department, proposal.due_on = department, due_on
    proposal.save(update_fields=["department", "due_on"])
    _event(
        proposal,
        "reassigned",
        actor=actor,
        at=now,
        note=_("%(dept)s, reply by %(due)s") % {"dept": department.name, "due": due_on}
        + (f" · {note.strip()}" if note.strip() else ""),
    )
    _audit(actor, "congress.proposal_reassign", proposal, before, note=note)
    return proposal


@transaction.atomic
def proposal_mark_outstanding(
    *,
    actor: User | None,
    proposal: Proposal,
    outstanding: bool = True,
    note: str = "",
    now: datetime | None = None,
) -> Proposal:
    """优秀提案: chosen among accepted proposals."""
    now, _today = _clock(now)
    _require_manage(actor, proposal)
    proposal = _locked(proposal)
    if proposal.status not in ACCEPTED_STATUSES:
        raise DomainError(
            "proposal.not_accepted",
            _("Only an accepted proposal can be selected as outstanding."),
        )
    before = snapshot(proposal, PROPOSAL_FIELDS)
    proposal.is_outstanding = outstanding
    proposal.save(update_fields=["is_outstanding"])
    kind = "outstanding" if outstanding else "outstanding_removed"
    _event(proposal, kind, actor=actor, at=now, note=note.strip())
    _audit(actor, "congress.proposal_outstanding", proposal, before, note=note)
    return proposal


@transaction.atomic
def proposal_opinion_taken(
    *, actor: User | None, proposal: Proposal, now: datetime | None = None
) -> Proposal:
    """For the opinions tracker: a converted proposal has been taken over as an opinion."""
    now, _today = _clock(now)
    _require_manage(actor, proposal)
    proposal = _locked(proposal)
    if proposal.status != S.CONVERTED or proposal.opinion_taken_at is not None:
        raise DomainError(
            "proposal.not_waiting", _("This proposal is not waiting to become an opinion.")
        )
    proposal.opinion_taken_at = now
    proposal.save(update_fields=["opinion_taken_at"])
    _event(proposal, "opinion_taken", actor=actor, at=now)
    _audit(actor, "congress.proposal_opinion_taken", proposal, {})
    return proposal


# ---- the department's reply ------------------------------------------------------------


def attachment_path(att: ProposalAttachment) -> Path:
    return uploads.open_stored(att.stored_path)


def _clean_points(points: Sequence[dict[str, str]]) -> list[dict[str, str]]:
    out = []
    for i, p in enumerate(points, start=1):
        point = str(p.get("point", "")).strip()
        answer = str(p.get("answer", "")).strip()
        if not point and not answer:
            continue
        if not answer:
            raise DomainError(
                "proposal.point_answer",
                _("Point %(n)s has no answer.") % {"n": i},
                field="points",
            )
        out.append({"point": point, "answer": answer})
    return out


def is_handler(user: User | None, proposal: Proposal) -> bool:
    if user is None or not user.is_authenticated or proposal.department is None:
        return False
    return proposal.department.handlers.filter(pk=user.pk).exists()


@transaction.atomic
def proposal_reply(
    *,
    user: User | None,
    proposal: Proposal,
    points: Sequence[dict[str, str]],
    body: str = "",
    attachments: Sequence[uploads.Uploaded] = (),
    now: datetime | None = None,
) -> ProposalReply:
    """A handler of the assigned department answers, point by point, for this round."""
    now, _today = _clock(now)
    proposal = _locked(proposal)
    if user is not None and not is_handler(user, proposal):
        raise DomainError(
            "proposal.not_handler",
            _("Only a handler of the department the proposal is assigned to may reply."),
        )
    department = proposal.department
    # A proposal awaiting a reply always has a department; without one nobody can answer.
    if proposal.status not in AWAITING_REPLY or department is None:
        raise DomainError(
            "proposal.not_in_handling", _("This proposal is not waiting for a reply.")
        )
    clean = _clean_points(points)
    body = body.strip()
    if not clean and not body:
        raise DomainError(
            "proposal.reply_empty", _("Answer at least one point or write a reply."), field="points"
        )
    if len(attachments) > MAX_ATTACHMENTS:
        raise DomainError(
            "proposal.attachment_count",
            _("Attach at most %(n)s files.") % {"n": MAX_ATTACHMENTS},
            field="attachments",
        )
    files = uploads.check_and_store_all(
        attachments,
        area="proposals",
        kinds=ATTACHMENT_KINDS,
        max_bytes=MAX_ATTACHMENT_BYTES,
        field="attachments",
    )
    try:
        before = snapshot(proposal, PROPOSAL_FIELDS)
        round_no = proposal.replies.count() + 1
        reply = ProposalReply.objects.create(
            proposal=proposal,
            round=round_no,
            points=clean,
            body=body,
            replied_by=user if user and user.pk else None,
            replied_at=now,
        )
        for f in files:
            ProposalAttachment.objects.create(
                proposal=proposal,
                reply=reply,
                file_name=f.file_name,
                stored_path=f.stored_path,
                size_bytes=f.size_bytes,
                uploaded_by=user if user and user.pk else None,
                uploaded_at=now,
            )
    except BaseException:
        uploads.discard(files)
        raise
    proposal.status = S.REPLIED
    proposal.rating = ""  # the new reply waits for the proposer's rating
    proposal.save(update_fields=["status", "rating"])
    _event(
        proposal,
        "replied",
        actor=user,
        at=now,
        note=_("Round %(n)s, %(dept)s") % {"n": round_no, "dept": department.name},
    )
    _audit(user, "congress.proposal_reply", proposal, before, note=f"round {round_no}")
    return reply


@transaction.atomic
def proposal_rate(
    *,
    user: User | None,
    proposal: Proposal,
    rating: str,
    comment: str = "",
    delegate: Delegate | None = None,
    now: datetime | None = None,
) -> Proposal:
    """The proposer rates the latest reply. 不满意 needs a comment (what is still missing)
    and starts a new round with a new reply date."""
    now, today = _clock(now)
    proposal = _locked(proposal)
    if not _is_proposer(user, proposal, delegate):
        raise DomainError("proposal.not_proposer", _("Only the proposer may rate the reply."))
    if proposal.status != S.REPLIED:
        raise DomainError("proposal.not_replied", _("There is no reply waiting for a rating."))
    if rating not in Proposal.Rating.values:
        raise DomainError("proposal.rating", _("Choose a rating."), field="rating")
    comment = comment.strip()
    if rating == Proposal.Rating.UNSATISFIED and not comment:
        raise DomainError(
            "proposal.rating_comment",
            _("Say what the reply still leaves open, so the department can handle it again."),
            field="comment",
        )
    before = snapshot(proposal, PROPOSAL_FIELDS)
    reply = proposal.replies.order_by("-round").first()
    assert reply is not None  # a replied proposal has a reply
    reply.rating, reply.rating_comment, reply.rated_at = rating, comment[:300], now
    reply.save(update_fields=["rating", "rating_comment", "rated_at"])
    proposal.rating, proposal.rated_at = rating, now
    proposal.status = rules.status_after_rating(rating)
    if proposal.status == S.CLOSED:
        proposal.closed_at = now
    else:
        proposal.due_on = rules.rehandling_due_on(today)
    proposal.save()
    label = Proposal.Rating(rating).label
    _event(
        proposal,
        "rated",
        actor=user,
        at=now,
        person_id=proposal.proposer.person_id,
        note=f"{label}" + (f" · {comment}" if comment else ""),
    )
    if proposal.status == S.CLOSED:
        _event(proposal, "closed", actor=user, at=now)
    else:
        _event(
            proposal,
            "sent_back",
            actor=user,
            at=now,
            note=_("Reply by %(due)s") % {"due": proposal.due_on},
        )
    _audit(user, "congress.proposal_rate", proposal, before, note=comment)
    return proposal


# ---- reads -------------------------------------------------------------------------------


def _base() -> QuerySet[Proposal]:
    return Proposal.objects.select_related(
        "session__term__congress__union", "proposer__person", "department"
    )


def _serving_terms(user: User) -> QuerySet[Delegate]:
    if user.person_id is None:
        return Delegate.objects.none()
    return Delegate.objects.filter(person_id=user.person_id, status=Delegate.Status.ACTIVE)


def proposals_of_union(user: User, union: OrgUnit) -> QuerySet[Proposal]:
    """The union's proposals as ``user`` may see them: the committee sees all; members see
    those past co-signing, plus their own, plus (for delegates of the term) those still
    collecting co-signers; others' withdrawn proposals stay out of sight."""
    qs = _base().filter(session__term__congress__union=union)
    if may_manage(user, union):
        return qs
    if not may_take_part(user, union):
        return qs.none()
    visible = ~Q(status__in=[S.COLLECTING, S.WITHDRAWN])
    if user.person_id:
        visible |= Q(proposer__person_id=user.person_id)
        visible |= Q(
            status=S.COLLECTING,
            session__term_id__in=_serving_terms(user).values("term_id"),
        )
    return qs.filter(visible)


@dataclass
class ProposalFilter:
    session: CongressSession | None = None
    status: str = ""
    department: Department | None = None
    category: str = ""
    overdue: bool = False
    outstanding: bool = False


def overdue_q(today: date) -> Q:
    """The query form of rules.proposal_overdue."""
    return Q(status__in=AWAITING_REPLY, due_on__lt=today)


def filter_proposals(qs: QuerySet[Proposal], f: ProposalFilter, today: date) -> QuerySet[Proposal]:
    if f.session is not None:
        qs = qs.filter(session=f.session)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.department is not None:
        qs = qs.filter(department=f.department)
    if f.category:
        qs = qs.filter(category=f.category)
    if f.overdue:
        qs = qs.filter(overdue_q(today))
    if f.outstanding:
        qs = qs.filter(is_outstanding=True)
    return qs


@dataclass(frozen=True)
class ProposalCounts:
    received: int  # went to the committee: everything but collecting and withdrawn
    collecting: int
    withdrawn: int
    pending_review: int
    accepted: int  # 立案
    converted: int  # 转为意见建议
    replied: int  # accepted ones with at least one reply
    satisfied: int
    basic: int
    unsatisfied: int
    awaiting_rating: int
    overdue: int
    outstanding: int


def proposal_counts(qs: QuerySet[Proposal], today: date) -> ProposalCounts:
    """The figures the summary and the handling report state, counted in one query."""
    has_reply = ProposalReply.objects.filter(proposal=OuterRef("pk"))
    row = (
        qs.order_by()
        .annotate(has_reply=Exists(has_reply))
        .aggregate(
            received=Count("pk", filter=~Q(status__in=[S.COLLECTING, S.WITHDRAWN])),
            collecting=Count("pk", filter=Q(status=S.COLLECTING)),
            withdrawn=Count("pk", filter=Q(status=S.WITHDRAWN)),
            pending_review=Count("pk", filter=Q(status=S.SUBMITTED)),
            accepted=Count("pk", filter=Q(status__in=ACCEPTED_STATUSES)),
            converted=Count("pk", filter=Q(status=S.CONVERTED)),
            replied=Count("pk", filter=Q(status__in=ACCEPTED_STATUSES, has_reply=True)),
            satisfied=Count("pk", filter=Q(rating=Proposal.Rating.SATISFIED)),
            basic=Count("pk", filter=Q(rating=Proposal.Rating.BASIC)),
            unsatisfied=Count("pk", filter=Q(rating=Proposal.Rating.UNSATISFIED)),
            awaiting_rating=Count("pk", filter=Q(status=S.REPLIED)),
            overdue=Count("pk", filter=overdue_q(today)),
            outstanding=Count("pk", filter=Q(is_outstanding=True)),
        )
    )
    return ProposalCounts(**row)


def handler_departments(user: User) -> QuerySet[Department]:
    if not user.is_authenticated:
        return Department.objects.none()
    return Department.objects.filter(handlers=user, archived_at__isnull=True).select_related(
        "union"
    )


def handler_inbox(user: User) -> QuerySet[Proposal]:
    """Proposals assigned to the user's departments, waiting ones first."""
    return (
        _base()
        .filter(department__in=handler_departments(user), status__in=ACCEPTED_STATUSES)
        .order_by("due_on", "session_id", "number")
    )


@dataclass
class Viewer:
    """What the user may do with one proposal, decided once for the page."""

    manage: bool
    handler: bool
    proposer: bool
    seat: Delegate | None  # the user's serving seat in the proposal's term


def proposal_for_page(user: User, proposal_id: int) -> tuple[Proposal, Viewer]:
    """A proposal the user may read: 404 outside their reach (ids cannot be probed), 403
    for an upper union that sees counts only."""
    proposal = _base().filter(pk=proposal_id).first()
    if proposal is None:
        raise Http404
    union = union_of(proposal)
    handler = is_handler(user, proposal)
    visible = handler or proposals_of_union(user, union).filter(pk=proposal.pk).exists()
    if not visible:
        if access.has_perm(user, Perm.VIEW_STATS, union) or may_take_part(user, union):
            raise PermissionDenied
        raise Http404
    seat = delegate_for(user, proposal.session.term)
    viewer = Viewer(
        manage=may_manage(user, union),
        handler=handler,
        proposer=bool(user.person_id) and user.person_id == proposal.proposer.person_id,
        seat=seat,
    )
    return proposal, viewer


def history(proposal: Proposal) -> list[ProposalEvent]:
    events = list(proposal.events.select_related("actor", "person").order_by("at", "id"))
    for e in events:
        e.label = EVENT_LABELS.get(e.kind, e.kind)  # type: ignore[attr-defined]  # for the template
    return events


def is_overdue(proposal: Proposal, today: date) -> bool:
    return rules.proposal_overdue(proposal.status, proposal.due_on, today)


@dataclass(frozen=True)
class UnionCountRow:
    union_name: str
    session_label: str
    held_on: date
    counts: ProposalCounts


def subordinate_counts(user: User, today: date) -> list[UnionCountRow]:
    """Counts per union and session for the unions in the user's statistics reach: figures
    only, no titles or names (upper unions see counts, not contents)."""
    units = access.units_with(user, Perm.VIEW_STATS).filter(kind__in=["grassroots", "joint"])
    sessions = (
        CongressSession.objects.filter(term__congress__union__in=units.values("pk"))
        .filter(proposals__isnull=False)
        .distinct()
        .select_related("term__congress__union")
        .order_by("term__congress__union__path", "-held_on")
    )
    rows = []
    for s in sessions:
        counts = proposal_counts(Proposal.objects.filter(session=s), today)
        rows.append(UnionCountRow(s.term.congress.union.name, s.label, s.held_on, counts))
    return rows


def sessions_for_list(user: User, union: OrgUnit) -> QuerySet[CongressSession]:
    return (
        CongressSession.objects.filter(term__congress__union=union)
        .select_related("term__congress__union")
        .order_by("-held_on", "-id")
    )


def converted_awaiting_opinion(union: OrgUnit) -> QuerySet[Proposal]:
    """Converted proposals the opinions tracker has not taken over yet."""
    return _base().filter(
        session__term__congress__union=union, status=S.CONVERTED, opinion_taken_at__isnull=True
    )
