"""The API's contract where a new client tripped (issue 12): one name one meaning, "all of" filters, unknown body
fields, malformed If-Match, page sizes and the README's own examples."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from rest_framework import serializers
from rest_framework.test import APIClient

from cooperation import models as m
from cooperation.api.briefs import RecordBriefSerializer
from cooperation.api.quantities import QuantityField
from cooperation.api.serializers import serializer_for
from cooperation.natural_keys import NATURAL_KEYS
from cooperation.resources import RESOURCES
from tests import factories as f
from tests.csv.helpers import rows

pytestmark = pytest.mark.django_db
README = Path(__file__).resolve().parents[2] / "README.md"


# --- 1. One name, one meaning ---------------------------------------------------------------------------------
def every_serializer() -> list[serializers.Serializer]:
    """Each resource's serializer and every serializer nested in one (parts, citations)."""
    found, pending = [], [serializer_for(resource)() for resource in RESOURCES.values()]
    while pending:
        serializer = pending.pop()
        found.append(serializer)
        for field in serializer.fields.values():
            nested = getattr(field, "child", field)
            if isinstance(nested, serializers.ModelSerializer):
                pending.append(nested)
    return found


def shadowing(serializer: serializers.ModelSerializer) -> list[str]:
    """API fields named like a model field that are not that model field (e.g. a link called ``url``)."""
    model = serializer.Meta.model
    names = {f.name for f in model._meta.get_fields()} | {f.attname for f in model._meta.concrete_fields}
    wrong = []
    for name, field in serializer.fields.items():
        if isinstance(field, QuantityField) and field.quantity.name == name:
            continue  # the model field with its qualifier and range's end: one quantity, one meaning (source "*")
        if name in names and (field.source != name or isinstance(field, serializers.SerializerMethodField)):
            wrong.append(f"{type(serializer).__name__}.{name} (source {field.source!r})")
    return wrong


def test_no_api_field_shadows_a_model_field_with_another_meaning():
    serializers_ = every_serializer()
    assert {type(s).__name__ for s in serializers_} >= {"AgreementPartySerializer", "CitationInlineSerializer"}
    assert [problem for serializer in serializers_ for problem in shadowing(serializer)] == []


def test_the_brief_forms_name_only_fields_of_the_record_they_show():
    # A related record in brief ({"id": .., "iso2": "PE", ...}, a source's {"title", "url"}) uses the model's
    # own field names; a record in brief by type (citations, search) adds only type, display and api_url.
    for model, key in NATURAL_KEYS.items():
        assert set(key.brief_fields) <= {f.name for f in model._meta.fields}, model
    assert set(RecordBriefSerializer().fields) == {"type", "id", "display", "api_url"}
    assert not {"type", "display", "api_url"} & {f.name for model in NATURAL_KEYS for f in model._meta.fields}


def test_every_record_links_itself_as_api_url(client):
    agency = f.AgencyFactory()
    body = client.get(f"/api/v1/agencies/{agency.pk}/").json()
    assert body["api_url"] == f"http://testserver/api/v1/agencies/{agency.pk}/" and "url" not in body


def test_a_sources_web_address_is_written_read_filtered_and_cited(editor_client, client):
    address = "https://example.org/a/"
    created = editor_client.post(
        "/api/v1/sources/",
        {"title": "Report", "kind": "report", "url": address, "text": "Both agencies signed it."},
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["url"] == address and body["api_url"].endswith(f"/api/v1/sources/{body['id']}/")
    assert m.Source.objects.get(pk=body["id"]).url == address
    assert [s["id"] for s in client.get("/api/v1/sources/", {"url": address}).json()["results"]] == [body["id"]]

    agreement = {
        "title": "Pact",
        "kind": "treaty",
        "status": "signed",
        "citations": [{"source": address, "quote": "Both agencies signed it."}],
    }
    cited = editor_client.post("/api/v1/agreements/", agreement, format="json")
    assert cited.status_code == 201, cited.content
    assert cited.json()["citations"][0]["source"]["url"] == address
    exported = client.get("/api/v1/sources/", {"format": "csv", "url": address})
    assert rows(b"".join(exported.streaming_content).decode())[0]["url"] == address


# --- 3. "All of" ----------------------------------------------------------------------------------------------
@pytest.fixture
def pacts():
    peru, russia, colombia = (m.Country.objects.get(iso2=code) for code in ("PE", "RU", "CO"))
    pacts = {}
    for title, countries in (("Peru-Russia", [peru, russia]), ("Peru-Colombia", [peru, colombia]), ("All", [])):
        pacts[title] = f.AgreementFactory(title=title)
        for country in countries:
            f.AgreementPartyFactory(agreement=pacts[title], country=country)
    f.AgreementPartyFactory(agreement=pacts["All"], country=None, agency=f.AgencyFactory(country=russia))
    for country in (peru, colombia):
        f.AgreementPartyFactory(agreement=pacts["All"], country=country)
    return pacts


def titles(client, params: dict, resource: str = "agreements") -> set[str]:
    response = client.get(f"/api/v1/{resource}/", params)
    assert response.status_code == 200, response.content
    return {row.get("title") or row.get("name") for row in response.json()["results"]}


def test_all_of_finds_the_records_involving_every_country(client, pacts):
    assert titles(client, {"country": "PE,RU"}) == {"Peru-Russia", "Peru-Colombia", "All"}
    assert titles(client, {"country__all": "PE,RU"}) == {"Peru-Russia", "All"}  # Russia as an agency, too
    assert titles(client, {"country__all": ["PE", "RU", "CO"]}) == {"All"}
    assert titles(client, {"region__all": "005,151"}) == {"Peru-Russia", "All"}  # South America and Eastern Europe
    assert titles(client, {"country__all": "PE", "status": "signed"}) == {"Peru-Russia", "Peru-Colombia", "All"}


def test_all_of_is_applied_by_the_export_too(client, pacts):
    response = client.get("/api/v1/agreements/", {"country__all": "PE,RU", "format": "csv"})
    assert {row["title"] for row in rows(b"".join(response.streaming_content).decode())} == {"Peru-Russia", "All"}


def test_all_of_exists_for_every_many_valued_relation_filter_and_is_documented(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    parameters = {p["name"] for p in schema["paths"]["/api/v1/agreements/"]["get"]["parameters"]}
    assert {"country__all", "region__all", "agency__all", "area__all", "official__all"} <= parameters
    assert "status__all" not in parameters and "kind__all" not in parameters
    events = {p["name"] for p in schema["paths"]["/api/v1/events/"]["get"]["parameters"]}
    assert {"country__all", "official__all", "agency__all"} <= events


def test_an_unknown_value_in_all_of_is_400_naming_it(client, pacts):
    response = client.get("/api/v1/agreements/", {"country__all": "PE,Atlantis"})
    assert response.status_code == 400 and "country__all" in response.json()


# --- 4. Unknown fields ----------------------------------------------------------------------------------------
def test_unknown_fields_at_any_depth_are_400_naming_each_by_its_path(editor_client):
    source = f.SourceFactory()
    payload = {
        "title": "Pact",
        "kind": "treaty",
        "status": "signed",
        "sigend": "2012",
        "parties": [{"country": "PE"}, {"country": "RU", "rol": "party"}],
        "citations": [{"source": source.url, "quote": "Training starts in 2013.", "page": 4}],
    }
    response = editor_client.post("/api/v1/agreements/", payload, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "sigend": [
            "Unknown field. Known: title, kind, status, areas, drugs, summary, announced_by, signatories, announced, "
            "announced_edtf, signed, signed_edtf, place, start, start_edtf, end, end_edtf, links, parties, "
            "citations."
        ],
        "parties[1].rol": ["Unknown field. Known: country, region, agency, role, note."],
        "citations[0].page": [
            "Unknown field. Known: source, quote, kind, supports, position, locator, confidence, modality, note."
        ],
    }
    assert not m.Agreement.objects.exists()


def test_an_unknown_key_in_a_related_record_is_400_too(editor_client):
    response = editor_client.post(
        "/api/v1/agencies/",
        {"name": "Police", "kind": "police", "country": {"iso2": "PE", "flag": "red"}},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"country.flag": ["Unknown field. Known: id, iso2, iso3, name."]}


def test_a_record_read_edited_and_sent_back_whole_is_accepted(editor_client):
    agreement = f.AgreementFactory(title="Old", summary="")
    f.AgreementPartyFactory(agreement=agreement, country=m.Country.objects.get(iso2="PE"))
    read = editor_client.get(f"/api/v1/agreements/{agreement.pk}/").json()
    read["title"] = "New"
    response = editor_client.put(f"/api/v1/agreements/{agreement.pk}/", read, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "New" and response.json()["version"] == 2
    assert [p["country"]["iso2"] for p in response.json()["parties"]] == ["PE"]


def test_errors_of_parts_have_one_shape_whatever_finds_them(editor_client):
    source = f.SourceFactory()
    russian = f.AgencyFactory(name="Federal Drug Control Service", country=m.Country.objects.get(iso2="RU"))
    citations = [{"source": source.url, "quote": "Training starts in 2013."}]
    base = {"title": "Pact", "kind": "treaty", "status": "signed", "citations": citations}

    def errors(*parties):
        response = editor_client.post("/api/v1/agreements/", {**base, "parties": list(parties)}, format="json")
        assert response.status_code == 400
        return response.json()

    # An unknown key is found by the serializer, an agency of another country by the model's validation.
    assert errors({"country": "PE"}, {"country": "Atlantis"}) == {"parties[1].country": ["No country 'Atlantis'."]}
    assert list(errors({"country": "PE"}, {"agency": russian.pk, "country": "PE"})) == ["parties[1].country"]


# --- 12. Smaller ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("header", ["3", "abc", '"1', "W/1", '"1" "2"', ""])
def test_a_malformed_if_match_is_400_and_changes_nothing(editor_client, header):
    agreement = f.AgreementFactory(title="Original")
    url = f"/api/v1/agreements/{agreement.pk}/"
    response = editor_client.patch(url, {"title": "Mine"}, format="json", HTTP_IF_MATCH=header)
    assert response.status_code == 400, response.content
    assert "If-Match" in response.json()
    assert m.Agreement.objects.get(pk=agreement.pk).title == "Original"


def test_a_well_formed_if_match_that_does_not_match_is_still_412(editor_client):
    agreement = f.AgreementFactory()
    url = f"/api/v1/agreements/{agreement.pk}/"
    assert editor_client.patch(url, {"title": "x"}, format="json", HTTP_IF_MATCH='"7", W/"1"').status_code == 412
    assert editor_client.patch(url, {"title": "x"}, format="json", HTTP_IF_MATCH='"7", "1"').status_code == 200


@pytest.mark.parametrize(
    ("date_from", "date_to", "expected"),
    [
        ("2012-10", None, {"October 2012", "2013"}),
        (None, "2012-10", {"October 2012", "September 2012"}),
        ("2012-10", "2012-10", {"October 2012"}),
        ("2012", "2012", {"October 2012", "September 2012"}),
        ("2012-10-31", "2012-10-31", {"October 2012"}),
        ("October 2012", "October 2012", {"October 2012"}),
    ],
)
def test_date_filters_take_partial_dates(client, date_from, date_to, expected):
    for written in ("October 2012", "September 2012", "2013"):
        f.EventFactory(title=written, date=written)
    params = {k: v for k, v in (("date_from", date_from), ("date_to", date_to)) if v}
    assert titles(client, params, "events") == expected


@pytest.mark.parametrize("value", ["2012-02-30", "soon", "[..2012]", "x" * 101])
def test_a_date_filter_that_names_no_day_is_400(client, value):
    response = client.get("/api/v1/events/", {"date_from": value})
    assert response.status_code == 400 and "date_from" in response.json()


# A README line that sends a body or names a method other than GET shows a write, not a read.
WRITE_EXAMPLE = re.compile(r"--data|\s-X\s|-d\s|\b(POST|PUT|PATCH|DELETE)\b")


def readme_api_examples() -> list[str]:
    """Every API address the README shows as a read, as written (query strings included)."""
    lines = README.read_text().replace("\\\n", " ").splitlines()  # a shell command continued on the next line
    reads = [line for line in lines if not WRITE_EXAMPLE.search(line)]
    return sorted({url for line in reads for url in re.findall(r"(/api/v1/[^\s`\"')]*)", line)})


def test_every_api_example_of_the_readme_works_as_written(client, seed):
    examples = [url for url in readme_api_examples() if "<" not in url and "/auth/" not in url]
    assert any("date_from=2012-10&" in url or url.endswith("date_from=2012-10") for url in examples), examples
    answers = {url: client.get(url) for url in examples}
    assert {url: r.status_code for url, r in answers.items() if r.status_code != 200} == {}


def test_the_readmes_token_example_names_a_user_that_make_run_creates(monkeypatch):
    match = re.search(r"curl -u (\w+) -X POST http://127\.0\.0\.1:8000(/api/v1/auth/login/)", README.read_text())
    assert match, "the README shows how to get a token"
    monkeypatch.setenv("ADMIN_PASSWORD", "correct horse battery staple")
    call_command("ensure_admin", stdout=io.StringIO())  # what `make run` does
    client = APIClient()
    credentials = base64.b64encode(f"{match[1]}:correct horse battery staple".encode()).decode()
    client.credentials(HTTP_AUTHORIZATION=f"Basic {credentials}")
    response = client.post(match[2])
    assert response.status_code == 200, response.content
    assert response.json()["token"]
