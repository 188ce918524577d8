"""What a resource declaration is: ``Resource``, the fields a declaration gives and what is derived from it on
demand (its filterset, its CSV columns), and the helpers that read a part's fields and merge declarations.
The declarations themselves are in ``cooperation/resources.py``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from django.db import models

from cooperation import models as m
from cooperation.filtering import filters as f
from cooperation.places import Places


@dataclass(eq=False)
class Resource:
    #: The URL name: ``/api/v1/<name>/``, ``<name>.csv``.
    name: str
    model: type[models.Model]
    #: The fields shown, in order (the API's and the CSV's). A partial date stands for its four fields; a part
    #: (see ``parts``) may be placed among them, else it follows them. Citations and stamps are added.
    fields: tuple[str, ...]
    #: The parts entered with the record (an agreement's parties): relation name -> the order they come in.
    parts: Mapping[str, str] = field(default_factory=dict)
    #: Fields a list can be ordered by, besides id, created_at, updated_at and the dates.
    ordering: tuple[str, ...] = ()
    #: Text fields ``q`` searches.
    search: tuple[str, ...] = ()
    #: Text filters: field -> its lookups (``title``, ``title__icontains``, ...).
    text_filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: Relation filters: parameter -> the path (or paths) to the related record it names.
    relations: Mapping[str, str | tuple[str, ...]] = field(default_factory=dict)
    #: What "involves country X" and "in region R" mean for the record (``country`` and ``region`` filters).
    places: Places | None = None
    #: Filters that cannot be derived: parameter -> filter.
    filters: Mapping[str, f.Filter] = field(default_factory=dict)
    #: Help texts of derived filters where the generic one says too little: parameter -> text.
    filter_help: Mapping[str, str] = field(default_factory=dict)
    #: Descriptions of fields the model cannot describe (a part's list): field -> text.
    field_help: Mapping[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"<Resource {self.name}>"

    @property
    def cited(self) -> bool:
        return issubclass(self.model, m.CitedModel)

    @cached_property
    def filterset_class(self):
        from cooperation.filtering.filtersets import filterset_for

        return filterset_for(self)

    @cached_property
    def columns(self) -> list:
        from cooperation.tabular.columns import columns_for

        return columns_for(self)

    @property
    def headers(self) -> list[str]:
        return [column.name for column in self.columns]

    def column(self, name: str):
        return next(column for column in self.columns if column.name == name)

    @cached_property
    def supportable(self) -> tuple[str, ...]:
        """The facts of a record that a citation can say it supports (its ``supports``): the declared fields and
        the parts, by the names the API and the CSV give them (a partial date by its name, not its EDTF)."""
        return (*self.fields, *(name for name in self.parts if name not in self.fields))


def part_fields(relation) -> list[models.Field]:
    """The fields of a part that are entered with its record: all but its id and its link to the record."""
    return [
        f
        for f in relation.related_model._meta.concrete_fields
        if f.editable and not f.primary_key and f.name != relation.field.name
    ]


def joined(*declarations: dict) -> dict:
    """``Resource`` keywords from several helpers, their mappings (filters, help texts) merged."""
    joined: dict = {}
    for declaration in declarations:
        for key, value in declaration.items():
            joined[key] = {**joined[key], **value} if isinstance(value, Mapping) and key in joined else value
    return joined
