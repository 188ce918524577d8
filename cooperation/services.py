"""Writes with their business rules. The API, the CSV import and scripts all save records through here.

A record is saved with its many-to-many values and its parts (agreement parties, route nodes, course and
operation participants, operation outcomes, citations) in one transaction: every rule is checked with the
model's ``full_clean()`` and any failure leaves nothing written. Errors on parts are keyed by their path,
e.g. ``parties[1].country``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models.deletion import Collector
from django.utils import timezone

from cooperation.models import Citation, Deletion, TrackedModel
from cooperation.models.base import StaleRecordError

Values = Mapping[str, Any]


def _as_history_user(record: models.Model, user) -> None:
    if user is not None and getattr(user, "is_authenticated", False):
        record._history_user = user


def _prefixed(error: ValidationError, prefix: str) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {
            f"{prefix}.{name}" if name != "__all__" else prefix: [m for e in errors for m in e.messages]
            for name, errors in error.error_dict.items()
        }
    return {prefix: error.messages}


def _field_values(record: models.Model) -> dict[str, Any]:
    return {f.attname: getattr(record, f.attname) for f in record._meta.concrete_fields}


def _identity(model: type[models.Model], get) -> tuple | None:
    fields = getattr(model, "identity_fields", None)
    if not fields:
        return None
    return tuple(getattr(value, "pk", value) for value in (get(name) for name in fields))


def _sync_parts(parent: models.Model, relation: str, items: Iterable[Values], user, *, new_parent: bool) -> None:
    """Make ``parent.<relation>`` hold exactly ``items``, keeping the parts that stay (matched by their
    ``identity_fields``), updating changed ones, adding new ones and deleting the rest."""
    manager = getattr(parent, relation)
    model = manager.model
    if hasattr(manager, "content_type_field_name"):  # a generic relation (citations)
        link = {manager.content_type_field_name: manager.content_type, manager.object_id_field_name: parent.pk}
    else:
        link = {manager.field.name: parent}
    existing = [] if new_parent else list(manager.all())
    by_identity = {_identity(model, lambda name, part=part: getattr(part, name)): part for part in existing}
    errors: dict[str, list[str]] = {}
    wanted: list[tuple[int, models.Model, dict | None]] = []
    seen: set[tuple] = set()
    for index, values in enumerate(items):
        identity = _identity(model, values.get)
        if identity is not None:
            if identity in seen:
                errors[f"{relation}[{index}]"] = ["The same entry is given twice."]
                continue
            seen.add(identity)
        part = by_identity.pop(identity, None) if identity is not None else None
        before = _field_values(part) if part is not None else None
        part = part or model(**link)
        # A part is exactly what the client sends: what it leaves out goes back to the default.
        for field in model._meta.concrete_fields:
            if field.editable and not field.primary_key and field.name not in link:
                setattr(part, field.name, values.get(field.name, field.get_default()))
        wanted.append((index, part, before))
    kept = {id(part) for _, part, _ in wanted}
    for part in existing:
        if id(part) not in kept:
            _as_history_user(part, user)
            part.delete()
    for index, part, before in wanted:
        try:
            part.full_clean()
        except ValidationError as error:
            errors.update(_prefixed(error, f"{relation}[{index}]"))
            continue
        if before is None or _field_values(part) != before:
            _as_history_user(part, user)
            part.save()
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def record_save(
    record: TrackedModel,
    *,
    many_to_many: Mapping[str, Iterable[models.Model]] | None = None,
    parts: Mapping[str, Iterable[Values]] | None = None,
    user=None,
) -> TrackedModel:
    """Validate and save a record, then set its many-to-many values and replace the parts given.

    Relations left out of ``many_to_many`` and ``parts`` are not touched. Raises ValidationError (nothing is
    written) when the record or any part breaks a rule.
    """
    record.full_clean()
    _as_history_user(record, user)
    new = record._state.adding
    record.save()
    for name, values in (many_to_many or {}).items():
        getattr(record, name).set(list(values))
    for relation, items in (parts or {}).items():
        _sync_parts(record, relation, list(items), user, new_parent=new)
    if isinstance(record, Citation):
        _touch_cited_record(record)
    return record


@transaction.atomic
def record_delete(record: TrackedModel, *, user=None, expected_version: int | None = None) -> None:
    """Delete a record with everything that goes with it (parts, citations, ...); the history keeps them all
    under one operation mark, so ``record_restore`` can bring them back together, and tombstones let syncing
    clients see the deletion.

    With ``expected_version``, refuse (StaleRecordError) if the record changed since that version.
    """
    current = type(record)._default_manager.select_for_update().filter(pk=record.pk).values_list("version", flat=True)
    if expected_version is not None and list(current) != [expected_version]:
        raise StaleRecordError(record, expected_version)
    operation = f"deleted together: {uuid.uuid4()}"
    collector = Collector(using=record._state.db or "default")
    collector.collect([record])
    for instances in collector.data.values():
        for instance in instances:
            instance._change_reason = operation
            _as_history_user(instance, user)
    collector.delete()
    if isinstance(record, Citation):
        _touch_cited_record(record)


@transaction.atomic
def record_restore(deletion: Deletion, *, user=None) -> TrackedModel:
    """Bring back a deleted record, with the parts and citations deleted with it and its many-to-many values,
    from the history. Raises ValidationError if it cannot be (it exists again, or was never deleted)."""
    model = deletion.content_type.model_class()
    if model._default_manager.filter(pk=deletion.record_id).exists():
        raise ValidationError(f"{model._meta.verbose_name} {deletion.record_id} exists: there is nothing to restore.")
    entries = model.history.filter(id=deletion.record_id).order_by("-history_date", "-history_id")
    deleted = entries.filter(history_type="-").first()
    if deleted is None:
        raise ValidationError(f"The history has no deletion of {model._meta.verbose_name} {deletion.record_id}.")
    record = _recreate(deleted, user)
    last_state = entries.exclude(history_type="-").filter(history_date__lte=deleted.history_date).first()
    for field in model._meta.many_to_many:
        if last_state is not None and hasattr(last_state, field.name):
            target = field.m2m_reverse_field_name()
            getattr(record, field.name).set(
                [getattr(row, f"{target}_id") for row in getattr(last_state, field.name).all()]
            )
    operation = deleted.history_change_reason or ""
    if operation.startswith("deleted together: "):
        for history_model in _history_models():
            for entry in history_model.objects.filter(history_type="-", history_change_reason=operation):
                if entry.instance_type is not model or entry.id != record.pk:
                    _recreate(entry, user)
        Deletion.objects.filter(operation=operation, restored_at__isnull=True).update(restored_at=timezone.now())
    Deletion.objects.filter(pk=deletion.pk).update(restored_at=timezone.now())
    return record


def _recreate(entry, user) -> TrackedModel:
    record = entry.instance
    record.version = entry.version + 1
    record.updated_at = timezone.now()  # so that clients syncing by updated_since see it come back
    record._change_reason = "restored"
    _as_history_user(record, user)
    try:
        with transaction.atomic():
            record.save(force_insert=True)
    except IntegrityError:
        raise ValidationError(
            f"{record._meta.verbose_name} {record.pk} cannot come back: it would clash with a record created since."
        ) from None
    return record


def _history_models():
    from cooperation.history import history_models

    return [model.history.model for model in history_models()]


def _touch_cited_record(citation: Citation) -> None:
    """A record's citations are part of it: changing one changes the record's version (its ETag)."""
    model = citation.content_type.model_class()
    if model is not None:
        model._default_manager.filter(pk=citation.object_id).update(
            version=models.F("version") + 1, updated_at=timezone.now()
        )
