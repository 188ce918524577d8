"""The test suite: development settings with a fast password hasher."""

from .development import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# On SQLite the tests use a database file, not Django's shared in-memory database: only a file behaves as
# production does when several connections write at once (WAL, busy timeout instead of "table is locked").
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".test-db.sqlite3")}  # noqa: F405
