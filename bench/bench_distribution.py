#!/usr/bin/env python
"""Benchmark: building a Mid-Autumn distribution for 200,000 members with cap checks.

Works on a scratch database (SQLite in a temporary directory, ``--db PATH`` to keep a SQLite
file, or ``--postgres`` a scratch PostgreSQL database named ``k2bench``). Seeds, in a child
process so that its memory does not count, one enterprise union of ``--members`` members
(default 200,000; ``--quick`` 20,000) in 100 workshops, 95% in work, and festival payments
this year for 5% of them: 2% at ¥1,900 (a ¥300 gift passes Anhui's ¥2,000 cap) and 3% at
¥500. Then it measures, ``--reps`` times each:

- ``ids``: the baseline, the selection alone: ``Member.objects.filter(union=…, status=
  "active", work_status="working").values_list("id")``;
- ``bare``: ``bulk_create`` of the same number of bare DistributionLine rows (no spend query,
  no cap, no progress), the write the build cannot avoid;
- ``build``: the product's ``distribution_build`` (run in process): the selection, the
  year-to-date totals of every member (one aggregate), the cap, ``rules.plan_lines`` per
  chunk, the inserts, progress and the audit row.

Prints seconds (median), peak RSS of this process (Django loaded, seeding excluded), and,
as the LAST line, the build's time, its ratio to both baselines, its peak RSS, and whether it
met the target (< 10 s).

    python bench/bench_distribution.py [--members N] [--reps R] [--quick]
                                       [--postgres [--keep] | --db PATH] [--no-migrations]

``--no-migrations`` builds the schema from the models (like the test suite's
``--nomigrations``), for runs before the migrations of new model fields exist.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))

PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_DB = "k2bench"  # this benchmark's own scratch database (never 'test')
FULL_MEMBERS = 200_000
TARGET_S = 10.0
UNION_CODE = "BENCH-DIST"
YEAR = 2026


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--members", type=int, default=None, help="members (default 200000)")
    p.add_argument("--reps", type=int, default=None, help="timed runs per case (default 3)")
    p.add_argument("--quick", action="store_true", help="20,000 members, one run per case")
    p.add_argument("--postgres", action="store_true", help=f"use {PG_SERVER}/{PG_DB}")
    p.add_argument("--keep", action="store_true", help=f"PostgreSQL: keep and reuse {PG_DB}")
    p.add_argument("--db", type=Path, default=None, help="SQLite file to keep and reuse")
    p.add_argument("--no-migrations", action="store_true", help="schema from the models")
    p.add_argument("--seed-only", action="store_true", help=argparse.SUPPRESS)  # child process
    args = p.parse_args()
    if args.db and args.postgres:
        p.error("--db is for SQLite; use --keep with --postgres")
    args.members = args.members or (20_000 if args.quick else FULL_MEMBERS)
    args.reps = args.reps or (1 if args.quick else 3)
    return args


def pg_admin(sql: str, params: tuple[Any, ...] = ()) -> Any:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=5) as conn:
        cur = conn.execute(sql, params)
        return cur.fetchall() if cur.description else None


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup_django(args: argparse.Namespace) -> None:
    import django

    if args.no_migrations:
        from django.conf import settings

        settings.MIGRATION_MODULES = _NoMigrations()
    django.setup()


class _NoMigrations(dict):
    """Every app without migrations: migrate --run-syncdb creates tables from the models."""

    def __contains__(self, item: object) -> bool:
        return True

    def __getitem__(self, item: str) -> None:
        return None


def migrate(args: argparse.Namespace) -> None:
    from django.core.management import call_command

    started = time.monotonic()
    call_command("migrate", verbosity=0, run_syncdb=args.no_migrations)
    print(f"schema ready in {time.monotonic() - started:.1f} s", flush=True)


def seed(members: int) -> None:
    """One enterprise union with ``members`` members in 100 workshops, and this year's
    festival payments for 5% of them, written with bulk_create."""
    import random
    from datetime import date
    from decimal import Decimal

    from django.db import transaction

    from gonghui.care.models import CarePayment
    from gonghui.core.models import Person
    from gonghui.core.services import unit_create
    from gonghui.members.models import Member

    rng = random.Random(20260925)
    started = time.monotonic()
    with transaction.atomic():
        fed = unit_create(
            actor=None, name="基准市总工会", code="BENCH-FED", kind="federation", parent=None
        )
        union = unit_create(
            actor=None, name="基准集团工会", code=UNION_CODE, kind="grassroots", parent=fed
        )
        shops = [
            unit_create(
                actor=None,
                name=f"第{i + 1}车间",
                code=f"{UNION_CODE}-{i + 1}",
                kind="group",
                parent=union,
            )
            for i in range(100)
        ]
    surnames, given = (
        "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗",
        "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚",
    )
    batch = 10_000
    for start in range(0, members, batch):
        n = min(batch, members - start)
        with transaction.atomic():
            persons = Person.objects.bulk_create(
                [
                    Person(
                        name=rng.choice(surnames) + rng.choice(given) + rng.choice(given),
                        gender=rng.choice("MF"),
                        birth_date=date(
                            1960 + rng.randrange(45), 1 + rng.randrange(12), 1 + rng.randrange(28)
                        ),
                    )
                    for _ in range(n)
                ],
                batch_size=2000,
            )
            Member.objects.bulk_create(
                [
                    Member(
                        person=p,
                        union=union,
                        unit=shops[(start + i) % 100],
                        member_no=f"B{start + i:07d}",
                        work_status="retired" if rng.random() < 0.05 else "working",
                        post=rng.choice(["装配工", "焊工", "质检员", "叉车司机", "锻造工"]),
                    )
                    for i, p in enumerate(persons)
                ],
                batch_size=2000,
            )
    ids = list(Member.objects.filter(union=union).values_list("id", flat=True))
    paid = rng.sample(ids, len(ids) // 20)
    near = set(paid[: len(ids) // 50])
    with transaction.atomic():
        CarePayment.objects.bulk_create(
            [
                CarePayment(
                    union=union,
                    member_id=mid,
                    cap_item="festival",
                    year=YEAR,
                    paid_on=date(YEAR, 2, 10),
                    gift_value=Decimal("1900.00" if mid in near else "500.00"),
                    amount=Decimal("1900.00" if mid in near else "500.00"),
                    source="distribution",
                    source_id=1,
                )
                for mid in paid
            ],
            batch_size=2000,
        )
    print(
        f"seeded {members} members and {len(paid)} payments in "
        f"{time.monotonic() - started:.1f} s (seeding process peak RSS {rss_mb():.0f} MB)",
        flush=True,
    )


def timed(fn: Any) -> float:
    gc.collect()
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def run(args: argparse.Namespace) -> int:
    from datetime import date
    from decimal import Decimal

    from django.db import connection, transaction

    from gonghui.care import distributions
    from gonghui.care.models import Distribution, DistributionLine
    from gonghui.core.models import OrgUnit
    from gonghui.members.models import Member

    union = OrgUnit.objects.get(code=UNION_CODE)
    have = Member.objects.filter(union=union).count()
    if have != args.members:
        print(f"bench_distribution: FAILED (the database has {have} members, not {args.members})")
        return 1
    backend = connection.vendor
    print(f"Distribution benchmark: {args.members} members on {backend}, {args.reps} runs/case")

    def plan() -> Distribution:
        return distributions.distribution_plan(
            actor=None,
            union=union,
            title=f"{YEAR}年中秋节慰问品",
            kind="festival",
            cap_item="festival",
            given_on=date(YEAR, 9, 25),
            amount_per_person=Decimal("300"),
            gift_description="月饼、水果",
            criteria={"work_statuses": ["working"]},
        )

    def ids() -> list[int]:
        return list(
            Member.objects.filter(union=union, status="active", work_status="working")
            .order_by("id")
            .values_list("id", flat=True)
        )

    selected = ids()
    times: dict[str, list[float]] = {"ids": [], "bare": [], "build": []}
    rss_before = rss_mb()
    built: Distribution | None = None
    # The build first, so the peak RSS is its own, not the bare baseline's 200,000 objects.
    for _ in range(args.reps):
        times["ids"].append(timed(ids))
        built = plan()
        times["build"].append(
            timed(
                lambda d=built: distributions.distribution_build(
                    actor=None, distribution=d, run_now=True
                )
            )
        )
    rss_peak = rss_mb()
    for _ in range(args.reps):
        scratch = plan()

        def bare(d: Distribution = scratch) -> None:
            with transaction.atomic():
                DistributionLine.objects.bulk_create(
                    [
                        DistributionLine(distribution_id=d.pk, member_id=m, amount=Decimal("300"))
                        for m in selected
                    ],
                    batch_size=2000,
                )

        times["bare"].append(timed(bare))
        DistributionLine.objects.filter(distribution=scratch).delete()
    assert built is not None
    built.refresh_from_db()
    over = built.lines.filter(cap_state="over").count()
    assert built.status == "ready" and built.recipients_count == len(selected)
    assert built.over_cap_count == over > 0
    med = {k: statistics.median(v) for k, v in times.items()}
    for k, v in times.items():
        print(f"  {k:6s} median {med[k]:6.2f} s  runs {', '.join(f'{x:.2f}' for x in v)}")
    print(
        f"  list: {built.recipients_count} lines, {over} over the cap, total ¥{built.total_amount}"
    )
    print(
        f"  peak RSS {rss_peak:.0f} MB after the builds (before them {rss_before:.0f} MB;"
        f" after the bare baseline {rss_mb():.0f} MB)"
    )
    ok = med["build"] < TARGET_S
    print(
        f"bench_distribution [{backend}, {args.members} members]: build {med['build']:.2f} s "
        f"(target < {TARGET_S:.0f} s: {'met' if ok else 'MISSED'}), "
        f"{med['build'] / med['ids']:.1f}x the id selection ({med['ids']:.2f} s), "
        f"{med['build'] / med['bare']:.2f}x bare bulk_create ({med['bare']:.2f} s), "
        f"peak RSS {rss_peak:.0f} MB"
    )
    return 0 if ok else 1


def main() -> int:
    args = parse_args()
    warnings.filterwarnings("ignore", message="No directory at")
    tmp = Path(tempfile.mkdtemp(prefix="gonghui-bench-dist-"))
    os.environ.setdefault("GONGHUI_VAR_DIR", str(tmp))
    os.environ["DJANGO_SETTINGS_MODULE"] = "gonghui.settings"
    os.environ["GONGHUI_DEBUG"] = "0"
    if args.seed_only:  # the child: environment already set by the parent
        setup_django(args)
        seed(args.members)
        return 0
    if args.postgres:
        exists = pg_admin("SELECT 1 FROM pg_database WHERE datname = %s", (PG_DB,))
        if exists and not args.keep:
            pg_admin(f"DROP DATABASE {PG_DB} WITH (FORCE)")
        if not exists or not args.keep:
            pg_admin(f"CREATE DATABASE {PG_DB}")
        os.environ["GONGHUI_DATABASE_URL"] = f"{PG_SERVER}/{PG_DB}"
    else:
        db = args.db.resolve() if args.db else tmp / "bench.sqlite3"
        os.environ["GONGHUI_DATABASE_URL"] = f"sqlite:///{db}"
    try:
        setup_django(args)
        migrate(args)
        from gonghui.core.models import OrgUnit

        if not OrgUnit.objects.filter(code=UNION_CODE).exists():
            from django.db import connections

            connections.close_all()
            child = [sys.executable, __file__, "--seed-only", "--members", str(args.members)]
            if args.no_migrations:
                child.append("--no-migrations")
            subprocess.run(child, check=True)
        else:
            print("reusing the seeded database")
        return run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if args.postgres and not args.keep:
            pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
