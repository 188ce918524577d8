"""Rate limits: a client over its rate gets 429 with Retry-After; anonymous clients are counted by address
(not by a header they choose), users by account; the counts are shared by every worker (database cache)."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates(settings):
    settings.API_THROTTLE_ANON = "3/minute"
    settings.API_THROTTLE_USER = "5/minute"
    cache.clear()
    yield
    cache.clear()


def get(client: APIClient, address: str = "192.0.2.10", **headers):
    return client.get("/api/v1/drugs/", REMOTE_ADDR=address, **headers)


def test_anonymous_clients_over_the_rate_get_429_with_retry_after(rates):
    client = APIClient()
    assert [get(client).status_code for _ in range(3)] == [200, 200, 200]
    refused = get(client)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "throttled" in refused.json()["detail"].lower()


def test_each_address_has_its_own_count(rates):
    client = APIClient()
    for _ in range(3):
        get(client, "192.0.2.10")
    assert get(client, "192.0.2.10").status_code == 429
    assert get(client, "192.0.2.11").status_code == 200


def test_a_forged_forwarded_for_header_does_not_reset_the_count(rates):
    client = APIClient()
    for number in range(3):
        get(client, HTTP_X_FORWARDED_FOR=f"10.0.0.{number}")
    assert get(client, HTTP_X_FORWARDED_FOR="10.0.0.99").status_code == 429


def test_authenticated_users_have_their_own_higher_rate(rates, editor):
    client = APIClient()
    client.force_authenticate(editor)
    assert [get(client).status_code for _ in range(5)] == [200] * 5
    assert get(client).status_code == 429


def test_the_count_lives_in_the_shared_database_cache(rates):
    from django.db import connection

    get(APIClient())
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM cooperation_cache")
        assert cursor.fetchone()[0] >= 1


def test_rates_can_be_turned_off(settings):
    settings.API_THROTTLE_ANON = "off"
    client = APIClient()
    assert {get(client).status_code for _ in range(20)} == {200}
