"""Export a resource (or every resource) to CSV, with the API's filters."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict
from tqdm import tqdm

from cooperation.api.ordering import BASIC_ORDERING, date_terms, invalid_terms, keys
from cooperation.resources import RESOURCES, Resource
from cooperation.tabular.exports import ExportOptions, stream_csv
from cooperation.tabular.imports import IMPORT_ORDER


def filtered_queryset(resource: Resource, filters: list[str]):
    """The resource's records through its filterset, from ``name=value`` arguments; unknown or invalid
    filters are errors, as in the API."""
    params = QueryDict(mutable=True)
    for item in filters:
        name, sep, value = item.partition("=")
        if not sep:
            raise CommandError(f"Give filters as name=value, not {item!r}.")
        params.appendlist(name, value)
    known = set(resource.filterset_class.base_filters) | {"ordering"}
    unknown = sorted(set(params) - known)
    if unknown:
        raise CommandError(f"Unknown filter {unknown[0]!r} for {resource.name}; known: {', '.join(sorted(known))}.")
    ordering = params.pop("ordering", None)
    filterset = resource.filterset_class(params, resource.model._default_manager.all())
    if not filterset.is_valid():
        problems = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in filterset.errors.items())
        raise CommandError(f"Invalid filter: {problems}")
    queryset = filterset.qs
    if ordering:
        # The API's orderings, with the same terms (``date``, a date's bounds) and the same total order.
        terms = ordering[-1].split(",")
        allowed = {*BASIC_ORDERING, *resource.ordering, *date_terms(resource.model)}
        message = invalid_terms(terms, allowed)
        if message:
            raise CommandError(message)
        queryset = queryset.order_by(*(key.order() for key in keys(resource.model, terms)))
    return queryset


class Command(BaseCommand):
    help = (
        "Export a resource to CSV with the API's filters, e.g. `export_csv agreements country=PE status=signed "
        "-o peru.csv`, or every resource into a directory with --all DIR (for import_csv --all)."
    )

    def add_arguments(self, parser):
        parser.add_argument("resource", nargs="?", choices=sorted(RESOURCES), help="What to export.")
        parser.add_argument("filters", nargs="*", help="Filters as name=value (repeat a name for several values).")
        parser.add_argument("-o", "--output", help="The file to write (default: standard output).")
        parser.add_argument("--all", metavar="DIR", help="Export every resource into DIR, one file each.")
        parser.add_argument("--no-escape", action="store_true", help="Do not prefix formula-like cells with '.")
        parser.add_argument("--bom", action="store_true", help="Start with a UTF-8 byte order mark (for Excel).")

    def handle(self, *args, resource, filters, output, all, no_escape, bom, **options):
        export_options = ExportOptions(escape_formulas=not no_escape, bom=bom)
        if all:
            if resource or output:
                raise CommandError("--all exports every resource; give no resource or --output with it.")
            directory = Path(all)
            directory.mkdir(parents=True, exist_ok=True)
            for name in IMPORT_ORDER:
                spec = RESOURCES[name]
                self.write(spec, spec.model._default_manager.all(), export_options, directory / f"{name}.csv")
            return
        if not resource:
            raise CommandError("Name the resource to export, or use --all DIR.")
        spec = RESOURCES[resource]
        self.write(spec, filtered_queryset(spec, filters), export_options, Path(output) if output else None)

    def write(self, spec: Resource, queryset, export_options: ExportOptions, path: Path | None) -> None:
        target = path.open("wb") if path else sys.stdout.buffer
        show_progress = self.stderr.isatty() and options_verbosity(self) > 0
        progress = tqdm(
            desc=spec.name, unit="B", unit_scale=True, disable=not show_progress, file=sys.stderr, leave=True
        )
        written = 0
        try:
            for block in stream_csv(spec, queryset, export_options):
                target.write(block)
                written += len(block)
                progress.update(len(block))
        finally:
            progress.close()
            if path:
                target.close()
            else:
                target.flush()
        if path and options_verbosity(self) > 0:
            self.stderr.write(f"{spec.name}: {written:,} bytes -> {path}")


def options_verbosity(command: BaseCommand) -> int:
    return getattr(command, "verbosity", 1)
