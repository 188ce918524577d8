"""Rate limits: a client over its rate gets 429 with Retry-After; anonymous clients are counted by address
(not by a header they choose), users by account; the counts live in the cache (CACHE_URL), never in the
database, and a Redis cache shares them between web processes."""

import contextlib
import os
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
import redis
from django.core.cache import CacheHandler, cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tests.servers import gunicorn

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


def test_a_read_under_rate_limits_writes_nothing_to_the_database(rates):
    client = APIClient()
    with CaptureQueriesContext(connection) as captured:
        assert get(client).status_code == 200
    statements = [query["sql"].split()[0].upper() for query in captured.captured_queries]
    assert statements and set(statements) == {"SELECT"}, statements


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the servers read committed data
def test_web_processes_share_the_counts_through_redis():
    """Two servers, one process each, as behind a load balancer: with CACHE_URL=redis://..., a client's
    requests count once whichever process serves them."""
    with redis_database_of_its_own() as redis_url:
        answers = answers_of_two_servers(redis_url)
    assert answers == [200, 200, 200, 200, 429, 429]


@contextlib.contextmanager
def redis_database_of_its_own() -> Iterator[str]:
    """A Redis database (1 to 15) no other test run is using: CI runs the suite on SQLite and on PostgreSQL at
    once, and two runs counting in one database would see each other's requests. Claimed in database 0."""
    claims = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    for number in range(1, 16):
        if claims.set(f"cooperation-tests:database:{number}", os.getpid(), nx=True, ex=300):
            try:
                yield f"redis://127.0.0.1:6379/{number}"
            finally:
                claims.delete(f"cooperation-tests:database:{number}")
            return
    raise RuntimeError("Every Redis database from 1 to 15 is claimed by another test run.")


def answers_of_two_servers(redis_url: str) -> list[int]:
    caches = CacheHandler(
        {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}}
    )
    caches["default"].clear()
    rates = {"CACHE_URL": redis_url, "API_THROTTLE_ANON": "4/minute", "GUNICORN_WORKERS": "1"}
    try:
        with gunicorn(**rates) as first, gunicorn(**rates) as second:
            return [status(f"{base}/api/v1/drugs/") for base in (first, second, first, second, first, second)]
    finally:
        caches["default"].clear()


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_rates_can_be_turned_off(settings):
    settings.API_THROTTLE_ANON = "off"
    client = APIClient()
    assert {get(client).status_code for _ in range(20)} == {200}
