"""Every fact is sourced, however it is written: the API (create, PUT, PATCH), the CSV import, the citations
endpoint. The rule is the service's, so each interface gives the same answer."""

from __future__ import annotations

import pytest

from cooperation import models as m
from cooperation.models import CitedModel
from cooperation.resources import RESOURCES
from tests import factories as f
from tests.csv.helpers import to_csv

pytestmark = pytest.mark.django_db
UNCITED = {"citations": ["Cite at least one source: every fact is sourced."]}

#: The smallest valid body of each fact record, citations aside.
BODIES = {
    "agencies": lambda: {"name": "Policía Nacional", "kind": "police", "country": "PE"},
    "officials": lambda: {"name": "Ana Torres", "country": "PE"},
    "posts": lambda: {"official": f.OfficialFactory().pk, "agency": f.AgencyFactory().pk, "title": "Director"},
    "agreements": lambda: {"title": "Pact", "kind": "treaty", "status": "signed"},
    "training-centres": lambda: {"name": "Centre", "host_country": "NI", "status": "planned"},
    "training-courses": lambda: {"title": "Course", "status": "held"},
    "operations": lambda: {"name": "Operation", "status": "completed"},
    "events": lambda: {"title": "Visit", "kind": "visit"},
    "trafficking-routes": lambda: {"name": "Route", "drug": "cocaine", "status": "active"},
    "assessments": lambda: {
        "subject_country": "RU",
        "role": "consumer_market",
        "claim": "x",
        "assessed_by_agency": f.AgencyFactory().pk,
    },
}


def test_every_fact_resource_is_covered():
    facts = {name for name, resource in RESOURCES.items() if issubclass(resource.model, CitedModel)}
    assert facts == set(BODIES)


@pytest.mark.parametrize("resource", sorted(BODIES))
def test_a_fact_is_not_created_without_a_citation(editor_client, resource):
    model = RESOURCES[resource].model
    before = model.objects.count()
    for citations in ({}, {"citations": []}):
        response = editor_client.post(f"/api/v1/{resource}/", {**BODIES[resource](), **citations}, format="json")
        assert response.status_code == 400, response.content
        assert response.json() == UNCITED
    assert model.objects.count() == before
    source = f.SourceFactory()
    cited = {"citations": [{"source": source.url, "quote": "Training starts in 2013."}]}
    assert editor_client.post(f"/api/v1/{resource}/", {**BODIES[resource](), **cited}, format="json").status_code == 201


def test_a_put_or_patch_cannot_take_the_last_citation_away(editor_client):
    agreement = f.AgreementFactory(title="Pact")
    address = f"/api/v1/agreements/{agreement.pk}/"
    put = editor_client.put(address, {"title": "Pact", "kind": "treaty", "status": "signed"}, format="json")
    assert put.status_code == 400 and put.json() == UNCITED
    patch = editor_client.patch(address, {"citations": []}, format="json")
    assert patch.status_code == 400 and patch.json() == UNCITED
    assert editor_client.patch(address, {"summary": "kept citations"}, format="json").status_code == 200
    assert agreement.citations.count() == 1 and m.Agreement.objects.get(pk=agreement.pk).version == 2


def test_the_last_citation_cannot_be_deleted_or_moved_away(editor_client):
    agreement, other = f.AgreementFactory(), f.AgreementFactory()
    citation = agreement.citations.get()
    response = editor_client.delete(f"/api/v1/citations/{citation.pk}/")
    assert response.status_code == 400 and "only citation" in response.json()["non_field_errors"][0]
    moved = editor_client.patch(f"/api/v1/citations/{citation.pk}/", {"record_id": other.pk}, format="json")
    assert moved.status_code == 400
    assert agreement.citations.count() == 1
    f.CitationFactory(record=agreement)
    assert editor_client.delete(f"/api/v1/citations/{citation.pk}/").status_code == 204


def pacts(n: int, **extra) -> bytes:
    return to_csv([{"title": f"Pact {i}", "kind": "treaty", "status": "signed", **extra} for i in range(n)])


def test_an_import_refuses_fact_rows_without_a_citation(editor_client):
    response = editor_client.post("/api/v1/agreements/import/", pacts(2), content_type="text/csv")
    assert response.status_code == 400
    assert [(e["row"], e["column"]) for e in response.json()["errors"]] == [(2, "citations"), (3, "citations")]
    assert not m.Agreement.objects.exists()


def test_an_import_may_name_one_source_for_the_rows_without_a_citation(editor_client):
    source, own = f.SourceFactory(), f.SourceFactory()
    content = to_csv(
        [
            {"title": "Pact 0", "kind": "treaty", "status": "signed", "citations": ""},
            {
                "title": "Pact 1",
                "kind": "treaty",
                "status": "signed",
                "citations": f'[{{"source": "{own.url}", "quote": "Training starts in 2013."}}]',
            },
        ]
    )
    query = f"citation_source={source.url}&citation_quote=Training starts in 2013.&citation_locator=p. 4"
    response = editor_client.post(f"/api/v1/agreements/import/?{query}", content, content_type="text/csv")
    assert response.status_code == 200, response.content
    cited = {a.title: [(c.source, c.locator) for c in a.citations.all()] for a in m.Agreement.objects.all()}
    assert cited == {"Pact 0": [(source, "p. 4")], "Pact 1": [(own, "")]}


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("citation_source=https://nowhere.example.org/", "citation_source"),
        ("citation_source={url}", "citation_quote"),
        ("citation_source={url}&citation_quote=Words the source does not have.", "citation_quote"),
        ("citation_quote=alone", "citation_source"),
    ],
)
def test_a_default_citation_that_cannot_be_is_400_naming_the_parameter(editor_client, query, parameter):
    source = f.SourceFactory()
    response = editor_client.post(
        f"/api/v1/agreements/import/?{query.format(url=source.url)}", pacts(1), content_type="text/csv"
    )
    assert response.status_code == 400 and parameter in response.json(), response.content
    assert not m.Agreement.objects.exists()


def test_the_default_citation_is_documented(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/agreements/import/"]["post"]
    assert {"citation_source", "citation_quote", "citation_locator"} <= {p["name"] for p in operation["parameters"]}
    result = schema["components"]["schemas"]["ImportResult"]["properties"]
    assert "unchanged" in result
