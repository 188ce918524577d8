"""The explorer's pages are revalidated by the data's version: an ETag and a Last-Modified from the last change
to any record (or deletion), a 304 when the reader's copy is current, a new page when anything changed."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.http import http_date

from cooperation import models as m
from tests import factories as f

pytestmark = pytest.mark.django_db

PAGES = ["/", "/search/?q=pact", "/agreements/", "/countries/PE/", "/timeline/?country=PE"]


@pytest.fixture
def pact(db):
    pact = f.AgreementFactory(title="Harbour pact", cited=False)
    f.AgreementPartyFactory(agreement=pact, country=m.Country.objects.get(iso2="PE"))
    return pact


@pytest.mark.parametrize("url", PAGES)
def test_a_page_with_its_etag_is_not_sent_again_until_the_data_changes(client, pact, url):
    first = client.get(url)
    assert first.status_code == 200
    tag = first["ETag"]
    assert tag.startswith('"') and first["Last-Modified"]
    assert "private" in first["Cache-Control"] and "no-cache" in first["Cache-Control"]
    assert "Cookie" in first["Vary"]
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url, headers={"if-none-match": tag})
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == tag
    assert len(queries) == 1  # the data's version, and nothing else
    pact.title = "Harbour pact, amended"
    pact.save()
    changed = client.get(url, headers={"if-none-match": tag})
    assert changed.status_code == 200 and changed["ETag"] != tag


def test_a_deletion_changes_the_etag(client, pact):
    tag = client.get("/agreements/")["ETag"]
    f.AgreementFactory(cited=False)  # then the newest change is deleted: the version may not go back
    tag = client.get("/agreements/")["ETag"]
    m.Agreement.objects.latest("pk").delete()
    assert client.get("/agreements/", headers={"if-none-match": tag}).status_code == 200


def test_if_modified_since(client, pact):
    first = client.get("/agreements/")
    assert client.get("/agreements/", headers={"if-modified-since": first["Last-Modified"]}).status_code == 304
    earlier = http_date((pact.updated_at - dt.timedelta(seconds=5)).timestamp())
    assert client.get("/agreements/", headers={"if-modified-since": earlier}).status_code == 200


def test_each_reader_has_their_own_etag(client, pact, viewer, editor):
    anonymous = client.get("/agreements/")["ETag"]
    client.force_login(viewer)
    as_viewer = client.get("/agreements/", headers={"if-none-match": anonymous})
    assert as_viewer.status_code == 200 and as_viewer["ETag"] != anonymous
    client.force_login(editor)  # may edit: the page has Edit links the viewer's has not
    assert client.get(f"/agreements/{pact.pk}/", headers={"if-none-match": as_viewer["ETag"]}).status_code == 200


def test_errors_and_logins_are_not_revalidated(client, db, read_requires_login):
    assert client.get("/agreements/", headers={"if-none-match": "*"}).status_code == 302


def test_a_bad_filter_is_still_a_400_not_a_304(client, pact):
    tag = client.get("/agreements/")["ETag"]
    response = client.get("/agreements/?contry=PE", headers={"if-none-match": tag})
    assert response.status_code == 400 and "ETag" not in response
