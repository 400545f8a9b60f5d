"""Every write of the congress set-up: congresses, terms, the rule set, sessions, officers,
agenda items, documents and their versions, delegations and delegates.

Each service is ``<entity>_<verb>(*, actor, ...)``, runs in one transaction, checks the
actor's right on the congress's union (``actor=None`` is the system's own work: demo data,
a vote that adopts a document), refuses with a ``DomainError`` naming the field, and writes
an audit row. The meeting (check-in, votes, minutes) and proposals have their own modules
and call into these where they touch the same records (``document_adopt``).
"""

from __future__ import annotations

import difflib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from gonghui.core import rules as core_rules
from gonghui.core import uploads
from gonghui.core.access import Perm
from gonghui.core.errors import DomainError
from gonghui.core.models import OrgUnit, Person, UnitKind, User
from gonghui.core.services import audit, require_permission, snapshot
from gonghui.members.models import Member, MemberStatus

from . import queries, rules
from .models import (
    AgendaDocument,
    AgendaItem,
    Congress,
    CongressKind,
    CongressRuleSet,
    CongressSession,
    CongressTerm,
    Delegate,
    Delegation,
    DocumentVersion,
    SessionOfficer,
)

AUDIT_LABELS = {
    "congress.create": _lazy("Congress created"),
    "congress.ruleset_update": _lazy("Congress rules changed"),
    "congress.term_start": _lazy("Congress term started"),
    "congress.term_end": _lazy("Congress term ended"),
    "congress.session_create": _lazy("Congress session created"),
    "congress.session_update": _lazy("Congress session changed"),
    "congress.officer_add": _lazy("Session officer added"),
    "congress.officer_remove": _lazy("Session officer removed"),
    "congress.agenda_item_add": _lazy("Agenda item added"),
    "congress.agenda_item_update": _lazy("Agenda item changed"),
    "congress.agenda_reorder": _lazy("Agenda reordered"),
    "congress.document_add": _lazy("Congress document added"),
    "congress.document_version_add": _lazy("Document draft added"),
    "congress.document_adopt": _lazy("Document version adopted"),
    "congress.delegation_create": _lazy("Delegation created"),
    "congress.delegation_update": _lazy("Delegation changed"),
    "congress.delegate_elect": _lazy("Delegate elected"),
    "congress.delegate_by_elect": _lazy("Delegate by-elected"),
    "congress.delegate_replace": _lazy("Delegate replaced"),
    "congress.delegate_end": _lazy("Delegate left"),
    "congress.roster_confirm": _lazy("Delegate roster confirmed"),
}

# The name a congress gets when none is given: a stored record, so in Chinese whatever the
# language of the page that created it.
DEFAULT_NAMES = {
    CongressKind.TEACHERS: "教职工代表大会",
    CongressKind.STAFF: "职工代表大会",
    CongressKind.MEMBERS: "会员代表大会",
    CongressKind.ALL_STAFF: "教职工大会",
}
MIN_TERM_YEARS, MAX_TERM_YEARS = 3, 5
DOCUMENT_KINDS = {"docx", "pdf"}
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
# Vote modes an item gets unless the secretariat chooses otherwise: documents are adopted
# by open vote, elections are always secret (union election regulations).
# Keyed by str: an item's ``kind`` comes from forms and the database as a plain string.
DEFAULT_VOTE_MODE: dict[str, str] = {
    AgendaItem.Kind.ADOPT: AgendaItem.VoteMode.OPEN,
    AgendaItem.Kind.ELECTION: AgendaItem.VoteMode.SECRET,
}


# ---- small helpers --------------------------------------------------------------------------


def _union_of(obj: Congress | CongressTerm | CongressSession | AgendaItem | Delegation) -> OrgUnit:
    if isinstance(obj, Congress):
        return obj.union
    if isinstance(obj, CongressTerm):
        return obj.congress.union
    if isinstance(obj, CongressSession):
        return obj.term.congress.union
    if isinstance(obj, AgendaItem):
        return obj.session.term.congress.union
    return obj.term.congress.union


def _require_manage(actor: User | None, union: OrgUnit) -> None:
    require_permission(actor, Perm.MANAGE_CONGRESS, union)


def add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def _open_term(term: CongressTerm) -> None:
    if term.ended_on is not None:
        raise DomainError("congress.term_ended", _("This term has ended."))


def _not_closed(session: CongressSession) -> None:
    if session.status == CongressSession.Status.CLOSED:
        raise DomainError("congress.session_closed", _("This session is closed."))


def _active_member(union: OrgUnit, person: Person, field: str = "person") -> Member:
    member = Member.objects.filter(person=person, union=union, status=MemberStatus.ACTIVE).first()
    if member is None:
        raise DomainError(
            "congress.not_member",
            _("%(name)s is not an active member of %(union)s.")
            % {"name": person.name, "union": union.name},
            field=field,
        )
    return member


# ---- congress, rule set, terms --------------------------------------------------------------


def all_staff_meeting_advised(union: OrgUnit, kind: str) -> bool:
    """A teachers' or staff congress in a unit under 80 staff: an all-staff meeting applies
    (school staff congress rules). Unknown staff counts give no advice."""
    if kind == CongressKind.ALL_STAFF or union.staff_count is None:
        return False
    return rules.should_use_all_staff_meeting(union.staff_count)


@transaction.atomic
def congress_create(*, actor: User | None, union: OrgUnit, kind: str, name: str = "") -> Congress:
    _require_manage(actor, union)
    if union.kind not in (UnitKind.GRASSROOTS_UNION, UnitKind.JOINT_UNION):
        raise DomainError(
            "congress.not_union", _("Only a grassroots union holds a congress."), field="union"
        )
    if kind not in CongressKind.values:
        raise DomainError("congress.kind", _("Choose the kind of congress."), field="kind")
    if queries.congresses_of(union).filter(kind=kind).exists():
        raise DomainError(
            "congress.exists",
            _("%(union)s already has a %(kind)s.")
            % {"union": union.name, "kind": CongressKind(kind).label},
            field="kind",
        )
    congress = Congress.objects.create(
        union=union,
        kind=kind,
        name=name.strip() or f"{union.name}{DEFAULT_NAMES[CongressKind(kind)]}",
    )
    audit(actor=actor, action="congress.create", obj=congress, unit=union, after=snapshot(congress))
    return congress


RULESET_FIELDS = (
    "quorum_numerator",
    "quorum_denominator",
    "pass_base",
    "teacher_min_percent",
    "leader_max_percent",
    "cosigners_min",
    "proposal_close_days",
    "source_note",
)


@transaction.atomic
def ruleset_update(*, actor: User | None, union: OrgUnit, **values: Any) -> CongressRuleSet:
    """Set the union's own congress rules (all at once, replacing the national defaults)."""
    _require_manage(actor, union)
    unknown = set(values) - set(RULESET_FIELDS)
    if unknown:
        raise DomainError("congress.ruleset_field", f"unknown fields {sorted(unknown)}")
    row = CongressRuleSet.objects.select_for_update().filter(union=union).first()
    before = snapshot(row, list(RULESET_FIELDS)) if row else None
    if row is None:
        row = _ruleset_from_defaults(union)
    for k, v in values.items():
        setattr(row, k, v)
    num, den = row.quorum_numerator, row.quorum_denominator
    if not den or not (0 < num <= den):
        raise DomainError(
            "congress.quorum",
            _("The quorum must be a fraction between 0 and 1, such as 2/3."),
            field="quorum_numerator",
        )
    if Fraction(num, den) < Fraction(1, 2):
        raise DomainError(
            "congress.quorum_low",
            _("A quorum below half of all delegates is not allowed."),
            field="quorum_numerator",
        )
    if row.pass_base not in CongressRuleSet.PassBase.values:
        raise DomainError("congress.pass_base", _("Choose the majority base."), field="pass_base")
    for f in ("teacher_min_percent", "leader_max_percent"):
        if not 0 <= getattr(row, f) <= 100:
            raise DomainError("congress.percent", _("A share lies between 0 and 100%."), field=f)
    if row.proposal_close_days > 90:
        raise DomainError(
            "congress.close_days",
            _("Proposals cannot close more than 90 days before the session."),
            field="proposal_close_days",
        )
    if not row.source_note.strip():
        raise DomainError(
            "congress.source_required",
            _("Name the source of these rules (the local regulation or the congress decision)."),
            field="source_note",
        )
    row.updated_at = timezone.now()
    row.save()
    audit(
        actor=actor,
        action="congress.ruleset_update",
        obj=row,
        unit=union,
        before=before,
        after=snapshot(row, list(RULESET_FIELDS)),
    )
    return row


def _ruleset_from_defaults(union: OrgUnit) -> CongressRuleSet:
    d = rules.NATIONAL_DEFAULTS
    return CongressRuleSet(
        union=union,
        quorum_numerator=d.quorum.numerator,
        quorum_denominator=d.quorum.denominator,
        pass_base=str(d.pass_base),
        teacher_min_percent=int(d.frontline_min * 100),
        leader_max_percent=int(d.leader_max * 100),
        cosigners_min=d.cosigners_min,
        proposal_close_days=d.proposal_close_days,
        source_note="",
    )


def ruleset_initial(union: OrgUnit) -> dict[str, Any]:
    """The values the rule-set form starts from: the union's row, else the defaults."""
    row = CongressRuleSet.objects.filter(union=union).first() or _ruleset_from_defaults(union)
    return {f: getattr(row, f) for f in RULESET_FIELDS}


@transaction.atomic
def term_start(
    *,
    actor: User | None,
    congress: Congress,
    number: int,
    starts_on: date,
    planned_end_on: date,
) -> CongressTerm:
    """Open a term (届) of 3 to 5 years. Only one term is open at a time: the running one
    is ended first (``term_end``), so a roster never spans two terms."""
    union = congress.union
    _require_manage(actor, union)
    Congress.objects.select_for_update().get(pk=congress.pk)
    if congress.terms.filter(ended_on__isnull=True).exists():
        raise DomainError(
            "congress.term_open",
            _("The current term is still open. End it before starting a new one."),
        )
    if number < 1:
        raise DomainError("congress.term_number", _("The term number starts at 1."), field="number")
    latest = congress.terms.aggregate(m=Max("number"))["m"]
    if latest is not None and number <= latest:
        raise DomainError(
            "congress.term_number",
            _("Term %(n)s or a later one already exists.") % {"n": number},
            field="number",
        )
    shortest = add_years(starts_on, MIN_TERM_YEARS) - timedelta(days=1)
    if not shortest <= planned_end_on <= add_years(starts_on, MAX_TERM_YEARS):
        raise DomainError(
            "congress.term_length",
            _("A term lasts 3 to 5 years: the planned end must lie between %(a)s and %(b)s.")
            % {"a": shortest, "b": add_years(starts_on, MAX_TERM_YEARS)},
            field="planned_end_on",
        )
    last = congress.terms.order_by("-number").first()
    if last is not None and last.ended_on and starts_on < last.ended_on:
        raise DomainError(
            "congress.term_overlap",
            _("The new term cannot start before the previous one ended (%(d)s).")
            % {"d": last.ended_on},
            field="starts_on",
        )
    term = CongressTerm.objects.create(
        congress=congress, number=number, starts_on=starts_on, planned_end_on=planned_end_on
    )
    audit(actor=actor, action="congress.term_start", obj=term, unit=union, after=snapshot(term))
    return term


@transaction.atomic
def term_end(*, actor: User | None, term: CongressTerm, on: date) -> CongressTerm:
    """Close a term (届满 or early re-election). Delegates' rows stay as the term's record."""
    union = _union_of(term)
    _require_manage(actor, union)
    term = CongressTerm.objects.select_for_update().get(pk=term.pk)
    _open_term(term)
    if on < term.starts_on:
        raise DomainError(
            "congress.term_end_date", _("The term cannot end before it started."), field="on"
        )
    if term.sessions.filter(status=CongressSession.Status.OPEN).exists():
        raise DomainError(
            "congress.session_running", _("A session of this term is in progress; close it first.")
        )
    before = snapshot(term, ["ended_on"])
    term.ended_on = on
    term.save(update_fields=["ended_on"])
    audit(
        actor=actor,
        action="congress.term_end",
        obj=term,
        unit=union,
        before=before,
        after=snapshot(term, ["ended_on"]),
    )
    return term


# ---- sessions and officers ------------------------------------------------------------------


def next_session_number(term: CongressTerm) -> int:
    return (term.sessions.aggregate(m=Max("number"))["m"] or 0) + 1


def new_checkin_code() -> str:
    """Six random digits from the OS generator: delegates type it on their phone."""
    return f"{secrets.randbelow(10**6):06d}"


SESSION_FIELDS = [
    "number",
    "title",
    "held_on",
    "venue",
    "proposals_open_on",
    "proposals_close_on",
]


def _check_session_dates(session: CongressSession) -> None:
    term = session.term
    if session.held_on < term.starts_on:
        raise DomainError(
            "congress.session_date",
            _("The session cannot be held before its term starts (%(d)s).") % {"d": term.starts_on},
            field="held_on",
        )
    close, open_ = session.proposals_close_on, session.proposals_open_on
    if close is not None and close > session.held_on:
        raise DomainError(
            "congress.proposals_close",
            _("Proposals must close on or before the session day."),
            field="proposals_close_on",
        )
    if open_ is not None and close is not None and open_ > close:
        raise DomainError(
            "congress.proposals_open",
            _("Proposals cannot open after they close."),
            field="proposals_open_on",
        )


def _check_session_number(session: CongressSession) -> None:
    if session.number < 1:
        raise DomainError(
            "congress.session_number", _("Sessions are numbered from 1."), field="number"
        )
    taken = session.term.sessions.filter(number=session.number).exclude(pk=session.pk)
    if taken.exists():
        raise DomainError(
            "congress.session_number",
            _("Session %(n)s of this term already exists.") % {"n": session.number},
            field="number",
        )


@transaction.atomic
def session_create(
    *,
    actor: User | None,
    term: CongressTerm,
    held_on: date,
    number: int | None = None,
    title: str = "",
    venue: str = "",
    proposals_open_on: date | None = None,
    proposals_close_on: date | None = None,
) -> CongressSession:
    """第X届第Y次会议. The number defaults to the next one; the proposal window closes by
    default ``proposal_close_days`` before the session (the union's rule set)."""
    union = _union_of(term)
    _require_manage(actor, union)
    term = CongressTerm.objects.select_for_update().select_related("congress").get(pk=term.pk)
    _open_term(term)
    if proposals_close_on is None:
        proposals_close_on = rules.proposals_close_on(held_on, queries.rules_for(union))
    session = CongressSession(
        term=term,
        number=number or next_session_number(term),
        title=title.strip(),
        held_on=held_on,
        venue=venue.strip(),
        proposals_open_on=proposals_open_on,
        proposals_close_on=proposals_close_on,
        checkin_code=new_checkin_code(),
    )
    if not session.title:
        session.title = f"{term.congress.name}第{term.number}届第{session.number}次会议"
    _check_session_number(session)
    _check_session_dates(session)
    session.save()
    audit(
        actor=actor,
        action="congress.session_create",
        obj=session,
        unit=union,
        after=snapshot(session, SESSION_FIELDS),
    )
    return session


@transaction.atomic
def session_update(
    *, actor: User | None, session: CongressSession, **changes: Any
) -> CongressSession:
    union = _union_of(session)
    _require_manage(actor, union)
    unknown = set(changes) - set(SESSION_FIELDS)
    if unknown:
        raise DomainError("congress.session_field", f"cannot change {sorted(unknown)}")
    session = CongressSession.objects.select_for_update().select_related("term").get(pk=session.pk)
    _not_closed(session)
    if session.status != CongressSession.Status.PLANNED and ({"number", "held_on"} & set(changes)):
        raise DomainError(
            "congress.session_started",
            _("The number and date cannot change once the session has opened."),
            field="held_on",
        )
    before = snapshot(session, SESSION_FIELDS)
    for k, v in changes.items():
        setattr(session, k, v.strip() if isinstance(v, str) else v)
    _check_session_number(session)
    _check_session_dates(session)
    session.save()
    audit(
        actor=actor,
        action="congress.session_update",
        obj=session,
        unit=union,
        before=before,
        after=snapshot(session, SESSION_FIELDS),
    )
    return session


@transaction.atomic
def officer_add(
    *, actor: User | None, session: CongressSession, person: Person, kind: str
) -> SessionOfficer:
    """Presidium, secretariat, scrutineers, counters: members of the union."""
    union = _union_of(session)
    _require_manage(actor, union)
    _not_closed(session)
    if kind not in SessionOfficer.Kind.values:
        raise DomainError("congress.officer_kind", _("Choose the role."), field="kind")
    _active_member(union, person)
    if session.officers.filter(person=person, kind=kind).exists():
        raise DomainError(
            "congress.officer_exists",
            _("%(name)s already holds this role.") % {"name": person.name},
            field="person",
        )
    officer = SessionOfficer.objects.create(session=session, person=person, kind=kind)
    audit(
        actor=actor,
        action="congress.officer_add",
        obj=officer,
        unit=union,
        after=snapshot(officer),
        note=f"{person.name} · {SessionOfficer.Kind(kind).label}",
    )
    return officer


@transaction.atomic
def officer_remove(*, actor: User | None, officer: SessionOfficer) -> None:
    """Officers are the session's list, not a history: a wrong or withdrawn name is
    removed, until the session closes. The audit row keeps who it was."""
    session = CongressSession.objects.select_for_update().get(pk=officer.session_id)
    union = _union_of(session)
    _require_manage(actor, union)
    _not_closed(session)
    officer = SessionOfficer.objects.select_related("person").get(pk=officer.pk, session=session)
    audit(
        actor=actor,
        action="congress.officer_remove",
        obj=officer,
        unit=union,
        before=snapshot(officer),
        note=f"{officer.person.name} · {SessionOfficer.Kind(officer.kind).label}",
    )
    officer.delete()


# ---- agenda ---------------------------------------------------------------------------------

ITEM_FIELDS = ["kind", "title", "presenter", "vote_mode", "order"]


def _check_item(item: AgendaItem) -> None:
    if item.kind not in AgendaItem.Kind.values:
        raise DomainError("congress.item_kind", _("Choose the kind of item."), field="kind")
    if item.vote_mode not in AgendaItem.VoteMode.values:
        raise DomainError("congress.vote_mode", _("Choose how it is voted."), field="vote_mode")
    if not item.title.strip():
        raise DomainError("congress.item_title", _("Give the item a title."), field="title")
    if item.kind == AgendaItem.Kind.ELECTION and item.vote_mode != AgendaItem.VoteMode.SECRET:
        raise DomainError(
            "congress.election_secret",
            _("Elections are held by secret ballot."),
            field="vote_mode",
        )


@transaction.atomic
def agenda_item_add(
    *,
    actor: User | None,
    session: CongressSession,
    kind: str,
    title: str,
    presenter: str = "",
    vote_mode: str | None = None,
) -> AgendaItem:
    union = _union_of(session)
    _require_manage(actor, union)
    session = CongressSession.objects.select_for_update().get(pk=session.pk)
    _not_closed(session)
    order = (session.items.aggregate(m=Max("order"))["m"] or 0) + 1
    item = AgendaItem(
        session=session,
        order=order,
        kind=kind,
        title=title.strip(),
        presenter=presenter.strip(),
        vote_mode=vote_mode or DEFAULT_VOTE_MODE.get(kind, AgendaItem.VoteMode.NONE),
    )
    _check_item(item)
    item.save()
    audit(
        actor=actor,
        action="congress.agenda_item_add",
        obj=item,
        unit=union,
        after=snapshot(item, ITEM_FIELDS),
    )
    return item


@transaction.atomic
def agenda_item_update(*, actor: User | None, item: AgendaItem, **changes: Any) -> AgendaItem:
    union = _union_of(item)
    _require_manage(actor, union)
    unknown = set(changes) - {"kind", "title", "presenter", "vote_mode"}
    if unknown:
        raise DomainError("congress.item_field", f"cannot change {sorted(unknown)}")
    item = AgendaItem.objects.select_for_update().select_related("session").get(pk=item.pk)
    _not_closed(item.session)
    if item.status != AgendaItem.Status.PENDING:
        raise DomainError(
            "congress.item_voted", _("An item cannot change once voting on it has started.")
        )
    before = snapshot(item, ITEM_FIELDS)
    for k, v in changes.items():
        setattr(item, k, v.strip() if isinstance(v, str) else v)
    _check_item(item)
    item.save()
    audit(
        actor=actor,
        action="congress.agenda_item_update",
        obj=item,
        unit=union,
        before=before,
        after=snapshot(item, ITEM_FIELDS),
    )
    return item


@transaction.atomic
def agenda_reorder(
    *, actor: User | None, session: CongressSession, item_ids: list[int]
) -> list[AgendaItem]:
    """Put the session's items in the given order (every item named exactly once)."""
    union = _union_of(session)
    _require_manage(actor, union)
    session = CongressSession.objects.select_for_update().get(pk=session.pk)
    _not_closed(session)
    items = {i.pk: i for i in session.items.select_for_update()}
    if sorted(item_ids) != sorted(items):
        raise DomainError(
            "congress.reorder", _("The new order must list every item of the session once.")
        )
    before = {"order": [i.pk for i in sorted(items.values(), key=lambda i: (i.order, i.pk))]}
    ordered = []
    for position, pk in enumerate(item_ids, start=1):
        item = items[pk]
        if item.order != position:
            item.order = position
            item.save(update_fields=["order"])
        ordered.append(item)
    audit(
        actor=actor,
        action="congress.agenda_reorder",
        obj=session,
        unit=union,
        before=before,
        after={"order": list(item_ids)},
    )
    return ordered


def move_item(items: list[int], pk: int, step: int) -> list[int]:
    """The order after moving ``pk`` one place up (-1) or down (+1); ends stay put."""
    out = list(items)
    i = out.index(pk)
    j = min(max(i + step, 0), len(out) - 1)
    out[i], out[j] = out[j], out[i]
    return out


# ---- documents and versions -----------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    """An uploaded file as the service sees it: the name shown (never used as a path) and
    its content in chunks."""

    file_name: str
    chunks: Iterable[bytes]


def _store(upload: Upload) -> tuple[str, str]:
    """Store under MEDIA_ROOT/congress/<random><ext> after checking type, content and
    size; returns (display name, path relative to MEDIA_ROOT)."""
    stored = uploads.check_and_store(
        uploads.Incoming(upload.file_name, upload.chunks),
        area="congress",
        kinds=DOCUMENT_KINDS,
        max_bytes=MAX_DOCUMENT_BYTES,
        field="upload",
    )
    return stored.file_name, stored.stored_path


def stored_file(version: DocumentVersion) -> Path:
    return uploads.open_stored(version.stored_path)


def _new_version(
    *,
    actor: User | None,
    document: AgendaDocument,
    body: str,
    upload: Upload | None,
    change_note: str,
) -> DocumentVersion:
    if not body.strip() and upload is None:
        raise DomainError(
            "congress.version_empty", _("Give the text or upload the file."), field="body"
        )
    number = (document.versions.aggregate(m=Max("number"))["m"] or 0) + 1
    if number > 1 and not change_note.strip():
        raise DomainError(
            "congress.change_note",
            _("Say what changed in this draft, e.g. revised after delegates' feedback."),
            field="change_note",
        )
    file_name, stored_path = _store(upload) if upload is not None else ("", "")
    return DocumentVersion.objects.create(
        document=document,
        number=number,
        body=body.strip(),
        file_name=file_name,
        stored_path=stored_path,
        change_note=change_note.strip(),
        created_by=actor if actor and actor.pk else None,
    )


@transaction.atomic
def document_add(
    *,
    actor: User | None,
    item: AgendaItem,
    title: str,
    body: str = "",
    upload: Upload | None = None,
    change_note: str = "",
) -> AgendaDocument:
    """A document laid before the congress, with its first draft."""
    union = _union_of(item)
    _require_manage(actor, union)
    _not_closed(item.session)
    if not title.strip():
        raise DomainError("congress.document_title", _("Give the document a title."), field="title")
    document = AgendaDocument.objects.create(item=item, title=title.strip())
    version = _new_version(
        actor=actor, document=document, body=body, upload=upload, change_note=change_note
    )
    audit(
        actor=actor,
        action="congress.document_add",
        obj=document,
        unit=union,
        after={"title": document.title, "item": item.pk, "version": version.number},
    )
    return document


@transaction.atomic
def document_version_add(
    *,
    actor: User | None,
    document: AgendaDocument,
    body: str = "",
    upload: Upload | None = None,
    change_note: str = "",
) -> DocumentVersion:
    """A new draft. Versions are append-only; an adopted document takes no more."""
    union = _union_of(document.item)
    _require_manage(actor, union)
    document = AgendaDocument.objects.select_for_update().get(pk=document.pk)
    if document.adopted_version_id is not None:
        raise DomainError(
            "congress.document_frozen",
            _("This document has been adopted; its text is frozen."),
        )
    version = _new_version(
        actor=actor, document=document, body=body, upload=upload, change_note=change_note
    )
    audit(
        actor=actor,
        action="congress.document_version_add",
        obj=document,
        unit=union,
        after={"version": version.number, "change_note": version.change_note},
    )
    return version


@transaction.atomic
def document_adopt(
    *, actor: User | None, document: AgendaDocument, version: DocumentVersion | None = None
) -> AgendaDocument:
    """Adopt a version (by default the latest): the document is frozen from then on. The
    vote that passes an item calls this; a chair may also record an adoption by hand."""
    union = _union_of(document.item)
    _require_manage(actor, union)
    document = AgendaDocument.objects.select_for_update().get(pk=document.pk)
    if document.adopted_version_id is not None:
        raise DomainError("congress.document_frozen", _("This document was adopted already."))
    if version is None:
        version = document.versions.order_by("-number").first()
    if version is None or version.document_id != document.pk:
        raise DomainError(
            "congress.version_other", _("Choose a version of this document."), field="version"
        )
    document.adopted_version = version
    document.save(update_fields=["adopted_version"])
    audit(
        actor=actor,
        action="congress.document_adopt",
        obj=document,
        unit=union,
        after={"version": version.number},
    )
    return document


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same", "added", "removed"
    text: str


def version_diff(old: str, new: str) -> list[DiffLine]:
    """The changes between two drafts, line by line, for people rather than programs:
    every line of the new text, with the removed lines of the old one where they were."""
    a, b = old.splitlines(), new.splitlines()
    out: list[DiffLine] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.extend(DiffLine("same", line) for line in a[i1:i2])
            continue
        out.extend(DiffLine("removed", line) for line in a[i1:i2])
        out.extend(DiffLine("added", line) for line in b[j1:j2])
    return out


# ---- delegations and delegates --------------------------------------------------------------


@transaction.atomic
def delegation_create(
    *,
    actor: User | None,
    term: CongressTerm,
    name: str,
    seats: int,
    unit: OrgUnit | None = None,
) -> Delegation:
    union = _union_of(term)
    _require_manage(actor, union)
    _open_term(term)
    name = name.strip()
    if not name:
        raise DomainError("congress.delegation_name", _("Name the delegation."), field="name")
    if seats < 1:
        raise DomainError("congress.seats", _("A delegation has at least one seat."), field="seats")
    if unit is not None and not unit.path.startswith(union.path):
        raise DomainError(
            "congress.delegation_unit",
            _("The group must belong to %(union)s.") % {"union": union.name},
            field="unit",
        )
    if term.delegations.filter(name=name).exists():
        raise DomainError(
            "congress.delegation_exists",
            _("A delegation named %(name)s exists already.") % {"name": name},
            field="name",
        )
    order = (term.delegations.aggregate(m=Max("sort_order"))["m"] or 0) + 1
    delegation = Delegation.objects.create(
        term=term, name=name, seats=seats, unit=unit, sort_order=order
    )
    audit(
        actor=actor,
        action="congress.delegation_create",
        obj=delegation,
        unit=union,
        after=snapshot(delegation),
    )
    return delegation


DELEGATION_FIELDS = ["name", "seats", "unit_id"]


@transaction.atomic
def delegation_update(
    *,
    actor: User | None,
    delegation: Delegation,
    name: str,
    seats: int,
    unit: OrgUnit | None = None,
) -> Delegation:
    """Rename a delegation, change its seats or its group while the term runs. Seats never
    drop below the delegates serving in them."""
    union = _union_of(delegation)
    _require_manage(actor, union)
    delegation = _lock(delegation)
    term = delegation.term
    _open_term(term)
    name = name.strip()
    if not name:
        raise DomainError("congress.delegation_name", _("Name the delegation."), field="name")
    if seats < 1:
        raise DomainError("congress.seats", _("A delegation has at least one seat."), field="seats")
    n = serving(delegation)
    if seats < n:
        raise DomainError(
            "congress.seats_below_serving",
            _("%(d)s has %(n)s serving delegates; it cannot have only %(seats)s seats.")
            % {"d": delegation.name, "n": n, "seats": seats},
            field="seats",
        )
    if unit is not None and not unit.path.startswith(union.path):
        raise DomainError(
            "congress.delegation_unit",
            _("The group must belong to %(union)s.") % {"union": union.name},
            field="unit",
        )
    if term.delegations.filter(name=name).exclude(pk=delegation.pk).exists():
        raise DomainError(
            "congress.delegation_exists",
            _("A delegation named %(name)s exists already.") % {"name": name},
            field="name",
        )
    before = snapshot(delegation, DELEGATION_FIELDS)
    delegation.name, delegation.seats, delegation.unit = name, seats, unit
    delegation.save(update_fields=["name", "seats", "unit"])
    audit(
        actor=actor,
        action="congress.delegation_update",
        obj=delegation,
        unit=union,
        before=before,
        after=snapshot(delegation, DELEGATION_FIELDS),
    )
    return delegation


DELEGATE_FIELDS = [
    "delegation_id",
    "person_id",
    "is_frontline",
    "is_leader",
    "source",
    "status",
    "elected_on",
    "votes_received",
    "voters_total",
    "ended_on",
    "end_reason",
    "replaces_id",
]


def serving(delegation: Delegation) -> int:
    return delegation.delegates.filter(status=Delegate.Status.ACTIVE).count()


def _seat(
    *,
    actor: User | None,
    delegation: Delegation,
    person: Person,
    elected_on: date,
    source: str,
    is_frontline: bool,
    is_leader: bool,
    votes_received: int | None,
    voters_total: int | None,
    election_note: str,
    replaces: Delegate | None = None,
) -> Delegate:
    """Seat a person in a delegation, after the checks every way in shares."""
    term = delegation.term
    union = _union_of(term)
    _open_term(term)
    _active_member(union, person)
    if elected_on < term.starts_on:
        raise DomainError(
            "congress.elected_on",
            _("The election date lies before the term started (%(d)s).") % {"d": term.starts_on},
            field="elected_on",
        )
    if term.delegates.filter(person=person, status=Delegate.Status.ACTIVE).exists():
        raise DomainError(
            "congress.already_delegate",
            _("%(name)s is already a delegate of this term.") % {"name": person.name},
            field="person",
        )
    if replaces is None and rules.seats_check(delegation.seats, serving(delegation)) <= 0:
        raise DomainError(
            "congress.no_vacancy",
            _("%(d)s has no vacant seat (%(n)s seats).")
            % {"d": delegation.name, "n": delegation.seats},
            field="person",
        )
    if votes_received is not None and voters_total is not None and votes_received > voters_total:
        raise DomainError(
            "congress.votes",
            _("A delegate cannot receive more votes than there were voters."),
            field="votes_received",
        )
    return Delegate.objects.create(
        term=term,
        delegation=delegation,
        person=person,
        is_frontline=is_frontline,
        is_leader=is_leader,
        source=source,
        elected_on=elected_on,
        votes_received=votes_received,
        voters_total=voters_total,
        election_note=election_note.strip(),
        replaces=replaces,
    )


def _lock(delegation: Delegation) -> Delegation:
    # Seats are counted then filled: lock the delegation so two clerks cannot both take the
    # last seat.
    return (
        Delegation.objects.select_for_update()
        .select_related("term__congress__union")
        .get(pk=delegation.pk)
    )


def _fill_seat(
    *, actor: User | None, delegation: Delegation, source: str, action: str, **seat: Any
) -> Delegate:
    """Election and by-election differ only in the seat's source and the audit action."""
    _require_manage(actor, _union_of(delegation))
    delegation = _lock(delegation)
    d = _seat(actor=actor, delegation=delegation, source=source, **seat)
    audit(
        actor=actor,
        action=action,
        obj=d,
        unit=_union_of(delegation),
        after=snapshot(d, DELEGATE_FIELDS),
    )
    return d


@transaction.atomic
def delegate_elect(
    *,
    actor: User | None,
    delegation: Delegation,
    person: Person,
    elected_on: date,
    is_frontline: bool = True,
    is_leader: bool = False,
    votes_received: int | None = None,
    voters_total: int | None = None,
    election_note: str = "",
) -> Delegate:
    """A delegate elected by the delegation for the term, into a vacant seat."""
    return _fill_seat(
        actor=actor,
        delegation=delegation,
        source=Delegate.Source.ELECTED,
        action="congress.delegate_elect",
        person=person,
        elected_on=elected_on,
        is_frontline=is_frontline,
        is_leader=is_leader,
        votes_received=votes_received,
        voters_total=voters_total,
        election_note=election_note,
    )


@transaction.atomic
def delegate_by_elect(
    *,
    actor: User | None,
    delegation: Delegation,
    person: Person,
    elected_on: date,
    is_frontline: bool = True,
    is_leader: bool = False,
    votes_received: int | None = None,
    voters_total: int | None = None,
    election_note: str = "",
) -> Delegate:
    """补选: fill a vacant seat during the term."""
    return _fill_seat(
        actor=actor,
        delegation=delegation,
        source=Delegate.Source.BY_ELECTION,
        action="congress.delegate_by_elect",
        person=person,
        elected_on=elected_on,
        is_frontline=is_frontline,
        is_leader=is_leader,
        votes_received=votes_received,
        voters_total=voters_total,
        election_note=election_note,
    )


def _end(delegate: Delegate, *, on: date, reason: str, status: str) -> dict[str, Any]:
    if delegate.status != Delegate.Status.ACTIVE:
        raise DomainError("congress.not_serving", _("This delegate is no longer serving."))
    if not reason.strip():
        raise DomainError("congress.end_reason", _("Give a reason."), field="reason")
    if on < delegate.elected_on:
        raise DomainError(
            "congress.end_date", _("The seat cannot end before the election."), field="on"
        )
    before = snapshot(delegate, DELEGATE_FIELDS)
    delegate.status, delegate.ended_on, delegate.end_reason = status, on, reason.strip()
    delegate.save(update_fields=["status", "ended_on", "end_reason"])
    return before


@transaction.atomic
def delegate_replace(
    *,
    actor: User | None,
    delegate: Delegate,
    successor: Person,
    on: date,
    reason: str,
    is_frontline: bool = True,
    is_leader: bool = False,
    votes_received: int | None = None,
    voters_total: int | None = None,
    election_note: str = "",
) -> Delegate:
    """撤换/更换: the old row ends (replaced, with the reason) and the successor takes the
    same seat, pointing back at it, so a seat's history reads as a chain."""
    union = _union_of(delegate.delegation)
    _require_manage(actor, union)
    _lock(delegate.delegation)
    delegate = (
        Delegate.objects.select_for_update().select_related("delegation__term").get(pk=delegate.pk)
    )
    if successor.pk == delegate.person_id:
        raise DomainError(
            "congress.same_person", _("Choose someone else as the successor."), field="person"
        )
    before = _end(delegate, on=on, reason=reason, status=Delegate.Status.REPLACED)
    new = _seat(
        actor=actor,
        delegation=delegate.delegation,
        person=successor,
        elected_on=on,
        source=Delegate.Source.BY_ELECTION,
        is_frontline=is_frontline,
        is_leader=is_leader,
        votes_received=votes_received,
        voters_total=voters_total,
        election_note=election_note,
        replaces=delegate,
    )
    audit(
        actor=actor,
        action="congress.delegate_replace",
        obj=delegate,
        unit=union,
        before=before,
        after=snapshot(delegate, DELEGATE_FIELDS),
        note=f"{delegate.person.name} → {successor.name}",
    )
    audit(
        actor=actor,
        action="congress.delegate_by_elect",
        obj=new,
        unit=union,
        after=snapshot(new, DELEGATE_FIELDS),
    )
    return new


@transaction.atomic
def delegate_end(*, actor: User | None, delegate: Delegate, on: date, reason: str) -> Delegate:
    """The delegate leaves (transfer, retirement, resignation); the seat becomes vacant."""
    union = _union_of(delegate.delegation)
    _require_manage(actor, union)
    delegate = Delegate.objects.select_for_update().get(pk=delegate.pk)
    before = _end(delegate, on=on, reason=reason, status=Delegate.Status.LEFT)
    audit(
        actor=actor,
        action="congress.delegate_end",
        obj=delegate,
        unit=union,
        before=before,
        after=snapshot(delegate, DELEGATE_FIELDS),
    )
    return delegate


# ---- composition and the roster -------------------------------------------------------------


def staff_shares(union: OrgUnit, today: date) -> rules.StaffShares | None:
    """Women's and young staff's share of the union's active members in work (the base the
    roster is compared with); ``None`` for a union without members."""
    earliest, _latest = core_rules.birth_date_bounds_for_age(0, core_rules.YOUNG_STAFF_AGE, today)
    c = Member.objects.filter(
        union=union, status=MemberStatus.ACTIVE, work_status="working"
    ).aggregate(
        total=Count("id"),
        women=Count("id", filter=Q(person__gender="F")),
        young=Count("id", filter=Q(person__birth_date__gte=earliest)),
    )
    if not c["total"]:
        return None
    return rules.StaffShares(
        women=Fraction(c["women"], c["total"]), young=Fraction(c["young"], c["total"])
    )


def roster_people(delegates: Iterable[Delegate], today: date) -> list[rules.RosterPerson]:
    return [
        rules.RosterPerson(
            frontline=d.is_frontline,
            leader=d.is_leader,
            woman=d.person.gender == "F",
            young=d.person.birth_date is not None
            and core_rules.age_on(d.person.birth_date, today) < core_rules.YOUNG_STAFF_AGE,
        )
        for d in delegates
    ]


def roster_composition(term: CongressTerm, today: date) -> rules.CompositionCheck:
    union = _union_of(term)
    people = roster_people(queries.active_delegates(term), today)
    return rules.composition_check(people, staff_shares(union, today), queries.rules_for(union))


@transaction.atomic
def roster_confirm(
    *, actor: User | None, term: CongressTerm, warnings_seen: bool, today: date
) -> CongressTerm:
    """Confirm the term's roster. With composition warnings the chair must say they saw
    them; the warnings are kept with the confirmation, as the record of that decision."""
    union = _union_of(term)
    _require_manage(actor, union)
    term = CongressTerm.objects.select_for_update().get(pk=term.pk)
    _open_term(term)
    check = roster_composition(term, today)
    if check.total == 0:
        raise DomainError("congress.roster_empty", _("The roster has no delegates yet."))
    if check.warnings and not warnings_seen:
        raise DomainError(
            "congress.warnings_unseen",
            _(
                "The roster does not meet the composition rules. Tick that you have seen the "
                "warnings to confirm it anyway."
            ),
            field="warnings_seen",
        )
    before = snapshot(term, ["roster_confirmed_at", "roster_warnings"])
    term.roster_warnings = [{"code": c, "message": m} for c, m in check.warnings]
    term.roster_confirmed_at = timezone.now()
    term.roster_confirmed_by = actor if actor and actor.pk else None
    term.save(update_fields=["roster_warnings", "roster_confirmed_at", "roster_confirmed_by"])
    audit(
        actor=actor,
        action="congress.roster_confirm",
        obj=term,
        unit=union,
        before=before,
        after={
            "delegates": check.total,
            "roster_warnings": term.roster_warnings,
        },
    )
    return term
