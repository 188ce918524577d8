"""How records are named outside the database: the natural keys that the API and the CSV files use.

A country is ``PE`` (or ``PER``, ``604``, ``Peru``), a region its M49 code (or its name, for a grouping of
our own), an agency ``Name [RU]`` (the country's ISO code in brackets; no brackets for an international one),
a place ``Lima [PE]`` (or ``geonames:3936456``, its GeoNames id), a source its URL, an official's post
``Viktor Ivanov [RU]: Director at Federal Narcotics Service [RU]`` (no comma: filters split
values at commas), an operation, an event, a course or a route
its name or title. Each referenced model has
one ``NaturalKey``: the canonical key written on export (in SQL, so that exports stream; ``key()`` reads the
same expression for one record), the lookups accepted on input, and the brief form that nests the record in
another one.

A written key names one record, always: where records share a canonical key (two officials called Ivan
Petrov in Russia, two agreements with one title), each is written with its id after it,
``Ivan Petrov [RU] #12``. Input is tried in tiers and the first tier that finds anything decides: the
canonical key exactly as written, then ignoring case, then the id form, then looser forms (a name without its
country, an acronym, another name or spelling, a URL with another scheme, ``www.`` or a trailing slash). So an
exported key resolves to the record it was written for, and an ambiguous value is an error that lists each
match with the key that names it alone.

Where a value may be an id (a filter parameter, a CSV cell: ``resolve_reference``), ASCII digits are the id,
except for countries and regions, whose digits are ISO numeric and M49 codes. So a key of digits alone (an
agency called ``1990``) is written with its id too, unless it is its id, and reads back as the same record.

This module is the one definition: a model's ``natural_key()`` and its manager's ``get_by_natural_key()``
(``NaturallyKeyed`` in ``models/base.py``, used by ``loaddata``'s natural foreign keys) delegate here.
"""

from __future__ import annotations

import re

from django.db import models
from django.db.models import CharField, F, Q, Value
from django.db.models.functions import Cast, Coalesce, NullIf
from django.db.models.lookups import Exact, IExact

from cooperation import models as m

from .machinery import (
    AmbiguousKey,
    NaturalKey,
    NaturalKeyError,
    UnknownKey,
    _aliases,
    _column,
    _exact,
    _Joined,
    _named,
    _named_in_country,
    _nocase,
    _same,
    _whole_key,
    api_path,
    as_id,
    canonical_url,
    remembering_resolutions,
    resolve_many,
    same_source,
    url_variants,
)

__all__ = [
    "NATURAL_KEYS",
    "AmbiguousKey",
    "NaturalKey",
    "NaturalKeyError",
    "UnknownKey",
    "api_path",
    "as_id",
    "canonical_url",
    "natural_key",
    "remembering_resolutions",
    "resolve_many",
    "same_source",
    "url_variants",
]


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


def _region_key(path: str) -> models.Expression:
    prefix = f"{path}__" if path else ""
    return Coalesce(F(f"{prefix}m49_code"), F(f"{prefix}name"))


def _source_key(path: str) -> models.Expression:
    prefix = f"{path}__" if path else ""
    return Coalesce(NullIf(F(f"{prefix}url"), Value("")), Cast(F(f"{prefix}pk"), CharField()))


def _source_id(value: str) -> Q | None:
    """A source without a URL is written as its id."""
    return Q(pk=int(value)) if value.isascii() and value.isdigit() and len(value) < 19 else None


_GEONAMES = re.compile(r"^geonames:\s*(?P<id>[0-9]{1,10})$", re.IGNORECASE)


def _geonames_id(value: str) -> Q | None:
    """``geonames:3936456``: the gazetteer's place with that GeoNames id."""
    written = _GEONAMES.match(value)
    return Q(geonames_id=int(written["id"])) if written else None


def _vocabulary_lookup(value: str) -> Q:
    return Q(code=value) | Q(name__iexact=value)


#: What joins the parts of a post's key (``_post_key``): a value without them is no post's key.
POST_KEY_SEPARATORS = (": ", " at ")


def _post_key(path: str) -> models.Expression:
    """``Viktor Ivanov [RU]: Director at Federal Narcotics Service [RU]``: the official's key, the title, the
    agency's key (each with its id where the official's or the agency's is shared)."""
    prefix = f"{path}__" if path else ""
    return _Joined(
        NATURAL_KEYS[m.Official].expression(f"{prefix}official"),
        Value(POST_KEY_SEPARATORS[0]),
        F(f"{prefix}title"),
        Value(POST_KEY_SEPARATORS[1]),
        NATURAL_KEYS[m.Agency].expression(f"{prefix}agency"),
    )


NATURAL_KEYS: dict[type[models.Model], NaturalKey] = {
    nk.model: nk
    for nk in (
        NaturalKey(m.Country, ("iso2", "iso3", "name"), _column("iso2"), (_country_lookup,), digits_are_keys=True),
        NaturalKey(m.Region, ("m49_code", "name"), _region_key, (_region_lookup,), digits_are_keys=True),
        NaturalKey(m.Drug, ("name",), _column("name"), (_exact("name"), _nocase("name"))),
        NaturalKey(m.CooperationArea, ("code", "name"), _column("code"), (_vocabulary_lookup,)),
        NaturalKey(m.TrainingTopic, ("code", "name"), _column("code"), (_vocabulary_lookup,)),
        NaturalKey(m.Source, ("title", "url"), _source_key, (_exact("url"), _source_id, same_source)),
        _named_in_country(m.Agency, ("name", "acronym", "country"), _aliases(acronym=True)),
        _named_in_country(m.Official, ("name", "country"), _aliases(acronym=False)),
        _named_in_country(m.Place, ("name", "country", "geonames_id"), _aliases(acronym=False), by_id=_geonames_id),
        # Records named by a name or a title; the last three are what else an event may concern.
        _named(m.Agreement, "title"),
        _named(m.TrainingCentre, "name"),
        _named(m.TrainingCourse, "title"),
        _named(m.Operation, "name"),
        _named(m.Event, "title"),
        _named(m.TraffickingRoute, "name"),
        _named(m.Assessment, "claim"),
    )
}
# A post is named by its official's and its agency's keys, so it is declared once theirs are.
NATURAL_KEYS[m.Post] = NaturalKey(
    m.Post,
    ("official", "title", "agency"),
    _post_key,
    tuple(_whole_key(_post_key, lookup, separators=POST_KEY_SEPARATORS) for lookup in (Exact, IExact)),
    clash=_same("official", "title", "agency"),
    select_related=("official", "agency"),
)


def natural_key(model: type[models.Model]) -> NaturalKey:
    try:
        return NATURAL_KEYS[model]
    except KeyError:
        raise LookupError(f"{model.__name__} has no natural key") from None
