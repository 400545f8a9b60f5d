"""``gonghui hardship remind [--date YYYY-MM-DD] [--union CODE] [--language xx]``: the
hardship re-checks due, per union (counts and file numbers, no names), through the same reads
as the web pages; each union's file keepers get a notice once per survey year. Exit status 0;
2 when the union code is unknown."""

from __future__ import annotations

from datetime import date

from gonghui.care import hardship, hardship_tasks
from gonghui.core.models import OrgUnit

from ._remind import RemindCommand


class Command(RemindCommand):
    help = "Hardship files: `hardship remind` sends and prints the re-checks due per union."
    remind_help = "Print the re-checks due per union and tell their file keepers."
    union_help = "Only this union (OrgUnit.code) and those below."

    def remind(self, today: date, union: OrgUnit | None) -> int:
        if union is not None:
            files = hardship.hardship_reviews_due(union, today)
            self.stdout.write(f"{union.name} ({union.code}): {len(files)} re-checks due")
            for f in files:
                self.stdout.write(f"  {f.file_no}  due {f.next_review_on.isoformat()}")
        job = hardship_tasks.hardship_remind(today, union)
        if union is None:
            for row in job.result["unions"]:
                self.stdout.write(f"{row['name']} ({row['code']}): {row['due']} re-checks due")
            self.stdout.write(job.message)
        return int(job.result["notices"])
