"""Running a congress session: opening and closing it, check-in, live attendance and quorum,
votes (open or secret), results with resolution numbers, and the minutes.

Every write is a service ``<entity>_<verb>(*, actor, ...)`` in one transaction with an
audit row; refusals are ``DomainError`` with a message for people. The reads the meeting
pages and the Word minutes share (attendance, tallies, who voted how in open votes) are at
the end of this module.

Secret votes: a ``VoteReceipt`` says that a delegate voted, a ``Ballot`` says how, and
nothing joins them (no delegate, no time, a random key on the ballot). The receipt's unique
constraint is what stops a second vote, also from two browsers at the same moment.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, TypedDict

from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django_stubs_ext import WithAnnotations

from gonghui.core.access import Perm
from gonghui.core.errors import DomainError
from gonghui.core.models import User
from gonghui.core.services import audit, require_permission, snapshot

from . import queries, rules
from .models import (
    AgendaDocument,
    AgendaItem,
    Ballot,
    CheckIn,
    Congress,
    CongressSession,
    CongressTerm,
    Delegate,
    SessionOfficer,
    VoteReceipt,
)

AUDIT_LABELS = {
    "congress.session_open": _lazy("Congress session opened"),
    "congress.session_close": _lazy("Congress session closed"),
    "congress.checkin_mark": _lazy("Delegate checked in by staff"),
    "congress.checkin_undo": _lazy("Delegate check-in undone"),
    "congress.checkin_code": _lazy("Delegate checked in with the session code"),
    "congress.vote_open": _lazy("Voting opened"),
    "congress.vote_cast": _lazy("Vote cast"),
    "congress.vote_close": _lazy("Voting closed and counted"),
    "congress.minutes_update": _lazy("Minutes edited"),
}

# Wrong check-in codes a user may type before being made to wait: a six-digit code would
# otherwise fall to a script in minutes.
CODE_ATTEMPTS = 5
CODE_WINDOW_SECONDS = 600

ITEM_FIELDS = [
    "status",
    "voting_opened_at",
    "voting_closed_at",
    "result",
    "delegates_total",
    "present_count",
    "yes_count",
    "no_count",
    "abstain_count",
    "resolution_no",
]
SESSION_FIELDS = ["status", "checkin_code", "opened_at", "closed_at"]


def _union(session: CongressSession) -> Any:
    return session.term.congress.union


def _lock_session(session: CongressSession) -> CongressSession:
    return (
        CongressSession.objects.select_for_update()
        .select_related("term__congress__union")
        .get(pk=session.pk)
    )


def _lock_item(item: AgendaItem) -> AgendaItem:
    return (
        AgendaItem.objects.select_for_update()
        .select_related("session__term__congress__union")
        .get(pk=item.pk)
    )


def _fraction_words(f: Fraction) -> str:
    """'三分之二' in Chinese, '2/3' otherwise: the words the regulations use."""
    digits = "零一二三四五六七八九十"
    lang = translation.get_language() or ""
    if lang.startswith("zh") and f.denominator <= 10 and f.numerator <= 10:
        return f"{digits[f.denominator]}分之{digits[f.numerator]}"
    return f"{f.numerator}/{f.denominator}"


# ---- the session ---------------------------------------------------------------------------


@transaction.atomic
def session_open(*, actor: User | None, session: CongressSession) -> CongressSession:
    """Declare the session open. A session without a check-in code gets a fresh one."""
    session = _lock_session(session)
    require_permission(actor, Perm.MANAGE_CONGRESS, _union(session))
    if session.status != CongressSession.Status.PLANNED:
        raise DomainError(
            "session.not_planned",
            _("Only a planned session can be opened; this one is %(status)s.")
            % {"status": session.get_status_display()},
        )
    before = snapshot(session, SESSION_FIELDS)
    if not session.checkin_code:
        session.checkin_code = f"{secrets.randbelow(1_000_000):06d}"
    session.status = CongressSession.Status.OPEN
    session.opened_at = timezone.now()
    session.save(update_fields=["status", "checkin_code", "opened_at"])
    audit(
        actor=actor,
        action="congress.session_open",
        obj=session,
        unit=_union(session),
        before=before,
        after=snapshot(session, SESSION_FIELDS),
    )
    return session


@transaction.atomic
def session_close(*, actor: User | None, session: CongressSession) -> CongressSession:
    """Close the session. Refused while any item is still being voted on: its ballots
    would never be counted."""
    session = _lock_session(session)
    require_permission(actor, Perm.MANAGE_CONGRESS, _union(session))
    if session.status != CongressSession.Status.OPEN:
        raise DomainError("session.not_open", _("The session is not in progress."))
    voting = list(
        session.items.filter(status=AgendaItem.Status.VOTING).values_list("title", flat=True)
    )
    if voting:
        raise DomainError(
            "session.voting",
            _("Close the vote on %(items)s before closing the session.")
            % {"items": "、".join(f"《{t}》" for t in voting)},
        )
    before = snapshot(session, SESSION_FIELDS)
    session.status = CongressSession.Status.CLOSED
    session.closed_at = timezone.now()
    session.save(update_fields=["status", "closed_at"])
    audit(
        actor=actor,
        action="congress.session_close",
        obj=session,
        unit=_union(session),
        before=before,
        after=snapshot(session, SESSION_FIELDS),
    )
    return session


@transaction.atomic
def minutes_update(*, actor: User | None, session: CongressSession, minutes: str) -> None:
    session = _lock_session(session)
    require_permission(actor, Perm.MANAGE_CONGRESS, _union(session))
    before = snapshot(session, ["minutes"])
    session.minutes = minutes.strip()
    session.save(update_fields=["minutes"])
    audit(
        actor=actor,
        action="congress.minutes_update",
        obj=session,
        unit=_union(session),
        before=before,
        after=snapshot(session, ["minutes"]),
    )


# ---- check-in ------------------------------------------------------------------------------


def _check_can_check_in(session: CongressSession, delegate: Delegate) -> None:
    # Delegates sign in before the chair declares the session open, so a planned session
    # takes check-ins too; a closed one does not.
    if session.status == CongressSession.Status.CLOSED:
        raise DomainError("checkin.closed", _("The session has closed."))
    if delegate.term_id != session.term_id or delegate.status != Delegate.Status.ACTIVE:
        raise DomainError(
            "checkin.not_delegate",
            _("%(name)s is not a serving delegate of this term.") % {"name": delegate.person},
            field="delegate",
        )


def _check_in(
    *, actor: User | None, session: CongressSession, delegate: Delegate, method: str, action: str
) -> CheckIn:
    existing = CheckIn.objects.filter(session=session, delegate=delegate).first()
    if existing is not None:
        return existing  # a second tap or a second cadre: already present is not an error
    try:
        with transaction.atomic():
            checkin = CheckIn.objects.create(
                session=session, delegate=delegate, method=method, by=actor
            )
    except IntegrityError:
        return CheckIn.objects.get(session=session, delegate=delegate)
    audit(
        actor=actor,
        action=action,
        obj=checkin,
        unit=_union(session),
        after=snapshot(checkin, ["session_id", "delegate_id", "method"]),
        note=str(delegate.person),
    )
    return checkin


@transaction.atomic
def checkin_mark(*, actor: User | None, session: CongressSession, delegate: Delegate) -> CheckIn:
    """A cadre at the desk marks a delegate present."""
    session = CongressSession.objects.select_related("term__congress__union").get(pk=session.pk)
    require_permission(actor, Perm.MANAGE_CONGRESS, _union(session))
    delegate = Delegate.objects.select_related("person").get(pk=delegate.pk)
    _check_can_check_in(session, delegate)
    return _check_in(
        actor=actor,
        session=session,
        delegate=delegate,
        method=CheckIn.Method.CADRE,
        action="congress.checkin_mark",
    )


@transaction.atomic
def checkin_undo(*, actor: User | None, session: CongressSession, delegate: Delegate) -> None:
    """Take back a check-in marked by mistake. The row goes (the audit keeps it) so the
    delegate can check in again. Refused while the delegate's vote on an open item stands:
    it would leave more votes than delegates present."""
    session = CongressSession.objects.select_related("term__congress__union").get(pk=session.pk)
    require_permission(actor, Perm.MANAGE_CONGRESS, _union(session))
    if session.status == CongressSession.Status.CLOSED:
        raise DomainError("checkin.closed", _("The session has closed."))
    checkin = (
        CheckIn.objects.select_for_update()
        .select_related("delegate__person")
        .filter(session=session, delegate=delegate)
        .first()
    )
    if checkin is None:
        raise DomainError("checkin.none", _("This delegate has not checked in."))
    if VoteReceipt.objects.filter(
        delegate=delegate, item__session=session, item__status=AgendaItem.Status.VOTING
    ).exists():
        raise DomainError(
            "checkin.has_voted",
            _("%(name)s has voted on an item that is still open; close that vote first.")
            % {"name": checkin.delegate.person},
        )
    before = snapshot(checkin, ["session_id", "delegate_id", "method"])
    audit(
        actor=actor,
        action="congress.checkin_undo",
        obj=checkin,
        unit=_union(session),
        before=before,
        note=str(checkin.delegate.person),
    )
    checkin.delete()


def _attempts_key(user: User) -> str:
    return f"congress:checkin-code-fail:{user.pk}"


@transaction.atomic
def checkin_with_code(*, user: User, session: CongressSession, code: str) -> CheckIn:
    """A delegate checks in on their own phone with the code shown in the hall."""
    session = CongressSession.objects.select_related("term__congress__union").get(pk=session.pk)
    delegate = queries.delegate_for(user, session.term)
    if delegate is None:
        raise DomainError("checkin.not_delegate", _("You are not a delegate of this session."))
    delegate = Delegate.objects.select_related("person").get(pk=delegate.pk)
    _check_can_check_in(session, delegate)
    key = _attempts_key(user)
    if (cache.get(key) or 0) >= CODE_ATTEMPTS:
        raise DomainError(
            "checkin.throttled",
            _("Too many wrong codes. Wait ten minutes or ask the registration desk."),
            field="code",
        )
    given = (code or "").strip()
    if not session.checkin_code or not secrets.compare_digest(given, session.checkin_code):
        cache.add(key, 0, CODE_WINDOW_SECONDS)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, CODE_WINDOW_SECONDS)
        raise DomainError(
            "checkin.wrong_code",
            _("The check-in code is wrong. Check the code shown in the hall and try again."),
            field="code",
        )
    cache.delete(key)
    return _check_in(
        actor=user,
        session=session,
        delegate=delegate,
        method=CheckIn.Method.CODE,
        action="congress.checkin_code",
    )


# ---- attendance ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Attendance:
    present: int
    total: int  # serving delegates of the term (应到)
    needed: int  # least present that meets the quorum
    met: bool
    quorum: Fraction

    @property
    def absent(self) -> int:
        return self.total - self.present

    @property
    def quorum_words(self) -> str:
        return _fraction_words(self.quorum)


def _present_qs(session: CongressSession) -> QuerySet[CheckIn]:
    # Only serving delegates count: a seat ended mid-session leaves its check-in behind.
    return CheckIn.objects.filter(session=session, delegate__status=Delegate.Status.ACTIVE)


def attendance(session: CongressSession) -> Attendance:
    """应到 / 实到 and whether the quorum (by default two thirds of ALL delegates) is met,
    with the union's own rule set."""
    rule_set = queries.rules_for(_union(session))
    total = queries.active_delegates(session.term).count()
    present = _present_qs(session).count()
    q = rules.quorum_met(present, total, rule_set.quorum)
    return Attendance(
        present=q.present, total=q.total, needed=q.needed, met=q.met, quorum=rule_set.quorum
    )


# ---- votes ---------------------------------------------------------------------------------


@transaction.atomic
def vote_open(*, actor: User | None, item: AgendaItem) -> AgendaItem:
    item = _lock_item(item)
    session = item.session
    require_permission(actor, Perm.MANAGE_CONGRESS, _union(session))
    if session.status != CongressSession.Status.OPEN:
        raise DomainError("vote.session_not_open", _("Votes are taken only while in session."))
    if item.vote_mode == AgendaItem.VoteMode.NONE:
        raise DomainError("vote.no_vote", _("This agenda item is not voted on."))
    if item.status != AgendaItem.Status.PENDING:
        raise DomainError(
            "vote.not_pending",
            _("The vote on this item has already been opened."),
        )
    att = attendance(session)
    if not att.met:
        raise DomainError(
            "vote.no_quorum",
            _(
                "Fewer than %(quorum)s of all delegates are present (expected %(total)s,"
                " present %(present)s, at least %(needed)s needed): the item cannot be voted on."
            )
            % {
                "quorum": att.quorum_words,
                "total": att.total,
                "present": att.present,
                "needed": att.needed,
            },
        )
    before = snapshot(item, ITEM_FIELDS)
    item.status = AgendaItem.Status.VOTING
    item.voting_opened_at = timezone.now()
    item.save(update_fields=["status", "voting_opened_at"])
    audit(
        actor=actor,
        action="congress.vote_open",
        obj=item,
        unit=_union(session),
        before=before,
        after=snapshot(item, ITEM_FIELDS),
        note=f"{att.present}/{att.total}",
    )
    return item


def _item_state_shared(item: AgendaItem) -> tuple[str, str]:
    """The item's status and vote mode, read under a lock that lets other voters through
    but makes ``vote_close`` (which takes FOR UPDATE) wait for this vote to commit, and this
    vote wait for a close in progress. SQLite takes the database write lock at BEGIN, so
    every writer is already serial there. The vote mode is read here, fresh, because it
    decides whether the ballot names the voter."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(
                "SELECT status, vote_mode FROM congress_agendaitem WHERE id = %s FOR SHARE",
                [item.pk],
            )
            row = cur.fetchone()
    else:
        row = AgendaItem.objects.filter(pk=item.pk).values_list("status", "vote_mode").first()
    return (row[0], row[1]) if row else ("", "")


def _loaded_session(item: AgendaItem) -> CongressSession:
    """The item's session with its term, congress and union: as the caller loaded them
    (the phone view selects them with the item), else read once."""
    session = item.session if AgendaItem.session.is_cached(item) else None
    term = session.term if session and CongressSession.term.is_cached(session) else None
    congress = term.congress if term and CongressTerm.congress.is_cached(term) else None
    if session is not None and congress is not None and Congress.union.is_cached(congress):
        return session
    return (
        CongressSession.objects.select_related("term__congress__union")
        .filter(pk=item.session_id)
        .get()
    )


def _is_seat_of(delegate: Delegate, user: User, session: CongressSession) -> bool:
    """Whether ``delegate`` (already loaded by the caller) is the user's serving seat in the
    session's term: the same checks ``queries.delegate_for`` makes in its query."""
    person_id = getattr(user, "person_id", None)
    return (
        user.is_authenticated
        and person_id is not None
        and delegate.pk is not None
        and delegate.person_id == person_id
        and delegate.term_id == session.term_id
        and delegate.status == Delegate.Status.ACTIVE
    )


@transaction.atomic
def vote_cast(
    *, user: User, item: AgendaItem, choice: str, delegate: Delegate | None = None
) -> VoteReceipt:
    """One vote of a serving, checked-in delegate on an item being voted on. The receipt and
    the ballot are written together; a secret ballot names no one.

    ``delegate``: the user's seat when the caller has just looked it up (the phone view
    does, to answer 403 to others); it is checked against the user and the item's term
    here, so a seat that is not theirs is refused as if none were given. Without it the
    seat is looked up."""
    if choice not in Ballot.Choice.values:
        raise DomainError("vote.choice", _("Choose for, against or abstain."), field="choice")
    session = _loaded_session(item)
    if delegate is None:
        delegate = queries.delegate_for(user, session.term)
    elif not _is_seat_of(delegate, user, session):
        delegate = None
    if delegate is None:
        raise DomainError("vote.not_delegate", _("You are not a delegate of this session."))
    # Locks this delegate's check-in row: an undo at the desk waits for the vote, and two
    # votes from the same delegate run one after the other.
    present = (
        CheckIn.objects.select_for_update().filter(session=session, delegate=delegate).exists()
    )
    if not present:
        raise DomainError(
            "vote.not_checked_in", _("Check in first: only delegates present may vote.")
        )
    status, vote_mode = _item_state_shared(item)
    if status != AgendaItem.Status.VOTING:
        raise DomainError("vote.closed", _("This item is not open for voting."))
    is_open = vote_mode == AgendaItem.VoteMode.OPEN
    try:
        with transaction.atomic():
            receipt = VoteReceipt.objects.create(item_id=item.pk, delegate=delegate)
            Ballot.objects.create(
                item_id=item.pk, choice=choice, delegate=delegate if is_open else None
            )
    except IntegrityError as e:
        raise DomainError("already_voted", _("You have already voted on this item.")) from e
    audit(
        actor=user,
        action="congress.vote_cast",
        obj=receipt,
        unit=_union(session),
        # How a secret vote went is never written next to the voter, here or anywhere.
        after={"item_id": item.pk, "delegate_id": delegate.pk},
        note=choice if is_open else "",
    )
    return receipt


def resolution_number(session: CongressSession, n: int) -> str:
    return f"第{session.term.number}届第{session.number}次会议决议第{n}号"


@transaction.atomic
def vote_close(*, actor: User | None, item: AgendaItem) -> AgendaItem:
    """Count the ballots and decide: by default a resolution needs yes votes from more than
    half of ALL delegates (not of those present). A passed item gets the next resolution
    number of the session."""
    item = _lock_item(item)
    session = item.session
    require_permission(actor, Perm.MANAGE_CONGRESS, _union(session))
    if item.status != AgendaItem.Status.VOTING:
        raise DomainError("vote.not_voting", _("This item is not being voted on."))
    counts = dict(
        Ballot.objects.filter(item=item)
        .values("choice")
        .annotate(n=Count("pk"))
        .values_list("choice", "n")
    )
    yes, no, abstain = (counts.get(c, 0) for c in Ballot.Choice.values)
    att = attendance(session)
    # A delegate whose seat ended during the vote keeps their ballot; the counts the
    # resolution states must still add up.
    present = max(att.present, yes + no + abstain)
    total = max(att.total, present)
    result = rules.vote_passes(
        yes=yes,
        no=no,
        abstain=abstain,
        total=total,
        present=present,
        rules=queries.rules_for(_union(session)),
    )
    before = snapshot(item, ITEM_FIELDS)
    item.status = AgendaItem.Status.DECIDED
    item.voting_closed_at = timezone.now()
    item.delegates_total, item.present_count = total, present
    item.yes_count, item.no_count, item.abstain_count = yes, no, abstain
    item.result = AgendaItem.Result.PASSED if result.passed else AgendaItem.Result.FAILED
    if result.passed:
        passed_before = session.items.filter(result=AgendaItem.Result.PASSED).count()
        item.resolution_no = resolution_number(session, passed_before + 1)
    item.save(update_fields=ITEM_FIELDS)
    audit(
        actor=actor,
        action="congress.vote_close",
        obj=item,
        unit=_union(session),
        before=before,
        after=snapshot(item, ITEM_FIELDS),
        note=f"base {result.base}, needed {result.needed}",
    )
    if result.passed and item.kind == AgendaItem.Kind.ADOPT:
        _adopt_documents(actor=actor, item=item)
    return item


def _adopt_documents(*, actor: User | None, item: AgendaItem) -> None:
    """Freeze the latest draft of each document of an adopted item, through the setup
    services when they offer it (they own documents and their versions)."""
    try:
        from . import services as setup_services
    except ImportError:  # the setup services are built alongside; until then, nothing to do
        return
    adopt = getattr(setup_services, "document_adopt", None)
    if adopt is None:
        return
    for document in item.documents.filter(adopted_version__isnull=True):
        version = document.versions.order_by("-number").first()
        if version is not None:
            adopt(actor=actor, document=document, version=version)


# ---- reads for the pages and the minutes -----------------------------------------------------


@dataclass(frozen=True)
class DelegateRow:
    delegate: Delegate
    checked_in: bool
    method: str


def checkin_rows(session: CongressSession, q: str = "") -> list[DelegateRow]:
    """The serving delegates by delegation, each with whether they are present."""
    qs = queries.active_delegates(session.term).order_by("delegation__sort_order", "person__name")
    if q:
        qs = qs.filter(person__name__contains=q.strip())
    methods = dict(
        _present_qs(session)
        .filter(delegate__in=qs.values("pk"))
        .values_list("delegate_id", "method")
    )
    return [DelegateRow(d, d.pk in methods, methods.get(d.pk, "")) for d in qs]


def absent_delegates(session: CongressSession) -> list[Delegate]:
    present = _present_qs(session).values("delegate_id")
    return list(
        queries.active_delegates(session.term)
        .exclude(pk__in=present)
        .order_by("delegation__sort_order", "person__name")
    )


class VotesCast(TypedDict):
    cast: int  # receipts so far: who voted, never how


def _with_votes_cast(
    items: QuerySet[AgendaItem],
) -> QuerySet[WithAnnotations[AgendaItem, VotesCast]]:
    """The items, each with how many delegates have voted on it so far."""
    return items.annotate(cast=Count("receipts"))


def agenda(session: CongressSession) -> list[AgendaItem]:
    return list(session.items.order_by("order", "id"))


def agenda_with_votes_cast(
    session: CongressSession,
) -> list[WithAnnotations[AgendaItem, VotesCast]]:
    return list(_with_votes_cast(session.items.order_by("order", "id")))


def voting_items(session: CongressSession) -> list[WithAnnotations[AgendaItem, VotesCast]]:
    """The items open for voting, in agenda order, each with its votes cast so far."""
    voting = session.items.filter(status=AgendaItem.Status.VOTING)
    return list(_with_votes_cast(voting).order_by("order", "id"))


def decided_items(session: CongressSession) -> list[AgendaItem]:
    return list(
        session.items.filter(status=AgendaItem.Status.DECIDED).order_by("-voting_closed_at", "-id")
    )


def voted_item_ids(session: CongressSession, delegate: Delegate | None) -> set[int]:
    if delegate is None:
        return set()
    return set(
        VoteReceipt.objects.filter(item__session=session, delegate=delegate).values_list(
            "item_id", flat=True
        )
    )


def is_checked_in(session: CongressSession, delegate: Delegate | None) -> bool:
    return delegate is not None and _present_qs(session).filter(delegate=delegate).exists()


def open_vote_names(item: AgendaItem) -> dict[str, list[str]]:
    """Who voted how, for OPEN votes only; a secret item answers with nothing."""
    if item.vote_mode != AgendaItem.VoteMode.OPEN:
        return {}
    out: dict[str, list[str]] = {c: [] for c in Ballot.Choice.values}
    rows = (
        Ballot.objects.filter(item=item, delegate__isnull=False)
        .order_by("delegate__person__name")
        .values_list("choice", "delegate__person__name")
    )
    for choice, name in rows:
        out[choice].append(name)
    return out


def presidium(session: CongressSession) -> list[SessionOfficer]:
    kinds = [SessionOfficer.Kind.PRESIDIUM_CHAIR, SessionOfficer.Kind.PRESIDIUM]
    return list(
        session.officers.filter(kind__in=kinds).select_related("person").order_by("kind", "id")
    )


def adopted_documents(session: CongressSession) -> list[AgendaDocument]:
    """Documents adopted at the session: frozen by the setup services, or laid under an
    item the congress passed."""
    return list(
        AgendaDocument.objects.filter(item__session=session)
        .filter(item__result=AgendaItem.Result.PASSED, item__kind=AgendaItem.Kind.ADOPT)
        .select_related("item", "adopted_version")
        .order_by("item__order", "id")
    )
