"""Background work of the members app: checking and importing a roster file.

Tasks only call services; progress goes to the job's BackgroundJob row, which the page polls
(core.views.job_status). The uploading user's language is active inside the task so the
error reasons come out in it.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from gonghui.core.errors import DomainError
from gonghui.core.models import BackgroundJob, User
from gonghui.core.services import job_progress

from . import importing
from .models import RosterImport

log = logging.getLogger(__name__)

KIND_CHECK = "roster_check"
KIND_COMMIT = "roster_commit"


def _start(*, kind: str, actor: User, roster_import: RosterImport, language: str) -> BackgroundJob:
    job = BackgroundJob.objects.create(
        kind=kind,
        unit=roster_import.union,
        created_by=actor,
        params={"import_id": roster_import.pk, "language": language},
    )
    RosterImport.objects.filter(pk=roster_import.pk).update(job=job)
    roster_import.job = job
    runner = roster_check_task if kind == KIND_CHECK else roster_commit_task
    # The worker must see the job row: enqueue once it is committed.
    transaction.on_commit(lambda: runner.enqueue(job.pk))
    return job


def start_check(*, actor: User, roster_import: RosterImport, language: str) -> BackgroundJob:
    """Queue the dry run of an uploaded roster."""
    importing._require_edit(actor, roster_import.union)
    return _start(kind=KIND_CHECK, actor=actor, roster_import=roster_import, language=language)


def start_commit(*, actor: User, roster_import: RosterImport, language: str) -> BackgroundJob:
    """Queue the real import of a checked roster that had no errors."""
    importing._require_edit(actor, roster_import.union)
    if roster_import.status != RosterImport.Status.CHECKED or roster_import.error_count:
        raise DomainError(
            "import.not_ready", _("Only a checked file without errors can be imported.")
        )
    return _start(kind=KIND_COMMIT, actor=actor, roster_import=roster_import, language=language)


@task()
def roster_check_task(job_id: int) -> None:
    _run(job_id, commit=False)


@task()
def roster_commit_task(job_id: int) -> None:
    _run(job_id, commit=True)


def _finish(job: BackgroundJob, status: str, message: str, links: list[dict[str, Any]]) -> None:
    BackgroundJob.objects.filter(pk=job.pk).update(
        status=status,
        finished_at=timezone.now(),
        message=message[:300],
        result={"links": links},
    )


def _run(job_id: int, *, commit: bool) -> None:
    job = BackgroundJob.objects.select_related("created_by").get(pk=job_id)
    ri = RosterImport.objects.select_related("union").get(pk=job.params["import_id"])
    language = job.params.get("language") or settings.LANGUAGE_CODE
    with translation.override(language):
        reading = _("Reading and checking rows…")

        def progress(done: int, total: int, message: str) -> None:
            job_progress(job, done, total, message or reading)

        preview = {"url": reverse("members:import_preview", args=[ri.pk]), "label": _("Preview")}
        try:
            if commit:
                importing.roster_commit(actor=job.created_by, roster_import=ri, progress=progress)
            else:
                importing.roster_check(actor=job.created_by, roster_import=ri, progress=progress)
        except DomainError as e:
            _finish(job, BackgroundJob.Status.FAILED, e.message, [preview])
            return
        except Exception:
            log.exception("roster import %s failed", ri.pk)
            RosterImport.objects.filter(pk=ri.pk).update(status=RosterImport.Status.FAILED)
            _finish(job, BackgroundJob.Status.FAILED, _("The import failed unexpectedly."), [])
            raise
        if commit:
            message = _("Imported: %(new)s new, %(updated)s updated, %(unchanged)s unchanged.") % {
                "new": ri.rows_new,
                "updated": ri.rows_updated,
                "unchanged": ri.rows_unchanged,
            }
            links = [
                {"url": reverse("members:import_result", args=[ri.pk]), "label": _("Result")},
            ]
        else:
            message = _(
                "Checked %(rows)s rows: %(new)s new, %(updated)s updated, %(unchanged)s"
                " unchanged, %(errors)s errors."
            ) % {
                "rows": ri.rows_total,
                "new": ri.rows_new,
                "updated": ri.rows_updated,
                "unchanged": ri.rows_unchanged,
                "errors": ri.error_count,
            }
            links = [preview]
        _finish(job, BackgroundJob.Status.DONE, message, links)
