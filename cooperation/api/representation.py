"""The read path of list pages: the same JSON as the serializers, from ``.values()`` rows (issue 17).

A page of 100 agreements holds about 2,000 nested objects (parties, areas, signatories, citations and their
sources). Through the serializers each is a model instance, prefetched, then serialized field by field: three
times the time of a hand-written view (bench/RESULTS.md). Here each many-valued relation of the page is one
``.values()`` query (its related records' brief fields joined in it), and each nested object a dict built
from its row by a plan compiled once per serializer: no model instances below the page's own records, no
DRF field calls for plain columns.

The plan is derived from the serializer (itself derived from the resource's declaration), field by field, so
there is nothing to keep in step by hand. What it reads:

- the page's records are still model instances (the paginator needs them for its cursor, and a record's
  ``display`` and ``unsupported_fields`` are computed by the model and ``provenance``); their plain columns
  are read straight from them, other fields of their own (a related record in brief, a quantity) through the
  DRF field itself;
- parts (an agreement's parties, the citations) and many-to-many fields (an agreement's areas): one
  ``.values()`` query per relation, in the order the prefetches give them; the rows also go where Django
  keeps prefetched records, as light stand-ins, so ``provenance`` reads them as it would the records.

A serializer with a field this does not know how to read from rows (inside a part) has no plan
(``plan_for`` returns None) and its lists go through the serializers. ``API_FAST_LISTS`` (default on) turns
the path off; tests/api/test_representation.py checks that both give the same bytes for every resource.
"""

from __future__ import annotations

import functools
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models
from rest_framework import serializers
from rest_framework.relations import ManyRelatedField
from rest_framework.reverse import reverse
from rest_framework.settings import api_settings

from cooperation import provenance
from cooperation.api.briefs import RecordBriefField
from cooperation.api.fields import BriefRelatedField, SupportedFieldsField
from cooperation.api.prefetch import _cache_name
from cooperation.api.quantities import QuantityField
from cooperation.natural_keys import natural_key

#: DRF fields whose ``to_representation`` returns a value of the type the database gives unchanged (``str(s)``,
#: ``int(i)``, ``bool(b)``): read as is. Any other field converts through its own ``to_representation``.
IDENTITY = (serializers.CharField, serializers.IntegerField, serializers.BooleanField)
#: What a value is when it needs no conversion, for each of those.
IDENTITY_TYPES = {serializers.CharField: str, serializers.IntegerField: int, serializers.BooleanField: bool}
#: A record id no database holds, to cut an address into what comes before and after a record's id.
SENTINEL = 987654321987654321


class Unsupported(Exception):
    """A field the plan cannot read from rows: the resource's lists go through the serializers."""


class Row:
    """A ``.values()`` row read as a record: what ``provenance`` and ``Quantity.value`` read (attributes)."""

    __slots__ = ("_row",)

    def __init__(self, row: dict):
        self._row = row

    def __getattr__(self, name: str):
        try:
            return self._row["id" if name == "pk" else name]
        except KeyError:
            raise AttributeError(name) from None


def converter(drf_field: serializers.Field) -> Callable[[Any], Any]:
    """How a column's value becomes JSON data, as ``drf_field`` would make it (None stays None)."""
    for kind in IDENTITY:
        if isinstance(drf_field, kind) and type(drf_field).to_representation is kind.to_representation:
            expected = IDENTITY_TYPES[kind]
            convert = drf_field.to_representation
            return lambda value: value if value is None or type(value) is expected else convert(value)
    convert = drf_field.to_representation
    as_string = getattr(drf_field, "coerce_to_string", api_settings.COERCE_BIGINT_TO_STRING)
    if isinstance(drf_field, serializers.BigIntegerField) and not as_string:  # ids: int(value)
        return lambda value: value if value is None or type(value) is int else convert(value)
    return lambda value: None if value is None else convert(value)


def brief_columns(prefix: str, model: type[models.Model]) -> list[tuple[str, str]]:
    """(key, ``.values()`` path) of a related record's brief form (``BriefRelatedField.to_representation``):
    its id, then its brief fields; its country by ISO2, a related record (a post's official) by name."""
    columns = [("id", f"{prefix}id")]
    for name in natural_key(model).brief_fields:
        if name == "country":
            columns.append((name, f"{prefix}country__iso2"))
        elif model._meta.get_field(name).is_relation:
            columns.append((name, f"{prefix}{name}__name"))
        else:
            columns.append((name, f"{prefix}{name}"))
    return columns


def brief_builder(columns: list[tuple[str, str]]) -> Callable[[dict], dict | None]:
    (_, id_path), rest = columns[0], columns[1:]

    def build(row: dict) -> dict | None:
        pk = row[id_path]
        if pk is None:
            return None
        brief = {"id": pk}
        for key, path in rest:
            brief[key] = row[path]
        return brief

    return build


def model_column(model: type[models.Model], drf_field: serializers.Field) -> models.Field | None:
    """The model's own (non-relational) column a serializer field shows, or None."""
    source = drf_field.source
    if not source or "." in source or source == "*":
        return None
    try:
        model_field = model._meta.get_field(source)
    except Exception:
        return None
    if model_field.is_relation or not model_field.concrete:
        return None
    return model_field


@dataclass
class RowsPlan:
    """A part's or a related record's JSON from its ``.values()`` row: the paths to select and a builder."""

    paths: list[str]
    build: Callable[[dict, dict], dict]  # (row, the brief of the record it belongs to) -> its JSON


def part_plan(serializer_class: type[serializers.Serializer]) -> RowsPlan:
    """The plan of a part's serializer (a party, a citation inside its record); Unsupported if a field is none
    of: a column, a related record in brief, a quantity, a citation's ``supports`` or ``record``."""
    model = serializer_class.Meta.model
    paths: list[str] = []
    steps: list[Callable[[dict, Row, dict], Any]] = []
    keys: list[str] = []
    for name, drf_field in serializer_class().fields.items():
        keys.append(name)
        column = model_column(model, drf_field)
        if isinstance(drf_field, (serializers.ListSerializer, ManyRelatedField)):
            raise Unsupported(f"{model.__name__}.{name}: a many-valued field inside a part")
        if isinstance(drf_field, RecordBriefField):
            steps.append(lambda row, record, owner: owner)
        elif isinstance(drf_field, QuantityField):
            quantity = drf_field.quantity
            paths += [quantity.qualifier, quantity.name, quantity.high]
            steps.append(lambda row, record, owner, f=drf_field: f.to_representation(record))
        elif isinstance(drf_field, BriefRelatedField):
            related = model._meta.get_field(drf_field.source).related_model
            columns = brief_columns(f"{drf_field.source}__", related)
            columns[0] = ("id", drf_field.source)  # the foreign key's own column: no join for the id
            paths += [path for _, path in columns]
            build = brief_builder(columns)
            steps.append(lambda row, record, owner, build=build: build(row))
        elif isinstance(drf_field, SupportedFieldsField) or column is not None:
            path = drf_field.source
            paths.append(path)
            convert = converter(drf_field)
            steps.append(lambda row, record, owner, path=path, convert=convert: convert(row[path]))
        else:
            raise Unsupported(f"{model.__name__}.{name}: {type(drf_field).__name__}")
    paths = list(dict.fromkeys(["id", *paths]))
    named = list(zip(keys, steps, strict=True))

    def build(row: dict, owner: dict) -> dict:
        record = Row(row)
        return {key: step(row, record, owner) for key, step in named}

    return RowsPlan(paths, build)


@dataclass
class Relation:
    """A many-valued field of the page's records, read in one ``.values()`` query."""

    name: str  # the serializer field's name (its key in the JSON)
    source: str  # the model's relation
    fetch: Callable[[list[int]], dict[int, list[dict]]]  # record ids -> each record's rows, in order
    build: Callable[[dict, dict], dict]
    standins: bool  # whether its rows stand in for the related records (provenance reads them)


def _group(rows, owner: str) -> dict[int, list[dict]]:
    grouped: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        grouped[row[owner]].append(row)
    return grouped


def part_relation(model: type[models.Model], name: str, drf_field: serializers.ListSerializer) -> Relation:
    """A part (``agreement.parties``) or the citations: the related rows in the order the prefetch gives them
    (the related model's ordering), grouped by the record they belong to."""
    relation = model._meta.get_field(drf_field.source)
    related = relation.related_model
    plan = part_plan(type(drf_field.child))
    if isinstance(relation, GenericRelation):
        owner = relation.object_id_field_name

        def fetch(ids):
            content_type = ContentType.objects.get_for_model(model)
            rows = related._default_manager.filter(
                **{relation.content_type_field_name: content_type, f"{owner}__in": ids}
            ).values(owner, *plan.paths)
            return _group(rows, owner)

    elif relation.one_to_many:
        owner = relation.field.attname

        def fetch(ids):
            rows = related._default_manager.filter(**{f"{owner}__in": ids}).values(owner, *plan.paths)
            return _group(rows, owner)

    else:
        raise Unsupported(f"{model.__name__}.{name}: not a part")
    return Relation(name, drf_field.source, fetch, plan.build, standins=True)


def many_relation(model: type[models.Model], name: str, drf_field: ManyRelatedField) -> Relation:
    """A many-to-many field (``agreement.areas``) in brief, through its table, in the related model's order
    (then by id, as the prefetch does: ``fetch_plan``)."""
    if not isinstance(drf_field.child_relation, BriefRelatedField):
        raise Unsupported(f"{model.__name__}.{name}: {type(drf_field.child_relation).__name__}")
    field = model._meta.get_field(drf_field.source)
    if not isinstance(field, models.ManyToManyField):
        raise Unsupported(f"{model.__name__}.{name}: not a many-to-many field")
    through, related = field.remote_field.through, field.related_model
    owner, target = f"{field.m2m_field_name()}_id", field.m2m_reverse_field_name()
    columns = brief_columns(f"{target}__", related)
    columns[0] = ("id", f"{target}_id")
    ordering = [
        f"-{target}__{term[1:]}" if term.startswith("-") else f"{target}__{term}"
        for term in [*related._meta.ordering, "pk"]
    ]
    build_brief = brief_builder(columns)

    def fetch(ids):
        rows = (
            through._base_manager.filter(**{f"{owner}__in": ids})
            .order_by(*ordering)
            .values(owner, *(path for _, path in columns))
        )
        return _group(rows, owner)

    return Relation(name, drf_field.source, fetch, lambda row, owner: build_brief(row), standins=True)


@dataclass
class Plan:
    """How a serializer's record becomes JSON on a list page."""

    serializer_class: type[serializers.Serializer]
    basename: str
    #: (key, kind, what): kind "column" (attribute, converter), "url", "display", "relation" (Relation),
    #: "unsupported" (``provenance.unsupported_fields`` from the relations' rows) or "field" (the DRF field's
    #: name: read through the bound field, on the record instance).
    steps: list[tuple[str, str, Any]] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    local: threading.local = field(default_factory=threading.local)

    @property
    def handled(self) -> set[str]:
        """The model's relations this plan reads itself (the page's prefetches it replaces)."""
        return {relation.source for relation in self.relations}

    def bound_fields(self, context: dict) -> dict[str, serializers.Field]:
        """The serializer's bound fields, for the fields read through DRF, with this request's context (one
        serializer per thread: building its fields costs more than a page of rows)."""
        serializer = getattr(self.local, "serializer", None)
        if serializer is None:
            serializer = self.local.serializer = self.serializer_class()
            serializer.fields  # noqa: B018 (binds them)
        serializer._context = context
        return serializer.fields

    def represent(self, records: list[models.Model], context: dict) -> list[dict]:
        if not records:
            return []
        request = context.get("request")
        address = reverse(f"api:{self.basename}-detail", kwargs={"pk": SENTINEL}, request=request)
        before, _, after = address.rpartition(str(SENTINEL))
        ids = [record.pk for record in records]
        fetched = {relation.name: relation.fetch(ids) for relation in self.relations}
        owners = {
            record.pk: {
                "type": record._meta.model_name,
                "id": record.pk,
                "display": str(record),
                "api_url": f"{before}{record.pk}{after}",
            }
            for record in records
        }
        self._stand_in(records, fetched)
        fields = self.bound_fields(context) if any(kind == "field" for _, kind, _ in self.steps) else {}
        data = []
        for record in records:
            owner = owners[record.pk]
            item: dict[str, Any] = {}
            for key, kind, what in self.steps:
                if kind == "column":
                    item[key] = what[1](getattr(record, what[0]))
                elif kind == "url":
                    item[key] = owner["api_url"]
                elif kind == "display":
                    item[key] = owner["display"]
                elif kind == "relation":
                    item[key] = [what.build(row, owner) for row in fetched[what.name].get(record.pk, ())]
                elif kind == "unsupported":
                    related = {r.source: [Row(x) for x in fetched[r.name].get(record.pk, ())] for r in self.relations}
                    item[key] = provenance.unsupported_fields(record, related)
                else:
                    drf_field = fields[what]
                    attribute = drf_field.get_attribute(record)
                    item[key] = None if attribute is None else drf_field.to_representation(attribute)
            data.append(item)
        return data

    def _stand_in(self, records: list[models.Model], fetched: dict[str, dict[int, list[dict]]]) -> None:
        """Put each relation's rows where Django keeps prefetched records, as ``Row`` stand-ins, so what reads
        the record (``provenance.unsupported_fields``: which facts have a value, what citations support) reads
        them without a query."""
        for relation in self.relations:
            cache = _cache_name(records[0], relation.source)
            rows = fetched[relation.name]
            for record in records:
                stand_ins = [Row(row) for row in rows.get(record.pk, ())]
                record.__dict__.setdefault("_prefetched_objects_cache", {})[cache] = stand_ins


@functools.cache
def plan_for(serializer_class: type[serializers.Serializer]) -> Plan | None:
    """The list plan of a resource's serializer, or None if a field cannot be read from rows."""
    model = serializer_class.Meta.model
    plan = Plan(serializer_class, getattr(serializer_class, "basename", model._meta.model_name))
    try:
        for name, drf_field in serializer_class().fields.items():
            column = model_column(model, drf_field)
            if name == "api_url" and isinstance(drf_field, serializers.SerializerMethodField):
                plan.steps.append((name, "url", None))
            elif name == "display" and isinstance(drf_field, serializers.SerializerMethodField):
                plan.steps.append((name, "display", None))
            elif isinstance(drf_field, serializers.ListSerializer):
                relation = part_relation(model, name, drf_field)
                plan.relations.append(relation)
                plan.steps.append((name, "relation", relation))
            elif isinstance(drf_field, ManyRelatedField):
                relation = many_relation(model, name, drf_field)
                plan.relations.append(relation)
                plan.steps.append((name, "relation", relation))
            elif name == "unsupported_fields" and isinstance(drf_field, serializers.SerializerMethodField):
                plan.steps.append((name, "unsupported", None))
            elif column is not None:
                plan.steps.append((name, "column", (column.attname, converter(drf_field))))
            else:
                plan.steps.append((name, "field", name))
    except Unsupported:
        return None
    return plan
