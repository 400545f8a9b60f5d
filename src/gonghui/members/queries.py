"""Reads of membership, scoped to the user through core access. Used by the pages, the API,
exports and the dashboard alike, so a figure is computed one way everywhere."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

from gonghui.core import access, rules
from gonghui.core.access import Perm
from gonghui.core.models import OrgUnit, User

from .models import Member, MemberStatus


@dataclass(frozen=True)
class MemberFilter:
    """What the member list can be narrowed by. Empty fields do not filter."""

    q: str = ""  # name, member number, or the last digits of a phone
    unit: OrgUnit | None = None  # this unit and everything below it
    status: str = MemberStatus.ACTIVE  # "" = any status
    employment_type: str = ""
    work_status: str = ""
    gender: str = ""
    age_min: int | None = None
    age_max: int | None = None  # inclusive
    birth_month: int | None = None
    category: str = ""  # women, young, model_worker, hardship, survivor, retired


def visible_members(user: User, perm: Perm = Perm.VIEW_MEMBERS) -> QuerySet[Member]:
    """Members whose unit lies where the user holds ``perm`` (individual records)."""
    return access.scope(Member.objects.all(), user, perm, "unit")


def member_search(user: User, f: MemberFilter, *, today: date) -> QuerySet[Member]:
    qs = visible_members(user).select_related("person", "unit", "union")
    if f.status:
        qs = qs.filter(status=f.status)
    if f.unit is not None:
        qs = qs.filter(unit__path__startswith=f.unit.path)
    if f.q:
        q = f.q.strip()
        cond = Q(person__name__startswith=q) | Q(member_no=q)
        if q.isdigit() and len(q) >= 4:
            cond |= Q(person__phone__endswith=q)
        qs = qs.filter(cond)
    if f.employment_type:
        qs = qs.filter(employment_type=f.employment_type)
    if f.work_status:
        qs = qs.filter(work_status=f.work_status)
    if f.gender:
        qs = qs.filter(person__gender=f.gender)
    if f.age_min is not None or f.age_max is not None:
        low = f.age_min or 0
        high = (f.age_max + 1) if f.age_max is not None else 200
        earliest, latest = rules.birth_date_bounds_for_age(low, high, today)
        qs = qs.filter(person__birth_date__gte=earliest, person__birth_date__lte=latest)
    if f.birth_month:
        qs = qs.filter(person__birth_date__month=f.birth_month)
    qs = _category(qs, f.category, today)
    return qs.order_by("unit__path", "person__name", "pk")


def _category(qs: QuerySet[Member], category: str, today: date) -> QuerySet[Member]:
    if category == "women":
        return qs.filter(person__gender="F")
    if category == "young":
        earliest, _latest = rules.birth_date_bounds_for_age(0, rules.YOUNG_STAFF_AGE, today)
        return qs.filter(person__birth_date__gte=earliest)
    if category == "model_worker":
        return qs.filter(is_model_worker=True)
    if category == "hardship":
        return qs.filter(is_in_hardship=True)
    if category == "survivor":
        return qs.filter(is_survivor=True)
    if category == "retired":
        return qs.filter(work_status="retired")
    return qs
