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
