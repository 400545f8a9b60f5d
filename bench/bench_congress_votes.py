#!/usr/bin/env python
"""Benchmark: a congress session whose delegates all vote on many items at once, through
the web, from their phones.

Works on a scratch database (SQLite in a temporary directory, or with --postgres a scratch
PostgreSQL database named ``bench_votes``, dropped and created on every run). Seeds one
grassroots union with ``--delegates`` members (default 500; ``--quick`` 100), each with a
login, a serving seat in the congress's term and a check-in, opens the session and the
secret votes on ``--items`` agenda items (default 20; ``--quick`` 5), and logs every
delegate in by writing their session directly (no passwords).

Then it starts gunicorn (``-k gthread``, ``--workers`` x ``--threads``) on a free port of
127.0.0.1 and drives it with ``--concurrency`` client threads (http.client, keep-alive, one
connection per thread):

- baselines, same server and concurrency: as many ``GET /healthz`` as there will be vote
  requests, then ``GET`` of the delegate's phone page (the htmx partial a vote returns),
  twice per delegate;
- the votes: every (delegate, item) pair once, in random order, as the phone sends it
  (``POST .../items/<item>/vote/`` with ``HX-Request: true``), choices drawn 80% yes, 10% no,
  10% abstain; for a ``--duplicates`` fraction of the pairs the SAME vote is sent twice at
  the same moment on two connections (both requests sent, then both responses read):
  exactly one of the two may count.

Afterwards, in this process, it checks the database against what the client sent: per item
as many receipts and ballots as delegates, no pair without a receipt (lost), the ballots
per choice equal to the client's tallies (nothing changed or duplicated), no secret ballot
naming a delegate, and one refusal per duplicate pair. Exit status 1 if anything is lost,
duplicated or failed.

Prints latencies (median, p95, max) and rates per phase and, as the LAST line, votes per
second, the vote p95 and its ratio to the healthz p95, and the check's verdict.

    python bench/bench_congress_votes.py [--delegates N] [--items K] [--concurrency C]
                                         [--workers W] [--threads T] [--duplicates F]
                                         [--postgres] [--quick]

The server is the same on both databases (default 3 workers x 4 threads). On SQLite every
vote waits for the one write lock (``transaction_mode`` IMMEDIATE, ``busy_timeout`` 10 s);
a vote that waited longer would fail with "database is locked", which is counted from the
server's log and reported.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import shutil
import socket
import statistics
import string
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SRC = ROOT / "src"
sys.path.insert(0, str(SRC))

PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_DB = "bench_votes"  # this benchmark's own scratch database (never 'test')
SEED = 20261220
CHOICES = (("yes", 0.8), ("no", 0.1), ("abstain", 0.1))
HOST = "127.0.0.1"
CSRF_SECRET = "".join(random.Random(SEED).choices(string.ascii_letters + string.digits, k=32))
VOTED_MARK = "alert alert-success mb-0 voted"
ERROR_MARK = "alert alert-danger"


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--delegates", type=int, default=None, help="delegates (default 500)")
    p.add_argument("--items", type=int, default=None, help="items voted on at once (default 20)")
    p.add_argument("--concurrency", type=int, default=50, help="client threads (default 50)")
    p.add_argument("--workers", type=int, default=3, help="gunicorn workers (default 3)")
    p.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")
    p.add_argument(
        "--duplicates",
        type=float,
        default=0.05,
        help="fraction of votes sent twice at the same moment (default 0.05)",
    )
    p.add_argument("--postgres", action="store_true", help=f"use {PG_SERVER}/{PG_DB}")
    p.add_argument("--quick", action="store_true", help="100 delegates, 5 items")
    args = p.parse_args()
    args.delegates = args.delegates or (100 if args.quick else 500)
    args.items = args.items or (5 if args.quick else 20)
    if not 0 <= args.duplicates <= 1:
        p.error("--duplicates is a fraction between 0 and 1")
    return args


def pg_admin(sql: str, params: tuple[Any, ...] = ()) -> Any:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=5) as conn:
        cur = conn.execute(sql, params)
        return cur.fetchall() if cur.description else None


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    args = parse_args()
    warnings.filterwarnings("ignore", message="No directory at")
    tmp = Path(tempfile.mkdtemp(prefix="gonghui-bench-votes-"))
    (tmp / "static").mkdir()
    os.environ["GONGHUI_VAR_DIR"] = str(tmp)
    os.environ["GONGHUI_STATIC_ROOT"] = str(tmp / "static")
    os.environ["DJANGO_SETTINGS_MODULE"] = "gonghui.settings"
    os.environ["GONGHUI_DEBUG"] = "0"
    assert PG_DB != "test"  # never touch the test suite's database
    if args.postgres:
        pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        pg_admin(f"CREATE DATABASE {PG_DB}")
        os.environ["GONGHUI_DATABASE_URL"] = f"{PG_SERVER}/{PG_DB}"
    else:
        os.environ["GONGHUI_DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    server: subprocess.Popen[bytes] | None = None
    try:
        import django

        django.setup()
        world = setup_world(args)
        from django.db import connections

        connections.close_all()  # the server's workers get the database to themselves
        port = free_port()
        server = start_server(args, tmp, port)
        return measure(args, world, port, tmp)
    finally:
        if server is not None:
            stop_server(server)
        from django.db import connections

        connections.close_all()
        if args.postgres:
            pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        shutil.rmtree(tmp, ignore_errors=True)


# ---- the world -----------------------------------------------------------------------------


@dataclass
class World:
    session_id: int
    item_ids: list[int]
    # delegate id -> the session cookie of the delegate's user
    cookies: dict[int, str]


def setup_world(args: argparse.Namespace) -> World:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db import transaction

    from gonghui.congress import meeting
    from gonghui.congress.models import (
        AgendaItem,
        CheckIn,
        Congress,
        CongressKind,
        CongressSession,
        CongressTerm,
        Delegate,
        Delegation,
    )
    from gonghui.core.models import Person, UnitKind, User
    from gonghui.core.services import unit_create
    from gonghui.members.models import Member, MemberStatus

    backend = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(
        f"Congress votes benchmark: {args.delegates} delegates x {args.items} secret items on "
        f"{backend}; gunicorn gthread {args.workers} worker(s) x {args.threads} threads, "
        f"{args.concurrency} client threads, {args.duplicates:.0%} of votes sent twice at once",
        flush=True,
    )
    started = time.monotonic()
    call_command("migrate", verbosity=0)
    print(f"migrated in {time.monotonic() - started:.1f} s", flush=True)

    started = time.monotonic()
    rng = random.Random(SEED)
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
    given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰"
    n = args.delegates
    with transaction.atomic():
        county = unit_create(
            actor=None, name="基准县总工会", code="BENCH-VOTES-FED", kind=UnitKind.FEDERATION,
            parent=None,
        )  # fmt: skip
        union = unit_create(
            actor=None, name="基准实验学校工会", code="BENCH-VOTES", kind=UnitKind.GRASSROOTS_UNION,
            parent=county, staff_count=n,
        )  # fmt: skip
        people = Person.objects.bulk_create(
            Person(
                name=rng.choice(surnames) + "".join(rng.choices(given, k=rng.choice((1, 2)))),
                gender=rng.choice("MF"),
            )
            for _ in range(n)
        )
        Member.objects.bulk_create(
            Member(
                person=p,
                union=union,
                unit=union,
                member_no=f"V{i + 1:05d}",
                status=MemberStatus.ACTIVE,
                joined_on=date(2015, 9, 1),
            )
            for i, p in enumerate(people)
        )
        users = User.objects.bulk_create(
            User(
                username=f"bench_delegate_{i + 1}",
                display_name=p.name,
                person=p,
                password=make_password(None),  # unusable: they are logged in below
            )
            for i, p in enumerate(people)
        )
        congress = Congress.objects.create(
            union=union, kind=CongressKind.TEACHERS, name="基准实验学校教职工代表大会"
        )
        term = CongressTerm.objects.create(
            congress=congress, number=8, starts_on=date(2024, 3, 1),
            planned_end_on=date(2029, 2, 28),
        )  # fmt: skip
        session = CongressSession.objects.create(
            term=term, number=3, title="第八届第三次教代会", held_on=date(2026, 12, 20)
        )
        groups = max(1, min(10, n // 50))
        delegations = [
            Delegation.objects.create(
                term=term, name=f"第{g + 1}代表团", seats=n // groups + 1, sort_order=g
            )
            for g in range(groups)
        ]
        delegates = Delegate.objects.bulk_create(
            Delegate(
                term=term,
                delegation=delegations[i % groups],
                person=p,
                elected_on=date(2024, 3, 1),
            )
            for i, p in enumerate(people)
        )
        CheckIn.objects.bulk_create(
            CheckIn(session=session, delegate=d, method=CheckIn.Method.CADRE) for d in delegates
        )
        items = AgendaItem.objects.bulk_create(
            AgendaItem(
                session=session,
                order=k + 1,
                kind=AgendaItem.Kind.ADOPT,
                title=f"审议通过《学校第{k + 1}号制度（草案）》",
                vote_mode=AgendaItem.VoteMode.SECRET,
            )
            for k in range(args.items)
        )
    if any(d.pk is None for d in delegates) or any(u.pk is None for u in users):
        raise RuntimeError("bulk_create returned no keys (needs SQLite >= 3.35 or PostgreSQL)")
    meeting.session_open(actor=None, session=session)
    for item in items:
        meeting.vote_open(actor=None, item=item)

    cookies: dict[int, str] = {}
    with transaction.atomic():
        for d, u in zip(delegates, users, strict=True):
            store = SessionStore()
            store[SESSION_KEY] = str(u.pk)
            store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            store[HASH_SESSION_KEY] = u.get_session_auth_hash()
            store.save()
            cookies[d.pk] = store.session_key
    print(
        f"seeded {n} members, users, delegates and check-ins, {args.items} items open for "
        f"voting, {n} sessions logged in, in {time.monotonic() - started:.1f} s",
        flush=True,
    )
    return World(session_id=session.pk, item_ids=[it.pk for it in items], cookies=cookies)


# ---- the server ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_server(args: argparse.Namespace, tmp: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(SRC), "PYTHONUNBUFFERED": "1"}
    log = tmp / "gunicorn.log"
    cmd = [
        sys.executable, "-m", "gunicorn", "gonghui.wsgi",
        "-k", "gthread", "-w", str(args.workers), "--threads", str(args.threads),
        "-b", f"{HOST}:{port}", "--chdir", str(SRC),
        # Idle keep-alive connections stay open for the whole run (gunicorn's default is 2 s).
        "--keep-alive", "600", "--timeout", "120", "--graceful-timeout", "10",
        "--log-level", "warning", "--error-logfile", str(log),
    ]  # fmt: skip
    started = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    while time.monotonic() - started < 90:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}:\n{tail(log)}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", "/healthz")
            status = conn.getresponse().status
            conn.close()
            if status == 200:
                print(
                    f"gunicorn up on {HOST}:{port} in {time.monotonic() - started:.1f} s",
                    flush=True,
                )
                return proc
        except OSError:
            pass
        time.sleep(0.2)
    stop_server(proc)
    raise RuntimeError(f"gunicorn did not answer /healthz within 90 s:\n{tail(log)}")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


# ---- the client ----------------------------------------------------------------------------


@dataclass
class Result:
    latency_ms: float
    status: int  # 0: connection error
    body: str = ""
    error: str = ""
    retried: bool = False


@dataclass
class Phase:
    name: str
    results: list[Result] = field(default_factory=list)
    wall_s: float = 0.0

    @property
    def latencies(self) -> list[float]:
        return [r.latency_ms for r in self.results if r.status]

    def line(self) -> str:
        lat = self.latencies
        statuses = Counter(r.status for r in self.results)
        codes = ", ".join(f"{s or 'conn-err'}: {c}" for s, c in sorted(statuses.items()))
        return (
            f"{self.name:14} {len(self.results):6d} requests in {self.wall_s:6.1f} s = "
            f"{len(self.results) / self.wall_s:7.1f}/s | median {statistics.median(lat):6.1f} "
            f"p95 {pct(lat, 0.95):6.1f} max {max(lat):7.1f} ms | {codes}"
        )


class Client:
    """One keep-alive connection per thread and slot (slot 1: the second browser of a
    delegate who votes twice at once); a broken connection is replaced and the request
    sent once more."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.local = threading.local()

    def conn(self, slot: int, fresh: bool = False) -> http.client.HTTPConnection:
        key = f"c{slot}"
        c = getattr(self.local, key, None)
        if c is None or fresh:
            if c is not None:
                c.close()
            c = http.client.HTTPConnection(HOST, self.port, timeout=120)
            setattr(self.local, key, c)
        return c

    def send(self, slot: int, method: str, path: str, headers: dict[str, str], body: str) -> Any:
        """Send a request; returns (connection, start time, retried)."""
        retried = False
        for attempt in range(2):
            c = self.conn(slot, fresh=attempt > 0)
            t0 = time.perf_counter()
            try:
                c.request(method, path, body=body or None, headers=headers)
                return c, t0, retried
            except (OSError, http.client.HTTPException):
                retried = True
        raise ConnectionError(f"cannot send {method} {path}")

    def read(self, c: http.client.HTTPConnection, t0: float) -> Result:
        resp = c.getresponse()
        body = resp.read().decode("utf-8", errors="replace")
        return Result((time.perf_counter() - t0) * 1000, resp.status, body)

    def one(
        self, method: str, path: str, headers: dict[str, str], body: str = "", slot: int = 0
    ) -> Result:
        for attempt in range(2):
            try:
                c, t0, retried = self.send(slot, method, path, headers, body)
                r = self.read(c, t0)
                r.retried = retried or attempt > 0
                return r
            except (OSError, http.client.HTTPException) as e:
                self.conn(slot, fresh=True)
                if attempt:
                    return Result(0.0, 0, error=f"{type(e).__name__}: {e}", retried=True)
        raise AssertionError("unreachable")

    def pair(self, method: str, path: str, headers: dict[str, str], body: str) -> list[Result]:
        """The same request on two connections at the same moment: both sent, then both
        read."""
        sent: list[tuple[int, Any]] = []
        for slot in (0, 1):
            try:
                sent.append((slot, self.send(slot, method, path, headers, body)))
            except ConnectionError as e:
                sent.append((slot, Result(0.0, 0, error=str(e), retried=True)))
        out = []
        for slot, what in sent:
            if isinstance(what, Result):
                out.append(what)
                continue
            c, t0, retried = what
            try:
                r = self.read(c, t0)
                r.retried = retried
            except (OSError, http.client.HTTPException) as e:
                self.conn(slot, fresh=True)
                r = Result(0.0, 0, error=f"{type(e).__name__}: {e}")
            out.append(r)
        return out


def headers_for(session_key: str, *, post: bool) -> dict[str, str]:
    h = {
        "Cookie": f"sessionid={session_key}; csrftoken={CSRF_SECRET}",
        "HX-Request": "true",
    }
    if post:
        h["X-CSRFToken"] = CSRF_SECRET
        h["Content-Type"] = "application/x-www-form-urlencoded"
    return h


def run_phase(name: str, tasks: list[Callable[[], list[Result]]], concurrency: int) -> Phase:
    phase = Phase(name)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for results in pool.map(lambda t: t(), tasks):
            phase.results.extend(results)
    phase.wall_s = time.perf_counter() - started
    print(phase.line(), flush=True)
    return phase


# ---- the run -------------------------------------------------------------------------------


@dataclass
class Vote:
    delegate_id: int
    item_id: int
    choice: str
    twice: bool
    results: list[Result] = field(default_factory=list)


def measure(args: argparse.Namespace, world: World, port: int, tmp: Path) -> int:
    backend = "postgresql" if args.postgres else "sqlite"
    rng = random.Random(SEED + 1)
    client = Client(port)
    sid = world.session_id
    delegate_ids = sorted(world.cookies)

    votes = [
        Vote(
            d,
            it,
            rng.choices([c for c, _w in CHOICES], weights=[w for _c, w in CHOICES])[0],
            False,
        )
        for d in delegate_ids
        for it in world.item_ids
    ]
    for v in rng.sample(votes, round(args.duplicates * len(votes))):
        v.twice = True
    rng.shuffle(votes)
    intended: dict[int, Counter[str]] = {it: Counter() for it in world.item_ids}
    for v in votes:
        intended[v.item_id][v.choice] += 1
    n_requests = sum(2 if v.twice else 1 for v in votes)
    page = f"/congress/meeting/{sid}/delegate/"

    def healthz() -> list[Result]:
        return [client.one("GET", "/healthz", {})]

    def delegate_page(d: int) -> Callable[[], list[Result]]:
        return lambda: [client.one("GET", page, headers_for(world.cookies[d], post=False))]

    def cast(v: Vote) -> Callable[[], list[Result]]:
        path = f"/congress/meeting/{sid}/items/{v.item_id}/vote/"
        h = headers_for(world.cookies[v.delegate_id], post=True)
        body = f"choice={v.choice}"

        def run() -> list[Result]:
            v.results = (
                client.pair("POST", path, h, body)
                if v.twice
                else [client.one("POST", path, h, body)]
            )
            return v.results

        return run

    # Warm-up: every worker imports, compiles templates and opens its connections.
    warm = run_phase(
        "warm-up",
        [healthz] * (args.workers * args.threads * 4)
        + [delegate_page(d) for d in delegate_ids[: args.workers * args.threads * 2]],
        args.concurrency,
    )
    bad = [r for r in warm.results if r.status != 200]
    if bad:
        print(f"FAILED: warm-up answered {bad[0].status} {bad[0].error} {bad[0].body[:300]}")
        print(f"congress_votes[{backend}]: FAILED (warm-up answered {bad[0].status})")
        return 1
    if 'id="delegate-items"' not in warm.results[-1].body:
        print("FAILED: the delegate page is not the phone partial:", warm.results[-1].body[:300])
        print(f"congress_votes[{backend}]: FAILED (no delegate partial)")
        return 1

    base = run_phase("healthz", [healthz] * n_requests, args.concurrency)
    page_tasks = [delegate_page(d) for d in delegate_ids * 2]
    rng.shuffle(page_tasks)
    page_phase = run_phase("delegate page", page_tasks, args.concurrency)
    vote_phase = run_phase("votes", [cast(v) for v in votes], args.concurrency)

    failed = check(args, world, votes, intended, vote_phase, base, page_phase, tmp, backend)
    return 1 if failed else 0


def classify(r: Result) -> str:
    if r.status == 0:
        return "connection error"
    if r.status != 200:
        return f"HTTP {r.status}"
    if ERROR_MARK in r.body:
        return "refused"
    if VOTED_MARK in r.body:
        return "counted"
    return "no voted mark"


def check(
    args: argparse.Namespace,
    world: World,
    votes: list[Vote],
    intended: dict[int, Counter[str]],
    vote_phase: Phase,
    base: Phase,
    page_phase: Phase,
    tmp: Path,
    backend: str,
) -> bool:
    from django.db.models import Count

    from gonghui.congress.models import Ballot, VoteReceipt

    receipts = Counter(
        dict(
            VoteReceipt.objects.filter(item_id__in=world.item_ids)
            .values("item_id")
            .annotate(n=Count("pk"))
            .values_list("item_id", "n")
        )
    )
    pairs = set(
        VoteReceipt.objects.filter(item_id__in=world.item_ids).values_list("item_id", "delegate_id")
    )
    ballots: dict[int, Counter[str]] = {it: Counter() for it in world.item_ids}
    for it, choice, n in (
        Ballot.objects.filter(item_id__in=world.item_ids)
        .values("item_id", "choice")
        .annotate(n=Count("pk"))
        .values_list("item_id", "choice", "n")
    ):
        ballots[it][choice] = n
    named = Ballot.objects.filter(item_id__in=world.item_ids, delegate__isnull=False).count()

    n = args.delegates
    print(f"{'item':>6} {'receipts':>8} {'ballots':>8}   yes/no/abstain sent -> counted")
    tally_mismatch = 0
    for it in world.item_ids:
        b = ballots[it]
        sent = "/".join(str(intended[it][c]) for c, _w in CHOICES)
        got = "/".join(str(b[c]) for c, _w in CHOICES)
        diff = sum(abs(b[c] - intended[it][c]) for c, _w in CHOICES)
        tally_mismatch += diff
        mark = "" if diff == 0 and receipts[it] == n == b.total() else "   <-- MISMATCH"
        print(f"{it:>6} {receipts[it]:>8} {b.total():>8}   {sent} -> {got}{mark}")

    expected = {(v.item_id, v.delegate_id) for v in votes}
    lost_pairs = len(expected - pairs)
    lost_ballots = sum(max(0, receipts[it] - ballots[it].total()) for it in world.item_ids)
    lost = lost_pairs + lost_ballots
    duplicated = sum(max(0, ballots[it].total() - receipts[it]) for it in world.item_ids) + len(
        pairs - expected
    )
    twice = [v for v in votes if v.twice]
    refused_ok = sum(
        1 for v in twice if sorted(classify(r) for r in v.results) == ["counted", "refused"]
    )
    outcomes = Counter(classify(r) for v in votes if not v.twice for r in v.results)
    pair_outcomes = Counter(
        " + ".join(sorted(classify(r) for r in v.results)) for v in twice
    )  # fmt: skip
    retried = sum(r.retried for v in votes for r in v.results)
    print(f"single votes: {dict(outcomes)}")
    print(f"votes sent twice at once: {dict(pair_outcomes)}")
    odd = [r for v in votes for r in v.results if classify(r) not in ("counted", "refused")]
    if odd:
        print(f"  e.g. {odd[0].status} {odd[0].error} {odd[0].body[:300]!r}")
    single_refused = [
        r for v in votes if not v.twice for r in v.results if classify(r) == "refused"
    ]  # fmt: skip
    if single_refused:
        m = re.search(r'role="alert">([^<]*)<', single_refused[0].body)
        print(f"  a single vote refused: {m.group(1) if m else single_refused[0].body[:200]}")
    log = (
        (tmp / "gunicorn.log").read_text(errors="replace")
        if (tmp / "gunicorn.log").exists()
        else ""
    )
    locked = log.count("database is locked")
    server_errors = len(re.findall(r"^Internal Server Error", log, re.M))
    print(
        f"secret ballots naming a delegate: {named}; requests sent again on a new connection: "
        f"{retried}; server log: {server_errors} internal server errors, "
        f"{locked} 'database is locked'"
    )
    if server_errors or locked:
        print(tail(tmp / "gunicorn.log", 15))

    five_xx = sum(
        1 for r in vote_phase.results + base.results + page_phase.results if r.status >= 500
    )
    conn_errors = sum(
        1 for r in vote_phase.results + base.results + page_phase.results if not r.status
    )
    unexpected = sum(c for k, c in outcomes.items() if k != "counted")
    failed = bool(
        lost
        or duplicated
        or tally_mismatch
        or named
        or refused_ok != len(twice)
        or five_xx
        or conn_errors
        or unexpected
    )

    counted = sum(receipts.values())
    rate = counted / vote_phase.wall_s
    vp95, hp95, pp95 = pct(vote_phase.latencies, 0.95), pct(base.latencies, 0.95), pct(
        page_phase.latencies, 0.95
    )  # fmt: skip
    extra = ""
    if five_xx or conn_errors or unexpected:
        extra = f"; 5xx {five_xx}, connection errors {conn_errors}, other failures {unexpected}"
    if locked:
        extra += f"; 'database is locked' {locked}"
    print(
        f"congress_votes[{backend}]: {n} delegates x {len(world.item_ids)} items = "
        f"{len(votes)} votes in {vote_phase.wall_s:.1f} s = {rate:.0f} votes/s; "
        f"vote p95 {vp95:.0f} ms (healthz p95 {hp95:.0f} ms, {vp95 / hp95:.1f}x; "
        f"delegate page p95 {pp95:.0f} ms, {vp95 / pp95:.1f}x); gunicorn {args.workers}x"
        f"{args.threads}, {args.concurrency} clients; lost {lost}, duplicated {duplicated}, "
        f"tallies off by {tally_mismatch}, duplicates refused {refused_ok}/{len(twice)}{extra}"
        f" -> {'FAIL' if failed else 'OK'}"
    )
    return failed


if __name__ == "__main__":
    sys.exit(main())
