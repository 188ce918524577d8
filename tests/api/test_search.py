"""What cites this source, and one search across every resource: typed brief records, with flat query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cooperation import models as m
from tests import factories as f

pytestmark = pytest.mark.django_db


def brief(record, resource: str) -> dict:
    return {
        "type": record._meta.model_name,
        "id": record.pk,
        "display": str(record),
        "api_url": f"http://testserver/api/v1/{resource}/{record.pk}/",
    }


def queries(client, url: str, params: dict) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200, response.content
    return len(captured.captured_queries), response.json()


# --- Citations name their record --------------------------------------------------------------------------------
def test_each_citation_names_the_record_it_supports(client):
    source = f.SourceFactory()
    post = f.PostFactory(cited=False, title="Director")
    agreement = f.AgreementFactory(cited=False)
    f.CitationFactory(record=post, source=source)
    f.CitationFactory(record=agreement, source=source)
    results = client.get("/api/v1/citations/", {"source": source.url}).json()["results"]
    assert [row["record"] for row in results] == [brief(post, "posts"), brief(agreement, "agreements")]
    nested = client.get(f"/api/v1/posts/{post.pk}/").json()["citations"]
    assert [row["record"] for row in nested] == [brief(post, "posts")]


def test_citations_with_their_records_take_the_same_queries_for_5_or_50(client):
    source = f.SourceFactory()
    makers = [f.PostFactory, f.AgreementFactory, f.AssessmentFactory, f.TrainingCourseFactory, f.EventFactory]
    for i in range(50):
        f.CitationFactory(record=makers[i % len(makers)](cited=False), source=source)
    few, page = queries(client, "/api/v1/citations/", {"source": source.url, "limit": 5})
    many, full = queries(client, "/api/v1/citations/", {"source": source.url, "limit": 50})
    assert len(page["results"]) == 5 and len(full["results"]) == 50
    assert {row["record"]["type"] for row in page["results"]} == {row["record"]["type"] for row in full["results"]}
    assert few == many


def test_nested_citations_name_their_record_without_a_query_each(client):
    for _ in range(30):
        f.CitationFactory(record=f.AgreementFactory())  # two citations each
    few, _ = queries(client, "/api/v1/agreements/", {"limit": 3})
    many, page = queries(client, "/api/v1/agreements/", {"limit": 30})
    assert few == many
    assert all(c["record"]["id"] == row["id"] for row in page["results"] for c in row["citations"])


# --- /api/v1/search/ ----------------------------------------------------------------------------------------------
@pytest.fixture
def found():
    peru = m.Country.objects.get(iso2="PE")
    agency = f.AgencyFactory(name="Dirección Antidrogas", acronym="DIRANDRO", country=peru)
    other = f.AgencyFactory(
        name="Dirección Antidrogas",
        acronym="",
        other_names="Antinarcotics Directorate",
        country=m.Country.objects.get(iso2="BO"),  # the same name in another country: not a duplicate
    )
    agreement = f.AgreementFactory(title="Memorandum", summary="Plantain shipments are inspected.")
    route = f.TraffickingRouteFactory(name="Ecuador route", cited=False)
    f.CitationFactory(
        record=route,
        source=f.SourceFactory(text="Cocaine travels to Russia in plantain shipments."),
        quote="in plantain shipments",
    )
    return {"agency": agency, "other": other, "agreement": agreement, "route": route}


def search(client, **params) -> dict:
    response = client.get("/api/v1/search/", params)
    assert response.status_code == 200, response.content
    return response.json()


def test_search_finds_names_aliases_titles_summaries_and_quotes(client, found):
    assert search(client, q="diranDRO")["results"] == [brief(found["agency"], "agencies")]
    assert search(client, q="antinarcotics directorate")["results"] == [brief(found["other"], "agencies")]
    assert search(client, q="plantain")["results"] == [
        brief(found["agreement"], "agreements"),
        brief(found["route"], "trafficking-routes"),
    ]
    assert search(client, q="plantain Ecuador")["results"] == [brief(found["route"], "trafficking-routes")]
    assert search(client, q="plantain", type="agreement")["results"] == [brief(found["agreement"], "agreements")]
    assert search(client, q="nothing of the kind")["results"] == []


def test_search_pages_follow_next_to_the_end(client, found):
    for i in range(4):
        f.AgencyFactory(name=f"Dirección Antidrogas {i}")
    seen, page = [], search(client, q="Antidrogas", limit=2)
    while True:
        seen += [(row["type"], row["id"]) for row in page["results"]]
        if page["next"] is None:
            break
        assert len(page["results"]) == 2
        page = client.get(page["next"]).json()
    assert len(seen) == len(set(seen)) == 6


def test_search_takes_a_query_per_kind_at_most_whatever_the_page(client, found):
    for i in range(40):
        f.AgencyFactory(name=f"Unit {i} of the Antidrogas", cited=False)
        f.AgreementFactory(title=f"Antidrogas pact {i}", cited=False)
    few, page = queries(client, "/api/v1/search/", {"q": "antidrogas", "limit": 5})
    many, full = queries(client, "/api/v1/search/", {"q": "antidrogas", "limit": 80})
    assert len(page["results"]) == 5 and len(full["results"]) == 80
    assert many <= 16 + 2 and few <= many  # one query per kind searched (16), and the session's


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({}, "q"),
        ({"q": " "}, "q"),
        ({"q": "x", "qq": "y"}, "qq"),
        ({"q": "x", "limit": "1001"}, "limit"),
        ({"q": "x", "limit": "0"}, "limit"),
        ({"q": "x\x00"}, "q"),
        ({"q": "x", "type": "country,planet"}, "type"),
        ({"q": "x", "cursor": "bogus"}, "cursor"),
        ({"q": "x" * 1001}, "q"),
    ],
)
def test_search_parameters_are_strict(client, params, parameter):
    response = client.get("/api/v1/search/", params)
    assert response.status_code == 400 and parameter in response.json(), response.content


def test_search_is_in_the_schema(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/search/"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"q", "type", "limit", "cursor"}
    assert "400" in operation["responses"]
    brief_schema = schema["components"]["schemas"]["RecordBrief"]
    assert set(brief_schema["properties"]) == {"type", "id", "display", "api_url"}
