"""Import a CSV (or a directory of them, as written by export_csv --all): all rows or none."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from cooperation.columns import RESOURCES
from cooperation.imports import import_bundle


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

    def handle(self, *args, resource, file, all, dry_run, user, no_unescape, **options):
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
            results = import_bundle(handles, user=author, dry_run=dry_run, unescape_formulas=not no_unescape)
        finally:
            for handle in handles.values():
                handle.close()
        failed = False
        for name, result in results.items():
            verb = "would create" if dry_run else "created"
            self.stdout.write(
                f"{name}: {verb} {result.created}, {'would update' if dry_run else 'updated'} {result.updated}"
            )
            for error in result.errors:
                failed = True
                where = f"row {error.row}" + (f", column {error.column}" if error.column else "")
                self.stderr.write(f"{paths[name].name}: {where}: {error.message}")
        if failed:
            raise CommandError("Nothing was written: fix the rows above and import again.")
        self.stdout.write(self.style.SUCCESS("Dry run: every row is valid." if dry_run else "Imported."))
