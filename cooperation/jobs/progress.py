"""A running job's progress and heartbeat, written apart from the import's own transaction.

The import runs in one transaction (all rows or none), so what it writes is invisible until it commits. While
it runs, a thread reports the rows read so far and that the worker is alive, every ``JOB_HEARTBEAT_SECONDS``:

- **PostgreSQL**: the thread updates the job's row over its own database connection, which commits on its own
  (the import never touches that row until it finishes).
- **SQLite** allows one writer at a time, and the import holds the write lock until it commits: any other
  write would wait for it. So the thread writes a small JSON file into a directory beside the database file
  instead (``<database>-jobs/``; processes sharing a SQLite database share its disk too), and reads of the job
  take the progress from there.

Each report is also a fencing check: it only counts while the job is still this run's (same ``attempts``,
still running). If the job was given to another run meanwhile (see ``recovery``), ``update`` raises
``Superseded`` from inside the import, which then stops and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import threading
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection, connections
from django.utils import timezone

from cooperation.jobs.models import Job, JobStatus

logger = logging.getLogger(__name__)


class Superseded(Exception):
    """The job was queued again for another run (this one was thought dead): stop and write nothing."""


def uses_progress_files() -> bool:
    return connection.vendor == "sqlite"


def progress_dir() -> Path:
    name = Path(connection.settings_dict["NAME"])
    return name.with_name(f"{name.name}-jobs")


def progress_file(job_id) -> Path:
    return progress_dir() / f"{job_id}.json"


def live_progress(job: Job) -> tuple[int, dt.datetime | None]:
    """Rows read so far and the last heartbeat of a job, however its progress is reported."""
    if job.status == JobStatus.RUNNING and uses_progress_files():
        try:
            reported = json.loads(progress_file(job.pk).read_text())
        except (OSError, ValueError):
            reported = None
        if reported and reported.get("attempt") == job.attempts:
            return reported["rows_done"], dt.datetime.fromisoformat(reported["heartbeat_at"])
    return job.rows_done, job.heartbeat_at


class Reporter:
    """Reports a run's progress from a thread while the import runs; use as a context manager."""

    def __init__(self, job: Job, interval: float | None = None):
        self.job_id, self.attempt = job.pk, job.attempts
        self.interval = settings.JOB_HEARTBEAT_SECONDS if interval is None else interval
        self.rows = 0
        self.superseded = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"job-{job.pk}-progress", daemon=True)

    def update(self, rows: int) -> None:
        """The import's progress callback: called with the rows read so far."""
        self.rows = rows
        if self.superseded.is_set():
            raise Superseded(f"Job {self.job_id} was queued again; attempt {self.attempt} stops.")

    def still_mine(self):
        return Job.objects.filter(pk=self.job_id, attempts=self.attempt, status=JobStatus.RUNNING)

    def beat(self) -> bool:
        """Write the progress; False when the job is no longer this run's."""
        return self.still_mine().update(rows_done=self.rows, heartbeat_at=timezone.now()) == 1

    def __enter__(self) -> Reporter:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                try:
                    if not self.beat():
                        self.superseded.set()
                        return
                except (DatabaseError, OSError):  # a missed beat is not fatal: the next one may get through
                    logger.warning("Job %s: could not report progress", self.job_id, exc_info=True)
        finally:
            connections.close_all()  # this thread's own connections


class FileReporter(Reporter):
    """SQLite: the progress goes to a file, as the database's one write lock is the import's until it commits."""

    def beat(self) -> bool:
        if not self.still_mine().exists():  # a read: never waits for the write lock (WAL)
            return False
        path = progress_file(self.job_id)
        path.parent.mkdir(exist_ok=True)
        report = {"attempt": self.attempt, "rows_done": self.rows, "heartbeat_at": timezone.now().isoformat()}
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps(report))
        temporary.replace(path)  # readers see the old report or the new one, never half of one
        return True

    def __exit__(self, *exc_info) -> None:
        super().__exit__(*exc_info)
        progress_file(self.job_id).unlink(missing_ok=True)


def reporter_for(job: Job) -> Reporter:
    return FileReporter(job) if uses_progress_files() else Reporter(job)
