"""Reads of membership, scoped to the user through core access. Used by the pages, the API,
exports and the dashboard alike, so a figure is computed one way everywhere.

The member list must stay fast at 200,000 members (first, filtered and deep pages): it is
ordered by member number, which the ``member_list_order`` index serves together with the
status filter and the unit scope, and a page is read in two steps (ids from the index, then
the 50 rows with their person and unit), so a deep OFFSET never joins the rows it skips.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Exists, Func, IntegerField, OuterRef, Q, QuerySet
from django.utils.functional import cached_property

from gonghui.core import access, rules
from gonghui.core.access import Perm
from gonghui.core.models import UNION_KINDS, OrgUnit, Person, User

from .counts import cached_count
from .models import Member, MembershipEvent, MemberStatus, ProfileChangeRequest

PER_PAGE = 50
# The list order; the index "member_list_order" serves it (see models.Member.Meta).
MEMBER_ORDERING = ("status", "member_no", "pk")
CATEGORIES = ("women", "young", "model_worker", "hardship", "survivor", "retired")


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

    def as_params(self) -> dict[str, Any]:
        """The filter as query-string values (for export links and the audit note)."""
        return {
            "q": self.q,
            "unit": self.unit.pk if self.unit else "",
            "status": self.status,
            "employment_type": self.employment_type,
            "work_status": self.work_status,
            "gender": self.gender,
            "age_min": self.age_min if self.age_min is not None else "",
            "age_max": self.age_max if self.age_max is not None else "",
            "birth_month": self.birth_month or "",
            "category": self.category,
        }


def may_list_members(user: User) -> bool:
    return access.has_any(user, Perm.VIEW_MEMBERS)


def visible_members(user: User, perm: Perm = Perm.VIEW_MEMBERS) -> QuerySet[Member]:
    """Members whose unit lies where the user holds ``perm`` (individual records)."""
    return access.scope(Member.objects.all(), user, perm, "unit")


def visible_units(user: User, perm: Perm = Perm.VIEW_MEMBERS) -> QuerySet[OrgUnit]:
    """Units the user may choose in a filter: where they hold ``perm`` (admins: all)."""
    return access.units_with(user, perm).order_by("path")


def unit_filter_options(user: User, chosen: OrgUnit | None) -> list[tuple[int, str, int]]:
    """The units the list's unit filter offers, as (pk, name, depth) in tree order.

    Not every unit the user can see (a county federation sees thousands): the user's top
    units with the units one level below them, and, once a unit is chosen, the path down to
    it with the units one level below each step, so the chooser opens as the user goes
    down. A top or chosen union (or branch) lists all its branches and groups at once: a
    union's chair picks any of their groups directly. Two queries at most."""
    tops = access.top_units(user, Perm.VIEW_MEMBERS)
    if not tops:
        return []
    opened = {t.pk for t in tops}
    if chosen is not None:
        for top in tops:
            if chosen.path.startswith(top.path):
                opened.update(chosen.ancestor_ids()[top.depth + 1 :])
    cond = Q(pk__in=opened) | Q(parent_id__in=opened)
    whole = [t for t in tops if t.kind in _WHOLE_KINDS]
    if chosen is not None and chosen.kind in _WHOLE_KINDS:
        whole.append(chosen)
    for unit in whole:
        cond |= _prefix("path", unit.path)
    units = OrgUnit.objects.filter(cond, archived_at__isnull=True).order_by("path")
    return list(units.values_list("pk", "name", "depth"))


# Units whose whole subtree the unit chooser lists (a union's branches and groups are few).
_WHOLE_KINDS = frozenset({"grassroots", "joint", "branch"})


def _units_below(unit: OrgUnit) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(path__startswith=unit.path).values("pk")


def _prefix(field: str, value: str) -> Q:
    """``field`` starts with ``value``, written so that an index serves it: SQLite's LIKE
    uses an index only on NOCASE columns, so there a range on the binary order is added
    (exact for a prefix); PostgreSQL's LIKE uses the varchar_pattern_ops index Django makes."""
    cond = Q(**{f"{field}__startswith": value})
    if connection.vendor == "sqlite":
        cond &= Q(**{f"{field}__gte": value, f"{field}__lt": value + "\U0010ffff"})
    return cond


class _SqliteMonth(Func):
    template = "CAST(strftime('%%m', %(expressions)s) AS INTEGER)"
    output_field = IntegerField()


class _NotIndexed(Func):
    """SQLite's unary ``+``: the column's value, but no index may serve the condition."""

    template = "+%(expressions)s"
    output_field = IntegerField()


# More people than this under a name prefix (a common surname: 王 has 3% of all people)
# and SQLite is better off walking the list index in list order, checking each member's
# person against the name index's ids, than fetching every such person's member row by
# person_id and sorting them: the first page is found after a few thousand index entries.
COMMON_NAME_PEOPLE = 1000


def _common_name(people: QuerySet[Person], found: Q) -> bool:
    """Whether a name search matches many people (counted from the name index alone)."""
    return people.filter(found)[: COMMON_NAME_PEOPLE + 1].count() > COMMON_NAME_PEOPLE


def member_search(user: User, f: MemberFilter, *, today: date) -> QuerySet[Member]:
    """The members ``user`` may see that match ``f``, in list order.

    Every condition on the person goes into ONE ``person_id IN (people ...)`` subquery
    rather than a join, so the people are found by one pass that can use the name index
    (a name prefix) or the birth-date index, and the members are then checked against them
    inside the ``member_list_order`` index, which holds every column the list filters on.
    A count never joins 200,000 rows."""
    qs = visible_members(user).select_related("person", "unit", "union")
    # "Any status" is spelt as every status, so the list index still serves the order.
    qs = qs.filter(status=f.status) if f.status else qs.filter(status__in=MemberStatus.values)
    if f.unit is not None:
        # A subquery on the indexed path, not a join: the scope and this share one plan.
        qs = qs.filter(unit__in=_units_below(f.unit))
    if f.employment_type:
        qs = qs.filter(employment_type=f.employment_type)
    if f.work_status:
        qs = qs.filter(work_status=f.work_status)
    people = Person.objects.all()
    person_q = Q()
    if f.gender:
        person_q &= Q(gender=f.gender)
    if f.age_min is not None or f.age_max is not None:
        low = f.age_min or 0
        high = (f.age_max + 1) if f.age_max is not None else 200
        earliest, latest = rules.birth_date_bounds_for_age(low, high, today)
        person_q &= Q(birth_date__gte=earliest, birth_date__lte=latest)
    if f.birth_month:
        if connection.vendor == "sqlite":
            # Django's month lookup is a Python function on SQLite, called once per person.
            people = people.alias(birth_month=_SqliteMonth("birth_date"))
            person_q &= Q(birth_month=f.birth_month)
        else:
            person_q &= Q(birth_date__month=f.birth_month)
    qs, person_q = _category(qs, person_q, f.category, today)
    if f.q:
        q = rules.normalise_text(f.q)
        found = _prefix("name", q)
        if q.isdigit() and len(q) >= 4:
            found |= Q(phone__endswith=q)
        # A member number matches a few rows at most: check their person one by one rather
        # than listing every person who passes the other conditions (half of all for gender).
        by_number = Q(member_no=q)
        if person_q:
            by_number &= Q(Exists(people.filter(person_q, pk=OuterRef("person_id"))))
        if connection.vendor == "sqlite" and _common_name(people, found):
            qs = qs.alias(_person=_NotIndexed("person_id")).filter(
                Q(_person__in=people.filter(found).values("pk")) | Q(member_no=q)
            )
            if person_q:
                qs = qs.filter(Exists(people.filter(person_q, pk=OuterRef("person_id"))))
        else:
            cond = Q(person__in=people.filter(found & person_q).values("pk"))
            qs = qs.filter(cond | by_number)
    elif person_q:
        qs = qs.filter(person__in=people.filter(person_q).values("pk"))
    return qs.order_by(*MEMBER_ORDERING)


def _category(
    qs: QuerySet[Member], person_q: Q, category: str, today: date
) -> tuple[QuerySet[Member], Q]:
    if category == "women":
        return qs, person_q & Q(gender="F")
    if category == "young":
        earliest, _latest = rules.birth_date_bounds_for_age(0, rules.YOUNG_STAFF_AGE, today)
        return qs, person_q & Q(birth_date__gte=earliest)
    if category == "model_worker":
        return qs.filter(is_model_worker=True), person_q
    if category == "hardship":
        return qs.filter(is_in_hardship=True), person_q
    if category == "survivor":
        return qs.filter(is_survivor=True), person_q
    if category == "retired":
        return qs.filter(work_status="retired"), person_q
    return qs, person_q


class _CountedPaginator(Paginator):
    """A paginator told its count (from the count cache) instead of asking the database."""

    def __init__(self, object_list: Any, per_page: int, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


def member_page(qs: QuerySet[Member], number: Any, per_page: int = PER_PAGE) -> Page:
    """One page of ``qs``: the count comes from the count cache (counts.py) or the index,
    the page's ids from the index alone, then the page's rows with their person, unit and
    union in one query, as plain ``ListMember`` rows (see there)."""
    ids_qs = qs.values_list("pk", flat=True)
    page = _CountedPaginator(ids_qs, per_page, cached_count(ids_qs)).get_page(number)
    page.object_list = list_rows(list(page.object_list))
    return page


@dataclass
class ListPerson:
    name: str
    gender: str
    birth_date: date | None
    id_number: str | None
    phone: str


@dataclass
class ListUnit:
    pk: int
    name: str
    short_name: str
    path: str


@dataclass
class ListMember:
    """What a row of the member list shows, read as plain values: building 200 model
    instances (member, person, unit, union) took a third of the list's server time.
    Attribute names are the model's, so the row code reads like it would with models."""

    pk: int
    member_no: str
    status: str
    work_status: str
    employment_type: str
    is_model_worker: bool
    unit_id: int
    union_id: int
    person: ListPerson
    unit: ListUnit
    union: ListUnit


_ROW_FIELDS = (
    "pk",
    "member_no",
    "status",
    "work_status",
    "employment_type",
    "is_model_worker",
    "unit_id",
    "union_id",
    "person__name",
    "person__gender",
    "person__birth_date",
    "person__id_number",
    "person__phone",
    "unit__name",
    "unit__short_name",
    "unit__path",
    "union__name",
    "union__short_name",
    "union__path",
)


def list_rows(ids: list[int]) -> list[ListMember]:
    """The list rows of the members ``ids``, in that order, in one query."""
    units: dict[int, ListUnit] = {}  # a page shares a few units; one object each
    by_id: dict[int, ListMember] = {}
    for r in Member.objects.filter(pk__in=ids).values_list(*_ROW_FIELDS):
        unit = units.get(r[6]) or units.setdefault(r[6], ListUnit(r[6], r[13], r[14], r[15]))
        union = units.get(r[7]) or units.setdefault(r[7], ListUnit(r[7], r[16], r[17], r[18]))
        person = ListPerson(r[8], r[9], r[10], r[11], r[12])
        by_id[r[0]] = ListMember(*r[:8], person=person, unit=unit, union=union)
    return [by_id[i] for i in ids if i in by_id]


# ---- one member --------------------------------------------------------------------------


def member_for_page(user: User, member_id: int) -> Member | None:
    """A member the user may see as an individual record, or None (the caller answers 404)."""
    return (
        visible_members(user)
        .select_related("person", "unit", "union", "person__user")
        .filter(pk=member_id)
        .first()
    )


def unit_path(unit: OrgUnit) -> list[OrgUnit]:
    """The unit and its ancestors, from the top down."""
    ids = unit.ancestor_ids()
    units = {u.pk: u for u in OrgUnit.objects.filter(pk__in=ids)}
    return [units[i] for i in ids if i in units]


def member_history(member: Member) -> list[MembershipEvent]:
    return list(member.events.select_related("from_unit", "to_unit", "actor").order_by("on", "id"))


def member_change_requests(member: Member, *, pending_only: bool = False) -> list:
    qs = member.change_requests.select_related("requested_by", "decided_by")
    if pending_only:
        qs = qs.filter(status=ProfileChangeRequest.Status.PENDING)
    return list(qs)


def member_of_user(user: User) -> Member | None:
    """The membership of the person the user account belongs to (self-service)."""
    if not user.is_authenticated or not getattr(user, "person_id", None):
        return None
    return (
        Member.objects.select_related("person", "unit", "union")
        .filter(person_id=user.person_id)
        .first()
    )


# ---- units to choose from ------------------------------------------------------------


@dataclass(frozen=True)
class UnitChoice:
    unit: OrgUnit
    union: OrgUnit
    label: str


def _nearest_unions(units: list[OrgUnit]) -> dict[int, OrgUnit]:
    """For each unit, the nearest union at or above it (two queries at most)."""
    ancestor_ids = {a for u in units for a in u.ancestor_ids()}
    known = {u.pk: u for u in units}
    missing = ancestor_ids - set(known)
    if missing:
        known.update({u.pk: u for u in OrgUnit.objects.filter(pk__in=missing)})
    out: dict[int, OrgUnit] = {}
    for u in units:
        for a in reversed(u.ancestor_ids()):
            anc = known.get(a)
            if anc is not None and anc.kind in UNION_KINDS:
                out[u.pk] = anc
                break
    return out


def member_units(user: User, perm: Perm = Perm.EDIT_MEMBERS) -> list[UnitChoice]:
    """Units a member can be placed in (a union, its branches and groups) where the user
    holds ``perm`` on the union, each with the union it belongs to."""
    units = list(
        visible_units(user, perm).filter(kind__in=["grassroots", "joint", "branch", "group"])
    )
    unions = _nearest_unions(units)
    out = []
    for u in units:
        union = unions.get(u.pk)
        if union is None or not access.has_perm(user, perm, union):
            continue
        label = u.name if u.pk == union.pk else f"{union.name} / {u.name}"
        out.append(UnitChoice(u, union, label))
    return out


def units_in_union(union: OrgUnit) -> list[OrgUnit]:
    """The union and the branches and groups that belong to it (not to a nested union)."""
    units = list(
        OrgUnit.objects.filter(path__startswith=union.path, archived_at__isnull=True).order_by(
            "path"
        )
    )
    unions = _nearest_unions(units)
    return [u for u in units if unions.get(u.pk) == union]


def unions_with(user: User, perm: Perm) -> list[OrgUnit]:
    """Unions (grassroots or joint) on which the user holds ``perm``."""
    return [u for u in visible_units(user, perm).filter(kind__in=["grassroots", "joint"])]


def transfer_target_unions(member: Member) -> QuerySet[OrgUnit]:
    """Any union in the system but the member's own: a transfer may cross federations."""
    return (
        OrgUnit.objects.filter(kind__in=["grassroots", "joint"], archived_at__isnull=True)
        .exclude(pk=member.union_id)
        .order_by("path")
    )


def transfer_candidate(id_number: str, union: OrgUnit) -> Member | None:
    """Someone transferred out whom ``union`` may take in: their last transfer-out named
    this union, or no union (transferred to a union outside the system)."""
    member = (
        Member.objects.select_related("person", "union", "unit")
        .filter(person__id_number=id_number, status=MemberStatus.TRANSFERRED_OUT)
        .first()
    )
    if member is None:
        return None
    last_out = (
        member.events.filter(kind=MembershipEvent.Kind.TRANSFERRED_OUT).order_by("on", "id").last()
    )
    if last_out is not None and last_out.to_unit_id not in (None, union.pk):
        return None
    return member


# ---- approvals -----------------------------------------------------------------------


def pending_applications(user: User) -> QuerySet[Member]:
    """Applications waiting in the unions where the user may approve members."""
    qs = Member.objects.filter(status=MemberStatus.APPLIED)
    qs = access.scope(qs, user, Perm.APPROVE_MEMBERS, "union")
    return qs.select_related("person", "unit", "union").order_by("applied_on", "pk")


def pending_change_requests(user: User) -> QuerySet[ProfileChangeRequest]:
    qs = ProfileChangeRequest.objects.filter(status=ProfileChangeRequest.Status.PENDING)
    qs = access.scope(qs, user, Perm.APPROVE_MEMBERS, "member__union")
    return qs.select_related("member__person", "member__union", "requested_by").order_by(
        "requested_at", "pk"
    )
