"""Settings behaviour that matters to whoever deploys the product: checked in a fresh interpreter each time,
because settings are read once per process."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
A_REAL_KEY = "k3y-" + "x7Qp2Lm9Zr4Tt8Wv1Bn6Yc0Hd5Jf3Gs" * 2


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    clean_env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS"}}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_DIR,
        env={**clean_env, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    return run_python(f"import sys; sys.argv = ['manage.py', *{list(args)!r}]; import manage; manage.main()", **env)


PRINT_ENGINE = (
    "import django; django.setup(); from django.conf import settings; "
    "db = settings.DATABASES['default']; print(db['ENGINE'], db['NAME'])"
)


def test_production_refuses_to_start_without_a_secret_key():
    result = run_python(PRINT_ENGINE, DJANGO_SETTINGS_MODULE="config.settings.production", ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize("weak_key", ["short", "django-insecure-" + "a" * 60, "a" * 60])
def test_production_refuses_a_weak_secret_key(weak_key):
    result = run_python(
        PRINT_ENGINE,
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=weak_key,
        ALLOWED_HOSTS="example.org",
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run_python(PRINT_ENGINE, DJANGO_SETTINGS_MODULE="config.settings.production", SECRET_KEY=A_REAL_KEY)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def deployment_checklist(**env: str) -> subprocess.CompletedProcess:
    production = {"DJANGO_SETTINGS_MODULE": "config.settings.production", "ALLOWED_HOSTS": "example.org"}
    return manage("check", "--deploy", "--fail-level", "WARNING", SECRET_KEY=A_REAL_KEY, **production, **env)


def test_production_settings_pass_the_deployment_checklist():
    result = deployment_checklist(CACHE_URL="redis://127.0.0.1:6379/0")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_checklist_wants_a_cache_every_web_process_shares():
    """In each process's memory, rate limits count per process: gunicorn's three would give a client thrice its
    rate. One process may keep it in memory."""
    result = deployment_checklist(CACHE_URL="locmem://")
    assert result.returncode != 0
    assert "cooperation.W001" in result.stderr and "CACHE_URL=redis://" in result.stderr
    assert deployment_checklist(CACHE_URL="locmem://", GUNICORN_WORKERS="1").returncode == 0


@pytest.mark.parametrize("url", ["memcached://127.0.0.1", "redis:/127.0.0.1", "db://cooperation_cache"])
def test_a_cache_url_that_cannot_be_read_stops_the_start_naming_it(url):
    result = run_python(PRINT_ENGINE, DJANGO_SETTINGS_MODULE="config.settings.development", CACHE_URL=url)
    assert result.returncode != 0
    assert f"CACHE_URL={url!r} is not a cache URL" in result.stderr


def test_development_settings_fail_the_deployment_checklist():
    """The checklist is not vacuous: the insecure development defaults are reported."""
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", DJANGO_SETTINGS_MODULE="config.settings.development"
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stdout + result.stderr


def test_sqlite_file_in_the_project_is_the_default_database():
    result = run_python(PRINT_ENGINE, DJANGO_SETTINGS_MODULE="config.settings.development")
    assert result.returncode == 0, result.stderr
    engine, name = result.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert Path(name) == PROJECT_DIR / "db.sqlite3"


def test_database_url_selects_postgresql():
    result = run_python(
        PRINT_ENGINE,
        DJANGO_SETTINGS_MODULE="config.settings.development",
        DATABASE_URL="postgres://analyst@db.example.org:5433/tracker",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "tracker"]


def test_an_unreadable_boolean_setting_is_an_error_not_a_silent_default():
    result = run_python(PRINT_ENGINE, DJANGO_SETTINGS_MODULE="config.settings.development", DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


def test_an_unreadable_rate_limit_is_an_error_not_a_silent_default():
    result = run_python(PRINT_ENGINE, DJANGO_SETTINGS_MODULE="config.settings.development", API_THROTTLE_ANON="lots")
    assert result.returncode != 0
    assert "API_THROTTLE_ANON='lots' is not a rate" in result.stderr


PRINT_DATABASES = (
    "import django; django.setup(); from django.conf import settings; "
    "print(sorted(settings.DATABASES), settings.DATABASE_ROUTERS)"
)


def test_without_replicas_every_query_goes_to_the_one_database():
    result = run_python(PRINT_DATABASES, DJANGO_SETTINGS_MODULE="config.settings.development")
    assert result.stdout.strip() == "['default'] []", result.stderr


def test_replicas_come_from_database_replica_urls_and_bring_the_router():
    result = run_python(
        PRINT_DATABASES,
        DJANGO_SETTINGS_MODULE="config.settings.development",
        DATABASE_URL="postgres://app@db.internal:5432/coop",
        DATABASE_REPLICA_URLS="postgres://app@replica-a:5432/coop, postgres://app@replica-b:5432/coop",
    )
    expected = "['default', 'replica_1', 'replica_2'] ['cooperation.replicas.PrimaryReplicaRouter']"
    assert result.stdout.strip() == expected, result.stderr


@pytest.mark.parametrize(
    ("primary", "replicas", "message"),
    [
        ("sqlite:///db.sqlite3", "postgres://app@replica:5432/coop", "needs a PostgreSQL DATABASE_URL"),
        ("postgres://app@db:5432/coop", "mysql://app@replica/coop", "is not a postgres:// URL"),
    ],
)
def test_replicas_that_cannot_stream_from_the_database_are_refused(primary, replicas, message):
    result = run_python(
        PRINT_DATABASES,
        DJANGO_SETTINGS_MODULE="config.settings.development",
        DATABASE_URL=primary,
        DATABASE_REPLICA_URLS=replicas,
    )
    assert result.returncode != 0
    assert message in result.stderr
