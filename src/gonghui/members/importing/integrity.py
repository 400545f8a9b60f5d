"""The import's foreign keys checked once per table instead of once per row (PostgreSQL).

PostgreSQL checks a foreign key with a trigger per inserted row: a query on the referenced
table and a lock on the row found. For 100,000 imported members and their events that is
400,000 checks at commit, longer than all the inserts together (decision 0012). During the
import's writes those row triggers are switched off for the import's own transaction
(``SET LOCAL session_replication_role = replica``) and the same rule is checked afterwards,
before the transaction commits: one query per table over every row the import wrote, and
one per key that takes the trigger's lock (``FOR KEY SHARE``) on the referenced rows that
existed before. A dangling reference raises IntegrityError, as the trigger would have, and the
whole import is rolled back.

Only when it is safe: on PostgreSQL, for a role allowed to set the parameter (a superuser,
or ``GRANT SET ON PARAMETER session_replication_role`` on PostgreSQL 15 and later: the
operator guide), and when the written tables carry no trigger other than PostgreSQL's own
foreign-key triggers (any other trigger would be skipped too). Otherwise the triggers check
each row as usual and nothing here changes anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection
from django.db.models import Model

from . import pgarray


@dataclass(frozen=True)
class _Key:
    """A foreign key constraint of a table, quoted for SQL."""

    column: str
    name: str  # the column as the error names it
    table: str
    target_column: str
    target: type[Model]


def _pk_column(model: type[Model]) -> str:
    return connection.ops.quote_name(str(model._meta.pk.column))


def _foreign_keys(model: type[Model]) -> list[_Key]:
    qn = connection.ops.quote_name
    keys = []
    for f in model._meta.concrete_fields:
        rel = f.remote_field
        if (f.many_to_one or f.one_to_one) and rel and getattr(f, "db_constraint", False):
            target: type[Model] = rel.model
            keys.append(
                _Key(
                    qn(str(f.column)),
                    str(f.column),
                    qn(target._meta.db_table),
                    qn(str(f.target_field.column)),  # type: ignore[attr-defined]
                    target,
                )
            )
    return keys


def row_triggers_may_be_skipped(models: Sequence[type[Model]]) -> bool:
    """Whether this connection may switch the written tables' row triggers off: PostgreSQL,
    the right to set session_replication_role, and no trigger on those tables but the
    foreign keys' own (internal) ones."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('server_version_num')::int,"
            " (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)"
        )
        version, superuser = cursor.fetchone()
        if not superuser:
            if version < 150000:  # no grantable parameter privileges before 15
                return False
            cursor.execute("SELECT has_parameter_privilege('session_replication_role', 'SET')")
            if not cursor.fetchone()[0]:
                return False
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgrelid = ANY(%s::regclass[])"
            " AND NOT tgisinternal",
            [[m._meta.db_table for m in models]],
        )
        return bool(cursor.fetchone()[0] == 0)


class WrittenRows:
    """The rows an import writes, per table: every row inserted after entry (a key above
    the largest one then) and the updated rows named by ``updated``."""

    def __init__(self, models: Sequence[type[Model]]) -> None:
        self.models = list(models)
        self.since: dict[type[Model], int] = {}
        self.updated_pks: dict[type[Model], set[int]] = {m: set() for m in models}
        qn = connection.ops.quote_name
        with connection.cursor() as cursor:
            for model in models:
                # A new row's key comes from the sequence, above every key given out so far,
                # so above the largest one visible now.
                cursor.execute(
                    f"SELECT COALESCE(MAX({_pk_column(model)}), 0)"  # noqa: S608
                    f" FROM {qn(model._meta.db_table)}"
                )
                self.since[model] = cursor.fetchone()[0]

    def updated(self, model: type[Model], pks: Iterable[int]) -> None:
        if model in self.updated_pks:  # (not when the triggers check every row)
            self.updated_pks[model].update(pks)

    def check(self) -> None:
        """Every foreign key of every written row refers to a row that exists; the
        referenced rows that existed before the import are locked FOR KEY SHARE, as the
        triggers would have locked them, so that no one deletes them before the commit."""
        qn = connection.ops.quote_name
        with connection.cursor() as cursor:
            for model in self.models:
                keys = _foreign_keys(model)
                if not keys:
                    continue
                src, pk = qn(model._meta.db_table), _pk_column(model)
                written = f"(t.{pk} > %s OR t.{pk} = ANY({pgarray.bigint_array()}))"
                params: list[Any] = [self.since[model], pgarray.joined(self.updated_pks[model])]
                # Every written row in one pass, whatever key of it dangles.
                dangles = " OR ".join(
                    f"(t.{k.column} IS NOT NULL AND NOT EXISTS"  # noqa: S608
                    f" (SELECT 1 FROM {k.table} r WHERE r.{k.target_column} = t.{k.column}))"
                    for k in keys
                )
                cursor.execute(
                    f"SELECT t.{pk}, {', '.join(f't.{k.column}' for k in keys)}"  # noqa: S608
                    f" FROM {src} t WHERE {written} AND ({dangles}) LIMIT 1",
                    params,
                )
                if row := cursor.fetchone():
                    values = ", ".join(
                        f"{k.name}={value}" for k, value in zip(keys, row[1:], strict=True)
                    )
                    raise IntegrityError(
                        f"{model._meta.db_table} row {row[0]} ({values}) refers to a row that"
                        " does not exist"
                    )
                for k in keys:
                    # Rows this import inserted need no lock: no one else sees them yet.
                    before = self.since.get(k.target)
                    older = f" AND t.{k.column} <= %s" if before is not None else ""
                    cursor.execute(
                        f"SELECT r.{k.target_column} FROM {k.table} r"  # noqa: S608
                        f" WHERE r.{k.target_column} IN"
                        f" (SELECT t.{k.column} FROM {src} t WHERE {written}{older})"
                        " FOR KEY SHARE OF r",
                        [*params, *([before] if before is not None else [])],
                    )


@contextmanager
def foreign_keys_checked_per_table(models: Sequence[type[Model]]) -> Iterator[WrittenRows]:
    """Inside: the import writes ``models``' rows, telling the yielded WrittenRows which
    existing rows it updated. On leaving without an exception, their foreign keys are
    checked per table (when the row triggers were off) and the triggers are on again for
    the rest of the transaction. Must run inside the import's transaction."""
    if not row_triggers_may_be_skipped(models):
        yield WrittenRows([])  # the triggers check every row; nothing left to check here
        return
    written = WrittenRows(models)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
    try:
        yield written
        written.check()
    except BaseException:
        # A failed statement aborted the transaction, whose rollback restores the setting;
        # after an exception of Python's own the transaction goes on, with the triggers.
        if not _aborted():
            _triggers_on()
        raise
    _triggers_on()


def _triggers_on() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")


def _aborted() -> bool:
    from psycopg.pq import TransactionStatus

    return bool(connection.connection.info.transaction_status == TransactionStatus.INERROR)
