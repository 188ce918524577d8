"""Merging duplicates through the API (issue 14, pattern 9): POST /<resource>/<id>/merge/, and afterwards the
duplicate's id answers 301 to the survivor, its tombstone says where it went, and its key names the survivor."""

from __future__ import annotations

import pytest
import yaml
from django.utils import timezone

from cooperation import models as m
from tests import factories as f

pytestmark = pytest.mark.django_db


agency = f.named_agency


@pytest.fixture
def police():
    survivor = agency("Policía Nacional del Perú")
    duplicate = agency("Policia Nacional del Peru")
    first = f.AgreementFactory(title="Convenio de lucha antidrogas", signed="2014")
    second = f.AgreementFactory(title="Acta de Tumbes", signed="c. 2016")
    f.AgreementPartyFactory(agreement=first, country=None, agency=survivor)
    f.AgreementPartyFactory(agreement=second, country=None, agency=duplicate)
    unit = f.AgencyFactory(name="Dirección Antidrogas", country=survivor.country, parent=duplicate)
    return survivor, duplicate, first, second, unit


def merge(client, survivor, duplicate_id):
    return client.post(f"/api/v1/agencies/{survivor.pk}/merge/", {"duplicate": duplicate_id}, format="json")


def test_an_editor_merges_and_the_survivor_has_everything(editor_client, police):
    survivor, duplicate, first, second, unit = police
    response = merge(editor_client, survivor, duplicate.pk)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == survivor.pk
    assert body["other_names"] == "Policia Nacional del Peru"
    assert len(body["citations"]) == 2
    assert response["ETag"] == f'"{body["version"]}"'
    for agreement in (first, second):
        parties = editor_client.get(f"/api/v1/agreements/{agreement.pk}/").json()["parties"]
        assert [party["agency"]["id"] for party in parties] == [survivor.pk]
    assert editor_client.get(f"/api/v1/agencies/{unit.pk}/").json()["parent"]["id"] == survivor.pk


def test_the_old_id_answers_301_to_the_survivor(editor_client, anonymous_client, police):
    survivor, duplicate, *_ = police
    merge(editor_client, survivor, duplicate.pk)
    response = anonymous_client.get(f"/api/v1/agencies/{duplicate.pk}/")
    assert response.status_code == 301
    assert response["Location"] == f"http://testserver/api/v1/agencies/{survivor.pk}/"
    assert anonymous_client.get(f"/api/v1/agencies/{duplicate.pk + 1000}/").status_code == 404
    # Writes to the old id are not redirected: the record is gone.
    assert editor_client.patch(f"/api/v1/agencies/{duplicate.pk}/", {"description": "x"}).status_code == 404


def test_the_deleted_feed_says_where_it_went(editor_client, anonymous_client, police):
    survivor, duplicate, *_ = police
    merge(editor_client, survivor, duplicate.pk)
    entries = anonymous_client.get("/api/v1/deleted/?resource=agencies").json()["results"]
    assert entries == [
        {
            "resource": "agencies",
            "id": duplicate.pk,
            "display": "Policia Nacional del Peru",
            "deleted_at": entries[0]["deleted_at"],
            "merged_into": {"id": survivor.pk, "api_url": f"http://testserver/api/v1/agencies/{survivor.pk}/"},
        }
    ]


def test_the_changes_feed_shows_the_records_that_changed(editor_client, anonymous_client, police):
    survivor, duplicate, first, second, unit = police
    since = timezone.now().isoformat().replace("+00:00", "Z")
    merge(editor_client, survivor, duplicate.pk)
    changed = anonymous_client.get("/api/v1/agreements/", {"updated_since": since}).json()["results"]
    assert {record["id"] for record in changed} == {second.pk}
    changed = anonymous_client.get("/api/v1/agencies/", {"updated_since": since}).json()["results"]
    assert {record["id"] for record in changed} == {survivor.pk, unit.pk}


def test_the_old_key_names_the_survivor(editor_client, police):
    survivor, duplicate, first, second, _ = police
    merge(editor_client, survivor, duplicate.pk)
    response = editor_client.get("/api/v1/agreements/", {"agency": "Policia Nacional del Peru [PE]"})
    assert response.status_code == 200, response.content
    assert {record["id"] for record in response.json()["results"]} == {first.pk, second.pk}
    body = {
        "title": "Plan de acción 2020",
        "kind": "action_plan",
        "status": "signed",
        "parties": [{"agency": "Policia Nacional del Peru [PE]"}],
        "citations": [{"source": m.Source.objects.first().url, "quote": "signed a memorandum on information exchange"}],
    }
    response = editor_client.post("/api/v1/agreements/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["parties"][0]["agency"]["id"] == survivor.pk


def test_anonymous_and_viewers_may_not_merge(anonymous_client, viewer_client, police):
    survivor, duplicate, *_ = police
    assert merge(anonymous_client, survivor, duplicate.pk).status_code in (401, 403)
    assert merge(viewer_client, survivor, duplicate.pk).status_code == 403
    assert m.Agency.objects.filter(pk=duplicate.pk).exists()


@pytest.mark.parametrize("given", ["itself", "unknown", "not a number", "an agreement", "missing"])
def test_a_bad_duplicate_is_a_400_naming_the_field(editor_client, police, given):
    survivor, duplicate, first, *_ = police
    value = {"itself": survivor.pk, "unknown": 10**12, "not a number": "PNP", "an agreement": first.pk}.get(given)
    body = {} if given == "missing" else {"duplicate": value}
    response = editor_client.post(f"/api/v1/agencies/{survivor.pk}/merge/", body, format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["duplicate"]
    assert m.Agency.objects.count() == 3


def test_a_merge_into_a_record_that_is_gone_is_a_404(editor_client, police):
    _, duplicate, *_ = police
    response = editor_client.post("/api/v1/agencies/999999/merge/", {"duplicate": duplicate.pk}, format="json")
    assert response.status_code == 404


def test_merging_a_record_merged_already_says_where_it_went(editor_client, police):
    survivor, duplicate, *_, unit = police
    merge(editor_client, survivor, duplicate.pk)
    response = merge(editor_client, unit, duplicate.pk)
    assert response.status_code == 400
    assert response.json()["duplicate"] == [f"There is no agency {duplicate.pk} (it was merged into {survivor.pk})."]


def test_the_schema_documents_the_merge_and_the_redirect(anonymous_client):
    schema = yaml.safe_load(anonymous_client.get("/api/schema/").content)
    detail = schema["paths"]["/api/v1/agencies/{id}/"]["get"]["responses"]
    assert "Location" in detail["301"]["headers"]
    merge_operation = schema["paths"]["/api/v1/agencies/{id}/merge/"]["post"]
    assert merge_operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/MergeRequest")
    assert list(schema["components"]["schemas"]["MergeRequest"]["properties"]) == ["duplicate"]
    deletion = schema["components"]["schemas"]["Deletion"]["properties"]
    assert "merged_into" in deletion


# --- Likely duplicates --------------------------------------------------------------------------------------
def pairs(client, **query):
    response = client.get("/api/v1/duplicates/", query)
    assert response.status_code == 200, response.content
    return response.json()


def test_likely_duplicate_agencies_are_listed_within_a_country(anonymous_client, police):
    survivor, duplicate, *_, unit = police
    agency("Policía Nacional", acronym="PN")
    f.AgencyFactory(name="Policia Nacional del Peru", country=m.Country.objects.get(iso2="BO"))  # elsewhere
    acronym = agency("PNP")
    m.Agency.objects.filter(pk=survivor.pk).update(acronym="PNP")
    body = pairs(anonymous_client, type="agency")
    assert body["count"] == 2
    found = [(row["first"]["id"], row["second"]["id"], row["score"], row["reason"]) for row in body["results"]]
    assert found == [
        (survivor.pk, duplicate.pk, 100.0, "similar names in the same country"),
        (survivor.pk, acronym.pk, 100.0, "one is named as the other's acronym"),
    ]
    first = body["results"][0]["first"]
    assert first == {
        "type": "agency",
        "id": survivor.pk,
        "display": "Policía Nacional del Perú (PNP)",
        "api_url": f"http://testserver/api/v1/agencies/{survivor.pk}/",
    }


def test_words_in_another_order_and_a_typo_match(anonymous_client):
    for name in ("Ana María Quispe Mamani", "Quispe Mamani, Ana Maria", "Ana Maria Quispe Mamami", "Ana Torres"):
        f.OfficialFactory(name=name, country=m.Country.objects.get(iso2="PE"))
    body = pairs(anonymous_client, type="official")
    assert body["count"] == 3  # the three spellings of Ana María Quispe Mamani, pairwise
    assert pairs(anonymous_client, type="official", threshold="97")["count"] == 1


def test_likely_duplicate_agreements_share_parties_and_date(anonymous_client):
    bolivia, peru = m.Country.objects.get(iso2="BO"), m.Country.objects.get(iso2="PE")
    made = []
    for title, signed, countries in (
        ("Acuerdo de cooperación antidrogas", "2019-03", (bolivia, peru)),
        ("Acuerdo de Cooperación Antidrogas.", "2019-03", (peru, bolivia)),
        ("Acuerdo de cooperación antidrogas", "2020", (bolivia, peru)),  # another date
        ("Acuerdo de cooperación antidrogas", "2019-03", (bolivia,)),  # other parties
    ):
        record = f.AgreementFactory(title=title, signed=signed)
        for country in countries:
            f.AgreementPartyFactory(agreement=record, country=country)
        made.append(record)
    body = pairs(anonymous_client, type="agreement")
    assert [(row["first"]["id"], row["second"]["id"]) for row in body["results"]] == [(made[0].pk, made[1].pk)]
    assert body["results"][0]["reason"] == "same parties and signing date, similar titles"


def test_the_list_pages_in_a_flat_number_of_queries(anonymous_client, django_assert_max_num_queries):
    peru = m.Country.objects.get(iso2="PE")
    for n in range(30):
        f.AgencyFactory(name=f"Fiscalía Provincial {n:03d} de Lima", country=peru, cited=False)
    with django_assert_max_num_queries(3):
        first = pairs(anonymous_client, type="agency", limit="5")
    assert len(first["results"]) == 5 and first["count"] > 5
    with django_assert_max_num_queries(3):
        second = anonymous_client.get(first["next"]).json()
    assert second["results"][0] != first["results"][0]


@pytest.mark.parametrize(
    "query, field",
    [({}, "type"), ({"type": "country"}, "type"), ({"type": "agency", "threshold": "20"}, "threshold")]
    + [({"type": "agency", "typo": "1"}, "typo"), ({"type": "agency", "offset": "-1"}, "offset")],
)
def test_a_bad_parameter_is_a_400_naming_it(anonymous_client, query, field):
    response = anonymous_client.get("/api/v1/duplicates/", query)
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_reference_data_is_not_merged(editor_client):
    peru, bolivia = m.Country.objects.get(iso2="PE"), m.Country.objects.get(iso2="BO")
    response = editor_client.post(f"/api/v1/countries/{peru.pk}/merge/", {"duplicate": bolivia.pk}, format="json")
    assert response.status_code == 404
    assert m.Country.objects.filter(pk=bolivia.pk).exists()
