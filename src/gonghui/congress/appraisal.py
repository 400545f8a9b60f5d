"""Democratic appraisal (民主评议 / 民主测评): every write, and the reads its pages and exports
share.

Writes: define an appraisal and its subjects while in draft, open and close it, an eligible
rater's one online submission, and paper forms typed in by a cadre. Each runs in one
transaction and writes an audit row. Ratings are secret as votes are
(docs/decisions/0005-secret-votes.md): the receipt names the rater, the rating rows name
nobody, carry no time and have random keys; the audit row of a submission says who rated,
never how.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from gonghui.core import access
from gonghui.core.access import Perm
from gonghui.core.errors import DomainError
from gonghui.core.models import OrgUnit, Person, User
from gonghui.core.services import audit, require_permission, snapshot
from gonghui.members.models import Member, MemberStatus
from gonghui.members.queries import member_of_user

from . import queries, rules
from .models import CongressTerm, Delegate
from .models.appraisal import (
    Appraisal,
    AppraisalRating,
    AppraisalReceipt,
    AppraisalSubject,
    PaperBatch,
    PaperCount,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

AUDIT_LABELS = {
    "congress.appraisal_create": _lazy("Appraisal defined"),
    "congress.appraisal_update": _lazy("Appraisal changed"),
    "congress.appraisal_subject_add": _lazy("Person added to an appraisal"),
    "congress.appraisal_subject_remove": _lazy("Person removed from an appraisal"),
    "congress.appraisal_open": _lazy("Appraisal opened for rating"),
    "congress.appraisal_close": _lazy("Appraisal closed"),
    "congress.appraisal_rate": _lazy("Appraisal ratings submitted"),
    "congress.appraisal_paper": _lazy("Appraisal paper forms entered"),
    "congress.appraisal_publish": _lazy("Appraisal results shown to members"),
}

UNION_KINDS = ("grassroots", "joint")

_SCALE_ERRORS = {
    "too_few": _lazy("A scale needs at least two grades."),
    "too_many": _lazy("A scale has at most seven grades."),
    "blank_label": _lazy("Every grade needs a name."),
    "duplicate_label": _lazy("Two grades have the same name."),
    "weight_range": _lazy("Points of a grade are from 0 to 100."),
}


class ScaleGrade(TypedDict):
    """One grade of an appraisal's scale, as stored in ``Appraisal.scale``."""

    label: str
    weight: int


def default_scale() -> list[dict[str, Any]]:
    return [{"label": label, "weight": w} for label, w in rules.DEFAULT_APPRAISAL_SCALE]


def _union(appraisal: Appraisal) -> OrgUnit:
    return appraisal.union


def _check_definition(
    *,
    union: OrgUnit,
    rater_base: str,
    term: CongressTerm | None,
    scale: Sequence[Mapping[str, Any]],
    opens_on: date,
    closes_on: date,
) -> tuple[CongressTerm | None, list[ScaleGrade]]:
    if rater_base not in Appraisal.RaterBase.values:
        raise DomainError("appraisal.rater_base", _("Choose who rates."), field="rater_base")
    if rater_base == Appraisal.RaterBase.DELEGATES:
        if term is None:
            raise DomainError(
                "appraisal.term_required",
                _("Choose the congress term whose delegates rate."),
                field="term",
            )
        if term.congress.union_id != union.pk:
            raise DomainError(
                "appraisal.term_union", _("The term belongs to another union."), field="term"
            )
    else:
        term = None
    cleaned: list[ScaleGrade] = [
        {"label": str(g["label"]).strip(), "weight": int(g["weight"])} for g in scale
    ]
    problem = rules.scale_check([(g["label"], g["weight"]) for g in cleaned])
    if problem:
        raise DomainError(f"appraisal.scale_{problem}", str(_SCALE_ERRORS[problem]), field="scale")
    if closes_on < opens_on:
        raise DomainError(
            "appraisal.dates",
            _("Rating cannot close before it opens."),
            field="closes_on",
        )
    return term, cleaned


@transaction.atomic
def appraisal_create(
    *,
    actor: User | None,
    union: OrgUnit,
    title: str,
    year: int,
    rater_base: str,
    term: CongressTerm | None = None,
    scale: Sequence[Mapping[str, Any]] | None = None,
    weighted: bool = True,
    opens_on: date,
    closes_on: date,
) -> Appraisal:
    """Define an appraisal in draft: who rates, on which scale, in which window."""
    require_permission(actor, Perm.MANAGE_CONGRESS, union)
    if not title.strip():
        raise DomainError("appraisal.title", _("Give the appraisal a title."), field="title")
    term, cleaned = _check_definition(
        union=union,
        rater_base=rater_base,
        term=term,
        scale=scale or default_scale(),
        opens_on=opens_on,
        closes_on=closes_on,
    )
    appraisal = Appraisal.objects.create(
        union=union,
        title=title.strip(),
        year=year,
        rater_base=rater_base,
        term=term,
        scale=cleaned,
        weighted=weighted,
        opens_on=opens_on,
        closes_on=closes_on,
        created_by=actor,
    )
    audit(
        actor=actor,
        action="congress.appraisal_create",
        obj=appraisal,
        unit=union,
        after=snapshot(appraisal),
    )
    return appraisal


def _lock(appraisal: Appraisal) -> Appraisal:
    return Appraisal.objects.select_for_update().select_related("union").get(pk=appraisal.pk)


def _require_draft(appraisal: Appraisal) -> None:
    if appraisal.status != Appraisal.Status.DRAFT:
        raise DomainError(
            "appraisal.not_draft",
            _("The appraisal has been opened; its definition can no longer change."),
        )


@transaction.atomic
def appraisal_update(
    *,
    actor: User | None,
    appraisal: Appraisal,
    title: str,
    year: int,
    rater_base: str,
    term: CongressTerm | None,
    scale: Sequence[Mapping[str, Any]],
    weighted: bool,
    opens_on: date,
    closes_on: date,
) -> Appraisal:
    appraisal = _lock(appraisal)
    require_permission(actor, Perm.MANAGE_CONGRESS, appraisal.union)
    _require_draft(appraisal)
    if not title.strip():
        raise DomainError("appraisal.title", _("Give the appraisal a title."), field="title")
    term, cleaned = _check_definition(
        union=appraisal.union,
        rater_base=rater_base,
        term=term,
        scale=scale,
        opens_on=opens_on,
        closes_on=closes_on,
    )
    before = snapshot(appraisal)
    appraisal.title, appraisal.year = title.strip(), year
    appraisal.rater_base, appraisal.term, appraisal.scale = rater_base, term, cleaned
    appraisal.weighted, appraisal.opens_on, appraisal.closes_on = weighted, opens_on, closes_on
    appraisal.save()
    audit(
        actor=actor,
        action="congress.appraisal_update",
        obj=appraisal,
        unit=appraisal.union,
        before=before,
        after=snapshot(appraisal),
    )
    return appraisal


@transaction.atomic
def subject_add(
    *, actor: User | None, appraisal: Appraisal, person: Person, post: str
) -> AppraisalSubject:
    """Add a leader or middle manager to be appraised, with the post they hold."""
    appraisal = _lock(appraisal)
    require_permission(actor, Perm.MANAGE_CONGRESS, appraisal.union)
    _require_draft(appraisal)
    if not post.strip():
        raise DomainError("appraisal.post", _("Give the post the person holds."), field="post")
    if appraisal.subjects.filter(person=person).exists():
        raise DomainError(
            "appraisal.subject_twice",
            _("%(name)s is already being appraised.") % {"name": person.name},
            field="person",
        )
    order = appraisal.subjects.count() + 1
    subject = AppraisalSubject.objects.create(
        appraisal=appraisal, person=person, post=post.strip(), order=order
    )
    audit(
        actor=actor,
        action="congress.appraisal_subject_add",
        obj=subject,
        unit=appraisal.union,
        after={"appraisal_id": appraisal.pk, "person_id": person.pk, "post": subject.post},
    )
    return subject


@transaction.atomic
def subject_remove(*, actor: User | None, subject: AppraisalSubject) -> None:
    appraisal = _lock(subject.appraisal)
    require_permission(actor, Perm.MANAGE_CONGRESS, appraisal.union)
    _require_draft(appraisal)
    audit(
        actor=actor,
        action="congress.appraisal_subject_remove",
        obj=subject,
        unit=appraisal.union,
        before={"appraisal_id": appraisal.pk, "person_id": subject.person_id, "post": subject.post},
    )
    # A draft's subject has no ratings yet (rating needs an open appraisal), so nothing
    # recorded is lost by removing the row.
    subject.delete()


def eligible_raters(appraisal: Appraisal) -> int:
    """How many people may rate: serving delegates of the term, or active members."""
    if appraisal.rater_base == Appraisal.RaterBase.DELEGATES:
        assert appraisal.term is not None
        return appraisal.term.delegates.filter(status=Delegate.Status.ACTIVE).count()
    return Member.objects.filter(union=appraisal.union, status=MemberStatus.ACTIVE).count()


def may_rate(user: User, appraisal: Appraisal) -> bool:
    """Whether the user is among the appraisal's raters (whatever its status)."""
    if not user.is_authenticated or not getattr(user, "person_id", None):
        return False
    if appraisal.rater_base == Appraisal.RaterBase.DELEGATES:
        assert appraisal.term is not None
        return queries.delegate_for(user, appraisal.term) is not None
    member = member_of_user(user)
    return (
        member is not None
        and member.union_id == appraisal.union_id
        and member.status == MemberStatus.ACTIVE
    )


@transaction.atomic
def appraisal_open(*, actor: User | None, appraisal: Appraisal) -> Appraisal:
    """Open for rating: the subjects and scale are fixed from now on, and the number of
    eligible raters is recorded as the base of the participation rate."""
    appraisal = _lock(appraisal)
    require_permission(actor, Perm.MANAGE_CONGRESS, appraisal.union)
    _require_draft(appraisal)
    if not appraisal.subjects.exists():
        raise DomainError(
            "appraisal.no_subjects", _("Add at least one person to be appraised before opening.")
        )
    eligible = eligible_raters(appraisal)
    if eligible == 0:
        raise DomainError("appraisal.no_raters", _("Nobody could rate: the rater list is empty."))
    appraisal.status = Appraisal.Status.OPEN
    appraisal.eligible_count = eligible
    appraisal.save(update_fields=["status", "eligible_count"])
    audit(
        actor=actor,
        action="congress.appraisal_open",
        obj=appraisal,
        unit=appraisal.union,
        after={"status": appraisal.status, "eligible_count": eligible},
    )
    return appraisal


@transaction.atomic
def appraisal_close(*, actor: User | None, appraisal: Appraisal) -> Appraisal:
    """Close rating. Takes the row lock that a submission in progress holds shared, so every
    submission that got in is counted and later ones are refused."""
    appraisal = _lock(appraisal)
    require_permission(actor, Perm.MANAGE_CONGRESS, appraisal.union)
    if appraisal.status != Appraisal.Status.OPEN:
        raise DomainError("appraisal.not_open", _("The appraisal is not open."))
    appraisal.status = Appraisal.Status.CLOSED
    appraisal.closed_at = timezone.now()
    appraisal.save(update_fields=["status", "closed_at"])
    audit(
        actor=actor,
        action="congress.appraisal_close",
        obj=appraisal,
        unit=appraisal.union,
        after={"status": appraisal.status},
    )
    return appraisal


@transaction.atomic
def appraisal_publish(*, actor: User | None, appraisal: Appraisal) -> Appraisal:
    """Show a closed appraisal's results to the union's members (counts and shares per
    person, never who rated how)."""
    appraisal = _lock(appraisal)
    require_permission(actor, Perm.MANAGE_CONGRESS, appraisal.union)
    if appraisal.status != Appraisal.Status.CLOSED:
        raise DomainError(
            "appraisal.not_closed", _("Results can be shown to members once rating has closed.")
        )
    if appraisal.published_at is not None:
        raise DomainError("appraisal.published", _("The results are already shown to members."))
    appraisal.published_at = timezone.now()
    appraisal.save(update_fields=["published_at"])
    audit(
        actor=actor,
        action="congress.appraisal_publish",
        obj=appraisal,
        unit=appraisal.union,
        after={"published_at": appraisal.published_at.isoformat()},
    )
    return appraisal


def _status_shared(appraisal: Appraisal) -> str:
    """The status under a lock that lets other raters through but waits for (and makes
    wait) a close in progress; SQLite serialises writers at BEGIN anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(
                "SELECT status FROM congress_appraisal WHERE id = %s FOR SHARE", [appraisal.pk]
            )
            row = cur.fetchone()
        return row[0] if row else ""
    return Appraisal.objects.filter(pk=appraisal.pk).values_list("status", flat=True).first() or ""


_WINDOW_ERRORS = {
    "draft": ("appraisal.not_open", _lazy("Rating has not been opened yet.")),
    "not_yet": ("appraisal.not_yet", _lazy("Rating opens on %(day)s.")),
    "closed": ("appraisal.closed", _lazy("Rating has closed.")),
}


@transaction.atomic
def rating_submit(
    *, user: User, appraisal: Appraisal, grades: Mapping[int, int], today: date | None = None
) -> None:
    """One rater's one submission: every subject graded once. The receipt (who) and the
    ratings (how) are written together; nothing stored joins them. ``today`` is for
    replaying paper-era history (the demo); requests use the local date."""
    appraisal = Appraisal.objects.select_related("union", "term").get(pk=appraisal.pk)
    person_id = user.person_id
    if person_id is None or not may_rate(user, appraisal):
        raise DomainError(
            "appraisal.not_rater", _("You are not among the raters of this appraisal.")
        )
    status = _status_shared(appraisal)
    window = rules.appraisal_window(
        status, appraisal.opens_on, appraisal.closes_on, today or timezone.localdate()
    )
    if window != "open":
        code, message = _WINDOW_ERRORS[window]
        raise DomainError(code, str(message) % {"day": appraisal.opens_on})
    subject_ids = list(appraisal.subjects.values_list("pk", flat=True))
    clean = {int(k): int(v) for k, v in grades.items()}
    problem = rules.submission_check(subject_ids, clean, len(appraisal.scale))
    if problem == "missing_subject":
        raise DomainError(
            "appraisal.missing_subject", _("Rate every person before submitting."), field="grades"
        )
    if problem:
        raise DomainError("appraisal.bad_grade", _("Choose a grade of the scale."), field="grades")
    try:
        with transaction.atomic():
            receipt = AppraisalReceipt.objects.create(appraisal=appraisal, person_id=person_id)
            # Shuffled by their random keys anyway; written in subject order is no clue
            # because every submission writes every subject.
            AppraisalRating.objects.bulk_create(
                AppraisalRating(appraisal=appraisal, subject_id=s, grade=clean[s])
                for s in subject_ids
            )
    except IntegrityError as e:
        raise DomainError(
            "appraisal.already_rated", _("You have already submitted your ratings.")
        ) from e
    audit(
        actor=user,
        action="congress.appraisal_rate",
        obj=receipt,
        unit=appraisal.union,
        # Who rated, never how: the grades are not written next to the rater anywhere.
        after={"appraisal_id": appraisal.pk},
    )


@transaction.atomic
def paper_enter(
    *,
    actor: User,
    appraisal: Appraisal,
    forms: int,
    counts: Mapping[int, Sequence[int]],
    note: str = "",
) -> PaperBatch:
    """Type in a pile of paper forms: the number of forms and, per subject, how many forms
    gave each grade. No subject can have more grades than there are forms."""
    appraisal = _lock(appraisal)
    require_permission(actor, Perm.MANAGE_CONGRESS, appraisal.union)
    if appraisal.status != Appraisal.Status.OPEN:
        raise DomainError(
            "appraisal.not_open", _("Paper forms are entered while the appraisal is open.")
        )
    subjects = {s.pk: s for s in appraisal.subjects.select_related("person")}
    rows = {int(k): [int(c) for c in v] for k, v in counts.items()}
    if set(rows) - set(subjects):
        raise DomainError("appraisal.unknown_subject", _("Unknown person in the counts."))
    for problem in rules.paper_counts_check(forms, rows, len(appraisal.scale)):
        if problem.subject is None:
            raise DomainError(
                "appraisal.forms", _("Enter how many forms there are."), field="forms"
            )
        name = subjects[problem.subject].person.name
        if problem.reason == "too_many":
            message = _("%(name)s: the counts add up to more than the %(forms)s forms.") % {
                "name": name,
                "forms": forms,
            }
        else:
            message = _("%(name)s: counts must be whole numbers, zero or more.") % {"name": name}
        raise DomainError(f"appraisal.paper_{problem.reason}", message, field="counts")
    batch = PaperBatch.objects.create(
        appraisal=appraisal, forms_count=forms, entered_by=actor, note=note.strip()[:200]
    )
    PaperCount.objects.bulk_create(
        PaperCount(batch=batch, subject_id=s, grade=g, count=c)
        for s, row in rows.items()
        for g, c in enumerate(row)
        if c
    )
    audit(
        actor=actor,
        action="congress.appraisal_paper",
        obj=batch,
        unit=appraisal.union,
        after={"appraisal_id": appraisal.pk, "forms": forms, "counts": rows},
    )
    return batch


# ---- reads ----------------------------------------------------------------------------------


def get_appraisal_for(user: User, appraisal_id: int, *, manage: bool = True) -> Appraisal:
    """An appraisal the user may manage (``manage``) or rate. Another union's appraisal is
    404, so ids cannot be probed; in reach without the right is 403."""
    appraisal = (
        Appraisal.objects.select_related("union", "term__congress").filter(pk=appraisal_id).first()
    )
    if appraisal is None:
        raise Http404
    union = appraisal.union
    if queries.may_manage(user, union):
        if manage or may_rate(user, appraisal):
            return appraisal
        raise PermissionDenied
    if not manage and may_rate(user, appraisal):
        return appraisal
    if queries.may_take_part(user, union) or access.has_perm(user, Perm.VIEW_STATS, union):
        raise PermissionDenied
    raise Http404


def get_published_for(user: User, appraisal_id: int) -> Appraisal:
    """Published results, for the union's members and managers. Unpublished ones are not
    found for members; upper unions see counts only (403)."""
    appraisal = Appraisal.objects.select_related("union").filter(pk=appraisal_id).first()
    if appraisal is None:
        raise Http404
    union = appraisal.union
    if queries.may_take_part(user, union):
        if appraisal.published_at is not None or queries.may_manage(user, union):
            return appraisal
        raise Http404
    if access.has_perm(user, Perm.VIEW_STATS, union):
        raise PermissionDenied
    raise Http404


def published_of(union: OrgUnit) -> QuerySet[Appraisal]:
    return Appraisal.objects.filter(union=union, published_at__isnull=False).order_by(
        "-year", "-id"
    )


def appraisals_of(union: OrgUnit) -> QuerySet[Appraisal]:
    return (
        Appraisal.objects.filter(union=union)
        .annotate(n_subjects=Count("subjects", distinct=True))
        .order_by("-year", "-id")
    )


def terms_of(union: OrgUnit) -> QuerySet[CongressTerm]:
    return CongressTerm.objects.filter(
        congress__union=union, congress__archived_at__isnull=True
    ).select_related("congress")


def subject_candidates(union: OrgUnit) -> QuerySet[Person]:
    return Person.objects.filter(
        pk__in=Member.objects.filter(union=union, status=MemberStatus.ACTIVE).values("person_id")
    ).order_by("name")


@dataclass(frozen=True)
class Task:
    appraisal: Appraisal
    done: bool
    window: str  # open | not_yet | closed


def tasks_for(user: User, today: date) -> list[Task]:
    """The user's appraisal tasks: open appraisals they are a rater of, and whether they
    have already rated."""
    if not user.is_authenticated or user.person_id is None:
        return []
    member = member_of_user(user)
    terms = Delegate.objects.filter(person_id=user.person_id, status=Delegate.Status.ACTIVE).values(
        "term_id"
    )
    candidates = Appraisal.objects.filter(status=Appraisal.Status.OPEN).select_related(
        "union", "term"
    )
    by_delegates = candidates.filter(rater_base=Appraisal.RaterBase.DELEGATES, term_id__in=terms)
    found = list(by_delegates)
    if member is not None and member.status == MemberStatus.ACTIVE:
        found += list(
            candidates.filter(rater_base=Appraisal.RaterBase.MEMBERS, union_id=member.union_id)
        )
    done = set(
        AppraisalReceipt.objects.filter(
            person_id=user.person_id, appraisal__in=[a.pk for a in found]
        ).values_list("appraisal_id", flat=True)
    )
    return [
        Task(a, a.pk in done, rules.appraisal_window(a.status, a.opens_on, a.closes_on, today))
        for a in sorted(found, key=lambda a: (a.closes_on, a.pk))
    ]


def has_rated(user: User, appraisal: Appraisal) -> bool:
    # An anonymous user has no person_id at all.
    person_id = getattr(user, "person_id", None)
    if person_id is None:
        return False
    return AppraisalReceipt.objects.filter(appraisal=appraisal, person_id=person_id).exists()


@dataclass(frozen=True)
class SubjectResult:
    subject: AppraisalSubject
    online: list[int]
    paper: list[int]
    counts: list[int]
    total: int
    shares: list[Decimal]
    score: Decimal | None
    rank: int

    @property
    def cells(self) -> list[tuple[int, Decimal]]:
        return list(zip(self.counts, self.shares, strict=True))


@dataclass(frozen=True)
class AppraisalResults:
    appraisal: Appraisal
    labels: list[str]
    weights: list[int]
    rows: list[SubjectResult]  # in the order of the subjects
    receipts: int
    paper_forms: int
    participation: rules.Participation
    ratings_match: bool  # every receipt has one rating per subject (no lost rating)

    @property
    def ranked(self) -> list[SubjectResult]:
        return sorted(self.rows, key=lambda r: (r.rank, r.subject.order, r.subject.pk))

    @property
    def labelled_rows(self) -> list[tuple[SubjectResult, list[tuple[str, int, Decimal]]]]:
        """Each subject with (grade, count, share) triples, for pages that list them."""
        return [(r, list(zip(self.labels, r.counts, r.shares, strict=True))) for r in self.rows]

    def chart(self) -> dict[str, Any]:
        """Data for a stacked bar per subject: the share of each grade."""
        return {
            "names": [r.subject.person.name for r in self.rows],
            "series": [
                {"name": label, "data": [float(r.shares[g]) for r in self.rows]}
                for g, label in enumerate(self.labels)
            ],
        }


def results(appraisal: Appraisal) -> AppraisalResults:
    """Online ratings and paper counts together: per subject the count and share of each
    grade, the weighted score and the rank; participation over the eligible raters."""
    n = len(appraisal.scale)
    subjects = list(appraisal.subjects.select_related("person"))
    online = {s.pk: [0] * n for s in subjects}
    for subject_id, grade, count in (
        AppraisalRating.objects.filter(appraisal=appraisal)
        .values("subject_id", "grade")
        .annotate(n=Count("pk"))
        .values_list("subject_id", "grade", "n")
    ):
        online[subject_id][grade] = count
    paper = {s.pk: [0] * n for s in subjects}
    for subject_id, grade, count in (
        PaperCount.objects.filter(batch__appraisal=appraisal)
        .values("subject_id", "grade")
        .annotate(n=Sum("count"))
        .values_list("subject_id", "grade", "n")
    ):
        paper[subject_id][grade] = count
    weights = appraisal.weights
    combined = {
        s.pk: [a + b for a, b in zip(online[s.pk], paper[s.pk], strict=True)] for s in subjects
    }
    keys = [rules.appraisal_rank_key(combined[s.pk], weights, appraisal.weighted) for s in subjects]
    ranks = rules.competition_ranks(keys)
    rows = [
        SubjectResult(
            subject=s,
            online=online[s.pk],
            paper=paper[s.pk],
            counts=combined[s.pk],
            total=sum(combined[s.pk]),
            shares=rules.shares_percent(combined[s.pk]),
            score=rules.weighted_score(combined[s.pk], weights) if appraisal.weighted else None,
            rank=rank,
        )
        for s, rank in zip(subjects, ranks, strict=True)
    ]
    receipts = appraisal.receipts.count()
    paper_forms = appraisal.paper.aggregate(n=Sum("forms_count"))["n"] or 0
    eligible = (
        appraisal.eligible_count
        if appraisal.eligible_count is not None
        else eligible_raters(appraisal)
    )
    ratings = AppraisalRating.objects.filter(appraisal=appraisal).count()
    return AppraisalResults(
        appraisal=appraisal,
        labels=appraisal.labels,
        weights=weights,
        rows=rows,
        receipts=receipts,
        paper_forms=paper_forms,
        participation=rules.participation_rate(receipts + paper_forms, eligible),
        ratings_match=ratings == receipts * len(subjects),
    )


@dataclass(frozen=True)
class OverviewRow:
    union: OrgUnit
    appraisals: int
    closed: int
    subjects: int
    participation: rules.Participation


class _HeldCounts(TypedDict):
    """The counts ``overview`` annotates on each appraisal held."""

    n_subjects: int
    n_receipts: int


def overview(user: User, year: int) -> list[OverviewRow]:
    """For upper unions: per union in reach, how many appraisals were held in ``year`` and
    how many took part. No names, no grades. Three queries, whatever the number of unions."""
    unions = list(
        access.units_with(user, Perm.VIEW_STATS)
        .filter(kind__in=UNION_KINDS, archived_at__isnull=True)
        .order_by("path")
    )
    held: list[WithAnnotations[Appraisal, _HeldCounts]] = list(
        Appraisal.objects.filter(union__in=unions, year=year)
        .exclude(status=Appraisal.Status.DRAFT)
        .annotate(
            n_subjects=Count("subjects", distinct=True),
            n_receipts=Count("receipts", distinct=True),
        )
    )
    forms = dict(
        PaperBatch.objects.filter(appraisal__in=[a.pk for a in held])
        .values("appraisal_id")
        .annotate(n=Sum("forms_count"))
        .values_list("appraisal_id", "n")
    )
    by_union: dict[int, list[WithAnnotations[Appraisal, _HeldCounts]]] = {}
    for a in held:
        by_union.setdefault(a.union_id, []).append(a)
    rows = []
    for union in unions:
        mine = by_union.get(union.pk, [])
        took_part = sum(a.n_receipts + forms.get(a.pk, 0) for a in mine)
        eligible = sum(a.eligible_count or 0 for a in mine)
        rows.append(
            OverviewRow(
                union=union,
                appraisals=len(mine),
                closed=sum(a.status == Appraisal.Status.CLOSED for a in mine),
                subjects=sum(a.n_subjects for a in mine),
                participation=rules.participation_rate(took_part, eligible),
            )
        )
    return rows
