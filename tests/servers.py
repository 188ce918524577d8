"""The product's processes, started by tests as a deployment runs them: gunicorn with the shipped
``gunicorn.conf.py`` and the background worker (``manage.py jobs_worker``), on a free port, against the test
database (so tests using them need committed data: ``django_db(transaction=True, serialized_rollback=True)``).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from django.db import connection

PROJECT_DIR = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def current_database_url() -> str:
    """The URL of the database this test runs against (the test database, not the configured one)."""
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{database['NAME']}"
    credentials = urllib.parse.quote(database["USER"] or "postgres")
    if database["PASSWORD"]:
        credentials += ":" + urllib.parse.quote(database["PASSWORD"])
    return f"postgres://{credentials}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}"


def environment(**overrides: str) -> dict[str, str]:
    """Production settings on the test database, over plain HTTP, quiet logs."""
    return {
        **{key: value for key, value in os.environ.items() if not key.startswith(("GUNICORN_", "JOB_"))},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": current_database_url(),
        "LOG_LEVEL": "WARNING",
        "GUNICORN_ACCESS_LOG": "",
        **overrides,
    }


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def gunicorn(**settings: str) -> Iterator[str]:
    """gunicorn as shipped (``-c gunicorn.conf.py``; GUNICORN_* variables change it), serving at the URL yielded."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"],
        cwd=PROJECT_DIR,
        env=environment(**settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not start: {server.stderr.read()}") from None
                time.sleep(0.1)
        yield base
    finally:
        stop(server)


def worker(**settings: str) -> subprocess.Popen:
    """A background worker process (``manage.py jobs_worker``); stop it with ``stop``."""
    return subprocess.Popen(
        [sys.executable, "manage.py", "jobs_worker", "--interval", "0.2", "--no-startup-delay", "--no-reload"],
        cwd=PROJECT_DIR,
        env=environment(**settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
