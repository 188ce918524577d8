"""The data package: the records as tidy tables in a zip, described by a Frictionless Data Package
(``datapackage.json``), for pandas, R and spreadsheets.

Every table is derived from the resource declarations and the models, never listed by hand:

- one per resource (``agreements.csv``): its id, its declared fields (a foreign key as ``<name>_id``, a choice
  field with its ``<name>_label`` beside it, a partial date as written, as EDTF and as its bounds, a quantity in
  its columns) and its stamps;
- one per part relation (``agreement_parties.csv``: the part's id, its record's ``agreement_id``, its fields);
- one per many-to-many field (``agreement_areas.csv``: ``agreement_id``, ``cooperationarea_id``);
- ``citations.csv`` (a resource too), each citation naming the record it supports by ``record_type`` and
  ``record_id``.

A selection (one resource's records through its filterset) takes those records, their parts, links and
citations, and then whatever they refer to, and what that refers to in turn (``Selection``): every foreign key
resolves inside the package. Without a selection, everything goes in. Tables of kinds the user may not view are
left out (and the foreign keys to them).

The cells are formatted by the database as the CSV export formats them (``columns.FieldColumn``: ISO dates,
decimals as written, spreadsheet formulas escaped) and read with ``iterator()``; the zip is written to an
unseekable stream (``zipfile`` then writes data descriptors) and handed out in blocks: memory stays flat
whatever the number of records.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connections, models, router
from django.db.models import Case, F, Q, QuerySet, TextField, Value, When
from django.utils import timezone

from cooperation import models as m
from cooperation.resources import RESOURCES, Resource, part_fields
from cooperation.tabular.columns import FieldColumn, PlainText
from cooperation.tabular.exports import BLOCK_SIZE, snapshot

ROWS_PER_FETCH = 2000
#: The licences whose title and address the descriptor can give by their SPDX id (DATA_LICENSE).
LICENSES = {
    "CC-BY-4.0": ("Creative Commons Attribution 4.0", "https://creativecommons.org/licenses/by/4.0/"),
    "CC-BY-SA-4.0": ("Creative Commons Attribution Share-Alike 4.0", "https://creativecommons.org/licenses/by-sa/4.0/"),
    "CC0-1.0": ("CC0 1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "ODbL-1.0": ("Open Data Commons Open Database License 1.0", "https://opendatacommons.org/licenses/odbl/1-0/"),
}


# --- Columns and tables -------------------------------------------------------------------------------------
@dataclass
class Column:
    name: str
    #: The cell as text, in SQL.
    expression: Callable[[bool], models.Expression]
    type: str = "string"
    description: str = ""
    required: bool = False
    enum: list[str] | None = None
    #: The model a foreign key refers to.
    target: type[models.Model] | None = None
    #: The model field behind it (a foreign key's, to read the ids it refers to).
    attname: str | None = None

    def schema(self) -> dict:
        described = {"name": self.name, "type": self.type}
        if self.description:
            described["description"] = self.description
        constraints = {}
        if self.required:
            constraints["required"] = True
        if self.enum:
            constraints["enum"] = self.enum
        if constraints:
            described["constraints"] = constraints
        return described


def frictionless_type(model_field: models.Field) -> str:
    if model_field.is_relation or isinstance(model_field, models.IntegerField | models.AutoField):
        return "integer"
    if isinstance(model_field, models.DecimalField | models.FloatField):
        return "number"
    if isinstance(model_field, models.BooleanField):
        return "boolean"
    if isinstance(model_field, models.DateTimeField):
        return "datetime"
    if isinstance(model_field, models.DateField):
        return "date"
    return "string"


def describe(model_field: models.Field) -> str:
    text = str(model_field.help_text or "")
    verbose = str(model_field.verbose_name)
    return f"{verbose[:1].upper()}{verbose[1:]}." + (f" {text}" if text else "")


def field_columns(model_field: models.Field, name: str | None = None) -> list[Column]:
    """A model field's column (a foreign key as ``<name>_id``), and a choice field's label beside it."""
    name = name or model_field.attname
    column = FieldColumn(name, model_field=model_field)
    columns = [
        Column(
            name,
            column.select,
            type=frictionless_type(model_field),
            description=describe(model_field),
            required=model_field.primary_key or not (model_field.null or model_field.blank),
            enum=[str(code) for code, _ in model_field.flatchoices] if model_field.choices else None,
            target=model_field.related_model if model_field.many_to_one else None,
            attname=model_field.attname,
        )
    ]
    if model_field.choices:
        labels = Case(
            *(When(**{model_field.attname: code}, then=Value(str(label))) for code, label in model_field.flatchoices),
            default=None,
            output_field=TextField(),
        )
        columns.append(
            Column(f"{name}_label", lambda escape: labels, description=f"The label of {name}, as the site shows it.")
        )
    return columns


@dataclass
class Table:
    #: The name in the package (``agreement_parties``) and of its file (``agreement_parties.csv``).
    name: str
    #: The model of its rows (a resource's, a part's, a many-to-many field's through model).
    model: type[models.Model]
    columns: list[Column]
    primary_key: list[str]
    #: The record the rows belong to: its model and the lookup from a row to it (None: the rows are records).
    owner: type[models.Model] | None = None
    owner_lookup: str = ""
    description: str = ""
    #: The rows of the owner's records given (a queryset of them): set for citations, whose owner is generic.
    rows_of: Callable[[QuerySet], QuerySet] | None = None
    order: tuple[str, ...] = ("pk",)

    @property
    def record_model(self) -> type[models.Model]:
        """Whose records the rows are, or belong to."""
        return self.owner or self.model

    def rows(self, records: QuerySet | None) -> QuerySet:
        """The rows of these records of ``record_model`` (None: all)."""
        if records is None:
            return self.model._base_manager.all()
        if self.rows_of is not None:
            return self.rows_of(records)
        if self.owner is None:
            return records
        return self.model._base_manager.filter(**{f"{self.owner_lookup}__in": records.values("pk")})

    @property
    def references(self) -> list[Column]:
        return [column for column in self.columns if column.target is not None]


def expanded(resource: Resource, name: str) -> list[str]:
    """The model fields a declared field stands for (a partial date: four; a quantity: five)."""
    model = resource.model
    if name in getattr(model, "partial_dates", ()):
        return [name, f"{name}_edtf", f"{name}_earliest", f"{name}_latest"]
    quantity = next((q for q in getattr(model, "quantities", ()) if q.name == name), None)
    return list(quantity.columns) if quantity is not None else [name]


def table_name(resource: Resource) -> str:
    return resource.name.replace("-", "_")


def tables_of(resource: Resource) -> list[Table]:
    """The resource's table, then one per part relation and one per many-to-many field."""
    model = resource.model
    meta = model._meta
    columns = field_columns(meta.pk)
    tables = []
    for name in resource.fields:
        if name in resource.parts:
            continue
        if name == "record_type":
            columns.append(
                Column(
                    "record_type",
                    lambda escape: PlainText(F("content_type__model")),
                    description="The kind of record cited, by model name (agreement, traffickingroute, ...).",
                    required=True,
                )
            )
            continue
        if name == "record_id":
            columns += field_columns(meta.get_field("object_id"), "record_id")
            continue
        model_field = meta.get_field(name)
        if not model_field.concrete:
            continue  # a generic foreign key: record_type and record_id
        if model_field.many_to_many:
            through = model_field.remote_field.through
            owner = through._meta.get_field(model_field.m2m_field_name())
            target = through._meta.get_field(model_field.m2m_reverse_field_name())
            tables.append(
                Table(
                    f"{meta.model_name}_{name}",
                    through,
                    [*field_columns(owner), *field_columns(target)],
                    primary_key=[owner.attname, target.attname],
                    owner=model,
                    owner_lookup=owner.name,
                    description=f"{describe(model_field)} One row per {meta.verbose_name} and "
                    f"{target.related_model._meta.verbose_name}.",
                    order=(owner.attname, target.attname),
                )
            )
            continue
        for each in expanded(resource, name):
            columns += field_columns(meta.get_field(each))
    for stamp in ("created_at", "updated_at"):
        columns += field_columns(meta.get_field(stamp))
    for name in resource.parts:
        relation = meta.get_field(name)
        part = relation.related_model._meta
        part_columns = field_columns(part.pk) + field_columns(relation.field)
        for part_field in part_fields(relation):
            part_columns += field_columns(part_field)
        tables.append(
            Table(
                f"{meta.model_name}_{name}",
                relation.related_model,
                part_columns,
                primary_key=[part.pk.attname],
                owner=model,
                owner_lookup=relation.field.name,
                description=resource.field_help.get(name, f"The {part.verbose_name_plural} of a {meta.verbose_name}."),
            )
        )
    record = Table(
        table_name(resource),
        model,
        columns,
        primary_key=[meta.pk.attname],
        description=str(model.__doc__ or "").strip().split("\n\n")[0],
    )
    return [record, *tables]


def all_tables() -> list[Table]:
    return [table for resource in RESOURCES.values() for table in tables_of(resource)]


def cited_rows(records: QuerySet) -> QuerySet:
    """The citations of these records."""
    content_type = ContentType.objects.get_for_model(records.model)
    return m.Citation._base_manager.filter(content_type=content_type, object_id__in=records.values("pk"))


# --- What goes in --------------------------------------------------------------------------------------------
class Selection:
    """The records of each model a package holds: those chosen (a queryset of one model; None: everything), and
    those the chosen ones refer to (their parts', links' and citations' references included), and so on until
    nothing new is referred to. The referred records' ids are kept (far fewer than the records chosen); the
    chosen records stay a query. The queries are a few per table and round, whatever the number of records."""

    def __init__(self, tables: list[Table], chosen: QuerySet | None):
        self.tables, self.chosen = tables, chosen
        self.models = {table.model for table in tables if table.owner is None}
        self.referred: dict[type[models.Model], set] = defaultdict(set)
        if chosen is not None:
            self._close()

    def records(self, model: type[models.Model]) -> QuerySet | None:
        """The records of ``model`` in the package (None: all of them)."""
        if self.chosen is None:
            return None
        manager = model._base_manager
        ids = self.referred.get(model, set())
        if model is self.chosen.model:
            condition = Q(pk__in=self.chosen.values("pk"))
            if ids:
                condition |= Q(pk__in=sorted(ids))
            return manager.filter(condition)
        return manager.filter(pk__in=sorted(ids))

    def rows(self, table: Table) -> QuerySet:
        if self.chosen is None:
            return table.model._base_manager.all()
        if table.model is m.Citation and table.owner is None:
            # The citations chosen (when they are the selection), and those of every record in the package.
            condition = Q(pk__in=self.records(m.Citation).values("pk"))
            for model in self.models:
                if issubclass(model, m.CitedModel):
                    condition |= Q(pk__in=cited_rows(self.records(model)).values("pk"))
            return m.Citation._base_manager.filter(condition)
        return table.rows(self.records(table.record_model))

    def _close(self) -> None:
        pending: dict[type[models.Model], QuerySet] = {self.chosen.model: self.chosen}
        while pending:
            model, records = pending.popitem()
            for target, ids in self._referred_by(model, records).items():
                new = ids - self.referred[target]
                if new:
                    self.referred[target] |= new
                    more = target._base_manager.filter(pk__in=sorted(new))
                    pending[target] = more if target not in pending else pending[target] | more

    def _referred_by(self, model, records: QuerySet) -> dict[type[models.Model], set]:
        found: dict[type[models.Model], set] = defaultdict(set)
        for table in self.tables:
            if table.record_model is model:
                rows = table.rows(records)
            elif table.model is m.Citation and table.owner is None and issubclass(model, m.CitedModel):
                rows = cited_rows(records)
            else:
                continue
            for column in table.references:
                if column.target in self.models:
                    values = rows.exclude(**{column.attname: None}).order_by().values_list(column.attname, flat=True)
                    found[column.target].update(values.distinct())
        return found


# --- The package ----------------------------------------------------------------------------------------------
@dataclass
class DataPackage:
    #: The chosen records (one resource's, filtered), or None for everything.
    chosen: QuerySet | None = None
    #: Which models' records may go in (the user's view permissions); None: all.
    may_view: Callable[[type[models.Model]], bool] | None = None
    escape_formulas: bool = True
    #: Where the data comes from (the site's address), for the descriptor's ``sources``.
    site: str = ""
    tables: list[Table] = field(init=False)

    def __post_init__(self):
        viewable = self.may_view or (lambda model: True)
        # A part or a link is told about with its record: the record's view permission covers it.
        self.tables = [table for table in all_tables() if viewable(table.record_model)]
        names = {table.model: table.name for table in self.tables if table.owner is None}
        for table in self.tables:  # a reference to a table left out is an id alone
            for column in table.columns:
                if column.target is not None and column.target not in names:
                    column.target = None

    @cached_property
    def names(self) -> dict[type[models.Model], str]:
        return {table.model: table.name for table in self.tables if table.owner is None}

    def descriptor(self) -> dict:
        license_id = settings.DATA_LICENSE
        title, path = LICENSES.get(license_id, (license_id, ""))
        return {
            "profile": "tabular-data-package",
            "name": "cooperation-tracker",
            "title": "Cooperation Tracker: international cooperation against drug trafficking",
            "description": "Agreements, training, operations, events, trafficking routes and assessments, each fact "
            "cited from its sources (citations.csv, sources.csv). "
            + ("A selection: " + self.selection_text + "." if self.chosen is not None else "All records."),
            "created": timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
            "licenses": [{"name": license_id, "title": title, **({"path": path} if path else {})}],
            "sources": [{"title": "Cooperation Tracker", **({"path": self.site} if self.site else {})}],
            "resources": [self.resource_descriptor(table) for table in self.tables],
        }

    @property
    def selection_text(self) -> str:
        return f"{self.chosen.model._meta.verbose_name_plural} (filtered) and what they refer to"

    def resource_descriptor(self, table: Table) -> dict:
        schema = {
            "fields": [column.schema() for column in table.columns],
            "missingValues": [""],
            "primaryKey": table.primary_key,
        }
        foreign_keys = [
            {"fields": column.name, "reference": {"resource": self.names[column.target], "fields": "id"}}
            for column in table.columns
            if column.target is not None
        ]
        if foreign_keys:
            schema["foreignKeys"] = foreign_keys
        described = {
            "name": table.name,
            "path": f"{table.name}.csv",
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": schema,
        }
        if table.description:
            described["description"] = table.description
        return described

    def rows(self, table: Table, selection: Selection) -> Iterator[tuple]:
        cells = {f"cell_{i}": column.expression(self.escape_formulas) for i, column in enumerate(table.columns)}
        queryset = selection.rows(table).order_by(*table.order).annotate(**cells).values_list(*cells)
        return queryset.iterator(chunk_size=ROWS_PER_FETCH)

    def csv_blocks(self, table: Table, selection: Selection) -> Iterator[bytes]:
        buffer = io.StringIO()
        # CRLF, as RFC 4180 and the CSV export: only then does csv.writer quote a cell holding a lone CR.
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow([column.name for column in table.columns])
        for row in self.rows(table, selection):
            writer.writerow(row)
            if buffer.tell() >= BLOCK_SIZE:
                yield buffer.getvalue().encode()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue().encode()

    def stream(self) -> Iterator[bytes]:
        """The zip, in blocks: ``datapackage.json`` first, then a CSV per table. The queries run as it is read,
        in one snapshot of the database (a replica, when the request reads from one)."""
        using = self.chosen.db if self.chosen is not None else router.db_for_read(m.Citation)
        pipe = _Pipe()
        with snapshot(connections[using]), zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("datapackage.json", json.dumps(self.descriptor(), indent=2, ensure_ascii=False))
            yield pipe.take()  # before the selection is worked out: a client sees the download start at once
            selection = Selection(self.tables, self.chosen)
            for table in self.tables:
                with archive.open(f"{table.name}.csv", "w", force_zip64=True) as entry:
                    for block in self.csv_blocks(table, selection):
                        entry.write(block)
                        if pipe.size >= BLOCK_SIZE:
                            yield pipe.take()
                yield pipe.take()
        yield pipe.take()


class _Pipe:
    """A write-only file the zip is written into, emptied by the reader: without ``seek`` zipfile writes each
    member's sizes after its data, so nothing is rewritten and nothing needs to stay in memory."""

    def __init__(self):
        self.buffer, self.offset = bytearray(), 0

    def write(self, data) -> int:
        self.buffer += data
        self.offset += len(data)
        return len(data)

    def tell(self) -> int:
        return self.offset

    def flush(self) -> None:
        pass

    @property
    def size(self) -> int:
        return len(self.buffer)

    def take(self) -> bytes:
        data = bytes(self.buffer)
        self.buffer.clear()
        return data


def file_name(resource: Resource | None) -> str:
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    return f"cooperation-{resource.name + '-' if resource else ''}package-{stamp}.zip"


__all__ = ["DataPackage", "Selection", "all_tables", "file_name"]
