"""Starting and running import jobs.

A run of a job is fenced by the job's ``attempts``: a run claims the job by raising it, and everything a run
writes afterwards (progress, the outcome) is conditional on it being unchanged. The outcome is written in the
same transaction as the import's rows, so a job is "succeeded" exactly when its rows are in the database, and
a run that lost the job (it was thought dead and queued again) rolls its rows back. That makes running a job
again always safe: a run either wrote everything and said so, or wrote nothing.
"""

from __future__ import annotations

import io
import logging
from typing import IO

from django.conf import settings
from django.db import OperationalError, transaction
from django.db.models import F
from django.utils import timezone

from cooperation.jobs import uploads
from cooperation.jobs.models import Job, JobStatus
from cooperation.jobs.progress import Superseded, reporter_for
from cooperation.jobs.recovery import retry_or_fail
from cooperation.models import Source
from cooperation.resources import RESOURCES, Resource
from cooperation.tabular.imports import DefaultCitation, ImportConflict, ImportResult, import_csv

logger = logging.getLogger(__name__)


def wants_background(stream: IO, requested: bool | None) -> tuple[bool, IO]:
    """Whether an import runs as a job: as the client asked, else when the file is larger than
    ``CSV_IMPORT_BACKGROUND_BYTES``. Returns the stream to import from (what was read to decide included)."""
    if requested is not None:
        return requested, stream
    return uploads.peek_size(stream, settings.CSV_IMPORT_BACKGROUND_BYTES)


#: Where the header row of a file must end for a job to be accepted.
HEADER_BYTES = 64 * 1024


def check_header(resource: Resource, stream: IO) -> tuple[ImportResult, IO]:
    """The import's errors about the file's header row (unknown or repeated columns, an empty file, not UTF-8
    or not CSV), so that a job is only started for a file whose rows can be read; and the stream to import."""
    data, stream = uploads.head(stream, HEADER_BYTES)
    header_row = data.split(b"\n", 1)[0]
    return import_csv(resource, io.BytesIO(header_row), dry_run=True), stream


def start_import(resource: Resource, stream: IO, *, user, options: dict) -> Job:
    """Store the file and queue its import, in one transaction: the worker finds both or neither.
    ``options`` are ``import_csv``'s keyword arguments (``dry_run``, ``unescape_formulas``,
    ``default_citation``)."""
    with transaction.atomic():
        job = Job.objects.create(resource=resource.name, options=stored_options(options), user=user)
        job.upload_bytes = uploads.store(job, stream)
        job.save(update_fields=["upload_bytes"])
        enqueue(job)
    return job


def stored_options(options: dict) -> dict:
    """The import's options as the job keeps them (JSON): the default citation's source by its id."""
    citation = options.get("default_citation")
    if citation is None:
        return {name: value for name, value in options.items() if name != "default_citation"}
    return {**options, "default_citation": {**citation.as_part(), "source": citation.source.pk}}


def import_options(job: Job) -> dict:
    """``import_csv``'s keyword arguments from the job's options. Raises Source.DoesNotExist if the default
    citation's source was deleted since the job was queued."""
    options = dict(job.options)
    citation = options.pop("default_citation", None)
    if citation is not None:
        source = Source.objects.get(pk=citation["source"])
        options["default_citation"] = DefaultCitation(source, citation["quote"], citation["locator"])
    return options


def enqueue(job: Job) -> None:
    """Hand the job to the worker, as a new task (a job queued again gets a new one)."""
    from cooperation.jobs.tasks import run_job

    job.task_id = str(run_job.enqueue(str(job.pk)).id)
    job.save(update_fields=["task_id"])


def run(job_id: str, *, task_id: str) -> str:
    """Run the job the task ``task_id`` was queued for (nothing if it was queued again since, or finished).
    Returns the job's status."""
    job = _claim(job_id, task_id)
    if job is None:
        return "not run: the job is finished or was queued again"
    try:
        options = import_options(job)
    except Source.DoesNotExist:
        _settle(job, status=JobStatus.FAILED, message=SOURCE_GONE)
        return JobStatus.FAILED
    try:
        Job.objects.filter(pk=job.pk, attempts=job.attempts).update(rows_total=uploads.count_rows(job))
        with transaction.atomic():
            with reporter_for(job) as reporter:
                result = import_csv(
                    RESOURCES[job.resource], uploads.open_upload(job), user=job.user, progress=reporter.update,
                    **options,
                )  # fmt: skip
            status = JobStatus.SUCCEEDED if result.ok else JobStatus.FAILED
            if not _settle(job, status=status, result=result.as_dict(), rows_done=reporter.rows):
                transaction.set_rollback(True)  # the job is another run's now: this one writes nothing
                return "superseded"
        return status
    except Superseded:
        logger.warning("Job %s, attempt %s: queued again meanwhile; stopped, nothing written.", job.pk, job.attempts)
        return "superseded"
    except ImportConflict:
        # Other writes to the same records kept deadlocking it, retries included: nothing was written.
        retry_or_fail(job, "Other writes to the same records got in the way")
        return "busy"
    except Exception as error:
        if isinstance(error, OperationalError) and "database is locked" in str(error):
            # SQLite: another write held the one write lock longer than the busy timeout. Nothing was written.
            retry_or_fail(job, "The database was busy with another write")
            return "busy"
        logger.exception("Job %s, attempt %s failed", job.pk, job.attempts)
        _settle(job, status=JobStatus.FAILED, message=UNEXPECTED_ERROR)
        return JobStatus.FAILED
    except BaseException:  # the worker is stopping (second Ctrl-C, SIGTERM twice): let the next worker run it
        try:
            retry_or_fail(job, "The worker was stopped while running this job")
        except Exception:  # the stale heartbeat will tell the next worker instead
            logger.warning("Job %s could not be queued again on the way out", job.pk, exc_info=True)
        raise


UNEXPECTED_ERROR = "The import stopped on an unexpected error, so nothing was written. The worker's log has the error."
SOURCE_GONE = "The source the rows were to cite was deleted after the file was sent; nothing was written."


def _claim(job_id: str, task_id: str) -> Job | None:
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, task_id=task_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, attempts=F("attempts") + 1, started_at=now, heartbeat_at=now, rows_done=0
    )
    return Job.objects.select_related("user").get(pk=job_id) if claimed else None


def _settle(job: Job, **outcome) -> bool:
    """Record how this run ended, if the job is still this run's; the file goes. False if it is not."""
    now = timezone.now()
    settled = Job.objects.filter(pk=job.pk, attempts=job.attempts, status=JobStatus.RUNNING).update(
        finished_at=now, heartbeat_at=now, **outcome
    )
    if settled:
        uploads.discard(job)
    return bool(settled)
