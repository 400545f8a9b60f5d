"""Counts of the member list, kept in the cache until a member or person changes.

Counting 200,000 members takes longer than rendering the whole page (SQLite walks the
index, PostgreSQL scans it), and every page of the same list asks the same question. So a
count is cached under the exact query that makes it (the user's scope and filter are in
its SQL) and a *list version* that every change of a member or person moves on:

- ``post_save``/``post_delete`` of Member and Person (every service and factory save), and
- ``members_changed()`` after bulk writes that send no signals (the roster import).

The version moves at the write and again after the transaction commits (see
``members_changed``). With a shared cache (Redis, the production
setting) every process sees the new version at once; with the per-process default cache a
change made by another process (a CLI import) shows in the counts within ``COUNT_TTL``.

The same key and version hold the list's *anchors* (``queries._Seek``: the sort key of
every 1,000th row, from which a page is sought instead of OFFSET) and the plan choices of a
name or person search (how many people match). An anchor read under a stale version (a
change in another process, within ``COUNT_TTL``) still gives a contiguous page of the list,
shifted by the rows that changed before it, as OFFSET over changing rows would.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet

VERSION_KEY = "members:list-version"
COUNT_TTL = 60  # seconds; bounds how stale a count can be in an unshared cache

T = TypeVar("T")


def list_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        # After an eviction a fresh start must not meet counts cached under old numbers.
        version = time.time_ns()
        cache.add(VERSION_KEY, version, timeout=None)
        version = cache.get(VERSION_KEY, version)
    return int(version)


def _bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not in the cache (evicted, or never read)
        cache.set(VERSION_KEY, time.time_ns(), timeout=None)


def members_changed(**_signal_kwargs: Any) -> None:
    """Counts of the member list are stale from now on. Also a signal receiver, hence the
    ignored keyword arguments.

    The version moves now, so that this transaction's own reads do not meet a count cached
    before the write, and again after commit, so that a count another request cached from
    the not yet committed state is not served afterwards."""
    _bump()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(_bump)


def list_key(qs: QuerySet[Any]) -> str:
    """The cache key prefix of a list: the exact query (the user's scope and filter are in
    its SQL) under the current list version."""
    sql, params = qs.query.get_compiler(using=qs.db).as_sql()
    digest = hashlib.sha256(repr((qs.db, sql, params)).encode()).hexdigest()
    return f"members:{list_version()}:{digest}"


def cached(key: str, compute: Callable[[], T]) -> T:
    """``compute()``, served from the cache under ``key`` (from ``list_key``)."""
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout=COUNT_TTL)
    return value


def cached_count(qs: QuerySet[Any], key: str | None = None) -> int:
    """``qs.count()``, served from the cache while the members are unchanged."""
    return int(cached(f"{key or list_key(qs)}:count", qs.count))
