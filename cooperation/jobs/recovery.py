"""Jobs whose worker died: run again, or failed after ``JOB_MAX_ATTEMPTS`` runs.

A worker killed mid-job (out of memory, SIGKILL, the machine rebooted) leaves its job "running" with a
heartbeat that no longer moves; its transaction died with it, so nothing of that run was written. The worker
command (``jobs_worker``) checks every few seconds for jobs whose heartbeat is older than
``JOB_STALE_SECONDS`` and queues them again; after ``JOB_MAX_ATTEMPTS`` runs the job fails with a message
saying so. A job whose task a dead worker had taken but not yet started is queued again the same way.

Queuing a job again is safe even if its old run were still alive somewhere: the old run's progress reports
and its final write are conditional on the job's ``attempts``, which the new run has changed, so it stops or
rolls back (see ``services``).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from cooperation.jobs import uploads
from cooperation.jobs.models import Job, JobStatus
from cooperation.jobs.progress import live_progress

logger = logging.getLogger(__name__)
WORKER_STOPPED = "The worker running this job stopped"


def recover_orphaned_jobs(now: dt.datetime | None = None) -> list[Job]:
    """Queue again (or fail) every job whose worker has gone; returns them."""
    now = now or timezone.now()
    stale_before = now - dt.timedelta(seconds=settings.JOB_STALE_SECONDS)
    recovered = []
    for job in Job.objects.filter(status=JobStatus.RUNNING, heartbeat_at__lt=stale_before):
        _, heartbeat = live_progress(job)
        if heartbeat is None or heartbeat < stale_before:
            recovered.append(job)
            retry_or_fail(job, WORKER_STOPPED)
    for job in Job.objects.filter(status=JobStatus.QUEUED, created_at__lt=stale_before):
        # Queued jobs wait for a free worker; only one whose task was taken (or ended) without the job
        # starting was lost with its worker.
        waiting = DBTaskResult.objects.filter(id=job.task_id or None, status=TaskResultStatus.READY).exists()
        if not waiting:
            recovered.append(job)
            retry_or_fail(job, "The worker that took this job stopped before starting it")
    return recovered


def retry_or_fail(job: Job, reason: str) -> bool:
    """Queue the job again, or fail it once it has had ``JOB_MAX_ATTEMPTS`` runs; False if it changed since
    it was read (another worker dealt with it, or it finished)."""
    now, old_task_id = timezone.now(), job.task_id
    unchanged = Job.objects.filter(pk=job.pk, attempts=job.attempts, status=job.status, task_id=job.task_id)
    with transaction.atomic():
        if job.attempts >= settings.JOB_MAX_ATTEMPTS:
            message = f"{reason}, {job.attempts} times; nothing was written. See the worker's log, then try again."
            changed = unchanged.update(status=JobStatus.FAILED, message=message, finished_at=now, heartbeat_at=now)
            if changed:
                uploads.discard(job)
        else:
            message = f"{reason} (run {job.attempts}); nothing was written, so it runs again."
            changed = unchanged.update(status=JobStatus.QUEUED, message=message, heartbeat_at=now, rows_done=0)
            if changed:
                from cooperation.jobs.services import enqueue

                enqueue(job)
        if changed:
            # The old task stays "running" in django-tasks' table for ever otherwise.
            DBTaskResult.objects.filter(id=old_task_id or None, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.FAILED, finished_at=now, traceback=reason
            )
    if changed:
        logger.warning("Job %s: %s", job.pk, message)
    return bool(changed)
