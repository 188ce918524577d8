"""CSV import: the export's columns read back, all or nothing.

- A row with an ``id`` updates that record (and, when the row carries the ``version`` it was exported at,
  only if nobody changed the record since); a row without one creates a record.
- Columns left out of the file are left as they are on update (their defaults on create); read-only columns
  (a date's bounds, timestamps, citation_sources) are accepted and ignored. Unknown or repeated headers are
  errors.
- Every row is validated and saved inside one transaction, each in its own savepoint, so that every error of
  the file is reported (row number as a spreadsheet shows it, column, message). A dry run, or any error,
  rolls everything back: one bad row, nothing written.
- A fact record must cite at least one source: a row without citations is refused, unless the import names a
  default citation (``DefaultCitation``: a source, a quote, a locator) for the rows that have none.
- A row that changes nothing (every value as stored) writes nothing and is counted ``unchanged``.
- A row that creates a record alike to one on record (or to an earlier row) is an error on its name column,
  naming the record; with ``confirm_duplicate`` a likely duplicate is created all the same.
- A reference to a record that is not there yet (a parent region further down the file, a source's publisher
  in another file of a bundle) is resolved once all rows are in.
- Rows are read ``BATCH_ROWS`` at a time; the natural keys they name are looked up with one query per model,
  and the records they create are checked and written together (``cooperation.bulk``): the queries are per
  batch, not per row, and memory stays flat however long the file. The outcome is the one-by-one import's:
  updates, a row the batch checks refuse and a possible duplicate are saved alone with ``record_save``, after
  the rows before them, and a batch the database refuses is saved again row by row, to report each error.
- Imports running at once do not deadlock: before writing anything, an import locks every record its rows
  update (``SELECT ... FOR UPDATE``, resource by resource in import order, each by id), so a second import of
  the same records waits for the first to commit and then applies its rows to what the first wrote. A
  deadlock or serialization failure with another writer rolls the import back and runs it again, at most
  ``IMPORT_ATTEMPTS`` times; then ``ImportConflict`` says so (the API answers 409). The files are read twice
  (the ids to lock, then the rows), so a stream that cannot seek is copied to a temporary file first.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import random
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import IO

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, models, transaction
from django.urls import reverse

from cooperation import bulk, services
from cooperation.dependencies import dependency_order
from cooperation.duplicates import DuplicateRecordError
from cooperation.models import Citation, CitedModel, Source
from cooperation.models.base import StaleRecordError
from cooperation.natural_keys import remembering_resolutions, resolve_many
from cooperation.resources import RESOURCES, Resource
from cooperation.tabular.columns import (
    CellError,
    Column,
    KeyColumn,
    KeysColumn,
    PartsColumn,
    QuantityColumn,
    RecordTypeColumn,
    resolve_key,
    unescape_formula,
)


def import_order(resources: Mapping[str, Resource] = RESOURCES) -> list[str]:
    """The order a bundle (one file per resource) is imported in: each resource after the resources it refers
    to, read from the models' relations (see ``cooperation.dependencies``); ties in the order ``resources``
    declares them. Sources come before agencies although a source may name an agency as publisher: that
    optional reference waits for the agencies."""
    resource_of = {resource.model: name for name, resource in resources.items()}
    return [resource_of[model] for model in dependency_order(resource_of)]


#: Computed once: the resources and their relations are fixed when the app is loaded.
IMPORT_ORDER = import_order()
FIELD_ALIASES = {"object_id": "record_id", "content_type": "record_type"}
#: How many times an import is run when it keeps meeting deadlocks or serialization failures.
IMPORT_ATTEMPTS = 3
#: PostgreSQL's codes for a transaction that lost a race and may succeed if run again: serialization
#: failure, deadlock detected, lock not available.
RETRYABLE_SQLSTATES = {"40001", "40P01", "55P03"}
#: Records locked per query (the ids are bound as parameters).
LOCK_BATCH = 1000
#: Rows read, checked and written together: the queries of an import are per batch of rows, not per row.
BATCH_ROWS = 500


class ImportConflict(Exception):
    """Other writes to the same records kept getting in the way of the import; nothing was written."""

    def __init__(self, attempts: int):
        self.attempts = attempts
        super().__init__(
            "Another import or edit was writing the same records at the same time, and the import still met it "
            f"after {attempts} tries; nothing was written. Import the file again."
        )


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class ImportResult:
    resource: str
    dry_run: bool
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {
            "resource": self.resource,
            "dry_run": self.dry_run,
            "written": self.ok and not self.dry_run,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": [error.as_dict() for error in self.errors],
        }


@dataclass(frozen=True)
class Pending:
    """A reference to resolve once every row is in."""

    resource: Resource
    record_pk: int
    column: KeyColumn
    text: str
    row: int


@dataclass
class RowValues:
    """A row's cells, read: the record's values, its many-to-many values and parts, and the optional references
    to resolve once every row is in."""

    row: int
    record_id: int | None
    expected_version: int | None
    values: dict
    many_to_many: dict
    parts: dict
    deferred: list
    #: Whether the file has a citations column.
    cites: bool


def is_batched(resource: Resource) -> bool:
    """Whether the resource's new records are written in batches (``cooperation.bulk``): all but citations,
    since saving one touches the record it cites."""
    return not issubclass(resource.model, Citation)


def names_its_own_kind(resource: Resource, column: Column) -> bool:
    """Whether a column's cells name records of the row's own kind (a region's parent, an agreement's links): a
    row with such a cell must find the records the rows before it created, so it is saved alone, as one by one."""
    if isinstance(column, KeyColumn | KeysColumn):
        named = {column.model_field.related_model}
    elif isinstance(column, PartsColumn):
        named = {f.related_model for f in column.fields if f.is_relation}
    else:
        return False
    return resource.model in named


def _text_stream(stream: IO) -> IO[str]:
    if isinstance(stream, io.TextIOBase):
        return stream
    return codecs.getreader("utf-8-sig")(stream)


@dataclass(frozen=True)
class DefaultCitation:
    """The citation that every imported fact record without one of its own gets: a source, the quote that
    supports the rows, and where in the source."""

    source: Source
    quote: str
    locator: str = ""

    def check(self) -> None:
        """Raise ValidationError keyed like the import's parameters (citation_quote, ...) if it cannot be."""
        citation = Citation(source=self.source, quote=self.quote, locator=self.locator)
        try:
            citation.full_clean(exclude=["content_type", "object_id"])
        except ValidationError as error:
            raise ValidationError(
                {f"citation_{name}": messages for name, messages in error.message_dict.items()}
            ) from None

    def as_part(self) -> dict:
        return {"source": self.source, "quote": self.quote, "locator": self.locator}


#: Called with the number of data rows read so far (background jobs report it as their progress).
Progress = Callable[[int], None]


class _Importer:
    def __init__(
        self,
        *,
        user,
        dry_run: bool,
        unescape_formulas: bool,
        default_citation: DefaultCitation | None,
        progress: Progress | None = None,
        confirm_duplicate: bool = False,
    ):
        self.user, self.dry_run, self.unescape = user, dry_run, unescape_formulas
        self.confirm_duplicate = confirm_duplicate
        self.default_citation = default_citation
        self.pending: list[Pending] = []
        self.batch: list[tuple[RowValues, bulk.NewRecord]] = []
        self.progress, self.rows_read = progress, 0

    def run(self, resource: Resource, stream: IO, result: ImportResult) -> None:
        rows: list[tuple[int, list[str]]] = []  # read, not imported yet: a batch of them at a time
        columns, failure = [], None
        try:
            reader = csv.reader(_text_stream(stream), strict=True)
            headers = next(reader, None)
            if headers is None:
                result.errors.append(RowError(1, "", "The file is empty: give a header row."))
                return
            headers[0] = headers[0].lstrip("\ufeff")
            columns = self.check_headers(resource, headers, result)
            if result.errors:
                return
            for cells in reader:
                if not any(cell.strip() for cell in cells):
                    continue  # spreadsheets leave blank lines behind
                rows.append((reader.line_num, cells))
                if len(rows) >= BATCH_ROWS:
                    self.import_rows(resource, columns, rows, result)
                    rows = []
        except UnicodeDecodeError:
            failure = RowError(0, "", "The file is not UTF-8 text.")
        except csv.Error as error:  # e.g. "line contains NUL" (Python before 3.11), an unclosed quote
            failure = RowError(reader.line_num, "", f"Not valid CSV: {error}.")
        if columns:
            self.import_rows(resource, columns, rows, result)  # the rows read before the end (or the failure)
            self.flush(resource, result)
        if failure is not None:
            result.errors.append(failure)

    def import_rows(self, resource: Resource, columns: list[Column], rows: list, result: ImportResult) -> None:
        """Import rows read from the file: new records in batches when the resource allows (``batched``),
        the others (updates, a row ``bulk.prepare`` refuses) one by one, in the file's order."""
        self.look_up_keys(columns, rows)
        batched = is_batched(resource)
        own_kind = [index for index, column in enumerate(columns) if names_its_own_kind(resource, column)]
        for row, cells in rows:
            self.count_row()
            if len(cells) != len(columns):
                result.errors.append(RowError(row, "", f"{len(cells)} cells for {len(columns)} columns."))
                continue
            alone = not batched or any(cells[index].strip() for index in own_kind)
            if alone:
                self.flush(resource, result)  # the rows before it are written first, as one by one
            read = self.read_row(row, columns, cells, result)
            if read is None:
                continue
            if not alone and read.record_id is None:
                self.add_to_batch(resource, read, result)
            else:
                self.flush(resource, result)
                self.save_row(resource, read, result)

    def look_up_keys(self, columns: list[Column], rows: list) -> None:
        """Look up the natural keys the rows name, one query per model for those not looked up yet."""
        wanted: dict[type, set[str]] = {}
        for _, cells in rows:
            if len(cells) != len(columns):
                continue
            for column, text in zip(columns, cells, strict=True):
                if not column.read_only and "\x00" not in text:
                    for model, key in column.keys(text, self.unescape):
                        wanted.setdefault(model, set()).add(key)
        for model, keys in wanted.items():
            resolve_many(model, keys)

    def count_row(self) -> None:
        self.rows_read += 1
        if self.progress is not None:
            self.progress(self.rows_read)

    @staticmethod
    def check_headers(resource: Resource, headers: list[str], result: ImportResult) -> list[Column]:
        known = {column.name: column for column in resource.columns}
        columns, seen = [], set()
        for header in headers:
            name = header.strip()
            if name not in known:
                result.errors.append(
                    RowError(1, name, f"Unknown column {name!r}; the columns are: {', '.join(known)}.")
                )
            elif name in seen:
                result.errors.append(RowError(1, name, f"Column {name!r} is given twice."))
            else:
                columns.append(known[name])
            seen.add(name)
        return columns

    def read_row(self, row: int, columns: list[Column], cells: list[str], result: ImportResult) -> RowValues | None:
        """A row's cells as values; None (and its errors in ``result``) if any cell cannot be read."""
        errors: list[RowError] = []
        values, many_to_many, parts, deferred = {}, {}, {}, []
        record_id = expected_version = None
        for column, text in zip(columns, cells, strict=True):
            if "\x00" in text:  # Python's csv module reads it (since 3.11); PostgreSQL cannot store it
                errors.append(RowError(row, column.name, "The cell contains a NUL character (byte 0); remove it."))
                continue
            try:
                if column.name == "id":
                    record_id = self.read_int(text) if text.strip() else None
                elif column.name == "version":
                    expected_version = self.read_int(text) if text.strip() else None
                elif column.read_only:
                    continue
                elif isinstance(column, KeyColumn) and text and column.model_field.null:
                    values[column.model_field.name] = self.key_or_later(column, text, deferred)
                else:
                    value = column.read(text, self.unescape)
                    if isinstance(column, KeysColumn):
                        many_to_many[column.model_field.name] = value
                    elif isinstance(column, PartsColumn):
                        parts[column.relation.name] = value
                    elif isinstance(column, RecordTypeColumn):
                        values["content_type"] = value
                    elif isinstance(column, QuantityColumn):
                        values.update(value)  # its value, qualifier and high end
                    else:
                        values[column.model_field.name] = value
            except CellError as error:
                errors.append(RowError(row, column.name, str(error)))
        if errors:
            result.errors.extend(errors)
            return None
        cites = "citations" in {column.name for column in columns}
        return RowValues(row, record_id, expected_version, values, many_to_many, parts, deferred, cites)

    def new_record(self, resource: Resource, read: RowValues) -> tuple[models.Model, dict]:
        """The record a row without an id creates, and its parts (with the default citation if it has none)."""
        record = resource.model()
        for name, value in read.values.items():
            setattr(record, name, value)
        parts = dict(read.parts)
        if self.needs_default_citation(record, parts, has_column=read.cites):
            parts["citations"] = [self.default_citation.as_part()]
        return record, parts

    def add_to_batch(self, resource: Resource, read: RowValues, result: ImportResult) -> None:
        record, parts = self.new_record(resource, read)
        try:
            new = bulk.prepare(record, many_to_many=read.many_to_many, parts=parts)
        except ValidationError:
            # Refused: saved alone, after the rows before it, so that its errors are exactly record_save's.
            self.flush(resource, result)
            self.save_row(resource, read, result)
            return
        self.batch.append((read, new))
        if len(self.batch) >= BATCH_ROWS:
            self.flush(resource, result)

    def flush(self, resource: Resource, result: ImportResult) -> None:
        """Write the batch of new records. A record like a stored one or an earlier one (a possible duplicate)
        is saved alone, after the records before it, so that ``record_save`` decides about it as one by one."""
        batch, self.batch = self.batch, []
        while batch:
            clear = bulk.first_alike([new for _, new in batch])
            if clear:
                self.create_batch(resource, batch[:clear], result)
            if clear == len(batch):
                break
            self.save_row(resource, batch[clear][0], result)
            batch = batch[clear + 1 :]

    def create_batch(self, resource: Resource, batch: list, result: ImportResult) -> None:
        try:
            with transaction.atomic():
                bulk.create_all([new for _, new in batch], user=self.user)
        except IntegrityError:
            # The database refused one of them (a unique value, a constraint): save them one by one, to
            # report which and why, exactly as without batches.
            for read, _ in batch:
                self.save_row(resource, read, result)
            return
        result.created += len(batch)
        for read, new in batch:
            pending = (Pending(resource, new.record.pk, column, text, read.row) for column, text in read.deferred)
            self.pending.extend(pending)

    def save_row(self, resource: Resource, read: RowValues, result: ImportResult) -> None:
        """Save one row with ``services.record_save``: an update, or a new record that a batch could not take."""
        row, record_id, expected_version = read.row, read.record_id, read.expected_version
        values, many_to_many, parts, deferred = read.values, read.many_to_many, dict(read.parts), read.deferred
        model = resource.model
        if record_id is None:
            record = model()
        else:
            record = model._default_manager.filter(pk=record_id).first()
            if record is None:
                message = f"No {model._meta.verbose_name} with id {record_id}; leave id empty to create a record."
                result.errors.append(RowError(row, "id", message))
                return
            if expected_version is not None and expected_version != record.version:
                result.errors.append(
                    RowError(
                        row,
                        "version",
                        f"The record changed since this row was exported (version {expected_version}, now "
                        f"{record.version}); export it again and reapply your change.",
                    )
                )
                return
        for name, value in values.items():
            setattr(record, name, value)
        if self.needs_default_citation(record, parts, has_column=read.cites):
            parts["citations"] = [self.default_citation.as_part()]
        try:
            with transaction.atomic():
                changed = services.record_save(
                    record,
                    many_to_many=many_to_many,
                    parts=parts,
                    user=self.user,
                    confirm_duplicate=self.confirm_duplicate,
                )
        except ValidationError as error:
            result.errors.extend(self.row_errors(row, error))
            return
        except DuplicateRecordError as error:
            result.errors.append(self.duplicate_error(row, error))
            return
        except StaleRecordError:
            result.errors.append(RowError(row, "version", "The record changed while importing; import again."))
            return
        except IntegrityError:
            result.errors.append(RowError(row, "", "A database constraint refused this row."))
            return
        if record_id is None:
            result.created += 1
        elif changed:
            result.updated += 1
        else:
            result.unchanged += 1
        self.pending.extend(Pending(resource, record.pk, column, text, row) for column, text in deferred)

    def needs_default_citation(self, record, parts: dict, *, has_column: bool) -> bool:
        """A fact record that the row gives no citation, and that would have none, cites the default source."""
        if self.default_citation is None or not isinstance(record, CitedModel) or parts.get("citations"):
            return False
        return has_column or record._state.adding or not record.citations.exists()

    def key_or_later(self, column: KeyColumn, text: str, deferred: list) -> object:
        """An optional reference: resolved now if the record is there, else once every row is in."""
        text = unescape_formula(text) if self.unescape else text
        try:
            return resolve_key(column.model_field.related_model, text)
        except CellError:
            deferred.append((column, text))
            return None

    def resolve_pending(self, results: Mapping[str, ImportResult]) -> None:
        for pending in self.pending:
            result = results[pending.resource.name]
            model_field = pending.column.model_field
            try:
                target = resolve_key(model_field.related_model, pending.text)
                record = pending.resource.model._default_manager.get(pk=pending.record_pk)
                setattr(record, model_field.name, target)
                with transaction.atomic():
                    services.record_save(record, user=self.user, confirm_duplicate=self.confirm_duplicate)
            except CellError as error:
                result.errors.append(RowError(pending.row, pending.column.name, str(error)))
            except ValidationError as error:
                result.errors.extend(self.row_errors(pending.row, error))
            except DuplicateRecordError as error:
                result.errors.append(self.duplicate_error(pending.row, error))

    @staticmethod
    def duplicate_error(row: int, error: DuplicateRecordError) -> RowError:
        """The row error for a (likely) duplicate: on the clashing column, with each existing record's API link."""
        links = ", ".join(
            reverse(f"api:{other._meta.model_name}-detail", kwargs={"pk": other.pk}) for other in error.existing
        )
        return RowError(row, error.field, f"{error} See {links}.")

    @staticmethod
    def read_int(text: str) -> int:
        if not (text.strip().isascii() and text.strip().isdigit()) or len(text.strip()) > 18:
            raise CellError(f"{text!r} is not a whole number.")
        return int(text)

    @staticmethod
    def row_errors(row: int, error: ValidationError) -> list[RowError]:
        errors = []
        for key, messages in error.message_dict.items():
            column, _, detail = key.partition(".")
            if "[" in column:  # a part: "parties[1].country" -> column parties, "item 2, country: ..."
                column, index = column.rstrip("]").split("[")
                prefix = f"Item {int(index) + 1}{', ' + detail if detail else ''}: "
            else:
                prefix = ""
            column = "" if column == "__all__" else FIELD_ALIASES.get(column, column)
            errors.extend(RowError(row, column, prefix + message) for message in messages)
        return errors


def import_csv(resource: Resource, stream: IO, **options) -> ImportResult:
    """Import one resource's CSV; see the module's docstring for the rules, and ``import_bundle`` for the
    options (``user``, ``dry_run``, ...)."""
    return import_bundle({resource.name: stream}, **options)[resource.name]


def import_bundle(
    files: Mapping[str, IO],
    *,
    user=None,
    dry_run: bool = False,
    unescape_formulas: bool = True,
    default_citation: DefaultCitation | None = None,
    progress: Progress | None = None,
    confirm_duplicate: bool = False,
) -> dict[str, ImportResult]:
    """Import several resources' CSVs (name -> file) in dependency order, all or nothing. With a
    ``default_citation``, every fact record that a row gives no citation (and that has none) cites it.
    ``progress`` is called as each data row is read, with the number read so far (from 0 again if the import
    is run again after a deadlock); an exception it raises stops the import, which then writes nothing.
    A row alike to a record on record (or to an earlier row) is an error on its name column unless
    ``confirm_duplicate`` (see ``cooperation.duplicates``). Raises ImportConflict if concurrent writes kept
    getting in the way (nothing is written)."""
    unknown = sorted(set(files) - set(RESOURCES))
    if unknown:
        raise KeyError(f"Unknown resource {unknown[0]!r}")
    options = {
        "user": user,
        "dry_run": dry_run,
        "unescape_formulas": unescape_formulas,
        "default_citation": default_citation,
        "progress": progress,
        "confirm_duplicate": confirm_duplicate,
    }
    with contextlib.ExitStack() as stack:
        files = {name: stack.enter_context(Rewindable(stream)) for name, stream in files.items()}
        for attempt in range(1, IMPORT_ATTEMPTS + 1):
            try:
                results = _import_once(files, _Importer(**options))
                break
            except OperationalError as error:
                if not retryable(error):
                    raise
                if attempt == IMPORT_ATTEMPTS or connection.vendor == "sqlite":
                    # SQLite has one write lock and waited its busy timeout for it already: no point in waiting again.
                    raise ImportConflict(attempt) from error
                time.sleep(random.uniform(0, 0.1 * attempt))  # so that the writers in the way do not meet again
    for result in results.values():
        result.errors.sort(key=lambda error: (error.row, error.column))
    return results


def _import_once(files: Mapping[str, Rewindable], importer: _Importer) -> dict[str, ImportResult]:
    """One try at the import, in one transaction: lock the records the rows update, then import every row."""
    results = {name: ImportResult(name, importer.dry_run) for name in files}
    with transaction.atomic(), remembering_resolutions():
        for name in ordered(files):
            lock_updated_records(RESOURCES[name], files[name].rewound())
        for name in ordered(files):
            importer.run(RESOURCES[name], files[name].rewound(), results[name])
        importer.resolve_pending(results)
        if importer.dry_run or any(not result.ok for result in results.values()):
            transaction.set_rollback(True)
    return results


def retryable(error: OperationalError) -> bool:
    """Whether the transaction failed only because a concurrent one got in its way."""
    sqlstate = getattr(error.__cause__, "pgcode", None) or getattr(error.__cause__, "sqlstate", None)
    return sqlstate in RETRYABLE_SQLSTATES or "database is locked" in str(error)


def lock_updated_records(resource: Resource, stream: IO) -> None:
    """Lock the records the file's rows update, by id: two imports lock them in the same order whatever
    the order of their rows, so neither can hold a record the other waits for while waiting for one of its."""
    ids = sorted(updated_ids(stream))
    if not ids or not connection.features.has_select_for_update:
        return  # SQLite: one writer at a time already
    manager = resource.model._default_manager
    for start in range(0, len(ids), LOCK_BATCH):
        batch = ids[start : start + LOCK_BATCH]
        list(manager.select_for_update().filter(pk__in=batch).order_by("pk").values_list("pk", flat=True))


def updated_ids(stream: IO) -> set[int]:
    """The ids in the file's ``id`` column; what cannot be read is left for the import to report."""
    ids: set[int] = set()
    try:
        reader = csv.reader(_text_stream(stream), strict=True)
        headers = [header.strip().lstrip("\ufeff") for header in next(reader, [])]
        if "id" not in headers:
            return ids
        column = headers.index("id")
        for cells in reader:
            text = cells[column].strip() if column < len(cells) else ""
            if text.isascii() and text.isdigit() and len(text) <= 18:
                ids.add(int(text))
    except (UnicodeDecodeError, csv.Error):
        pass
    return ids


class Rewindable:
    """A file the import can read from its start again: the stream itself if it can seek, else a copy in a
    temporary file (in memory while small)."""

    def __init__(self, stream: IO):
        if getattr(stream, "seekable", lambda: False)():
            self.stream, self.start = stream, stream.tell()
        elif isinstance(stream.read(0), str):
            self.stream, self.start = io.StringIO(stream.read()), 0
        else:
            self.stream, self.start = tempfile.SpooledTemporaryFile(max_size=2**20), 0  # noqa: SIM115 (see __exit__)
            shutil.copyfileobj(stream, self.stream)
        self.copied = self.stream is not stream

    def __enter__(self) -> Rewindable:
        return self

    def __exit__(self, *exc_info) -> None:
        if self.copied:  # the caller's own stream is the caller's to close
            self.stream.close()

    def rewound(self) -> IO:
        self.stream.seek(self.start)
        return self.stream


def ordered(names: Iterable[str]) -> list[str]:
    return sorted(names, key=IMPORT_ORDER.index)


__all__ = [
    "IMPORT_ORDER",
    "DefaultCitation",
    "ImportConflict",
    "ImportResult",
    "Progress",
    "RowError",
    "import_bundle",
    "import_csv",
    "import_order",
]
