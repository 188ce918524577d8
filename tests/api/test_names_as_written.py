"""Issue 14, pattern 8: names as sources write them. A name is stored once, with its acronym and its other
names and spellings; English-language reporting often drops the accents ("Policia Nacional del Peru"), and a
transliteration differs from source to source ("Yuri"/"Iurii"). Each form finds the record through ``q``, the
cross-resource search, natural keys (a party, a filter, a CSV cell) and the admin's autocomplete; the name as
written, exactly, still wins over a looser match."""

from __future__ import annotations

import pytest

from cooperation import models as m
from tests import factories as f
from tests.csv.helpers import to_csv

pytestmark = pytest.mark.django_db

SOURCE = "https://wire.example.net/2020/05/joint-patrols"


@pytest.fixture
def police():
    f.SourceFactory(url=SOURCE, text="")
    peru, colombia = m.Country.objects.get(iso2="PE"), m.Country.objects.get(iso2="CO")
    return {
        "PE": f.AgencyFactory(
            name="Policía Nacional del Perú", acronym="PNP", other_names="Peruvian National Police", country=peru
        ),
        # In Colombia, a police force written without accents on record: the exact spelling wins there.
        "CO": f.AgencyFactory(name="Policia Nacional del Peru", kind="police", country=colombia),
        "official": f.OfficialFactory(name="Yuri Malakhov", other_names="Iurii Malakhov\nЮрий Малахов", country=peru),
    }


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(record.get("name") or record["display"] for record in response.json()["results"])


def test_q_finds_a_name_written_without_its_accents(client, police):
    assert names(client.get("/api/v1/agencies/", {"q": "policia peru", "country": "PE"})) == [
        "Policía Nacional del Perú"
    ]
    assert names(client.get("/api/v1/agencies/", {"q": "PERU"})) == [
        "Policia Nacional del Peru",
        "Policía Nacional del Perú",
    ]
    for spelling in ("Iurii", "юрий", "yuri malakhov"):
        assert names(client.get("/api/v1/officials/", {"q": spelling})) == ["Yuri Malakhov"], spelling
    found = client.get("/api/v1/search/", {"q": "policia nacional", "type": "agency"}).json()["results"]
    assert sorted(record["id"] for record in found) == sorted([police["PE"].pk, police["CO"].pk])


def test_a_natural_key_without_accents_names_the_record_in_its_country(editor_client, police):
    payload = {
        "title": "Joint patrols on the border",
        "kind": "inter_agency_agreement",
        "status": "signed",
        "parties": [
            {"agency": "Policia Nacional del Peru [PE]"},  # no accents: the Peruvian one, folded
            {"agency": "Policia Nacional del Peru [CO]"},  # as on record: the Colombian one
        ],
        "signatories": [{"official": "Iurii Malakhov [PE]"}],
        "citations": [{"source": SOURCE, "quote": "The two police forces agreed on joint patrols."}],
    }
    response = editor_client.post("/api/v1/agreements/", payload, format="json")
    assert response.status_code == 201, response.content
    parties = [party["agency"]["id"] for party in response.json()["parties"]]
    assert parties == [police["PE"].pk, police["CO"].pk]
    assert response.json()["signatories"][0]["official"]["id"] == police["official"].pk

    listed = editor_client.get("/api/v1/agreements/", {"agency": "Policia Nacional del Peru [PE]"}).json()
    assert [a["title"] for a in listed["results"]] == ["Joint patrols on the border"]


def test_the_csv_import_reads_a_name_without_accents(editor_client, police):
    cited = f'[{{"source": "{SOURCE}", "quote": "its intelligence unit"}}]'
    rows = [
        {"name": "Unidad de Inteligencia", "kind": "police", "country": "PE", "citations": cited,
         "parent": "Policia Nacional del Peru [PE]"},  # folded, in Peru: the Peruvian force
        {"name": "Unidad de Fronteras", "kind": "police", "country": "CO", "citations": cited,
         "parent": "Policia Nacional del Peru"},  # no country: the name as written exactly wins (Colombia's)
    ]  # fmt: skip
    response = editor_client.post("/api/v1/agencies/import/", to_csv(rows), content_type="text/csv")
    assert response.status_code == 200, response.content
    assert m.Agency.objects.get(name="Unidad de Inteligencia").parent == police["PE"]
    assert m.Agency.objects.get(name="Unidad de Fronteras").parent == police["CO"]


def test_renaming_refolds_and_the_admin_autocomplete_finds_the_folded_name(admin_client, police):
    agency = police["PE"]
    agency.other_names = "Policía Nacional"
    agency.save()
    assert agency.search_names == "\npolicia nacional del peru\npnp\npolicia nacional\n"

    params = {"app_label": "cooperation", "model_name": "agreementparty", "field_name": "agency", "term": "Policia"}
    response = admin_client.get("/admin/autocomplete/", params)
    assert response.status_code == 200
    found = [int(result["id"]) for result in response.json()["results"]]
    assert sorted(found) == sorted([police["PE"].pk, police["CO"].pk])
