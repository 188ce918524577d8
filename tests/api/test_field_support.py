"""Issue 14, pattern 7: field-level provenance. A citation says which facts of its record it supports (its
``supports``: fields and parts by name, as Security Force Monitor's sources do); the API shows them with each
citation and lists a record's ``unsupported_fields``, the CSV carries them in a record's citations cell and in
the citations file, and the admin enters them and shows each fact's sources on the record's page."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from cooperation import models as m
from cooperation.resources import RESOURCES
from tests import factories as f
from tests.admin.formdata import CITATIONS, admin_url, post_form
from tests.csv.helpers import rows, to_csv

pytestmark = pytest.mark.django_db
RESOURCES_BY_MODEL = {resource.model: resource for resource in RESOURCES.values()}

SOURCE = "https://diario.example.org/2016/03/convenio"
TEXT = (
    "El Servicio Nacional Antidrogas y la policía de Bolivia firmaron un convenio a comienzos de 2016. "
    "Según el diario, el acuerdo prevé cursos de formación."
)


@pytest.fixture
def source():
    return f.SourceFactory(url=SOURCE, text=TEXT, language="es")


@pytest.fixture
def agencies():
    # Two agencies of one name in different countries: parties are named by natural key, country and all.
    bolivia, chile = m.Country.objects.get(iso2="BO"), m.Country.objects.get(iso2="CL")
    return (
        f.AgencyFactory(name="Servicio Nacional Antidrogas", country=bolivia),
        f.AgencyFactory(name="Servicio Nacional Antidrogas", country=chile),
    )


def agreement(*citations: dict) -> dict:
    return {
        "title": "Convenio de cooperación antidrogas",
        "kind": "memorandum_of_understanding",
        "status": "signed",
        "signed": "early 2016",
        "parties": [{"agency": "Servicio Nacional Antidrogas [BO]", "role": "party"}, {"country": "BO"}],
        "citations": list(citations),
    }


SIGNING = {"source": SOURCE, "quote": "firmaron un convenio a comienzos de 2016", "supports": ["parties", "signed"]}


def test_each_citation_says_what_it_supports_and_the_record_what_no_citation_names(editor_client, source, agencies):
    whole = {"source": SOURCE, "quote": "el acuerdo prevé cursos de formación"}  # the record as a whole
    created = editor_client.post("/api/v1/agreements/", agreement(SIGNING, whole), format="json")
    assert created.status_code == 201, created.content

    shown = editor_client.get(created.json()["api_url"]).json()
    # Stored once each, in the record's order of fields, whatever order they were sent in.
    assert [c["supports"] for c in shown["citations"]] == [["signed", "parties"], []]
    # Facts with a value that no citation names; empty fields (summary, place, start, ...) are no facts.
    assert shown["unsupported_fields"] == ["title", "kind", "status"]

    listed = editor_client.get("/api/v1/agreements/").json()["results"]
    assert listed[0]["unsupported_fields"] == ["title", "kind", "status"]


@pytest.mark.parametrize(
    ("supports", "message"),
    [
        (["signed", "website"], "Agreements have no field 'website'"),
        (["signed_edtf"], "Agreements have no field 'signed_edtf'"),  # a date is supported by its name
        ("signed parties", "Give a list of field names, not a string."),
        ([["signed"]], "Give each field name as a string, not a list."),
    ],
)
def test_a_field_the_record_does_not_have_is_a_400_naming_the_citation(
    editor_client, source, agencies, supports, message
):
    response = editor_client.post("/api/v1/agreements/", agreement({**SIGNING, "supports": supports}), format="json")
    assert response.status_code == 400
    [(field, errors)] = response.json().items()
    assert field.startswith("citations[0].supports"), response.json()
    assert message in errors[0]
    assert not m.Agreement.objects.exists()


def test_the_citations_resource_checks_supports_against_the_kind_of_record(editor_client, source):
    agency = f.AgencyFactory(name="Fuerza Especial de Lucha contra el Narcotráfico", cited=False)
    citation = {"source": SOURCE, "record_type": "agency", "record_id": agency.pk, "quote": "la policía de Bolivia"}
    refused = editor_client.post("/api/v1/citations/", {**citation, "supports": ["signed"]}, format="json")
    assert refused.status_code == 400 and list(refused.json()) == ["supports"]
    assert "a citation can support: name, acronym, other_names, kind, country" in refused.json()["supports"][0]

    created = editor_client.post("/api/v1/citations/", {**citation, "supports": ["country", "name"]}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["supports"] == ["name", "country"]
    patched = editor_client.patch(created.json()["api_url"], {"supports": []}, format="json")
    assert patched.json()["supports"] == []
    assert m.Citation.objects.get().supports == ""


def test_supports_travel_in_the_csv_and_come_back_unchanged(editor_client, client, source, agencies):
    editor_client.post("/api/v1/agreements/", agreement(SIGNING), format="json")
    exported = b"".join(client.get("/api/v1/agreements/", {"format": "csv"}).streaming_content)
    [row] = rows(exported.decode())
    assert json.loads(row["citations"])[0]["supports"] == "signed parties"
    again = editor_client.post("/api/v1/agreements/import/", exported, content_type="text/csv")
    assert again.json()["unchanged"] == 1, again.content

    row["citations"] = row["citations"].replace("signed parties", "parties signatories")
    changed = editor_client.post("/api/v1/agreements/import/", to_csv([row]), content_type="text/csv")
    assert changed.json()["updated"] == 1, changed.content
    assert m.Agreement.objects.get().citations.get().supports == "signatories parties"  # in the record's order

    row["version"] = str(m.Agreement.objects.get().version)  # as a fresh export has it
    row["citations"] = row["citations"].replace("parties signatories", "parties signatory")  # as typed
    refused = editor_client.post("/api/v1/agreements/import/", to_csv([row]), content_type="text/csv")
    assert refused.status_code == 400
    [error] = refused.json()["errors"]
    assert (error["row"], error["column"]) == (2, "citations")
    assert "Item 1, supports: Agreements have no field 'signatory'" in error["message"]

    params = {"format": "csv", "record_type": "agreement"}
    cited = rows(b"".join(client.get("/api/v1/citations/", params).streaming_content).decode())
    assert [line["supports"] for line in cited] == ["signatories parties"]


def test_the_admin_enters_supports_and_shows_each_facts_sources(admin_client, source, agencies):
    typed = {
        "title": "Convenio",
        "kind": "memorandum_of_understanding",
        "status": "signed",
        "signed": "2016",
        f"{CITATIONS}-0-source": source.pk,
        f"{CITATIONS}-0-quote": "firmaron un convenio a comienzos de 2016",
        f"{CITATIONS}-0-supports": ["status", "signed"],
    }
    saved = post_form(admin_client, admin_url(m.Agreement, "add"), typed)
    assert saved.status_code == 302
    record = m.Agreement.objects.get()
    assert record.citations.get().supports == "status signed"

    page = admin_client.get(admin_url(m.Agreement, "change", record.pk))
    support = {row.name: row for row in page.context["field_support"]}
    assert [c.quote for c in support["signed"].citations] == ["firmaron un convenio a comienzos de 2016"]
    assert support["title"].unsupported and not support["status"].unsupported
    assert "place" not in support  # no value, no fact
    html = page.content.decode()
    assert "Support, fact by fact" in html and "No citation names this fact" in html

    # Saving the page untouched keeps what the citation supports.
    again = post_form(admin_client, admin_url(m.Agreement, "change", record.pk), {})
    assert again.status_code == 302
    assert record.citations.get().supports == "status signed"


def test_the_seed_says_which_facts_the_article_supports(seed, client):
    route = m.TraffickingRoute.objects.get(nodes__country__iso2="EC")
    shown = client.get(f"/api/v1/trafficking-routes/{route.pk}/").json()
    [citation] = shown["citations"]
    assert "identified_by" in citation["supports"] and "nodes" in citation["supports"]
    assert "identified_by" not in shown["unsupported_fields"]
    for citation in m.Citation.objects.exclude(supports=""):
        before = citation.supports
        citation.full_clean()
        assert citation.supports == before, "stored in its normal form"


@pytest.fixture
def facts_partly_supported(seed):
    """The seed, a small synthetic data set and citations that each name a few facts of their record, differently
    per citation (some name a fact with no value, one in four every fact; a record's two citations may name the same
    fact)."""
    call_command("generate_data", scale=10, verbosity=0, stdout=io.StringIO())
    for number, citation in enumerate(m.Citation.objects.order_by("pk").select_related("content_type")):
        facts = RESOURCES_BY_MODEL[citation.content_type.model_class()].supportable
        named = {facts[number % len(facts)], facts[(number * 7 + 3) % len(facts)]} if number % 4 else set(facts)
        m.Citation.objects.filter(pk=citation.pk).update(supports=" ".join(x for x in facts if x in named))


def api_records(client, name) -> dict[int, list[str]]:
    found, url = {}, f"/api/v1/{name}/?limit=500"
    while url:
        page = client.get(url).json()
        found |= {record["id"]: record["unsupported_fields"] for record in page["results"]}
        url = page["next"]
    return found


@pytest.mark.usefixtures("facts_partly_supported")
def test_the_csv_lists_the_facts_no_citation_names_as_the_api_does(client):
    for name in (name for name, resource in RESOURCES.items() if resource.cited):
        listed = api_records(client, name)
        exported = rows(b"".join(client.get(f"/api/v1/{name}/", {"format": "csv"}).streaming_content).decode())
        in_csv = {
            int(row["id"]): row["unsupported_fields"].split("|") if row["unsupported_fields"] else []
            for row in exported
        }
        assert in_csv == listed, name
        assert any(in_csv.values()) and not all(in_csv.values()), f"{name}: records with and without unsupported facts"


def test_the_unsupported_facts_column_is_read_only_on_import(editor_client, client, source, agencies):
    editor_client.post("/api/v1/agreements/", agreement(SIGNING), format="json")
    [row] = rows(b"".join(client.get("/api/v1/agreements/", {"format": "csv"}).streaming_content).decode())
    assert row["unsupported_fields"] == "title|kind|status"
    row["unsupported_fields"] = "parties"  # what it says follows from the citations, not from this cell
    again = editor_client.post("/api/v1/agreements/import/", to_csv([row]), content_type="text/csv")
    assert again.json()["unchanged"] == 1, again.content
    assert editor_client.get("/api/v1/agreements/").json()["results"][0]["unsupported_fields"] == [
        "title",
        "kind",
        "status",
    ]
