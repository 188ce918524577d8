"""The admin's import page sends a large file to a background job, like the API, and shows the job's progress
bar, then its outcome."""

from __future__ import annotations

import io
import re

import pytest
from django.test import Client
from django.urls import reverse

from cooperation import models as m
from cooperation.jobs import services
from cooperation.jobs.models import Job, JobStatus
from tests.conftest import member_of
from tests.csv.helpers import to_csv

pytestmark = pytest.mark.django_db
IMPORT_PAGE = reverse("admin:cooperation_drug_import_csv")
DRUGS = [{"name": f"Synthetic cathinone {n}", "group": "new_psychoactive_substances"} for n in range(25)]


@pytest.fixture(autouse=True)
def small_threshold(settings):
    settings.CSV_IMPORT_BACKGROUND_BYTES = 200
    settings.JOB_HEARTBEAT_SECONDS = 3600  # see tests/jobs/test_services.py


def upload(client, records, dry_run: bool = False):
    data = {"file": io.BytesIO(to_csv(records)), "dry_run": "on" if dry_run else ""}
    data["file"].name = "drugs.csv"
    return client.post(IMPORT_PAGE, data)


def run_job(job: Job) -> None:
    services.run(str(job.pk), task_id=job.task_id)


def test_a_large_file_goes_to_a_job_whose_page_shows_a_progress_bar(editor_client):
    response = upload(editor_client, DRUGS)
    job = Job.objects.get()
    page_url = reverse("admin:cooperation_drug_import_job", args=[job.pk])
    assert response.status_code == 302 and response["Location"] == page_url
    assert (job.user, job.resource, job.status) == (editor_client.user, "drugs", JobStatus.QUEUED)

    page = editor_client.get(page_url).content.decode()
    status_url = reverse("admin:cooperation_drug_import_job_status", args=[job.pk])
    assert f'data-status-url="{status_url}"' in page
    assert re.search(r'<progress id="job-bar"', page)
    assert '<script src="/static/cooperation/job-progress.js" defer></script>' in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), "no inline script (a CSP may forbid them)"

    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, attempts=1, rows_total=25, rows_done=10)
    status = editor_client.get(status_url).json()
    assert (status["status"], status["rows_done"], status["rows_total"]) == ("running", 10, 25)


def test_the_job_page_shows_the_outcome_once_finished(editor_client):
    upload(editor_client, DRUGS)
    job = Job.objects.get()
    run_job(job)
    page = editor_client.get(reverse("admin:cooperation_drug_import_job", args=[job.pk])).content.decode()
    assert "Imported: 25 created, 0 updated, 0 unchanged." in page and 'id="job-progress"' not in page
    assert m.Drug.history.filter(name="Synthetic cathinone 24", history_user=editor_client.user).exists()


def test_the_job_page_lists_every_bad_row_and_nothing_is_written(editor_client):
    records = [*DRUGS, {"name": "Synthetic cathinone 3", "group": "new_psychoactive_substances"}]
    records[4] = {**records[4], "group": "legal high"}
    upload(editor_client, records, dry_run=True)
    job = Job.objects.get()
    run_job(job)
    page = editor_client.get(reverse("admin:cooperation_drug_import_job", args=[job.pk])).content.decode()
    assert "Nothing was written: 2 problems" in page
    assert "<td>6</td><td>group</td>" in page and "<td>27</td><td>name</td>" in page
    assert not m.Drug.objects.filter(name__startswith="Synthetic cathinone").exists()


def test_a_large_file_with_unknown_columns_is_refused_on_the_import_page(editor_client):
    response = upload(editor_client, [{**drug, "street_name": "bath salts"} for drug in DRUGS])
    assert response.status_code == 200
    assert "Nothing was written" in response.content.decode() and "street_name" in response.content.decode()
    assert not Job.objects.exists()


def test_only_its_owner_and_the_import_page_of_its_list_show_a_job(editor_client):
    upload(editor_client, DRUGS)
    job = Job.objects.get()
    other, viewer_client = Client(), Client()
    other.force_login(member_of("editor", "another-editor", is_staff=True))
    viewer_client.force_login(member_of("viewer", "a-viewer", is_staff=True))
    for name in ("import_job", "import_job_status"):
        assert other.get(reverse(f"admin:cooperation_drug_{name}", args=[job.pk])).status_code == 404
        assert viewer_client.get(reverse(f"admin:cooperation_drug_{name}", args=[job.pk])).status_code == 403
        assert editor_client.get(reverse(f"admin:cooperation_cooperationarea_{name}", args=[job.pk])).status_code == 404
