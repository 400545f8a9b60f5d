"""Re-check reminders for hardship files (动态管理): each November every file is re-checked.

``hardship_remind_task`` runs in the background queue (django-tasks), from a schedule or from
``gonghui hardship remind``; it tells each union's file keepers (the chair and the named care
officers, never a cadre or an administrator) how many files are due, once per survey year,
and records one BackgroundJob whose result lists, per union, how many files are due and how
many notices went out. Counts only: the names stay on the list page, for those who keep files.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from gonghui.core.models import BackgroundJob, OrgUnit

from . import hardship, notices

KIND = "hardship_remind"


def hardship_remind(today: date, union: OrgUnit | None = None) -> BackgroundJob:
    """Count the re-checks due on ``today`` per union (``union`` and those below it, when
    given), send the notices and record them as a finished job."""
    due = hardship.reviews_due_by_union(today, union)
    total = sum(n for _u, n in due)
    with transaction.atomic():
        sent = {u.pk: notices.hardship_due(u, n, today) for u, n in due}
        notices_sent = sum(sent.values())
        return BackgroundJob.objects.create(
            kind=KIND,
            status=BackgroundJob.Status.DONE,
            finished_at=timezone.now(),
            progress_done=len(due),
            progress_total=len(due),
            unit=union,
            message=f"{today.isoformat()}: {total} re-checks due in {len(due)} unions,"
            f" {notices_sent} notices sent",
            params={"today": today.isoformat(), "union": union.code if union else ""},
            result={
                "unions": [
                    {
                        "union_id": u.pk,
                        "code": u.code,
                        "name": u.name,
                        "due": n,
                        "notices": sent[u.pk],
                    }
                    for u, n in due
                ],
                "notices": notices_sent,
            },
        )


@task()
def hardship_remind_task(today: str | None = None) -> int:
    """Returns the job's id. ``today`` is an ISO date; the local date when not given."""
    on = date.fromisoformat(today) if today else timezone.localdate()
    return hardship_remind(on).pk
