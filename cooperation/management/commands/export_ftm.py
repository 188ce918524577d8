"""Write the records as FollowTheMoney entities (the JSON Lines ``GET /api/v1/ftm/`` streams) to a file or stdout."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cooperation.ftm import FtmExport
from cooperation.management.commands.export_csv import filtered_queryset
from cooperation.resources import RESOURCES


class Command(BaseCommand):
    help = (
        "Write FollowTheMoney entities (JSON Lines), of everything or of one resource's records chosen with the "
        "API's filters and what they refer to, e.g. `export_ftm --output peru.ftm.json --resource agreements "
        "--filter country=PE`; without --output, to stdout (`export_ftm | ftm validate`)."
    )

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", help="The file to write (default: stdout).")
        parser.add_argument("--resource", choices=sorted(RESOURCES), help="Whose records the filters choose.")
        parser.add_argument(
            "--filter", action="append", default=[], dest="filters", help="A filter as name=value (repeatable)."
        )

    def handle(self, *args, output, resource, filters, **options):
        if filters and not resource:
            raise CommandError("Name the resource the filters choose (--resource).")
        chosen = filtered_queryset(RESOURCES[resource], filters) if resource else None
        blocks = FtmExport(chosen=chosen).stream()
        if output is None:
            target = getattr(self.stdout, "_out", sys.stdout)
            for block in blocks:
                target.write(block.decode())
            return
        path = Path(output)
        written = 0
        with path.open("wb") as target:
            for block in blocks:
                target.write(block)
                written += len(block)
        if options["verbosity"] > 0:
            self.stderr.write(f"FollowTheMoney entities: {written:,} bytes -> {path}")
