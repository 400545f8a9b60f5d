"""Rest and recuperation (疗休养): rotations with a number of places, nominations from the
list of members who are due, and who went. A member's rest history is the rows of
``RestParticipant`` with status "gone"."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from gonghui.core import access
from gonghui.core.access import Perm
from gonghui.core.errors import DomainError
from gonghui.core.models import OrgUnit, User
from gonghui.core.services import audit, require_permission, snapshot
from gonghui.members.models import Member

from . import rules
from .health import in_work_members
from .models.health import RestParticipant, RestRotation

AUDIT_LABELS = {
    "care.rest_rotation_create": _lazy("Rest rotation created"),
    "care.rest_nominate": _lazy("Members nominated for rest"),
    "care.rest_mark": _lazy("Rest participation marked"),
}

TAKING_PLACES = (RestParticipant.Status.NOMINATED, RestParticipant.Status.GONE)


def rest_rotation_create(
    *,
    actor: User | None,
    union: OrgUnit,
    title: str,
    destination: str,
    starts_on: date,
    ends_on: date,
    capacity: int,
) -> RestRotation:
    require_permission(actor, Perm.MANAGE_CARE, union)
    if not title.strip():
        raise DomainError("care.rest_title", _("Give the rotation a title."), field="title")
    if not destination.strip():
        raise DomainError("care.rest_destination", _("Name the destination."), field="destination")
    if ends_on < starts_on:
        raise DomainError(
            "care.rest_dates", _("The end date is before the start date."), field="ends_on"
        )
    if capacity < 1:
        raise DomainError("care.rest_capacity", _("Give at least one place."), field="capacity")
    with transaction.atomic():
        rotation = RestRotation.objects.create(
            union=union,
            year=starts_on.year,
            title=title.strip()[:120],
            destination=destination.strip()[:120],
            starts_on=starts_on,
            ends_on=ends_on,
            capacity=capacity,
        )
        audit(
            actor=actor,
            action="care.rest_rotation_create",
            obj=rotation,
            unit=union,
            after=snapshot(rotation),
        )
    return rotation


def rest_nominate(
    *, actor: User | None, rotation: RestRotation, members: Iterable[Member]
) -> list[RestParticipant]:
    """Nominate members of the rotation's union, within its places. Already listed members
    are refused by name, so nobody takes two places on one trip."""
    require_permission(actor, Perm.MANAGE_CARE, rotation.union)
    chosen = list(members)
    if not chosen:
        raise DomainError("care.rest_none", _("Choose at least one member."), field="members")
    with transaction.atomic():
        rotation = RestRotation.objects.select_for_update().get(pk=rotation.pk)
        eligible = set(in_work_members(rotation.union).values_list("pk", flat=True))
        for m in chosen:
            if m.pk not in eligible:
                raise DomainError(
                    "care.rest_member",
                    _("%(name)s is not an active member in work of this union.")
                    % {"name": m.person.name},
                    field="members",
                )
        listed = set(
            RestParticipant.objects.filter(rotation=rotation).values_list("member_id", flat=True)
        )
        again = [m for m in chosen if m.pk in listed]
        if again:
            raise DomainError(
                "care.rest_twice",
                _("%(name)s is already on this rotation.") % {"name": again[0].person.name},
                field="members",
            )
        taken = RestParticipant.objects.filter(rotation=rotation, status__in=TAKING_PLACES).count()
        if taken + len(chosen) > rotation.capacity:
            raise DomainError(
                "care.rest_full",
                _("Only %(n)s places are left on this rotation.")
                % {"n": rotation.capacity - taken},
                field="members",
            )
        rows = [RestParticipant.objects.create(rotation=rotation, member=m) for m in chosen]
        audit(
            actor=actor,
            action="care.rest_nominate",
            obj=rotation,
            unit=rotation.union,
            after={"members": [m.pk for m in chosen]},
        )
    return rows


def rest_mark(*, actor: User | None, participant: RestParticipant, status: str) -> RestParticipant:
    """Record that a nominee went or declined (or undo to nominated)."""
    require_permission(actor, Perm.MANAGE_CARE, participant.rotation.union)
    if status not in RestParticipant.Status.values:
        raise DomainError("care.rest_status", _("Choose went or declined."), field="status")
    with transaction.atomic():
        p = RestParticipant.objects.select_for_update().get(pk=participant.pk)
        before = snapshot(p)
        if status == RestParticipant.Status.NOMINATED and p.status != status:
            taken = RestParticipant.objects.filter(
                rotation_id=p.rotation_id, status__in=TAKING_PLACES
            ).count()
            if taken >= participant.rotation.capacity:
                raise DomainError(
                    "care.rest_full", _("No places are left on this rotation."), field="status"
                )
        p.status, p.updated_at = status, timezone.now()
        p.save(update_fields=["status", "updated_at"])
        audit(
            actor=actor,
            action="care.rest_mark",
            obj=p,
            unit=participant.rotation.union,
            before=before,
            after=snapshot(p),
        )
    return p


# ---- reads -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueRow:
    member: Member
    last_gone_year: int | None


def due_list(
    union: OrgUnit, year: int, every_years: int = rules.DEFAULT_REST_EVERY_YEARS
) -> list[DueRow]:
    """Members in work who are due in ``year`` (``rules.rest_due``), longest waiting first."""
    last = dict(
        RestParticipant.objects.filter(rotation__union=union, status=RestParticipant.Status.GONE)
        .values("member_id")
        .annotate(y=Max("rotation__year"))
        .values_list("member_id", "y")
    )
    members = in_work_members(union).select_related("person", "unit").order_by("person__name")
    rows = [
        DueRow(m, last.get(m.pk))
        for m in members
        if rules.rest_due(last.get(m.pk), year, every_years)
    ]
    return sorted(rows, key=lambda r: (r.last_gone_year or 0, r.member.person.name))


def rotation_for(user: Any, pk: int) -> RestRotation | None:
    qs = access.scope(RestRotation.objects.all(), user, Perm.MANAGE_CARE, "union")
    return qs.select_related("union").filter(pk=pk).first()


def participants_of(rotation: RestRotation) -> list[RestParticipant]:
    return list(
        RestParticipant.objects.filter(rotation=rotation)
        .select_related("member__person", "member__unit")
        .order_by("pk")
    )


def rest_history(member: Member) -> list[RestParticipant]:
    return list(
        RestParticipant.objects.filter(member=member)
        .select_related("rotation")
        .order_by("-rotation__starts_on", "-pk")
    )
