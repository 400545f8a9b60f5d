"""Background work of the must-visit rule: the daily reminder of due and overdue visits.

A scheduler (cron, or the queue's own) enqueues ``care_remind_task`` once a day; the task
only calls the service. ``gonghui care remind`` does the same from the command line.
"""

from __future__ import annotations

import logging

from django.utils import timezone
from django_tasks import task

from . import services

log = logging.getLogger(__name__)


@task()
def care_remind_task() -> int:
    """Mark and log today's due and overdue visit tasks; returns how many were reminded."""
    reminded = services.care_remind_overdue(timezone.localdate())
    for t in reminded:
        log.info("care visit due %s: union %s, task %s", t.due_on, t.union_id, t.pk)
    return len(reminded)
