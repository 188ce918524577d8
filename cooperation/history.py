"""Helpers around django-simple-history, which records every create, change and delete with who and when."""

from __future__ import annotations

from collections.abc import Callable

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
