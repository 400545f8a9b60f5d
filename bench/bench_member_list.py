#!/usr/bin/env python
"""Benchmark: the member list at scale.

Works on a scratch database (SQLite in a temporary directory, or with --postgres a scratch
PostgreSQL database named ``bench_list``), migrates it, seeds ``--members`` members (default
200,000) with ``gonghui seed``'s large data set, then measures server time (the time around
``django.test.Client.get``) for:

- the member list's first page, a filtered page and a deep page, as the chair of the
  county federation (their grant sits on the root, so the access scope costs nothing);
- a page filtered by unit (a town federation), as the same chair;
- the first page as the administrator and as a school union's chair;
- the baseline ``trivial``: a logged-in page that extends ``base.html`` (same middleware,
  session, authentication, context processors and page shell as the list), served by the
  benchmark-only URLconf ``bench/trivial_urls.py``; and ``healthz`` for information.

Every case is requested ``--reps`` times, round-robin with the others, so that a load spike
on a shared machine hits every case alike. Prints median and p95 of wall time and of this
process's CPU time per case, the time of each case's first request (no cached count,
anchor or short list's ids yet), the load average and, as the LAST line, a summary with each
p95 and its ratio to the trivial page's p95. Target: p95 < 150 ms and at most 3x the trivial
page.

To iterate without seeding again, keep the database: ``--db PATH`` (SQLite: the file is
created and seeded once, then reused) or ``--postgres --keep`` (``bench_list`` is kept and
reused). A kept database is migrated on each run, so new migrations are measured too.

    python bench/bench_member_list.py [--members N] [--reps R] [--quick]
                                      [--postgres [--keep] | --db PATH] [--only CASES] [--explain]
                                      [--analyze]
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(HERE))  # trivial_urls

PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_DB = "bench_list"  # scratch database of this benchmark only (--pg-db to name another)
TARGET_MS = 150.0
TARGET_RATIO = 3.0
FULL_MEMBERS = 200_000
DEEP_PAGE = 2000  # at 200,000 members; scaled down with smaller data sets
INFO_ONLY = {"healthz"}  # measured and shown, but not held to the target


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--members", type=int, default=None, help="members to seed (default 200000)")
    p.add_argument("--reps", type=int, default=None, help="timed requests per case (default 50)")
    p.add_argument("--postgres", action="store_true", help=f"use {PG_SERVER}/{PG_DB}")
    p.add_argument("--keep", action="store_true", help="PostgreSQL: keep and reuse " + PG_DB)
    p.add_argument("--db", type=Path, default=None, help="SQLite file to keep and reuse")
    p.add_argument(
        "--pg-db",
        default=PG_DB,
        help=f"PostgreSQL scratch database name (default {PG_DB}; never 'test')",
    )
    p.add_argument("--quick", action="store_true", help="20,000 members, 15 requests per case")
    p.add_argument("--only", default="", help="comma-separated cases to run (trivial always)")
    p.add_argument("--explain", action="store_true", help="show the slowest queries of each case")
    p.add_argument(
        "--analyze",
        action="store_true",
        help="refresh planner statistics first (SQLite ANALYZE, PostgreSQL VACUUM ANALYZE);\n"
        "kept in a --db file / kept database afterwards",
    )
    args = p.parse_args()
    if args.db and args.postgres:
        p.error("--db is for SQLite; use --keep with --postgres")
    if args.pg_db == "test" or not args.pg_db.isidentifier():
        p.error("--pg-db must be a plain name other than 'test'")
    args.members = args.members or (20_000 if args.quick else FULL_MEMBERS)
    args.reps = args.reps or (15 if args.quick else 50)
    return args


def pg_admin(sql: str, params: tuple[Any, ...] = ()) -> Any:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=5) as conn:
        cur = conn.execute(sql, params)
        return cur.fetchall() if cur.description else None


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> int:
    args = parse_args()
    # No collected static files in a scratch run; whitenoise warns about it on every start.
    warnings.filterwarnings("ignore", message="No directory at")
    tmp = Path(tempfile.mkdtemp(prefix="gonghui-bench-list-"))
    os.environ["GONGHUI_VAR_DIR"] = str(tmp)
    os.environ["DJANGO_SETTINGS_MODULE"] = "gonghui.settings"
    os.environ["GONGHUI_DEBUG"] = "0"
    pg_db = args.pg_db
    assert pg_db != "test"  # never touch the test suite's database
    if args.postgres:
        exists = pg_admin("SELECT 1 FROM pg_database WHERE datname = %s", (pg_db,))
        if exists and not args.keep:
            pg_admin(f"DROP DATABASE {pg_db} WITH (FORCE)")
        if not exists or not args.keep:
            pg_admin(f"CREATE DATABASE {pg_db}")
        os.environ["GONGHUI_DATABASE_URL"] = f"{PG_SERVER}/{pg_db}"
    else:
        db = args.db.resolve() if args.db else tmp / "bench.sqlite3"
        os.environ["GONGHUI_DATABASE_URL"] = f"sqlite:///{db}"
    try:
        import django

        django.setup()
        return run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if args.postgres and not args.keep:
            pg_admin(f"DROP DATABASE IF EXISTS {pg_db} WITH (FORCE)")
        shutil.rmtree(tmp, ignore_errors=True)


def seed(args: argparse.Namespace) -> bool:
    """Seed an empty database; reuse one seeded before with the same size."""
    from gonghui.demo.large import seed_large
    from gonghui.members.models import Member

    have = Member.objects.count()
    if have == args.members:
        print(f"reusing the seeded database ({have} members)")
        return True
    if have:
        print(
            f"bench_member_list: FAILED (the kept database has {have} members, not "
            f"{args.members}; use another --db file, or drop it)"
        )
        return False
    started = time.monotonic()
    seed_large(members=args.members, out=lambda s: print("  " + s, flush=True))
    seed_s = time.monotonic() - started
    gc.collect()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"seeded {args.members} members in {seed_s:.1f} s (peak RSS {rss_mb:.0f} MB)")
    return True


def run(args: argparse.Namespace) -> int:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from gonghui.core.models import OrgUnit, Role, RoleGrant, User
    from gonghui.core.services import role_grant

    settings.ROOT_URLCONF = "trivial_urls"  # the product's URLs plus the trivial page
    backend = "postgresql" if args.postgres else "sqlite"
    print(f"Member list benchmark: {args.members} members on {backend}, {args.reps} requests/case")
    started = time.monotonic()
    call_command("migrate", verbosity=0)
    print(f"migrated in {time.monotonic() - started:.1f} s", flush=True)
    if not seed(args):
        return 1
    if args.analyze:
        # SQLite keeps no statistics unless told to (the product does not run ANALYZE or
        # PRAGMA optimize yet); on PostgreSQL, VACUUM also sets the visibility map that
        # index-only scans need, which autovacuum does some time after a bulk load.
        started = time.monotonic()
        with connection.cursor() as cur:
            cur.execute("ANALYZE" if connection.vendor == "sqlite" else "VACUUM ANALYZE")
        print(f"planner statistics refreshed in {time.monotonic() - started:.1f} s")

    # The county federation's chair: a grant on the root, the common case for a federation.
    fed = OrgUnit.objects.get(code="QSX")
    fed_chair, _new = User.objects.get_or_create(
        username="bench_fed_chair", defaults={"display_name": "县总工会主席"}
    )
    if not RoleGrant.objects.filter(user=fed_chair, unit=fed, revoked_at__isnull=True).exists():
        role_grant(actor=None, user=fed_chair, role=Role.CHAIR, unit=fed)
    clients: dict[str, Client] = {}
    for name, user in (
        ("fed_chair", fed_chair),
        ("admin", User.objects.get(username="admin")),
        ("school_chair", User.objects.get(username="chair")),
    ):
        clients[name] = Client()
        clients[name].force_login(user)

    members_url = reverse("members:list")
    deep = max(2, round(DEEP_PAGE * args.members / FULL_MEMBERS))
    filtered = "?gender=F&employment_type=contract&q=%E7%8E%8B"  # q=王
    town = OrgUnit.objects.filter(kind="federation", depth=1).order_by("path").first()
    cases: list[tuple[str, str, str]] = [
        ("trivial", "fed_chair", reverse("bench_trivial")),
        ("healthz", "fed_chair", reverse("healthz")),
        ("list", "fed_chair", members_url),
        ("filtered", "fed_chair", members_url + filtered),
        ("deep", "fed_chair", f"{members_url}?page={deep}"),
        ("unit", "fed_chair", f"{members_url}?unit={town.pk if town else fed.pk}"),
        ("list_admin", "admin", members_url),
        ("list_school", "school_chair", members_url),
    ]
    if args.only:
        wanted = {"trivial", *args.only.split(",")}
        cases = [c for c in cases if c[0] in wanted]

    queries: dict[str, int] = {}
    first: dict[str, float] = {}
    for label, who, url in cases:
        # The first request of a case finds no cached count, anchor or short list's ids
        # (members/counts.py, queries._Seek): shown for information, not timed with the rest.
        t0 = time.perf_counter()
        response = clients[who].get(url)
        first[label] = (time.perf_counter() - t0) * 1000
        if response.status_code != 200:
            print(f"FAILED: {label} {url} answered {response.status_code}")
            print(f"bench_member_list: FAILED ({label} answered {response.status_code})")
            return 1
        queries[label] = count_queries(connection, lambda c=clients[who], u=url: c.get(u))
        for _ in range(2):
            clients[who].get(url)
    # Wall time is the measure; CPU time of this process (the whole server side on SQLite,
    # all but the database on PostgreSQL) shows how much of it was waiting on a busy machine.
    wall: dict[str, list[float]] = {label: [] for label, _w, _u in cases}
    cpu: dict[str, list[float]] = {label: [] for label, _w, _u in cases}
    load_before = os.getloadavg()[0]
    for rep in range(args.reps):
        shift = rep % len(cases)
        for label, who, url in cases[shift:] + cases[:shift]:
            c0, t0 = time.process_time(), time.perf_counter()
            clients[who].get(url)
            wall[label].append((time.perf_counter() - t0) * 1000)
            cpu[label].append((time.process_time() - c0) * 1000)
    load_after = os.getloadavg()[0]
    for label, who, url in cases:
        print(
            f"{label:12} {who:12} median {statistics.median(wall[label]):7.1f} ms  "
            f"p95 {p95(wall[label]):7.1f} ms  CPU median {statistics.median(cpu[label]):6.1f} "
            f"p95 {p95(cpu[label]):6.1f} ms  {queries[label]:2d} queries  "
            f"first {first[label]:6.1f} ms  {url}",
            flush=True,
        )
    print(f"load (1 min): {load_before:.1f} before the timed requests, {load_after:.1f} after")

    base = p95(wall["trivial"])
    misses = []
    parts = []
    for label, _who, url in cases:
        high = p95(wall[label])
        ratio = high / base if base else float("inf")
        if label == "trivial":
            continue
        parts.append(
            f"{label} {statistics.median(wall[label]):.0f}/{high:.0f} ms "
            f"({ratio:.1f}x; cpu {statistics.median(cpu[label]):.0f}/{p95(cpu[label]):.0f})"
        )
        if label not in INFO_ONLY and (high >= TARGET_MS or ratio > TARGET_RATIO):
            misses.append((label, url))
    shown = cases if args.explain else [c for c in cases if (c[0], c[2]) in misses]
    for label, who, url in shown:
        explain_slowest(connection, clients[who], url, label, plan=bool(args.explain))
    verdict = "PASS" if not misses else "MISS: " + ", ".join(m[0] for m in misses)
    print(
        f"bench_member_list: {args.members} members, {backend}"
        f"{' (analyzed)' if args.analyze else ''}, {args.reps} reps, "
        f"load {load_before:.1f}-{load_after:.1f}, "
        f"median/p95 ms | trivial logged-in page {statistics.median(wall['trivial']):.0f}/"
        f"{base:.0f} ms (cpu {statistics.median(cpu['trivial']):.0f}/{p95(cpu['trivial']):.0f}) | "
        + " | ".join(parts)
        + f" | target p95 < {TARGET_MS:.0f} ms and <= {TARGET_RATIO:.0f}x trivial: {verdict}"
    )
    return 0


def count_queries(connection: Any, request: Callable[[], Any]) -> int:
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        request()
    return len(ctx.captured_queries)


def explain_slowest(
    connection: Any, client: Any, url: str, label: str, *, plan: bool = False
) -> None:
    """Split one request's time into SQL and the rest; show the slowest queries, and the
    plan of the slowest when the database is where the time goes."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        t0 = time.perf_counter()
        client.get(url)
        total = (time.perf_counter() - t0) * 1000
    timed = sorted(
        ((float(q["time"]) * 1000, q["sql"]) for q in ctx.captured_queries), reverse=True
    )
    sql_ms = sum(ms for ms, _sql in timed)
    print(f"-- {label}: {total:.1f} ms in all, {sql_ms:.1f} ms in {len(timed)} queries ({url})")
    for ms, sql in timed[:3]:
        print(f"   {ms:7.1f} ms  {sql[:300]}")
    slow = timed and (plan or timed[0][0] >= 20)
    if slow and timed[0][1].lstrip().upper().startswith("SELECT"):
        prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN ANALYZE "
        with connection.cursor() as cur:
            cur.execute(prefix + timed[0][1])
            for row in cur.fetchall():
                print("   plan:", " ".join(str(c) for c in row))


if __name__ == "__main__":
    sys.exit(main())
