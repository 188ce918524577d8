"""A client may stream at most CSV_EXPORTS_PER_CLIENT exports at once; one more is a 429 with Retry-After, and a
slot comes free when its export ends, or soon after the process that ran it died."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def limited(settings):
    settings.CSV_EXPORTS_PER_CLIENT = 2


def export(client, address="198.51.100.7"):
    return client.get("/api/v1/cooperation-areas/", {"format": "csv"}, REMOTE_ADDR=address)


def test_a_third_export_at_once_from_one_address_waits_until_one_ends(limited):
    client = APIClient()
    first, second = export(client), export(client)
    assert first.status_code == second.status_code == 200
    refused = export(client)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "2 CSV exports at once" in refused.json()["detail"]
    assert export(client, address="203.0.113.9").status_code == 200, "another client is not held up"
    b"".join(first.streaming_content)  # read to the end: the response is closed, its slot is free
    assert export(client).status_code == 200


def test_a_refused_export_and_a_json_list_hold_no_slot(limited):
    client = APIClient()
    for _ in range(3):
        assert client.get("/api/v1/cooperation-areas/", {"format": "csv", "bom": "perhaps"}).status_code == 400
        assert client.get("/api/v1/cooperation-areas/").status_code == 200
    assert export(client).status_code == 200


def test_the_slot_of_an_export_whose_process_died_expires(limited):
    client = APIClient()
    export(client), export(client)  # never closed, as when the worker is killed mid-stream
    assert export(client).status_code == 429
    for number in range(2):  # what the cache does SLOT_SECONDS after the export last sent data
        cache.delete(f"csv-export:address:198.51.100.7:{number}")
    assert export(client).status_code == 200


def test_the_limit_is_per_user_when_logged_in(limited, editor):
    client = APIClient()
    client.force_authenticate(editor)
    export(client, "198.51.100.1"), export(client, "198.51.100.2")
    assert export(client, "198.51.100.3").status_code == 429
