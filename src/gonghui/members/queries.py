"""Reads of membership, scoped to the user through core access. Used by the pages, the API,
exports and the dashboard alike, so a figure is computed one way everywhere.

The member list must stay fast at 200,000 members (first, filtered and deep pages): it is
ordered by member number, which the ``member_list_order`` index serves together with the
status filter and the unit scope, and a page is read in two steps (ids from the index, then
the 50 rows with their person and unit). The ids are sought from a cached sort key at most
1,000 rows before the page (``_Seek``), so neither a deep page nor a unit whose members
start 80,000 entries into the index walks the rows before it; a short list (a selective
filter, whose rows lie thousands of entries apart) is read whole once and sliced. The page
is still exactly the one OFFSET gives (``tests/test_list_pages.py`` holds that with
hypothesis).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    BooleanField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.lookups import Exact
from django.utils.functional import cached_property

from gonghui.core import access, rules
from gonghui.core.access import Perm
from gonghui.core.models import UNION_KINDS, OrgUnit, Person, User

from .counts import COUNT_TTL, cached, cached_count, list_key, list_version
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


def _prefix(field: str, value: str) -> Q:
    """``field`` starts with ``value``, written so that an index serves it: SQLite's LIKE
    uses an index only on NOCASE columns, so there it is a range on the binary order (the
    strings that start with ``value``, but for a next character U+10FFFF, which no name or
    path holds); PostgreSQL's LIKE uses the varchar_pattern_ops index Django makes.

    On SQLite the range alone: ANDed with LIKE (case-blind for ASCII) it found the same
    rows, and evaluating the LIKE on each of 7,000 names took half a millisecond."""
    if connection.vendor == "sqlite":
        return Q(**{f"{field}__gte": value, f"{field}__lt": value + "\U0010ffff"})
    return Q(**{f"{field}__startswith": value})


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


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _common_name(people: QuerySet[Person], found: Q, q: str) -> bool:
    """Whether a name search matches many people (counted from the name index alone, once
    per list version: people change only with it)."""
    return cached(
        f"members:{list_version()}:common-name:{_digest(q)}",
        lambda: people.filter(found)[: COMMON_NAME_PEOPLE + 1].count() > COMMON_NAME_PEOPLE,
    )


def _many_people(people: QuerySet[Person], person_q: Q) -> bool:
    """Whether more than ``COMMON_NAME_PEOPLE`` people pass ``person_q`` (counted once per
    list version)."""
    return cached(
        f"members:{list_version()}:many-people:{_digest(str(person_q))}",
        lambda: people.filter(person_q)[: COMMON_NAME_PEOPLE + 1].count() > COMMON_NAME_PEOPLE,
    )


def _numbered(q: str) -> bool:
    """Whether some member, of any status, has the member number ``q`` (asked once per list
    version: numbers change only with it). Every status is named, so that the list index,
    led by the status, is sought rather than the members scanned."""
    return cached(
        f"members:{list_version()}:numbered:{_digest(q)}",
        lambda: Member.objects.filter(status__in=MemberStatus.values, member_no=q).exists(),
    )


def member_search(user: User, f: MemberFilter, *, today: date) -> QuerySet[Member]:
    """The members ``user`` may see that match ``f``, in list order.

    Every condition on the person goes into ONE ``person_id IN (people ...)`` subquery
    rather than a join, so the people are found by one pass that can use the name index
    (a name prefix, with the gender: ``person_name_gender``) or the birth-date index, and
    the members are then checked against them inside the ``member_list_order`` index,
    which holds every column the list filters on. A count never joins 200,000 rows.

    The conditions are collected and applied in one ``filter``: each call clones the query
    with its subqueries, a millisecond of a filtered page's time."""
    sqlite = connection.vendor == "sqlite"
    # "Any status" is spelt as every status, so the list index still serves the order.
    where = [Q(status=f.status) if f.status else Q(status__in=MemberStatus.values)]
    aliases: dict[str, Func] = {}
    if f.unit is not None:
        # A subquery on the indexed path, not a join: the scope and this share one plan.
        below = OrgUnit.objects.filter(_prefix("path", f.unit.path)).values("pk")
        if sqlite:
            # Without statistics SQLite reads a federation's members through the unit index
            # and sorts them all (7,000 for a town: 5-20 ms); the list index in list order,
            # from where the list starts (anchor 0, see _Seek), finds a page at once.
            aliases["_unit"] = _NotIndexed("unit_id")
            where.append(Q(_unit__in=below))
        else:
            where.append(Q(unit__in=below))
    if f.employment_type:
        where.append(Q(employment_type=f.employment_type))
    if f.work_status:
        where.append(Q(work_status=f.work_status))
    where.extend(_category(f.category))
    if f.category == "hardship":
        # Who is in hardship is hardship data: only the unions whose files the user may open.
        where.append(Q(union__in=access.units_with(user, Perm.VIEW_HARDSHIP).values("pk")))
    people = Person.objects.all()
    gender_q = Q(gender=f.gender) if f.gender else Q()
    if f.category == "women":
        gender_q &= Q(gender="F")
    other_q = Q()  # the other person conditions, which no index on the name holds
    if f.age_min is not None or f.age_max is not None:
        low = f.age_min or 0
        high = (f.age_max + 1) if f.age_max is not None else 200
        earliest, latest = rules.birth_date_bounds_for_age(low, high, today)
        other_q &= Q(birth_date__gte=earliest, birth_date__lte=latest)
    if f.category == "young":
        earliest, _latest = rules.birth_date_bounds_for_age(0, rules.YOUNG_STAFF_AGE, today)
        other_q &= Q(birth_date__gte=earliest)
    if f.birth_month:
        if sqlite:
            # Django's month lookup is a Python function on SQLite, called once per person.
            people = people.alias(birth_month=_SqliteMonth("birth_date"))
            other_q &= Q(birth_month=f.birth_month)
        else:
            other_q &= Q(birth_date__month=f.birth_month)
    person_q = gender_q & other_q
    if f.q:
        q = rules.normalise_text(f.q)
        found = _prefix("name", q)
        if q.isdigit() and len(q) >= 4:
            found |= Q(phone__endswith=q)
        # A member number matches a few rows at most: check their person one by one rather
        # than listing every person who passes the other conditions (half of all for gender).
        # A name is seldom also a member number, and then the condition is left out: its
        # subquery took a third of a name search's query building and compiling.
        by_number = Q()  # left out of the OR below while empty
        if _numbered(q):
            by_number = Q(member_no=q)
            if person_q:
                by_number &= Q(Exists(people.filter(person_q, pk=OuterRef("person_id"))))
        if sqlite and _common_name(people, found, q):
            # The gender is in the name index: listing it with the name reads no person row.
            aliases["_person"] = _NotIndexed("person_id")
            listed = people.filter(found & gender_q).values("pk")
            where.append(Q(_person__in=listed) | by_number)
            if other_q:
                where.append(Q(Exists(people.filter(other_q, pk=OuterRef("person_id")))))
        else:
            where.append(Q(person__in=people.filter(found & person_q).values("pk")) | by_number)
    elif person_q:
        if sqlite and _many_people(people, person_q):
            # SQLite would list every woman (100,000 ids) again for each page (200 ms); a
            # lookup by id for each member walked finds a page after a few hundred.
            where.append(Q(Exists(people.filter(person_q, pk=OuterRef("person_id")))))
        else:
            where.append(Q(person__in=people.filter(person_q).values("pk")))
    qs = visible_members(user).select_related("person", "unit", "union")
    if aliases:
        qs = qs.alias(**aliases)
    return qs.filter(*where).order_by(*MEMBER_ORDERING)


def _category(category: str) -> list[Q]:
    """The member conditions of a category (women and young are conditions on the person)."""
    if category == "model_worker":
        return [Q(is_model_worker=True)]
    if category == "hardship":
        return [Q(is_in_hardship=True)]
    if category == "survivor":
        return [Q(is_survivor=True)]
    if category == "retired":
        return [Q(work_status="retired")]
    return []


class _CountedPaginator(Paginator):
    """A paginator told its count (from the count cache) instead of asking the database."""

    def __init__(self, object_list: Any, per_page: int, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


# A deep page is read from the nearest sort key at or before it (see _Seek), cached
# every ANCHOR_ROWS rows of a list: a page walks at most this many index entries before
# its own rows instead of every row before it (OFFSET 99,950 walks 100,000 entries).
ANCHOR_ROWS = 1000

# A list of at most this many rows is cached whole (its ids in list order, once per list
# version, like its count), and its pages are slices of it. Such a list is one of a
# selective filter, and the fewer rows a list has, the more index entries lie between two
# of them: a page of the women named 王 on contracts (623 of 200,000) walks 16,000 entries
# of ``member_list_order`` (3 ms on SQLite), which no anchor shortens, and every page of a
# search would walk its own. Reading the whole list once costs about what its count does.
SHORT_LIST_ROWS = 1000


class _RowAtLeast(Func):
    """``(a, b) >= (x, y)``: a row-value comparison, which both databases answer with a
    range on an index led by the same columns (``member_list_order``)."""

    output_field = BooleanField()

    def __init__(self, fields: tuple[str, ...], values: tuple[Any, ...]) -> None:
        lhs = Func(*(F(f) for f in fields), template="(%(expressions)s)")
        rhs = Func(*(Value(v) for v in values), template="(%(expressions)s)")
        super().__init__(lhs, rhs, template="%(expressions)s", arg_joiner=" >= ")


def _one_status(qs: QuerySet[Member]) -> bool:
    """Whether ``qs`` is narrowed to one status (``status = x`` among its ANDed
    conditions). SQLite uses an index range for ``(member_no, id) >= (...)`` after
    ``status = x``, but not for ``(status, member_no, id) >= (...)`` beside it."""
    where = qs.query.where
    if where.connector != "AND" or where.negated:
        return False
    status = Member._meta.get_field("status")
    return any(
        isinstance(c, Exact) and getattr(c.lhs, "target", None) is status for c in where.children
    )


# A sort key below every row of the list: no status or member number sorts before "" and
# ids start at 1. Seeking from it reads the list from its start.
_BEFORE_ALL = ("", "", 0)


@dataclass(frozen=True)
class _Seek:
    """One list's ids in list order from a sort key on, as SQL compiled once per request:
    ``sql`` ends in its ORDER BY, and its parameters are ``params`` followed by the key
    (``width`` values: member_no and id, with the status first when it varies)."""

    sql: str
    params: tuple[Any, ...]
    width: int
    key: str  # the list's cache key: the exact query, under the current list version

    @classmethod
    def of(cls, qs: QuerySet[Member]) -> _Seek | None:
        if tuple(qs.query.order_by) != MEMBER_ORDERING:
            return None
        fields = ("member_no", "id") if _one_status(qs) else ("status", "member_no", "id")
        start = _BEFORE_ALL[-len(fields) :]
        seek = qs.values_list("pk", "status", "member_no").filter(_RowAtLeast(fields, start))
        sql, params = seek.query.get_compiler(using=seek.db).as_sql()
        if tuple(params[-len(fields) :]) != start:  # not where this code expects the key
            return None
        params = tuple(params[: -len(fields)])
        digest = hashlib.sha256(repr((seek.db, sql, params)).encode()).hexdigest()
        return cls(sql, params, len(fields), f"members:{list_version()}:{digest}")

    def rows(self, after: tuple[Any, ...], offset: int, limit: int) -> list[tuple[Any, ...]]:
        """(id, status, member_no) of ``limit`` rows, ``offset`` rows from the key ``after``
        (status, member_no, id) on."""
        params = (*self.params, *after[-self.width :], limit, offset)
        with connection.cursor() as cur:
            cur.execute(f"{self.sql} LIMIT %s OFFSET %s", params)
            return cur.fetchall()

    def all_ids(self) -> list[int]:
        """The ids of the whole list, once per list version: for short lists only (more
        than ``SHORT_LIST_ROWS`` are never read, should the list have grown since its
        count)."""

        def read() -> list[int]:
            return [r[0] for r in self.rows(_BEFORE_ALL, 0, SHORT_LIST_ROWS)]

        return cached(f"{self.key}:ids:{SHORT_LIST_ROWS}", read)

    def anchor(self, n: int) -> tuple[Any, ...] | None:
        """The sort key of row ``n * ANCHOR_ROWS``: from the cache, from the anchor before
        it when that is cached (paging on), or by OFFSET from the start (a first visit)."""
        names = {f"{self.key}:anchor:{ANCHOR_ROWS}:{i}": i for i in {n, max(n - 1, 0)}}
        found = {names[k]: v for k, v in cache.get_many(list(names)).items()}
        if n in found:
            return found[n]
        if n and n - 1 in found:
            rows = self.rows(found[n - 1], ANCHOR_ROWS, 1)
        else:
            rows = self.rows(_BEFORE_ALL, n * ANCHOR_ROWS, 1)
        if not rows:  # the list is shorter than its cached count (it changed)
            return None
        pk, status, member_no = rows[0]
        anchor = (status, member_no, pk)
        cache.set(f"{self.key}:anchor:{ANCHOR_ROWS}:{n}", anchor, timeout=COUNT_TTL)
        return anchor

    def page_ids(self, bottom: int, per_page: int, count: int) -> list[int]:
        """The ids of rows ``bottom`` to ``bottom + per_page`` of the list of ``count``
        rows, exactly the rows OFFSET gives. A short list (``SHORT_LIST_ROWS``) is sliced
        from its cached ids; a longer one is read from the anchor at or before ``bottom``:
        the sort key of row ``n * ANCHOR_ROWS`` under the same list version, sought and
        offset from there. Anchor 0 is where the list starts in the index: a unit's or a
        filter's first match can lie 80,000 entries into it."""
        if count <= SHORT_LIST_ROWS:
            return self.all_ids()[bottom : bottom + per_page]
        n = bottom // ANCHOR_ROWS
        anchor = self.anchor(n)
        if anchor is None:
            anchor, n = _BEFORE_ALL, 0
        rest = bottom - n * ANCHOR_ROWS
        return [r[0] for r in self.rows(anchor, rest, per_page)]


def member_page(qs: QuerySet[Member], number: Any, per_page: int = PER_PAGE) -> Page:
    """One page of ``qs``: the count comes from the count cache (counts.py) or the index,
    the page's ids from the index alone (from a cached anchor, see ``_Seek``), then the
    page's rows with their person, unit and union, as plain ``ListMember`` rows."""
    ids_qs = qs.values_list("pk", flat=True)
    seek = _Seek.of(qs)
    key = seek.key if seek else list_key(ids_qs)
    count = cached_count(ids_qs, key)
    page = _CountedPaginator(ids_qs, per_page, count).get_page(number)
    bottom = (page.number - 1) * per_page
    if not count:
        ids: list[int] = []
    elif seek is not None:
        ids = seek.page_ids(bottom, per_page, count)
    else:
        ids = list(ids_qs[bottom : bottom + per_page])
    page.object_list = list_rows(ids)
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
    # Set by the list view for display: masked values, the reveal right, translated labels.
    masked_id: str = ""
    masked_phone: str = ""
    can_reveal: bool = False
    gender_label: str = ""
    employment_label: str = ""
    status_label: str = ""
    work_status_label: str = ""


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
)
_UNIT_FIELDS = ("pk", "name", "short_name", "path")


@lru_cache(maxsize=128)
def _by_ids_sql(vendor: str, what: str, n: int) -> str:
    """The SQL that reads the list rows (``what="members"``) or their units of ``n`` ids,
    written by the ORM once per size: building and compiling the same query on every
    request cost more than running it. Its parameters are the ids, in order."""
    qs: QuerySet[Any]
    if what == "members":
        qs = Member.objects.filter(pk__in=range(n)).values_list(*_ROW_FIELDS)
    else:
        qs = OrgUnit.objects.filter(pk__in=range(n)).order_by().values_list(*_UNIT_FIELDS)
    sql, params = qs.query.get_compiler(using=qs.db).as_sql()
    assert list(params) == list(range(n)), "the ids must be the only parameters"
    return sql


def _by_ids(what: str, ids: list[int]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cur:
        cur.execute(_by_ids_sql(connection.vendor, what, len(ids)), ids)
        return cur.fetchall()


def list_rows(ids: list[int]) -> list[ListMember]:
    """The list rows of the members ``ids``, in that order: the members with their person
    in one query, their units and unions in another (joined in the first, PostgreSQL hashes
    the whole unit table twice for 50 rows)."""
    if not ids:
        return []
    rows = _by_ids("members", ids)
    unit_ids = sorted({r[6] for r in rows} | {r[7] for r in rows})
    units = {r[0]: ListUnit(*r) for r in _by_ids("units", unit_ids)}
    by_id = {
        r[0]: ListMember(
            **dict(zip(_ROW_FIELDS[:8], r, strict=False)),
            person=ListPerson(*r[8:]),
            unit=units[r[6]],
            union=units[r[7]],
        )
        for r in rows
    }
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
    person_id: int | None = getattr(user, "person_id", None)
    if not user.is_authenticated or not person_id:
        return None
    return (
        Member.objects.select_related("person", "unit", "union").filter(person_id=person_id).first()
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
