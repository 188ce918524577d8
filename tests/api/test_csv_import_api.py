"""POST /api/v1/<resource>/import/: the body or an upload, writes need add and change permissions."""

import pytest

from cooperation import models as m
from tests.csv.helpers import to_csv

pytestmark = pytest.mark.django_db
URL = "/api/v1/agreements/import/"
SOURCE = "https://pacts.example.org/register"
CITATIONS = f'[{{"source": "{SOURCE}", "quote": "signed a pact"}}]'
GOOD = to_csv(
    [{"title": "Pact", "kind": "treaty", "status": "signed", "parties": '[{"country": "PE"}]', "citations": CITATIONS}]
)
BAD = to_csv([{"title": "Pact", "kind": "treaty", "status": "imagined"}])


@pytest.fixture(autouse=True)
def source():
    return m.Source.objects.create(title="Register of pacts", url=SOURCE)


def post_csv(client, content: bytes, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return client.generic("POST", f"{URL}?{query}" if query else URL, content, content_type="text/csv")


def test_an_editor_imports_a_csv_body(editor_client):
    response = post_csv(editor_client, GOOD)
    assert response.status_code == 200, response.content
    assert response.json() | {"errors": []} == {
        "resource": "agreements",
        "dry_run": False,
        "written": True,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "errors": [],
    }
    assert m.Agreement.objects.get().parties.get().country.iso2 == "PE"


def test_an_upload_works_too(editor_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("agreements.csv", GOOD, content_type="text/csv")
    response = editor_client.post(URL, {"file": upload}, format="multipart")
    assert response.status_code == 200, response.content
    assert m.Agreement.objects.count() == 1


def test_a_dry_run_validates_without_writing(editor_client):
    response = post_csv(editor_client, GOOD, dry_run="true")
    assert response.status_code == 200 and response.json()["written"] is False
    assert not m.Agreement.objects.exists()


def test_errors_are_a_400_listing_row_and_column(editor_client):
    response = post_csv(editor_client, BAD)
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"row": 2, "column": "status", "message": "Value 'imagined' is not a valid choice."}
    ]
    assert not m.Agreement.objects.exists()


def test_anonymous_and_viewers_cannot_import(anonymous_client, viewer_client):
    assert post_csv(anonymous_client, GOOD).status_code == 401
    assert post_csv(viewer_client, GOOD).status_code == 403
    assert not m.Agreement.objects.exists()


def test_unknown_parameters_and_missing_files_are_400s(editor_client):
    assert post_csv(editor_client, GOOD, dryrun="true").status_code == 400
    response = editor_client.post(URL, {}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()


def test_a_body_over_the_size_limit_is_refused(editor_client, settings):
    settings.CSV_IMPORT_MAX_BYTES = 100
    big = to_csv([{"title": f"Pact {i}", "kind": "treaty", "status": "signed"} for i in range(20)])
    response = post_csv(editor_client, big)
    assert response.status_code == 400 and "MiB" in str(response.json())
    assert not m.Agreement.objects.exists()


# --- Hostile files: a 400 naming row and column, never a 500, nothing written (sync, dry run, background) ---
DEEP = "[" * 3000 + "]" * 3000
HOSTILE_CELLS = {
    "parts nested 3,000 deep": (
        {"parties": DEEP},
        "parties",
        "Item 1: Nested deeper than 32 levels of arrays and objects.",
    ),
    "citations nested 3,000 deep": ({"citations": DEEP}, "citations", "Item 1: Nested deeper than 32 levels"),
    "raw NUL in a text cell": (
        {"title": "Pact\x00of Lima"},
        "title",
        "The cell contains a NUL character (byte 0); remove it.",
    ),
    "raw NUL in a parts cell": ({"parties": '[{"country": "PE\x00"}]'}, "parties", "The cell contains a NUL"),
    "escaped NUL in a parts cell": (
        {"parties": '[{"country": "PE", "note": "tw\\u0000o"}]'},
        "parties",
        "Item 1, note: The text contains a NUL character (\\u0000).",
    ),
    "a key twice in a parts cell": (
        {"parties": '[{"country": "PE", "country": "BO"}]'},
        "parties",
        "Item 1, country: The key 'country' is given twice.",
    ),
}


def hostile_file(cells: dict) -> bytes:
    good = {"title": "Pact of Cusco", "kind": "treaty", "status": "signed", "parties": "", "citations": CITATIONS}
    return to_csv([good, good | {"title": "Pact of Lima"} | cells])


@pytest.mark.parametrize("dry_run", ["false", "true"])
@pytest.mark.parametrize(("cells", "column", "message"), HOSTILE_CELLS.values(), ids=HOSTILE_CELLS.keys())
def test_a_hostile_cell_is_a_400_naming_row_and_column(editor_client, cells, column, message, dry_run):
    response = post_csv(editor_client, hostile_file(cells), dry_run=dry_run)
    assert response.status_code == 400, response.content[:500]
    (error,) = response.json()["errors"]
    assert (error["row"], error["column"]) == (3, column)
    assert error["message"].startswith(message), error["message"]
    assert not m.Agreement.objects.exists()


@pytest.fixture
def quiet_progress_thread(settings):
    settings.JOB_HEARTBEAT_SECONDS = 3600  # see tests/jobs/test_services.py


@pytest.mark.usefixtures("quiet_progress_thread")
@pytest.mark.parametrize(("cells", "column", "message"), HOSTILE_CELLS.values(), ids=HOSTILE_CELLS.keys())
def test_a_background_job_with_a_hostile_cell_fails_with_the_row_error(editor_client, cells, column, message):
    from cooperation.jobs import services
    from cooperation.jobs.models import Job

    accepted = post_csv(editor_client, hostile_file(cells), background="true")
    assert accepted.status_code == 202, accepted.content[:500]
    job = Job.objects.get(pk=accepted.json()["id"])
    assert services.run(str(job.pk), task_id=job.task_id) == "failed"
    shown = editor_client.get(accepted["Location"]).json()
    assert shown["status"] == "failed"
    (error,) = shown["errors"]
    assert (error["row"], error["column"]) == (3, column) and error["message"].startswith(message)
    assert not m.Agreement.objects.exists()
