"""Streaming CSV exports at the speed of the database.

The query selects every cell already formatted (see columns.py), so the rows go out untouched: on
PostgreSQL through ``COPY (<query>) TO STDOUT`` on Django's own connection, elsewhere through a cursor
feeding ``csv.writer``. Output is yielded in blocks of about 256 KiB; memory stays flat whatever the row
count. The API (``?format=csv``), the admin's export and ``manage.py export_csv`` all call ``stream_csv``.

The many-valued cells (parts, many-to-many keys, citations) are aggregated once per relation and joined to the
records (``export_query``), not computed by a sub-query per record (``correlated_query``, kept as the reference
the tests compare bytes with). In primary key order (the default) the records go in chunks of ``CHUNK_SIZE``
by key range, each chunk one statement that reads its relations for that range only, all in one snapshot;
in any other order one statement does it all.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connections, transaction
from django.db.models import F, OrderBy, QuerySet, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import RowNumber
from django.utils import timezone

from cooperation.resources import Resource

BLOCK_SIZE = 256 * 1024
ROWS_PER_FETCH = 500
#: Records per COPY on PostgreSQL (see ``_copy_chunks``).
CHUNK_SIZE = 5000
BOM = "\ufeff".encode()


@dataclass(frozen=True)
class ExportOptions:
    #: Prefix cells a spreadsheet would run as formulas (= + - @ tab CR) with an apostrophe.
    escape_formulas: bool = True
    #: Start with a UTF-8 byte order mark, for Excel.
    bom: bool = False


def ordered(queryset: QuerySet) -> QuerySet:
    """The queryset in its own order, by id if it has none."""
    return queryset if queryset.query.order_by else queryset.order_by("pk")


def correlated_query(resource: Resource, queryset: QuerySet, options: ExportOptions) -> tuple[str, tuple]:
    """The SQL (and parameters) selecting the export's cells, in the queryset's order (by id if none), each
    many-valued cell a correlated sub-query per record. Slower than ``export_query`` (a sub-query per record and
    column); kept as the reference that the joined form is checked against, and for querysets it cannot take."""
    cells = {
        f"cell_{i}": _select(column, resource, options.escape_formulas) for i, column in enumerate(resource.columns)
    }
    return ordered(queryset).annotate(**cells).values_list(*cells).query.get_compiler(queryset.db).as_sql()


def _select(column, resource: Resource, escape: bool):
    return column.select(escape, resource.columns) if hasattr(column, "combine") else column.select(escape)


def by_pk(queryset: QuerySet) -> bool:
    """Whether the export runs in ascending primary key order (the default), so that it can go in key ranges."""
    (term,) = ordered(queryset).query.order_by[:1]
    if len(queryset.query.order_by) > 1:
        return False
    if isinstance(term, OrderBy) and isinstance(term.expression, F) and not term.descending:
        term = term.expression.name
    return term in ("pk", queryset.model._meta.pk.name, queryset.model._meta.pk.attname)


def joinable(queryset: QuerySet) -> bool:
    query = queryset.query
    return not (query.distinct or query.combinator or query.is_sliced or query.extra_order_by)


def export_query(
    resource: Resource, queryset: QuerySet, options: ExportOptions, *, after=None, through=None, ids=None
) -> tuple[str, tuple]:
    """The SQL (and parameters) selecting the export's cells, in the queryset's order (by id if none).

    The record's own cells come from one query over the records; each many-valued cell (parts, keys, citations)
    from one aggregate per relation, ``GROUP BY`` the record, joined to them: every relation is read once, not
    once per record. ``after`` / ``through``: only the records with ``after < pk <= through`` (either may be
    None), in pk order; the relations are read for that range alone (their index on the record). ``ids``: the
    filtered records' ids in that range, found already (the filter is then not evaluated again)."""
    if not joinable(queryset):
        return correlated_query(resource, queryset, options)
    connection = connections[queryset.db]
    escape = options.escape_formulas
    ranged = {lookup: value for lookup, value in (("gt", after), ("lte", through)) if value is not None}
    records = queryset.filter(**{f"pk__{lookup}": value for lookup, value in ranged.items()})
    # The relations' rows: those of the range (by their index on the record) ...
    restrict = {f"__{lookup}": value for lookup, value in ranged.items()}
    head, head_params = "", ()
    if queryset.query.where:
        # ... and of the filtered records alone. The filter is evaluated once: the ids it selects are written down
        # (a materialised CTE) and read by the records' query and by each relation's.
        if ids is not None:
            head, head_params = _listed(ids, connection)
        else:
            selecting = records.order_by().annotate(export_id=F("pk")).values("export_id")
            ids_sql, head_params = selecting.query.get_compiler(queryset.db).as_sql()
            head = f"WITH export_records AS MATERIALIZED ({ids_sql}) "
        chosen = RawSQL("SELECT export_id FROM export_records", ())
        records = queryset.model._base_manager.filter(pk__in=chosen, **{f"pk__{k}": v for k, v in ranged.items()})
        restrict["__in"] = chosen
    relations, cells = {}, {"export_pk": F("pk")}
    for i, column in enumerate(resource.columns):
        if hasattr(column, "relation_rows"):
            relations[f"cell_{i}"] = column.relation_rows(escape)
        else:
            cells[f"cell_{i}"] = column.select(escape)
    if by_pk(queryset):
        order = "_r.export_pk"
    else:
        cells["export_row"] = Window(RowNumber(), order_by=order_terms(ordered(queryset)))
        order = "_r.export_row"
    sql, params = records.order_by().annotate(**cells).values_list(*cells).query.get_compiler(queryset.db).as_sql()
    selected, joins, params = [], [], [*head_params, *params]
    for i, column in enumerate(resource.columns):
        name = f"cell_{i}"
        if name not in relations:
            selected.append(f"_r.{name}")
            continue
        rows = relations[name]
        grouped, grouped_params = rows.grouped(connection, **restrict)
        selected.append(
            f"_a{i}.value" if hasattr(column, "combine") else f"COALESCE(_a{i}.value, {rows.empty(connection)})"
        )
        joins.append(f"LEFT JOIN ({grouped}) _a{i} ON _a{i}.export_owner = _r.export_pk")
        params += grouped_params
    # A cell combined from the others of its row (which facts no citation names) reads them as selected above.
    cells = {column.name: (sql, []) for column, sql in zip(resource.columns, selected, strict=True)}
    for i, column in enumerate(resource.columns):
        if hasattr(column, "combine"):
            selected[i], combined_params = column.combine((selected[i], []), cells, connection.vendor)
            assert not combined_params, "the joined cells are columns, without parameters"
    statement = f"{head}SELECT {', '.join(selected)} FROM ({sql}) _r {' '.join(joins)} ORDER BY {order}"
    return statement, tuple(params)


def _listed(ids: list, connection) -> tuple[str, tuple]:
    """A CTE ``export_records(export_id)`` of the given ids, as one parameter."""
    if connection.vendor == "postgresql":
        return "WITH export_records AS MATERIALIZED (SELECT unnest(%s) AS export_id) ", (list(ids),)
    return "WITH export_records AS MATERIALIZED (SELECT value AS export_id FROM json_each(%s)) ", (json.dumps(ids),)


def order_terms(queryset: QuerySet) -> list:
    """The queryset's ORDER BY as expressions (for a window that numbers the rows in that order)."""
    terms = []
    for term in queryset.query.order_by:
        if isinstance(term, str):
            descending = term.startswith("-")
            term = F(term.lstrip("-")).desc() if descending else F(term).asc()
        elif not isinstance(term, OrderBy):
            term = term.asc()
        terms.append(term)
    return terms


def header_line(resource: Resource, line_end: str) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=line_end).writerow(resource.headers)
    return buffer.getvalue().encode()


def stream_csv(
    resource: Resource,
    queryset: QuerySet,
    options: ExportOptions = ExportOptions(),
    *,
    use_copy: bool = True,
    joined: bool = True,
) -> Iterator[bytes]:
    """The CSV of the queryset's records, as blocks of bytes. Runs its queries when first iterated. ``joined``
    False: one statement with a sub-query per record and many-valued column (the reference, for tests)."""
    # RFC 4180 quoting either way. COPY ends lines with LF; csv.writer with CRLF, because only then does it
    # quote a cell that holds a lone CR.
    connection = connections[queryset.db]  # a replica, when the request reads from one (cooperation/replicas.py)
    copying = connection.vendor == "postgresql" and use_copy
    yield (BOM if options.bom else b"") + header_line(resource, "\n" if copying else "\r\n")
    # In chunks where the records come by primary key: by COPY on PostgreSQL, by a cursor on SQLite (a
    # PostgreSQL cursor reads the one statement as it goes already).
    if joined and by_pk(queryset) and joinable(queryset) and (copying or connection.vendor != "postgresql"):
        yield from _chunks(connection, resource, queryset, options, copying)
    else:
        sql, params = (export_query if joined else correlated_query)(resource, queryset, options)
        yield from _copy_blocks(connection, sql, params) if copying else _cursor_blocks(connection, sql, params)


def _chunks(
    connection, resource: Resource, queryset: QuerySet, options: ExportOptions, copying: bool
) -> Iterator[bytes]:
    """The records in primary key ranges of ``CHUNK_SIZE``, each with its relations aggregated for that range
    alone: the first rows go out at once, however many records there are, and each statement's memory is a
    chunk's. One query finds where each chunk ends; filtered, one cursor reads the matching ids as the chunks
    go, so that the filter runs once. The chunks read one snapshot of the database."""
    keys = queryset.order_by("pk").values_list("pk", flat=True)
    with snapshot(connection), contextlib.ExitStack() as stack:
        filtered = None
        if queryset.query.where:  # the filtered ids, read as the chunks go: the filter is evaluated once
            filtered = stack.enter_context(connection.chunked_cursor())
            filtered.execute(*keys.query.sql_with_params())
        after = None
        while True:
            if filtered is not None:
                ids = [row[0] for row in filtered.fetchmany(CHUNK_SIZE)]
                if not ids:
                    return
                through = ids[-1]
            else:  # where the chunk ends (None: it is the last)
                ranged = keys if after is None else keys.filter(pk__gt=after)
                ids, through = None, next(iter(ranged[CHUNK_SIZE - 1 : CHUNK_SIZE]), None)
            sql, params = export_query(resource, queryset, options, after=after, through=through, ids=ids)
            yield from _copy_blocks(connection, sql, params) if copying else _cursor_blocks(connection, sql, params)
            if through is None:
                return
            after = through


@contextlib.contextmanager
def snapshot(connection) -> Iterator[None]:
    """One read transaction around the chunks, so that they see the database as it was when the first began.

    PostgreSQL: REPEATABLE READ, READ ONLY (inside a caller's transaction, the chunks take its isolation).
    SQLite: a deferred transaction, which in WAL mode reads a snapshot and keeps nobody from writing (Django's
    own would begin IMMEDIATE and hold the write lock while the client reads)."""
    if connection.in_atomic_block or not connection.get_autocommit():
        yield
    elif connection.vendor == "postgresql":
        with transaction.atomic(using=connection.alias):
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        raw = connection.connection
        raw.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            if raw.in_transaction:
                raw.execute("ROLLBACK")  # it only read
    else:
        yield


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
