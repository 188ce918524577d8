"""The CSV columns of a resource, derived from its declaration (``columns_for``): they drive both the CSV export
and the CSV import.

Headers are field names; values are raw codes (``signed``, not "Signed"); a related record is written as
its natural key (``PE``, ``Moscow police [RU]``); many-to-many values are natural keys joined with ``|``;
the parts of a record (an agreement's parties, a route's stops, ...) and its citations are a JSON array of
objects in one cell; a partial date comes as written, as EDTF, and as its bounds (read-only).

Every column knows how to select its final text in SQL (so PostgreSQL can stream the export with COPY, and
SQLite's cursor can feed csv.writer directly) and how to read a cell back on import.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, OuterRef, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Cast, NullIf

from cooperation import json_input
from cooperation import models as m
from cooperation.filtering.fields import cited_models
from cooperation.natural_keys import NaturalKeyError, natural_key
from cooperation.quantities import Quantity, QuantityTextError, columns_from_text
from cooperation.resources import CITATION_FIELDS, part_fields

SEPARATOR = "|"
# A cell that starts with one of these is a formula to a spreadsheet: exports prefix it with an apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\x00")


# --- Formula-injection safety (also expressed in SQL below) -------------------------------------------------
def escape_formula(text: str) -> str:
    """Prefix a text cell that a spreadsheet would run as a formula; keep apostrophes reversible."""
    if text[:1] in FORMULA_STARTS or (text[:1] == "'" and text[1:2] in (*FORMULA_STARTS, "'") and text[1:2]):
        return "'" + text
    return text


def unescape_formula(text: str) -> str:
    """The inverse of ``escape_formula``, applied on import."""
    if text[:1] == "'" and text[1:2] and text[1:2] in (*FORMULA_STARTS, "'"):
        return text[1:]
    return text


# --- SQL building blocks ----------------------------------------------------------------------------------
class EscapedText(models.Func):
    """``escape_formula`` in SQL; empty text becomes NULL (an empty cell). It repeats its argument: give it
    a column or a join, not a sub-query."""

    output_field = TextField()
    arity = 1

    def as_sql(self, compiler, connection, **extra):
        inner, params = compiler.compile(NullIf(self.source_expressions[0], Value("")))
        char = "chr" if connection.vendor == "postgresql" else "char"
        starts = ", ".join(["'='", "'+'", "'-'", "'@'", f"{char}(9)", f"{char}(13)"])
        sql = (
            f"CASE WHEN substr({inner}, 1, 1) IN ({starts}) OR (substr({inner}, 1, 1) = '''' AND "
            f"substr({inner}, 2, 1) IN ({starts}, '''')) THEN '''' || {inner} ELSE {inner} END"
        )
        return sql, params * 5  # the argument appears five times


class PlainText(models.Func):
    """Text as it is (escaping turned off); empty text becomes NULL."""

    output_field = TextField()
    arity = 1

    def as_sql(self, compiler, connection, **extra):
        return compiler.compile(NullIf(Cast(self.source_expressions[0], TextField()), Value("")))


class InEachDatabase(models.Func):
    """A function of one value as text, written in each database's own SQL (``postgresql`` and ``sqlite``: templates
    of ``%(expressions)s``)."""

    output_field = TextField()
    arity = 1
    postgresql = sqlite = "%(expressions)s"

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template=self.postgresql)

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template=self.sqlite)


class PlainNumber(InEachDatabase):
    """A decimal as written, without the zeros its column's scale pads it with: PostgreSQL's numeric(8, 6) holds
    -12.05 as -12.050000, SQLite as -12.05; both are written -12.05."""

    postgresql = "trim_scale(%(expressions)s)::text"
    sqlite = "CAST(%(expressions)s AS text)"


class IsoTimestamp(InEachDatabase):
    """A timestamp as ISO 8601 in UTC, e.g. 2026-11-28T23:15:19.688033Z."""

    postgresql = """to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""
    sqlite = "(replace(%(expressions)s, ' ', 'T') || 'Z')"  # stored as UTC text


class IsoDate(InEachDatabase):
    postgresql = "to_char(%(expressions)s, 'YYYY-MM-DD')"  # SQLite stores dates so


class JSONObjectWithoutEmpty(InEachDatabase):
    """A JSON object of the given keys and values, leaving out empty (NULL) members, keys in order."""

    arity = None
    postgresql = "json_strip_nulls(json_build_object(%(expressions)s))"
    sqlite = "json_patch('{}', json_object(%(expressions)s))"  # a JSON merge patch drops members whose value is null

    def __init__(self, **pairs):
        expressions = []
        for key, value in pairs.items():
            expressions += [Value(key), value]
        super().__init__(*expressions)


class QuantityText(models.Func):
    """A quantity as a person writes it: "41", "about 2.5", "more than 300", "between 3 and 5"; NULL when not
    reported. ``as_json``: in a part's JSON object, an exact number stays a JSON number (as files had it)."""

    output_field = TextField()

    def __init__(self, quantity: Quantity, *, as_json: bool = False):
        self.quantity, self.as_json = quantity, as_json
        super().__init__(F(quantity.qualifier), F(quantity.name), F(quantity.high))

    def as_sql(self, compiler, connection, **extra):
        from cooperation.quantities import Qualifier

        postgres = connection.vendor == "postgresql"
        (qualifier, q_params), (value, v_params), (high, h_params) = (
            compiler.compile(e) for e in self.source_expressions
        )
        assert not (q_params or v_params or h_params), "a quantity's columns take no parameters"

        def number(sql: str) -> str:
            if postgres:
                return f"trim_scale({sql})::text" if not self.quantity.integer else f"({sql})::text"
            return f"CAST({sql} AS TEXT)"

        whens = [f"WHEN {qualifier} = 'between' THEN 'between ' || {number(value)} || ' and ' || {number(high)}"]
        for code in Qualifier.values:
            if code not in (Qualifier.BETWEEN, Qualifier.EXACT):
                whens.append(f"WHEN {qualifier} = '{code}' THEN '{Qualifier(code).label} ' || {number(value)}")
        text = f"CASE {' '.join(whens)} WHEN {qualifier} = 'exact' THEN {number(value)} ELSE NULL END"
        if not self.as_json:
            return text, []
        exact = f"trim_scale({value})" if postgres and not self.quantity.integer else value
        if postgres:
            return f"CASE WHEN {qualifier} = 'exact' THEN to_json({exact}) ELSE to_json({text}) END", []
        return f"CASE WHEN {qualifier} = 'exact' THEN {exact} ELSE {text} END", []


class Aggregated(Subquery):
    """One cell from the rows of a correlated sub-query selecting ``value`` (and ``sort_key`` to order by):
    joined with "|", or a JSON array."""

    output_field = TextField()

    def __init__(self, queryset, *, as_json: bool):
        self.as_json = as_json
        super().__init__(queryset)

    def as_postgresql(self, compiler, connection, **extra):
        aggregate = (
            "json_agg(_v.value ORDER BY _v.sort_key)::text"
            if self.as_json
            else (f"string_agg(_v.value, '{SEPARATOR}' ORDER BY _v.sort_key)")
        )
        return self.as_sql(compiler, connection, template=f"(SELECT {aggregate} FROM (%(subquery)s) _v)")

    def as_sqlite(self, compiler, connection, **extra):
        # SQLite aggregates in the order the inner query delivers its rows.
        aggregate = "json_group_array(json(_v.value))" if self.as_json else f"group_concat(_v.value, '{SEPARATOR}')"
        return self.as_sql(compiler, connection, template=f"(SELECT {aggregate} FROM (%(subquery)s) _v)")


@dataclass
class RelationRows:
    """The rows a many-valued column aggregates, for every record: ``queryset`` (ordered as the cell lists its
    values), ``owner`` (the lookup naming the record a row belongs to) and the ``values`` selected (``value``
    and ``sort_key``; None: the queryset's annotation of that name). The cell is either a correlated sub-query
    per record (``correlated``) or, for many records at once, one aggregate per owner (``grouped``, which
    exports.py joins to the records)."""

    queryset: QuerySet
    owner: str
    values: dict[str, models.Expression | None]
    as_json: bool
    distinct: bool = False

    def _rows(self, queryset: QuerySet, **owner) -> QuerySet:
        annotated = [name for name, value in self.values.items() if value is None]
        rows = queryset.values(*annotated, **owner, **{k: v for k, v in self.values.items() if v is not None})
        return rows.distinct() if self.distinct else rows

    @property
    def owner_column(self) -> str:
        """The owner's column (``agreement_id``), to order by it without the related model's ordering."""
        return self.queryset.model._meta.get_field(self.owner).attname

    def correlated(self) -> Aggregated:
        """A sub-query per record (the record being ``OuterRef("pk")``)."""
        rows = self._rows(self.queryset.filter(**{self.owner: OuterRef("pk")}))
        return Aggregated(rows, as_json=self.as_json)

    def grouped(self, connection, **restrict) -> tuple[str, tuple]:
        """``SELECT owner, <cell> AS value ... GROUP BY owner`` over the rows the ``restrict`` lookups (on the
        owner: ``<owner>__gt``...) leave, each cell byte for byte what ``correlated`` gives its record."""
        queryset = self.queryset.filter(**{f"{self.owner}{lookup}": value for lookup, value in restrict.items()})
        if connection.vendor == "postgresql":
            aggregate = (
                "json_agg(_v.value ORDER BY _v.sort_key)::text"
                if self.as_json
                else f"string_agg(_v.value, '{SEPARATOR}' ORDER BY _v.sort_key)"
            )
            queryset = queryset.order_by()  # the aggregate orders its values
        else:
            # SQLite aggregates in the order the rows come: by owner, then as the cell lists them.
            aggregate = "json_group_array(json(_v.value))" if self.as_json else f"group_concat(_v.value, '{SEPARATOR}')"
            queryset = queryset.order_by(self.owner_column, *queryset.query.order_by)
        sql, params = (
            self._rows(queryset, export_owner=F(self.owner_column)).query.get_compiler(connection=connection).as_sql()
        )
        return f"SELECT _v.export_owner, {aggregate} AS value FROM ({sql}) _v GROUP BY _v.export_owner", params

    def empty(self, connection) -> str:
        """What ``correlated`` gives a record without rows: SQLite's json_group_array gives an empty array."""
        return "'[]'" if self.as_json and connection.vendor != "postgresql" else "NULL"


def key_expression(model: type[models.Model], path: str) -> models.Expression:
    """The natural key of the record at ``path`` (e.g. ``country``), in SQL: cooperation.natural_keys defines it."""
    return natural_key(model).expression(path)


# --- Reading cells back --------------------------------------------------------------------------------------
class CellError(ValueError):
    """A cell that cannot be read; the message says what to write instead."""


def resolve_key(model: type[models.Model], text: str) -> models.Model:
    try:
        return natural_key(model).resolve_reference(text)
    except NaturalKeyError as error:
        raise CellError(str(error)) from None


def read_value(model_field: models.Field, text: str) -> Any:
    """A cell as the value of a plain model field ("" is empty: NULL where allowed, else "")."""
    if text == "":
        return None if model_field.null else ("" if model_field.empty_strings_allowed else None)
    try:
        if isinstance(model_field, models.IntegerField):
            return int(text)
        if isinstance(model_field, models.DecimalField):
            return Decimal(text)
        if isinstance(model_field, models.DateField):
            return dt.date.fromisoformat(text)
    except (ValueError, InvalidOperation):
        raise CellError(f"{text!r} is not a valid {model_field.verbose_name}.") from None
    return text


def read_quantity(quantity: Quantity, text: str) -> dict[str, Any]:
    """A quantity written as a person writes it ("about 2.5", "between 3 and 5", "41") as its columns."""
    try:
        return columns_from_text(quantity, text)
    except QuantityTextError as error:
        raise CellError(str(error)) from None


def cell_json_error(error: json_input.JSONInputError) -> str:
    """A JSON cell's error, the item named as the other errors of parts name it ("Item 2, role: ...")."""
    item = re.match(r"\[(\d+)\]\.?", error.path)
    if item is None:
        return error.located() if error.path else f"Not a JSON array of objects ({error.message})"
    where = re.match(r"[^.\[]*", error.path[item.end() :]).group()  # the item's key; deeper detail is noise
    return f"Item {int(item.group(1)) + 1}{', ' + where if where else ''}: {error.message}"


# --- Columns ------------------------------------------------------------------------------------------------
@dataclass
class Column:
    name: str
    read_only: bool = False

    def select(self, escape: bool) -> models.Expression:
        raise NotImplementedError

    def read(self, text: str, unescape: bool) -> Any:
        """The value for the record (or its relation) that a cell holds. Raises CellError."""
        raise NotImplementedError

    def keys(self, text: str, unescape: bool) -> Iterator[tuple[type[models.Model], str]]:
        """The natural keys a cell names, as (model, key): what ``read`` will look up, so that an import can
        look up a batch of rows' keys at once (``natural_keys.resolve_many``). A hint: never raises."""
        return iter(())


@dataclass
class FieldColumn(Column):
    model_field: models.Field = None

    def select(self, escape):
        source = F(self.model_field.attname)
        if isinstance(self.model_field, models.DateTimeField):
            return IsoTimestamp(source)
        if isinstance(self.model_field, models.DateField):
            return IsoDate(source)
        if isinstance(self.model_field, models.DecimalField):
            return PlainNumber(source)
        if isinstance(self.model_field, models.CharField | models.TextField) and not self.model_field.choices:
            return EscapedText(source) if escape else PlainText(source)
        return PlainText(source)

    def read(self, text, unescape):
        if unescape and isinstance(self.model_field, models.CharField | models.TextField):
            text = unescape_formula(text)
        return read_value(self.model_field, text)


@dataclass
class QuantityColumn(Column):
    """A quantity in one cell as a person writes it ("about 2.5", "more than 300", "between 3 and 5", or a bare
    number: exact); its bounds follow in the read-only ``<name>_min`` and ``<name>_max`` columns."""

    quantity: Quantity = None
    model: type[models.Model] = None

    def select(self, escape):
        return QuantityText(self.quantity)

    def read(self, text, unescape):
        return read_quantity(self.quantity, text)


@dataclass
class KeyColumn(Column):
    """A foreign key, as the related record's natural key."""

    model_field: models.ForeignKey = None

    def select(self, escape):
        key = key_expression(self.model_field.related_model, self.model_field.name)
        return EscapedText(key) if escape else PlainText(key)

    def read(self, text, unescape):
        text = unescape_formula(text) if unescape else text
        return resolve_key(self.model_field.related_model, text) if text else None

    def keys(self, text, unescape):
        text = unescape_formula(text) if unescape else text
        if text:
            yield self.model_field.related_model, text


@dataclass
class KeysColumn(Column):
    """A many-to-many field, as natural keys joined with "|" (in key order)."""

    model_field: models.ManyToManyField = None

    def relation_rows(self, escape) -> RelationRows:
        through = self.model_field.remote_field.through
        target = self.model_field.m2m_reverse_field_name()
        key = key_expression(self.model_field.related_model, target)
        return RelationRows(
            queryset=through.objects.annotate(key=key).order_by("key"),
            owner=self.model_field.m2m_field_name(),
            # Each key is escaped on its own, so that every key (not only the first) reads back the same.
            values={"value": EscapedText(F("key")) if escape else F("key"), "sort_key": F("key")},
            as_json=False,
        )

    def select(self, escape):
        return self.relation_rows(escape).correlated()

    def read(self, text, unescape):
        keys = [key.strip() for key in text.split(SEPARATOR) if key.strip()]
        return [resolve_key(self.model_field.related_model, unescape_formula(k) if unescape else k) for k in keys]

    def keys(self, text, unescape):
        for key in text.split(SEPARATOR):
            if key.strip():
                yield self.model_field.related_model, unescape_formula(key.strip()) if unescape else key.strip()


@dataclass
class PartsColumn(Column):
    """The parts of a record (or its citations) as a JSON array of objects, related records by natural key."""

    relation: models.Field | GenericRelation = None
    order_by: str = "id"
    fields: list[models.Field] = field(default_factory=list)

    @property
    def part_model(self) -> type[models.Model]:
        return self.relation.related_model

    @property
    def quantities(self) -> dict[str, Quantity]:
        return {quantity.name: quantity for quantity in getattr(self.part_model, "quantities", ())}

    def relation_rows(self, escape) -> RelationRows:
        members = {}
        inner = {column for quantity in self.quantities.values() for column in quantity.columns[1:]}
        for part_field in self.fields:
            if part_field.name in inner:
                continue  # in the quantity's cell
            if part_field.name in self.quantities:
                members[part_field.name] = QuantityText(self.quantities[part_field.name], as_json=True)
            elif part_field.is_relation:
                members[part_field.name] = key_expression(part_field.related_model, part_field.name)
            elif isinstance(part_field, models.CharField | models.TextField):
                members[part_field.name] = NullIf(F(part_field.name), Value(""))
            else:
                members[part_field.name] = F(part_field.name)
        parts = self.part_model.objects.all()
        if isinstance(self.relation, GenericRelation):
            parts = parts.filter(content_type=ContentType.objects.get_for_model(self.relation.model))
            owner = "object_id"
        else:
            owner = self.relation.field.name
        return RelationRows(
            queryset=parts.order_by(self.order_by),
            owner=owner,
            values={"value": JSONObjectWithoutEmpty(**members), "sort_key": F(self.order_by)},
            as_json=True,
        )

    def select(self, escape):
        return self.relation_rows(escape).correlated()

    def read(self, text, unescape):
        if not text.strip():
            return []
        try:
            items = json_input.loads(text)
        except json_input.JSONInputError as error:
            raise CellError(cell_json_error(error)) from None
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise CellError('Write a JSON array of objects, e.g. [{"country": "PE", "role": "party"}].')
        quantities = self.quantities
        inner = {column for quantity in quantities.values() for column in quantity.columns[1:]}
        by_name = {f.name: f for f in self.fields if f.name not in inner}
        parts = []
        for number, item in enumerate(items, 1):
            unknown = sorted(set(item) - set(by_name))
            if unknown:
                raise CellError(f"Item {number}: unknown key {unknown[0]!r}; use: {', '.join(by_name)}.")
            values = {}
            for name, raw in item.items():
                part_field = by_name[name]
                try:
                    if name in quantities:
                        if isinstance(raw, bool) or not isinstance(raw, int | float | str | None):
                            raise CellError('write a number or a phrase such as "about 8".')
                        values |= read_quantity(quantities[name], "" if raw is None else str(raw))
                    elif raw is None:
                        values[name] = None if part_field.null else part_field.get_default()
                    elif part_field.is_relation:
                        values[name] = resolve_key(part_field.related_model, str(raw))
                    else:
                        values[name] = read_value(part_field, str(raw))
                except CellError as error:
                    raise CellError(f"Item {number}, {name}: {error}") from None
            parts.append(values)
        return parts

    def keys(self, text, unescape):
        try:
            items = json_input.loads(text) if text.strip() else []  # refuses nesting too deep to parse
        except (ValueError, RecursionError):
            return
        related = {f.name: f.related_model for f in self.fields if f.is_relation}
        for item in items if isinstance(items, list) else ():
            for name, raw in item.items() if isinstance(item, dict) else ():
                if name in related and raw is not None and not isinstance(raw, dict | list):
                    yield related[name], str(raw)


@dataclass
class DerivedColumn(Column):
    """Exported for convenience, ignored on import (e.g. a date's bounds, the citations' source URLs)."""

    expression: models.Expression = None
    read_only: bool = True

    def select(self, escape):
        return self.expression

    def read(self, text, unescape):
        return None


@dataclass
class CitationSourcesColumn(Column):
    """The URLs of the sources a record cites, joined with "|" (read-only: the citations column is the data)."""

    model: type[models.Model] = None
    read_only: bool = True

    def relation_rows(self, escape) -> RelationRows:
        return RelationRows(
            queryset=m.Citation.objects.filter(content_type=ContentType.objects.get_for_model(self.model))
            .annotate(value=key_expression(m.Source, "source"))
            .order_by("value"),
            owner="object_id",
            values={"value": None, "sort_key": F("value")},
            as_json=False,
            distinct=True,
        )

    def select(self, escape):
        return self.relation_rows(escape).correlated()

    def read(self, text, unescape):
        return None


class CombinedCell(models.Expression):
    """An ``UnsupportedFactsColumn``'s cell over the expressions of the cells it reads."""

    output_field = TextField()

    def __init__(self, column, supported: models.Expression, cells: dict[str, models.Expression]):
        super().__init__()
        self.column, self.supported, self.cells = column, supported, cells

    def get_source_expressions(self):
        return [self.supported, *self.cells.values()]

    def set_source_expressions(self, expressions):
        self.supported, *cells = expressions
        self.cells = dict(zip(self.cells, cells, strict=True))

    def as_sql(self, compiler, connection):
        cells = {name: compiler.compile(expression) for name, expression in self.cells.items()}
        return self.column.combine(compiler.compile(self.supported), cells, connection.vendor)


@dataclass(eq=False)  # hashable by identity: Django hashes the expressions (``CombinedCell``) that hold it
class UnsupportedFactsColumn(Column):
    """The facts of a record that no citation names in its ``supports`` (as the API's ``unsupported_fields``):
    names joined with "|", in the resource's order. Read-only. A fact is a column of the record with a value
    (a part or key list that is not empty); the citations' ``supports`` are read by one aggregate
    (``relation_rows``), and ``combine`` compares them with the record's own cells in the same row."""

    model: type[models.Model] = None
    #: The facts a citation can support, each the name of a column of the export; those that are lists.
    facts: tuple[str, ...] = ()
    lists: frozenset[str] = frozenset()
    read_only: bool = True
    __hash__ = object.__hash__  # Column, a dataclass with __eq__, has none

    def relation_rows(self, escape) -> RelationRows:
        return RelationRows(
            queryset=m.Citation.objects.filter(content_type=ContentType.objects.get_for_model(self.model))
            .exclude(supports="")
            .order_by("pk"),
            owner="object_id",
            values={"value": F("supports"), "sort_key": F("pk")},
            as_json=False,
        )

    def combine(self, supported: tuple[str, list], cells: dict[str, tuple[str, list]], vendor: str):
        """The cell in SQL, from the citations' ``supports`` joined (``supported``: NULL when none names a fact)
        and the record's cells by column name, each as (sql, params); returns (sql, params)."""
        find = "strpos" if vendor == "postgresql" else "instr"
        parts, params = [], []
        for name in self.facts:
            cell, cell_params = cells[name]
            present = f"NULLIF({cell}, '[]') IS NOT NULL" if name in self.lists else f"({cell}) IS NOT NULL"
            named = f"{find}(' ' || replace(COALESCE({supported[0]}, ''), '|', ' ') || ' ', ' {name} ') = 0"
            parts.append(f"CASE WHEN {present} AND {named} THEN '{name}|' ELSE '' END")
            params += [*cell_params, *supported[1]]
        return f"NULLIF(rtrim({' || '.join(parts)}, '|'), '')", params

    def select(self, escape, columns: list[Column] = ()):
        """The cell as one expression over the record, every cell it reads computed again (a sub-query per
        record and list): the reference form. exports.py combines the cells its joined query has already."""
        by_name = {column.name: column for column in columns}
        cells = {name: by_name[name].select(escape) for name in self.facts}
        return CombinedCell(self, self.relation_rows(escape).correlated(), cells)

    def read(self, text, unescape):
        return None


@dataclass
class RecordTypeColumn(Column):
    """Which kind of record a citation supports, by model name (agreement, traffickingroute, ...)."""

    def select(self, escape):
        return PlainText(F("content_type__model"))

    def read(self, text, unescape):
        cited = {model._meta.model_name: model for model in cited_models()}
        if text not in cited:
            raise CellError(f"Unknown record type {text!r}; use one of: {', '.join(sorted(cited))}.")
        return ContentType.objects.get_for_model(cited[text])


def columns_for(resource) -> list[Column]:
    """The columns of a resource, typed from the model: id, the declared fields, parts, citations, stamps."""
    model = resource.model
    columns: list[Column] = [FieldColumn("id", model_field=model._meta.pk)]
    partial_dates = set(getattr(model, "partial_dates", ()))
    for field_name in resource.fields:
        if field_name in resource.parts:
            continue  # parts follow the fields
        if field_name in partial_dates:
            columns += [
                FieldColumn(field_name, model_field=model._meta.get_field(field_name)),
                FieldColumn(f"{field_name}_edtf", model_field=model._meta.get_field(f"{field_name}_edtf")),
            ]
            for bound in ("earliest", "latest"):
                columns.append(DerivedColumn(f"{field_name}_{bound}", expression=IsoDate(F(f"{field_name}_{bound}"))))
            continue
        quantity = next((q for q in getattr(model, "quantities", ()) if q.name == field_name), None)
        if quantity is not None:
            columns.append(QuantityColumn(field_name, quantity=quantity, model=model))
            for bound in (quantity.min, quantity.max):
                columns.append(DerivedColumn(bound, expression=PlainNumber(F(bound))))
            continue
        if field_name == "record_type":
            columns.append(RecordTypeColumn("record_type"))
            continue
        if field_name == "record_id":
            columns.append(FieldColumn("record_id", model_field=model._meta.get_field("object_id")))
            continue
        model_field = model._meta.get_field(field_name)
        if isinstance(model_field, GenericForeignKey):
            continue  # written as record_type and record_id
        if model_field.many_to_many:
            columns.append(KeysColumn(field_name, model_field=model_field))
        elif model_field.is_relation:
            columns.append(KeyColumn(field_name, model_field=model_field))
        else:
            columns.append(FieldColumn(field_name, model_field=model_field))
    for relation_name, order_by in resource.parts.items():
        relation = model._meta.get_field(relation_name)
        columns.append(PartsColumn(relation_name, relation=relation, order_by=order_by, fields=part_fields(relation)))
    if issubclass(model, m.CitedModel):
        citation_fields = [m.Citation._meta.get_field(name) for name in CITATION_FIELDS]
        columns.append(PartsColumn("citations", relation=model._meta.get_field("citations"), fields=citation_fields))
        columns.append(CitationSourcesColumn("citation_sources", model=model))
        named = {column.name: column for column in columns}
        lists = frozenset(name for name, column in named.items() if isinstance(column, PartsColumn | KeysColumn))
        columns.append(
            UnsupportedFactsColumn("unsupported_fields", model=model, facts=resource.supportable, lists=lists)
        )
    for stamp in ("created_at", "updated_at", "version"):
        column = FieldColumn(stamp, model_field=model._meta.get_field(stamp))
        column.read_only = stamp != "version"  # a version sent back is checked: see imports.py
        columns.append(column)
    return columns


__all__ = ["CellError", "Column", "ValidationError", "columns_for", "escape_formula"]
