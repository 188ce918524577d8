"""Helpers around django-simple-history, which records every create, change and delete with who and when."""

from __future__ import annotations

from django.apps import apps
from django.db import transaction
from django.db.models import Exists, OuterRef
from simple_history.utils import get_history_manager_for_model

from cooperation.synthetic import is_synthetic


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
    any number of times. Synthetic data (``generate_data``) is left without history, as it was generated.
    """
    written = 0
    for model in history_models():
        history = get_history_manager_for_model(model)
        # NOT EXISTS, not NOT IN: PostgreSQL keeps it a cheap anti-join however large the history grows.
        created = history.filter(history_type="+", id=OuterRef("pk"))
        missing = model._default_manager.exclude(Exists(created))
        synthetic = is_synthetic(model)
        if synthetic is not None:
            missing = missing.exclude(synthetic)
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
