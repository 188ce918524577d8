"""Authentication: sessions and tokens; tokens are random, stored only as a hash, and expire."""

import base64
import datetime as dt
import hashlib

import pytest
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def login(username: str, password: str) -> APIClient:
    client = APIClient()
    credentials = base64.b64encode(f"{username}:{password}".encode()).decode()
    client.credentials(HTTP_AUTHORIZATION=f"Basic {credentials}")
    return client


@pytest.fixture
def editor_with_password(editor):
    editor.set_password("correct horse battery staple")
    editor.save()
    return editor


def test_a_token_issued_at_login_authorises_writes(editor_with_password):
    response = login("editor", "correct horse battery staple").post("/api/v1/auth/login/")
    assert response.status_code == 200
    token = response.json()["token"]
    assert len(bytes.fromhex(token)) * 8 >= 128  # at least 128 random bits

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    created = client.post("/api/v1/drugs/", {"name": "nitazene", "group": "opioids"}, format="json")
    assert created.status_code == 201


def test_tokens_are_stored_only_as_a_hash(editor_with_password):
    token = login("editor", "correct horse battery staple").post("/api/v1/auth/login/").json()["token"]
    stored = AuthToken.objects.get(user=editor_with_password)
    assert token not in stored.digest and stored.digest != token
    assert stored.digest == hashlib.sha512(token.encode()).hexdigest()


def test_tokens_expire(editor_with_password):
    token = login("editor", "correct horse battery staple").post("/api/v1/auth/login/").json()["token"]
    stored = AuthToken.objects.get(user=editor_with_password)
    assert stored.expiry is not None and stored.expiry <= timezone.now() + dt.timedelta(days=91)
    AuthToken.objects.filter(pk=stored.pk).update(expiry=timezone.now() - dt.timedelta(seconds=1))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.post("/api/v1/drugs/", {"name": "x", "group": "opioids"}, format="json").status_code == 401


def test_a_wrong_password_or_token_is_refused(editor_with_password):
    assert login("editor", "wrong").post("/api/v1/auth/login/").status_code == 401
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "ab" * 32)
    assert client.get("/api/v1/drugs/").status_code == 401


def test_logout_revokes_the_token(editor_with_password):
    token = login("editor", "correct horse battery staple").post("/api/v1/auth/login/").json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.post("/api/v1/auth/logout/").status_code == 204
    assert client.post("/api/v1/drugs/", {"name": "y", "group": "opioids"}, format="json").status_code == 401


def test_reads_can_be_made_to_require_login(settings, viewer):
    settings.API_READ_REQUIRES_LOGIN = True
    assert APIClient().get("/api/v1/agreements/").status_code in (401, 403)
    client = APIClient()
    client.force_authenticate(viewer)
    assert client.get("/api/v1/agreements/").status_code == 200


def test_browsable_api_works_for_a_logged_in_user(client, editor):
    client.force_login(editor)
    page = client.get("/api/v1/agreements/", HTTP_ACCEPT="text/html")
    assert page.status_code == 200
    assert "text/html" in page["Content-Type"]
    assert b"Agreement" in page.content


def test_unknown_api_addresses_answer_json_404(client):
    response = client.get("/api/v1/no-such-resource/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_create_api_token_command_prints_a_working_token_once(editor):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("create_api_token", "editor", "--days", "7", stdout=out)
    token = out.getvalue().strip().splitlines()[-1]
    stored = AuthToken.objects.get(user=editor)
    assert stored.expiry <= timezone.now() + dt.timedelta(days=7, seconds=5)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.post("/api/v1/drugs/", {"name": "z", "group": "opioids"}, format="json").status_code == 201


def test_a_token_login_opens_no_session(editor_with_password):
    from django.contrib.sessions.models import Session

    response = login("editor", "correct horse battery staple").post("/api/v1/auth/login/")
    assert response.status_code == 200
    assert "sessionid" not in response.cookies
    assert Session.objects.count() == 0


def test_sessions_last_the_configured_age(client, editor_with_password, settings):
    from django.conf import settings as live

    assert 8 * 3600 <= live.SESSION_COOKIE_AGE <= 12 * 3600  # an analyst's working day, not Django's 14 days
    settings.SESSION_COOKIE_AGE = 3 * 3600
    editor_with_password.is_staff = True
    editor_with_password.save()
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "editor", "password": "correct horse battery staple"}
    )
    assert response.status_code == 302
    assert response.cookies["sessionid"]["max-age"] == 3 * 3600
