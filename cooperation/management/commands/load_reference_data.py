from django.core.management.base import BaseCommand
from django.db import transaction

from cooperation.reference import load_reference_data


class Command(BaseCommand):
    help = (
        "Bring the M49 regions and ISO countries in line with fixtures/reference/ and add missing vocabulary "
        "entries. Idempotent; never deletes. (Migrations already load this data once.)"
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            counts = load_reference_data()
        self.stdout.write(", ".join(f"{count} {name}" for name, count in counts.items()))
