"""How records are named outside the database: the natural keys that the API and the CSV files use.

A country is ``PE`` (or ``PER``, ``604``, ``Peru``), a region its M49 code or name, an agency ``Name [RU]``
(the country's ISO code in brackets; no brackets for an international one). Each referenced model has one
``NaturalKey``: the canonical string written on export, the lookups accepted on input, and the brief form
that nests the record in another one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Q

from . import models as m
from .names import tidy

_BRACKETED_COUNTRY = re.compile(r"^(?P<name>.+?)\s*\[(?P<country>[A-Za-z]{2})\]$")


class NaturalKeyError(ValueError):
    """The value names no record, or several."""


_resolved: ContextVar[dict | None] = ContextVar("natural_keys_resolved", default=None)


@contextmanager
def remembering_resolutions() -> Iterator[None]:
    """Within this block, a key resolved once is not looked up again (an import names Peru a thousand
    times). Only successful lookups are remembered, so a record created meanwhile is still found."""
    token = _resolved.set({})
    try:
        yield
    finally:
        _resolved.reset(token)


@dataclass(frozen=True)
class NaturalKey:
    model: type[models.Model]
    #: Fields of the brief nested form (besides ``id``); ``country`` is rendered as its ISO alpha-2 code.
    brief_fields: tuple[str, ...]
    #: The canonical key of a record, written on export.
    key: Callable[[models.Model], str]
    #: The condition matching a key as a client may write it.
    lookup: Callable[[str], Q]
    #: Relations the key and the brief form read.
    select_related: tuple[str, ...] = field(default=())

    def resolve(self, value: str, queryset: models.QuerySet | None = None) -> models.Model:
        """The one record ``value`` names. Raises NaturalKeyError naming what went wrong."""
        value = tidy(value)  # as names are stored: NFC, single spaces
        if not value or "\x00" in value:
            raise NaturalKeyError(f"{value!r} is not a valid {self.model._meta.verbose_name}.")
        remembered = _resolved.get() if queryset is None else None
        if remembered is not None and (self.model, value) in remembered:
            return remembered[self.model, value]
        matches = list((queryset or self.model._default_manager.all()).filter(self.lookup(value))[:2])
        if not matches:
            raise NaturalKeyError(f"No {self.model._meta.verbose_name} {value!r}.")
        if len(matches) > 1:
            raise NaturalKeyError(
                f"{value!r} names several {self.model._meta.verbose_name_plural}; give the id, or the country as "
                f"'{value} [XX]'."
            )
        if remembered is not None:
            remembered[self.model, value] = matches[0]
        return matches[0]


def _country_lookup(value: str) -> Q:
    if len(value) == 2 and value.isalpha():
        return Q(iso2__iexact=value)
    if len(value) == 3 and value.isalpha():
        return Q(iso3__iexact=value) | Q(name__iexact=value)
    if len(value) == 3 and value.isdigit():
        return Q(iso_numeric=value)
    return Q(name__iexact=value) | Q(official_name__iexact=value)


def _region_lookup(value: str) -> Q:
    if len(value) == 3 and value.isdigit():
        return Q(m49_code=value)
    return Q(name__iexact=value)


def _named_in_country(name_field: str = "name") -> Callable[[str], Q]:
    def lookup(value: str) -> Q:
        bracketed = _BRACKETED_COUNTRY.match(value)
        if bracketed:
            return Q(**{f"{name_field}__iexact": bracketed["name"], "country__iso2__iexact": bracketed["country"]})
        return Q(**{f"{name_field}__iexact": value})

    return lookup


def _key_in_country(record) -> str:
    return f"{record.name} [{record.country.iso2}]" if record.country_id else record.name


def _vocabulary_lookup(value: str) -> Q:
    return Q(code=value) | Q(name__iexact=value)


NATURAL_KEYS: dict[type[models.Model], NaturalKey] = {
    nk.model: nk
    for nk in (
        NaturalKey(m.Country, ("iso2", "iso3", "name"), lambda r: r.iso2, _country_lookup),
        NaturalKey(m.Region, ("m49_code", "name"), lambda r: r.m49_code or r.name, _region_lookup),
        NaturalKey(m.Drug, ("name",), lambda r: r.name, lambda v: Q(name__iexact=v)),
        NaturalKey(m.CooperationArea, ("code", "name"), lambda r: r.code, _vocabulary_lookup),
        NaturalKey(m.TrainingTopic, ("code", "name"), lambda r: r.code, _vocabulary_lookup),
        NaturalKey(m.Source, ("title", "url"), lambda r: r.url or str(r.pk), lambda v: Q(url=v)),
        NaturalKey(
            m.Agency,
            ("name", "acronym", "country"),
            _key_in_country,
            lambda v: _named_in_country()(v) | Q(acronym__iexact=v),
            select_related=("country",),
        ),
        NaturalKey(m.Official, ("name", "country"), _key_in_country, _named_in_country(), select_related=("country",)),
        NaturalKey(m.Agreement, ("title",), lambda r: r.title, lambda v: Q(title__iexact=v)),
        NaturalKey(m.TrainingCentre, ("name",), lambda r: r.name, lambda v: Q(name__iexact=v)),
    )
}


def natural_key(model: type[models.Model]) -> NaturalKey:
    try:
        return NATURAL_KEYS[model]
    except KeyError:
        raise LookupError(f"{model.__name__} has no natural key") from None
