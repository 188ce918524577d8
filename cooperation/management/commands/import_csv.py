"""Import a CSV (or a directory of them, as written by export_csv --all): all rows or none."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cooperation.models import Source
from cooperation.natural_keys import NaturalKeyError, natural_key
from cooperation.resources import RESOURCES
from cooperation.tabular.imports import DefaultCitation, import_bundle


class Command(BaseCommand):
    help = (
        "Import a resource's CSV (`import_csv agreements agreements.csv`), or with --all DIR every <resource>.csv "
        "in DIR, in dependency order. One bad row and nothing is written; --dry-run only validates."
    )

    def add_arguments(self, parser):
        parser.add_argument("resource", nargs="?", choices=sorted(RESOURCES))
        parser.add_argument("file", nargs="?")
        parser.add_argument("--all", metavar="DIR", help="Import every <resource>.csv found in DIR.")
        parser.add_argument("--dry-run", action="store_true", help="Validate every row; write nothing.")
        parser.add_argument("--user", help="The user the history records the changes under.")
        parser.add_argument("--no-unescape", action="store_true", help="Keep a leading ' before = + - @ as data.")
        parser.add_argument(
            "--citation-source",
            metavar="URL",
            help="A source every fact record without a citation of its own cites (with --citation-quote).",
        )
        parser.add_argument("--citation-quote", help="The words of that source that support the rows.")
        parser.add_argument("--citation-locator", default="", help="Where in that source (page, paragraph).")
        parser.add_argument(
            "--confirm-duplicate",
            action="store_true",
            help="Create rows that are likely duplicates of records on record all the same (the API's "
            "confirm_duplicate=true).",
        )

    def handle(self, *args, resource, file, all, dry_run, user, no_unescape, confirm_duplicate, **options):
        default_citation = self.default_citation(options)
        author = None
        if user:
            try:
                author = get_user_model().objects.get(username=user)
            except get_user_model().DoesNotExist:
                raise CommandError(f"No user {user!r}.") from None
        if all:
            paths = {name: Path(all) / f"{name}.csv" for name in RESOURCES if (Path(all) / f"{name}.csv").exists()}
            if not paths:
                raise CommandError(f"No <resource>.csv files in {all}.")
        elif resource and file:
            paths = {resource: Path(file)}
        else:
            raise CommandError("Give a resource and a file, or --all DIR.")
        handles = {name: path.open("rb") for name, path in paths.items()}
        try:
            results = import_bundle(
                handles,
                user=author,
                dry_run=dry_run,
                unescape_formulas=not no_unescape,
                default_citation=default_citation,
                confirm_duplicate=confirm_duplicate,
            )
        finally:
            for handle in handles.values():
                handle.close()
        failed = False
        for name, result in results.items():
            verb = "would create" if dry_run else "created"
            self.stdout.write(
                f"{name}: {verb} {result.created}, {'would update' if dry_run else 'updated'} {result.updated}, "
                f"unchanged {result.unchanged}"
            )
            for error in result.errors:
                failed = True
                where = f"row {error.row}" + (f", column {error.column}" if error.column else "")
                self.stderr.write(f"{paths[name].name}: {where}: {error.message}")
        if failed:
            raise CommandError("Nothing was written: fix the rows above and import again.")
        self.stdout.write(self.style.SUCCESS("Dry run: every row is valid." if dry_run else "Imported."))

    @staticmethod
    def default_citation(options) -> DefaultCitation | None:
        url, quote = options["citation_source"], options["citation_quote"]
        if url is None:
            if quote:
                raise CommandError("--citation-quote needs --citation-source.")
            return None
        try:
            source = natural_key(Source).resolve_reference(url)
        except NaturalKeyError as error:
            raise CommandError(f"--citation-source: {error}") from None
        citation = DefaultCitation(source, quote or "", options["citation_locator"])
        try:
            citation.check()
        except ValidationError as error:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())) from None
        return citation
