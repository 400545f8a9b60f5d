"""Re-check reminders for hardship files (动态管理): each November every file is re-checked.

``hardship_remind_task`` runs in the background queue (django-tasks), from a schedule or from
``gonghui hardship remind``; it records one BackgroundJob whose result lists, per union, how
many files are due. Counts only: the names stay on the list page, for those who keep files.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django_tasks import task

from gonghui.core.models import BackgroundJob

from . import hardship

KIND = "hardship_remind"


def hardship_remind(today: date) -> BackgroundJob:
    """Count the re-checks due on ``today`` per union and record them as a finished job."""
    due = hardship.reviews_due_by_union(today)
    total = sum(n for _u, n in due)
    return BackgroundJob.objects.create(
        kind=KIND,
        status=BackgroundJob.Status.DONE,
        finished_at=timezone.now(),
        progress_done=len(due),
        progress_total=len(due),
        message=f"{today.isoformat()}: {total} re-checks due in {len(due)} unions",
        params={"today": today.isoformat()},
        result={
            "unions": [{"union_id": u.pk, "code": u.code, "name": u.name, "due": n} for u, n in due]
        },
    )


@task()
def hardship_remind_task(today: str | None = None) -> int:
    """Returns the job's id. ``today`` is an ISO date; the local date when not given."""
    on = date.fromisoformat(today) if today else timezone.localdate()
    return hardship_remind(on).pk
