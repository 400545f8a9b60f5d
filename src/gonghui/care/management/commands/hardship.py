"""``gonghui hardship remind [--date YYYY-MM-DD] [--union CODE]``: the hardship re-checks due,
per union (counts and file numbers, no names), through the same reads as the web pages."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from gonghui.care import hardship, hardship_tasks
from gonghui.core.models import OrgUnit


class Command(BaseCommand):
    help = "Hardship files: `hardship remind` prints the re-checks due per union."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        remind = sub.add_parser("remind", help="Print the re-checks due per union.")
        remind.add_argument("--date", help="The day to check for (default: today).")
        remind.add_argument("--union", help="Only this union (OrgUnit.code) and those below.")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            today = date.fromisoformat(opts["date"]) if opts.get("date") else None
        except ValueError as e:
            raise CommandError(f"bad date: {opts['date']}") from e
        today = today or timezone.localdate()
        if opts.get("union"):
            union = OrgUnit.objects.filter(code=opts["union"], archived_at__isnull=True).first()
            if union is None:
                raise CommandError(f"no union with the code {opts['union']}")
            files = hardship.hardship_reviews_due(union, today)
            self.stdout.write(f"{union.name} ({union.code}): {len(files)} re-checks due")
            for f in files:
                self.stdout.write(f"  {f.file_no}  due {f.next_review_on.isoformat()}")
            return
        job = hardship_tasks.hardship_remind(today)
        for row in job.result["unions"]:
            self.stdout.write(f"{row['name']} ({row['code']}): {row['due']} re-checks due")
        self.stdout.write(job.message)
