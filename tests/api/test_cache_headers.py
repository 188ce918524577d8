"""API answers depend on the client's credentials and format: no shared cache may keep them, and they say so."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url", ["/api/v1/drugs/", "/api/v1/drugs/?format=csv", "/api/v1/deleted/", "/api/v1/drugs/?bogus=1", "/api/v1/"]
)
def test_api_answers_are_private_revalidated_and_vary_on_credentials(url):
    response = APIClient().get(url)
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-cache"} <= cache_control and "public" not in cache_control
    vary = {part.strip().lower() for part in response["Vary"].split(",")}
    assert {"authorization", "accept", "cookie"} <= vary


def test_a_record_read_with_a_token_is_not_shared(editor):
    client = APIClient()
    client.force_authenticate(editor)
    response = client.get("/api/v1/drugs/", {"limit": 1})
    record = client.get(f"/api/v1/drugs/{response.json()['results'][0]['id']}/")
    assert "private" in record["Cache-Control"] and "Authorization" in record["Vary"]


def test_pages_outside_the_api_keep_their_own_headers(client):
    response = client.get("/admin/login/")
    assert "Authorization" not in response.get("Vary", "")


def test_every_page_has_a_content_security_policy_allowing_this_site_only(client):
    for url in ("/admin/login/", "/api/docs/", "/api/v1/drugs/"):
        policy = client.get(url)["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "script-src 'self'" in policy and "unsafe-inline" not in policy
    docs = client.get("/api/docs/").content.decode()
    assert "<script>" not in docs and "<style>" not in docs, "nothing inline for the policy to block"
    assert client.get("/api/docs/?script").status_code == 200
