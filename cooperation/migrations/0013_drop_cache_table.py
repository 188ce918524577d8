"""The rate limits' database cache table goes: they count in the cache CACHE_URL names (memory or Redis), never in
the database. Migration 0005 made the table only where the database cache was configured (before this
release, everywhere); what it held were counts of the last minute's requests, so nothing is lost."""

from django.db import migrations

TABLE = "cooperation_cache"


def drop_cache_table(apps, schema_editor):
    if TABLE in schema_editor.connection.introspection.table_names():
        schema_editor.execute(f"DROP TABLE {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("cooperation", "0012_places")]
    # Going back needs no table: the database cache is no longer a setting one can choose.
    operations = [migrations.RunPython(drop_cache_table, migrations.RunPython.noop)]
