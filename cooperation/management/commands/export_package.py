"""Write the data package (the zip ``GET /api/v1/package/`` streams) to a file."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cooperation.management.commands.export_csv import filtered_queryset
from cooperation.resources import RESOURCES
from cooperation.tabular.package import DataPackage


class Command(BaseCommand):
    help = (
        "Write the data package (tidy CSVs and datapackage.json in a zip), of everything or of one resource's "
        "records chosen with the API's filters and what they refer to, e.g. "
        "`export_package --output peru.zip --resource agreements --filter country=PE`."
    )

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", required=True, help="The zip file to write.")
        parser.add_argument("--resource", choices=sorted(RESOURCES), help="Whose records the filters choose.")
        parser.add_argument(
            "--filter", action="append", default=[], dest="filters", help="A filter as name=value (repeatable)."
        )
        parser.add_argument("--no-escape", action="store_true", help="Do not prefix formula-like cells with '.")

    def handle(self, *args, output, resource, filters, no_escape, **options):
        if filters and not resource:
            raise CommandError("Name the resource the filters choose (--resource).")
        chosen = filtered_queryset(RESOURCES[resource], filters) if resource else None
        path = Path(output)
        written = 0
        with path.open("wb") as target:
            for block in DataPackage(chosen=chosen, escape_formulas=not no_escape).stream():
                target.write(block)
                written += len(block)
        if options["verbosity"] > 0:
            self.stderr.write(f"Data package: {written:,} bytes -> {path}")
