"""Every write to core data: org units, role grants, committees, registrations, tokens.

Each service runs in one transaction and writes an AuditEvent with before/after.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import access
from .errors import DomainError
from .models import (
    ApiToken,
    AuditEvent,
    BackgroundJob,
    Committee,
    CommitteeKind,
    CommitteePosition,
    CommitteeTerm,
    LegalPersonRegistration,
    OrgUnit,
    Person,
    PositionKind,
    Role,
    RoleGrant,
    UnitKind,
    User,
)

# Which kinds of unit may sit under which: a tree is 4–7 levels deep, any depth allowed
# where real unions nest (a branch union under a branch union, groups under any union).
ALLOWED_CHILDREN: dict[str, set[str]] = {
    UnitKind.FEDERATION: {
        UnitKind.FEDERATION,
        UnitKind.SECTOR_UNION,
        UnitKind.JOINT_UNION,
        UnitKind.GRASSROOTS_UNION,
    },
    UnitKind.SECTOR_UNION: {
        UnitKind.SECTOR_UNION,
        UnitKind.JOINT_UNION,
        UnitKind.GRASSROOTS_UNION,
    },
    UnitKind.JOINT_UNION: {UnitKind.GRASSROOTS_UNION, UnitKind.BRANCH_UNION, UnitKind.UNION_GROUP},
    UnitKind.GRASSROOTS_UNION: {UnitKind.BRANCH_UNION, UnitKind.UNION_GROUP},
    UnitKind.BRANCH_UNION: {UnitKind.BRANCH_UNION, UnitKind.UNION_GROUP},
    UnitKind.UNION_GROUP: set(),
}


def to_jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """A JSON-able picture of a row's concrete fields, for the audit trail."""
    names = fields or [f.attname for f in obj._meta.concrete_fields]
    return {n: to_jsonable(getattr(obj, n)) for n in names}


def audit(
    *,
    actor: User | None,
    action: str,
    obj: models.Model,
    unit: OrgUnit | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> AuditEvent:
    if before is not None and after is not None:
        changed = {k for k in after if before.get(k) != after.get(k)}
        before = {k: v for k, v in before.items() if k in changed}
        after = {k: v for k, v in after.items() if k in changed}
    return AuditEvent.objects.create(
        actor=actor if actor and actor.pk else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        unit=unit,
        before=before,
        after=after,
        note=note[:300],
    )


def log_sensitive_read(
    *, actor: User, person: Person, fields: list[str], unit: OrgUnit | None, context: str
) -> None:
    """Reading an ID number or phone in clear is itself recorded (PIPL)."""
    AuditEvent.objects.create(
        actor=actor,
        action="read_sensitive",
        object_type=person._meta.label_lower,
        object_id=str(person.pk),
        object_repr=person.name,
        unit=unit,
        after={"fields": fields},
        note=context[:300],
    )


# ---- org units -------------------------------------------------------------------------


def _check_parent(kind: str, parent: OrgUnit | None) -> None:
    if parent is None:
        if kind != UnitKind.FEDERATION:
            raise DomainError("unit.parent_required", _("Only a federation may be a root unit."))
        return
    if parent.archived_at is not None:
        raise DomainError("unit.parent_archived", _("The parent unit is archived."))
    if kind not in ALLOWED_CHILDREN[parent.kind]:
        raise DomainError(
            "unit.kind_not_allowed",
            _("A %(kind)s cannot be placed under a %(parent)s.")
            % {"kind": UnitKind(kind).label, "parent": UnitKind(parent.kind).label},
            field="kind",
        )


@transaction.atomic
def unit_create(
    *,
    actor: User | None,
    name: str,
    code: str,
    kind: str,
    parent: OrgUnit | None,
    staff_count: int | None = None,
    is_affiliated: bool = False,
    short_name: str = "",
    sort_order: int = 0,
) -> OrgUnit:
    if actor is not None:
        if parent is None and not access.is_admin(actor):
            raise DomainError("unit.forbidden", _("Only an administrator may add a root unit."))
        if parent is not None:
            require_permission(actor, access.Perm.MANAGE_ORG, parent)
    _check_parent(kind, parent)
    if OrgUnit.objects.filter(code=code).exists():
        raise DomainError("unit.code_taken", _("The code %(code)s is taken.") % {"code": code})
    unit = OrgUnit.objects.create(
        name=name,
        short_name=short_name,
        code=code,
        kind=kind,
        parent=parent,
        staff_count=staff_count,
        is_affiliated=is_affiliated,
        sort_order=sort_order,
        depth=(parent.depth + 1) if parent else 0,
    )
    unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
    unit.save(update_fields=["path"])
    audit(actor=actor, action="unit.create", obj=unit, unit=unit, after=snapshot(unit))
    return unit


@transaction.atomic
def unit_update(*, actor: User, unit: OrgUnit, **changes: Any) -> OrgUnit:
    require_permission(actor, access.Perm.MANAGE_ORG, unit)
    allowed = {"name", "short_name", "staff_count", "is_affiliated", "sort_order", "address"}
    unknown = set(changes) - allowed
    if unknown:
        raise DomainError("unit.bad_field", f"cannot change {sorted(unknown)}")
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    before = snapshot(unit)
    for k, v in changes.items():
        setattr(unit, k, v)
    unit.save()
    audit(
        actor=actor, action="unit.update", obj=unit, unit=unit, before=before, after=snapshot(unit)
    )
    return unit


@transaction.atomic
def unit_move(*, actor: User, unit: OrgUnit, new_parent: OrgUnit) -> OrgUnit:
    """Move a unit and its subtree under another parent, rewriting the paths below."""
    require_permission(actor, access.Perm.MANAGE_ORG, unit)
    require_permission(actor, access.Perm.MANAGE_ORG, new_parent)
    if new_parent.path.startswith(unit.path):
        raise DomainError("unit.cycle", _("A unit cannot be moved under itself."))
    _check_parent(unit.kind, new_parent)
    old_path, old_depth = unit.path, unit.depth
    new_path = f"{new_parent.path}{unit.pk}/"
    shift = new_parent.depth + 1 - old_depth
    for u in OrgUnit.objects.select_for_update().filter(path__startswith=old_path):
        u.path = new_path + u.path[len(old_path) :]
        u.depth += shift
        if u.pk == unit.pk:
            u.parent = new_parent
        u.save(update_fields=["path", "depth", "parent"])
    unit.refresh_from_db()
    audit(
        actor=actor,
        action="unit.move",
        obj=unit,
        unit=unit,
        before={"path": old_path},
        after={"path": unit.path},
    )
    return unit


@transaction.atomic
def unit_archive(*, actor: User, unit: OrgUnit, reason: str) -> OrgUnit:
    require_permission(actor, access.Perm.MANAGE_ORG, unit)
    if not reason.strip():
        raise DomainError("unit.reason_required", _("Give a reason."), field="reason")
    if OrgUnit.objects.filter(parent=unit, archived_at__isnull=True).exists():
        raise DomainError("unit.has_children", _("Archive or move the units under it first."))
    before = snapshot(unit, ["archived_at"])
    unit.archived_at = timezone.now()
    unit.save(update_fields=["archived_at"])
    audit(
        actor=actor,
        action="unit.archive",
        obj=unit,
        unit=unit,
        before=before,
        after=snapshot(unit, ["archived_at"]),
        note=reason,
    )
    return unit


def require_permission(actor: User | None, perm: access.Perm, unit: OrgUnit) -> None:
    """Refuse (as a DomainError) an actor without ``perm`` on ``unit``. ``actor=None`` is the
    system's own work (seed, a CLI command given an explicit union) and is not checked."""
    if actor is None:
        return
    if not access.has_perm(actor, perm, unit):
        raise DomainError(
            "forbidden", _("You are not allowed to do this in %(unit)s.") % {"unit": unit}
        )


# ---- users and roles -------------------------------------------------------------------


@transaction.atomic
def role_grant(
    *,
    actor: User | None,
    user: User,
    role: str,
    unit: OrgUnit,
    may_see_individuals: bool = False,
) -> RoleGrant:
    if role not in Role.values:
        raise DomainError("role.unknown", _("Unknown role."), field="role")
    if unit.archived_at is not None:
        raise DomainError("role.unit_archived", _("The unit is archived."), field="unit")
    if actor is not None:
        require_permission(actor, access.Perm.MANAGE_USERS, unit)
        if role == Role.ADMIN and not access.is_admin(actor):
            raise DomainError("role.forbidden", _("Only an administrator may grant that role."))
        if may_see_individuals and not may_grant_individuals(actor, unit):
            raise DomainError(
                "role.individuals_forbidden",
                _(
                    "Only an administrator or the chair of this or a higher union may let an"
                    " upper-union officer see individual records."
                ),
                field="may_see_individuals",
            )
    if may_see_individuals and role != Role.UPPER_OFFICER:
        may_see_individuals = False  # the flag only widens upper-union officers' grants
    existing = RoleGrant.objects.filter(user=user, role=role, unit=unit, revoked_at__isnull=True)
    if existing.exists():
        raise DomainError("role.exists", _("This role is already granted."))
    grant = RoleGrant.objects.create(
        user=user, role=role, unit=unit, may_see_individuals=may_see_individuals, granted_by=actor
    )
    audit(actor=actor, action="role.grant", obj=grant, unit=unit, after=snapshot(grant))
    access.forget_grants(user)
    return grant


def may_grant_individuals(actor: User, unit: OrgUnit) -> bool:
    """Letting an upper-union officer see individuals is a privacy decision: only an
    administrator or a chair whose grant covers ``unit`` (on it or above it) may take it."""
    if access.is_admin(actor):
        return True
    return any(
        g.role == Role.CHAIR and g.unit.archived_at is None and unit.path.startswith(g.unit.path)
        for g in access._grants(actor)
    )


@transaction.atomic
def role_revoke(*, actor: User, grant: RoleGrant) -> RoleGrant:
    require_permission(actor, access.Perm.MANAGE_USERS, grant.unit)
    grant = RoleGrant.objects.select_for_update().select_related("user", "unit").get(pk=grant.pk)
    if grant.revoked_at is not None:
        raise DomainError("role.revoked", _("This role was revoked already."))
    before = snapshot(grant, ["revoked_at"])
    grant.revoked_at = timezone.now()
    grant.save(update_fields=["revoked_at"])
    audit(
        actor=actor,
        action="role.revoke",
        obj=grant,
        unit=grant.unit,
        before=before,
        after=snapshot(grant, ["revoked_at"]),
    )
    access.forget_grants(grant.user)
    return grant


USER_AUDIT_FIELDS = ["username", "display_name", "person_id", "is_active"]


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    display_name: str,
    password: str,
    person: Person | None = None,
) -> User:
    """Create a login. The password must pass Django's validators; only its hash is stored.
    A person may be linked only when they are a member where the actor manages users."""
    username = username.strip()
    if actor is not None and not (access.has_any(actor, access.Perm.MANAGE_USERS)):
        raise DomainError("forbidden", _("You are not allowed to create users."))
    if not username:
        raise DomainError("user.username", _("The username is required."), field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(
            "user.username_taken",
            _("The username %(u)s is taken.") % {"u": username},
            field="username",
        )
    candidate = User(username=username, display_name=display_name.strip())
    try:
        validate_password(password, user=candidate)
    except ValidationError as e:
        raise DomainError("user.password", " ".join(e.messages), field="password") from e
    if person is not None:
        if User.objects.filter(person=person).exists():
            raise DomainError(
                "user.person_linked", _("This person already has a login."), field="person"
            )
        if actor is not None and not access.is_admin(actor):
            in_scope = Person.objects.filter(
                pk=person.pk,
                member__unit__in=access.units_with(actor, access.Perm.MANAGE_USERS).values("pk"),
            ).exists()
            if not in_scope:
                raise DomainError(
                    "user.person_outside",
                    _("This person is not a member of your union."),
                    field="person",
                )
    candidate.person = person
    candidate.set_password(password)
    candidate.save()
    audit(
        actor=actor,
        action="user.create",
        obj=candidate,
        after=snapshot(candidate, USER_AUDIT_FIELDS),
    )
    return candidate


def token_create(*, actor: User | None, user: User, name: str = "cli") -> str:
    """Issue an API token; returns it once in clear. Only its digest is stored."""
    raw = "gh_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, digest=hashlib.sha256(raw.encode()).hexdigest(), prefix=raw[:8]
    )
    audit(actor=actor, action="token.create", obj=token, note=f"for {user.username}")
    return raw


@transaction.atomic
def token_revoke(*, actor: User | None, user: User, prefix: str) -> int:
    """Revoke the user's active tokens whose first 8 characters are ``prefix`` (the part
    ``--list`` shows, or the whole token). Returns how many were revoked."""
    if len(prefix) < 8:
        raise DomainError(
            "token.prefix", _("Give the token's first 8 characters or the whole token.")
        )
    tokens = list(
        ApiToken.objects.select_for_update().filter(
            user=user, revoked_at__isnull=True, prefix=prefix[:8]
        )
    )
    if not tokens:
        raise DomainError("token.not_found", _("No active token starts with these characters."))
    now = timezone.now()
    for t in tokens:
        t.revoked_at = now
        t.save(update_fields=["revoked_at"])
        audit(actor=actor, action="token.revoke", obj=t, note=f"for {user.username}")
    return len(tokens)


def token_user(raw: str) -> User | None:
    digest = hashlib.sha256(raw.encode()).hexdigest()
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=digest, revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# ---- committees, terms, positions, registration --------------------------------------


@transaction.atomic
def committee_term_start(
    *,
    actor: User | None,
    union: OrgUnit,
    kind: str,
    number: int,
    starts_on: date,
    years: int = 5,
    note: str = "",
) -> CommitteeTerm:
    """Open a new term (换届): the running term of that committee ends the day before."""
    require_permission(actor, access.Perm.MANAGE_ORG, union)
    if years not in (3, 4, 5):
        raise DomainError("term.years", _("A term lasts 3 to 5 years."), field="years")
    if kind not in CommitteeKind.values:
        raise DomainError("term.kind", _("Unknown committee."), field="kind")
    if union.kind == UnitKind.UNION_GROUP:
        raise DomainError("term.group", _("A union group has no committees."), field="kind")
    if number < 1:
        raise DomainError("term.number", _("The term number starts at 1."), field="number")
    committee, _created = Committee.objects.get_or_create(union=union, kind=kind)
    if committee.terms.filter(number__gte=number).exists():
        raise DomainError(
            "term.number", _("Term %(n)s or a later one already exists.") % {"n": number}
        )
    running = committee.terms.select_for_update().filter(ended_on__isnull=True).first()
    if running:
        if starts_on < running.starts_on:
            raise DomainError(
                "term.dates",
                _("The new term cannot start before the running term did."),
                field="starts_on",
            )
        before = snapshot(running, ["ended_on"])
        running.ended_on = starts_on
        running.save(update_fields=["ended_on"])
        running.positions.filter(ends_on__isnull=True).update(
            ends_on=starts_on, end_reason=_("Term ended")
        )
        audit(
            actor=actor,
            action="term.end",
            obj=running,
            unit=union,
            before=before,
            after=snapshot(running, ["ended_on"]),
            note=_("Term %(n)s started") % {"n": number},
        )
    try:
        end = starts_on.replace(year=starts_on.year + years)
    except ValueError:
        end = starts_on.replace(year=starts_on.year + years, day=28)
    term = CommitteeTerm.objects.create(
        committee=committee, number=number, starts_on=starts_on, planned_end_on=end, note=note
    )
    audit(actor=actor, action="term.start", obj=term, unit=union, after=snapshot(term))
    return term


@transaction.atomic
def position_assign(
    *,
    actor: User | None,
    term: CommitteeTerm,
    person: Person,
    position: str,
    starts_on: date,
    source: str = CommitteePosition.Source.ELECTED,
) -> CommitteePosition:
    union = term.committee.union
    require_permission(actor, access.Perm.MANAGE_ORG, union)
    if term.ended_on is not None:
        raise DomainError("position.term_ended", _("This term has ended."))
    if position not in PositionKind.values:
        raise DomainError("position.kind", _("Unknown position."), field="position")
    if starts_on < term.starts_on:
        raise DomainError(
            "position.dates", _("The seat cannot start before the term."), field="starts_on"
        )
    if (
        position == "chair"
        and term.positions.filter(position="chair", ends_on__isnull=True).exists()
    ):
        raise DomainError("position.chair_taken", _("The term already has a chair in office."))
    if term.positions.filter(person=person, ends_on__isnull=True).exists():
        raise DomainError("position.duplicate", _("This person already holds a seat in the term."))
    pos = CommitteePosition.objects.create(
        term=term, person=person, position=position, starts_on=starts_on, source=source
    )
    audit(actor=actor, action="position.assign", obj=pos, unit=union, after=snapshot(pos))
    return pos


@transaction.atomic
def position_end(
    *, actor: User, position: CommitteePosition, ends_on: date, reason: str
) -> CommitteePosition:
    union = position.term.committee.union
    require_permission(actor, access.Perm.MANAGE_ORG, union)
    if not reason.strip():
        raise DomainError("position.reason_required", _("Give a reason."), field="reason")
    if ends_on < position.starts_on:
        raise DomainError("position.dates", _("The end date is before the start date."))
    before = snapshot(position)
    position.ends_on, position.end_reason = ends_on, reason
    position.save(update_fields=["ends_on", "end_reason"])
    audit(
        actor=actor,
        action="position.end",
        obj=position,
        unit=union,
        before=before,
        after=snapshot(position),
    )
    return position


REGISTRATION_FIELDS = {
    "credit_code",
    "certificate_no",
    "legal_representative",
    "address",
    "registered_on",
    "valid_until",
    "change_note",
}


@transaction.atomic
def registration_record(
    *, actor: User | None, union: OrgUnit, **data: Any
) -> LegalPersonRegistration:
    require_permission(actor, access.Perm.MANAGE_ORG, union)
    if not union.is_union:
        raise DomainError(
            "registration.not_union", _("Only a union can register as a legal person.")
        )
    code = str(data.get("credit_code", "")).strip().upper()
    if len(code) != 18 or not code.isalnum():
        raise DomainError(
            "registration.credit_code",
            _("The unified social credit code must be 18 letters or digits."),
            field="credit_code",
        )
    data["credit_code"] = code
    unknown = set(data) - REGISTRATION_FIELDS
    if unknown:
        raise DomainError("registration.bad_field", f"unknown fields {sorted(unknown)}")
    if not str(data.get("legal_representative", "")).strip():
        raise DomainError(
            "registration.representative",
            _("Name the legal representative."),
            field="legal_representative",
        )
    if not data.get("registered_on"):
        raise DomainError(
            "registration.date", _("Give the registration date."), field="registered_on"
        )
    if data.get("valid_until") and data["valid_until"] < data["registered_on"]:
        raise DomainError(
            "registration.dates",
            _("The registration cannot expire before it was made."),
            field="valid_until",
        )
    reg = LegalPersonRegistration.objects.create(union=union, **data)
    audit(actor=actor, action="registration.record", obj=reg, unit=union, after=snapshot(reg))
    return reg


# ---- background jobs --------------------------------------------------------------------


def job_progress(
    job: BackgroundJob, done: int, total: int | None = None, message: str = ""
) -> None:
    """Record progress outside any surrounding transaction's result (a plain UPDATE)."""
    fields: dict[str, Any] = {"progress_done": done, "status": BackgroundJob.Status.RUNNING}
    if total is not None:
        fields["progress_total"] = total
    if message:
        fields["message"] = message[:300]
    BackgroundJob.objects.filter(pk=job.pk).update(**fields)
