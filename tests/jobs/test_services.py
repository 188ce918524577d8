"""Running import jobs in this process: the outcome, all or nothing, the file in pieces, fencing and recovery.

The progress thread is kept quiet here (JOB_HEARTBEAT_SECONDS is an hour): it reports over its own database
connection, which cannot see this test's uncommitted rows. ``test_progress.py`` and ``test_worker.py`` run it
for real, with committed data.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import OperationalError
from django.db.models import F
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from cooperation import models as m
from cooperation.jobs import services, uploads
from cooperation.jobs.models import Job, JobStatus, UploadChunk
from cooperation.jobs.progress import Reporter
from cooperation.jobs.recovery import recover_orphaned_jobs
from cooperation.resources import RESOURCES
from cooperation.tabular.imports import DefaultCitation, import_csv
from tests.csv.helpers import to_csv
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db

#: Names a spreadsheet would hold: near-duplicates, other scripts, a formula-looking one.
DRUGS = [
    {"name": "Cocaine base paste", "group": "cocaine_type", "description": "Pasta básica de cocaína"},
    {"name": "Cocaine base paste (PBC)", "group": "cocaine_type", "description": ""},
    {"name": "Героин", "group": "opioids", "description": "Heroin, as Russian sources name it"},
    {"name": "'=Captagon", "group": "amphetamine_type_stimulants", "description": "fenetylline"},
]


@pytest.fixture(autouse=True)
def quiet_progress_thread(settings):
    settings.JOB_HEARTBEAT_SECONDS = 3600


def start(records, *, user, resource="drugs", **options) -> Job:
    return services.start_import(RESOURCES[resource], io.BytesIO(to_csv(records)), user=user, options=options)


def run(job: Job) -> Job:
    services.run(str(job.pk), task_id=job.task_id)
    job.refresh_from_db()
    return job


def test_a_job_imports_the_file_and_records_what_it_did(editor):
    job = start(DRUGS, user=editor, dry_run=False)
    assert job.status == JobStatus.QUEUED and job.upload_bytes == len(to_csv(DRUGS))
    assert DBTaskResult.objects.get(id=job.task_id).status == TaskResultStatus.READY

    job = run(job)

    assert job.status == JobStatus.SUCCEEDED and job.attempts == 1
    assert (job.rows_total, job.rows_done) == (4, 4)
    expected = {"resource": "drugs", "dry_run": False, "written": True, "created": 4, "updated": 0, "errors": []}
    assert {key: job.result[key] for key in expected} == expected
    names = set(m.Drug.objects.values_list("name", flat=True))
    assert {"Cocaine base paste", "Cocaine base paste (PBC)", "Героин", "=Captagon"} <= names
    assert m.Drug.history.filter(name="Героин", history_user=editor).count() == 1
    assert not UploadChunk.objects.filter(job=job).exists(), "the file goes once the job has finished"


def test_one_bad_row_fails_the_job_with_the_errors_a_dry_run_gives_and_writes_nothing(editor):
    records = [*DRUGS, {"name": "Cocaine base paste", "group": "cocaine_type", "description": "again"}]
    records[1] = {**records[1], "group": "stimulant"}
    expected = import_csv(RESOURCES["drugs"], io.BytesIO(to_csv(records)), dry_run=True).as_dict()["errors"]
    assert [(error["row"], error["column"]) for error in expected] == [(3, "group"), (6, "name")]
    before = m.Drug.objects.count()

    job = run(start(records, user=editor, dry_run=False))

    assert job.status == JobStatus.FAILED
    assert job.result["errors"] == expected and job.result["written"] is False
    assert m.Drug.objects.count() == before
    assert not m.Drug.objects.filter(name="Героин").exists()


def test_a_dry_run_job_checks_every_row_and_writes_nothing(editor):
    job = run(start(DRUGS, user=editor, dry_run=True))
    assert job.status == JobStatus.SUCCEEDED
    assert job.result["dry_run"] is True and job.result["written"] is False and job.result["created"] == 4
    assert not m.Drug.objects.filter(name="Героин").exists()


def test_a_job_imports_records_with_parts_and_a_default_citation_as_a_request_would(editor):
    """Not only flat rows: agreements whose party is an agency, cited by the import's default citation (kept
    by the job as the source's id), then a file naming an unknown country."""
    agency = m.Agency.objects.create(name="Federal Drug Control Service", country=m.Country.objects.get(iso2="RU"))
    source = SourceFactory(text="Russia and Peru agreed to cooperate against drug trafficking.")
    citation = DefaultCitation(source, "agreed to cooperate against drug trafficking", "para. 2")
    records = [
        {"title": "Pact", "kind": "treaty", "status": "signed", "parties": f'[{{"agency": "{agency.name} [RU]"}}]'},
        {"title": "Pact", "kind": "treaty", "status": "signed", "parties": '[{"country": "PE"}]'},
    ]
    job = start(records, user=editor, resource="agreements", default_citation=citation)
    assert job.options["default_citation"] == {"source": source.pk, "quote": citation.quote, "locator": "para. 2"}
    job = run(job)
    assert job.status == JobStatus.SUCCEEDED, job.result
    assert set(m.AgreementParty.objects.values_list("agency__name", "country__iso2")) == {
        (None, "PE"),
        ("Federal Drug Control Service", None),
    }
    assert m.Citation.objects.count() == 2
    assert set(m.Citation.objects.values_list("source", "locator")) == {(source.pk, "para. 2")}

    records = [{**record, "title": "Second pact"} for record in records]  # the same again: likely duplicates
    records[1]["parties"] = '[{"country": "Atlantis"}]'
    job = run(start(records, user=editor, resource="agreements", default_citation=citation))
    assert job.status == JobStatus.FAILED
    assert [(e["row"], e["column"]) for e in job.result["errors"]] == [(3, "parties")]
    assert m.Agreement.objects.count() == 2, "the second file wrote nothing"


def test_a_job_whose_citation_source_was_deleted_meanwhile_fails_and_says_so(editor):
    source = SourceFactory()
    job = start(DRUGS, user=editor, default_citation=DefaultCitation(source, "signed a memorandum"))
    source.delete()
    job = run(job)
    assert job.status == JobStatus.FAILED and "source" in job.message and "nothing was written" in job.message
    assert not m.Drug.objects.filter(name="Героин").exists()


def test_the_file_is_kept_in_pieces_and_read_back_whole(editor, monkeypatch):
    monkeypatch.setattr(uploads, "CHUNK_BYTES", 7)  # pieces split the two-byte letters of Героин
    records = [{"name": f"Героин {n}", "group": "opioids", "description": "ó" * n} for n in range(40)]
    job = start(records, user=editor)
    assert UploadChunk.objects.filter(job=job).count() == -(-len(to_csv(records)) // 7)
    assert uploads.open_upload(job).read() == to_csv(records)

    job = run(job)
    assert job.status == JobStatus.SUCCEEDED and job.result["created"] == 40
    assert m.Drug.objects.get(name="Героин 39").description == "ó" * 39


def test_a_run_that_lost_the_job_meanwhile_writes_nothing(editor, monkeypatch):
    """A run thought dead, whose job another run has taken (attempts raised), rolls its rows back. (Here the
    other run's change is rolled back too, as it was made on this test's one connection.)"""
    job = start(DRUGS, user=editor)
    update = Reporter.update

    def taken_over_at_row_3(reporter, rows):
        if rows == 3:
            Job.objects.filter(pk=job.pk).update(attempts=F("attempts") + 1)
        update(reporter, rows)

    monkeypatch.setattr(Reporter, "update", taken_over_at_row_3)
    assert services.run(str(job.pk), task_id=job.task_id) == "superseded"
    job.refresh_from_db()
    assert job.result is None and job.finished_at is None
    assert not m.Drug.objects.filter(name="Героин").exists()


def test_a_run_told_it_was_superseded_stops_at_once(editor, monkeypatch):
    job = start(DRUGS, user=editor)
    read, update = [], Reporter.update

    def superseded_after_row_2(reporter, rows):
        read.append(rows)
        if rows == 2:
            reporter.superseded.set()
        update(reporter, rows)

    monkeypatch.setattr(Reporter, "update", superseded_after_row_2)
    assert services.run(str(job.pk), task_id=job.task_id) == "superseded"
    assert read == [1, 2]
    assert not m.Drug.objects.filter(name="Героин").exists()


def test_an_unexpected_error_fails_the_job_with_a_message_and_writes_nothing(editor, monkeypatch):
    def broken_import(*args, progress, **kwargs):
        m.Drug.objects.create(name="Written before the error", group="other")
        raise RuntimeError("a bug")

    monkeypatch.setattr(services, "import_csv", broken_import)
    job = run(start(DRUGS, user=editor))
    assert job.status == JobStatus.FAILED and job.result is None
    assert "unexpected error" in job.message and "nothing was written" in job.message
    assert not m.Drug.objects.filter(name="Written before the error").exists()


def test_a_task_for_a_job_queued_again_since_does_nothing(editor):
    job = start(DRUGS, user=editor)
    assert services.run(str(job.pk), task_id="an older task").startswith("not run")
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.QUEUED, 0)
    run(job)
    assert services.run(str(job.pk), task_id=job.task_id).startswith("not run"), "a finished job runs once"


def long_ago(seconds: int = 600) -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=seconds)


def test_a_job_whose_worker_died_runs_again_with_a_new_task(editor):
    job = start(DRUGS, user=editor)
    old_task = job.task_id
    DBTaskResult.objects.filter(id=old_task).update(status=TaskResultStatus.RUNNING)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, attempts=1, heartbeat_at=long_ago())

    assert [j.pk for j in recover_orphaned_jobs()] == [job.pk]

    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.QUEUED, 1)
    assert "stopped" in job.message and "runs again" in job.message
    assert job.task_id != old_task and DBTaskResult.objects.get(id=job.task_id).status == TaskResultStatus.READY
    assert DBTaskResult.objects.get(id=old_task).status == TaskResultStatus.FAILED
    job = run(job)
    assert (job.status, job.attempts, job.result["created"]) == (JobStatus.SUCCEEDED, 2, 4)


def test_a_job_whose_worker_died_too_often_fails_and_says_why(editor, settings):
    job = start(DRUGS, user=editor)
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, attempts=settings.JOB_MAX_ATTEMPTS, heartbeat_at=long_ago()
    )
    recover_orphaned_jobs()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.finished_at is not None
    assert f"{settings.JOB_MAX_ATTEMPTS} times" in job.message and "nothing was written" in job.message
    assert not UploadChunk.objects.filter(job=job).exists()


def test_live_and_waiting_jobs_are_left_alone(editor):
    running = start(DRUGS, user=editor)
    Job.objects.filter(pk=running.pk).update(status=JobStatus.RUNNING, attempts=1, heartbeat_at=timezone.now())
    waiting = start(DRUGS, user=editor)  # queued long ago, its task still waiting for a free worker
    Job.objects.filter(pk=waiting.pk).update(created_at=long_ago())
    assert recover_orphaned_jobs() == []
    assert Job.objects.get(pk=running.pk).status == JobStatus.RUNNING
    assert Job.objects.get(pk=waiting.pk).task_id == waiting.task_id


def test_a_job_taken_by_a_worker_that_died_before_starting_it_is_queued_again(editor):
    job = start(DRUGS, user=editor)
    DBTaskResult.objects.filter(id=job.task_id).update(status=TaskResultStatus.RUNNING)
    Job.objects.filter(pk=job.pk).update(created_at=long_ago())
    assert [j.pk for j in recover_orphaned_jobs()] == [job.pk]
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and "before starting it" in job.message
    assert DBTaskResult.objects.get(id=job.task_id).status == TaskResultStatus.READY


def test_a_job_that_found_the_database_busy_runs_again(editor, monkeypatch):
    """SQLite: another write held the one write lock past the busy timeout; nothing was written."""

    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "import_csv", locked)
    job = run(start(DRUGS, user=editor))
    assert (job.status, job.attempts) == (JobStatus.QUEUED, 1)
    assert "busy" in job.message and "runs again" in job.message
