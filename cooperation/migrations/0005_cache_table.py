"""The database cache table (settings.CACHES), where the API's rate limits count requests across workers.

Created by ``createcachetable`` from a migration so that every way of setting up a database (make run, the
container's entrypoint, the test databases) gets it by running ``migrate``."""

from django.conf import settings
from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


def drop_cache_tables(apps, schema_editor):
    for cache in settings.CACHES.values():
        if cache["BACKEND"] == "django.core.cache.backends.db.DatabaseCache":
            schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(cache['LOCATION'])}")


class Migration(migrations.Migration):
    dependencies = [("cooperation", "0004_deletions")]
    operations = [migrations.RunPython(create_cache_tables, drop_cache_tables)]
