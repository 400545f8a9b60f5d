"""Background work of notifications: the email of a send, off the request that made it.

``notify`` enqueues ``notification_email_task`` after its transaction commits; a slow or
unreachable mail server then delays the worker, never a page. ``gonghui notifications
email`` (cron) retries whatever the task could not send.
"""

from __future__ import annotations

from django_tasks import task

from . import notifications


@task()
def notification_email_task(ids: list[int]) -> int:
    """Email the notices with these ids that have not been emailed; returns how many were."""
    return notifications.email_notices(ids)
