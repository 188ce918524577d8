"""Background imports as deployed: gunicorn with the shipped configuration takes the upload and stops (the job
waits in the database), a real worker process (``manage.py jobs_worker``) runs the job, the client follows it
through a new gunicorn. The worker is killed mid-job: the job wrote nothing, a new worker runs it again to the
end, and every row is there once. A file with one bad row fails the job, names the row and writes nothing.

The suite runs it with 6,000 rows on both databases: enough for the worker to be caught halfway, now that the
import writes its rows in batches (2,000 rows take about a second, less than the worker's progress reports
take to show). ``pytest -m long`` runs it with 50,000 rows: CI does, as its own step on PostgreSQL; ``make
test`` leaves it out.
"""

from __future__ import annotations

import csv
import io
import json
import signal
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.conf import settings
from knox.models import AuthToken

from cooperation import models as m
from tests.conftest import member_of
from tests.servers import gunicorn, stop, worker

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
#: The worker reports every second and is taken for dead after 3 s of silence (60 s by default).
WORKER_SETTINGS = {"JOB_HEARTBEAT_SECONDS": "1", "JOB_STALE_SECONDS": "3"}


def drugs_csv(count: int, bad_row: int | None = None, prefix: str = "Nitazene analogue") -> bytes:
    """``count`` drugs whose names differ only in a number; the ``bad_row``-th (1-based) has no valid group."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["name", "group", "description"])
    for n in range(1, count + 1):
        group = "stimulants" if n == bad_row else "new_psychoactive_substances"
        writer.writerow([f"{prefix} {n:06d}", group, "Seized in postal shipments"])
    return buffer.getvalue().encode()


class Client:
    def __init__(self, base: str, token: str):
        self.base, self.headers = base, {"Authorization": f"Token {token}", "Accept": "application/json"}

    def post_csv(self, path: str, body: bytes) -> tuple[int, dict, dict]:
        request = urllib.request.Request(
            self.base + path, data=body, method="POST", headers={**self.headers, "Content-Type": "text/csv"}
        )
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return response.status, dict(response.headers), json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), json.loads(error.read())

    def get(self, url: str) -> dict:
        with urllib.request.urlopen(urllib.request.Request(url, headers=self.headers), timeout=60) as response:
            return json.loads(response.read())

    def follow(self, url: str, until, timeout: float, samples: list | None = None) -> dict:
        """Poll the job every 0.3 s until ``until(job)``; every state seen goes into ``samples``."""
        deadline = time.monotonic() + timeout
        while True:
            job = self.get(url)
            if samples is not None:
                samples.append((job["status"], job["rows_done"], job["attempts"]))
            if until(job):
                return job
            assert time.monotonic() < deadline, f"job still {job['status']} after {timeout} s: {job}"
            time.sleep(0.3)


def stored(prefix: str = "Nitazene analogue") -> int:
    return m.Drug.objects.filter(name__startswith=prefix).count()


def import_survives_a_worker_restart_and_writes_all_or_nothing(rows: int, bad_file_rows: int) -> None:
    token = AuthToken.objects.create(member_of("editor", "importer"))[1]
    body = drugs_csv(rows)
    # Over the size threshold a file becomes a job by itself; a smaller one is sent to a job explicitly.
    path = "/api/v1/drugs/import/" + ("" if len(body) > settings.CSV_IMPORT_BACKGROUND_BYTES else "?background=true")
    with gunicorn(GUNICORN_WORKERS="1") as base:
        status, headers, job = Client(base, token).post_csv(path, body)
        assert status == 202, job
        assert headers["Location"] == job["url"] and job["status"] == "queued"
    # The web process that took the file has stopped; the job waits in the database for a worker.
    with gunicorn(GUNICORN_WORKERS="2") as base:
        client = Client(base, token)
        job["url"] = base + urllib.parse.urlsplit(job["url"]).path
        first_worker = worker(**WORKER_SETTINGS)
        try:
            samples: list = []
            running = client.follow(
                job["url"], lambda j: j["status"] == "running" and j["rows_done"] >= rows // 10, 120, samples
            )
            assert running["rows_total"] == rows and running["rows_done"] < rows
            first_worker.send_signal(signal.SIGKILL)
            first_worker.wait(timeout=10)
        finally:
            stop(first_worker)

        assert stored() == 0, "the killed run wrote nothing"
        assert client.get(job["url"])["status"] == "running", "until a worker sees this one's has gone silent"

        second_worker = worker(**WORKER_SETTINGS)
        try:
            finished = client.follow(
                job["url"], lambda j: j["status"] in ("succeeded", "failed"), 60 + rows / 100, samples
            )
            assert finished["status"] == "succeeded", finished
            assert finished["attempts"] == 2 and "stopped" in finished["message"]
            assert finished["result"]["created"] == rows and finished["errors"] == []
            assert stored() == rows and m.Drug.objects.filter(name="Nitazene analogue 000001").count() == 1

            progress = [done for status, done, _ in samples if status == "running"]
            assert len({done for done in progress if 0 < done < rows}) >= 2, f"progress was reported: {samples}"
            for attempt in (1, 2):
                seen = [done for status, done, tried in samples if tried == attempt and status == "running"]
                assert seen == sorted(seen), f"progress of run {attempt} only grows"

            bad_row = bad_file_rows - 7
            bad_file = drugs_csv(bad_file_rows, bad_row, prefix="Fentanyl patch")
            status, _, job = client.post_csv("/api/v1/drugs/import/?background=true", bad_file)
            assert status == 202, job
            failed = client.follow(
                job["url"], lambda j: j["status"] in ("succeeded", "failed"), 60 + bad_file_rows / 100
            )
        finally:
            stop(second_worker)
    assert failed["status"] == "failed" and failed["result"]["written"] is False
    assert [(error["row"], error["column"]) for error in failed["errors"]] == [(bad_row + 1, "group")]
    assert stored("Fentanyl patch") == 0, "the file with a bad row wrote nothing"


def test_an_import_job_survives_a_worker_restart_and_writes_all_or_nothing():
    # Imports are batched: a file must take the worker a few seconds, so that the test sees it halfway and kills it.
    import_survives_a_worker_restart_and_writes_all_or_nothing(rows=30_000, bad_file_rows=500)


@pytest.mark.long
def test_50_000_rows_survive_a_worker_restart_and_are_written_all_or_nothing():
    import_survives_a_worker_restart_and_writes_all_or_nothing(rows=50_000, bad_file_rows=5_000)
