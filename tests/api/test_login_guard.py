"""Failed logins are throttled per address before any password is hashed, every account has a cap on failures
from all addresses together, and a refused client is told so with Retry-After, in the same words whether the
account exists or not. Through the API's token login, token authentication and the admin's login form."""

import base64

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.hashers import CountingHasher

pytestmark = pytest.mark.django_db

PASSWORD = "plover-quartz-umbrella-41"
ATTACKER = "198.51.100.23"


@pytest.fixture
def guard(settings):
    settings.PASSWORD_HASHERS = ["tests.hashers.CountingHasher"]
    settings.LOGIN_FAILURES_PER_ADDRESS = "4/minute"
    settings.LOGIN_FAILURES_PER_ACCOUNT = 100
    settings.AXES_FAILURE_LIMIT = 100
    cache.clear()
    yield settings
    cache.clear()


@pytest.fixture
def curator(guard):
    return get_user_model().objects.create_user("m.okonkwo", password=PASSWORD, is_staff=True, is_superuser=True)


def basic_login(username: str, password: str, address: str = ATTACKER):
    credentials = base64.b64encode(f"{username}:{password}".encode()).decode()
    return APIClient().post("/api/v1/auth/login/", HTTP_AUTHORIZATION=f"Basic {credentials}", REMOTE_ADDR=address)


def token_read(token: str, address: str = ATTACKER):
    return APIClient().get("/api/v1/drugs/", HTTP_AUTHORIZATION=f"Token {token}", REMOTE_ADDR=address)


def admin_login(client, username: str, password: str, address: str = ATTACKER):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password}, REMOTE_ADDR=address)


def assert_told_to_wait(response):
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 15 * 60


def test_failed_api_logins_from_one_address_are_refused_before_any_password_is_hashed(curator):
    for number in range(4):
        assert basic_login(f"guess-{number}", "hunter2").status_code == 401
    hashed = CountingHasher.calls

    refused = basic_login("guess-9", "hunter2")
    assert_told_to_wait(refused)
    assert "token" not in refused.json()
    # Even the right password is refused from that address, without hashing it.
    refused = basic_login("m.okonkwo", PASSWORD)
    assert_told_to_wait(refused)
    assert "token" not in refused.json()
    assert CountingHasher.calls == hashed

    # Other addresses are not affected.
    assert basic_login("m.okonkwo", PASSWORD, address="203.0.113.40").status_code == 200


def test_garbage_tokens_count_as_failed_authentications(curator):
    for number in range(4):
        assert token_read(f"{number:02d}" * 32).status_code == 401
    assert_told_to_wait(token_read("ff" * 32))
    hashed = CountingHasher.calls
    assert_told_to_wait(basic_login("m.okonkwo", PASSWORD))
    assert CountingHasher.calls == hashed
    assert token_read("ee" * 32, address="203.0.113.40").status_code == 401


def test_failed_admin_logins_from_one_address_get_the_lockout_page_before_any_hash(client, curator):
    for number in range(4):
        response = admin_login(client, f"guess-{number}", "hunter2")
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.content.decode()
    hashed = CountingHasher.calls

    refused = admin_login(client, "m.okonkwo", PASSWORD)
    assert_told_to_wait(refused)
    assert "Too many failed logins" in refused.content.decode()
    assert CountingHasher.calls == hashed
    assert client.get("/admin/").status_code == 302  # not logged in


def test_an_account_has_a_cap_on_failures_from_all_addresses_together(client, curator, guard):
    guard.LOGIN_FAILURES_PER_ADDRESS = "off"
    guard.AXES_FAILURE_LIMIT = 3  # per username and address
    guard.LOGIN_FAILURES_PER_ACCOUNT = 8
    for address in ("192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"):
        assert basic_login("m.okonkwo", "wrong-1", address).status_code == 401
        assert basic_login("m.okonkwo", "wrong-2", address).status_code == 401
    hashed = CountingHasher.calls

    refused = basic_login("m.okonkwo", PASSWORD, address="192.0.2.5")
    assert_told_to_wait(refused)
    assert "token" not in refused.json()
    assert_told_to_wait(admin_login(client, "m.okonkwo", PASSWORD, address="192.0.2.6"))
    assert CountingHasher.calls == hashed
    assert client.get("/admin/").status_code == 302

    # Other accounts are not affected.
    get_user_model().objects.create_user("t.ferreira", password=PASSWORD)
    assert basic_login("t.ferreira", PASSWORD, address="192.0.2.5").status_code == 200


def test_a_locked_out_unknown_username_gets_the_same_answer_as_a_real_one(client, curator, guard):
    guard.LOGIN_FAILURES_PER_ADDRESS = "off"
    guard.LOGIN_FAILURES_PER_ACCOUNT = 3
    answers = {}
    pages = {}
    for username in ("m.okonkwo", "no-such-analyst"):
        for number in range(3):
            assert basic_login(username, "wrong", f"192.0.2.{number}").status_code == 401
        api = basic_login(username, PASSWORD, "192.0.2.50")
        page = admin_login(client, username, PASSWORD, "192.0.2.51")
        assert_told_to_wait(api)
        assert_told_to_wait(page)
        answers[username] = (api.status_code, api.json())
        pages[username] = (page.status_code, page.content.decode().replace(username, "<username>"))
    assert answers["m.okonkwo"] == answers["no-such-analyst"]
    assert pages["m.okonkwo"] == pages["no-such-analyst"]
