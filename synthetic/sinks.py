"""Where generated rows go: PostgreSQL's COPY FROM STDIN, or ``executemany`` INSERTs elsewhere (SQLite).

Rows arrive as tuples of strings in the table's column order, with ``sink.null`` for NULL. Integers and
dates are strings too: COPY reads text, and SQLite's column affinity stores a numeric string in an integer
or decimal column as a number. ``sink.text(value)`` makes free text (which may hold newlines) safe to send.
"""

from __future__ import annotations

import io
import queue
import threading
from collections.abc import Sequence

from django.db import connections, models
from django.db.backends.base.base import BaseDatabaseWrapper

Row = tuple[str | None, ...]
COPY_CHUNK = 1 << 20  # bytes handed to the server at a time


def _copy_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class Sink:
    """INSERT ... VALUES through ``executemany``: one statement per table per batch."""

    null: str | None = None
    timestamp_suffix = ""  # Django keeps datetimes in SQLite as naive UTC text

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        # This thread's connection itself, not django.db.connection (a proxy to each thread's own), so that
        # a BackgroundWriter's thread writes in this thread's transaction.
        self.connection = connections[connection.alias]

    @staticmethod
    def text(value: str) -> str:
        return value

    def write(self, table: str, columns: Sequence[str], rows: list[Row]) -> None:
        if not rows:
            return
        quote = self.connection.ops.quote_name
        sql = (
            f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))})"
        )
        with self.connection.cursor() as cursor:
            cursor.executemany(sql, rows)

    def next_id(self, model: type[models.Model]) -> int:
        """The first id above every id the table holds or has handed out, so no deleted record's id comes back."""
        table = model._meta.db_table
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {self.connection.ops.quote_name(table)}")
            highest = cursor.fetchone()[0]
            if self.connection.vendor == "sqlite":
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
                row = cursor.fetchone()
                highest = max(highest, row[0] if row else 0)
        return highest + 1

    def begin(self, tables: list[str]) -> None:
        """Called inside the transaction before the first write to these tables."""
        if self.connection.vendor == "sqlite":
            # SQLite's default 2 MB page cache makes each insert into a grown index read pages from the file:
            # 64 MB made --scale 100000 take 24-27 s instead of 38-42 s (for this connection, this process).
            with self.connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -65536")

    def finish(self, tables: list[str], assigned: list[type[models.Model]]) -> None:
        """Called after the last write: ``assigned`` are the models whose ids the rows brought with them.

        SQLite's AUTOINCREMENT moves past the highest id inserted by itself; its foreign keys are checked
        at COMMIT.
        """

    def analyze(self, tables: list[str]) -> None:
        """Bring the planner's statistics up to date after a bulk change (SQLite plans well without)."""


class CopySink(Sink):
    """PostgreSQL: each table's batch is one ``COPY ... FROM STDIN`` in text format."""

    null = "\\N"
    timestamp_suffix = "+00"

    @staticmethod
    def text(value: str) -> str:
        return _copy_escape(value)

    def write(self, table: str, columns: Sequence[str], rows: list[Row]) -> None:
        if not rows:
            return
        quote = self.connection.ops.quote_name
        sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
        data = io.StringIO("\n".join(["\t".join(row) for row in rows]) + "\n")
        with self.connection.cursor() as cursor, self.connection.wrap_database_errors:
            if hasattr(cursor, "debug_sql"):  # DEBUG, or a test capturing queries: log it like any other query
                with cursor.debug_sql(sql):
                    cursor.cursor.copy_expert(sql, data, size=COPY_CHUNK)
            else:
                cursor.cursor.copy_expert(sql, data, size=COPY_CHUNK)

    def next_id(self, model: type[models.Model]) -> int:
        table = model._meta.db_table
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {self.connection.ops.quote_name(table)}")
            highest = cursor.fetchone()[0]
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            sequence = cursor.fetchone()[0]
            cursor.execute(f"SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM {sequence}")
            handed_out = cursor.fetchone()[0]  # ids given to rows since deleted count too
        return max(highest, handed_out) + 1

    def begin(self, tables: list[str]) -> None:
        # A foreign key checks each row as it comes, one lookup at a time: at millions of rows that is most
        # of the time COPY takes. Like pg_restore, drop the foreign keys of the tables written to and add
        # them back at the end, which checks every row (old and new) in one join per key. Both happen in
        # the command's transaction, so a failure leaves the schema as it was.
        with self.connection.cursor() as cursor:
            # Check what the transaction changed so far (such as --clear's deletions) now: a table with checks
            # still pending cannot be altered.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) ORDER BY 1, 2",
                [tables],
            )
            self.foreign_keys = cursor.fetchall()
            for table, name, _ in self.foreign_keys:
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {self.connection.ops.quote_name(name)}")

    def finish(self, tables: list[str], assigned: list[type[models.Model]]) -> None:
        quote = self.connection.ops.quote_name
        with self.connection.cursor() as cursor:
            for table, name, definition in self.foreign_keys:
                cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # back to how Django declares its foreign keys
            for model in assigned:  # hand out ids above those the rows brought
                table = model._meta.db_table
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), max_id) "
                    f"FROM (SELECT MAX(id) AS max_id FROM {quote(table)}) AS t WHERE max_id IS NOT NULL",
                    [table],
                )
        self.analyze(tables)

    def analyze(self, tables: list[str]) -> None:
        # Until autovacuum gets to them, the statistics describe the tables as they were before: a query
        # planned on them can take a nested loop over what is now millions of rows.
        with self.connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"ANALYZE {self.connection.ops.quote_name(table)}")


class Writer:
    """Writes each batch as it comes: SQLite works in this process, under the GIL, so a thread gains nothing
    (at --scale 100000 it lost 10-20%)."""

    def __init__(self, sink: Sink) -> None:
        self.sink = sink

    def __enter__(self) -> Writer:
        return self

    def __exit__(self, *exc_info) -> None:
        pass

    def put(self, batch: list[tuple[str, Sequence[str], list[Row]]]) -> None:
        for table, columns, rows in batch:
            self.sink.write(table, columns, rows)


class BackgroundWriter:
    """Writes batches on a thread of its own while the caller makes the next ones.

    The database server works on one batch while Python makes the next; at most ``depth`` batches wait, so
    memory stays bounded. The thread uses the caller's connection and transaction; the caller must not use
    the connection until the writer is closed. An error in the thread comes back to the caller at its next
    ``put`` or at the close.
    """

    _DONE = object()

    def __init__(self, sink: Sink, depth: int = 2) -> None:
        self.sink = sink
        self.batches: queue.Queue = queue.Queue(maxsize=depth)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._write, name="generate_data writer", daemon=True)

    def __enter__(self) -> BackgroundWriter:
        self.sink.connection.inc_thread_sharing()
        self.thread.start()
        return self

    def put(self, batch: list[tuple[str, Sequence[str], list[Row]]]) -> None:
        self._raise()
        self.batches.put(batch)

    def __exit__(self, *exc_info) -> None:
        self.batches.put(self._DONE)
        self.thread.join()
        self.sink.connection.dec_thread_sharing()
        if exc_info[0] is None:
            self._raise()

    def _raise(self) -> None:
        if self.error is not None:
            raise self.error

    def _write(self) -> None:
        while (batch := self.batches.get()) is not self._DONE:
            if self.error is None:  # after an error, only empty the queue so that put() never blocks
                try:
                    for table, columns, rows in batch:
                        self.sink.write(table, columns, rows)
                except BaseException as error:  # handed to the caller's thread
                    self.error = error


def sink_for(connection: BaseDatabaseWrapper) -> Sink:
    return CopySink(connection) if connection.vendor == "postgresql" else Sink(connection)


def writer_for(sink: Sink) -> Writer | BackgroundWriter:
    """PostgreSQL stores rows in a process of its own, so it can while Python makes the next batch."""
    return BackgroundWriter(sink) if isinstance(sink, CopySink) else Writer(sink)
