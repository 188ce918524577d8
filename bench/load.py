#!/usr/bin/env python
"""A bounded load test: gunicorn as shipped (gunicorn.conf.py) with several workers on PostgreSQL, driven by
many concurrent clients.

It builds a database of its own (migrations, the seed, ``generate_data --scale``), starts gunicorn on
loopback under production settings (``bench_settings``: production's, with the synthetic data app), and for
``--duration`` seconds has ``--clients`` threads send a mix of filtered lists, record reads, CSV exports,
creates and If-Match updates. Then it stops gunicorn and checks every acknowledged write against the
database's history: the record at the acknowledged version holds the acknowledged value.

It prints requests, p50/p99 latency per kind and the status codes, and exits non-zero on any 5xx, any
connection error, or any acknowledged write missing from the database.

    .venv/bin/python bench/load.py                      # 60 s, 32 clients, 4 workers, 5,000 agreements
    .venv/bin/python bench/load.py --duration 10 --clients 8 --workers 3 --scale 500     # the CI run
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
FILTERS = [
    "/api/v1/agreements/?status=signed&limit=100",
    "/api/v1/agreements/?country=PE&limit=50",
    "/api/v1/agreements/?region=419&date_from=2012-01-01&date_to=2014-12-31&limit=100",
    "/api/v1/agreements/?q=cooperation&ordering=-updated_at&limit=20",
    "/api/v1/trafficking-routes/?drug=cocaine&destination=RU",
    "/api/v1/assessments/?region=150",
    "/api/v1/events/?date_from=2012-10-01&date_to=2012-10-31",
    "/api/v1/countries/?region=005",
    "/api/v1/citations/?record_type=agreement&limit=200",
]
EXPORTS = [
    "/api/v1/agreements/?format=csv&country=PE&status=announced",
    "/api/v1/trafficking-routes/?format=csv",
    "/api/v1/assessments/?format=csv&region=150",
]
SOURCE_URL = "https://insightcrime.org/news/brief/russia-influence-latin-america-drug-war/"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env: dict, *args: str, capture: bool = False) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=PROJECT, env=env, check=True, text=True, capture_output=capture
    )
    return result.stdout if capture else ""


def recreate_database(url: str) -> None:
    import psycopg2

    parsed = urllib.parse.urlparse(url)
    name = parsed.path.lstrip("/")
    admin = psycopg2.connect(
        host=parsed.hostname, port=parsed.port or 5432, user=parsed.username or "postgres",
        password=parsed.password or None, dbname="postgres",
    )  # fmt: skip
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    writes: list[tuple[int, int, str]] = field(default_factory=list)  # (agreement id, version, summary)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, status: int, seconds: float) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            self.statuses[(kind, status)] += 1


class Client:
    def __init__(self, port: int, token: str, stats: Stats, rng: random.Random, agreement_ids: list[int]):
        self.port, self.stats, self.rng, self.agreement_ids = port, stats, rng, agreement_ids
        self.headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.mine: list[int] = []

    def request(self, kind: str, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        payload = json.dumps(body).encode() if body is not None else None
        all_headers = {**self.headers, **(headers or {})}
        if payload is not None:
            all_headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=payload, headers=all_headers)
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            with self.stats.lock:
                self.stats.failures.append(f"{kind} {method} {path}: {error!r}")
            return None, None, b""
        self.stats.record(kind, response.status, time.perf_counter() - started)
        if response.status >= 500:
            with self.stats.lock:
                self.stats.failures.append(f"{kind} {method} {path}: {response.status} {data[:200]!r}")
        return response.status, response, data

    def create(self) -> None:
        summary = f"created {secrets.token_hex(6)}"
        body = {
            "title": f"Load test agreement {secrets.token_hex(4)}",
            "kind": "memorandum_of_understanding",
            "status": "signed",
            "signed": "2013",
            "summary": summary,
            "areas": ["training"],
            "parties": [{"country": "PE"}, {"country": self.rng.choice(["RU", "CO", "EC", "NI"])}],
            "citations": [{"source": SOURCE_URL, "quote": "Ivanov also announced plans", "locator": "para. 4"}],
        }
        status, response, data = self.request("create", "POST", "/api/v1/agreements/", body)
        if status == 201:
            record = json.loads(data)
            self.mine.append(record["id"])
            with self.stats.lock:
                self.stats.writes.append((record["id"], record["version"], summary))

    def update(self) -> None:
        # Half the updates go to records every client shares (conflicts expected), half to this client's own.
        pool = self.mine if self.mine and self.rng.random() < 0.5 else self.agreement_ids
        record_id = self.rng.choice(pool)
        status, response, data = self.request("read", "GET", f"/api/v1/agreements/{record_id}/")
        if status != 200:
            return
        summary = f"updated {secrets.token_hex(6)}"
        status, response, data = self.request(
            "update",
            "PATCH",
            f"/api/v1/agreements/{record_id}/",
            {"summary": summary},
            {"If-Match": response.getheader("ETag")},
        )
        if status == 200:
            with self.stats.lock:
                self.stats.writes.append((record_id, json.loads(data)["version"], summary))

    def step(self) -> None:
        roll = self.rng.random()
        if roll < 0.40:
            self.request("list", "GET", self.rng.choice(FILTERS))
        elif roll < 0.60:
            self.request("read", "GET", f"/api/v1/agreements/{self.rng.choice(self.agreement_ids)}/")
        elif roll < 0.68:
            self.request("export", "GET", self.rng.choice(EXPORTS), headers={"Accept": "text/csv"})
        elif roll < 0.88:
            self.update()
        else:
            self.create()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def check_writes(env: dict, writes: list[tuple[int, int, str]]) -> list[str]:
    """Every acknowledged write is in the history at its version with its value."""
    os.environ.update({k: v for k, v in env.items() if k in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")})
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.development"
    sys.path.insert(0, str(PROJECT))
    import django

    django.setup()
    from cooperation.models import Agreement

    wanted = {(record_id, version): summary for record_id, version, summary in writes}
    history = Agreement.history.filter(id__in={record_id for record_id, _ in wanted})
    found = {(row.id, row.version): row.summary for row in history.only("id", "version", "summary")}
    return [
        f"agreement {record_id} version {version}: acknowledged {summary!r}, stored {found.get((record_id, version))!r}"
        for (record_id, version), summary in wanted.items()
        if found.get((record_id, version)) != summary
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=60, help="Seconds of load (default 60).")
    parser.add_argument("--clients", type=int, default=32, help="Concurrent clients (default 32).")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes (default 4).")
    parser.add_argument("--scale", type=int, default=5000, help="Synthetic agreements to load first (default 5000).")
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/cooperation_load", help="A database of its own."
    )
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args()

    env = {
        **os.environ,
        "DATABASE_URL": options.database_url,
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "PYTHONPATH": os.pathsep.join([str(PROJECT / "bench"), str(PROJECT)]),
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_CONN_MAX_AGE": "60",
        # The clients are few machines sending a lot on purpose: do not let the throttles refuse them.
        "API_THROTTLE_ANON": "1000000/minute",
        "API_THROTTLE_USER": "1000000/minute",
        "LOG_LEVEL": "WARNING",
    }
    print(f"Preparing {options.database_url} (scale {options.scale}) ...", flush=True)
    recreate_database(options.database_url)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_seed", "-v0")
    if options.scale:
        manage(env, "generate_data", "--scale", str(options.scale), "--seed", str(options.seed), "-v0")
    manage(env, "shell", "--no-imports", "-v0", "-c", LOAD_USER)
    token = manage(env, "create_api_token", "load-editor", "--days", "1", capture=True).strip().splitlines()[-1]
    ids = json.loads(
        manage(env, "shell", "--no-imports", "-v0", "-c", SOME_AGREEMENT_IDS, capture=True).splitlines()[-1]
    )

    port = free_port()
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
         "--workers", str(options.workers), "--graceful-timeout", "10"],
        cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        for _ in range(200):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                if server.poll() is not None:
                    print(server.stderr.read(), file=sys.stderr)
                    return 2
                time.sleep(0.1)

        stats = Stats()
        deadline = time.monotonic() + options.duration

        def run(number: int) -> None:
            client = Client(port, token, stats, random.Random(options.seed * 1000 + number), ids)
            while time.monotonic() < deadline:
                client.step()

        print(f"Load: {options.clients} clients, {options.workers} gunicorn workers, {options.duration:g} s",
              flush=True)  # fmt: skip
        started = time.monotonic()
        threads = [threading.Thread(target=run, args=(n,)) for n in range(options.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()

    missing = check_writes(env, stats.writes)
    total = sum(len(v) for v in stats.latencies.values())
    print(f"\n{total} requests in {elapsed:.1f} s ({total / elapsed:.0f} req/s)")
    print(f"{'kind':8} {'requests':>9} {'p50 ms':>8} {'p99 ms':>8}  statuses")
    for kind, values in sorted(stats.latencies.items()):
        codes = ", ".join(f"{status}: {count}" for (k, status), count in sorted(stats.statuses.items()) if k == kind)
        print(f"{kind:8} {len(values):9d} {percentile(values, 0.5) * 1000:8.1f} {percentile(values, 0.99) * 1000:8.1f}"
              f"  {codes}")  # fmt: skip
    every = [value for values in stats.latencies.values() for value in values]
    if every:
        print(f"{'all':8} {total:9d} {statistics.median(every) * 1000:8.1f} {percentile(every, 0.99) * 1000:8.1f}")
    server_errors = sum(count for (_, status), count in stats.statuses.items() if status >= 500)
    print(f"\nacknowledged writes: {len(stats.writes)}, missing from the database: {len(missing)}")
    print(f"server errors (5xx): {server_errors}, connection errors: {len(stats.failures) - server_errors}")
    for line in (stats.failures + missing)[:20]:
        print("  " + line)
    return 1 if stats.failures or missing or not stats.writes else 0


LOAD_USER = """
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
user, _ = get_user_model().objects.get_or_create(username="load-editor")
user.groups.add(Group.objects.get(name="editor"))
"""
SOME_AGREEMENT_IDS = """
import json
from cooperation.models import Agreement
print(json.dumps(list(Agreement.objects.order_by("id").values_list("id", flat=True)[:200])))
"""

if __name__ == "__main__":
    sys.exit(main())
