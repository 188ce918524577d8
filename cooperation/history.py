"""Helpers around django-simple-history, which records every create, change and delete with who and when."""

from __future__ import annotations

from django.apps import apps
from django.db import transaction
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
        missing = model._default_manager.exclude(pk__in=history.filter(history_type="+").values("id"))
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
