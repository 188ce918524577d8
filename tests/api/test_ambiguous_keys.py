"""Keys that name one record: shared names are exported with their id, aliases and URL variants are found, and an
ambiguous key is an error listing each match with the key that names it alone (issue 12, point 10)."""

from __future__ import annotations

import io
import json

import pytest

from cooperation import models as m
from cooperation.resources import RESOURCES
from cooperation.tabular.imports import IMPORT_ORDER
from tests import factories as f
from tests.csv.helpers import rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def twins():
    """Records that share names on purpose: two officials called Ilya Vorontsov in Russia, an agency called
    Federal Narcotics Service in Brazil, Russia and as an international body, two agreements and two training
    centres with one name each, and agencies as parties."""
    ru, br = m.Country.objects.get(iso2="RU"), m.Country.objects.get(iso2="BR")
    cite = {}  # each record cites a source of its own (the factories' default)
    officials = [f.OfficialFactory(name="Ilya Vorontsov", country=ru, **cite) for _ in range(2)]
    agencies = [f.AgencyFactory(name="Federal Narcotics Service", country=c, **cite) for c in (ru, br, None)]
    agreements = [f.AgreementFactory(title="Protocol on joint training", **cite) for _ in range(2)]
    for agreement in agreements:
        for agency in agencies[:2]:
            f.AgreementPartyFactory(agreement=agreement, agency=agency, country=agency.country)
        for official in officials:
            f.AgreementSignatoryFactory(agreement=agreement, official=official)
    centres = [f.TrainingCentreFactory(name="Regional Canine Centre", host_country=br, **cite) for _ in range(2)]
    for index, centre in enumerate(centres):
        f.TrainingCourseFactory(centre=centre, provider=agencies[index], title=f"Course {index}", **cite)
    for official, agency in zip(officials, agencies, strict=False):
        f.PostFactory(official=official, agency=agency, title="Director", **cite)
    f.OperationFactory(name="Operation Harbour", legal_basis=agreements[1], **cite)
    return {"officials": officials, "agencies": agencies, "agreements": agreements, "centres": centres}


def export_over_http(client, resource: str) -> str:
    response = client.get(f"/api/v1/{resource}/", {"format": "csv"})
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content).decode()


def import_over_http(client, resource: str, text: str) -> dict:
    response = client.generic("POST", f"/api/v1/{resource}/import/", text.encode(), content_type="text/csv")
    assert response.status_code in (200, 400), response.content
    return response.json()


def test_an_export_with_shared_names_reimports_unchanged(twins, editor_client, settings):
    settings.CSV_IMPORT_BACKGROUND_BYTES = 50 * 2**20  # the gazetteer's places in this request, not in a job
    exported = {name: export_over_http(editor_client, name) for name in IMPORT_ORDER[:-1]}
    agreement_rows = rows(exported["agreements"])
    vorontsovs = sorted(f"Ilya Vorontsov [RU] #{o.pk}" for o in twins["officials"])
    assert [[s["official"] for s in json.loads(row["signatories"])] for row in agreement_rows] == [vorontsovs] * 2
    # Unique in Russia and in Brazil: the country tells them apart, no id needed.
    assert "Federal Narcotics Service [BR]" in agreement_rows[0]["parties"]
    operation = rows(exported["operations"])[0]
    assert operation["legal_basis"] == f"Protocol on joint training #{twins['agreements'][1].pk}"

    for name in IMPORT_ORDER[:-1]:
        if rows(exported[name]):
            result = import_over_http(editor_client, name, exported[name])
            assert result["errors"] == [], (name, result["errors"][:3])
            assert result["created"] == result["updated"] == 0, name
    assert {name: export_over_http(editor_client, name) for name in IMPORT_ORDER[:-1]} == exported


def test_every_written_key_resolves_to_its_record(twins):
    """The SQL that an export selects and the Python that an import looks up agree, for every keyed record."""
    from cooperation.natural_keys import NATURAL_KEYS

    for model, key in NATURAL_KEYS.items():
        for record, written in model._default_manager.values_list("pk", key.expression()).iterator():
            assert key.resolve(written).pk == record, (model, written)


def test_an_ambiguous_key_lists_each_match_with_the_key_that_names_it(twins, editor_client):
    first, second = twins["officials"]
    body = f'[{{"source": "{f.SourceFactory().url}", "quote": "signed a memorandum"}}]'
    response = import_over_http(
        editor_client,
        "posts",
        "official,agency,title,citations\n"
        f'Ilya Vorontsov [RU],Federal Narcotics Service [RU],Deputy,"{body.replace(chr(34), chr(34) * 2)}"\n',
    )
    [error] = response["errors"]
    assert error["column"] == "official"
    message = error["message"]
    assert "[RU] [XX]" not in message
    for official in (first, second):
        assert f"'Ilya Vorontsov [RU] #{official.pk}' (id {official.pk}, /api/v1/officials/{official.pk}/)" in message
    # ... and the key it suggests works.
    fixed = import_over_http(
        editor_client,
        "posts",
        f"official,agency,title,citations\nIlya Vorontsov [RU] #{second.pk},Federal Narcotics Service [RU],Deputy,"
        f'"{body.replace(chr(34), chr(34) * 2)}"\n',
    )
    assert fixed["errors"] == [] and fixed["created"] == 1
    assert m.Post.objects.get(title="Deputy").official == second


def test_an_international_agency_and_national_namesakes_each_have_a_key(twins, client):
    international = twins["agencies"][2]
    response = client.get("/api/v1/agreements/", {"agency": "Federal Narcotics Service"})
    assert response.status_code == 200, response.content  # the international one, a party to none
    assert response.json()["results"] == []
    response = client.get("/api/v1/agencies/", {"parent": "Federal Narcotics Service"})
    assert response.status_code == 200 and international.pk  # resolves, no "names several"


def test_a_region_has_one_key_in_the_model_the_api_and_csv(db, client):
    region = m.Region.objects.get(m49_code="419")
    [row] = [r for r in rows(export_over_http(client, "regions")) if r["name"] == region.name]
    assert (
        region.natural_key() == (row["m49_code"],) == (client.get(f"/api/v1/regions/{region.pk}/").json()["m49_code"],)
    )
    assert m.Region.objects.get_by_natural_key(*region.natural_key()) == region
    grouping = m.Region.objects.create(name="Andean drug corridor")
    assert grouping.natural_key() == ("Andean drug corridor",)
    assert m.Region.objects.get_by_natural_key("Andean drug corridor") == grouping


def test_agencies_and_officials_are_found_by_acronym_and_other_names(db, editor_client, client):
    peru = m.Country.objects.get(iso2="PE")
    agency = f.AgencyFactory(
        name="Comisión Nacional para el Desarrollo y Vida sin Drogas",
        acronym="DEVIDA",
        other_names="National Commission for Development and Drug-Free Life",
        country=peru,
    )
    official = f.OfficialFactory(
        name="Rómulo Pizarro Tomasio", other_names="Romulo Pizarro\r\nR. Pizarro", country=peru
    )
    for value in ("DEVIDA", "devida [PE]", "National Commission for Development and Drug-Free Life [PE]"):
        response = client.get("/api/v1/posts/", {"agency": value})
        assert response.status_code == 200, (value, response.content)
    for value in ("Romulo Pizarro", "r. pizarro [PE]"):
        response = client.get("/api/v1/posts/", {"official": value})
        assert response.status_code == 200, (value, response.content)
    post = editor_client.post(
        "/api/v1/posts/",
        {
            "official": "Romulo Pizarro [PE]",
            "agency": "DEVIDA [PE]",
            "title": "Executive President",
            "citations": [{"source": f.SourceFactory().url, "quote": "signed a memorandum"}],
        },
        format="json",
    )
    assert post.status_code == 201, post.content
    assert (post.json()["official"]["id"], post.json()["agency"]["id"]) == (official.pk, agency.pk)
    found = client.get("/api/v1/officials/", {"q": "Pizarro"}).json()["results"]
    assert [row["id"] for row in found] == [official.pk]
    searched = client.get("/api/v1/search/", {"q": "devida"}).json()["results"]
    assert {(row["type"], row["id"]) for row in searched} >= {("agency", agency.pk)}


@pytest.mark.parametrize(
    "written",
    [
        "http://ledger.example.net/cooperation",
        "https://ledger.example.net/cooperation/",
        "https://www.ledger.example.net/cooperation",
        "HTTP://WWW.ledger.example.net/cooperation/",
    ],
)
def test_a_source_is_found_by_its_url_with_another_scheme_www_or_trailing_slash(db, editor_client, client, written):
    source = f.SourceFactory(url="https://www.ledger.example.net/cooperation/")
    f.CitationFactory(record=f.AgreementFactory(cited=False), source=source)
    assert [r["id"] for r in client.get("/api/v1/sources/", {"url": written}).json()["results"]] == [source.pk]
    assert [r["id"] for r in client.get("/api/v1/sources/", {"q": written}).json()["results"]] == [source.pk]
    assert len(client.get("/api/v1/citations/", {"source": written}).json()["results"]) == 1
    created = editor_client.post(
        "/api/v1/officials/",
        {"name": "Ana Quispe", "citations": [{"source": written, "quote": "signed a memorandum"}]},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert m.Official.objects.get(name="Ana Quispe").citations.get().source == source
    response = editor_client.generic(
        "POST",
        f"/api/v1/officials/import/?citation_source={written}&citation_quote=signed a memorandum",
        b"name\nLuis Condori\n",
        content_type="text/csv",
    )
    assert response.status_code == 200 and response.json()["created"] == 1, response.content
    assert m.Official.objects.get(name="Luis Condori").citations.get().source == source


def test_a_csv_row_cites_a_source_by_another_form_of_its_url(db):
    from cooperation.tabular.imports import import_bundle

    source = f.SourceFactory(url="http://ledger.example.net/cooperation")
    citations = '"[{""source"": ""https://www.ledger.example.net/cooperation/"", ""quote"": ""Training starts""}]"'
    result = import_bundle({"officials": io.BytesIO(f"name,citations\nRosa Mamani,{citations}\n".encode())})
    assert result["officials"].errors == []
    assert m.Official.objects.get(name="Rosa Mamani").citations.get().source == source
    assert set(RESOURCES) >= {"officials"}
