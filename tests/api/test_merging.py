"""Merging duplicates through the API (issue 14, pattern 9): POST /<resource>/<id>/merge/, and afterwards the
duplicate's id answers 301 to the survivor, its tombstone says where it went, and its key names the survivor."""

from __future__ import annotations

import pytest
import yaml
from django.utils import timezone

from cooperation import models as m
from tests import factories as f

pytestmark = pytest.mark.django_db


def agency(name: str, **fields) -> m.Agency:
    record = f.AgencyFactory(name=name, country=m.Country.objects.get(iso2="PE"), cited=False, **fields)
    f.CitationFactory(record=record, quote=f"{name} took part")
    return record


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
