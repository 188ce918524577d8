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
