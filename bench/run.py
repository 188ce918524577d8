#!/usr/bin/env python
"""Benchmarks against the database's own limits (issue 8), run by hand on a database of synthetic data.

It starts gunicorn itself on a loopback port (production settings, ``--workers`` sync workers), runs the
benchmarks chosen with ``--bench``, prints one table per benchmark and stops gunicorn. Every measurement is
interleaved with its baseline (baseline, product, baseline, product, ...) and repeated ``--repeat`` times, so
that load from other processes on the machine weighs on both alike; the figures are medians.

- ``export``: the agreements' CSV export over HTTP, unfiltered and filtered: time, time to the first byte and
  to the first record (after the header line), peak worker RSS; against the best hand-written SELECT for the
  same bytes (each relation aggregated once, ``GROUP BY`` the agreement, joined once; ``handwritten_sql``):
  ``COPY (...) TO STDOUT`` into a null sink through psycopg (PostgreSQL), Python's ``sqlite3`` cursor into
  ``csv.writer`` (SQLite). Both sides' bytes are hashed and compared.
- ``list``: a filtered page of 100 agreements (nested parties, areas, signatories, citations): median and
  p99 latency against a hand-written ``.values()`` + ``JsonResponse`` view (``bench_urls.py``), and the
  number of queries at page sizes 10, 100 and 1000.
- ``filtered``: the list filtered by country, region, status and date range: median latency of the default
  page (50), the matching rows, and the query plan of the page's query (EXPLAIN ANALYZE on PostgreSQL).
- ``throughput``: requests per second of the list endpoint (and of the hand-written view) under ``wrk``.
- ``import``: new agreements (two parties and a citation each) imported by the CSV import, rows per second
  and peak RSS at each ``--import-rows``, against ``COPY FROM`` of the same rows into the same tables
  (PostgreSQL; ``bench/import_rows.py``).
- ``dossier``: a country's explorer page (its records kind by kind, partners, timeline: issue 15) and its
  timeline page, against the API's JSON list page of the same country's agreements (``?country=XX``, the
  default page): median and p99 latency, the page's queries, and the answer to a revalidation (``304``).

    createdb -h 127.0.0.1 -U postgres coop_bench
    .venv/bin/python bench/run.py --database-url postgres://postgres@127.0.0.1:5432/coop_bench --scale 100000
    .venv/bin/python bench/run.py --database-url sqlite:////tmp/coop_bench.sqlite3 --bench list filtered
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
BENCH = PROJECT / "bench"
PYTHON = sys.executable
BENCHMARKS = ("export", "package", "list", "filtered", "throughput", "import", "dossier")

EXPORTS = {
    "unfiltered": "",
    "filtered (country=PE)": "country=PE",
}
LIST_QUERY = "country=PE&limit=100"
FILTERS = {
    "country=PE": "country=PE",
    "country=FI (a median country)": "country=FI",
    "region=419 (Latin America)": "region=419",
    "status=terminated": "status=terminated",
    "date range (2012)": "date_from=2012-01-01&date_to=2012-12-31",
    "all four": "country=PE&region=419&status=signed&date_from=2012-01-01&date_to=2014-12-31",
}

#: Countries whose dossier is measured: the most frequent party (about a quarter of the agreements) and Peru.
DOSSIERS = ("US", "PE")


# --- Environment and server -----------------------------------------------------------------------------
def environment(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "PYTHONPATH": os.pathsep.join([str(BENCH), str(PROJECT)]),
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_CONN_MAX_AGE": "60",
        "LOG_LEVEL": "WARNING",
        # One client sends everything on purpose: the API's rate limits (where the code has them) stay off.
        "API_THROTTLE_ANON": "off",
        "API_THROTTLE_USER": "off",
    }


def setup_django(env: dict[str, str]) -> None:
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "SECRET_KEY", "ALLOWED_HOSTS",
                                           "SECURE_SSL_REDIRECT", "DATABASE_CONN_MAX_AGE", "LOG_LEVEL",
                                           "API_THROTTLE_ANON", "API_THROTTLE_USER")})  # fmt: skip
    sys.path[:0] = [str(BENCH), str(PROJECT)]
    import django

    django.setup()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn on a loopback port, started and stopped by the benchmark."""

    def __init__(self, env: dict[str, str], workers: int):
        self.env, self.workers, self.port = env, workers, free_port()
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        self.process = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(self.workers), "--timeout", "600", "--graceful-timeout", "10"],
            cwd=PROJECT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        for _ in range(300):
            try:
                status, _ = get(self.port, "/healthz")
                if status == 200 and len(self.worker_pids()) == self.workers:
                    return self
            except OSError:
                pass
            if self.process.poll() is not None:
                raise SystemExit("gunicorn did not start:\n" + self.process.stderr.read())
            time.sleep(0.1)
        raise SystemExit("gunicorn did not answer in 30 s")

    def __exit__(self, *exc) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def worker_pids(self) -> list[int]:
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children")
        return [int(p) for p in children.read_text().split()] if children.exists() else []

    def warm(self, path: str, times: int = 3) -> None:
        for _ in range(times * self.workers):
            get(self.port, path)


def get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body


def timed_get(port: int, path: str, header_bytes: int = 0) -> dict:
    """Total time, time to the first body byte and to the first byte past ``header_bytes``, size."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    connection.request("GET", path, headers={"Accept": "text/csv" if "format=csv" in path else "application/json"})
    response = connection.getresponse()
    size, first_byte, first_record, digest = 0, None, None, hashlib.sha256()
    while chunk := response.read1(1 << 20):
        now = time.perf_counter()
        size += len(chunk)
        digest.update(chunk)
        if first_byte is None:
            first_byte = now - started
        if first_record is None and size > header_bytes:
            first_record = now - started
    total = time.perf_counter() - started
    connection.close()
    if response.status != 200:
        raise SystemExit(f"GET {path}: {response.status}")
    return {
        "time": total,
        "ttfb": first_byte,
        "first_record": first_record,
        "bytes": size,
        "sha256": digest.hexdigest(),
    }


# --- Measuring ------------------------------------------------------------------------------------------
def median(values) -> float:
    return statistics.median(values) if values else float("nan")


def percentile(values, fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


def rss_reset(pids: list[int]) -> bool:
    """Reset the peak RSS (VmHWM) of the workers; False where the kernel does not let us."""
    try:
        for pid in pids:
            Path(f"/proc/{pid}/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def rss_peak(pids: list[int]) -> float:
    """The largest peak RSS (MiB) among the workers."""
    peaks = []
    for pid in pids:
        match = re.search(r"VmHWM:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
        peaks.append(int(match.group(1)) / 1024)
    return max(peaks)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def table(headers: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


# --- Export -----------------------------------------------------------------------------------------------
def export_queryset(query: str):
    """The agreements' resource and the queryset the API exports for the filter, in id order."""
    from django.http import QueryDict

    from cooperation import models as m
    from cooperation.resources import resource_of

    resource = resource_of(m.Agreement)
    filterset = resource.filterset_class(QueryDict(query), queryset=m.Agreement.objects.all())
    if not filterset.is_valid():
        raise SystemExit(f"bad filter {query}: {filterset.errors}")
    return resource, filterset.qs.order_by("pk")


def handwritten_sql(query: str) -> tuple[str, tuple, bytes]:
    """The best single SELECT for the export's bytes, written out here apart from the product's (exports.py):
    the records' own cells, and each many-valued column aggregated once per relation (``GROUP BY`` the
    agreement, restricted to the filtered agreements when filtered, whose ids a materialised CTE holds so that the
    filter runs once) and joined once. The text of each cell
    (natural keys, formula escaping, JSON members) is the column's own expression, so that the bytes can
    match. Also the header line the file starts with."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.db.models import F
    from django.db.models.expressions import RawSQL

    from cooperation.tabular.exports import header_line

    resource, queryset = export_queryset(query)
    postgres = connection.vendor == "postgresql"
    cells, selected, joins, join_params = {}, [], [], []
    head, head_params = "", ()
    if queryset.query.where:  # the filter evaluated once, its ids read by the records and every relation
        ids = queryset.order_by().annotate(chosen_id=F("pk")).values("chosen_id")
        ids_sql, head_params = ids.query.sql_with_params()
        head = f"WITH chosen AS MATERIALIZED ({ids_sql}) "
        chosen = RawSQL("SELECT chosen_id FROM chosen", ())
        queryset = queryset.model.objects.filter(pk__in=chosen)
    unsupported = None
    for i, column in enumerate(resource.columns):
        if column.name == "unsupported_fields":  # from the citations' supports and the cells: see below
            unsupported = i
            selected.append(None)
            continue
        if not hasattr(column, "relation_rows"):
            cells[f"c{i}"] = column.select(True)
            selected.append(f"r.c{i}")
            continue
        rows = column.relation_rows(True)
        part = rows.queryset
        if head:
            part = part.filter(**{f"{rows.owner}__in": chosen})
        owner = rows.owner_column
        part = part.order_by() if postgres else part.order_by(owner, *part.query.order_by)
        part = part.values(o=F(owner), **{k: v if v is not None else F(k) for k, v in rows.values.items()})
        if rows.distinct:
            part = part.distinct()
        sql, params = part.query.sql_with_params()
        if postgres:
            cell = (
                "json_agg(v.value ORDER BY v.sort_key)::text"
                if rows.as_json
                else "string_agg(v.value, '|' ORDER BY v.sort_key)"
            )
        else:  # SQLite aggregates in the order the rows come
            cell = "json_group_array(json(v.value))" if rows.as_json else "group_concat(v.value, '|')"
        joins.append(f"LEFT JOIN (SELECT v.o, {cell} AS cell FROM ({sql}) v GROUP BY v.o) a{i} ON a{i}.o = r.pk_")
        join_params += params
        selected.append(f"a{i}.cell" if postgres or not rows.as_json else f"COALESCE(a{i}.cell, '[]')")
    if unsupported is not None:
        # The facts with a value (a list: not empty) that no citation's supports names: the words of every
        # citation of the agreement joined once, each fact looked up in them.
        ct = ContentType.objects.get_for_model(queryset.model).pk
        restricted = " AND object_id IN (SELECT chosen_id FROM chosen)" if head else ""
        joins.append(
            f"LEFT JOIN (SELECT object_id AS o, {'string_agg' if postgres else 'group_concat'}(supports, ' ') AS words"
            f" FROM cooperation_citation WHERE content_type_id = {ct} AND supports <> ''{restricted}"
            " GROUP BY object_id) s ON s.o = r.pk_"
        )
        find = "strpos" if postgres else "instr"
        by_name = {column.name: sql for column, sql in zip(resource.columns, selected, strict=True)}
        facts = []
        for name in resource.supportable:
            value = by_name[name] if by_name[name].startswith("r.") else f"NULLIF({by_name[name]}, '[]')"
            facts.append(
                f"CASE WHEN {value} IS NOT NULL AND {find}(' ' || COALESCE(s.words, '') || ' ', ' {name} ') = 0"
                f" THEN '{name}|' ELSE '' END"
            )
        selected[unsupported] = f"NULLIF(rtrim({' || '.join(facts)}, '|'), '')"
    records, params = (
        queryset.order_by().annotate(pk_=F("pk"), **cells).values_list("pk_", *cells).query.sql_with_params()
    )
    statement = f"{head}SELECT {', '.join(selected)} FROM ({records}) r {' '.join(joins)} ORDER BY r.pk_"
    return statement, (*head_params, *params, *join_params), header_line(resource, "\n" if postgres else "\r\n")


class NullSink:
    """Where the baseline writes: counts, hashes, and notes when the first byte came."""

    def __init__(self, started: float, header: bytes = b""):
        self.started, self.first, self.size, self.digest = started, None, 0, hashlib.sha256(header)
        self.size = len(header)

    def write(self, data) -> None:
        if self.first is None:
            self.first = time.perf_counter() - self.started
        data = data.encode() if isinstance(data, str) else data
        self.size += len(data)
        self.digest.update(data)

    def result(self) -> dict:
        elapsed = time.perf_counter() - self.started
        return {"time": elapsed, "ttfb": self.first, "first_record": self.first, "bytes": self.size,
                "sha256": self.digest.hexdigest()}  # fmt: skip


def copy_baseline(sql: str, params: tuple, header: bytes) -> dict:
    """psycopg's COPY of the hand-written SELECT into a null sink: the most PostgreSQL can hand out."""
    from django.db import connection

    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        statement = cursor.mogrify(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params).decode()
        sink = NullSink(time.perf_counter(), header)
        cursor.copy_expert(statement, sink, size=64 * 1024)
    return sink.result()


def sqlite_baseline(sql: str, params: tuple, header: bytes, database: str) -> dict:
    """Python's sqlite3 (a connection of its own) reading the hand-written SELECT into csv.writer, in blocks."""
    import csv
    import io
    import sqlite3

    database_connection = sqlite3.connect(database)
    try:
        sink = NullSink(time.perf_counter(), header)
        # Django writes parameters as %s and a literal % as %%; sqlite3 takes ? (as Django's cursor converts).
        cursor = database_connection.execute(re.sub(r"(?<!%)%s", "?", sql).replace("%%", "%"), params)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        while rows := cursor.fetchmany(500):
            writer.writerows(rows)
            if buffer.tell() >= 256 * 1024:
                sink.write(buffer.getvalue().encode())
                buffer.seek(0)
                buffer.truncate()
        sink.write(buffer.getvalue().encode())
        return sink.result()
    finally:
        database_connection.close()


def bench_export(server: Server, options, results: dict) -> None:
    from django.db import connection

    database = connection.settings_dict["NAME"]
    rows = []
    for label, query in EXPORTS.items():
        sql, params, header = handwritten_sql(query)
        path = "/api/v1/agreements/?format=csv" + (f"&{query}" if query else "")
        measured = {"baseline": [], "export": [], "rss": []}
        for _ in range(options.repeat):
            if connection.vendor == "postgresql":
                measured["baseline"].append(copy_baseline(sql, params, header))
            else:
                measured["baseline"].append(sqlite_baseline(sql, params, header, database))
            pids = server.worker_pids()
            exact = rss_reset(pids)
            measured["export"].append(timed_get(server.port, path, len(header)))
            measured["rss"].append(rss_peak(pids))
            print(f"  {label}: hand-written {measured['baseline'][-1]['time']:.2f} s, export "
                  f"{measured['export'][-1]['time']:.2f} s, load {os.getloadavg()[0]:.1f}", flush=True)  # fmt: skip
        base, ours = measured["baseline"], measured["export"]
        identical = {r["sha256"] for r in base} == {r["sha256"] for r in ours} and len({r["sha256"] for r in ours}) == 1
        row = {
            "export": label,
            "bytes": median(r["bytes"] for r in ours),
            "baseline_bytes": median(r["bytes"] for r in base),
            "identical": identical,
            "baseline_s": median(r["time"] for r in base),
            "export_s": median(r["time"] for r in ours),
            "ratio": median(o["time"] / b["time"] for o, b in zip(ours, base, strict=True)),
            "ttfb_s": median(r["ttfb"] for r in ours),
            "first_record_s": median(r["first_record"] for r in ours),
            "baseline_first_s": median(r["ttfb"] for r in base),
            "rss_mib": max(measured["rss"]),
            "rss_exact": exact,
            "runs": len(ours),
            "load_average": os.getloadavg(),
        }
        results.setdefault("export", []).append(row)
        rows.append([
            label, f"{row['bytes'] / 2**20:.0f} MiB", "yes" if identical else "**NO**", f"{row['baseline_s']:.2f}",
            f"{row['export_s']:.2f}", f"{row['ratio']:.2f}×", ms(row["ttfb_s"]), ms(row["first_record_s"]),
            ms(row["baseline_first_s"]), f"{row['rss_mib']:.0f}" + ("" if exact else " (lifetime)"),
        ])  # fmt: skip
    name = "COPY of hand-written SQL" if connection.vendor == "postgresql" else "sqlite3 + csv of hand-written SQL"
    print(f"\nCSV export of agreements over HTTP against {name} ({options.repeat} runs each, alternating, medians;"
          f" load average now {os.getloadavg()[0]:.1f})\n")  # fmt: skip
    print(table(["export", "size", "same bytes", "hand-written s", "HTTP s", "× hand-written", "first byte ms",
                 "first record ms", "hand-written first byte ms", "peak worker RSS MiB"], rows))  # fmt: skip


# --- Data package -------------------------------------------------------------------------------------------
def download(port: int, path: str, target: Path) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=3600)
    connection.request("GET", path)
    response = connection.getresponse()
    if response.status != 200:
        raise SystemExit(f"GET {path}: {response.status}")
    with target.open("wb") as file:
        while chunk := response.read1(1 << 20):
            file.write(chunk)
    connection.close()


def validate_package(server: Server, path: str, csv_path: str) -> dict:
    """The package as a client saves it: Frictionless' own validation of every table, and its agreements.csv
    holding every row of the agreements' CSV export (and the agreements those link to: the package is closed
    under its foreign keys)."""
    import csv
    import tempfile
    import zipfile

    from frictionless import validate

    with tempfile.TemporaryDirectory() as directory:
        directory = Path(directory)
        download(server.port, path, directory / "package.zip")
        download(server.port, csv_path, directory / "export.csv")
        zipfile.ZipFile(directory / "package.zip").extractall(directory / "package")
        started = time.perf_counter()
        report = validate(directory / "package" / "datapackage.json")
        seconds = time.perf_counter() - started
        with (directory / "package" / "agreements.csv").open(newline="") as packaged:
            packaged_ids = [row["id"] for row in csv.DictReader(packaged)]
        with (directory / "export.csv").open(newline="", encoding="utf-8-sig") as exported:
            exported_ids = [row["id"] for row in csv.DictReader(exported)]
    errors = report.flatten(["resourceName", "rowNumber", "fieldName", "note"])[:5]
    return {"valid": report.valid, "errors": errors, "validate_s": seconds,
            "covers_export": set(exported_ids) <= set(packaged_ids), "agreements": len(packaged_ids),
            "exported": len(exported_ids)}  # fmt: skip


def bench_package(server: Server, options, results: dict) -> None:
    """The data package of the agreements (``resource=agreements``: the agreements and what they refer to, every
    table) against the agreements' CSV export of the same rows, alternating; with ``--package-validate``, the
    package is also saved and checked as a researcher would (frictionless validate)."""
    rows = []
    for label, query in EXPORTS.items():
        package_path = "/api/v1/package/?resource=agreements" + (f"&{query}" if query else "")
        csv_path = "/api/v1/agreements/?format=csv" + (f"&{query}" if query else "")
        measured = {"csv": [], "package": [], "rss": []}
        for _ in range(options.repeat):
            measured["csv"].append(timed_get(server.port, csv_path))
            pids = server.worker_pids()
            exact = rss_reset(pids)
            measured["package"].append(timed_get(server.port, package_path))
            measured["rss"].append(rss_peak(pids))
            print(f"  {label}: CSV {measured['csv'][-1]['time']:.2f} s, package "
                  f"{measured['package'][-1]['time']:.2f} s, load {os.getloadavg()[0]:.1f}", flush=True)  # fmt: skip
        base, ours = measured["csv"], measured["package"]
        row = {
            "selection": label,
            "csv_bytes": median(r["bytes"] for r in base),
            "package_bytes": median(r["bytes"] for r in ours),
            "csv_s": median(r["time"] for r in base),
            "package_s": median(r["time"] for r in ours),
            "ratio": median(o["time"] / b["time"] for o, b in zip(ours, base, strict=True)),
            "ttfb_s": median(r["ttfb"] for r in ours),
            "rss_mib": max(measured["rss"]),
            "rss_exact": exact,
            "load_average": os.getloadavg(),
        }
        if options.package_validate:
            row |= validate_package(server, package_path, csv_path)
            print(f"  {label}: valid {row['valid']} ({row['validate_s']:.0f} s), agreements {row['agreements']:,}"
                  f" ({row['exported']:,} exported, all in it: {row['covers_export']}) {row['errors'] or ''}",
                  flush=True)  # fmt: skip
        results.setdefault("package", []).append(row)
        rows.append([
            label, f"{row['csv_bytes'] / 2**20:.1f} MiB", f"{row['package_bytes'] / 2**20:.1f} MiB",
            f"{row['csv_s']:.2f}", f"{row['package_s']:.2f}", f"{row['ratio']:.2f}×", ms(row["ttfb_s"]),
            f"{row['rss_mib']:.0f}" + ("" if exact else " (lifetime)"),
            {True: "yes", False: "**NO**", None: "not checked"}[row.get("valid")],
        ])  # fmt: skip
    print(f"\nData package of the agreements against their CSV export ({options.repeat} runs each, alternating, "
          f"medians; load average now {os.getloadavg()[0]:.1f})\n")  # fmt: skip
    print(table(["selection", "CSV export", "package (zip)", "CSV s", "package s", "× CSV", "package first byte ms",
                 "peak worker RSS MiB", "frictionless valid"], rows))  # fmt: skip


# --- List ---------------------------------------------------------------------------------------------------
def recorder(executed: list):
    """A database execute wrapper that appends each (sql, params) to ``executed``."""

    def record(execute, sql, params, many, context):
        executed.append((sql, params))
        return execute(sql, params, many, context)

    return record


def query_counts() -> dict[int, int]:
    from django.db import connection
    from django.test import Client

    client, counts = Client(), {}
    for size in (10, 100, 1000):
        executed: list = []
        with connection.execute_wrapper(recorder(executed)):
            response = client.get(f"/api/v1/agreements/?country=PE&limit={size}", HTTP_HOST="127.0.0.1")
        assert response.status_code == 200, response.content[:300]
        counts[size] = len(executed)
    return counts


def bench_list(server: Server, options, results: dict) -> None:
    product, raw = f"/api/v1/agreements/?{LIST_QUERY}", f"/bench/raw/agreements/?{LIST_QUERY}"
    status, body = get(server.port, product)
    status_raw, body_raw = get(server.port, raw)
    if body != body_raw:
        raise SystemExit(f"the hand-written view does not give the product's bytes for ?{LIST_QUERY}")
    server.warm(product)
    server.warm(raw)
    times: dict[str, list[float]] = {"product": [], "raw": []}
    for _ in range(options.repeat * options.requests):
        times["raw"].append(timed_get(server.port, raw)["time"])
        times["product"].append(timed_get(server.port, product)["time"])
    counts = query_counts()
    row = {
        "query": LIST_QUERY,
        "product_median_ms": median(times["product"]) * 1000,
        "product_p99_ms": percentile(times["product"], 0.99) * 1000,
        "raw_median_ms": median(times["raw"]) * 1000,
        "raw_p99_ms": percentile(times["raw"], 0.99) * 1000,
        "ratio": median(times["product"]) / median(times["raw"]),
        "product_bytes": len(body),
        "raw_bytes": len(body_raw),
        "queries_by_page_size": counts,
        "requests": len(times["product"]),
        "same_bytes": body == body_raw,
    }
    results["list"] = row
    print(f"\nList endpoint, page of 100, ?{LIST_QUERY} ({row['requests']} requests each, interleaved; "
          f"same bytes: {'yes' if row['same_bytes'] else 'NO'})\n")  # fmt: skip
    print(table(
        ["view", "median ms", "p99 ms", "body bytes"],
        [["API (DRF)", f"{row['product_median_ms']:.1f}", f"{row['product_p99_ms']:.1f}", len(body)],
         ["hand-written .values()", f"{row['raw_median_ms']:.1f}", f"{row['raw_p99_ms']:.1f}", len(body_raw)]],
    ))  # fmt: skip
    print(f"\nratio of medians: {row['ratio']:.2f}×; queries at limit=10/100/1000: "
          f"{'/'.join(str(c) for c in counts.values())}")  # fmt: skip


# --- Filtered list ------------------------------------------------------------------------------------------
def page_query_plan(query: str) -> tuple[str, int]:
    """The plan of the page's main query as the API runs it, and the number of matching agreements."""
    from django.db import connection
    from django.http import QueryDict
    from django.test import Client

    from cooperation import models as m
    from cooperation.resources import resource_of

    executed: list = []
    with connection.execute_wrapper(recorder(executed)):
        Client().get(f"/api/v1/agreements/?{query}", HTTP_HOST="127.0.0.1")
    sql, params = next((s, p) for s, p in executed if s.startswith('SELECT "cooperation_agreement"."id"'))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = "\n".join(" ".join(str(c) for c in row[1:]) for row in cursor.fetchall())
    filterset = resource_of(m.Agreement).filterset_class(QueryDict(query), queryset=m.Agreement.objects.all())
    return plan, filterset.qs.count()


def bench_filtered(server: Server, options, results: dict) -> None:
    paths = {label: f"/api/v1/agreements/?{query}" for label, query in FILTERS.items()}
    raws = {label: f"/bench/raw/agreements/?{query}" for label, query in FILTERS.items()}
    same = {}
    for label in paths:
        server.warm(paths[label], times=1)
        server.warm(raws[label], times=1)
        same[label] = get(server.port, paths[label])[1] == get(server.port, raws[label])[1]
    times: dict[str, list[float]] = {label: [] for label in paths}
    raw_times: dict[str, list[float]] = {label: [] for label in paths}
    for _ in range(options.repeat * max(1, options.requests // 5)):
        for label, path in paths.items():
            raw_times[label].append(timed_get(server.port, raws[label])["time"])
            times[label].append(timed_get(server.port, path)["time"])
    rows = []
    for label, query in FILTERS.items():
        plan, matching = page_query_plan(query)
        row = {
            "filter": label,
            "query": query,
            "matching": matching,
            "median_ms": median(times[label]) * 1000,
            "p99_ms": percentile(times[label], 0.99) * 1000,
            "raw_median_ms": median(raw_times[label]) * 1000,
            "ratio": median(times[label]) / median(raw_times[label]),
            "same_bytes": same[label],
            "plan": plan,
            "requests": len(times[label]),
        }
        executed = re.search(r"Execution Time: ([\d.]+) ms", plan)
        row["page_query_ms"] = float(executed.group(1)) if executed else None
        results.setdefault("filtered", []).append(row)
        sql_ms = f"{row['page_query_ms']:.1f}" if executed else "–"
        same_bytes = "yes" if same[label] else "NO"
        rows.append([label, f"{matching:,}", f"{row['median_ms']:.1f}", f"{row['p99_ms']:.1f}",
                     f"{row['raw_median_ms']:.1f}", f"{row['ratio']:.2f}×", same_bytes, sql_ms])  # fmt: skip
    print(f"\nFiltered list, default page (50), against the hand-written view ({len(times[label])} requests each, "
          "interleaved)\n")  # fmt: skip
    print(table(["filter", "matching agreements", "median ms", "p99 ms", "hand-written median ms", "× hand-written",
                 "same bytes", "page query ms (EXPLAIN ANALYZE)"], rows))  # fmt: skip
    for row in results["filtered"]:
        print(f"\n{row['filter']}: ?{row['query']}\n{row['plan']}")


# --- Throughput ------------------------------------------------------------------------------------------
def wrk(port: int, path: str, seconds: int, connections: int) -> dict:
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "60s", "--latency", f"http://127.0.0.1:{port}{path}"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    latency = re.search(r"50%\s+([\d.]+)(us|ms|s)", output)
    factor = {"us": 0.001, "ms": 1, "s": 1000}[latency.group(2)]
    return {"rps": rate, "p50_ms": float(latency.group(1)) * factor, "non_2xx": int(errors.group(1)) if errors else 0}


def bench_throughput(server: Server, options, results: dict) -> None:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")
    paths = {
        "API list": f"/api/v1/agreements/?{LIST_QUERY}",
        "hand-written view": f"/bench/raw/agreements/?{LIST_QUERY}",
        "health check (trivial view)": "/healthz",
    }
    measured: dict[str, list[dict]] = {label: [] for label in paths}
    for _ in range(options.repeat):
        for label, path in paths.items():
            measured[label].append(wrk(server.port, path, options.wrk_seconds, options.wrk_connections))
            server.warm("/healthz", times=2)  # the requests wrk left queued finish before the next run
    rows = []
    for label, runs in measured.items():
        row = {
            "endpoint": label,
            "path": paths[label],
            "rps": median(r["rps"] for r in runs),
            "p50_ms": median(r["p50_ms"] for r in runs),
            "non_2xx": sum(r["non_2xx"] for r in runs),
        }
        results.setdefault("throughput", []).append(row)
        rows.append([label, f"{row['rps']:.1f}", f"{row['p50_ms']:.1f}", row["non_2xx"]])
    print(f"\nThroughput under wrk -t2 -c{options.wrk_connections} -d{options.wrk_seconds}s, {options.workers} "
          f"gunicorn sync workers (median of {options.repeat})\n")  # fmt: skip
    print(table(["endpoint", "req/s", "p50 ms", "non-2xx"], rows))


# --- Import -----------------------------------------------------------------------------------------------
def bench_import(server, options, results: dict) -> None:
    """The CSV import of new agreements against COPY FROM of the rows it stores (``bench/import_rows.py``):
    each measurement in a process of its own (its peak RSS is its own), COPY and import alternating."""
    import tempfile

    from django.db import connection
    from import_rows import write_rows

    if connection.vendor != "postgresql":
        print("\n## Import\n\nOn PostgreSQL only (the baseline is COPY FROM).")
        return
    env = environment(options.database_url)
    rows_out, figures = [], {}
    for count in options.import_rows:
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "agreements.csv"
            runs = {"copy": [], "product": []}
            for repetition in range(options.import_repeat):
                write_rows(path, count, f"{os.getpid()}-{repetition}")
                for kind in ("copy", "product"):
                    done = subprocess.run(
                        [PYTHON, str(BENCH / "import_rows.py"), kind, str(path)],
                        cwd=PROJECT, env=env, check=True, capture_output=True, text=True,
                    )  # fmt: skip
                    runs[kind].append(json.loads(done.stdout.strip().splitlines()[-1]))
        copy_s = median([run["seconds"] for run in runs["copy"]])
        product_s = median([run["seconds"] for run in runs["product"]])
        figures[count] = {"runs": runs, "load_average": os.getloadavg()}
        rows_out.append(
            [
                f"{count:,}",
                f"{count / product_s:,.0f}",
                f"{count / median([run['cpu_seconds'] for run in runs['product']]):,.0f}",
                f"{product_s:.1f}",
                f"{count / copy_s:,.0f}",
                f"{product_s / copy_s:.1f}x",
                f"{median([run['queries'] for run in runs['product']]):,.0f}",
                f"{max(run['peak_rss_mib'] for run in runs['product']):.0f}",
                f"{os.getloadavg()[0]:.1f}",
            ]
        )
    results["import"] = figures
    print(f"\n## Import: new agreements, two parties and a citation each (median of {options.import_repeat})\n")
    headers = ["rows", "import rows/s", "rows per CPU s", "import s", "COPY rows/s", "x COPY", "queries"]
    print(table([*headers, "import peak RSS MiB", "load"], rows_out))
    print("\nrows per CPU s: rows over the import process's own CPU time (the machine may be shared).")


# --- Explorer dossier -------------------------------------------------------------------------------------
def explorer_queries(path: str) -> int:
    from django.db import connection
    from django.test import Client

    executed: list = []
    with connection.execute_wrapper(recorder(executed)):
        response = Client().get(path, HTTP_HOST="127.0.0.1")
    assert response.status_code == 200, (path, response.status_code)
    return len(executed)


def revalidation(port: int, path: str, tag: str) -> float:
    """The time of a GET that sends the page's ETag back (a browser's reload): a 304 with no body."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    connection.request("GET", path, headers={"If-None-Match": tag})
    response = connection.getresponse()
    response.read()
    connection.close()
    if response.status != 304:
        raise SystemExit(f"GET {path} with its ETag: {response.status}, not 304")
    return time.perf_counter() - started


def bench_dossier(server: Server, options, results: dict) -> None:
    """A country's dossier and its timeline page against the API's list of its agreements, interleaved."""
    from cooperation import models as m
    from cooperation.explorer.dossier import involving
    from cooperation.resources import RESOURCES

    rows = []
    for code in DOSSIERS:
        paths = {
            "API list (JSON)": f"/api/v1/agreements/?country={code}",
            "dossier": f"/countries/{code}/",
            "timeline": f"/timeline/?country={code}",
        }
        for path in paths.values():
            server.warm(path, times=1)
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
        connection.request("GET", paths["dossier"])
        answer = connection.getresponse()
        answer.read()
        tag = answer.getheader("ETag")
        connection.close()
        times: dict[str, list[float]] = {label: [] for label in [*paths, "dossier, 304"]}
        for _ in range(options.repeat * max(1, options.requests // 5)):
            for label, path in paths.items():
                times[label].append(timed_get(server.port, path)["time"])
            times["dossier, 304"].append(revalidation(server.port, paths["dossier"], tag))
        agreements = involving(RESOURCES["agreements"], code).count()
        baseline = median(times["API list (JSON)"])
        for label, values in times.items():
            path = paths.get(label, paths["dossier"])
            row = {
                "country": code,
                "agreements": agreements,
                "page": label,
                "path": path,
                "median_ms": median(values) * 1000,
                "p99_ms": percentile(values, 0.99) * 1000,
                "ratio": median(values) / baseline,
                "queries": explorer_queries(path) if label in ("dossier", "timeline") else None,
                "requests": len(values),
            }
            results.setdefault("dossier", []).append(row)
            rows.append([code, f"{agreements:,}", label, f"{row['median_ms']:.1f}", f"{row['p99_ms']:.1f}",
                         f"{row['ratio']:.2f}", row["queries"] if row["queries"] is not None else "–"])  # fmt: skip
    count = m.Agreement.objects.count()
    print(f"\nExplorer dossier against the API's list of the country's agreements ({count:,} agreements; "
          f"{rows and results['dossier'][0]['requests']} requests each, interleaved)\n")  # fmt: skip
    print(table(["country", "its agreements", "page", "median ms", "p99 ms", "x API list", "queries"], rows))


# --- Main -----------------------------------------------------------------------------------------------
COUNT_AGREEMENTS = "from cooperation.models import Agreement; print(Agreement.objects.count())"


def prepare(env: dict[str, str], scale: int) -> None:
    """Migrate, and unless the database holds ``scale`` agreements already, replace its synthetic data with
    ``generate_data --scale scale --clear`` (the seed and the reference data stay)."""
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=PROJECT, env=env, check=True)
    count = subprocess.run(
        [PYTHON, "manage.py", "shell", "--no-imports", "-v0", "-c", COUNT_AGREEMENTS],
        cwd=PROJECT, env=env, check=True, capture_output=True, text=True,
    ).stdout.split()[-1]  # fmt: skip
    if int(count) == scale:
        print(f"The database holds {scale:,} agreements already: not generating.")
        return
    generate = ["generate_data", "--scale", str(scale), "--clear"]
    subprocess.run([PYTHON, "manage.py", *generate], cwd=PROJECT, env=env, check=True)


def analyze() -> None:
    """Bring the planner's statistics up to date, as autovacuum would in production (the reference tables
    are written by migrations, which leave them unanalysed, and autovacuum may be off on a bench server)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def describe() -> dict:
    import django
    from django.db import connection

    from cooperation import models as m

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            database = "PostgreSQL " + cursor.fetchone()[0]
        else:
            cursor.execute("SELECT sqlite_version()")
            database = "SQLite " + cursor.fetchone()[0]
    return {
        "database": database,
        "agreements": m.Agreement.objects.count(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "load_average": os.getloadavg(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="A database of its own, with synthetic data.")
    parser.add_argument("--scale", "--prepare", type=int, metavar="N", dest="scale",
                        help="First migrate and, unless it holds N agreements already, fill the database "
                             "with generate_data --scale N --clear.")  # fmt: skip
    parser.add_argument("--bench", nargs="+", choices=BENCHMARKS, default=list(BENCHMARKS))
    parser.add_argument("--repeat", type=int, default=5, help="Repetitions of each measurement (default 5).")
    parser.add_argument("--requests", type=int, default=40, help="List requests per repetition (default 40).")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2).")
    parser.add_argument("--wrk-seconds", type=int, default=10)
    parser.add_argument("--wrk-connections", type=int, default=4)
    parser.add_argument(
        "--import-rows",
        type=int,
        nargs="+",
        default=[10_000],
        metavar="N",
        help="Rows per import (default 10000); several sizes show whether memory stays flat.",
    )
    parser.add_argument("--package-validate", action="store_true",
                        help="Also save each data package and check it with frictionless (slow at 100k).")  # fmt: skip
    parser.add_argument("--import-repeat", type=int, default=3, help="Repetitions of each import (default 3).")
    parser.add_argument("--json", type=Path, help="Also write the figures to this file.")
    options = parser.parse_args()

    env = environment(options.database_url)
    if options.scale:
        prepare(env, options.scale)
    setup_django(env)
    analyze()
    results = {"machine": describe(), "command": " ".join(sys.argv)}
    info = results["machine"]
    print(f"{info['database']}, {info['agreements']:,} agreements; Python {info['python']}, Django "
          f"{info['django']}; {info['date']}; load average {info['load_average'][0]:.1f}")  # fmt: skip
    if "dossier" in options.bench:  # production's pages name their stylesheet by the collected manifest
        subprocess.run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=PROJECT, env=env, check=True)
    served = [name for name in options.bench if name != "import"]  # the import bench needs no server
    with Server(env, options.workers) if served else contextlib.nullcontext() as server:
        for name in options.bench:
            globals()[f"bench_{name}"](server, options, results)
    if options.json:
        options.json.write_text(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
