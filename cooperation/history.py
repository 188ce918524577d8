"""Helpers around django-simple-history, which records every create, change and delete with who and when."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models import Exists, OuterRef
from simple_history.utils import get_history_manager_for_model

#: Takes a model, returns a condition that holds for its rows that keep no history, or None.
Exclusion = Callable[[type[models.Model]], models.Q | models.Expression | None]

# Rows that record_initial_history leaves alone, as apps that load rows of their own declare them (the
# synthetic data app does, in its ready()). A hook, so that this app never imports those apps.
_left_out: list[Exclusion] = []


def leave_out_of_initial_history(exclusion: Exclusion) -> Exclusion:
    """Have ``record_initial_history`` skip the rows ``exclusion`` picks out of each model. Returns it."""
    if exclusion not in _left_out:
        _left_out.append(exclusion)
    return exclusion


def history_models():
    """The app's models that keep a history, in a stable order."""
    return [
        model
        for model in apps.get_app_config("cooperation").get_models()
        if hasattr(model._meta, "simple_history_manager_attribute")
    ]


@transaction.atomic
def record_initial_history(batch_size: int = 500) -> int:
    """Give every record without a creation entry (loaded by a fixture or a migration) that entry.

    Fixtures and migrations save without history; only their many-to-many changes leave entries. Returns how
    many entries were written; records that have their creation entry are left alone, so this is safe to run
    any number of times. Rows an app declared with ``leave_out_of_initial_history`` (such as the synthetic
    data of ``generate_data``) are left without history.
    """
    written = 0
    for model in history_models():
        history = get_history_manager_for_model(model)
        # NOT EXISTS, not NOT IN: PostgreSQL keeps it a cheap anti-join however large the history grows.
        created = history.filter(history_type="+", id=OuterRef("pk"))
        missing = model._default_manager.exclude(Exists(created))
        for exclusion in _left_out:
            condition = exclusion(model)
            if condition is not None:
                missing = missing.exclude(condition)
        batch = []
        for instance in missing.iterator(chunk_size=batch_size):
            instance._history_date = instance.updated_at
            batch.append(instance)
            if len(batch) >= batch_size:
                written += len(history.bulk_history_create(batch, batch_size=batch_size))
                batch = []
        if batch:
            written += len(history.bulk_history_create(batch, batch_size=batch_size))
    return written


def changed_since(record) -> str:
    """Who changed a record last, and when, from its history: what an analyst needs to know before retrying."""
    latest = record.history.select_related("history_user").first() if hasattr(record, "history") else None
    if latest is None:
        return f"It is now at version {record.version}."
    who = latest.history_user.get_username() if latest.history_user else "someone"
    return (
        f"It is now at version {latest.version}, last changed by {who} at {latest.history_date:%Y-%m-%d %H:%M:%S} UTC."
    )


# --- One history for a record: its own entries, its parts' and its citations' ---------------------------------
#: Fields a history entry carries that are not what an analyst changed.
_NOT_CHANGES = {"created_at", "updated_at", "version", "duplicate_key", "search_names", "id"}


@dataclass
class Entry:
    """One change of a record or of one of its parts or citations, with what it changed, in words."""

    when: Any
    what: str  # "Agreement", "Party", "Citation"
    label: str  # the row as it was: the record's name, "Peru (party)", the quote
    action: str  # Created, Changed, Deleted
    user: Any
    reason: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (field, from, to)
    #: The record's own entry (reverted from its page); None for a part's or a citation's.
    history_id: int | None = None


def _shown(model_field: models.Field, value: Any, related: dict) -> str:
    if value in (None, ""):
        return "\u2014"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if model_field.is_relation:
        return str(related.get((model_field.related_model, value), f"#{value}"))
    return str(value)


def _entries(rows: list, what: str, *, own: bool, skip: set[str]) -> list[Entry]:
    """Entries of ``rows`` (one model's history entries, in any order), each compared with the entry before it
    of the same row; related records named with one query per kind of related record."""
    if not rows:
        return []
    model = rows[0].instance_type
    fields = [
        f for f in model._meta.concrete_fields if f.name not in _NOT_CHANGES and f.name not in skip and f.editable
    ]
    foreign_keys = [f for f in model._meta.concrete_fields if f.many_to_one]
    wanted: dict[type, set] = {}
    for row in rows:
        for model_field in foreign_keys:
            value = getattr(row, model_field.attname)
            if value is not None:
                wanted.setdefault(model_field.related_model, set()).add(value)
    related = {
        (kind, pk): record for kind, ids in wanted.items() for pk, record in kind._base_manager.in_bulk(ids).items()
    }
    entries, before = [], {}
    actions = {"+": "Created", "~": "Changed", "-": "Deleted"}
    for row in sorted(rows, key=lambda r: (r.id, r.history_date, r.history_id)):
        previous = before.get(row.id)
        changes = []
        if previous is not None and row.history_type == "~":
            for model_field in fields:
                old, new = getattr(previous, model_field.attname), getattr(row, model_field.attname)
                if old != new:
                    name = str(model_field.verbose_name)
                    changes.append((name, _shown(model_field, old, related), _shown(model_field, new, related)))
            if not changes:
                before[row.id] = row
                continue  # saved without a change an analyst would see (a version or a stamp)
        before[row.id] = row
        instance = row.instance
        for model_field in foreign_keys:  # its name reads related records: at hand, not a query each
            value = getattr(row, model_field.attname)
            model_field.set_cached_value(instance, related.get((model_field.related_model, value)))
        entries.append(
            Entry(
                when=row.history_date,
                what=what,
                label=str(instance),
                action=actions.get(row.history_type, row.history_type),
                user=row.history_user,
                reason=row.history_change_reason or "",
                changes=changes,
                history_id=row.history_id if own else None,
            )
        )
    return entries


def part_history(record: models.Model, relation: str) -> tuple[models.QuerySet, set[str]]:
    """The history entries of the parts of ``record`` in ``relation`` (or of its citations), and the names of
    the fields that tie a part to its record."""
    from django.contrib.contenttypes.fields import GenericRelation
    from django.contrib.contenttypes.models import ContentType

    field = record._meta.get_field(relation)
    history = field.related_model.history
    if isinstance(field, GenericRelation):
        content_type = ContentType.objects.get_for_model(record)
        return history.filter(content_type=content_type, object_id=record.pk), {"content_type", "object_id"}
    return history.filter(**{field.field.attname: record.pk}), {field.field.name}


def record_timeline(record: models.Model, parts: list[str], limit: int = 300) -> tuple[list[Entry], bool]:
    """The record's history with its parts' and its citations' (``parts``: relation names), newest first, at
    most ``limit`` entries; and whether older ones were left out. A query per history table and per kind of
    related record named, whatever the number of entries."""
    histories = [(record.history.all(), record._meta.verbose_name.capitalize(), True, set())]
    for relation in parts:
        model = record._meta.get_field(relation).related_model
        if hasattr(model, "history"):
            rows, link = part_history(record, relation)
            histories.append((rows, model._meta.verbose_name.capitalize(), False, link))
    entries, truncated = [], False
    for rows, what, own, skip in histories:
        fetched = list(rows.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
        truncated |= len(fetched) > limit
        entries += _entries(fetched[:limit], what, own=own, skip=skip)
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries[:limit], truncated or len(entries) > limit
