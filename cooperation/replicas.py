"""Reads from PostgreSQL streaming replicas, writes to the primary (``DATABASE_REPLICA_URLS``).

Without replicas configured nothing here runs: every query goes to ``default``. With them:

- ``ReplicaReadsMiddleware`` picks a replica for a safe request (GET, HEAD, OPTIONS) of a client that has not
  written lately, and every read of that request goes there (``PrimaryReplicaRouter``), a streaming export
  included. Everything else (writes, the whole of a write request, management commands, the background worker)
  uses the primary, as does what must never be stale: logins, sessions and tokens, users and permissions, jobs.
- **Reading your own writes.** A request that may write (POST, PUT, PATCH, DELETE) pins its client, known by its
  ``Authorization`` header or its session cookie, to the primary for ``DATABASE_REPLICA_PIN_SECONDS``. The pin is
  kept in the cache, so with several web processes it needs the shared cache (``CACHE_URL``), as the rate
  limits do. When the cache cannot be read, the request reads from the primary.
- **A replica down or behind.** Each process asks each replica, at most every ``DATABASE_REPLICA_CHECK_SECONDS``,
  whether it is in recovery and how far it is behind: caught up when it has replayed all the WAL the primary has
  logged, else the time since the last transaction it replayed. A replica that cannot be reached, is not in
  recovery (promoted, or not a replica at all) or is more than ``DATABASE_REPLICA_MAX_LAG_SECONDS`` behind is
  left out until a later check finds it well; with none left, reads go to the primary.
"""

from __future__ import annotations

import contextvars
import hashlib
import logging
import random
import threading
import time
from collections.abc import Iterator

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connections

from cooperation.api.throttling import CACHE_OUTAGE

logger = logging.getLogger(__name__)

PRIMARY = "default"
#: Apps whose rows must be read as they are now: who is logged in and may do what, and background jobs, whose
#: state the worker (not the client polling it) writes.
ALWAYS_PRIMARY_APPS = frozenset({"auth", "sessions", "knox", "axes", "admin", "jobs", "django_tasks_database"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

#: The replica this request reads from (None: the primary).
_reading_from: contextvars.ContextVar[str | None] = contextvars.ContextVar("reading_from", default=None)


def replica_aliases() -> list[str]:
    return list(getattr(settings, "DATABASE_REPLICAS", ()))


class PrimaryReplicaRouter:
    """Sends a read to the replica its request chose, everything else to the primary."""

    def db_for_read(self, model, **hints):
        alias = _reading_from.get()
        if alias is None or model._meta.app_label in ALWAYS_PRIMARY_APPS:
            return PRIMARY
        return alias

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, copied: a row read from a replica may be linked to one from the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY  # a replica is read-only: it gets the schema by replication


# --- Which replica is well ------------------------------------------------------------------------------------
_checked: dict[str, tuple[float, bool]] = {}
_checked_lock = threading.Lock()

REPLICA_STATE = """
SELECT pg_is_in_recovery(),
       coalesce(pg_last_wal_replay_lsn() >= %s::pg_lsn, false),
       extract(epoch FROM now() - pg_last_xact_replay_timestamp())
"""


def replica_is_well(alias: str) -> bool:
    """Whether ``alias`` may serve reads now (checked at most every DATABASE_REPLICA_CHECK_SECONDS)."""
    now = time.monotonic()
    with _checked_lock:
        last = _checked.get(alias)
    if last is not None and now - last[0] < settings.DATABASE_REPLICA_CHECK_SECONDS:
        return last[1]
    well = _check(alias)
    with _checked_lock:
        _checked[alias] = (time.monotonic(), well)
    return well


def forget_checks() -> None:
    with _checked_lock:
        _checked.clear()


def _check(alias: str) -> bool:
    try:
        with connections[PRIMARY].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_insert_lsn()::text")  # all it has logged, flushed or not
            primary_position = cursor.fetchone()[0]
        with connections[alias].cursor() as cursor:
            cursor.execute(REPLICA_STATE, [primary_position])
            in_recovery, caught_up, seconds_behind = cursor.fetchone()
    except DatabaseError:
        logger.warning("Replica %s cannot be reached; reads go elsewhere until it answers.", alias, exc_info=True)
        connections[alias].close()
        return False
    if not in_recovery:
        logger.warning("Database %s is not a replica in recovery (promoted?); no reads go to it.", alias)
        return False
    if caught_up:
        return True
    behind = float("inf") if seconds_behind is None else float(seconds_behind)
    if behind > settings.DATABASE_REPLICA_MAX_LAG_SECONDS:
        logger.warning("Replica %s is %.1f s behind the primary; reads go elsewhere meanwhile.", alias, behind)
        return False
    return True


# --- Clients pinned to the primary after a write ------------------------------------------------------------
def client_key(request) -> str | None:
    """Who the client is, as far as pinning goes: its token or its session (anonymous clients cannot write)."""
    credential = request.META.get("HTTP_AUTHORIZATION") or request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not credential:
        return None
    return "replica-pin:" + hashlib.sha256(credential.encode()).hexdigest()


def pin(key: str) -> None:
    try:
        cache.set(key, True, timeout=settings.DATABASE_REPLICA_PIN_SECONDS)
    except CACHE_OUTAGE:
        logger.exception("Replicas: the cache cannot be reached; a client that wrote may not read its write.")


def pinned(key: str | None) -> bool:
    if key is None:
        return False
    try:
        return bool(cache.get(key))
    except CACHE_OUTAGE:
        return True  # unknown: the primary is always right


def replica_for(request) -> str | None:
    """The replica a request reads from, or None for the primary."""
    if request.method not in SAFE_METHODS or pinned(client_key(request)):
        return None
    well = [alias for alias in replica_aliases() if replica_is_well(alias)]
    return random.choice(well) if well else None


class ReplicaReadsMiddleware:
    """Chooses where each request reads (see the module's docstring); a no-op without replicas."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_aliases():
            return self.get_response(request)
        if request.method not in SAFE_METHODS:
            key = client_key(request)
            if key is not None:
                pin(key)  # before the write: a read racing it from the same client goes to the primary too
            return self.get_response(request)
        alias = replica_for(request)
        request.database_for_reads = alias or PRIMARY
        token = _reading_from.set(alias)
        try:
            response = self.get_response(request)
        finally:
            _reading_from.reset(token)
        if alias is not None and response.streaming:
            response.streaming_content = _reading_within(alias, response.streaming_content)
        return response


def _reading_within(alias: str, blocks) -> Iterator[bytes]:
    """A streaming response's content, produced after the view returned, reading from the same replica."""
    iterator = iter(blocks)
    while True:
        token = _reading_from.set(alias)
        try:
            block = next(iterator)
        except StopIteration:
            return
        finally:
            _reading_from.reset(token)
        yield block
