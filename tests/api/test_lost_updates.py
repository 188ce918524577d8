"""No lost updates: ETags and If-Match on the API, compare-and-set on every save."""

import pytest
from django.db import transaction

from cooperation.models import Agreement
from cooperation.models.base import StaleRecordError
from tests import factories as f

pytestmark = pytest.mark.django_db


def url(record):
    return f"/api/v1/agreements/{record.pk}/"


def test_detail_responses_carry_the_version_as_etag(editor_client):
    record = f.AgreementFactory()
    response = editor_client.get(url(record))
    assert response["ETag"] == '"1"'
    updated = editor_client.patch(url(record), {"summary": "x"}, format="json")
    assert updated["ETag"] == '"2"'
    assert editor_client.get(url(record), HTTP_IF_NONE_MATCH='"2"').status_code == 304


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_a_stale_if_match_is_412_and_changes_nothing(editor_client, editor, method):
    record = f.AgreementFactory(title="Original")
    editor_client.patch(url(record), {"summary": "someone else's change"}, format="json")  # now version 2
    payload = {"title": "Mine", "kind": "treaty", "status": "signed"}
    response = getattr(editor_client, method)(url(record), payload, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 412
    assert "version 2" in response.json()["detail"] and "editor" in response.json()["detail"]
    stored = Agreement.objects.get(pk=record.pk)
    assert (stored.title, stored.summary, stored.version) == ("Original", "someone else's change", 2)


def test_a_current_if_match_lets_the_write_through(editor_client):
    record = f.AgreementFactory()
    response = editor_client.patch(url(record), {"summary": "ok"}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 200
    assert editor_client.delete(url(record), HTTP_IF_MATCH='"2"').status_code == 204


def test_saving_a_copy_read_before_another_change_is_refused():
    record = f.AgreementFactory(title="Original")
    mine, theirs = Agreement.objects.get(pk=record.pk), Agreement.objects.get(pk=record.pk)
    theirs.summary = "their change"
    theirs.save()
    mine.title = "My change"
    with pytest.raises(StaleRecordError), transaction.atomic():
        mine.save()
    assert mine.version == 1  # unchanged, so a reload-and-retry starts from the right place
    stored = Agreement.objects.get(pk=record.pk)
    assert (stored.title, stored.summary, stored.version) == ("Original", "their change", 2)


def test_changing_a_citation_changes_the_cited_records_etag(editor_client):
    record = f.AgreementFactory()
    citation = record.citations.get()
    response = editor_client.patch(f"/api/v1/citations/{citation.pk}/", {"locator": "p. 3"}, format="json")
    assert response.status_code == 200
    assert editor_client.get(url(record))["ETag"] == '"2"'


def add_party(client, read, country: str, **headers):
    """A client's edit from what it read: the parties it saw, plus one."""
    parties = [{"country": p["country"]["iso2"], "role": p["role"]} for p in read.json()["parties"]]
    return client.patch(url_of(read), {"parties": [*parties, {"country": country}]}, format="json", **headers)


def url_of(read) -> str:
    return f"/api/v1/agreements/{read.json()['id']}/"


def party_countries(record) -> list[str]:
    return sorted(record.parties.values_list("country__iso2", flat=True))


def test_a_write_from_an_old_read_without_if_match_replaces_what_changed_since(editor_client):
    """What the README promises, and no more: without If-Match, the last write of a record's parts wins."""
    record = f.AgreementFactory(title="Andean precursor-control accord")
    mine, theirs = editor_client.get(url(record)), editor_client.get(url(record))
    assert add_party(editor_client, theirs, "BO").status_code == 200
    assert add_party(editor_client, mine, "PY").status_code == 200
    assert party_countries(record) == ["PY"]  # their addition of Bolivia is gone


def test_the_same_write_with_if_match_is_refused_and_keeps_their_addition(editor_client):
    record = f.AgreementFactory(title="Andean precursor-control accord")
    mine, theirs = editor_client.get(url(record)), editor_client.get(url(record))
    assert add_party(editor_client, theirs, "BO", HTTP_IF_MATCH=theirs["ETag"]).status_code == 200
    assert add_party(editor_client, mine, "PY", HTTP_IF_MATCH=mine["ETag"]).status_code == 412
    assert party_countries(record) == ["BO"]


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_with_if_match_required_a_write_without_it_is_428_and_changes_nothing(editor_client, settings, method):
    settings.API_REQUIRE_IF_MATCH = True
    record = f.AgreementFactory(title="Andean precursor-control accord", summary="As signed")
    payload = {"title": "Overwritten", "kind": "treaty", "status": "signed"}
    response = getattr(editor_client, method)(url(record), payload, format="json")
    assert response.status_code == 428
    assert response["Content-Type"] == "application/json"
    assert "If-Match" in response.json()["detail"]
    stored = Agreement.objects.get(pk=record.pk)
    assert (stored.title, stored.summary, stored.version) == ("Andean precursor-control accord", "As signed", 1)


def test_with_if_match_required_a_write_with_it_goes_through_and_a_stale_one_is_412(editor_client, settings):
    settings.API_REQUIRE_IF_MATCH = True
    record = f.AgreementFactory(title="Andean precursor-control accord")
    mine, theirs = editor_client.get(url(record)), editor_client.get(url(record))
    assert add_party(editor_client, theirs, "BO").status_code == 428
    assert add_party(editor_client, theirs, "BO", HTTP_IF_MATCH=theirs["ETag"]).status_code == 200
    assert add_party(editor_client, mine, "PY", HTTP_IF_MATCH=mine["ETag"]).status_code == 412
    assert party_countries(record) == ["BO"]
    assert editor_client.delete(url(record), HTTP_IF_MATCH='"2"').status_code == 204


def test_reads_and_creates_need_no_if_match_when_it_is_required(editor_client, settings):
    settings.API_REQUIRE_IF_MATCH = True
    record = f.AgreementFactory()
    assert editor_client.get(url(record)).status_code == 200
    created = editor_client.post(
        "/api/v1/sources/", {"title": "Gaceta Oficial, 12 March", "url": "https://example.org/gaceta/12"}, format="json"
    )
    assert created.status_code == 201, created.content
