from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from cooperation.explorer import counts


class Command(BaseCommand):
    help = (
        "Make the counts the country dossiers read (records per country, kind and years; partners) again from the "
        "records, in one transaction, and reinstall the triggers that keep them. The triggers keep them in every "
        "write: run this for a database whose counts were set aside (restored without them, written with the "
        "triggers disabled). --check compares them with the records instead, writing nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="The database (default: default).")
        parser.add_argument(
            "--check", action="store_true", help="Only compare the kept counts with the records; fail if they differ."
        )

    def handle(self, *args, database, check, **options):
        connection = connections[database]
        if check:
            kept, expected = counts.kept(connection), counts.expected(connection)
            wrong = [table for table in expected if kept[table] != expected[table]]
            if wrong:
                for table in wrong:
                    missing = len(expected[table] - kept[table]) + len(kept[table] - expected[table])
                    self.stderr.write(f"{table}: {missing} rows differ from the records.")
                raise CommandError("The dossier counts differ from the records: run rebuild_dossier_counts.")
            self.stdout.write("The dossier counts are those of the records.")
            return
        written = counts.rebuild(connection)
        for table, rows in written.items():
            self.stdout.write(f"{table:<28} {rows:>10,}")
