"""The CSV import's benchmark (``bench/run.py --bench import``): new agreements with two parties and a citation
each, imported by the product, against ``COPY FROM`` of the same rows into the same tables.

Each measurement runs in a process of its own, so that its peak RSS (``VmHWM``) is its own:

- ``product``: ``cooperation.tabular.imports.import_csv`` (what the API's import, the background jobs and the
  ``import_csv`` command run) reading the CSV file from disk: every rule checked, history written, in one
  transaction. It also counts the queries sent.
- ``copy``: the rows the import stores (the agreements, with their dates' bounds and duplicate keys; their
  parties; their citations), built beforehand and untimed, written with one ``COPY ... FROM STDIN`` per table
  through psycopg, after reserving the agreements' ids from their sequence: the most PostgreSQL takes in. No
  history, no checks: the floor, not a rival.

Both run inside a transaction that is rolled back at the end (so the database is left as it was and the runs
can be repeated): neither pays for a commit.

    .venv/bin/python bench/run.py --database-url postgres://postgres@127.0.0.1:5432/coop_bench --bench import \\
        --import-rows 10000 100000 --repeat 3
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
import time
from pathlib import Path

#: The source every generated row cites (created once in the benchmark's database if missing).
SOURCE_URL = "https://bench.example.org/import/register-of-agreements"
QUOTE = "The ministers signed the memorandum on maritime interdiction"
#: Pairs of parties are drawn from these countries.
COUNTRIES = ("PE", "CO", "BO", "EC", "BR", "AR", "CL", "PY", "UY", "VE", "MX", "GT", "HN", "PA", "CR", "US", "ES")
MONTHS = ("January", "March", "May", "July", "September", "November")


def write_rows(path: Path, rows: int, run: str) -> None:
    """``rows`` new agreements as the import reads them; titles carry ``run`` so that no two runs clash."""
    with path.open("w", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["title", "kind", "status", "signed", "summary", "parties", "citations"])
        for n in range(rows):
            first = COUNTRIES[n % len(COUNTRIES)]
            second = COUNTRIES[(n // len(COUNTRIES) + n + 1) % len(COUNTRIES)]
            if second == first:
                second = COUNTRIES[(COUNTRIES.index(first) + 1) % len(COUNTRIES)]
            parties = json.dumps([{"country": first}, {"country": second, "role": "signatory"}])
            citations = json.dumps([{"source": SOURCE_URL, "quote": QUOTE, "locator": f"entry {n + 1}"}])
            writer.writerow(
                [
                    f"Memorandum on maritime interdiction {run}-{n:07d}",
                    "memorandum_of_understanding",
                    "signed",
                    f"{MONTHS[n % len(MONTHS)]} {1995 + n % 30}",
                    "Joint patrols and the exchange of vessel tracking data.",
                    parties,
                    citations,
                ]
            )


def peak_rss_mib() -> float:
    match = re.search(r"VmHWM:\s+(\d+) kB", Path("/proc/self/status").read_text())
    return int(match.group(1)) / 1024


def ensure_source() -> None:
    from cooperation import models as m

    if not m.Source.objects.filter(url=SOURCE_URL).exists():
        m.Source.objects.create(url=SOURCE_URL, title="Register of agreements (benchmark)", kind="dataset")


def run_product(path: Path) -> dict:
    from django.db import connection, transaction

    from cooperation.resources import RESOURCES
    from cooperation.tabular.imports import import_csv

    queries = []

    def count(execute, sql, params, many, context):
        queries.append(1)
        return execute(sql, params, many, context)

    with transaction.atomic(), connection.execute_wrapper(count), path.open("rb") as stream:
        started, cpu = time.perf_counter(), time.process_time()
        result = import_csv(RESOURCES["agreements"], stream)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        transaction.set_rollback(True)
    if not result.ok:
        raise SystemExit(f"the import refused the rows: {result.errors[:3]}")
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,  # this process's own: the machine may be shared
        "rows": result.created,
        "queries": len(queries),
        "peak_rss_mib": peak_rss_mib(),
    }


def stored_rows(path: Path):
    """The rows the import stores for the file (agreements, parties, citations), as model instances: built
    with the models' own normalisation (dates' bounds, duplicate keys), before anything is timed."""
    from django.contrib.contenttypes.models import ContentType

    from cooperation import duplicates
    from cooperation import models as m

    countries = dict(m.Country.objects.values_list("iso2", "pk"))
    source = m.Source.objects.get(url=SOURCE_URL)
    agreement_type = ContentType.objects.get_for_model(m.Agreement)
    agreements, parties, citations = [], [], []
    with path.open(newline="") as stream:
        for row in csv.DictReader(stream):
            agreement = m.Agreement(title=row["title"], kind=row["kind"], status=row["status"], signed=row["signed"])
            agreement.summary = row["summary"]
            agreement.normalise_partial_dates()
            sent = json.loads(row["parties"])
            items = [{"country": countries[p["country"]], "role": p.get("role", "party")} for p in sent]
            agreement.duplicate_key = duplicates.digest(duplicates.likeness(agreement, {"parties": items}))
            agreements.append(agreement)
            parties.append([m.AgreementParty(**{"country_id": i["country"], "role": i["role"]}) for i in items])
            citations.append(
                [
                    m.Citation(source=source, content_type=agreement_type, quote=c["quote"], locator=c["locator"])
                    for c in json.loads(row["citations"])
                ]
            )
    return agreements, parties, citations


def copy_text(instances: list, connection) -> tuple[list[str], io.StringIO]:
    """The instances' columns (all but an identity id left empty) as COPY's CSV, NULL written as \\N."""
    model = type(instances[0])
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and instances[0].pk is None)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for instance in instances:
        values = [f.get_db_prep_save(getattr(instance, f.attname), connection) for f in fields]
        writer.writerow(["\\N" if value is None else value for value in values])
    buffer.seek(0)
    return [connection.ops.quote_name(f.column) for f in fields], buffer


def run_copy(path: Path) -> dict:
    """COPY the rows the import stores; timed: reserving the agreements' ids and the COPYs (building the
    rows' text is not)."""
    from django.db import connection, transaction

    from cooperation import models as m

    agreements, parties, citations = stored_rows(path)
    with transaction.atomic():
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            table = m.Agreement._meta.db_table
            started = time.perf_counter()
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, len(agreements)]
            )
            reserved = cursor.fetchall()
            seconds = time.perf_counter() - started
            for agreement, (pk,) in zip(agreements, reserved, strict=True):
                agreement.pk = pk
            for record_parties, record_citations, agreement in zip(parties, citations, agreements, strict=True):
                for party in record_parties:
                    party.agreement_id = agreement.pk
                for citation in record_citations:
                    citation.object_id = agreement.pk
            tables = [agreements, [p for ps in parties for p in ps], [c for cs in citations for c in cs]]
            statements = []
            for instances in tables:
                columns, text = copy_text(instances, connection)
                name = type(instances[0])._meta.db_table
                copy = f"COPY {name} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
                statements.append((copy, text))
            started = time.perf_counter()
            for statement, text in statements:
                cursor.copy_expert(statement, text)
            seconds += time.perf_counter() - started
        transaction.set_rollback(True)
    return {"seconds": seconds, "rows": len(agreements), "queries": 4, "peak_rss_mib": peak_rss_mib()}


def child(kind: str, path: str) -> None:
    """Run one measurement (in a process of its own, started by ``bench/run.py``) and print it as JSON."""
    import django

    django.setup()
    ensure_source()
    figures = run_product(Path(path)) if kind == "product" else run_copy(Path(path))
    print(json.dumps(figures))


if __name__ == "__main__":
    child(sys.argv[1], sys.argv[2])
