"""Background work of distributions: building a recipient list with cap checks.

The task only calls services; progress goes to the job's BackgroundJob row, which the
distribution page polls. The planner's language is active inside the task so messages come
out in it.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from gonghui.core.errors import DomainError
from gonghui.core.models import BackgroundJob
from gonghui.core.services import job_progress

from . import distributions

log = logging.getLogger(__name__)


@task()
def distribution_build_task(job_id: int) -> None:
    run_build(job_id)


def _finish(job_id: int, status: str, message: str) -> None:
    BackgroundJob.objects.filter(pk=job_id).update(
        status=status, finished_at=timezone.now(), message=message[:300]
    )


def run_build(job_id: int) -> None:
    """Build the list of the job's distribution; on failure the distribution goes back to
    draft and the job says why."""
    job = BackgroundJob.objects.select_related("created_by").get(pk=job_id)
    language = job.params.get("language") or settings.LANGUAGE_CODE
    with translation.override(language):
        working = _("Checking members against the cap…")

        def progress(done: int, total: int) -> None:
            job_progress(job, done, total, working)

        try:
            d = distributions.lines_build(job=job, progress=progress)
        except DomainError as e:
            distributions.distribution_build_failed(job=job, message=e.message)
            _finish(job.pk, BackgroundJob.Status.FAILED, e.message)
            return
        except Exception:
            log.exception("building distribution list, job %s, failed", job_id)
            message = _("Building the list failed unexpectedly.")
            distributions.distribution_build_failed(job=job, message=message)
            _finish(job.pk, BackgroundJob.Status.FAILED, message)
            raise
        message = _("%(n)s on the list, %(over)s over the cap.") % {
            "n": d.recipients_count,
            "over": d.over_cap_count,
        }
        _finish(job.pk, BackgroundJob.Status.DONE, message)
