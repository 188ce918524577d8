"""A failure inside the application answers 500 with no traceback, no exception text and no settings: JSON
under /api/, a plain page elsewhere (settings as in production: DEBUG off)."""

import pytest
from django.test import Client
from django.urls import include, path

SECRET_DETAIL = "connection string postgres://user:hunter2@db/cooperation"


def failing_view(request):
    raise RuntimeError(SECRET_DETAIL)


urlpatterns = [
    path("api/v1/failing/", failing_view),
    path("failing/", failing_view),
    path("", include("config.urls")),
]
handler404 = "cooperation.views.not_found"
handler500 = "cooperation.views.server_error"


@pytest.fixture
def failing_site(settings):
    settings.ROOT_URLCONF = __name__
    settings.DEBUG = False
    settings.LOGGING = {"version": 1, "disable_existing_loggers": False}  # the logged traceback is expected
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("url", ["/failing/", "/api/v1/failing/"])
def test_a_server_error_reveals_nothing(db, failing_site, url):
    response = failing_site.get(url)
    assert response.status_code == 500
    body = response.content.decode()
    assert SECRET_DETAIL not in body and "hunter2" not in body
    assert "Traceback" not in body and "RuntimeError" not in body and "SECRET_KEY" not in body


def test_an_api_server_error_is_json(db, failing_site):
    response = failing_site.get("/api/v1/failing/")
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Server error. The failure was logged."}
