"""What a record page shows, derived from its resource's declaration: each declared field with its label and
its values (related records as links to their own pages), each part as a table, and each fact's support.

Everything here reads the record as the API's queryset fetched it (``api.views.viewset_for``: related records
joined, many-valued ones and parts prefetched), so it sends no query of its own."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import reverse

from cooperation import provenance
from cooperation.partial_dates import PartialDate
from cooperation.resources import Resource, part_fields, resource_or_none


def explorer_url(record: models.Model) -> str | None:
    """The record's explorer page, or None for a model that is not a resource (a part)."""
    resource = resource_or_none(type(record))
    if resource is None or record.pk is None:
        return None
    return reverse(f"explorer:{resource.name}-detail", kwargs={"pk": record.pk})


def list_url(resource: Resource) -> str:
    return reverse(f"explorer:{resource.name}-list")


@dataclass(frozen=True)
class Value:
    """One value as shown: its text, and where it links to (a record's page, a web address)."""

    text: str
    url: str | None = None
    external: bool = False
    date: PartialDate | None = None  # a partial date: its EDTF and bounds, shown beside the text as written


def related(record: models.Model | None) -> list[Value]:
    return [] if record is None else [Value(str(record), explorer_url(record))]


def values_of(record: models.Model, name: str, source: str | None = None) -> list[Value]:
    """The values of the fact ``name`` of ``record`` (read from the attribute ``source``, when the API's
    serializer names it otherwise: a citation's ``record_type`` is its ``content_type``)."""
    model = type(record)
    if name in getattr(model, "partial_dates", ()):
        date = record.partial_date(name)
        written = getattr(record, name)
        return [Value(written or date.edtf, date=date)] if (written or date.edtf) else []
    quantity = next((q for q in getattr(model, "quantities", ()) if q.name == name), None)
    if quantity is not None:
        amount = quantity.value(record)
        return [] if amount is None else [Value(str(amount))]
    attribute = source or name
    try:
        model_field = model._meta.get_field(attribute)
    except FieldDoesNotExist:
        value = getattr(record, attribute, None)
        return [] if value in (None, "") else [Value(str(value))]
    if model_field.many_to_many or model_field.one_to_many:
        return [item for member in getattr(record, attribute).all() for item in related(member)]
    if model_field.many_to_one or model_field.one_to_one:
        return related(getattr(record, attribute))
    value = getattr(record, attribute)
    if value in (None, ""):
        return []
    if getattr(model_field, "choices", None):
        return [Value(str(getattr(record, f"get_{attribute}_display")()))]
    if isinstance(model_field, models.URLField):
        return [Value(value, value, external=True)]
    if isinstance(model_field, models.BooleanField):
        return [Value("yes" if value else "no")]
    return [Value(str(value))]


def shown_part_fields(relation) -> list[str]:
    """The columns of a part's table: the fields entered with it, a partial date and a quantity as one column."""
    model = relation.related_model
    inner = {f"{date}_edtf" for date in getattr(model, "partial_dates", ())}
    for quantity in getattr(model, "quantities", ()):
        inner |= set(quantity.columns[1:])
    return [f.name for f in part_fields(relation) if f.name not in inner]


def label(model: type[models.Model], name: str) -> str:
    """A fact's label: the field's verbose name, a partial date's without "(as written)" (its EDTF and bounds
    are shown beside it)."""
    return provenance.label(model, name).removesuffix(" (as written)")


@dataclass
class Fact:
    """A field or part of the record, its values, and (for a cited record) the citations that name it."""

    name: str
    label: str
    values: list[Value] = field(default_factory=list)
    table: PartTable | None = None
    support: provenance.FieldSupport | None = None

    @property
    def unsupported(self) -> bool:
        return bool(self.support and self.support.unsupported)


@dataclass
class PartTable:
    headers: list[str]
    rows: list[list[list[Value]]]


def part_table(record: models.Model, name: str, order: str) -> PartTable:
    relation = type(record)._meta.get_field(name)
    columns = shown_part_fields(relation)
    parts = sorted(getattr(record, name).all(), key=lambda part: (getattr(part, order) is None, getattr(part, order)))
    return PartTable(
        headers=[label(relation.related_model, column) for column in columns],
        rows=[[values_of(part, column) for column in columns] for part in parts],
    )


def facts(resource: Resource, record: models.Model, sources: dict[str, str]) -> list[Fact]:
    """Every fact of the record the resource declares (its fields, then its parts not placed among them), in
    order. ``sources``: the attribute each field is read from (the API serializer's ``source``)."""
    support = {s.name: s for s in provenance.field_support(record)} if resource.cited else {}
    shown = []
    for name in resource.supportable:
        fact = Fact(name=name, label=label(resource.model, name), support=support.get(name))
        if name in resource.parts:
            fact.table = part_table(record, name, resource.parts[name])
        else:
            fact.values = values_of(record, name, sources.get(name))
        shown.append(fact)
    return shown
