"""Two imports that update the same records at once, their rows in opposite orders, each over its own
database connection: both go through one after the other (or one is told of the conflict with a 409), never
a 500, and the records end up exactly as one of the two files says: all or nothing.

Through the API (synchronous imports) and through background jobs, which run the same import.
"""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from rest_framework.test import APIClient

from cooperation.jobs import services as jobs
from cooperation.jobs.models import Job, JobStatus
from cooperation.models import Agreement
from tests import factories as f

RECORDS = 40
TRIES = 3
URL = "/api/v1/agreements/import/"
FILES = {
    "forward": "Transfer of seized precursors logged by the Callao port unit, entry",
    "backward": "Joint patrol report filed by the Paraguayan SENAD liaison, entry",
}


@pytest.fixture
def agreements(db) -> list[Agreement]:
    return [f.AgreementFactory(summary=f"Draft memo {n}") for n in range(RECORDS)]


def summary(name: str, round_: int, record: Agreement) -> str:
    return f"{FILES[name]} {record.pk} (round {round_})"


def agreements_csv(records: list[Agreement], name: str, round_: int) -> bytes:
    """The records' summaries, labelled by the file; the "backward" file lists the rows in the other order."""
    ordered = sorted(records, key=lambda record: record.pk, reverse=name == "backward")
    out = io.StringIO()
    csv.writer(out).writerows([("id", "summary"), *((r.pk, summary(name, round_, r)) for r in ordered)])
    return out.getvalue().encode()


def at_once(action: Callable[[str], object]) -> dict[str, object]:
    """Run ``action`` for both files at the same moment, each in a thread with its own connection."""
    start = threading.Barrier(len(FILES))

    def run(name: str) -> object:
        try:
            start.wait()
            return action(name)
        finally:
            connection.close()

    with ThreadPoolExecutor(len(FILES)) as pool:
        return dict(zip(FILES, pool.map(run, FILES), strict=True))


def assert_one_file_applied_whole(records: list[Agreement], applied: set[str], round_: int) -> None:
    summaries = dict(Agreement.objects.filter(pk__in=[r.pk for r in records]).values_list("pk", "summary"))
    finals = [name for name in FILES if all(summaries[r.pk] == summary(name, round_, r) for r in records)]
    assert len(finals) == 1, f"the records mix both files (or neither): {sorted(set(summaries.values()))[:4]}"
    assert finals[0] in applied


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_imports_of_the_same_records_in_opposite_orders_both_go_through(agreements, editor):
    for round_ in range(TRIES):  # the race goes either way: try it several times

        def post(name: str, round_=round_):
            client = APIClient()
            client.force_authenticate(editor)
            return client.generic("POST", URL, agreements_csv(agreements, name, round_), content_type="text/csv")

        responses = at_once(post)

        for response in responses.values():
            assert response.status_code in (200, 409), response.content
            if response.status_code == 409:
                assert "at the same time" in response.json()["detail"]
        applied = {name for name, response in responses.items() if response.status_code == 200}
        assert applied, "at least one of the two imports is written"
        for name in applied:
            assert responses[name].json()["updated"] == RECORDS
        assert_one_file_applied_whole(agreements, applied, round_)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_import_jobs_of_the_same_records_in_opposite_orders_both_go_through(agreements, editor, settings):
    settings.JOB_HEARTBEAT_SECONDS = 3600  # no progress thread: this test is about the import's own writes
    client = APIClient()
    client.force_authenticate(editor)
    for round_ in range(TRIES):
        queued = {}
        for name in FILES:
            body = agreements_csv(agreements, name, round_)
            response = client.generic("POST", f"{URL}?background=true", body, content_type="text/csv")
            assert response.status_code == 202, response.content
            queued[name] = Job.objects.get(pk=response.json()["id"])

        at_once(lambda name, queued=queued: jobs.run(str(queued[name].pk), task_id=queued[name].task_id))

        finished = {name: Job.objects.get(pk=job.pk) for name, job in queued.items()}
        for job in finished.values():
            # Succeeded, or queued to run again after the other held the records (never failed on a deadlock).
            assert job.status in (JobStatus.SUCCEEDED, JobStatus.QUEUED), (job.status, job.message, job.result)
        applied = {name for name, job in finished.items() if job.status == JobStatus.SUCCEEDED}
        assert applied
        for name in applied:
            assert finished[name].result["updated"] == RECORDS
        assert_one_file_applied_whole(agreements, applied, round_)
