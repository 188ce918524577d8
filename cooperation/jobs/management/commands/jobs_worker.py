"""``manage.py jobs_worker``: the worker process of background jobs.

It is django-tasks-db's ``db_worker`` (same options: ``--queue-name``, ``--interval``, ``--batch``, ...)
plus a watchdog thread that every ``JOB_STALE_SECONDS / 4`` seconds queues again the jobs whose worker died
(see ``cooperation.jobs.recovery``). Run as many as you like on PostgreSQL; on SQLite one is enough, as
imports write one at a time there anyway.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import DatabaseError, connections
from django_tasks_db.management.commands import db_worker

from cooperation.jobs.recovery import recover_orphaned_jobs

logger = logging.getLogger("cooperation.jobs")


def watch(interval: float, stop: threading.Event) -> None:
    try:
        while True:
            try:
                recover_orphaned_jobs()
            except DatabaseError:  # e.g. SQLite busy with an import: try again next time
                logger.warning("Could not look for jobs whose worker stopped", exc_info=True)
            if stop.wait(interval):
                return
    finally:
        connections.close_all()


class Command(db_worker.Command):
    help = "Run background jobs (CSV imports), and run again those whose worker died."

    def handle(self, *args, **options) -> None:
        stop = threading.Event()
        interval = max(settings.JOB_STALE_SECONDS / 4, 0.5)
        threading.Thread(target=watch, args=(interval, stop), name="job-watchdog", daemon=True).start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
