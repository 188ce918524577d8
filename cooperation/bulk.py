"""New records in batches: what ``services.record_save`` does for one new record, for many at once, with a few
queries per batch instead of some twenty per record (the CSV import's rows).

The rules are ``record_save``'s, split by where they are checked:

- ``prepare`` checks each record as ``record_save`` would, with everything that needs no query: its fields,
  ``clean()``, the constraints checked in Python, its parts, at least one citation. It raises ValidationError
  when ``record_save`` would refuse the record (perhaps with fewer errors: the caller saves such a record with
  ``record_save`` to report them exactly).
- ``first_alike`` finds, with one query, the first record that ``record_save`` would check against a like one
  (a stored record, or an earlier one of the batch): the caller saves the records before it in a batch and
  that one with ``record_save``, which decides whether it is a duplicate.
- ``create_all`` writes the records, their many-to-many values and their parts with ``bulk_create``, and
  their history as ``record_save`` leaves it (the same entries, user and change reason: a creation entry per
  record and part, and a change entry per many-to-many field set). What the database checks (unique values,
  constraints, duplicates that a concurrent write stored meanwhile) raises IntegrityError: in a savepoint,
  the caller rolls the batch back and saves its records one by one, to report each refusal.

Not for citations as records of their own (saving one touches the record it cites).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.contrib.contenttypes.fields import GenericRelation
from django.db import connection, models
from django.db.models import Q
from django.utils import timezone
from simple_history.utils import get_change_reason_from_object

from cooperation import duplicates
from cooperation.models import TrackedModel
from cooperation.services import (
    Values,
    _as_history_user,
    _check_cited,
    _plan_parts,
    cite_for_dates,
    validate_without_queries,
)


@dataclass
class NewRecord:
    """A new record checked by ``prepare``: its many-to-many values and its parts (unsaved, in order)."""

    record: TrackedModel
    many_to_many: dict[str, list[models.Model]]
    parts: dict[str, list[models.Model]]
    #: What ``cooperation.duplicates`` compares it by (None for a kind without a rule).
    likeness: tuple | None


def prepare(
    record: TrackedModel,
    *,
    many_to_many: Mapping[str, Iterable[models.Model]] | None = None,
    parts: Mapping[str, Iterable[Values]] | None = None,
) -> NewRecord:
    """Check a new record and its parts as ``record_save`` would, without a query (see the module)."""
    parts = {relation: list(items) for relation, items in (parts or {}).items()}
    cite_for_dates(record, parts.get("citations"))
    record.full_clean(validate_unique=False, validate_constraints=False)
    validate_without_queries(record)
    plans = {
        relation: _plan_parts(record, relation, items, new_parent=True, unsaved_parent=True)
        for relation, items in parts.items()
    }
    _check_cited(record, plans, new=True)
    values = {name: list({value.pk: value for value in given}.values()) for name, given in (many_to_many or {}).items()}
    return NewRecord(
        record,
        values,
        {relation: [part for _, part in plan.to_save] for relation, plan in plans.items()},
        duplicates.likeness(record, parts),
    )


def first_alike(batch: list[NewRecord]) -> int:
    """The index of the first record that is like a stored record or an earlier one of the batch (as
    ``duplicates.alike`` compares them), or ``len(batch)``. Two queries. It may point at a record that turns out
    not to be a duplicate (``record_save`` decides); it never misses one."""
    if not batch:
        return 0
    model = type(batch[0].record)
    rule = duplicates.rule_for(model)
    if rule is None:
        return len(batch)
    digests = [duplicates.digest(item.likeness) for item in batch]
    unkeyed = Q(pk__in=[])
    # Records stored without a key (a bulk load) are compared field by field; there are seldom any.
    for item in batch if model._default_manager.filter(**{duplicates.KEY_FIELD: None}).exists() else ():
        matching = Q()
        for name in rule.fields:
            field = model._meta.get_field(name)
            value = getattr(item.record, field.attname)
            matching &= Q(**{f"{name}__iexact": value}) if isinstance(value, str) else Q(**{field.attname: value})
        unkeyed |= matching
    stored = model._default_manager.filter(
        Q(**{f"{duplicates.KEY_FIELD}__in": set(digests)}) | (Q(**{duplicates.KEY_FIELD: None}) & unkeyed)
    )
    keys, likes = set(), []
    for other in stored.order_by():
        key = getattr(other, duplicates.KEY_FIELD)
        if key is None:
            likes.append(duplicates.likeness(other))  # stored without a key (a bulk load): compared as alike() does
        else:
            keys.add(key)
    for index, (item, key) in enumerate(zip(batch, digests, strict=True)):
        if key in keys or item.likeness in likes:
            return index
        keys.add(key)
    return len(batch)


def create_all(batch: list[NewRecord], *, user=None) -> None:
    """Write the records (all of one model) with their many-to-many values, parts and history. Call it in a
    savepoint: the database's refusal (IntegrityError) leaves the batch half written."""
    if not batch:
        return
    model = type(batch[0].record)
    rule = duplicates.rule_for(model)
    for item in batch:
        if rule is not None:
            setattr(item.record, duplicates.KEY_FIELD, duplicates.digest(item.likeness))
            setattr(item.record, duplicates.CONFIRMED_FIELD, False)
        _as_history_user(item.record, user)
    records = [item.record for item in batch]
    _save_new(records)
    _history(records, "+")
    _many_to_many(batch)
    _parts(batch, user)


def _history(records: list[models.Model], kind: str) -> list[int]:
    """History entries for records just written, as simple-history's signal would make them one by one (the
    entries' fields are the records'; no instances are built). Returns the entries' ids."""
    if not records:
        return []
    history = type(records[0]).history.model
    now = timezone.now()
    tracked = [field.attname for field in history.tracked_fields]
    rows = []
    for record in records:
        user = history.get_default_history_user(record)
        row = {name: getattr(record, name) for name in tracked}
        row["history_date"] = getattr(record, "_history_date", now)
        row["history_type"] = kind
        row["history_user_id"] = getattr(user, "pk", user)
        row["history_change_reason"] = get_change_reason_from_object(record)
        rows.append(row)
    return insert(history, rows)


def _save_new(records: list[models.Model]) -> None:
    """Insert new records (of one model) and give them their ids, as ``bulk_create`` does, at less cost."""
    model = type(records[0])
    names = [field.attname for field in _inserted_fields(model)]
    ids = insert(model, [{name: getattr(record, name) for name in names} for record in records])
    for record, pk in zip(records, ids, strict=True):
        record.pk = pk
        record._state.adding, record._state.db = False, connection.alias


def _inserted_fields(model: type[models.Model]) -> list[models.Field]:
    return [field for field in model._meta.concrete_fields if not field.primary_key]


#: Field types whose Python values the database driver takes as they are (Django's preparation of them,
#: ``get_db_prep_save``, returns them unchanged): their values skip it. On SQLite, dates, times and decimals
#: are prepared by Django (it stores them as text).
PLAIN = (models.CharField, models.TextField, models.IntegerField, models.BooleanField, models.ForeignKey)
PLAIN_ON_POSTGRESQL = (*PLAIN, models.DateField, models.DecimalField)  # DateTimeField is a DateField


def insert(model: type[models.Model], rows: list[dict]) -> list[int]:
    """Insert rows (attname -> value; the primary key is the database's) with one INSERT ... RETURNING per
    as many rows as the database binds parameters for; return their ids in order. What ``bulk_create`` sends,
    without building instances or preparing each value through every layer of its field."""
    if not rows:
        return []
    fields = _inserted_fields(model)
    if any(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False) for field in fields):
        raise ValueError(f"{model.__name__} has fields set on save: save it with bulk_create")
    plain = PLAIN_ON_POSTGRESQL if connection.vendor == "postgresql" else PLAIN
    # Per column: its attname, its value when a row leaves it out, and its field when Django must prepare it.
    plan = [(field.attname, field.get_default(), None if isinstance(field, plain) else field) for field in fields]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    per_statement = max(1, max_parameters() // len(fields))
    placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
    ids: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            params = []
            for row in chunk:
                for attname, default, prepared in plan:
                    value = row.get(attname, default)
                    params.append(value if prepared is None else prepared.get_db_prep_save(value, connection))
            cursor.execute(
                f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES {', '.join([placeholder] * len(chunk))} "
                f"RETURNING {quote(model._meta.pk.column)}",
                params,
            )
            ids.extend(pk for (pk,) in cursor.fetchall())
    return ids


def _many_to_many(batch: list[NewRecord]) -> None:
    """Set the records' many-to-many values. ``record_save`` sets them field by field after saving a record,
    and each field set leaves a change entry holding the values set so far: so do these."""
    model = type(batch[0].record)
    fields = {field.name: field for field in model._meta.many_to_many}
    links: dict[models.ManyToManyField, list[dict]] = {}
    steps: list[tuple[models.Model, list[tuple[models.ManyToManyField, list[dict]]]]] = []
    for item in batch:
        held: list[tuple[models.ManyToManyField, list[dict]]] = []
        for name, values in item.many_to_many.items():
            if not values:
                continue  # setting no values changes nothing and leaves no entry
            field = fields[name]
            source, target = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
            rows = [{source: item.record.pk, target: value.pk} for value in values]
            links.setdefault(field, []).extend(rows)
            held = [*held, (field, rows)]
            steps.append((item.record, held))
    if not steps:
        return
    for field, rows in links.items():
        through = field.remote_field.through
        for row, pk in zip(rows, insert(through, rows), strict=True):
            row[through._meta.pk.attname] = pk
    entries = _history([record for record, _ in steps], "~")
    history = model.history.model
    snapshots: dict[type[models.Model], list[dict]] = {}
    for entry, (_, held) in zip(entries, steps, strict=True):
        for field, rows in held:
            snapshot_model = _m2m_history_model(history, field)
            snapshots.setdefault(snapshot_model, []).extend({**row, "history_id": entry} for row in rows)
    for snapshot_model, rows in snapshots.items():
        insert(snapshot_model, rows)


def _m2m_history_model(history: type[models.Model], field: models.ManyToManyField) -> type[models.Model]:
    """The model in which simple-history keeps a many-to-many field's values as of each history entry."""
    through = {f.name for f in field.remote_field.through._meta.fields}
    for relation in history._meta.related_objects:
        names = {f.name for f in relation.related_model._meta.fields}
        if relation.field.name == "history" and through <= names:
            return relation.related_model
    raise LookupError(f"No history of {field}")


def _parts(batch: list[NewRecord], user) -> None:
    """Link the parts to their records, now saved, and write them with their history."""
    model = type(batch[0].record)
    by_model: dict[type[models.Model], list[models.Model]] = {}
    for item in batch:
        for relation_name, parts in item.parts.items():
            relation = model._meta.get_field(relation_name)
            for part in parts:
                if isinstance(relation, GenericRelation):  # its content type is set (services._plan_parts)
                    setattr(part, relation.object_id_field_name, item.record.pk)
                else:
                    setattr(part, relation.field.attname, item.record.pk)
                _as_history_user(part, user)
                by_model.setdefault(type(part), []).append(part)
    for parts in by_model.values():
        _save_new(parts)
        _history(parts, "+")


def max_parameters() -> int:
    """How many parameters one statement may bind: PostgreSQL's protocol takes 65,535; SQLite what it was
    built with (32,766 since 3.32; Django 5.2 assumes 999)."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return 65_535
