"""A database outage is a 503 with Retry-After (JSON under /api/), not a 500, and /healthz says what is down."""

from unittest import mock

import pytest
from django.db import OperationalError, connections
from django.test import Client

from tests.servers import free_port


@pytest.fixture
def site():
    return Client(raise_request_exception=False)


@pytest.fixture
def database_down(db):
    """Every new query fails as it does when PostgreSQL is restarting. Undone before the test's transaction is
    rolled back."""

    def refuse(*args, **kwargs):
        raise OperationalError('connection to server at "db" (10.0.0.5), port 5432 failed: Connection refused')

    with mock.patch.object(type(connections["default"]), "_cursor", refuse):
        yield


def test_health_reports_each_part_as_json(db, site):
    response = site.get("/healthz")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    body = response.json()
    assert (body["status"], body["database"], body["cache"]) == ("ok", "ok", "ok")
    assert body["queue"] == {"waiting": 0, "oldest_waiting_seconds": 0}


def test_health_says_the_database_is_down_with_a_503(site, database_down):
    response = site.get("/healthz")
    assert response.status_code == 503 and response["Retry-After"].isdigit()
    body = response.json()
    assert (body["status"], body["database"], body["cache"]) == ("down", "down", "ok")
    assert "10.0.0.5" not in response.content.decode()


@pytest.fixture
def cache_down(settings):
    """A Redis cache whose server is not there (nothing listens on the port): connections are refused."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }


def test_health_says_the_cache_is_down_with_a_503(db, site, cache_down):
    response = site.get("/healthz")
    assert response.status_code == 503 and response["Retry-After"].isdigit()
    body = response.json()
    assert (body["status"], body["database"], body["cache"]) == ("down", "ok", "down")


@pytest.mark.parametrize("url", ["/api/v1/drugs/", "/api/v1/drugs/?format=csv"])
def test_the_api_still_answers_while_the_cache_is_down_uncounted(db, site, cache_down, settings, url):
    """Rate limits and export slots are a protection: without their cache, requests go through (logged)."""
    settings.API_THROTTLE_ANON, settings.CSV_EXPORTS_PER_CLIENT = "1/minute", 1
    assert [site.get(url).status_code for _ in range(3)] == [200, 200, 200]


@pytest.mark.parametrize("url", ["/api/v1/agreements/", "/api/v1/countries/1/", "/api/v1/drugs/?format=csv"])
def test_an_api_request_during_an_outage_is_a_json_503_with_retry_after(site, database_down, url, settings):
    settings.CSV_EXPORTS_PER_CLIENT = 2  # the export takes a slot in the cache before it reads the database
    response = site.get(url)
    assert response.status_code == 503, response.content
    assert response["Retry-After"].isdigit() and response.json() == {
        "detail": "The database is unavailable. Try again later."
    }


def test_an_admin_page_during_an_outage_is_a_503_page(site, database_down):
    response = site.post("/admin/login/", {"username": "analyst", "password": "correct horse"})
    assert response.status_code == 503 and response["Retry-After"].isdigit()
    assert "unavailable" in response.content.decode()
