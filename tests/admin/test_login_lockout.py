"""Repeated failed logins lock the username out from that address (django-axes), in the admin and at the
API's token login alike; a success before the limit resets the count."""

import base64

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

PASSWORD = "a long and correct password"


@pytest.fixture
def analyst(settings):
    settings.AXES_FAILURE_LIMIT = 3
    return get_user_model().objects.create_user("analyst", password=PASSWORD, is_staff=True, is_superuser=True)


def admin_login(client, password: str, address: str = "203.0.113.7"):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": "analyst", "password": password},
        REMOTE_ADDR=address,
    )


def test_the_admin_locks_a_username_out_after_repeated_failures(client, analyst):
    for _ in range(2):
        response = admin_login(client, "wrong")
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.content.decode()

    locked = admin_login(client, "wrong")
    assert locked.status_code == 429
    assert 0 < int(locked["Retry-After"]) <= 15 * 60
    assert "Too many failed logins" in locked.content.decode()

    # Now even the right password is refused, and no session is opened.
    refused = admin_login(client, PASSWORD)
    assert refused.status_code == 429
    assert client.get("/admin/").status_code == 302  # still sent to the login page


def test_the_lockout_is_per_address_so_an_attacker_cannot_lock_an_analyst_out_everywhere(client, analyst):
    for _ in range(3):
        admin_login(client, "wrong", address="198.51.100.66")
    assert admin_login(client, PASSWORD, address="203.0.113.7").status_code == 302  # logged in


def test_a_successful_login_resets_the_count(client, analyst):
    admin_login(client, "wrong")
    admin_login(client, "wrong")
    assert admin_login(client, PASSWORD).status_code == 302
    client.logout()
    admin_login(client, "wrong")
    admin_login(client, "wrong")
    assert admin_login(client, PASSWORD).status_code == 302


def test_the_api_token_login_counts_towards_the_same_lockout(analyst):
    def token_login(password: str):
        client = APIClient()
        credentials = base64.b64encode(f"analyst:{password}".encode()).decode()
        return client.post("/api/v1/auth/login/", HTTP_AUTHORIZATION=f"Basic {credentials}")

    for _ in range(2):
        assert token_login("wrong").status_code == 401
    # As in the admin, the failure that reaches the limit is told so, and so is the next try: 429, when to retry.
    for password in ("wrong", PASSWORD):
        refused = token_login(password)
        assert refused.status_code == 429
        assert 0 < int(refused["Retry-After"]) <= 15 * 60
        assert "token" not in refused.json()
