"""Remove synthetic data: the records that synthetic sources support, their parts, citations and the sources.

Deletes in bulk with one DELETE per table (no per-row signals, so no history entries either): the
generated data has no history, and millions of rows cannot go through Django's deletion collector. A real
record that points at a synthetic one (an analyst's agreement with a synthetic agency as a party) makes
the deletion fail (IntegrityError), and nothing is removed.
"""

from __future__ import annotations

from django.db import connection, models, transaction
from django.db.models import Exists, OuterRef

from cooperation import models as m
from cooperation.dependencies import parts_of
from synthetic.marks import SYNTHETIC_URL_PREFIX, is_synthetic, synthetic_sources
from synthetic.sinks import sink_for
from synthetic.tables import ASSIGNED_IDS, TABLES, table_columns, table_model

# Records that point at others go before those they point at (an operation's legal basis is an agreement):
# the order the tables are written in, reversed. Sources and citations go last, after every record.
DELETE_ORDER = [model for model in reversed(ASSIGNED_IDS.values()) if issubclass(model, m.CitedModel)]


def _delete(queryset: models.QuerySet) -> int:
    """DELETE the rows of the queryset in one statement, without loading them."""
    model = queryset.model
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    sql, params = queryset.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {pk} IN ({sql})", params)
        return cursor.rowcount


def _of_synthetic(part: type[models.Model], owner: type[models.Model]) -> models.QuerySet:
    if part._meta.auto_created:  # a many-to-many table: synthetic when the row on the owner's side is
        column = next(f.attname for f in part._meta.concrete_fields if f.many_to_one and f.related_model is owner)
        return part.objects.filter(is_synthetic(owner, pk=column))
    return part.objects.filter(is_synthetic(part))


@transaction.atomic
def clear_synthetic_data() -> dict[str, int]:
    """Delete all synthetic data. Returns the rows deleted per table (named as in TABLES), if any."""
    deleted: dict[str, int] = {}

    names = {table_model(key): key for key in TABLES}
    tables = [table_columns(key)[0] for key in TABLES]
    sink_for(connection).analyze(tables)  # plan the deletions on what the tables hold now

    def count(model: type[models.Model], rows: int) -> None:
        if rows:
            deleted[names[model]] = deleted.get(names[model], 0) + rows

    for model in DELETE_ORDER:
        for part in parts_of(model, ASSIGNED_IDS.values()):  # its many-to-many links, its parties, ...
            count(part, _delete(_of_synthetic(part, model)))
        count(model, _delete(model.objects.filter(is_synthetic(model))))
    # The citations of the records just deleted: the synthetic ones, and any an analyst added to such a record.
    synthetic_citation = m.Citation.objects.filter(
        content_type=OuterRef("content_type"),
        object_id=OuterRef("object_id"),
        source__url__startswith=SYNTHETIC_URL_PREFIX,
    )
    count(m.Citation, _delete(m.Citation.objects.filter(Exists(synthetic_citation))))
    count(m.Source, _delete(synthetic_sources()))
    # Foreign keys are checked at COMMIT, which may be an outer transaction's: check them now, so that a real
    # record pointing at a deleted one makes this fail here, with nothing deleted.
    connection.check_constraints(table_names=tables)
    sink_for(connection).analyze(tables)
    return deleted
