"""Orderings of the lists, as keys a keyset cursor can seek to.

A list is ordered by the terms of ``?ordering=`` (declared fields, every partial date's ``_earliest`` and
``_latest`` bound, and ``date``, the main date's earliest bound), then by ``id``, so the order is total and a
cursor (the values of every key of one row) finds its place again whatever the ties.

Unknown values (NULL bounds: an undated record, or an open end) come **last, in both directions**: a
researcher reading ``-date`` sees the latest known dates first and the undated records at the end. Every
``ORDER BY`` says so explicitly (``NULLS LAST``), because SQLite puts NULLs first and PostgreSQL last.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import F, Q
from django.db.models.expressions import OrderBy

#: What every list can be ordered by, besides what its resource declares and its dates.
BASIC_ORDERING = ("id", "created_at", "updated_at")
#: The alias every resource with dates offers: its main date's earliest bound.
DATE_ALIAS = "date"
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
TIEBREAKER = "id"


class InvalidPosition(ValueError):
    """A cursor value that cannot be a value of its key."""


def main_date(model: type[models.Model]) -> str | None:
    """The partial date ``?ordering=date`` means: the model's ``main_date``, else its first partial date."""
    dates = getattr(model, "partial_dates", ())
    return getattr(model, "main_date", None) or (dates[0] if dates else None)


def date_terms(model: type[models.Model]) -> dict[str, str]:
    """Ordering terms the model's partial dates give: term -> field (both bounds of each date, and ``date``)."""
    terms = {}
    for name in getattr(model, "partial_dates", ()):
        terms |= {f"{name}_earliest": f"{name}_earliest", f"{name}_latest": f"{name}_latest"}
    main = main_date(model)
    if main:
        terms.setdefault(DATE_ALIAS, f"{main}_earliest")
    return terms


@dataclass(frozen=True)
class Key:
    """One column of an ordering: a model field, ascending or descending, NULLs last either way."""

    field: models.Field
    descending: bool = False

    @property
    def name(self) -> str:
        return self.field.attname

    @property
    def term(self) -> str:
        return f"-{self.name}" if self.descending else self.name

    def order(self, *, backwards: bool = False) -> OrderBy:
        """The ORDER BY expression; ``backwards`` reverses it wholly (NULLs then come first)."""
        descending = self.descending != backwards
        nulls = ({"nulls_first": True} if backwards else {"nulls_last": True}) if self.field.null else {}
        return F(self.name).desc(**nulls) if descending else F(self.name).asc(**nulls)

    def after(self, value: Any, *, backwards: bool = False) -> Q | None:
        """Rows strictly after ``value`` in this key's order (strictly before it when ``backwards``); None
        when there are none (nothing comes after NULL)."""
        if value is None:
            return Q(**{f"{self.name}__isnull": False}) if backwards else None
        lookup = "gt" if self.descending == backwards else "lt"
        condition = Q(**{f"{self.name}__{lookup}": value})
        if self.field.null and not backwards:
            condition |= Q(**{f"{self.name}__isnull": True})
        return condition

    def equal(self, value: Any) -> Q:
        return Q(**{f"{self.name}__isnull": True}) if value is None else Q(**{self.name: value})

    def dump(self, value: Any) -> Any:
        """A row's value as JSON can carry it."""
        return value.isoformat() if isinstance(value, dt.date) else value

    def load(self, raw: Any) -> Any:
        """A cursor's value, checked against the field's type. Raises InvalidPosition."""
        if raw is None and self.field.null:
            return None
        try:
            value = parse(self.field, raw)
        except (ValueError, OverflowError, TypeError):
            value = None
        if value is None:
            raise InvalidPosition(f"not a value of {self.name}")
        return value


def parse(field: models.Field, raw: Any) -> Any:
    """``raw`` (from JSON) as a value of ``field``, or None if it is none (wrong type, out of range, NUL...)."""
    kind = field.get_internal_type()
    if kind in BaseDatabaseOperations.integer_field_ranges:
        low, high = BaseDatabaseOperations.integer_field_ranges[kind]
        return raw if type(raw) is int and low <= raw <= high else None
    if not isinstance(raw, str):
        return None
    if isinstance(field, models.DateTimeField):
        value = dt.datetime.fromisoformat(raw) if len(raw) <= 40 else None
        return value.astimezone(dt.UTC) if value and value.tzinfo else None  # OverflowError near year 1 or 9999
    if isinstance(field, models.DateField):
        return dt.date.fromisoformat(raw) if ISO_DATE.fullmatch(raw) else None
    if isinstance(field, (models.CharField, models.TextField)):
        raw.encode()  # a lone surrogate is a UnicodeEncodeError (a ValueError): neither database takes one
        return raw if "\x00" not in raw and len(raw) <= (field.max_length or 10_000) else None
    return None


def invalid_terms(terms: list[str], allowed: set[str]) -> str | None:
    """The error for the terms of ``?ordering=`` that are not among ``allowed`` (None if all are): a comma list of
    the allowed terms, each maybe with ``-``, and nothing else (no empty term, no spaces, not ``--id``)."""
    invalid = [repr(term) for term in terms if term.removeprefix("-") not in allowed]
    return f"Cannot order by {', '.join(invalid)}; use: {', '.join(sorted(allowed))}." if invalid else None


def keys(model: type[models.Model], terms: list[str] | tuple[str, ...]) -> list[Key]:
    """The keys of an ordering given as terms (``-date``, ``title``, ...), ending with ``id``.

    A repeated field counts once (its first term). ``id`` comes last, in the direction of the first key, unless
    the terms name it: being unique, it ends the ordering there.
    """
    aliases = date_terms(model)
    result: list[Key] = []
    for term in terms:
        name = term.removeprefix("-")
        field = model._meta.get_field("id" if name == "pk" else aliases.get(name, name))
        if any(key.field == field for key in result):
            continue
        result.append(Key(field, descending=term.startswith("-")))
        if field.primary_key:
            return result
    return [*result, Key(model._meta.pk, descending=bool(result) and result[0].descending)]


def seek(ordering: list[Key], values: list[Any], *, backwards: bool = False) -> Q:
    """Rows strictly after the position ``values`` in the ordering (before it when ``backwards``):
    ``(a, b, id) > (x, y, z)`` spelled out as ``a > x OR (a = x AND (b > y OR (b = y AND id > z)))``, with
    NULLs as the largest values, so it means the same on every database."""
    alternatives, prefix = [], Q()
    for key, value in zip(ordering, values, strict=True):
        step = key.after(value, backwards=backwards)
        if step is not None:
            alternatives.append(prefix & step)
        prefix &= key.equal(value)
    return reduce(or_, alternatives, Q(pk__in=[]))
