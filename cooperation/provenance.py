"""Field-level provenance: which citations support each fact of a record, and which facts none supports.

A citation's ``supports`` names the fields and parts of its record that its words support (``title signed
parties``); a citation that names none supports the record as a whole. A fact (a field with a value, a part
list that is not empty) that no citation names is *unsupported*: the API lists it in ``unsupported_fields``
and the admin marks it, so an analyst sees what still needs a source. Everything here reads the record's
citations and parts as prefetched: no query per record.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.db import models

from cooperation.resources import resource_of


@dataclass(frozen=True)
class FieldSupport:
    """One fact of a record and the citations that name it."""

    name: str
    label: str
    has_value: bool
    citations: tuple  # of Citation

    @property
    def unsupported(self) -> bool:
        return self.has_value and not self.citations


def has_value(record: models.Model, name: str) -> bool:
    """Whether the record states something in ``name``: a field that is not empty, a relation with a record."""
    try:
        field = record._meta.get_field(name)
    except FieldDoesNotExist:
        return getattr(record, name, None) not in (None, "")
    if field.many_to_many or field.one_to_many:
        return bool(getattr(record, name).all())  # prefetched by the lists and the admin's pages
    if field.many_to_one or field.one_to_one:
        return getattr(record, field.attname) is not None
    quantity = next((q for q in getattr(record, "quantities", ()) if q.name == name), None)
    if quantity is not None:
        return getattr(record, quantity.min) is not None or getattr(record, quantity.max) is not None
    return getattr(record, name) not in (None, "")


def label(model: type[models.Model], name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except (FieldDoesNotExist, AttributeError):
        return name.replace("_", " ")


def field_support(record: models.Model) -> list[FieldSupport]:
    """Every fact a citation of the record could support, in the resource's order, with those that do."""
    citations = list(record.citations.all())
    named = {citation.pk: set(citation.supports.split()) for citation in citations}
    return [
        FieldSupport(
            name=name,
            label=label(type(record), name),
            has_value=has_value(record, name),
            citations=tuple(citation for citation in citations if name in named[citation.pk]),
        )
        for name in resource_of(type(record)).supportable
    ]


def unsupported_fields(record: models.Model, related: dict | None = None) -> list[str]:
    """The facts of the record that no citation names in its ``supports``: ``field_support``'s unsupported
    ones, without the labels and the citations of each (a list page asks this of every record it shows).
    ``related``: the record's many-valued relations (citations, parts) where the caller has read them already,
    by name (a list page's read path, cooperation/api/representation.py, has them as rows)."""
    related = related or {}
    citations = related["citations"] if "citations" in related else record.citations.all()
    named = {name for citation in citations for name in citation.supports.split()}
    return [
        name
        for name in resource_of(type(record)).supportable
        if name not in named and (bool(related[name]) if name in related else has_value(record, name))
    ]
