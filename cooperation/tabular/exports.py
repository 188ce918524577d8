"""Streaming CSV exports at the speed of the database.

The query selects every cell already formatted (see columns.py), so the rows go out untouched: on
PostgreSQL through ``COPY (<query>) TO STDOUT`` on Django's own connection, elsewhere through a cursor
feeding ``csv.writer``. Output is yielded in blocks of about 256 KiB; memory stays flat whatever the row
count. The API (``?format=csv``), the admin's export and ``manage.py export_csv`` all call ``stream_csv``.
"""

from __future__ import annotations

import contextlib
import csv
import io
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connections, transaction
from django.db.models import QuerySet
from django.utils import timezone

from cooperation.resources import Resource

BLOCK_SIZE = 256 * 1024
ROWS_PER_FETCH = 500
BOM = "\ufeff".encode()


@dataclass(frozen=True)
class ExportOptions:
    #: Prefix cells a spreadsheet would run as formulas (= + - @ tab CR) with an apostrophe.
    escape_formulas: bool = True
    #: Start with a UTF-8 byte order mark, for Excel.
    bom: bool = False


def export_query(resource: Resource, queryset: QuerySet, options: ExportOptions) -> tuple[str, tuple]:
    """The SQL (and parameters) selecting the export's cells, in the queryset's order (by id if none)."""
    if not queryset.query.order_by:
        queryset = queryset.order_by("pk")
    cells = {f"cell_{i}": column.select(options.escape_formulas) for i, column in enumerate(resource.columns)}
    return queryset.annotate(**cells).values_list(*cells).query.sql_with_params()


def header_line(resource: Resource, line_end: str) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=line_end).writerow(resource.headers)
    return buffer.getvalue().encode()


def stream_csv(
    resource: Resource, queryset: QuerySet, options: ExportOptions = ExportOptions(), *, use_copy: bool = True
) -> Iterator[bytes]:
    """The CSV of the queryset's records, as blocks of bytes. Runs its one query when first iterated."""
    sql, params = export_query(resource, queryset, options)
    connection = connections[queryset.db]  # a replica, when the request reads from one (cooperation/replicas.py)
    # RFC 4180 quoting either way. COPY ends lines with LF; csv.writer with CRLF, because only then does it
    # quote a cell that holds a lone CR.
    copying = connection.vendor == "postgresql" and use_copy
    yield (BOM if options.bom else b"") + header_line(resource, "\n" if copying else "\r\n")
    yield from _copy_blocks(connection, sql, params) if copying else _cursor_blocks(connection, sql, params)


def file_name(resource: Resource, filtered: bool) -> str:
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    return f"{resource.name}{'-filtered' if filtered else ''}-{stamp}.csv"


def _cursor_blocks(connection, sql: str, params: tuple) -> Iterator[bytes]:
    # Inside a transaction a PostgreSQL server-side cursor starts at once instead of materialising the result
    # first (WITH HOLD). SQLite's cursor reads as it goes either way, and a transaction there would take the
    # database's one write lock (transaction_mode IMMEDIATE) for as long as the client takes to read.
    postgresql = connection.vendor == "postgresql"
    with transaction.atomic(using=connection.alias) if postgresql else contextlib.nullcontext():
        cursor = connection.chunked_cursor() if postgresql else connection.cursor()
        with cursor:
            cursor.execute(sql, params)
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\r\n")
            while rows := cursor.fetchmany(ROWS_PER_FETCH):
                writer.writerows(rows)
                if buffer.tell() >= BLOCK_SIZE:
                    yield buffer.getvalue().encode()
                    buffer.seek(0)
                    buffer.truncate()
            if buffer.tell():
                yield buffer.getvalue().encode()


class _Cancelled(Exception):
    pass


class _BlockSink:
    """The file COPY writes into: gathers libpq's row-sized chunks into blocks for the consumer."""

    def __init__(self, blocks: queue.Queue, cancelled: threading.Event):
        self.blocks, self.cancelled = blocks, cancelled
        self.buffer = bytearray()

    def write(self, data) -> None:
        if self.cancelled.is_set():
            raise _Cancelled
        self.buffer += data.encode() if isinstance(data, str) else data
        if len(self.buffer) >= BLOCK_SIZE:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            self.blocks.put(bytes(self.buffer))
            self.buffer = bytearray()


_DONE = object()


def _copy_blocks(connection, sql: str, params: tuple) -> Iterator[bytes]:
    """COPY the query's rows out as CSV. psycopg2's copy_expert blocks until the end, so it runs in a thread
    that hands blocks over a bounded queue (at most a few MiB in flight); the caller's thread only waits."""
    connection.ensure_connection()
    raw = connection.connection
    with raw.cursor() as cursor:
        statement = cursor.mogrify(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params).decode()
    blocks: queue.Queue = queue.Queue(maxsize=8)
    cancelled = threading.Event()

    def run() -> None:
        sink = _BlockSink(blocks, cancelled)
        try:
            with raw.cursor() as cursor:
                cursor.copy_expert(statement, sink, size=64 * 1024)
            sink.flush()
            blocks.put(_DONE)
        except BaseException as error:  # handed to the consumer, which raises it
            blocks.put(error)

    worker = threading.Thread(target=run, name="csv-copy", daemon=True)
    worker.start()
    finished = False
    try:
        while True:
            item = blocks.get()
            if item is _DONE:
                finished = True
                return
            if isinstance(item, BaseException):
                finished = True
                raise item
            yield item
    finally:
        if not finished:  # the consumer went away (e.g. the client disconnected): stop the COPY
            cancelled.set()
            raw.cancel()
            while worker.is_alive():
                with contextlib.suppress(queue.Empty):
                    blocks.get(timeout=0.1)
            if connection.in_atomic_block:
                connection.needs_rollback = True
        worker.join()
