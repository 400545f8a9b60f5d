"""``gonghui seed``: load the demo data, or with ``--members N`` the large benchmark set."""

from __future__ import annotations

import resource
import sys
import time
from datetime import date
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from gonghui.core.errors import DomainError
from gonghui.core.models import OrgUnit, Person
from gonghui.demo.large import MIN_MEMBERS, seed_large
from gonghui.demo.logins import logins_table
from gonghui.demo.seed import DEFAULT_SEED, DEMO_TODAY, demo_counts, seed_demo


class Command(BaseCommand):
    help = (
        "Load the deterministic demo data (青山县总工会 and its unions, three years of "
        "history, one login per role). With --members N, add unions of the same shape in "
        "bulk until there are N members, for benchmarks."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--members", type=int, default=0, help="total members for a large data set"
        )
        parser.add_argument(
            "--reset", action="store_true", help="delete ALL data in the database first"
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when the database has data"
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            default=DEMO_TODAY,
            help=f"the demo's 'today' (default {DEMO_TODAY:%Y-%m-%d})",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        # Refuse a bad size before anything is deleted.
        if opts["members"] and opts["members"] < MIN_MEMBERS:
            raise CommandError(
                f"--members must be at least {MIN_MEMBERS}: the demo world alone has about 450."
            )
        has_data = OrgUnit.objects.exists() or Person.objects.exists()
        if has_data and opts["if_empty"] and not opts["reset"]:
            self.stdout.write("The database has data already: demo data not loaded.")
            return
        if has_data and not opts["reset"]:
            raise CommandError(
                "The database has data already. Use --reset to delete everything and load "
                "the demo data, or --if-empty to leave it alone."
            )
        if opts["reset"]:
            self.stdout.write("Deleting all data (--reset) ...")
            call_command("flush", interactive=False, verbosity=0)

        started = time.monotonic()

        def say(message: str) -> None:
            self.stdout.write(message)
            self.stdout.flush()

        try:
            if opts["members"]:
                seed_large(members=opts["members"], seed=opts["seed"], today=opts["today"], out=say)
            else:
                seed_demo(seed=opts["seed"], today=opts["today"], out=say)
        except (DomainError, ValueError) as e:
            raise CommandError(str(e)) from e

        counts = demo_counts()
        statuses = ", ".join(f"{k} {v}" for k, v in counts["by_status"].items())
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        peak_mb = peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024
        self.stdout.write(
            f"Loaded in {time.monotonic() - started:.1f} s (peak memory {peak_mb:.0f} MB): "
            f"{counts['units']} units ({counts['unions']} unions, {counts['groups']} groups), "
            f"{counts['members']} members ({statuses}), {counts['events']} membership events, "
            f"{counts['pending_changes']} pending change requests, {counts['users']} logins."
        )
        if not opts["if_empty"]:  # `make demo` prints them with `gonghui demo_logins`
            table, _n = logins_table()
            self.stdout.write("\nDemo logins (demo passwords, for a laptop only):\n" + table)
