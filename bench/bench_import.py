"""Benchmark of the roster import (花名册导入).

Generates an .xlsx roster of N rows in a temp dir, then measures in one run, per database:
  * merely reading the file with python-calamine (the floor), twice,
  * our import (upload checks + read + validate + one-transaction bulk write) into an
    empty union, twice (the people are deleted in between): seconds (wall and CPU),
    rows/second, peak RSS (psutil), ratio to the calamine read (best of each),
  * re-importing the same file (every row unchanged),
  * django-import-export importing the same rows into the same model (Person),
and prints the figures. By default it runs SQLite and then PostgreSQL, each in its own
process; the LAST line is one summary line with both.

    .venv/bin/python bench/bench_import.py [--rows N] [--iex-rows N] [--quick]
        [--backend sqlite|postgresql|both] [--pg-db NAME]

SQLite: a scratch database in the temp dir. PostgreSQL: GONGHUI_DATABASE_URL when it points
at PostgreSQL, else postgres://postgres@127.0.0.1:5432; a scratch database named
``bench_import`` (or ``--pg-db NAME``; ``test`` is refused) is created and dropped on that
server; no other database is touched.
``--quick``: 20,000 rows. Targets: ratio <= 3 and peak RSS < 500 MB.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
SCRATCH_DB = "bench_import"
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/postgres"
QUICK_ROWS = 20_000

HEADER = [
    "姓名", "性别", "身份证号", "出生日期", "手机号码", "工会小组", "用工性质", "岗位",
    "部门", "入会时间", "民族", "政治面貌", "学历", "在职状态", "劳模", "备注",
]  # fmt: skip
GROUPS = ["语文教研组", "数学教研组", "英语教研组", "后勤组", "行政组"]


class PeakRss:
    """Samples this process's resident set size every 5 ms while a phase runs."""

    def __init__(self) -> None:
        import psutil

        self.proc = psutil.Process()
        self.peak = 0
        self._stop = threading.Event()

    def __enter__(self) -> PeakRss:
        self.peak = self.proc.memory_info().rss
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, self.proc.memory_info().rss)

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.proc.memory_info().rss)

    @property
    def mb(self) -> float:
        return self.peak / (1024 * 1024)


def generate(path: Path, rows: int) -> None:
    from openpyxl import Workbook

    from gonghui.core.rules import id_check_char

    rnd = random.Random(20250301)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("花名册")
    ws.append(["第一中学工会会员花名册"])  # a title row, as real rosters have
    ws.append(HEADER)
    for i in range(rows):
        born = date(1960, 1, 1) + timedelta(days=rnd.randrange(14000))
        male = rnd.random() < 0.5
        # Region code and sequence from the row number keep every ID number distinct.
        region = 110000 + i // 500
        seq = i % 500
        first17 = f"{region:06d}{born:%Y%m%d}{seq // 5:02d}{(seq % 5) * 2 + male}"
        ws.append(
            [
                f"职工{i}",
                "男" if male else "女",
                first17 + id_check_char(first17),
                born,
                f"13{rnd.randrange(10**9):09d}",
                GROUPS[i % len(GROUPS)],
                rnd.choice(["正式", "合同", "劳务派遣", "临时工"]),
                rnd.choice(["教师", "职员", "工人"]),
                rnd.choice(["教务处", "总务处", "办公室"]),
                f"{rnd.randrange(born.year + 18, 2025)}-09-01",
                "汉族",
                rnd.choice(["群众", "中共党员", "共青团员"]),
                rnd.choice(["本科", "硕士", "大专"]),
                "在职",
                "否",
                "",
            ]
        )
    wb.save(path)


class _NoMigrations(dict):
    """Every app without migrations: migrate --run-syncdb creates tables from the models."""

    def __contains__(self, item: object) -> bool:
        return True

    def __getitem__(self, item: str) -> None:
        return None


def setup_django(tmp: Path, *, no_migrations: bool = False) -> str:
    os.environ["GONGHUI_VAR_DIR"] = str(tmp / "var")
    os.environ["GONGHUI_MEDIA_ROOT"] = str(tmp / "media")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
    url = os.environ.get("GONGHUI_DATABASE_URL", "")
    if url.startswith("postgres"):
        parts = urlsplit(url)
        admin_url = urlunsplit(parts._replace(path="/postgres"))
        _pg(admin_url, f"DROP DATABASE IF EXISTS {SCRATCH_DB}")
        _pg(admin_url, f"CREATE DATABASE {SCRATCH_DB}")
        os.environ["GONGHUI_DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{SCRATCH_DB}"))
        backend = "postgresql"
    else:
        os.environ["GONGHUI_DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
        backend = "sqlite"
    import django

    if no_migrations:
        from django.conf import settings

        settings.MIGRATION_MODULES = _NoMigrations()
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, run_syncdb=no_migrations)
    return backend


def _pg(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


def teardown(backend: str) -> None:
    if backend != "postgresql":
        return
    from django.db import connections

    connections.close_all()
    parts = urlsplit(os.environ["GONGHUI_DATABASE_URL"])
    _pg(urlunsplit(parts._replace(path="/postgres")), f"DROP DATABASE IF EXISTS {SCRATCH_DB}")


class Timer:
    """Wall-clock and CPU seconds (time.process_time) of a block."""

    def __enter__(self) -> Timer:
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.wall = time.perf_counter() - self._wall
        self.cpu = time.process_time() - self._cpu


class Phases:
    """Wall and CPU seconds of the import's phases, by wrapping the functions that do
    them (in this process only): read = the calamine parse and the formula scan; check =
    the rest of ``analyse`` (reading the rows out, validation); lookup = ``plan_rows``;
    keys = ``_allocate_ids``; insert per table; foreign keys (checked per table); analyze;
    commit."""

    def __init__(self) -> None:
        from django.db.backends.base.base import BaseDatabaseWrapper

        from gonghui.members import importing
        from gonghui.members.importing import analysis, integrity, reading, writing

        self.spent: dict[str, list[float]] = {}
        # Each function is wrapped in the module that calls it, where the name is looked up.
        for module, name, label in (
            (analysis, "read_roster", "read"),
            (reading, "_formula_issues", "formula scan"),
            (importing, "analyse", "analyse"),
            (importing, "plan_rows", "lookup"),
            (writing, "_allocate_ids", "keys"),
            (importing, "_analyze_after", "analyze"),
        ):
            setattr(module, name, self._timed(getattr(module, name), lambda *a, k=label: k))
        inserter = writing._Inserter
        inserter.insert = self._timed(  # type: ignore[method-assign]
            inserter.insert, lambda obj, *a: "insert " + obj.copy_sql.split()[1].strip('"')
        )
        integrity.WrittenRows.check = self._timed(  # type: ignore[method-assign]
            integrity.WrittenRows.check, lambda *a: "foreign keys"
        )
        BaseDatabaseWrapper._commit = self._timed(  # type: ignore[method-assign]
            BaseDatabaseWrapper._commit, lambda *a: "commit"
        )

    def _timed(self, func: Any, label: Any) -> Any:
        def timed(*args: Any, **kwargs: Any) -> Any:
            with Timer() as t:
                result = func(*args, **kwargs)
            spent = self.spent.setdefault(label(*args), [0.0, 0.0])
            spent[0] += t.wall
            spent[1] += t.cpu
            return result

        return timed

    def report(self) -> str:
        spent = dict(self.spent)
        self.spent.clear()
        if "analyse" in spent and "read" in spent:
            analyse, read = spent.pop("analyse"), spent["read"]
            spent["check"] = [analyse[0] - read[0], analyse[1] - read[1]]
        order = ["read", "formula scan", "check", "lookup", "keys"]
        labels = order + sorted(k for k in spent if k not in order)
        shown = [k for k in labels if k in spent and spent[k][0] >= 0.005]
        return ", ".join(f"{k} {spent[k][0]:.2f}/{spent[k][1]:.2f}" for k in shown)


def read_with_calamine(path: Path) -> tuple[Timer, int]:
    from python_calamine import CalamineWorkbook

    n = 0
    with Timer() as t, CalamineWorkbook.from_path(str(path)) as wb:
        for _row in wb.get_sheet_by_index(0).iter_rows():
            n += 1
    return t, n


def make_union() -> Any:
    from gonghui.core.services import unit_create

    fed = unit_create(actor=None, name="县总工会", code="FED", kind="federation", parent=None)
    union = unit_create(actor=None, name="第一中学工会", code="SCH", kind="grassroots", parent=fed)
    for i, name in enumerate(GROUPS):
        unit_create(actor=None, name=name, code=f"SCH-{i}", kind="group", parent=union)
    return union


def our_import(path: Path, union: Any) -> Any:
    from gonghui.members import importing

    ri = importing.roster_upload_path(actor=None, union=union, path=path)
    return importing.roster_commit(actor=None, roster_import=ri)


def iex_dataset(path: Path, rows: int) -> Any:
    """The same rows as a tablib Dataset, as django-import-export takes them (not timed:
    its own xlsx reading would only make it slower)."""
    import tablib
    from python_calamine import CalamineWorkbook

    from gonghui.core.rules import check_id_number

    with CalamineWorkbook.from_path(str(path)) as wb:
        data = wb.get_sheet_by_index(0).to_python()[2 : 2 + rows]
    ds = tablib.Dataset(headers=["name", "gender", "birth_date", "id_number", "phone"])
    for r in data:
        ds.append([r[0], check_id_number(r[2]).gender, r[3], r[2], r[4]])
    return ds


def iex_import(dataset: Any) -> tuple[Timer, int]:
    from import_export import resources

    from gonghui.core.models import Person

    class PersonResource(resources.ModelResource):
        class Meta:
            model = Person
            import_id_fields = ("id_number",)
            fields = ("name", "gender", "birth_date", "id_number", "phone")
            use_bulk = True  # its documented fast path
            batch_size = 2000
            skip_unchanged = True

    with Timer() as t:
        result = PersonResource().import_data(dataset, dry_run=False, raise_errors=True)
    return t, result.totals.get("new", 0)


def clear_people() -> None:
    """Everything the imports wrote, deleted by plain SQL (the ORM's delete collects every
    related row of 100,000 people first, which took minutes)."""
    from django.db import connection

    from gonghui.core.models import AuditEvent, Person
    from gonghui.members.models import Member, MembershipEvent, RosterImport

    models = (MembershipEvent, Member, RosterImport, AuditEvent, Person)
    for model in models:
        model.objects.all()._raw_delete(connection.alias)
    if connection.vendor == "postgresql":
        # The next import finds tables as a first import does, not 100,000 dead rows in
        # every index (autovacuum would clear them later, on its own schedule).
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM {', '.join(m._meta.db_table for m in models)}")


def main() -> None:
    global SCRATCH_DB
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=None, help="default 100,000")
    parser.add_argument(
        "--iex-rows", type=int, default=None, help="rows for django-import-export (default: all)"
    )
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_ROWS:,} rows")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument(
        "--pg-db", default=SCRATCH_DB, help=f"PostgreSQL scratch database (default {SCRATCH_DB})"
    )
    parser.add_argument(
        "--no-migrations",
        action="store_true",
        help="schema from the models (before the migrations of changed indexes exist)",
    )
    args = parser.parse_args()
    if args.pg_db == "test" or not re.fullmatch(r"[a-z_][a-z0-9_]*", args.pg_db):
        parser.error("--pg-db: a plain lower-case name other than 'test'")
    SCRATCH_DB = args.pg_db
    rows = args.rows or (QUICK_ROWS if args.quick else 100_000)
    if args.backend == "both":
        sys.exit(run_both(rows, args.iex_rows, args.pg_db, args.no_migrations))
    if args.backend == "postgresql" and not os.environ.get("GONGHUI_DATABASE_URL", "").startswith(
        "postgres"
    ):
        os.environ["GONGHUI_DATABASE_URL"] = DEFAULT_PG_URL
    if args.backend == "sqlite":
        os.environ.pop("GONGHUI_DATABASE_URL", None)
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmpdir:
        tmp = Path(tmpdir)
        backend = setup_django(tmp, no_migrations=args.no_migrations)
        try:
            run(tmp, backend, rows, args.iex_rows or rows)
        finally:
            teardown(backend)


def run_both(
    rows: int, iex_rows: int | None, pg_db: str = SCRATCH_DB, no_migrations: bool = False
) -> int:
    """Each database in its own process (Django is set up once per process); then the
    summary line of both."""
    lines, status = [], 0
    for backend in ("sqlite", "postgresql"):
        cmd = [sys.executable, __file__, "--backend", backend, "--rows", str(rows)]
        cmd += ["--pg-db", pg_db]
        if iex_rows:
            cmd += ["--iex-rows", str(iex_rows)]
        if no_migrations:
            cmd.append("--no-migrations")
        print(f"-- {backend} --", flush=True)
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert proc.stdout is not None
        last = ""
        for line in proc.stdout:
            print(line, end="", flush=True)
            last = line.strip() or last
        code = proc.wait()
        if code or not last.startswith(f"bench_import db={backend}"):
            status = status or code or 1
            last = f"bench_import db={backend} FAILED (exit {code})"
        lines.append(last.removeprefix("bench_import "))
    print(f"loadavg {load_average()}")
    print("bench_import " + " | ".join(lines))
    return status


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def run(tmp: Path, backend: str, rows: int, iex_rows: int) -> None:
    path = tmp / "roster.xlsx"
    started = time.perf_counter()
    generate(path, rows)
    print(
        f"generated {rows} rows ({path.stat().st_size / 1e6:.1f} MB) in "
        f"{time.perf_counter() - started:.1f} s; loadavg {load_average()}"
    )
    from gonghui.members import importing

    union = make_union()
    phases = Phases()
    reads, imports, peak, reimport = [], [], 0.0, None
    for attempt in (1, 2):
        read, read_rows = read_with_calamine(path)
        reads.append(read)
        print(
            f"calamine read #{attempt}: {read_rows} rows in {read.wall:.2f} s "
            f"(CPU {read.cpu:.2f} s)"
        )
        if attempt == 2:
            clear_people()
        phases.spent.clear()
        with PeakRss() as rss, Timer() as t:
            ri = our_import(path, union)
        assert ri.rows_new == rows and ri.error_count == 0, (ri.rows_new, ri.error_count)
        imports.append(t)
        peak = max(peak, rss.mb)
        print(
            f"our import #{attempt} ({backend}): {rows} rows in {t.wall:.2f} s (CPU {t.cpu:.2f} s)"
            f" = {rows / t.wall:,.0f} rows/s, ratio to this calamine read {t.wall / read.wall:.2f}"
            f" (CPU {t.cpu / read.cpu:.2f}), peak RSS {rss.mb:.0f} MB; loadavg {load_average()}"
        )
        print(f"  phases, wall/CPU s: {phases.report()}")
        if attempt == 1:
            phases.spent.clear()
            with PeakRss() as rss2, Timer() as again_t:
                again = importing.roster_commit(
                    actor=None,
                    roster_import=importing.roster_upload_path(actor=None, union=union, path=path),
                )
            assert again.rows_unchanged == rows
            reimport = again_t
            peak = max(peak, rss2.mb)
            print(
                f"re-import of the same file: {again_t.wall:.2f} s (CPU {again_t.cpu:.2f} s), "
                f"all {rows} rows unchanged, peak RSS {rss2.mb:.0f} MB"
            )
            print(f"  phases, wall/CPU s: {phases.report()}")
    read_s = min(r.wall for r in reads)
    read_cpu = min(r.cpu for r in reads)
    import_s = min(t.wall for t in imports)
    import_cpu = min(t.cpu for t in imports)
    ratio = import_s / read_s
    assert reimport is not None

    dataset = iex_dataset(path, iex_rows)
    clear_people()
    iex, iex_new = iex_import(dataset)
    assert iex_new == iex_rows, iex_new
    iex_rate = iex_rows / iex.wall
    speedup = (rows / import_s) / iex_rate
    print(
        f"django-import-export ({backend}, use_bulk): {iex_rows} rows in {iex.wall:.2f} s "
        f"(CPU {iex.cpu:.2f} s) = {iex_rate:,.0f} rows/s (Person only, no members or events)"
    )
    ok = ratio <= 3 and peak < 500
    print(
        f"bench_import db={backend} rows={rows} read_s={read_s:.2f} (cpu {read_cpu:.2f}) "
        f"import_s={import_s:.2f} (cpu {import_cpu:.2f}) rows_per_s={rows / import_s:.0f} "
        f"ratio={ratio:.2f} (cpu {import_cpu / read_cpu:.2f}; target<=3) "
        f"peak_rss_mb={peak:.0f} (target<500) reimport_s={reimport.wall:.2f} "
        f"iex_rows_per_s={iex_rate:.0f} "
        f"speedup_vs_iex={speedup:.1f}x {'OK' if ok else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
