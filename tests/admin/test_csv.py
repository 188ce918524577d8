"""CSV in the admin: the export action and button use the API's column spec; the import page writes all
rows or none."""

import io

import pytest
from django.urls import reverse

from cooperation import models as m
from tests import factories as f
from tests.csv.helpers import export, rows, to_csv

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:cooperation_agreement_changelist")


def body(response) -> str:
    return b"".join(response.streaming_content).decode()


def test_the_action_exports_the_selected_rows_with_the_api_columns(admin_client):
    chosen, _, also_chosen = f.AgreementFactory.create_batch(3)
    response = admin_client.post(
        CHANGELIST, {"action": "export_selected_csv", "_selected_action": [chosen.pk, also_chosen.pk]}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="agreements-filtered-')
    exported = rows(body(response))
    assert [int(row["id"]) for row in exported] == [chosen.pk, also_chosen.pk]
    assert list(exported[0]) == list(rows(export("agreements"))[0])


def test_the_button_exports_every_row_the_filtered_list_shows(admin_client):
    signed = f.AgreementFactory.create_batch(3, status="signed")
    f.AgreementFactory(status="announced")
    page = admin_client.get(CHANGELIST, {"status__exact": "signed"})
    assert b"Export CSV" in page.content and b"Import CSV" in page.content
    response = admin_client.get(reverse("admin:cooperation_agreement_export_csv"), {"status__exact": "signed"})
    assert sorted(int(row["id"]) for row in rows(body(response))) == sorted(a.pk for a in signed)


def test_parts_have_no_csv_of_their_own(admin_client):
    page = admin_client.get(reverse("admin:cooperation_agreementparty_changelist"))
    assert b"Export CSV" not in page.content
    assert "export_selected_csv" not in page.context["action_form"].fields["action"].choices.__repr__()


def test_viewers_may_export_but_not_import(viewer_client):
    f.AgreementFactory()
    page = viewer_client.get(CHANGELIST)
    assert b"Export CSV" in page.content and b"Import CSV" not in page.content
    assert viewer_client.get(reverse("admin:cooperation_agreement_import_csv")).status_code == 403


def upload(client, content: bytes, dry_run: bool):
    data = {"file": io.BytesIO(content), "dry_run": "on" if dry_run else ""}
    data["file"].name = "agreements.csv"
    return client.post(reverse("admin:cooperation_agreement_import_csv"), data)


def test_import_page_reports_every_bad_row_and_writes_nothing(editor_client):
    new = [{"title": f"Pact {i}", "kind": "treaty", "status": "signed"} for i in range(3)]
    new[1]["status"] = "imagined"
    response = upload(editor_client, to_csv(new), dry_run=False)
    assert response.status_code == 200
    assert b"Nothing was written" in response.content
    assert b"<td>3</td><td>status</td>" in response.content
    assert not m.Agreement.objects.exists()


def test_import_page_dry_run_then_import(editor_client):
    source = f.SourceFactory()
    citations = f'[{{"source": "{source.url}", "quote": "signed a memorandum on information exchange"}}]'
    new = [
        {"title": f"Pact {i}", "kind": "treaty", "status": "signed", "areas": "training", "citations": citations}
        for i in range(3)
    ]
    checked = upload(editor_client, to_csv(new), dry_run=True)
    assert b"every row is valid" in checked.content
    assert not m.Agreement.objects.exists()
    imported = upload(editor_client, to_csv(new), dry_run=False)
    assert imported.status_code == 302
    assert sorted(m.Agreement.objects.values_list("title", flat=True)) == ["Pact 0", "Pact 1", "Pact 2"]
    assert m.Agreement.history.filter(history_user=editor_client.user).count() >= 3


@pytest.mark.parametrize("dry_run", [True, False])
@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        ({"parties": "[" * 3000 + "]" * 3000}, "parties", "Item 1: Nested deeper than 32 levels"),
        ({"citations": "[" * 3000}, "citations", "Item 1: Nested deeper than 32 levels"),
        ({"summary": "Signed in\x00Lima"}, "summary", "The cell contains a NUL character"),
        ({"parties": '[{"country": "BO", "note": "\\u0000"}]'}, "parties", "Item 1, note: The text contains a NUL"),
        ({"parties": '[{"country": "BO", "role": "host", "role": "party"}]'}, "parties", "Item 1, role: The key"),
    ],
    ids=["deep parts", "deep citations", "raw NUL", "escaped NUL", "key twice"],
)
def test_import_page_reports_a_hostile_cell_by_row_and_column(editor_client, cells, column, message, dry_run):
    source = f.SourceFactory()
    citations = f'[{{"source": "{source.url}", "quote": "signed a memorandum on information exchange"}}]'
    good = {"title": "Pact of Sucre", "kind": "treaty", "status": "signed", "summary": "", "parties": ""}
    good["citations"] = citations
    response = upload(editor_client, to_csv([good, good | {"title": "Pact of La Paz"} | cells]), dry_run=dry_run)
    assert response.status_code == 200
    assert b"Nothing was written" in response.content
    assert f"<td>3</td><td>{column}</td><td>{message}".encode() in response.content
    assert not m.Agreement.objects.exists()


def test_import_page_says_so_when_concurrent_writers_kept_getting_in_the_way(editor_client, monkeypatch):
    # The conflict itself (deadlocks on every retry) is provoked for real in tests/api/test_concurrent_imports.py;
    # here the service reports it, and the page must show it instead of a server error.
    from cooperation.admin import tabular
    from cooperation.tabular.imports import ImportConflict

    def always_in_conflict(*args, **kwargs):
        raise ImportConflict(3)

    monkeypatch.setattr(tabular, "import_csv", always_in_conflict)
    response = upload(editor_client, to_csv([{"title": "Pact", "kind": "treaty", "status": "signed"}]), dry_run=False)
    assert response.status_code == 200
    assert b"after 3 tries; nothing was written" in response.content
    assert not m.Agreement.objects.exists()
