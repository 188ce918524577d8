"""Regenerate fixtures/reference/countries.csv from its public sources.

- ISO 3166-1 (codes and names): the ``pycountry`` package (Debian's iso-codes data).
- UN M49 region of each country: the ``UNregion`` column of ``country_converter``'s data table.

Only needed when those sources change: ``pip install pycountry country_converter --no-deps``, run it, review
the diff and commit it together with a migration that loads the changes.
"""

import csv
import importlib.util
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

REFERENCE_DIR = Path(settings.BASE_DIR) / "fixtures" / "reference"
#: Where country_converter's table differs from UN M49 itself (unstats.un.org/unsd/methodology/m49): Nauru is
#: in Micronesia (057), not Polynesia (061).
M49_CORRECTIONS = {"NRU": "Micronesia"}


def country_converter_table() -> dict[str, dict[str, str]]:
    spec = importlib.util.find_spec("country_converter")  # located, not imported: the package imports pandas
    if spec is None or not spec.submodule_search_locations:
        raise CommandError("Install country_converter first: pip install country_converter --no-deps")
    path = Path(next(iter(spec.submodule_search_locations))) / "country_data.tsv"
    with path.open(encoding="utf-8") as handle:
        return {row["ISO3"]: row for row in csv.DictReader(handle, delimiter="\t") if row["ISO3"]}


class Command(BaseCommand):
    help = __doc__.splitlines()[0]

    def handle(self, *args, **options):
        try:
            import pycountry
        except ImportError as error:
            raise CommandError("Install pycountry first: pip install pycountry") from error
        with (REFERENCE_DIR / "m49_regions.csv").open(encoding="utf-8") as handle:
            region_codes = {row["name"]: row["m49_code"] for row in csv.DictReader(handle)}
        regions_by_iso3 = country_converter_table()
        rows, unplaced = [], []
        for country in sorted(pycountry.countries, key=lambda c: c.alpha_2):
            region_name = regions_by_iso3.get(country.alpha_3, {}).get("UNregion", "")
            region_name = M49_CORRECTIONS.get(country.alpha_3, region_name)
            if region_name == "Antarctica":
                region_name = "World"  # M49 places Antarctica under the World only
            region = region_codes.get(region_name)
            if region is None:
                unplaced.append(f"{country.alpha_2}: {region_name or 'no region'}")
            rows.append(
                {
                    "iso2": country.alpha_2,
                    "iso3": country.alpha_3,
                    "iso_numeric": country.numeric,
                    "name": getattr(country, "common_name", None) or country.name,
                    "official_name": getattr(country, "official_name", ""),
                    "m49_region": region,
                }
            )
        if unplaced:
            raise CommandError(f"Regions missing from m49_regions.csv: {', '.join(unplaced)}")
        with (REFERENCE_DIR / "countries.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        self.stdout.write(self.style.SUCCESS(f"Wrote {len(rows)} countries to {REFERENCE_DIR / 'countries.csv'}"))
