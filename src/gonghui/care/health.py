"""Health-check campaigns (体检月, 女职工专项检查): who is scheduled, who went, who is
excused, and the campaign's progress. No medical results are kept, only attendance.

Health-check lists are health data: only holders of MANAGE_CARE in the union and the
member themselves see names; upper unions see counts (``summary``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from gonghui.core import access
from gonghui.core.access import Perm
from gonghui.core.errors import DomainError
from gonghui.core.models import UNION_KINDS, OrgUnit, User
from gonghui.core.services import audit, require_permission, snapshot
from gonghui.members.models import Member, MemberStatus, WorkStatus

from . import rules
from .models.health import HealthCampaign, HealthCheck

AUDIT_LABELS = {
    "care.health_campaign_create": _lazy("Health-check campaign created"),
    "care.health_campaign_close": _lazy("Health-check campaign closed"),
    "care.health_schedule": _lazy("Health checks scheduled"),
    "care.health_check_mark": _lazy("Health check marked"),
}

# A campaign that runs longer than a school term is a typing mistake.
MAX_CAMPAIGN_DAYS = 184


def manageable_unions(user: Any) -> list[OrgUnit]:
    """Unions where the user runs care work (health, rest, retirees)."""
    units = access.units_with(user, Perm.MANAGE_CARE).filter(kind__in=list(UNION_KINDS))
    return list(units.order_by("path"))


def in_work_members(union: OrgUnit, *, women_only: bool = False) -> QuerySet[Member]:
    """Active members in work: those a health check or a rest trip is for."""
    qs = Member.objects.filter(
        union=union, status=MemberStatus.ACTIVE, work_status=WorkStatus.WORKING
    )
    if women_only:
        qs = qs.filter(person__gender="F")
    return qs


def _check_dates(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise DomainError(
            "care.health_dates", _("The end date is before the start date."), field="ends_on"
        )
    if (ends_on - starts_on).days > MAX_CAMPAIGN_DAYS:
        raise DomainError(
            "care.health_dates", _("A campaign lasts at most six months."), field="ends_on"
        )


def health_campaign_create(
    *,
    actor: User | None,
    union: OrgUnit,
    kind: str,
    title: str,
    starts_on: date,
    ends_on: date,
    provider: str = "",
) -> HealthCampaign:
    require_permission(actor, Perm.MANAGE_CARE, union)
    if kind not in HealthCampaign.Kind.values:
        raise DomainError("care.health_kind", _("Choose the kind of check."), field="kind")
    if not title.strip():
        raise DomainError("care.health_title", _("Give the campaign a title."), field="title")
    _check_dates(starts_on, ends_on)
    with transaction.atomic():
        campaign = HealthCampaign.objects.create(
            union=union,
            year=starts_on.year,
            kind=kind,
            title=title.strip()[:120],
            provider=provider.strip()[:120],
            starts_on=starts_on,
            ends_on=ends_on,
            created_by=actor if actor and actor.pk else None,
        )
        audit(
            actor=actor,
            action="care.health_campaign_create",
            obj=campaign,
            unit=union,
            after=snapshot(campaign),
        )
    return campaign


def _lock_open(campaign: HealthCampaign) -> HealthCampaign:
    campaign = HealthCampaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != HealthCampaign.Status.OPEN:
        raise DomainError("care.health_closed", _("This campaign is closed."))
    return campaign


def health_checks_schedule(
    *,
    actor: User | None,
    campaign: HealthCampaign,
    scheduled_on: date,
    women_only: bool = False,
) -> int:
    """Put every active member in work (women only for a women's check, or when asked) on
    the campaign's list, scheduled on one day; members already listed keep their place.
    Returns how many were added."""
    require_permission(actor, Perm.MANAGE_CARE, campaign.union)
    if not campaign.starts_on <= scheduled_on <= campaign.ends_on:
        raise DomainError(
            "care.health_schedule_date",
            _("The check day must lie within the campaign's dates."),
            field="scheduled_on",
        )
    women_only = women_only or campaign.kind == HealthCampaign.Kind.WOMEN
    with transaction.atomic():
        campaign = _lock_open(campaign)
        listed = HealthCheck.objects.filter(campaign=campaign).values("member_id")
        ids = list(
            in_work_members(campaign.union, women_only=women_only)
            .exclude(pk__in=listed)
            .values_list("pk", flat=True)
        )
        HealthCheck.objects.bulk_create(
            [HealthCheck(campaign=campaign, member_id=i, scheduled_on=scheduled_on) for i in ids],
            batch_size=1000,
        )
        audit(
            actor=actor,
            action="care.health_schedule",
            obj=campaign,
            unit=campaign.union,
            after={"added": len(ids), "scheduled_on": scheduled_on.isoformat()},
            note="women only" if women_only else "",
        )
    return len(ids)


def health_check_mark(
    *,
    actor: User | None,
    check: HealthCheck,
    status: str,
    done_on: date | None = None,
    note: str = "",
) -> HealthCheck:
    """Mark one member's check done (on a day, not in the future) or excused (with a
    reason), or back to scheduled."""
    require_permission(actor, Perm.MANAGE_CARE, check.campaign.union)
    if status not in HealthCheck.Status.values:
        raise DomainError("care.health_status", _("Choose done or excused."), field="status")
    if status == HealthCheck.Status.DONE:
        done_on = done_on or timezone.localdate()
        if done_on > timezone.localdate():
            raise DomainError(
                "care.health_done_future",
                _("A check cannot be marked done ahead of time."),
                field="done_on",
            )
    else:
        done_on = None
    if status == HealthCheck.Status.EXCUSED and not note.strip():
        raise DomainError("care.health_excuse", _("Say why the member is excused."), field="note")
    with transaction.atomic():
        _lock_open(check.campaign)
        check = HealthCheck.objects.select_for_update().get(pk=check.pk)
        before = snapshot(check)
        check.status, check.done_on = status, done_on
        check.note = note.strip()[:200]
        check.updated_at = timezone.now()
        check.save(update_fields=["status", "done_on", "note", "updated_at"])
        audit(
            actor=actor,
            action="care.health_check_mark",
            obj=check,
            unit=check.campaign.union,
            before=before,
            after=snapshot(check),
        )
    return check


def health_campaign_close(*, actor: User | None, campaign: HealthCampaign) -> HealthCampaign:
    require_permission(actor, Perm.MANAGE_CARE, campaign.union)
    with transaction.atomic():
        campaign = _lock_open(campaign)
        campaign.status = HealthCampaign.Status.CLOSED
        campaign.save(update_fields=["status"])
        audit(actor=actor, action="care.health_campaign_close", obj=campaign, unit=campaign.union)
    return campaign


# ---- reads -------------------------------------------------------------------------------


def _progress(checks: QuerySet[HealthCheck], key: str) -> dict[Any, rules.CheckProgress]:
    counts: dict[Any, dict[str, int]] = {}
    for row in checks.values(key, "status").annotate(n=Count("pk")):
        counts.setdefault(row[key], {})[row["status"]] = row["n"]
    return {
        k: rules.progress_of(
            total=sum(c.values()), done=c.get("done", 0), excused=c.get("excused", 0)
        )
        for k, c in counts.items()
    }


EMPTY = rules.progress_of(total=0, done=0, excused=0)


def campaign_progress(campaign: HealthCampaign) -> rules.CheckProgress:
    return progress_by_campaign([campaign.pk]).get(campaign.pk, EMPTY)


def progress_by_campaign(campaign_ids: list[int]) -> dict[int, rules.CheckProgress]:
    """Each campaign's progress in one query (campaigns without checks are left out)."""
    return _progress(HealthCheck.objects.filter(campaign_id__in=campaign_ids), "campaign_id")


def year_progress(union: OrgUnit, year: int) -> rules.CheckProgress:
    """All checks of the union's campaigns in a year, as one progress figure."""
    checks = HealthCheck.objects.filter(campaign__union=union, campaign__year=year)
    return _progress(checks, "campaign__year").get(year, EMPTY)


def campaign_for(user: Any, pk: int) -> HealthCampaign | None:
    """A campaign the user manages; None (a 404) for another union's."""
    qs = access.scope(HealthCampaign.objects.all(), user, Perm.MANAGE_CARE, "union")
    return qs.select_related("union").filter(pk=pk).first()


def checks_of(campaign: HealthCampaign) -> list[HealthCheck]:
    return list(
        HealthCheck.objects.filter(campaign=campaign)
        .select_related("member__person", "member__unit")
        .order_by("member__unit__sort_order", "member__person__name", "pk")
    )


def my_checks(member: Member) -> list[HealthCheck]:
    return list(
        HealthCheck.objects.filter(member=member)
        .select_related("campaign")
        .order_by("-campaign__starts_on", "-pk")
    )
