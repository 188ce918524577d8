"""Load the seed fixtures (fixtures/seed/*.yaml) into a database that does not have them yet."""

from pathlib import Path

import yaml
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from cooperation import duplicates
from cooperation.history import record_initial_history
from cooperation.models import Source

SEED_DIR = Path(settings.BASE_DIR) / "fixtures" / "seed"


def seed_source_urls(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as handle:
        return [o["fields"]["url"] for o in yaml.safe_load(handle) if o["model"] == "cooperation.source"]


class Command(BaseCommand):
    help = (
        "Load each seed fixture whose sources are not in the database yet, then give every record without "
        "history its creation entry. A seed already loaded is skipped, so analysts' edits to it are kept."
    )

    def handle(self, *args, **options):
        for path in sorted(SEED_DIR.glob("*.yaml")):
            urls = seed_source_urls(path)
            if Source.objects.filter(url__in=urls).exists():
                self.stdout.write(f"Seed {path.name}: already loaded")
                continue
            with transaction.atomic():
                call_command("loaddata", str(path), verbosity=0)
                # Fixtures are loaded as they are, without the services: give their records duplicate keys.
                for model_name in duplicates.RULES:
                    duplicates.fill_keys(apps.get_model("cooperation", model_name))
            self.stdout.write(self.style.SUCCESS(f"Seed {path.name}: loaded"))
        written = record_initial_history()
        if written:
            self.stdout.write(f"History: {written} creation entries recorded")
