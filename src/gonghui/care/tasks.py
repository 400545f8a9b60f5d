"""Background work of the must-visit rule and of mutual-aid insurance: the daily reminders.

A scheduler (cron, or the queue's own) enqueues ``care_remind_task`` and
``insurance_remind_task`` once a day; the tasks only call the services, which send the
notices. ``gonghui care remind`` and ``gonghui insurance remind`` do the same from the
command line.
"""

from __future__ import annotations

import logging

from django.utils import timezone
from django_tasks import task

from . import insurance, services

log = logging.getLogger(__name__)


@task()
def care_remind_task() -> int:
    """Remind today's due and overdue visit tasks; returns how many tasks were reminded."""
    run = services.care_remind_overdue(timezone.localdate())
    for t in run.reminded:
        log.info("care visit due %s: union %s, task %s", t.due_on, t.union_id, t.pk)
    log.info("care visits: %s tasks reminded, %s notices sent", len(run.reminded), run.notices)
    return len(run.reminded)


@task()
def insurance_remind_task() -> int:
    """Remind the mutual-aid plans newly due for renewal; returns how many plans."""
    run = insurance.renewal_remind(actor=None, today=timezone.localdate())
    log.info("insurance: %s plans due for renewal, %s notices sent", len(run.reminded), run.notices)
    return len(run.reminded)
