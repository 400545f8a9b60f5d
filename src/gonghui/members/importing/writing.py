"""Writing a committed import: plain multi-row INSERTs (COPY on PostgreSQL) with keys
allocated beforehand, and bulk updates of the changed fields only."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from itertools import chain, repeat
from typing import Any

from django.db import connection
from django.utils import timezone

from gonghui.core.models import OrgUnit, Person, User

from ..models import Member, MembershipEvent, MemberStatus
from ..services import next_member_no
from .analysis import ValidRows
from .planning import BATCH, MEMBER_CMP, PERSON_CMP, Plan, _column

# PostgreSQL: after an import that inserted at least this many people or members, the
# tables it wrote are ANALYZEd in the same transaction. Without it the planner still
# believes the tables small (autovacuum analyses later, on its own schedule) and the
# next import's lookups by ID number join by sequential scans: a re-import of 100,000
# rows took 30 s instead of a few.
ANALYZE_AFTER_ROWS = 5000


class _NumberSource:
    """Member numbers for new members, continuing the union's sequence (the logic of
    services.next_member_no) without a query per member and skipping numbers in use."""

    def __init__(self, union: OrgUnit, reserved: Iterable[str]) -> None:
        self.prefix = f"{union.code}-"
        first = next_member_no(union)
        used = set(
            Member.objects.filter(union=union, member_no__startswith=self.prefix).values_list(
                "member_no", flat=True
            )
        )
        self.used = used | set(reserved)
        # next_member_no compares strings; past 99999 the numeric maximum is the right one.
        suffixes = [
            int(n[len(self.prefix) :]) for n in self.used if n[len(self.prefix) :].isdigit()
        ]
        self.n = max([int(first[len(self.prefix) :]) - 1, *suffixes])

    def __next__(self) -> str:
        while True:
            self.n += 1
            candidate = f"{self.prefix}{self.n:05d}"
            if candidate not in self.used:
                return candidate

    def fill(self, numbers: list[Any]) -> list[str]:
        """``numbers`` with each missing (None or empty) one replaced by the next number."""
        missing = len(numbers) - sum(map(bool, numbers))
        fresh = iter(self._take(missing))
        return [no or next(fresh) for no in numbers]

    def _take(self, k: int) -> list[str]:
        """The next ``k`` numbers: formatted in one go, one by one only when some of them
        are in use (an import of 100,000 rows spent 0.3 s in a loop per number)."""
        start = self.n
        fresh = [f"{self.prefix}{i:05d}" for i in range(start + 1, start + k + 1)]
        if self.used.isdisjoint(fresh):
            self.n = start + k
            return fresh
        return [next(self) for _ in range(k)]


def _bulk_update(
    model: Any, updates: list[tuple[int, dict[str, Any]]], extra: dict[str, Any]
) -> None:
    """Update only the changed fields: rows are grouped by which fields changed."""
    groups: dict[tuple[str, ...], list[Any]] = {}
    for pk, changes in updates:
        obj = model(pk=pk, **changes, **extra)
        groups.setdefault(tuple(sorted(changes)) + tuple(extra), []).append(obj)
    for fields, objs in groups.items():
        model.objects.bulk_update(objs, list(fields), batch_size=BATCH)


@dataclass
class _Same:
    """One value for a field in every row (the union, the date, the actor...)."""

    value: Any


@dataclass
class _Rows:
    """``n`` rows to insert, one entry per field: a list of ``n`` values or a _Same."""

    n: int
    columns: list[list[Any] | _Same]

    def tuples(self) -> Iterator[tuple[Any, ...]]:
        return zip(
            *(repeat(c.value, self.n) if isinstance(c, _Same) else c for c in self.columns),
            strict=False,
        )


# SQLite's classic limit of parameters per statement (newer builds allow more).
SQLITE_MAX_PARAMS = 999


class _Inserter:
    """Plain multi-row INSERTs (executemany; COPY on PostgreSQL) for the import's new rows.
    Django's bulk_create compiles every field of every object, which costs far more than
    the database itself at 100,000 rows; here the rows are built column by column (a list
    per field, or one value for all) with the model's defaults for the fields not given
    and dates through the backend's own adapter."""

    def __init__(self, model: Any, *, keys: bool = True) -> None:
        # With the key (see _allocate_ids) when other rows will refer to the new ones;
        # without it the database numbers them.
        self.fields = [f for f in model._meta.concrete_fields if keys or not f.primary_key]
        self.template = [f.get_default() for f in self.fields]
        self.date_fields = {f.attname for f in self.fields if f.get_internal_type() == "DateField"}
        qn = connection.ops.quote_name
        columns = ", ".join(qn(f.column) for f in self.fields)
        self.copy_sql = f"COPY {qn(model._meta.db_table)} ({columns}) FROM STDIN (FORMAT BINARY)"
        self.sql = f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES"

    def rows(self, n: int, values: dict[str, Any]) -> _Rows:
        """``n`` rows: ``values`` maps an attname to a list of ``n`` values (None: the
        default) or to one value for every row."""
        ops = connection.ops
        adapt_date, adapt_datetime = ops.adapt_datefield_value, ops.adapt_datetimefield_value
        columns: list[list[Any] | _Same] = []
        for f, default in zip(self.fields, self.template, strict=True):
            v = values.get(f.attname, default)
            if not isinstance(v, list):
                if isinstance(v, datetime):
                    v = adapt_datetime(v)
                elif isinstance(v, date):
                    v = adapt_date(v)
                columns.append(_Same(v))
                continue
            if f.attname in self.date_fields:
                adapted = {d: adapt_date(d) for d in set(v) if d is not None}  # dates repeat
                v = [default if d is None else adapted[d] for d in v]
            elif default is not None and None in v:
                v = [default if x is None else x for x in v]
            columns.append(v)
        return _Rows(n, columns)

    def insert(self, rows: _Rows) -> None:
        with connection.cursor() as cursor:
            if connection.vendor != "postgresql":
                self._insert_sqlite(cursor, rows)
                return
            # Django binds parameters client-side on PostgreSQL, so executemany sends one
            # statement per row; COPY streams the rows in one go (psycopg 3). In binary
            # format with the columns' types given: psycopg then packs each value with the
            # one dumper of its column instead of choosing one per value and writing text,
            # and the server parses no text (the client's CPU for 100,000 members, events
            # and people fell from 2.0-2.6 s to 1.2-1.3 s).
            with cursor.cursor.copy(self.copy_sql) as copy:
                copy.set_types(self.copy_types())
                for row in rows.tuples():
                    copy.write_row(row)

    def copy_types(self) -> list[str]:
        """The columns' PostgreSQL types by name (``varchar(50)`` -> ``varchar``)."""
        return [f.db_type(connection).split("(")[0].strip() for f in self.fields]

    def _insert_sqlite(self, cursor: Any, rows: _Rows) -> None:
        """Many rows per INSERT (half the time of a statement per row), with numbered
        parameters: a value the same in every row is bound once per statement, as ?1..?k,
        and each row binds only its own values. A member has 20 fields, 7 of them the same
        for the whole import, an event 8, 4 of them: a third fewer values to bind, more
        rows per statement, and 20-30% less time for a member's insert before indexes."""
        shared = tuple(c.value for c in rows.columns if isinstance(c, _Same))
        varying = [c for c in rows.columns if not isinstance(c, _Same)]
        width = len(varying)
        per = max(1, (SQLITE_MAX_PARAMS - len(shared)) // max(1, width))
        flat = list(chain.from_iterable(zip(*varying, strict=False)))
        full = rows.n - rows.n % per
        if full:
            step = per * width
            cursor.executemany(
                self._numbered_sql(rows, per),
                [shared + tuple(flat[i : i + step]) for i in range(0, full * width, step)]
                if width
                else [shared] * (full // per),
            )
        if full < rows.n:  # executemany for one statement too: it has no %s to format
            cursor.executemany(
                self._numbered_sql(rows, rows.n - full), [shared + tuple(flat[full * width :])]
            )

    def _numbered_sql(self, rows: _Rows, count: int) -> str:
        """INSERT of ``count`` rows: the same values as ?1..?k, then each row's own."""
        k = sum(isinstance(c, _Same) for c in rows.columns)
        width = len(rows.columns) - k
        tuples = []
        for r in range(count):
            marks, same, own = [], 0, k + r * width
            for c in rows.columns:
                if isinstance(c, _Same):
                    same += 1
                    marks.append(f"?{same}")
                else:
                    own += 1
                    marks.append(f"?{own}")
            tuples.append(f"({', '.join(marks)})")
        return f"{self.sql} {', '.join(tuples)}"


def _allocate_ids(model: Any, n: int) -> list[int]:
    """Primary keys for ``n`` rows about to be inserted, so that the rows referring to them
    can be built without reading the inserted rows back. PostgreSQL: from the column's
    sequence. SQLite: after the largest key ever used; the import's transaction holds the
    database write lock (transaction_mode IMMEDIATE), so no one else inserts meanwhile."""
    if n == 0:
        return []
    opts = model._meta
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The sequence is named once (a scalar subquery, the cast to regclass inside it):
            # as nextval's argument it was looked up again for every key, 0.5 s per 100,000,
            # and cast outside the subquery, 0.1 s. The keys are nearly always one unbroken
            # run (unless another session drew keys meanwhile): then only its ends come
            # back, else the keys as one array (parsing 100,000 keys cost the client
            # 0.2-0.4 s).
            cursor.execute(
                "WITH k AS MATERIALIZED (SELECT nextval((SELECT pg_get_serial_sequence(%s, %s)"
                "::regclass)) AS id FROM generate_series(1, %s)),"
                " run AS (SELECT min(id) AS low, max(id) AS high, count(*) AS n FROM k)"
                " SELECT low, high, CASE WHEN high - low + 1 <> n"
                " THEN (SELECT array_agg(id) FROM k) END FROM run",
                [opts.db_table, opts.pk.column, n],
            )
            low, high, scattered = cursor.fetchone()
            return list(scattered) if scattered is not None else list(range(low, high + 1))
        if connection.vendor != "sqlite":
            raise NotImplementedError(connection.vendor)
        cursor.execute(f"SELECT COALESCE(MAX({qn(opts.pk.column)}), 0) FROM {qn(opts.db_table)}")  # noqa: S608
        last = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [opts.db_table])
        seq = cursor.fetchone()
        first = max(last, seq[0] if seq else 0) + 1
        return list(range(first, first + n))


# SQLite's page cache for the import's connection while it writes (KiB): the default 2 MB
# makes the inserts into eight indexes of the member table spill and re-read pages.
SQLITE_WRITE_CACHE_KIB = 128 * 1024


@contextmanager
def _write_cache() -> Iterator[None]:
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_WRITE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def _pick(col: list[Any], rows: list[int], every: bool) -> list[Any]:
    return col if every else [col[i] for i in rows]


@_write_cache()
def _write(
    plan: Plan,
    rows: ValidRows,
    *,
    union: OrgUnit,
    actor: User | None,
    today: date,
    note: str,
) -> None:
    now = timezone.now()
    actor_id = actor.pk if actor and actor.pk else None
    cols = rows.cols

    people = _Inserter(Person)
    new_people = plan.new_people
    every = len(new_people) == len(rows)  # then they are all the rows, in order
    person_ids = _allocate_ids(Person, len(new_people))
    person_values: dict[str, Any] = {"id": person_ids}
    for key in ("id_number", *PERSON_CMP):
        person_values[key] = _pick(cols[key], new_people, every)
    people.insert(people.rows(len(new_people), person_values))
    _bulk_update(Person, plan.person_updates, {})

    member_rows = [i for i, _pk in plan.new_members]
    every = len(member_rows) == len(rows)
    person_of: list[int]
    if len(new_people) == len(member_rows) == len(rows):
        person_of = person_ids
    else:
        new_person = dict(zip(new_people, person_ids, strict=True))
        person_of = [pk or new_person[i] for i, pk in plan.new_members]
    numbers_given = _pick(cols["member_no"], member_rows, every)
    takeover_numbers = [cols["member_no"][i] for _m, i, _u in plan.takeovers]
    numbers = _NumberSource(
        union, [no for no in chain(numbers_given, takeover_numbers) if no is not None]
    )
    members = _Inserter(Member)
    member_ids = _allocate_ids(Member, len(member_rows))
    units = [union.pk if u is None else u for u in _pick(cols["unit_id"], member_rows, every)]
    member_values: dict[str, Any] = {
        "id": member_ids,
        "person_id": person_of,
        "union_id": union.pk,
        "unit_id": units,
        "member_no": numbers.fill(numbers_given),
        "status": MemberStatus.ACTIVE.value,
        "status_changed_on": today,
        "created_at": now,
        "updated_at": now,
        "joined_on": _pick(cols["joined_on"], member_rows, every),
    }
    for key in _MEMBER_DATA:
        member_values[key] = _pick(cols[key], member_rows, every)
    members.insert(members.rows(len(member_rows), member_values))

    event_members: list[int] = list(member_ids)
    event_from: list[int | None] = [None] * len(member_ids)
    event_to: list[int | None] = list(units)
    takeover_updates = []
    for member_id, i, from_unit in plan.takeovers:
        v = rows.values(i)
        changes = {k: v[k] for k in MEMBER_CMP if k in v}
        changes.update(
            union_id=union.pk,
            unit_id=v.get("unit_id", union.pk),
            member_no=v.get("member_no") or next(numbers),
            status=MemberStatus.ACTIVE,
            status_changed_on=today,
        )
        takeover_updates.append((member_id, changes))
        event_members.append(member_id)
        event_from.append(from_unit)
        event_to.append(changes["unit_id"])
    _bulk_update(Member, takeover_updates, {"updated_at": now})
    _bulk_update(Member, [(pk, ch) for pk, ch, _f in plan.member_updates], {"updated_at": now})
    event_kinds = [MembershipEvent.Kind.IMPORTED.value] * len(event_members)
    for pk, ch, moved_from in plan.member_updates:
        if moved_from is not None:
            event_members.append(pk)
            event_from.append(moved_from)
            event_to.append(ch["unit_id"])
            event_kinds.append(MembershipEvent.Kind.MOVED.value)
    events = _Inserter(MembershipEvent, keys=False)  # nothing refers to an event
    events.insert(
        events.rows(
            len(event_members),
            {
                "kind": event_kinds,
                "on": today,
                "actor_id": actor_id,
                "note": note,
                "created_at": now,
                "member_id": event_members,
                "from_unit_id": event_from,
                "to_unit_id": event_to,
            },
        )
    )


# What the next import's lookups read (``_existing``, ``_taken_numbers``, _NumberSource):
# the statistics ANALYZE refreshes after a large import. The events are never looked up.
_LOOKUP_COLUMNS = ((Person, ("id_number",)), (Member, ("person", "union", "member_no")))


def _analyze_after(plan: Plan) -> None:
    """Refresh the planner's statistics for the next import's lookups after a large import
    (PostgreSQL; see ANALYZE_AFTER_ROWS). ANALYZE runs inside the import's transaction: it
    samples the rows this transaction inserted, and its statistics become visible with the
    commit. Only the looked-up columns: the row counts of both tables are refreshed all
    the same, and ANALYZE of every column of the three tables took three to four times as
    long (0.6-1.4 s against 0.1-0.3 s at 100,000 rows); autovacuum analyses the rest."""
    if connection.vendor != "postgresql":
        return
    if max(len(plan.new_people), len(plan.new_members)) < ANALYZE_AFTER_ROWS:
        return
    qn = connection.ops.quote_name
    tables = ", ".join(
        f"{qn(model._meta.db_table)} ({', '.join(qn(_column(model._meta, f)) for f in fields)})"
        for model, fields in _LOOKUP_COLUMNS
    )
    with connection.cursor() as cursor:
        # A sample of 3,000 rows (statistics target 10) instead of 30,000: enough for the
        # planner to know the tables' size and that ID numbers and persons are unique, and a
        # fifth of the time (0.2-0.35 s -> 0.04 s). Autovacuum's next ANALYZE, which an import
        # of this size sets off soon after, refreshes them with the usual target.
        cursor.execute("SET LOCAL default_statistics_target = 10")
        cursor.execute(f"ANALYZE {tables}")
        cursor.execute("SET LOCAL default_statistics_target = DEFAULT")


_MEMBER_DATA = tuple(k for k in MEMBER_CMP if k not in {"unit_id", "member_no", "joined_on"})
