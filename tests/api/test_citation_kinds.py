"""Issue 14, pattern 7: paraphrases and translations are not quotes. A citation says whether its text is
verbatim, a paraphrase or a translation; only a verbatim one is checked against the source's stored text. The
kind is entered, shown and filtered alike in the API, the CSV (a record's citations, and the citations
resource) and the admin."""

from __future__ import annotations

import json

import pytest

from cooperation import models as m
from tests import factories as f
from tests.admin.formdata import CITATIONS, admin_url, inline_formset, post_form
from tests.csv.helpers import rows, to_csv

pytestmark = pytest.mark.django_db

SOURCE = "https://prensa.example.com/2014/05/acuerdo"
TEXT = "Los ministros firmaron un memorando de entendimiento sobre el intercambio de información."
TRANSLATION = "The ministers signed a memorandum of understanding on information exchange."


@pytest.fixture
def source():
    return f.SourceFactory(url=SOURCE, text=TEXT, language="es")


def agreement_payload(*citations: dict) -> dict:
    return {
        "title": "Memorando sobre intercambio de información",
        "kind": "memorandum_of_understanding",
        "status": "signed",
        "citations": list(citations),
    }


def test_a_translation_is_stored_as_one_and_a_verbatim_quote_is_checked(editor_client, source):
    not_in_text = editor_client.post(
        "/api/v1/agreements/", agreement_payload({"source": SOURCE, "quote": TRANSLATION}), format="json"
    )
    assert not_in_text.status_code == 400
    assert not_in_text.json() == {
        "citations[0].quote": [
            "This quote does not occur in the source's full text; copy it verbatim, or say that it is a "
            "paraphrase or a translation."
        ]
    }

    citations = (
        {"source": SOURCE, "quote": TRANSLATION, "kind": "translation", "locator": "para. 1"},
        {"source": SOURCE, "quote": "firmaron un memorando de entendimiento"},
    )
    created = editor_client.post("/api/v1/agreements/", agreement_payload(*citations), format="json")
    assert created.status_code == 201, created.content
    shown = editor_client.get(created.json()["api_url"]).json()["citations"]
    assert [(c["quote"], c["kind"]) for c in shown] == [
        (TRANSLATION, "translation"),
        ("firmaron un memorando de entendimiento", "verbatim"),  # the default
    ]


def test_the_citations_resource_takes_filters_and_checks_the_kind(editor_client, client, source):
    agreement = f.AgreementFactory(cited=False)
    citation = {"source": SOURCE, "record_type": "agreement", "record_id": agreement.pk}
    paraphrase = {**citation, "quote": "A memorandum on sharing information was signed.", "kind": "paraphrase"}
    response = editor_client.post("/api/v1/citations/", paraphrase, format="json")
    assert response.status_code == 201, response.content
    url = response.json()["api_url"]

    # Calling it verbatim now would claim words the source does not have.
    refused = editor_client.patch(url, {"kind": "verbatim"}, format="json")
    assert refused.status_code == 400 and list(refused.json()) == ["quote"]
    unknown = editor_client.patch(url, {"kind": "summary"}, format="json")
    assert unknown.status_code == 400 and list(unknown.json()) == ["kind"]

    f.CitationFactory(record=agreement, source=source, quote="firmaron un memorando")
    for kind, expected in (
        ("paraphrase", ["paraphrase"]),
        ("verbatim", ["verbatim"]),
        ("paraphrase,translation", ["paraphrase"]),
        ("translation", []),
    ):
        params = {"kind": kind, "record_type": "agreement", "record_id": agreement.pk}
        listed = client.get("/api/v1/citations/", params)
        assert listed.status_code == 200, listed.content
        assert [row["kind"] for row in listed.json()["results"]] == expected, kind
    assert client.get("/api/v1/citations/", {"kind": "quote"}).status_code == 400


def test_the_kind_travels_in_a_records_citations_cell_and_in_the_citations_file(editor_client, client, source):
    citations = ({"source": SOURCE, "quote": TRANSLATION, "kind": "translation"},)
    created = editor_client.post("/api/v1/agreements/", agreement_payload(*citations), format="json").json()

    exported = b"".join(client.get("/api/v1/agreements/", {"format": "csv"}).streaming_content)
    [row] = rows(exported.decode())
    assert json.loads(row["citations"])[0]["kind"] == "translation"
    response = editor_client.post("/api/v1/agreements/import/", exported, content_type="text/csv")
    assert response.json()["unchanged"] == 1, response.content

    # A row that makes the translation a verbatim quote is refused, naming its row and column.
    row["citations"] = row["citations"].replace('"translation"', '"verbatim"')
    response = editor_client.post("/api/v1/agreements/import/", to_csv([row]), content_type="text/csv")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "row": 2,
            "column": "citations",
            "message": "Item 1, quote: This quote does not occur in the source's full text; copy it verbatim, or "
            "say that it is a paraphrase or a translation.",
        }
    ]

    cited = b"".join(client.get("/api/v1/citations/", {"format": "csv"}).streaming_content).decode()
    [line] = rows(cited)
    assert line["kind"] == "translation" and line["record_id"] == str(created["id"])
    new = {**line, "id": "", "quote": "Both ministers signed it.", "kind": "paraphrase"}
    response = editor_client.post("/api/v1/citations/import/", to_csv([new]), content_type="text/csv")
    assert response.json()["created"] == 1, response.content
    assert sorted(m.Citation.objects.values_list("kind", flat=True)) == ["paraphrase", "translation"]


def test_the_admin_enters_and_filters_citations_by_kind(admin_client, source):
    typed = {
        "title": "Memorando",
        "kind": "memorandum_of_understanding",
        "status": "signed",
        f"{CITATIONS}-0-source": source.pk,
        f"{CITATIONS}-0-quote": TRANSLATION,
    }
    refused = post_form(admin_client, admin_url(m.Agreement, "add"), typed)
    assert refused.status_code == 200
    assert "copy it verbatim" in str(inline_formset(refused, CITATIONS).forms[0].errors["quote"])

    saved = post_form(admin_client, admin_url(m.Agreement, "add"), {**typed, f"{CITATIONS}-0-kind": "translation"})
    assert saved.status_code == 302
    citation = m.Citation.objects.get()
    assert (citation.quote, citation.kind) == (TRANSLATION, "translation")

    changed = post_form(admin_client, admin_url(m.Citation, "change", citation.pk), {"kind": "paraphrase"})
    assert changed.status_code == 302
    f.CitationFactory(record=citation.record, source=source, quote="firmaron un memorando")
    listed = admin_client.get(admin_url(m.Citation, "changelist"), {"kind__exact": "paraphrase"})
    assert [c.pk for c in listed.context["cl"].result_list] == [citation.pk]
