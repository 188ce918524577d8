"""The product as a deployment runs it: gunicorn, production settings, static files through WhiteNoise."""

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from .test_settings import A_REAL_KEY, PROJECT_DIR

ADMIN_PASSWORD = "a production test password"
HTTPS = {"X-Forwarded-Proto": "https"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def production_server(tmp_path_factory):
    workdir: Path = tmp_path_factory.mktemp("production")
    env = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": A_REAL_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
        "STATIC_ROOT": str(workdir / "static"),
        "SECURE_SSL_REDIRECT": "0",
        # As behind the TLS-terminating proxy of a deployment: X-Forwarded-Proto says the request was HTTPS.
        "SECURE_PROXY_SSL_HEADER": "1",
        "ADMIN_USERNAME": "admin",
        "ADMIN_PASSWORD": ADMIN_PASSWORD,
        "GAZETTEER_MIN_POPULATION": "500000",  # a smaller database, made faster (as the test settings do)
    }
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"], ["ensure_admin"]):
        subprocess.run(
            [sys.executable, "manage.py", *command], cwd=PROJECT_DIR, env=env, check=True, capture_output=True
        )
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(server.stderr.read().decode())
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def get(url: str, headers: dict | None = None):
    return urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10)


def cookies(response) -> dict[str, tuple[str, set[str]]]:
    """Set-Cookie headers by cookie name: the value and the attributes (lower-cased, without values)."""
    found = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name_value, *attributes = [part.strip() for part in header.split(";")]
        name, value = name_value.split("=", 1)
        found[name] = (value, {attribute.split("=", 1)[0].lower() for attribute in attributes})
    return found


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_admin_login_page_is_served_with_its_stylesheets(production_server):
    page = get(f"{production_server}/admin/login/")
    assert page.status == 200
    html = page.read().decode()
    stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    assert any("admin/css/base" in href for href in stylesheets)
    for href in stylesheets:
        css = get(f"{production_server}{href}")
        assert css.status == 200
        assert css.headers["Content-Type"].startswith("text/css")
        assert len(css.read()) > 100


def test_security_headers_are_sent_in_production(production_server):
    page = get(f"{production_server}/admin/login/", HTTPS)
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]


def test_cookies_are_secure_and_http_only_in_production(production_server):
    login_page = get(f"{production_server}/admin/login/", HTTPS)
    csrf_cookie, csrf_attributes = cookies(login_page)["csrftoken"]
    assert {"secure", "httponly"} <= csrf_attributes
    csrf_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page.read().decode()).group(1)

    form = urllib.parse.urlencode(
        {"username": "admin", "password": ADMIN_PASSWORD, "csrfmiddlewaretoken": csrf_token, "next": "/admin/"}
    ).encode()
    request = urllib.request.Request(
        f"{production_server}/admin/login/",
        data=form,
        headers={
            **HTTPS,
            "Cookie": f"csrftoken={csrf_cookie}",
            "Referer": "https://127.0.0.1/admin/login/",
            "Host": "127.0.0.1",
        },
    )
    with pytest.raises(urllib.error.HTTPError) as redirect:  # 302 to /admin/: logged in
        urllib.request.build_opener(NoRedirect).open(request, timeout=10)
    assert redirect.value.code == 302
    _, session_attributes = cookies(redirect.value)["sessionid"]
    assert {"secure", "httponly"} <= session_attributes


def test_errors_show_no_traceback_or_settings_in_production(production_server):
    with pytest.raises(urllib.error.HTTPError) as missing:
        get(f"{production_server}/no-such-page/", HTTPS)
    assert missing.value.code == 404
    body = missing.value.read().decode()
    assert "Traceback" not in body and "DEBUG" not in body and "urlpatterns" not in body


def test_health_check_reports_the_database(production_server):
    response = get(f"{production_server}/healthz")
    assert response.status == 200
    body = json.loads(response.read())
    assert (body["status"], body["database"], body["cache"], body["vendor"]) == ("ok", "ok", "ok", "sqlite")
