"""Reads from a real PostgreSQL streaming replica (DATABASE_REPLICA_URLS), through gunicorn as deployed.

The replica is a second cluster on this machine, made by ``scripts/ensure-replica`` (pg_basebackup of the test
server, streaming from it), so the test database exists on it as on the primary. Its WAL replay is paused to
make it visibly behind: what a client then reads tells which server answered.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import psycopg2
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from knox.models import AuthToken

from cooperation import models as m
from tests.servers import PROJECT_DIR, current_database_url, gunicorn

REPLICA_PORT = 5433

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="streaming replication is PostgreSQL's"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),  # the servers read committed data
]


@pytest.fixture(scope="session")
def replica_port() -> int:
    subprocess.run([PROJECT_DIR / "scripts" / "ensure-replica"], check=True, env={"REPLICA_PORT": str(REPLICA_PORT)})
    return REPLICA_PORT


def replica_url(port: int) -> str:
    return current_database_url().replace(":5432/", f":{port}/")


@contextlib.contextmanager
def on_the_replica(port: int) -> Iterator:
    database = connection.settings_dict["NAME"]
    deadline = time.monotonic() + 60
    while True:  # the test database reaches the replica with the WAL that created it
        try:
            replica = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname=database)
            break
        except psycopg2.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    replica.autocommit = True
    try:
        yield replica.cursor()
    finally:
        with contextlib.suppress(psycopg2.Error):
            replica.cursor().execute("SELECT pg_wal_replay_resume()")
        replica.close()


def caught_up(replica) -> None:
    """Wait until the replica has replayed everything the primary has written."""
    with connection.cursor() as cursor:
        # Where the next record goes: the tests commit asynchronously, so the position written lags behind it.
        cursor.execute("SELECT pg_current_wal_insert_lsn()::text")
        position = cursor.fetchone()[0]
    deadline = time.monotonic() + 60
    while True:
        replica.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [position])
        if replica.fetchone()[0]:
            return
        assert time.monotonic() < deadline, "the replica did not catch up within a minute"
        time.sleep(0.05)


def request(base: str, path: str, token: str | None = None, body: dict | None = None) -> tuple[int, dict]:
    headers = {"Accept": "application/json", **({"Authorization": f"Token {token}"} if token else {})}
    data = None
    if body is not None:
        data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
    call = urllib.request.Request(base + path, data=data, headers=headers, method="POST" if body else "GET")
    try:
        with urllib.request.urlopen(call, timeout=30) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, {}


def sees(base: str, name: str, token: str | None = None) -> bool:
    """Whether the client (anonymous, or with the token) finds the drug in the API's list."""
    status, body = request(base, f"/api/v1/drugs/?name={urllib.parse.quote(name)}", token)
    assert status == 200
    return [drug["name"] for drug in body["results"]] == [name]


def servers(port: int, **lag: str):
    """One web process reading from the replica, as configured in production."""
    return gunicorn(
        DATABASE_REPLICA_URLS=replica_url(port), DATABASE_REPLICA_CHECK_SECONDS="0", GUNICORN_WORKERS="1", **lag
    )


@pytest.fixture
def writer() -> str:
    user = get_user_model().objects.create_superuser("replica-writer", password="-")
    return AuthToken.objects.create(user)[1]


def test_reads_go_to_the_replica_and_a_client_reads_its_own_writes(replica_port, writer):
    with on_the_replica(replica_port) as replica, servers(replica_port, DATABASE_REPLICA_MAX_LAG_SECONDS="600") as web:
        caught_up(replica)
        assert not sees(web, "Nitazene")
        replica.execute("SELECT pg_wal_replay_pause()")

        status, _ = request(web, "/api/v1/drugs/", writer, {"name": "Nitazene", "group": m.DrugGroup.values[0]})
        assert status == 201
        assert sees(web, "Nitazene", writer)  # the writer is pinned to the primary
        assert not sees(web, "Nitazene")  # another client reads the replica, which has not replayed it
        csv = urllib.request.urlopen(f"{web}/api/v1/drugs/?format=csv", timeout=30).read().decode()
        assert "Nitazene" not in csv and "name" in csv  # a streamed export reads the replica too

        replica.execute("SELECT pg_wal_replay_resume()")
        caught_up(replica)
        assert sees(web, "Nitazene")


def test_a_replica_too_far_behind_is_left_out_until_it_catches_up(replica_port, writer):
    with on_the_replica(replica_port) as replica, servers(replica_port, DATABASE_REPLICA_MAX_LAG_SECONDS="1") as web:
        caught_up(replica)
        replica.execute("SELECT pg_wal_replay_pause()")
        m.Drug.objects.create(name="Xylazine", group=m.DrugGroup.values[0])
        time.sleep(1.5)  # the replica is now more than a second behind
        assert sees(web, "Xylazine")  # read from the primary
        m.Drug.objects.filter(name="Xylazine").update(description="An animal tranquilliser.")
        replica.execute("SELECT pg_wal_replay_resume()")
        caught_up(replica)
        status, body = request(web, "/api/v1/drugs/?name=Xylazine")
        assert status == 200 and body["results"][0]["description"] == "An animal tranquilliser."


def test_a_replica_that_cannot_be_reached_leaves_reads_to_the_primary(replica_port):
    m.Drug.objects.create(name="Fentanyl analogue", group=m.DrugGroup.values[0])
    with servers(replica_port + 1) as web:  # nothing listens there: a replica that is down
        assert sees(web, "Fentanyl analogue")
        status, _ = request(web, "/healthz")
        assert status == 200
