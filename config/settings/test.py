"""The test suite: development settings with a fast password hasher."""

from pathlib import Path

from .development import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# On SQLite the tests use a database file, not Django's shared in-memory database: only a file behaves as
# production does when several connections write at once (WAL, busy timeout instead of "table is locked").
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # Next to the database file DATABASE_URL names (.test-db.sqlite3 in the project by default), so two runs
    # with different DATABASE_URLs don't share one.
    _database_file = Path(DATABASES["default"]["NAME"])  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(_database_file.with_name(f".test-{_database_file.name}"))}  # noqa: F405

# Rate limits are off for the suite (its clients share one address); tests/api/test_throttling.py turns them on.
API_THROTTLE_ANON = "off"
API_THROTTLE_USER = "off"
# Failed logins are throttled per address only where a test asks (tests/api/test_login_guard.py).
LOGIN_FAILURES_PER_ADDRESS = "off"
# Nor a limit on concurrent CSV exports (tests leave responses unread); tests/api/test_export_slots.py sets one.
CSV_EXPORTS_PER_CLIENT = 0

# Commits need not reach the disk in a test: nothing is kept after the run. Waiting for each flush was a large
# part of the suite's time (transactional tests commit and truncate per test). Isolation and locking, which the
# concurrency tests check, are the same as in production.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["OPTIONS"]["init_command"] = "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;"  # noqa: F405
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    _options = DATABASES["default"].setdefault("OPTIONS", {})  # noqa: F405
    _options["options"] = f"{_options.get('options', '')} -c synchronous_commit=off".strip()

# The gazetteer's larger places only (about 1,200 of 34,000: Lima, Callao, Bogotá, Santo Domingo, San Jose US),
# so that creating each test database stays fast and serialized rollbacks reload a small table; see
# cooperation/gazetteer.py. tests/cooperation/test_gazetteer.py loads the whole gazetteer once.
GAZETTEER_MIN_POPULATION = 500_000
