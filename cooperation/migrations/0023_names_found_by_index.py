"""Names found by index: a name in another case among the places (``UPPER(name)``), and, on PostgreSQL, one line
of the other names (in upper case) or of the folded names of places, agencies and officials, as keys and imports
look them up (``natural_keys.machinery._HasLine``: the same expressions). Without them a name that matches
nothing read every row of the gazetteer's 34,000 places, three times."""

import django.db.models.functions.text
from django.db import migrations, models

#: (table, column, in upper case): the texts of lines that keys look a name up in.
LINES = [
    ("cooperation_place", "other_names", True),
    ("cooperation_agency", "other_names", True),
    ("cooperation_agency", "search_names", False),
    ("cooperation_official", "other_names", True),
    ("cooperation_official", "search_names", False),
]


def lines(column: str, upper: bool) -> str:
    text = f"REPLACE({column}, E'\\r', '')"
    return f"string_to_array({f'UPPER({text})' if upper else text}, E'\\n')"


def create_line_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite has no GIN index; it reads the rows, as before
    for table, column, upper in LINES:
        schema_editor.execute(f"CREATE INDEX {table}_{column}_lines ON {table} USING gin ({lines(column, upper)})")


def drop_line_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column, _ in LINES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_{column}_lines")


class Migration(migrations.Migration):
    dependencies = [
        ("cooperation", "0022_parties_indexed_by_country_and_agency"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="place",
            index=models.Index(django.db.models.functions.text.Upper("name"), name="place_name_upper_idx"),
        ),
        migrations.RunPython(create_line_indexes, drop_line_indexes, elidable=False),
    ]
