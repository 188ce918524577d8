"""Duplicates (issue 12, point 10): names are stored and compared in one normal form, a record already on
record is a 409 naming it, a likely duplicate is a 409 unless the client confirms it, through the JSON API
and the CSV import alike."""

from __future__ import annotations

import unicodedata

import pytest

from cooperation import models as m
from tests.csv.helpers import to_csv

pytestmark = pytest.mark.django_db
SOURCE = "https://gazette.example.net/2019/registry"


@pytest.fixture(autouse=True)
def source():
    return m.Source.objects.create(title="Official gazette", url=SOURCE)


def cited(**body) -> dict:
    return {**body, "citations": [{"source": SOURCE, "quote": "as the gazette lists it"}]}


def post(client, resource: str, body: dict, query: str = ""):
    return client.post(f"/api/v1/{resource}/{query}", cited(**body), format="json")


def created(client, resource: str, body: dict) -> dict:
    response = post(client, resource, body)
    assert response.status_code == 201, response.content
    return response.json()


AGENCY = {"name": "Servicio Nacional Antidrogas", "acronym": "SENAD", "kind": "drug_control_agency", "country": "PY"}
OFFICIAL = {"name": "Mirta Giménez Ocampo", "country": "PY"}
CENTRE = {"name": "Centro Regional de Capacitación Chaco", "host_country": "PY", "status": "planned"}
AGREEMENT = {
    "title": "Acuerdo de Cooperación Policial",
    "kind": "bilateral_agreement",
    "status": "signed",
    "signed": "March 2019",
    "parties": [{"country": "PY"}, {"country": "BO"}],
}


# --- Normal form --------------------------------------------------------------------------------------------
def test_a_name_is_stored_composed_with_single_spaces(editor_client):
    decomposed = unicodedata.normalize("NFD", "  Dirección   General de\tAduanas ")
    agency = created(editor_client, "agencies", {**AGENCY, "name": decomposed})
    assert agency["name"] == "Dirección General de Aduanas"
    assert unicodedata.is_normalized("NFC", m.Agency.objects.get(pk=agency["id"]).name)


@pytest.mark.parametrize(
    "invisible",
    ["\u200b", "\u200d", "\ufeff", "\u00ad", "\u202e", "\x07"],
    ids=["zwsp", "zwj", "bom", "shy", "rlo", "bel"],
)
@pytest.mark.parametrize("resource, field, body", [("agencies", "name", AGENCY), ("officials", "name", OFFICIAL)])
def test_an_invisible_character_in_a_name_is_a_400_naming_the_field(editor_client, invisible, resource, field, body):
    response = post(editor_client, resource, {**body, field: f"Mirta{invisible}Giménez"})
    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]
    assert "invisible or control character" in response.json()[field][0]


def test_a_cyrillic_letter_inside_a_latin_word_is_a_400(editor_client):
    response = post(editor_client, "agencies", {**AGENCY, "name": "Servicio Naci\u043enal Antidrogas"})
    assert response.status_code == 400, response.content
    assert "mixes Cyrillic and Latin letters" in response.json()["name"][0]
    # A name in one script, or with words in different scripts, is fine.
    created(editor_client, "agencies", {**AGENCY, "name": "Федеральная служба FSKN", "country": "RU"})


def test_names_are_normalised_in_a_csv_import_too(editor_client):
    decomposed = unicodedata.normalize("NFD", " Mirta  Giménez ")
    rows = [
        {"name": decomposed, "country": "PY", "citations": f'[{{"source": "{SOURCE}", "quote": "q"}}]'},
        {"name": "Ana\u200bRojas", "country": "PY", "citations": f'[{{"source": "{SOURCE}", "quote": "q"}}]'},
    ]
    response = editor_client.generic("POST", "/api/v1/officials/import/", to_csv(rows), content_type="text/csv")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [(3, "name")]
    assert "invisible" in errors[0]["message"]
    rows.pop()
    response = editor_client.generic("POST", "/api/v1/officials/import/", to_csv(rows), content_type="text/csv")
    assert response.status_code == 200, response.content
    assert m.Official.objects.get().name == "Mirta Giménez"


# --- A natural key already on record ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "spelling",
    ["SERVICIO NACIONAL ANTIDROGAS", "servicio  nacional antidrogas ", "Servicio Nacional Antidrogas"],
)
def test_an_agency_already_on_record_is_a_409_naming_it(editor_client, spelling):
    first = created(editor_client, "agencies", AGENCY)
    response = post(editor_client, "agencies", {**AGENCY, "name": spelling}, "?confirm_duplicate=true")
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["code"] == "duplicate" and body["field"] == "name" and "confirm_with" not in body
    assert [(e["id"], e["api_url"]) for e in body["existing"]] == [(first["id"], first["api_url"])]
    assert m.Agency.objects.count() == 1
    # Its key still names one agency, whatever the case the client writes it in.
    listed = editor_client.get("/api/v1/officials/?agency=servicio nacional antidrogas [py]")
    assert listed.status_code != 500


def test_an_agency_of_the_same_name_in_another_country_is_another_agency(editor_client):
    created(editor_client, "agencies", AGENCY)
    created(editor_client, "agencies", {**AGENCY, "country": "BO"})
    created(editor_client, "agencies", {**AGENCY, "country": None})  # an international one


def test_renaming_onto_another_agency_is_a_409(editor_client):
    created(editor_client, "agencies", AGENCY)
    other = created(editor_client, "agencies", {**AGENCY, "name": "Policía Nacional", "acronym": ""})
    response = editor_client.patch(other["api_url"], {"name": "servicio nacional antidrogas"}, format="json")
    assert response.status_code == 409, response.content
    assert m.Agency.objects.get(pk=other["id"]).name == "Policía Nacional"


# --- Likely duplicates -------------------------------------------------------------------------------------------
LIKELY = [
    ("officials", OFFICIAL, {"name": "MIRTA GIMÉNEZ OCAMPO"}),
    ("training-centres", CENTRE, {"name": "centro regional de capacitación chaco"}),
    ("agreements", AGREEMENT, {"parties": [{"country": "BO"}, {"country": "PY", "role": "signatory"}]}),
]


@pytest.mark.parametrize("resource, body, variation", LIKELY, ids=[r for r, _, _ in LIKELY])
def test_a_likely_duplicate_is_a_409_unless_confirmed(editor_client, resource, body, variation):
    first = created(editor_client, resource, body)
    response = post(editor_client, resource, {**body, **variation})
    assert response.status_code == 409, response.content
    answer = response.json()
    assert answer["code"] == "likely_duplicate"
    assert answer["confirm_with"] == "confirm_duplicate=true"
    assert [(e["id"], e["api_url"], e["display"]) for e in answer["existing"]] == [
        (first["id"], first["api_url"], first["display"])
    ]
    assert "confirm_duplicate=true" in answer["detail"]
    model = {"officials": m.Official, "training-centres": m.TrainingCentre, "agreements": m.Agreement}[resource]
    assert model.objects.count() == 1
    confirmed = post(editor_client, resource, {**body, **variation}, "?confirm_duplicate=true")
    assert confirmed.status_code == 201, confirmed.content
    assert model.objects.count() == 2
    # A third one is still a likely duplicate of both.
    third = post(editor_client, resource, body)
    assert third.status_code == 409
    assert len(third.json()["existing"]) == 2


def test_confirm_duplicate_takes_true_or_false(editor_client):
    response = post(editor_client, "officials", OFFICIAL, "?confirm_duplicate=maybe")
    assert response.status_code == 400
    assert "confirm_duplicate" in response.json()


@pytest.mark.parametrize(
    "variation",
    [
        {"title": "Acuerdo de Cooperación Judicial"},
        {"signed": "April 2019"},
        {"parties": [{"country": "PY"}, {"country": "PE"}]},
    ],
)
def test_an_agreement_differing_in_title_date_or_parties_is_another(editor_client, variation):
    created(editor_client, "agreements", AGREEMENT)
    created(editor_client, "agreements", {**AGREEMENT, **variation})


def test_an_official_of_the_same_name_in_another_country_is_another(editor_client):
    created(editor_client, "officials", OFFICIAL)
    created(editor_client, "officials", {**OFFICIAL, "country": "AR"})


def test_an_update_that_keeps_the_name_is_not_a_duplicate(editor_client):
    first = created(editor_client, "officials", OFFICIAL)
    created_twin = post(editor_client, "officials", OFFICIAL, "?confirm_duplicate=true")
    assert created_twin.status_code == 201
    response = editor_client.patch(first["api_url"], {"description": "Minister of the interior"}, format="json")
    assert response.status_code == 200, response.content


# --- CSV import ----------------------------------------------------------------------------------------------------
def import_officials(client, rows: list[dict], query: str = ""):
    citations = f'[{{"source": "{SOURCE}", "quote": "q"}}]'
    content = to_csv([{**row, "citations": citations} for row in rows])
    return client.generic("POST", f"/api/v1/officials/import/{query}", content, content_type="text/csv")


def test_a_csv_row_duplicating_a_record_is_an_error_on_its_row_and_column(editor_client):
    first = created(editor_client, "officials", OFFICIAL)
    response = import_officials(
        editor_client, [{"name": "Rosa Benítez", "country": "PY"}, {"name": "mirta giménez ocampo", "country": "PY"}]
    )
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["row"], error["column"]) == (3, "name")
    assert f"/api/v1/officials/{first['id']}/" in error["message"]
    assert "confirm_duplicate=true" in error["message"]
    assert m.Official.objects.count() == 1
    confirmed = import_officials(
        editor_client, [{"name": "mirta giménez ocampo", "country": "PY"}], "?confirm_duplicate=true"
    )
    assert confirmed.status_code == 200, confirmed.content
    assert m.Official.objects.count() == 2


def test_two_alike_rows_of_one_csv_are_an_error_on_the_second(editor_client):
    response = import_officials(editor_client, [OFFICIAL, OFFICIAL])
    assert response.status_code == 400
    assert [(e["row"], e["column"]) for e in response.json()["errors"]] == [(3, "name")]


def test_reimporting_an_export_is_not_a_duplicate(editor_client):
    created(editor_client, "officials", OFFICIAL)
    export = editor_client.get("/api/v1/officials/?format=csv")
    content = b"".join(export.streaming_content)
    response = editor_client.generic("POST", "/api/v1/officials/import/", content, content_type="text/csv")
    assert response.status_code == 200, response.content
    assert response.json()["unchanged"] == 1


def test_a_reference_by_key_is_read_in_the_same_normal_form(editor_client):
    agency = created(editor_client, "agencies", {**AGENCY, "name": "Dirección de Inteligencia", "acronym": ""})
    key = unicodedata.normalize("NFD", "  dirección   de inteligencia [py] ")
    response = post(editor_client, "agreements", {**AGREEMENT, "parties": [{"agency": key}, {"country": "BO"}]})
    assert response.status_code == 201, response.content
    assert response.json()["parties"][0]["agency"]["id"] == agency["id"]
