"""Imports as background jobs through the API: 202 with the job and its address, the job resource, and who
may see it."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from cooperation import models as m
from cooperation.jobs import services
from cooperation.jobs.models import Job, JobStatus
from tests.conftest import member_of
from tests.csv.helpers import to_csv
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/drugs/import/"
DRUGS = [{"name": f"Fentanyl analogue {n}", "group": "opioids", "description": "é" * n} for n in range(30)]


@pytest.fixture(autouse=True)
def quiet_progress_thread(settings):
    settings.JOB_HEARTBEAT_SECONDS = 3600  # see tests/jobs/test_services.py


def post_csv(client, content: bytes, **params):
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return client.generic("POST", f"{URL}?{query}" if query else URL, content, content_type="text/csv")


def run_queued_job(job_id: str) -> None:
    job = Job.objects.get(pk=job_id)
    services.run(str(job.pk), task_id=job.task_id)


def test_a_file_over_the_threshold_becomes_a_job_answered_with_202_and_its_address(editor_client, settings):
    body = to_csv(DRUGS)
    settings.CSV_IMPORT_BACKGROUND_BYTES = len(body) - 1
    response = post_csv(editor_client, body)

    assert response.status_code == 202, response.content
    job = response.json()
    assert response["Location"] == job["url"] == f"http://testserver/api/v1/jobs/{job['id']}/"
    assert {key: job[key] for key in ("resource", "dry_run", "status", "rows_done", "errors", "result")} == {
        "resource": "drugs",
        "dry_run": False,
        "status": "queued",
        "rows_done": 0,
        "errors": [],
        "result": None,
    }
    assert not m.Drug.objects.filter(name__startswith="Fentanyl analogue").exists(), "the worker imports it"

    run_queued_job(job["id"])
    finished = editor_client.get(response["Location"])
    assert finished.status_code == 200
    shown = finished.json()
    assert [shown[key] for key in ("status", "rows_done", "rows_total", "attempts", "errors")] == [
        "succeeded",
        30,
        30,
        1,
        [],
    ]
    assert shown["result"]["created"] == 30 and shown["result"]["written"] is True
    assert m.Drug.objects.filter(name__startswith="Fentanyl analogue").count() == 30


def test_at_or_under_the_threshold_the_import_stays_synchronous(editor_client, settings):
    body = to_csv(DRUGS)
    settings.CSV_IMPORT_BACKGROUND_BYTES = len(body)
    response = post_csv(editor_client, body)
    assert response.status_code == 200 and response.json()["created"] == 30
    assert not Job.objects.exists()


def test_a_client_may_ask_for_a_job_or_for_an_answer_in_the_request(editor_client, settings):
    small, large = to_csv(DRUGS[:2]), to_csv(DRUGS[2:])
    settings.CSV_IMPORT_BACKGROUND_BYTES = len(small) + 1
    assert post_csv(editor_client, small, background="true").status_code == 202
    assert post_csv(editor_client, large, background="false").status_code == 200
    assert post_csv(editor_client, small, background="maybe").status_code == 400
    assert Job.objects.count() == 1


def test_a_job_reports_every_bad_row_as_the_synchronous_import_does_and_writes_nothing(editor_client):
    records = [*DRUGS, {"name": "Fentanyl analogue 3", "group": "opioids", "description": ""}]
    records[7] = {**records[7], "group": "synthetic"}
    synchronous = post_csv(editor_client, to_csv(records), dry_run="true")
    assert synchronous.status_code == 400

    job = post_csv(editor_client, to_csv(records), background="true").json()
    run_queued_job(job["id"])
    finished = editor_client.get(job["url"]).json()

    assert finished["status"] == "failed" and finished["message"] == ""
    assert finished["errors"] == synchronous.json()["errors"]
    assert [(e["row"], e["column"]) for e in finished["errors"]] == [(9, "group"), (32, "name")]
    assert finished["result"]["written"] is False
    assert not m.Drug.objects.filter(name__startswith="Fentanyl analogue").exists()


def test_a_file_whose_header_cannot_be_read_is_refused_at_once_without_a_job(editor_client):
    """Whatever would make the import refuse the file before its first row is answered now, not by a job."""
    unknown_column = to_csv([{"name": "Khat", "group": "other", "potency": "low"}])
    response = post_csv(editor_client, unknown_column, background="true")
    assert response.status_code == 400
    assert [(e["row"], e["column"]) for e in response.json()["errors"]] == [(1, "potency")]
    assert post_csv(editor_client, b"", background="true").status_code == 400
    assert post_csv(editor_client, "name,group\nKhat,other\n".encode("utf-16"), background="true").status_code == 400
    assert not Job.objects.exists()


def test_a_dry_run_and_an_upload_can_be_jobs_too(editor_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("drugs.csv", to_csv(DRUGS), content_type="text/csv")
    response = editor_client.post(f"{URL}?background=true&dry_run=true", {"file": upload}, format="multipart")
    assert response.status_code == 202 and response.json()["dry_run"] is True
    run_queued_job(response.json()["id"])
    finished = editor_client.get(response["Location"]).json()
    assert finished["status"] == "succeeded" and finished["result"]["created"] == 30
    assert finished["result"]["written"] is False
    assert not m.Drug.objects.filter(name__startswith="Fentanyl analogue").exists()


def test_a_job_keeps_the_default_citation_the_request_named(editor_client):
    source = SourceFactory(text="Peru and Russia will train anti-drug officers together from 2013.")
    agreements = to_csv([{"title": f"Training pact {n}", "kind": "treaty", "status": "announced"} for n in range(3)])
    url = (
        f"/api/v1/agreements/import/?background=true&citation_source={source.url}"
        "&citation_quote=will+train+anti-drug+officers+together&citation_locator=para.+3"
    )
    response = editor_client.generic("POST", url, agreements, content_type="text/csv")
    assert response.status_code == 202, response.content
    run_queued_job(response.json()["id"])
    finished = editor_client.get(response["Location"]).json()
    assert finished["status"] == "succeeded" and finished["result"]["created"] == 3, finished
    quotes = m.Citation.objects.filter(source=source).values_list("quote", "locator")
    assert list(quotes) == [("will train anti-drug officers together", "para. 3")] * 3


def test_only_the_user_who_started_a_job_or_a_superuser_sees_it(editor_client, anonymous_client):
    url = post_csv(editor_client, to_csv(DRUGS), background="true")["Location"]
    other_editor = APIClient()
    other_editor.force_authenticate(member_of("editor", "another-editor"))
    superuser = APIClient()
    superuser.force_authenticate(get_user_model().objects.create_superuser("root", password="-"))

    assert editor_client.get(url).status_code == 200
    assert superuser.get(url).status_code == 200
    assert other_editor.get(url).status_code == 404, "as if it did not exist"
    assert anonymous_client.get(url).status_code == 401
    assert editor_client.get("/api/v1/jobs/8d4f2c5e-0000-4000-8000-000000000000/").status_code == 404
    assert editor_client.get("/api/v1/jobs/not-a-job/").status_code == 404


def test_starting_a_job_needs_the_import_permissions(viewer_client, anonymous_client):
    assert post_csv(anonymous_client, to_csv(DRUGS), background="true").status_code == 401
    assert post_csv(viewer_client, to_csv(DRUGS), background="true").status_code == 403
    assert not Job.objects.exists()


def test_a_body_over_the_size_limit_is_refused_and_no_job_is_left(editor_client, settings):
    settings.CSV_IMPORT_MAX_BYTES = 100
    response = post_csv(editor_client, to_csv(DRUGS), background="true")
    assert response.status_code == 400 and "MiB" in str(response.json())
    assert not Job.objects.exists()


def test_the_job_shows_its_progress_while_running(editor_client):
    job = post_csv(editor_client, to_csv(DRUGS), background="true").json()
    Job.objects.filter(pk=job["id"]).update(status=JobStatus.RUNNING, attempts=1, rows_total=30, rows_done=12)
    shown = editor_client.get(job["url"]).json()
    assert (shown["status"], shown["rows_done"], shown["rows_total"]) == ("running", 12, 30)


def test_the_schema_documents_the_202_and_the_job(client):
    import yaml

    schema = yaml.safe_load(client.get("/api/schema/").content)
    imported = schema["paths"]["/api/v1/drugs/import/"]["post"]
    accepted = imported["responses"]["202"]
    assert accepted["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/Job"
    assert "Location" in accepted["headers"]
    assert "background" in {parameter["name"] for parameter in imported["parameters"]}
    job = schema["paths"]["/api/v1/jobs/{id}/"]["get"]
    assert {} not in job["security"], "a job is only shown to a logged-in user"
    assert {"200", "401", "404"} <= set(job["responses"])
    fields = schema["components"]["schemas"]["Job"]["properties"]
    assert {"status", "rows_done", "rows_total", "errors", "result", "message"} <= set(fields)
    assert schema["components"]["schemas"]["JobStatusEnum"]["enum"] == ["queued", "running", "succeeded", "failed"]
