"""The product as a deployment runs it: gunicorn, production settings, static files through WhiteNoise."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .test_settings import A_REAL_KEY, PROJECT_DIR


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
    }
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        subprocess.run(
            [sys.executable, "manage.py", *command], cwd=PROJECT_DIR, env=env, check=True, capture_output=True
        )
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
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


def get(url: str):
    return urllib.request.urlopen(url, timeout=10)


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
    page = get(f"{production_server}/admin/login/")
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"


def test_health_check_reports_the_database(production_server):
    response = get(f"{production_server}/healthz")
    assert response.status == 200
    assert response.read() == b'{"status": "ok", "database": "sqlite"}'
