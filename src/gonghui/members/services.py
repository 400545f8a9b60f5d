"""Every write to membership: the lifecycle (apply → approve → member, transfer out/in,
retire, leave, death), edits, moves between groups, and self-service change requests.

Services take keyword-only arguments, run in one transaction, write a MembershipEvent
where the lifecycle moves and an AuditEvent always, and raise DomainError with a
message for people.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import rules
from gonghui.core.access import Perm
from gonghui.core.errors import DomainError
from gonghui.core.models import AuditEvent, OrgUnit, Person, User
from gonghui.core.services import audit, require_permission, snapshot

from .models import Member, MembershipEvent, MemberStatus, ProfileChangeRequest, WorkStatus

PERSON_FIELDS = [
    "name",
    "gender",
    "birth_date",
    "id_number",
    "phone",
    "ethnicity",
    "political_status",
    "education",
]
MEMBER_FIELDS = [
    "member_no",
    "employment_type",
    "work_status",
    "post",
    "department",
    "is_model_worker",
    "is_in_hardship",
    "is_survivor",
    "joined_on",
    "note",
]
# Identity fields a member may not change alone: a cadre approves the correction.
SELF_SERVICE_APPROVAL_FIELDS = {"name", "gender", "birth_date", "id_number"}
SELF_SERVICE_DIRECT_FIELDS = {"phone", "ethnicity", "political_status", "education"}


def _check_unit_in_union(unit: OrgUnit, union: OrgUnit) -> None:
    if not union.is_union:
        raise DomainError(
            "member.not_union", _("%(u)s is not a union.") % {"u": union}, field="union"
        )
    if not unit.path.startswith(union.path) or unit.archived_at is not None:
        raise DomainError(
            "member.unit_outside_union",
            _("%(unit)s does not belong to %(union)s.") % {"unit": unit, "union": union},
            field="unit",
        )
    # A group of a nested union belongs to that union, not to the one above it.
    inner = OrgUnit.objects.filter(
        pk__in=unit.ancestor_ids(), kind__in=["grassroots", "joint"], depth__gt=union.depth
    )
    if inner.exists():
        raise DomainError(
            "member.unit_outside_union",
            _("%(unit)s belongs to another union.") % {"unit": unit},
            field="unit",
        )


def clean_person_data(data: dict[str, Any], *, today: date) -> dict[str, Any]:
    """Normalise and validate person fields; derive birth date and gender from the ID."""
    out = {k: v for k, v in data.items() if k in PERSON_FIELDS}
    if "name" in out:
        out["name"] = rules.normalise_text(str(out["name"] or ""))
        if not out["name"]:
            raise DomainError("person.name", _("The name is required."), field="name")
    if out.get("id_number"):
        idn = rules.normalise_text(str(out["id_number"])).upper()
        check = rules.check_id_number(idn, today=today)
        if not check.ok:
            raise DomainError("person.id_number", id_error_message(check.reason), field="id_number")
        out["id_number"] = idn
        # A blank birth date or gender (None or "" from a form) is taken from the ID number.
        if not out.get("birth_date"):
            out["birth_date"] = check.birth_date
        if not out.get("gender"):
            out["gender"] = check.gender
        if out["birth_date"] != check.birth_date or (
            out["gender"] and out["gender"] != check.gender
        ):
            raise DomainError(
                "person.id_mismatch",
                _("Birth date or gender does not match the ID number."),
                field="id_number",
            )
    elif "id_number" in out:
        out["id_number"] = None
    if out.get("phone"):
        phone, ok = rules.normalise_phone(str(out["phone"]))
        if not ok:
            raise DomainError("person.phone", _("A mobile number has 11 digits."), field="phone")
        out["phone"] = phone
    if out.get("birth_date") and out["birth_date"] > today:
        raise DomainError(
            "person.birth_date", _("The birth date is in the future."), field="birth_date"
        )
    return out


IDENTITY_FIELDS = ("id_number", "birth_date", "gender")


def _clean_changes(current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """Clean the changed person fields only (a stored landline in ``phone`` must not block a
    name correction), checking the ID number, birth date and gender together when any of
    them changes."""
    data = dict(changes)
    if any(k in changes for k in IDENTITY_FIELDS):
        for k in IDENTITY_FIELDS:
            data.setdefault(k, current[k])
    return clean_person_data(data, today=timezone.localdate())


def id_error_message(reason: str) -> str:
    return {
        "length": _("An ID number has 18 characters."),
        "chars": _("An ID number has 17 digits and a final digit or X."),
        "birth_date": _("The birth date inside the ID number is impossible."),
        "check_digit": _("The ID number's check digit is wrong."),
    }.get(reason, _("The ID number is invalid."))


def next_member_no(union: OrgUnit) -> str:
    """Member numbers run per union: <union code>-00001. Caller holds the union row lock.

    The text maximum is right while every number has five digits; when it is not (imported
    numbers of other widths, or past 99999) the numeric maximum is computed instead."""
    prefix = f"{union.code}-"
    numbered = Member.objects.filter(union=union, member_no__startswith=prefix)
    last = numbered.aggregate(m=Max("member_no"))["m"]
    suffix = last[len(prefix) :] if last else ""
    n = int(suffix) + 1 if suffix.isdigit() else 1
    candidate = f"{prefix}{n:05d}"
    if last and (len(suffix) != 5 or numbered.filter(member_no=candidate).exists()):
        numbers = [
            int(no[len(prefix) :])
            for no in numbered.values_list("member_no", flat=True)
            if no[len(prefix) :].isdigit()
        ]
        candidate = f"{prefix}{max(numbers, default=0) + 1:05d}"
    return candidate


def _event(member: Member, kind: str, on: date, actor: User | None, **kw: Any) -> MembershipEvent:
    return MembershipEvent.objects.create(
        member=member, kind=kind, on=on, actor=actor if actor and actor.pk else None, **kw
    )


def _lock_union(union: OrgUnit) -> None:
    OrgUnit.objects.select_for_update().filter(pk=union.pk).first()


def _find_or_make_person(data: dict[str, Any]) -> Person:
    if data.get("id_number"):
        person = Person.objects.filter(id_number=data["id_number"]).first()
        if person is not None:
            if hasattr(person, "member") and person.member.status in (
                MemberStatus.ACTIVE,
                MemberStatus.APPLIED,
            ):
                raise DomainError(
                    "member.exists",
                    _("%(name)s is already a member of %(union)s.")
                    % {"name": person.name, "union": person.member.union},
                    field="id_number",
                )
            for k, v in data.items():
                setattr(person, k, v)
            person.save()
            return person
    return Person.objects.create(**data)


@transaction.atomic
def member_apply(
    *,
    actor: User | None,
    union: OrgUnit,
    unit: OrgUnit,
    person: dict[str, Any],
    applied_on: date,
    **member_fields: Any,
) -> Member:
    """An application to join (入会申请), entered by a cadre; counted once approved.
    (A future online application by the applicant will get its own service.)"""
    require_permission(actor, Perm.EDIT_MEMBERS, union)
    _check_unit_in_union(unit, union)
    pdata = clean_person_data(person, today=applied_on)
    p = _find_or_make_person(pdata)
    fields = {k: v for k, v in member_fields.items() if k in MEMBER_FIELDS}
    member, _created = Member.objects.update_or_create(
        person=p,
        defaults=dict(
            union=union,
            unit=unit,
            status=MemberStatus.APPLIED,
            applied_on=applied_on,
            status_changed_on=applied_on,
            member_no="",
            **fields,
        ),
    )
    _event(member, MembershipEvent.Kind.APPLIED, applied_on, actor, to_unit=unit)
    audit(actor=actor, action="member.apply", obj=member, unit=union, after=snapshot(member))
    return member


@transaction.atomic
def member_approve(*, actor: User | None, member: Member, on: date, member_no: str = "") -> Member:
    member = Member.objects.select_for_update().get(pk=member.pk)
    require_permission(actor, Perm.APPROVE_MEMBERS, member.union)
    return _activate(actor=actor, member=member, on=on, member_no=member_no)


def _activate(*, actor: User | None, member: Member, on: date, member_no: str) -> Member:
    if member.status != MemberStatus.APPLIED:
        raise DomainError("member.not_applied", _("Only a pending application can be approved."))
    _lock_union(member.union)
    member.status = MemberStatus.ACTIVE
    member.joined_on = on
    member.status_changed_on = on
    member.member_no = member_no or next_member_no(member.union)
    member.updated_at = timezone.now()
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError as e:
        raise DomainError(
            "member.number_taken", _("That member number is taken."), field="member_no"
        ) from e
    _event(member, MembershipEvent.Kind.APPROVED, on, actor)
    audit(
        actor=actor,
        action="member.approve",
        obj=member,
        unit=member.union,
        after={"member_no": member.member_no},
    )
    return member


@transaction.atomic
def member_reject(*, actor: User | None, member: Member, on: date, reason: str) -> Member:
    member = Member.objects.select_for_update().get(pk=member.pk)
    require_permission(actor, Perm.APPROVE_MEMBERS, member.union)
    if member.status != MemberStatus.APPLIED:
        raise DomainError("member.not_applied", _("Only a pending application can be rejected."))
    if not reason.strip():
        raise DomainError("member.reason_required", _("Give a reason."), field="reason")
    member.status, member.status_changed_on = MemberStatus.REJECTED, on
    member.save(update_fields=["status", "status_changed_on"])
    _event(member, MembershipEvent.Kind.REJECTED, on, actor, note=reason)
    audit(actor=actor, action="member.reject", obj=member, unit=member.union, note=reason)
    return member


@transaction.atomic
def member_enrol(
    *,
    actor: User | None,
    union: OrgUnit,
    unit: OrgUnit,
    person: dict[str, Any],
    joined_on: date,
    **member_fields: Any,
) -> Member:
    """Record someone who is a member already (a cadre entering the existing roll)."""
    require_permission(actor, Perm.EDIT_MEMBERS, union)
    fields = {k: v for k, v in member_fields.items() if k != "member_no"}
    member = member_apply(
        actor=actor, union=union, unit=unit, person=person, applied_on=joined_on, **fields
    )
    return _activate(
        actor=actor, member=member, on=joined_on, member_no=member_fields.get("member_no", "")
    )


@transaction.atomic
def member_hardship_flag_set(*, actor: User | None, member: Member, value: bool) -> Member:
    """The roster's "in hardship" category follows the union's hardship files; whoever
    keeps the files (chair, care officers) moves it, without the right to edit members."""
    with transaction.atomic():
        member = Member.objects.select_for_update().get(pk=member.pk)
        require_permission(actor, Perm.VIEW_HARDSHIP, member.union)
        if member.is_in_hardship == value:
            return member
        member.is_in_hardship = value
        member.updated_at = timezone.now()
        member.save(update_fields=["is_in_hardship", "updated_at"])
        audit(
            actor=actor,
            action="member.hardship_flag",
            obj=member,
            unit=member.union,
            before={"is_in_hardship": not value},
            after={"is_in_hardship": value},
        )
    return member


# What a general edit's audit row records: everything but the hardship flag, whose change
# gets a row of its own that only holders of the hardship permission read (decision 0006).
_AUDITED_MEMBER_FIELDS = [f for f in MEMBER_FIELDS if f != "is_in_hardship"]


@transaction.atomic
def member_update(*, actor: User | None, member: Member, **changes: Any) -> Member:
    member = Member.objects.select_for_update().select_related("person").get(pk=member.pk)
    require_permission(actor, Perm.EDIT_MEMBERS, member.union)
    unknown = set(changes) - set(PERSON_FIELDS) - set(MEMBER_FIELDS)
    if unknown:
        raise DomainError("member.bad_field", f"unknown fields {sorted(unknown)}")
    hardship = changes.pop("is_in_hardship", None)
    if hardship is not None and hardship != member.is_in_hardship:
        member = member_hardship_flag_set(actor=actor, member=member, value=hardship)
        member = Member.objects.select_related("person").get(pk=member.pk)
    person = member.person
    before = {**snapshot(person, PERSON_FIELDS), **snapshot(member, _AUDITED_MEMBER_FIELDS)}
    pchanges = {k: v for k, v in changes.items() if k in PERSON_FIELDS}
    if pchanges:
        cleaned = _clean_changes({k: getattr(person, k) for k in PERSON_FIELDS}, pchanges)
        if (
            cleaned.get("id_number")
            and Person.objects.filter(id_number=cleaned["id_number"]).exclude(pk=person.pk).exists()
        ):
            raise DomainError(
                "person.id_taken", _("Another person has this ID number."), field="id_number"
            )
        for k in PERSON_FIELDS:
            if k in cleaned:
                setattr(person, k, cleaned[k])
        person.save()
    for k, v in changes.items():
        if k in MEMBER_FIELDS:
            setattr(member, k, v)
    member.updated_at = timezone.now()
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError as e:
        raise DomainError(
            "member.number_taken", _("That member number is taken."), field="member_no"
        ) from e
    after = {**snapshot(person, PERSON_FIELDS), **snapshot(member, _AUDITED_MEMBER_FIELDS)}
    audit(
        actor=actor,
        action="member.update",
        obj=member,
        unit=member.union,
        before=before,
        after=after,
    )
    return member


@transaction.atomic
def member_move(*, actor: User | None, member: Member, to_unit: OrgUnit, on: date) -> Member:
    """Move a member to another group or branch of the same union."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    require_permission(actor, Perm.EDIT_MEMBERS, member.union)
    _check_unit_in_union(to_unit, member.union)
    if to_unit.pk == member.unit_id:
        raise DomainError(
            "member.same_unit", _("The member is already in that unit."), field="unit"
        )
    from_unit = member.unit
    member.unit = to_unit
    member.save(update_fields=["unit"])
    _event(member, MembershipEvent.Kind.MOVED, on, actor, from_unit=from_unit, to_unit=to_unit)
    audit(
        actor=actor,
        action="member.move",
        obj=member,
        unit=member.union,
        before={"unit": from_unit.pk},
        after={"unit": to_unit.pk},
    )
    return member


def lifecycle_steps(member: Member) -> list[str]:
    """The lifecycle steps open to a member in their present state (the services refuse
    the others); a page shows buttons for these, as far as the user may take them."""
    status = member.status
    steps: list[str] = []
    if status == MemberStatus.APPLIED:
        steps += ["approve", "reject", "move"]
    if status == MemberStatus.ACTIVE:
        steps += ["move", "transfer_out"]
        if member.work_status != WorkStatus.RETIRED:
            steps.append("retire")
        steps += ["leave", "decease"]
    if status == MemberStatus.LEFT:
        steps.append("reinstate")
    return steps


def _require_active(member: Member) -> None:
    if member.status != MemberStatus.ACTIVE:
        raise DomainError(
            "member.not_active",
            _("%(name)s is not an active member (%(status)s).")
            % {"name": member.person.name, "status": member.get_status_display()},
        )


@transaction.atomic
def member_transfer_out(
    *, actor: User | None, member: Member, on: date, to_union: OrgUnit | None = None, note: str = ""
) -> Member:
    """会籍转出: the member leaves this union's roll for another union (in or outside the
    system); the receiving union takes them in with member_transfer_in."""
    member = Member.objects.select_for_update().select_related("person").get(pk=member.pk)
    require_permission(actor, Perm.EDIT_MEMBERS, member.union)
    _require_active(member)
    if to_union is not None and to_union.pk == member.union_id:
        raise DomainError("member.same_union", _("Choose another union."), field="to_union")
    if to_union is not None and (not to_union.is_union or to_union.archived_at is not None):
        raise DomainError(
            "member.not_union", _("%(u)s is not a union.") % {"u": to_union}, field="to_union"
        )
    if to_union is None and not note.strip():
        raise DomainError(
            "member.note_required",
            _("Name the union outside the system in the note."),
            field="note",
        )
    member.status, member.status_changed_on = MemberStatus.TRANSFERRED_OUT, on
    member.save(update_fields=["status", "status_changed_on"])
    _event(
        member,
        MembershipEvent.Kind.TRANSFERRED_OUT,
        on,
        actor,
        from_unit=member.unit,
        to_unit=to_union,
        note=note,
    )
    audit(
        actor=actor,
        action="member.transfer_out",
        obj=member,
        unit=member.union,
        after={"to_union": to_union.pk if to_union else None},
        note=note,
    )
    return member


@transaction.atomic
def member_transfer_in(
    *, actor: User | None, member: Member, union: OrgUnit, unit: OrgUnit, on: date, note: str = ""
) -> Member:
    """会籍转入: a member transferred out elsewhere joins this union, keeping their history."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    require_permission(actor, Perm.EDIT_MEMBERS, union)
    _check_unit_in_union(unit, union)
    if member.status != MemberStatus.TRANSFERRED_OUT:
        raise DomainError(
            "member.not_transferred", _("Only a member transferred out can be taken in.")
        )
    last_out = member.events.filter(kind=MembershipEvent.Kind.TRANSFERRED_OUT).last()
    if last_out and last_out.to_unit_id and last_out.to_unit_id != union.pk:
        raise DomainError(
            "member.transfer_elsewhere", _("This member was transferred to another union.")
        )
    _lock_union(union)
    from_unit = member.unit
    member.union, member.unit = union, unit
    member.status, member.status_changed_on = MemberStatus.ACTIVE, on
    member.member_no = next_member_no(union)
    member.save()
    _event(
        member,
        MembershipEvent.Kind.TRANSFERRED_IN,
        on,
        actor,
        from_unit=from_unit,
        to_unit=unit,
        note=note,
    )
    audit(
        actor=actor,
        action="member.transfer_in",
        obj=member,
        unit=union,
        before={"unit": from_unit.pk},
        after={"unit": unit.pk},
        note=note,
    )
    return member


@transaction.atomic
def member_retire(*, actor: User | None, member: Member, on: date) -> Member:
    """Retirement changes the work status; retirees stay members (离退休会员)."""
    member = Member.objects.select_for_update().select_related("person").get(pk=member.pk)
    require_permission(actor, Perm.EDIT_MEMBERS, member.union)
    _require_active(member)
    if member.work_status == WorkStatus.RETIRED:
        raise DomainError("member.already_retired", _("The member is already retired."))
    member.work_status, member.retired_on = WorkStatus.RETIRED, on
    member.save(update_fields=["work_status", "retired_on"])
    _event(member, MembershipEvent.Kind.RETIRED, on, actor)
    audit(
        actor=actor,
        action="member.retire",
        obj=member,
        unit=member.union,
        after={"retired_on": on.isoformat()},
    )
    return member


@transaction.atomic
def member_leave(*, actor: User | None, member: Member, on: date, reason: str) -> Member:
    member = Member.objects.select_for_update().select_related("person").get(pk=member.pk)
    require_permission(actor, Perm.EDIT_MEMBERS, member.union)
    _require_active(member)
    if not reason.strip():
        raise DomainError("member.reason_required", _("Give a reason."), field="reason")
    member.status, member.status_changed_on = MemberStatus.LEFT, on
    member.save(update_fields=["status", "status_changed_on"])
    _event(member, MembershipEvent.Kind.LEFT, on, actor, note=reason)
    audit(actor=actor, action="member.leave", obj=member, unit=member.union, note=reason)
    return member


@transaction.atomic
def member_decease(*, actor: User | None, member: Member, on: date, note: str = "") -> Member:
    member = Member.objects.select_for_update().select_related("person").get(pk=member.pk)
    require_permission(actor, Perm.EDIT_MEMBERS, member.union)
    if member.status == MemberStatus.DECEASED:
        raise DomainError("member.already_deceased", _("Already recorded as deceased."))
    _require_active(member)
    member.status, member.status_changed_on = MemberStatus.DECEASED, on
    member.save(update_fields=["status", "status_changed_on"])
    _event(member, MembershipEvent.Kind.DIED, on, actor, note=note)
    audit(actor=actor, action="member.decease", obj=member, unit=member.union, note=note)
    return member


@transaction.atomic
def member_reinstate(*, actor: User | None, member: Member, on: date, note: str = "") -> Member:
    member = Member.objects.select_for_update().get(pk=member.pk)
    require_permission(actor, Perm.EDIT_MEMBERS, member.union)
    if member.status != MemberStatus.LEFT:
        raise DomainError("member.not_left", _("Only a member who left can be reinstated."))
    member.status, member.status_changed_on = MemberStatus.ACTIVE, on
    member.save(update_fields=["status", "status_changed_on"])
    _event(member, MembershipEvent.Kind.REINSTATED, on, actor, note=note)
    audit(actor=actor, action="member.reinstate", obj=member, unit=member.union, note=note)
    return member


# ---- self-service --------------------------------------------------------------------


@transaction.atomic
def profile_update_self(
    *, actor: User, changes: dict[str, Any], reason: str = ""
) -> tuple[Member, ProfileChangeRequest | None]:
    """A member corrects their own profile: contact data changes at once; identity data
    (name, gender, birth date, ID number) waits for a cadre's approval."""
    member = (
        Member.objects.select_for_update()
        .select_related("person", "union")
        .filter(person_id=actor.person_id)
        .first()
        if actor.person_id is not None
        else None
    )
    if member is None:
        raise DomainError("member.no_profile", _("Your account is not linked to a member record."))
    unknown = set(changes) - SELF_SERVICE_DIRECT_FIELDS - SELF_SERVICE_APPROVAL_FIELDS
    if unknown:
        raise DomainError("member.bad_field", _("These fields cannot be changed here."))
    person = member.person
    # Compare cleaned values: a form sends "" for an empty ID number and unnormalised phones.
    current = {k: getattr(person, k) for k in PERSON_FIELDS}
    cleaned = _clean_changes(current, changes)
    changed = [k for k in changes if cleaned.get(k) != current[k]]
    if not changed:
        raise DomainError("member.no_change", _("Nothing was changed."))
    direct = {k: cleaned[k] for k in changed if k in SELF_SERVICE_DIRECT_FIELDS}
    pending = {k: cleaned[k] for k in changed if k in SELF_SERVICE_APPROVAL_FIELDS}
    if pending.get("id_number") and (
        Person.objects.filter(id_number=pending["id_number"]).exclude(pk=person.pk).exists()
    ):
        raise DomainError(
            "person.id_taken", _("Another person has this ID number."), field="id_number"
        )
    if direct:
        before = snapshot(person, list(direct))
        for k, v in direct.items():
            setattr(person, k, v)
        person.save(update_fields=list(direct))
        audit(
            actor=actor,
            action="member.self_update",
            obj=member,
            unit=member.union,
            before=before,
            after=snapshot(person, list(direct)),
        )
    request = None
    if pending:
        if ProfileChangeRequest.objects.filter(member=member, status="pending").exists():
            raise DomainError(
                "member.request_pending", _("A previous correction is still waiting for approval.")
            )
        request = ProfileChangeRequest.objects.create(
            member=member,
            requested_by=actor,
            reason=reason,
            changes={
                k: {"old": _plain(getattr(person, k)), "new": _plain(v)} for k, v in pending.items()
            },
        )
        audit(
            actor=actor,
            action="member.change_request",
            obj=request,
            unit=member.union,
            after=request.changes,
        )
    return member, request


def _plain(v: Any) -> Any:
    return v.isoformat() if isinstance(v, date) else v


@transaction.atomic
def change_request_decide(
    *, actor: User, request: ProfileChangeRequest, approve: bool, note: str = ""
) -> ProfileChangeRequest:
    request = (
        ProfileChangeRequest.objects.select_for_update()
        .select_related("member__person", "member__union")
        .get(pk=request.pk)
    )
    require_permission(actor, Perm.APPROVE_MEMBERS, request.member.union)
    if request.status != ProfileChangeRequest.Status.PENDING:
        raise DomainError("request.decided", _("This request has already been decided."))
    if not approve and not note.strip():
        raise DomainError(
            "request.reason_required", _("Give a reason for rejecting."), field="note"
        )
    if approve:
        new = {k: v["new"] for k, v in request.changes.items()}
        if new.get("birth_date"):
            new["birth_date"] = date.fromisoformat(new["birth_date"])
        member_update(actor=actor, member=request.member, **new)
    request.status = "approved" if approve else "rejected"
    request.decided_by, request.decided_at, request.decision_note = actor, timezone.now(), note
    request.save()
    audit(
        actor=actor,
        action=f"member.change_request_{request.status}",
        obj=request,
        unit=request.member.union,
        note=note,
    )
    return request


# ---- exports --------------------------------------------------------------------------


def member_export_log(
    *, actor: User, count: int, unit: OrgUnit | None, filters: dict[str, Any]
) -> AuditEvent:
    """An export with clear ID numbers and phones is recorded once, with how many rows."""
    return AuditEvent.objects.create(
        actor=actor,
        action="member.export_sensitive",
        object_type=Member._meta.label_lower,
        object_id="export",
        object_repr=_("Member list export"),
        unit=unit,
        after={"count": count, "filters": {k: str(v) for k, v in filters.items() if v}},
        note=_("%(n)s rows with ID numbers and phones") % {"n": count},
    )
