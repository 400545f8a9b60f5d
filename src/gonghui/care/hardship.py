"""Hardship files (困难职工档案): every write, the scoped reads, and the read log.

Who may do what (``core.access``): the chair and named care officers (``Perm.VIEW_HARDSHIP``)
open and keep files; nobody else sees a name, not a cadre, not an administrator. The chair
(``VIEW_HARDSHIP`` together with ``VIEW_AUDIT``) also reads the read log and may export
names in clear. Upper unions see counts only (``hardship_counts``); a member sees their own
file in a reduced form (``my_file``).

Every view of a file's details, every export row and every other read of a file writes an
AuditEvent with the action ``care.hardship_read`` (PIPL: hardship data is sensitive personal
information). Audit rows name a file by its number (KN-2026-001), never by the member's name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from gonghui.core import access
from gonghui.core.access import Perm
from gonghui.core.errors import DomainError
from gonghui.core.models import (
    UNION_KINDS,
    AuditEvent,
    CommitteePosition,
    OrgUnit,
    Person,
    Role,
    RoleGrant,
    User,
)
from gonghui.core.services import audit, snapshot
from gonghui.members import services as member_services
from gonghui.members.models import Member, MemberStatus
from gonghui.members.queries import member_of_user

from . import ledger, rules
from .models import (
    AidRecord,
    CapItem,
    CarePayment,
    HardshipCause,
    HardshipFamilyMember,
    HardshipFile,
    HardshipReview,
    HardshipTier,
)

AUDIT_LABELS = {
    "care.hardship_open": _lazy("Hardship file opened"),
    "care.hardship_update": _lazy("Hardship file changed"),
    "care.hardship_pair": _lazy("Hardship pairing changed"),
    "care.hardship_family_add": _lazy("Hardship family member added"),
    "care.hardship_family_update": _lazy("Hardship family member changed"),
    "care.hardship_family_archive": _lazy("Hardship family member archived"),
    "care.hardship_review": _lazy("Hardship file re-checked"),
    "care.hardship_exit": _lazy("Out of hardship"),
    "care.hardship_aid": _lazy("Hardship aid recorded"),
    "care.hardship_read": _lazy("Hardship file read"),
}

READ_ACTION = "care.hardship_read"
FILE_FIELDS = [
    "tier",
    "primary_cause",
    "secondary_causes",
    "household_size",
    "household_income_monthly",
    "hardship_costs_monthly",
    "local_min_income_line",
    "needs",
    "measures",
]
FAMILY_FIELDS = ["name", "relation", "birth_year", "occupation", "income_monthly", "health"]
# Roles whose holders may be paired with a household (一帮一) besides committee members.
PAIRING_ROLES = (Role.CHAIR, Role.CADRE, Role.CARE_OFFICER)


# ---- who may do what ---------------------------------------------------------------------


def may_view(user: Any, union: OrgUnit) -> bool:
    return access.has_perm(user, Perm.VIEW_HARDSHIP, union)


def may_edit(user: Any, union: OrgUnit) -> bool:
    return may_view(user, union) and access.has_perm(user, Perm.MANAGE_CARE, union)


def may_oversee(user: Any, union: OrgUnit) -> bool:
    """The chair: reads the read log and may export names in clear. A care officer keeps
    files but does not audit who read them."""
    return may_view(user, union) and access.has_perm(user, Perm.VIEW_AUDIT, union)


def may_oversee_any(user: Any) -> bool:
    return any(may_oversee(user, u) for u in access.top_units(user, Perm.VIEW_HARDSHIP))


def _require_edit(actor: User | None, union: OrgUnit) -> None:
    # actor None is the system's own work (demo seed, commands given a union).
    if actor is not None and not may_edit(actor, union):
        raise DomainError(
            "hardship.forbidden",
            _("Only the union chair and named care officers may keep hardship files."),
        )


# ---- small checks ------------------------------------------------------------------------


def _money(value: Any, field_name: str, label: str) -> Decimal:
    try:
        amount = rules.yuan(Decimal(str(value if value not in (None, "") else 0)))
    except (InvalidOperation, ValueError) as e:
        raise DomainError(
            "hardship.amount", _("%(f)s is not an amount.") % {"f": label}, field=field_name
        ) from e
    if amount < 0:
        raise DomainError(
            "hardship.amount", _("%(f)s cannot be negative.") % {"f": label}, field=field_name
        )
    return amount


def _check_date(on: date | None, field_name: str, *, not_before: date | None = None) -> date:
    if on is None:
        raise DomainError("hardship.date", _("Give the date."), field=field_name)
    if on > timezone.localdate():
        raise DomainError("hardship.date", _("The date cannot be in the future."), field=field_name)
    if not_before and on < not_before:
        raise DomainError(
            "hardship.date",
            _("The date cannot be before the file was opened (%(d)s).") % {"d": not_before},
            field=field_name,
        )
    return on


def _check_tier(tier: str, field_name: str = "tier") -> str:
    if tier not in HardshipTier.values:
        raise DomainError("hardship.tier", _("Choose a hardship tier."), field=field_name)
    return tier


def _check_causes(primary: str, secondary: Iterable[str]) -> list[str]:
    secondary = [c for c in secondary if c]
    if primary not in HardshipCause.values:
        raise DomainError(
            "hardship.cause", _("Choose the primary cause of hardship."), field="primary_cause"
        )
    unknown = [c for c in secondary if c not in HardshipCause.values]
    if unknown or not rules.causes_valid(primary, secondary):
        raise DomainError(
            "hardship.causes",
            _("Give up to %(n)s other causes, each once and none the same as the primary cause.")
            % {"n": rules.MAX_SECONDARY_CAUSES},
            field="secondary_causes",
        )
    return secondary


def _check_household(size: Any) -> int:
    try:
        n = int(size)
    except (TypeError, ValueError):
        n = 0
    if n < 1:
        raise DomainError(
            "hardship.household",
            _("A household has at least one person."),
            field="household_size",
        )
    return n


def pairing_candidates(union: OrgUnit) -> QuerySet[Person]:
    """People a household may be paired with (一帮一): the union's sitting committee
    members and the holders of a chair, cadre or care-officer role on the union."""
    on_committee = CommitteePosition.objects.filter(
        ends_on__isnull=True,
        term__ended_on__isnull=True,
        term__committee__union=union,
    ).values("person_id")
    above = union.ancestor_ids()
    with_role = RoleGrant.objects.filter(
        revoked_at__isnull=True,
        role__in=PAIRING_ROLES,
        unit_id__in=above,
        user__person__isnull=False,
    ).values("user__person_id")
    return Person.objects.filter(Q(pk__in=on_committee) | Q(pk__in=with_role)).order_by("name")


def _check_pair(union: OrgUnit, cadre: Person | None) -> Person | None:
    if cadre is None:
        return None
    if not pairing_candidates(union).filter(pk=cadre.pk).exists():
        raise DomainError(
            "hardship.pair",
            _("%(p)s is not a committee member or cadre of this union.") % {"p": cadre.name},
            field="pair_cadre",
        )
    return cadre


def _lock(file: HardshipFile) -> HardshipFile:
    return (
        HardshipFile.objects.select_for_update()
        .select_related("union", "member__person")
        .get(pk=file.pk)
    )


def _require_active(file: HardshipFile) -> None:
    if file.status != HardshipFile.Status.ACTIVE:
        raise DomainError(
            "hardship.closed",
            _("File %(no)s is closed (out of hardship); open a new file if needed.")
            % {"no": file.file_no},
        )


def _set_member_flag(actor: User | None, member: Member, value: bool) -> None:
    # The "in hardship" category on the roster follows the files.
    member_services.member_hardship_flag_set(actor=actor, member=member, value=value)


def next_file_no(union: OrgUnit, year: int) -> str:
    prefix = f"KN-{year}-"
    taken = HardshipFile.objects.filter(union=union, file_no__startswith=prefix).values_list(
        "file_no", flat=True
    )
    seqs = [int(no[len(prefix) :]) for no in taken if no[len(prefix) :].isdigit()]
    return f"{prefix}{max(seqs, default=0) + 1:03d}"


# ---- files -------------------------------------------------------------------------------


@transaction.atomic
def hardship_file_open(
    *,
    actor: User | None,
    member: Member,
    tier: str,
    primary_cause: str,
    secondary_causes: Iterable[str] = (),
    household_size: int = 1,
    household_income_monthly: Decimal | str | int = 0,
    hardship_costs_monthly: Decimal | str | int = 0,
    local_min_income_line: Decimal | str | int | None = None,
    needs: str = "",
    measures: str = "",
    pair_cadre: Person | None = None,
    opened_on: date,
) -> HardshipFile:
    """Open a member's hardship file: one active file per member, numbered KN-year-seq
    within the union, first re-check in the next November survey."""
    member = Member.objects.select_related("union", "person").get(pk=member.pk)
    union = member.union
    _require_edit(actor, union)
    # One lock per union keeps file numbers and the one-active-file rule race-free.
    OrgUnit.objects.select_for_update().filter(pk=union.pk).first()
    if member.status != MemberStatus.ACTIVE:
        raise DomainError(
            "hardship.member_inactive",
            _("%(name)s is not an active member.") % {"name": member.person.name},
            field="member",
        )
    if HardshipFile.objects.filter(member=member, status=HardshipFile.Status.ACTIVE).exists():
        raise DomainError(
            "hardship.file_exists",
            _("%(name)s already has an active hardship file.") % {"name": member.person.name},
            field="member",
        )
    _check_date(opened_on, "opened_on")
    line = None
    if local_min_income_line not in (None, ""):
        line = _money(local_min_income_line, "local_min_income_line", _("Minimum-income line"))
    file = HardshipFile(
        union=union,
        member=member,
        file_no=next_file_no(union, opened_on.year),
        tier=_check_tier(tier),
        primary_cause=primary_cause,
        secondary_causes=_check_causes(primary_cause, secondary_causes),
        household_size=_check_household(household_size),
        household_income_monthly=_money(
            household_income_monthly, "household_income_monthly", _("Household income")
        ),
        hardship_costs_monthly=_money(
            hardship_costs_monthly, "hardship_costs_monthly", _("Hardship costs")
        ),
        local_min_income_line=line,
        needs=needs.strip(),
        measures=measures.strip(),
        pair_cadre=_check_pair(union, pair_cadre),
        opened_on=opened_on,
        next_review_on=rules.next_review_on(opened_on),
        created_by=actor if actor and actor.pk else None,
    )
    try:
        with transaction.atomic():
            file.save()
    except IntegrityError as e:  # a concurrent open for the same member
        raise DomainError(
            "hardship.file_exists",
            _("%(name)s already has an active hardship file.") % {"name": member.person.name},
            field="member",
        ) from e
    _set_member_flag(actor, member, True)
    audit(actor=actor, action="care.hardship_open", obj=file, unit=union, after=snapshot(file))
    return file


@transaction.atomic
def hardship_file_update(*, actor: User | None, file: HardshipFile, **changes: Any) -> HardshipFile:
    """Change a file's figures, tier, causes, needs or measures (an active file only)."""
    file = _lock(file)
    _require_edit(actor, file.union)
    _require_active(file)
    unknown = set(changes) - set(FILE_FIELDS)
    if unknown:
        raise DomainError("hardship.bad_field", f"unknown fields {sorted(unknown)}")
    before = snapshot(file, FILE_FIELDS)
    merged = {k: changes.get(k, getattr(file, k)) for k in FILE_FIELDS}
    file.tier = _check_tier(merged["tier"])
    file.secondary_causes = _check_causes(merged["primary_cause"], merged["secondary_causes"])
    file.primary_cause = merged["primary_cause"]
    file.household_size = _check_household(merged["household_size"])
    file.household_income_monthly = _money(
        merged["household_income_monthly"], "household_income_monthly", _("Household income")
    )
    file.hardship_costs_monthly = _money(
        merged["hardship_costs_monthly"], "hardship_costs_monthly", _("Hardship costs")
    )
    line = merged["local_min_income_line"]
    file.local_min_income_line = (
        None
        if line in (None, "")
        else _money(line, "local_min_income_line", _("Minimum-income line"))
    )
    file.needs = (merged["needs"] or "").strip()
    file.measures = (merged["measures"] or "").strip()
    file.save()
    audit(
        actor=actor,
        action="care.hardship_update",
        obj=file,
        unit=file.union,
        before=before,
        after=snapshot(file, FILE_FIELDS),
    )
    return file


@transaction.atomic
def hardship_pair(*, actor: User | None, file: HardshipFile, cadre: Person | None) -> HardshipFile:
    """Pair the household with a committee member or cadre (一帮一), or end the pairing."""
    file = _lock(file)
    _require_edit(actor, file.union)
    _require_active(file)
    before = snapshot(file, ["pair_cadre_id"])
    file.pair_cadre = _check_pair(file.union, cadre)
    file.save(update_fields=["pair_cadre"])
    audit(
        actor=actor,
        action="care.hardship_pair",
        obj=file,
        unit=file.union,
        before=before,
        after=snapshot(file, ["pair_cadre_id"]),
    )
    return file


def _close(actor: User | None, file: HardshipFile, on: date, reason: str) -> None:
    before = snapshot(file, ["status", "exited_on", "exit_reason"])
    file.status = HardshipFile.Status.EXITED
    file.exited_on = on
    file.exit_reason = reason[:300]
    file.save(update_fields=["status", "exited_on", "exit_reason"])
    _set_member_flag(actor, file.member, False)
    audit(
        actor=actor,
        action="care.hardship_exit",
        obj=file,
        unit=file.union,
        before=before,
        after=snapshot(file, ["status", "exited_on", "exit_reason"]),
        note=reason,
    )


@transaction.atomic
def hardship_exit(
    *, actor: User | None, file: HardshipFile, exited_on: date, reason: str
) -> HardshipFile:
    """Close a file: the household is out of hardship (解困脱困). The record stays."""
    file = _lock(file)
    _require_edit(actor, file.union)
    _require_active(file)
    if not reason.strip():
        raise DomainError(
            "hardship.reason", _("Say why the household is out of hardship."), field="reason"
        )
    _check_date(exited_on, "exited_on", not_before=file.opened_on)
    _close(actor, file, exited_on, reason.strip())
    return file


@transaction.atomic
def hardship_review(
    *,
    actor: User | None,
    file: HardshipFile,
    reviewed_on: date,
    outcome: str,
    tier_after: str = "",
    income: Decimal | str | int,
    note: str = "",
) -> HardshipReview:
    """Record the yearly re-check (动态管理). Reviews are append-only; the next re-check
    moves to the November after this one; an exit outcome closes the file."""
    file = _lock(file)
    _require_edit(actor, file.union)
    _require_active(file)
    _check_date(reviewed_on, "reviewed_on", not_before=file.opened_on)
    if outcome not in HardshipReview.Outcome.values:
        raise DomainError("hardship.outcome", _("Choose the outcome."), field="outcome")
    income_value = _money(income, "income", _("Household income"))
    if outcome == HardshipReview.Outcome.RETIER:
        _check_tier(tier_after, "tier_after")
        if tier_after == file.tier:
            raise DomainError(
                "hardship.same_tier",
                _("The new tier is the same as the current one."),
                field="tier_after",
            )
    elif outcome == HardshipReview.Outcome.CONTINUE:
        tier_after = file.tier
    else:
        tier_after = ""
        if not note.strip():
            raise DomainError(
                "hardship.reason", _("Say why the household is out of hardship."), field="note"
            )
    review = HardshipReview.objects.create(
        file=file,
        reviewed_on=reviewed_on,
        outcome=outcome,
        tier_before=file.tier,
        tier_after=tier_after,
        household_income_monthly=income_value,
        note=note.strip(),
        reviewed_by=actor if actor and actor.pk else None,
    )
    before = snapshot(file, ["tier", "household_income_monthly", "next_review_on"])
    if tier_after:
        file.tier = tier_after
    file.household_income_monthly = income_value
    file.next_review_on = rules.next_review_on(reviewed_on)
    file.save(update_fields=["tier", "household_income_monthly", "next_review_on"])
    audit(
        actor=actor,
        action="care.hardship_review",
        obj=file,
        unit=file.union,
        before=before,
        after=snapshot(file, ["tier", "household_income_monthly", "next_review_on"]),
        note=f"review {review.pk}: {outcome}",
    )
    if outcome == HardshipReview.Outcome.EXIT:
        _close(actor, file, reviewed_on, note.strip())
    return review


# ---- family members ----------------------------------------------------------------------


def _family_values(data: dict[str, Any]) -> dict[str, Any]:
    name = (data.get("name") or "").strip()
    relation = (data.get("relation") or "").strip()
    if not name:
        raise DomainError("hardship.family_name", _("Give the name."), field="name")
    if not relation:
        raise DomainError("hardship.family_relation", _("Give the relation."), field="relation")
    year = data.get("birth_year")
    if year not in (None, ""):
        year = int(year)
        if not 1900 <= year <= timezone.localdate().year:
            raise DomainError(
                "hardship.birth_year", _("The year of birth is not plausible."), field="birth_year"
            )
    else:
        year = None
    return {
        "name": name,
        "relation": relation,
        "birth_year": year,
        "occupation": (data.get("occupation") or "").strip(),
        "income_monthly": _money(data.get("income_monthly"), "income_monthly", _("Income")),
        "health": (data.get("health") or "").strip(),
    }


@transaction.atomic
def family_member_add(
    *,
    actor: User | None,
    file: HardshipFile,
    name: str,
    relation: str,
    birth_year: int | None = None,
    occupation: str = "",
    income_monthly: Decimal | str | int = 0,
    health: str = "",
) -> HardshipFamilyMember:
    file = _lock(file)
    _require_edit(actor, file.union)
    _require_active(file)
    values = _family_values(
        {
            "name": name,
            "relation": relation,
            "birth_year": birth_year,
            "occupation": occupation,
            "income_monthly": income_monthly,
            "health": health,
        }
    )
    person = HardshipFamilyMember.objects.create(file=file, **values)
    audit(
        actor=actor,
        action="care.hardship_family_add",
        obj=person,
        unit=file.union,
        after=snapshot(person, FAMILY_FIELDS),
    )
    return person


def _lock_family_member(
    actor: User | None, family_member: HardshipFamilyMember
) -> HardshipFamilyMember:
    """The family member, locked for a change, once the actor may change them: on an active
    file, not archived."""
    person = (
        HardshipFamilyMember.objects.select_for_update()
        .select_related("file__union")
        .get(pk=family_member.pk)
    )
    _require_edit(actor, person.file.union)
    _require_active(person.file)
    if person.archived_at is not None:
        raise DomainError("hardship.family_archived", _("This family member is archived."))
    return person


@transaction.atomic
def family_member_update(
    *, actor: User | None, family_member: HardshipFamilyMember, **changes: Any
) -> HardshipFamilyMember:
    person = _lock_family_member(actor, family_member)
    unknown = set(changes) - set(FAMILY_FIELDS)
    if unknown:
        raise DomainError("hardship.bad_field", f"unknown fields {sorted(unknown)}")
    before = snapshot(person, FAMILY_FIELDS)
    values = _family_values({k: changes.get(k, getattr(person, k)) for k in FAMILY_FIELDS})
    for k, v in values.items():
        setattr(person, k, v)
    person.save()
    audit(
        actor=actor,
        action="care.hardship_family_update",
        obj=person,
        unit=person.file.union,
        before=before,
        after=snapshot(person, FAMILY_FIELDS),
    )
    return person


@transaction.atomic
def family_member_archive(
    *, actor: User | None, family_member: HardshipFamilyMember, reason: str
) -> HardshipFamilyMember:
    """Take a person off the household table (moved out, died...); the row stays."""
    person = _lock_family_member(actor, family_member)
    if not reason.strip():
        raise DomainError("hardship.reason", _("Give a reason."), field="reason")
    person.archived_at = timezone.now()
    person.archive_reason = reason.strip()[:200]
    person.save(update_fields=["archived_at", "archive_reason"])
    audit(
        actor=actor,
        action="care.hardship_family_archive",
        obj=person,
        unit=person.file.union,
        after={"archived_at": person.archived_at.isoformat()},
        note=reason,
    )
    return person


# ---- aid ---------------------------------------------------------------------------------

# Referrals are help without money from the union; every other kind is normally paid.
NON_CASH_KINDS = {AidRecord.Kind.MIN_INCOME, AidRecord.Kind.LEGAL}


@transaction.atomic
def aid_record(
    *,
    actor: User | None,
    file: HardshipFile,
    kind: str,
    given_on: date,
    amount: Decimal | str | int = 0,
    description: str = "",
    student_name: str = "",
    student_school: str = "",
    responsible: Person | None = None,
) -> AidRecord:
    """Record aid given to a household. Money posts to the care ledger (item "hardship",
    source "aid"), where a province's cap, if one is set, is checked."""
    file = _lock(file)
    _require_edit(actor, file.union)
    _require_active(file)
    if kind not in AidRecord.Kind.values:
        raise DomainError("hardship.aid_kind", _("Choose the kind of aid."), field="kind")
    _check_date(given_on, "given_on", not_before=file.opened_on)
    value = _money(amount, "amount", _("Amount"))
    if value == 0 and kind not in NON_CASH_KINDS:
        raise DomainError("hardship.aid_amount", _("Give the amount of aid."), field="amount")
    student_name, student_school = student_name.strip(), student_school.strip()
    if kind == AidRecord.Kind.EDUCATION:
        if not student_name:
            raise DomainError(
                "hardship.student", _("Education aid names the student."), field="student_name"
            )
        if not student_school:
            raise DomainError(
                "hardship.school",
                _("Education aid names the student's school or college."),
                field="student_school",
            )
    else:
        student_name = student_school = ""
    aid = AidRecord.objects.create(
        file=file,
        kind=kind,
        given_on=given_on,
        amount=value,
        description=description.strip()[:300],
        student_name=student_name,
        student_school=student_school,
        responsible=responsible,
        recorded_by=actor if actor and actor.pk else None,
    )
    if value > 0:
        aid.payment = ledger.payment_post(
            actor=actor,
            member=file.member,
            cap_item=CapItem.HARDSHIP,
            paid_on=given_on,
            cash=value,
            source=CarePayment.Source.AID,
            source_id=aid.pk,
            responsible=responsible,
        )
        aid.save(update_fields=["payment"])
    audit(actor=actor, action="care.hardship_aid", obj=aid, unit=file.union, after=snapshot(aid))
    return aid


# ---- reads and the read log --------------------------------------------------------------


def files_visible(user: Any) -> QuerySet[HardshipFile]:
    """Files the user may open: in the unions where they hold VIEW_HARDSHIP."""
    qs = HardshipFile.objects.select_related("union", "member__person", "member__unit")
    return access.scope(qs, user, Perm.VIEW_HARDSHIP, "union")


def file_for_page(user: Any, file_id: int) -> HardshipFile | None:
    return files_visible(user).select_related("pair_cadre").filter(pk=file_id).first()


def log_read(*, actor: User, file: HardshipFile, context: str) -> AuditEvent:
    """Record that ``actor`` read ``file`` (a page, an export, any other read)."""
    return AuditEvent.objects.create(
        actor=actor if actor and actor.pk else None,
        action=READ_ACTION,
        object_type=HardshipFile._meta.label_lower,
        object_id=str(file.pk),
        object_repr=str(file),
        unit=file.union,
        note=context[:300],
    )


def log_reads(*, actor: User, files: Iterable[HardshipFile], context: str) -> int:
    """One read row per file, written together (exports)."""
    rows = [
        AuditEvent(
            actor=actor if actor and actor.pk else None,
            action=READ_ACTION,
            object_type=HardshipFile._meta.label_lower,
            object_id=str(f.pk),
            object_repr=str(f),
            unit_id=f.union_id,
            note=context[:300],
        )
        for f in files
    ]
    AuditEvent.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def read_events(user: Any, *, file_id: int | None = None) -> QuerySet[AuditEvent]:
    """The read log of the unions the user oversees (chair), newest first."""
    unions = [u for u in access.top_units(user, Perm.VIEW_HARDSHIP) if may_oversee(user, u)]
    if not unions:
        return AuditEvent.objects.none()
    q = Q()
    for u in unions:
        q |= Q(unit__path__startswith=u.path)
    qs = AuditEvent.objects.filter(q, action=READ_ACTION).select_related("actor")
    if file_id is not None:
        qs = qs.filter(object_type=HardshipFile._meta.label_lower, object_id=str(file_id))
    return qs.order_by("-at", "-id")


def due_filter(today: date) -> Q:
    """Active files due for the re-check: the date has come, and in November (the survey
    month) every file not yet re-checked this year that was opened before the survey."""
    due = Q(next_review_on__lte=today)
    if today.month == 11:
        survey = date(today.year, 11, 1)
        due |= Q(opened_on__lt=survey) & ~Q(reviews__reviewed_on__year=today.year)
    return Q(status=HardshipFile.Status.ACTIVE) & due


def hardship_reviews_due(union: OrgUnit, today: date) -> list[HardshipFile]:
    """Files of ``union`` and the unions below it whose re-check is due on ``today``."""
    qs = HardshipFile.objects.filter(union__path__startswith=union.path).filter(due_filter(today))
    return list(
        qs.distinct().select_related("union", "member__person").order_by("next_review_on", "pk")
    )


def reviews_due_by_union(today: date, union: OrgUnit | None = None) -> list[tuple[OrgUnit, int]]:
    """(union, number of files due) for every union with a re-check due, for reminders;
    with ``union``, that union and the unions below it only."""
    files = HardshipFile.objects.all()
    if union is not None:
        files = files.filter(union__path__startswith=union.path)
    rows = (
        files.filter(due_filter(today))
        .values("union_id")
        .annotate(n=Count("pk", distinct=True))
        .order_by("union_id")
    )
    counts = {r["union_id"]: r["n"] for r in rows}
    units = OrgUnit.objects.in_bulk(list(counts))
    return [(units[pk], n) for pk, n in counts.items()]


def my_file(user: Any) -> tuple[Member | None, HardshipFile | None]:
    """The member's own newest file (an active one first), for the self-service page."""
    member = member_of_user(user) if user.is_authenticated else None
    if member is None:
        return None, None
    file = (
        HardshipFile.objects.filter(member=member)
        .select_related("union", "pair_cadre")
        .order_by("status", "-opened_on", "-pk")  # "active" sorts before "exited"
        .first()
    )
    return member, file


def aid_total(file: HardshipFile) -> Decimal:
    return rules.yuan(file.aid.aggregate(s=Sum("amount"))["s"] or 0)


# ---- counts for upper unions -------------------------------------------------------------


@dataclass
class UnionCounts:
    union: OrgUnit
    active: int = 0
    exited: int = 0
    by_tier: dict[str, int] = field(default_factory=dict)
    by_cause: dict[str, int] = field(default_factory=dict)
    aid_amount: Decimal = Decimal("0.00")
    aid_count: int = 0


def counted_unions(user: Any) -> list[OrgUnit]:
    """Unions whose counts the user may see: those strictly below a unit where they hold
    statistics rights (an upper union), and their own unions where they keep files.
    Administrators are left out on purpose: hardship is not theirs to read, even counted."""
    tops = list(access.top_units(user, Perm.VIEW_HARDSHIP))
    q = Q()
    for t in tops:
        q |= Q(path__startswith=t.path)
    if not access.is_admin(user):
        for t in access.top_units(user, Perm.VIEW_STATS):
            q |= Q(path__startswith=t.path) & ~Q(pk=t.pk)
    if not q:
        return []
    return list(
        OrgUnit.objects.filter(q, kind__in=UNION_KINDS, archived_at__isnull=True).order_by("path")
    )


def may_see_counts(user: Any) -> bool:
    return bool(counted_unions(user))


def hardship_counts(user: Any, *, year: int) -> list[UnionCounts]:
    """Active files by tier and by primary cause, files closed, and aid given in ``year``,
    per union the user may count. Figures only: no names, no file numbers."""
    unions = counted_unions(user)
    out = {u.pk: UnionCounts(union=u) for u in unions}
    files = HardshipFile.objects.filter(union_id__in=list(out))
    for row in files.values("union_id", "status", "tier", "primary_cause").annotate(n=Count("pk")):
        c = out[row["union_id"]]
        if row["status"] == HardshipFile.Status.EXITED:
            c.exited += row["n"]
            continue
        c.active += row["n"]
        c.by_tier[row["tier"]] = c.by_tier.get(row["tier"], 0) + row["n"]
        c.by_cause[row["primary_cause"]] = c.by_cause.get(row["primary_cause"], 0) + row["n"]
    aid = (
        AidRecord.objects.filter(file__union_id__in=list(out), given_on__year=year)
        .values("file__union_id")
        .annotate(s=Sum("amount"), n=Count("pk"))
    )
    for aid_row in aid:
        c = out[aid_row["file__union_id"]]
        c.aid_amount, c.aid_count = rules.yuan(aid_row["s"] or 0), aid_row["n"]
    return list(out.values())
