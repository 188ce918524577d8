"""Writing the change feed's log (``cooperation.models.Change``): a row per create, update, delete and merge of a
record of any resource, in the transaction that makes the change.

- **Triggers.** Each resource's table has triggers that write the row: every way of writing is logged, the
  services, the admin, the bulk import, queryset updates (a merge touching the records whose parts moved),
  raw SQL. On PostgreSQL the row gets the writing transaction's id (the column's default), which the feed's
  snapshot cursor reads (``cooperation.api.changes``). An update that changes nothing logs nothing there.
  ``install_triggers`` runs in the migration and after every ``migrate`` (SQLite drops a table's triggers when
  a migration rebuilds the table).
- **Merges.** The duplicate's deletion is logged as a merge, with the record it went into (``mark_merge``).
- **Records that show another.** A record's representation names the records it refers to (an agreement's
  parties as ``{"id", "name", ...}``, a citation's record by its title): when a record's name changes (its
  brief form or its title), those that show it are logged as updated too (``log_records_showing``), so that a
  mirror stays identical without re-reading them.
- **Concurrent writers.** A record that starts to show another while it is renamed must not be missed: the
  rename's list of those that show it is read after it locks the renamed row (``FOR UPDATE``), which waits for a
  transaction that has just made a record refer to it (a foreign key's check holds ``FOR KEY SHARE`` on the row
  it refers to; a citation takes that lock on its record itself, ``lock_cited_record``), and makes one that
  starts later wait until the rename commits, so that a mirror reads it with the new name.
"""

from __future__ import annotations

import copy

from django.contrib.contenttypes.models import ContentType
from django.db import connection as default_connection
from django.db import models, router, transaction
from django.db.models.signals import post_migrate, pre_save

from cooperation.models import Citation
from cooperation.models.changes import Change, Op

FUNCTION = "cooperation_log_change"
CHANGE_TABLE = Change._meta.db_table

POSTGRESQL_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO {CHANGE_TABLE} (resource, record_id, op) VALUES (TG_ARGV[0], OLD.id, 'delete');
    ELSE
        INSERT INTO {CHANGE_TABLE} (resource, record_id, op)
        VALUES (TG_ARGV[0], NEW.id, CASE TG_OP WHEN 'INSERT' THEN 'create' ELSE 'update' END);
    END IF;
    RETURN NULL;
END $$;
"""


def resource_tables() -> dict[str, str]:
    """Each resource's table -> the resource's name."""
    from cooperation.resources import RESOURCES

    return {resource.model._meta.db_table: name for name, resource in RESOURCES.items()}


def _trigger_statements(vendor: str, table: str, resource: str) -> list[str]:
    name = f"{table}_changes"
    if vendor == "postgresql":
        return [
            f"CREATE OR REPLACE TRIGGER {name} AFTER INSERT OR DELETE ON {table} FOR EACH ROW "
            f"EXECUTE FUNCTION {FUNCTION}('{resource}')",
            # A write that leaves the row as it was (a no-op save) is no change to report.
            f"CREATE OR REPLACE TRIGGER {name}_update AFTER UPDATE ON {table} FOR EACH ROW "
            f"WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION {FUNCTION}('{resource}')",
        ]
    insert = f"INSERT INTO {CHANGE_TABLE} (resource, record_id, op) VALUES ('{resource}', "
    return [
        f"CREATE TRIGGER IF NOT EXISTS {name}_{event.lower()} AFTER {event} ON {table} FOR EACH ROW "
        f"BEGIN {insert}{row}.id, '{op}'); END"
        for event, row, op in (("INSERT", "NEW", "create"), ("UPDATE", "NEW", "update"), ("DELETE", "OLD", "delete"))
    ]


def install_triggers(connection=None, tables: dict[str, str] | None = None) -> None:
    """Create (or replace) the triggers that log the changes of ``tables`` (table -> resource; by default every
    resource's). Safe to run any number of times."""
    connection = connection or default_connection
    if connection.vendor not in ("postgresql", "sqlite"):
        raise NotImplementedError(
            f"The change feed's triggers are written for PostgreSQL and SQLite, not {connection.vendor}."
        )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRESQL_FUNCTION)
        for table, resource in (tables or resource_tables()).items():
            for statement in _trigger_statements(connection.vendor, table, resource):
                cursor.execute(statement)


def tables_without_triggers(connection=None) -> list[str]:
    """The resources' tables that no trigger logs (none, unless something dropped them)."""
    connection = connection or default_connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT DISTINCT event_object_table FROM information_schema.triggers")
        else:
            cursor.execute("SELECT DISTINCT tbl_name FROM sqlite_master WHERE type = 'trigger'")
        logged = {row[0] for row in cursor.fetchall()}
    return sorted(set(resource_tables()) - logged)


def _reinstall(sender, using="default", **kwargs) -> None:
    from django.db import connections

    if sender.name == "cooperation" and Change._meta.db_table in connections[using].introspection.table_names():
        install_triggers(connections[using])


# --- Merges ---------------------------------------------------------------------------------------------------
def mark_merge(model: type[models.Model], record_id: int, survivor_id: int) -> None:
    """Log the deletion of ``record_id`` (just deleted, in this transaction) as its merge into ``survivor_id``."""
    from cooperation.resources import resource_of

    name = resource_of(model).name
    latest = Change.objects.filter(resource=name, record_id=record_id, op=Op.DELETE).order_by("-id")[:1]
    Change.objects.filter(pk__in=list(latest.values_list("pk", flat=True))).update(op=Op.MERGE, merged_into=survivor_id)
    # Records merged into the duplicate before lead to the survivor now: their merges are not rewritten (the
    # feed is a log), the duplicate's merge says where it went.


# --- Records that show another --------------------------------------------------------------------------------
def _brief(record: models.Model) -> tuple:
    """How other records show ``record``: its brief form (where it has a natural key) and its title."""
    from cooperation.api.fields import BriefRelatedField
    from cooperation.natural_keys import NATURAL_KEYS

    brief = BriefRelatedField(read_only=True).to_representation(record) if type(record) in NATURAL_KEYS else {}
    return tuple(brief.items()), str(record)


def _as_stored(record: models.Model, changed: set[str]) -> models.Model:
    """A copy of ``record`` with the values it was read with; its related records cached as ``record`` has
    them, but for the references that changed."""
    stored = copy.copy(record)
    stored._state = copy.copy(record._state)
    stored._state.fields_cache = dict(record._state.fields_cache)
    for name, value in zip(*record._loaded_values, strict=True):
        stored.__dict__[name] = value
    for field in record._meta.concrete_fields:
        if field.is_relation and field.attname in changed:
            stored._state.fields_cache.pop(field.name, None)
    return stored


def shown_differently(record: models.Model) -> bool:
    """Whether saving ``record`` changes how other records show it: its brief form or its title. Unknown
    (a record not read from the database) counts as changed."""
    changed = record.changed_fields() if hasattr(record, "changed_fields") else None
    if changed is None:
        return True
    if not changed:
        return False
    now = _brief(record)  # first: the related records it reads are cached for the copy as stored
    return _brief(_as_stored(record, changed)) != now


def _parents_of_parts() -> dict[type[models.Model], tuple[type[models.Model], str]]:
    """A part's model (an agreement's parties) -> (its record's model, the foreign key to it)."""
    from cooperation.resources import RESOURCES

    parents = {}
    for resource in RESOURCES.values():
        for name in resource.parts:
            relation = resource.model._meta.get_field(name)
            parents[relation.related_model] = (resource.model, relation.field.attname)
    return parents


def records_showing(model: type[models.Model], pks: set[int]) -> dict[type[models.Model], set[int]]:
    """The records (of every resource) whose representation shows one of these records of ``model``: those that
    refer to it (a foreign key, a many-to-many value, a part that does: an agreement whose party it is), its
    citations (they name it), and for a source the records citing it (their citations name it). A query per
    relation."""
    from cooperation.resources import resource_or_none

    parents = _parents_of_parts()
    found: dict[type[models.Model], set[int]] = {}

    def add(kind, ids) -> None:
        ids = set(ids)
        if ids:
            found.setdefault(kind, set()).update(ids)

    for relation in model._meta.related_objects:
        other, field = relation.related_model, relation.field
        if relation.many_to_many:
            if resource_or_none(other) is not None:
                add(other, other._default_manager.filter(**{f"{field.name}__in": pks}).values_list("pk", flat=True))
            continue
        if resource_or_none(other) is not None:
            add(other, other._default_manager.filter(**{f"{field.attname}__in": pks}).values_list("pk", flat=True))
        elif other in parents:
            parent, link = parents[other]
            rows = other._default_manager.filter(**{f"{field.attname}__in": pks}).values_list(link, flat=True)
            add(parent, (pk for pk in rows if pk is not None))
    content_type = ContentType.objects.get_for_model(model)
    add(Citation, Citation.objects.filter(content_type=content_type, object_id__in=pks).values_list("pk", flat=True))
    if model is Citation._meta.get_field("source").related_model:
        for type_id, object_id in Citation.objects.filter(source__in=pks).values_list("content_type", "object_id"):
            cited = ContentType.objects.get_for_id(type_id).model_class()
            if cited is not None:
                add(cited, [object_id])
    found.get(model, set()).difference_update(pks)
    return found


def _shows_in_brief(model: type[models.Model], other: type[models.Model]) -> bool:
    """Whether records of ``model`` show a record of ``other`` in their own brief form (a post its official's
    name): renaming the other then changes how the first kind is shown elsewhere too."""
    from cooperation.natural_keys import natural_key

    try:
        brief = natural_key(model).brief_fields
    except LookupError:
        return False
    return any(
        model._meta.get_field(name).is_relation and model._meta.get_field(name).related_model is other
        for name in brief
        if name != "country"
    )


def _lock(model: type[models.Model], pks, strength: str) -> None:
    """Take a row lock (``UPDATE`` or ``KEY SHARE``) on these records until the transaction ends (PostgreSQL, in
    a transaction; SQLite serialises writers on its own)."""
    connection = transaction.get_connection(router.db_for_write(model))
    if connection.vendor != "postgresql" or not connection.in_atomic_block or not pks:
        return
    table, key = connection.ops.quote_name(model._meta.db_table), connection.ops.quote_name(model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {table} WHERE {key} = ANY(%s) ORDER BY {key} FOR {strength}", [sorted(pks)])


def lock_cited_record(citation: Citation) -> None:
    """What a foreign key's check does, for a citation's record (a generic relation, which has none): hold it
    ``FOR KEY SHARE``, so that a rename of it running meanwhile sees this citation or is seen by it."""
    model = ContentType.objects.get_for_id(citation.content_type_id).model_class()
    if model is not None and citation.object_id is not None:
        _lock(model, [citation.object_id], "KEY SHARE")


def log_records_showing(record: models.Model) -> int:
    """Log an update of every record that shows ``record`` (and, where they show it in their own brief form,
    of those that show them). Returns how many rows were written."""
    from cooperation.resources import resource_or_none

    _lock(type(record), [record.pk], "UPDATE")  # first: a record made to refer to it meanwhile is committed
    showing = records_showing(type(record), {record.pk})
    for kind, pks in list(showing.items()):
        if _shows_in_brief(kind, type(record)):
            _lock(kind, pks, "UPDATE")
            for further, ids in records_showing(kind, pks).items():
                showing.setdefault(further, set()).update(ids)
    rows = [
        Change(resource=resource_or_none(kind).name, record_id=pk, op=Op.UPDATE)
        for kind, pks in showing.items()
        if resource_or_none(kind) is not None
        for pk in sorted(pks)
    ]
    Change.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def _before_save(sender, instance, raw=False, **kwargs) -> None:
    if raw:
        return  # a fixture's row
    if isinstance(instance, Citation):
        lock_cited_record(instance)
    if instance._state.adding:
        return  # a new record: nothing shows it yet
    if shown_differently(instance):
        log_records_showing(instance)


def connect() -> None:
    from cooperation.resources import RESOURCES

    post_migrate.connect(_reinstall, dispatch_uid="change-feed-triggers")
    for resource in RESOURCES.values():
        pre_save.connect(_before_save, sender=resource.model, dispatch_uid=f"change-feed-{resource.name}")
