"""Writes with their business rules. The API, the CSV import and scripts all save records through here.

A record is saved with its many-to-many values and its parts (agreement parties, route nodes, course and
operation participants, operation outcomes, citations) in one transaction: every rule is checked with the
model's ``full_clean()`` and any failure leaves nothing written. Errors on parts are keyed by their path,
e.g. ``parties[1].country``.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models.deletion import Collector
from django.utils import timezone

from cooperation import duplicates
from cooperation.models import Citation, CitedModel, Deletion, TrackedModel
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


def _editable_fields(model: type[models.Model], link: Mapping[str, Any]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if f.editable and not f.primary_key and f.name not in link]


def _identity_fields(model: type[models.Model], link: Mapping[str, Any]) -> list[str]:
    """What makes two parts the same part: the model's ``identity_fields``, or else all its values (an
    operation's outcome is the same outcome when nothing about it differs)."""
    return list(getattr(model, "identity_fields", None) or [f.name for f in _editable_fields(model, link)])


def _sent_identity(model: type[models.Model], names: list[str], values: Values) -> tuple:
    return tuple(
        getattr(value, "pk", value)
        for value in (values[name] if name in values else model._meta.get_field(name).get_default() for name in names)
    )


def _stored_identity(part: models.Model, names: list[str]) -> tuple:
    return tuple(part.serializable_value(name) for name in names)  # a foreign key's id, without a query


@dataclass
class PartsPlan:
    """How to make ``parent.<relation>`` hold exactly the parts a client sent: the parts that stay (matched by
    identity) and changed, the new ones, and the ones to delete. Empty when the parts are as stored."""

    relation: str
    to_delete: list[models.Model] = dataclasses.field(default_factory=list)
    to_save: list[tuple[int, models.Model]] = dataclasses.field(default_factory=list)
    count: int = 0
    #: Every part as it is to be, in the order sent (for the rules between a record and its parts).
    parts: list[models.Model] = dataclasses.field(default_factory=list)

    @property
    def changes(self) -> bool:
        return bool(self.to_delete or self.to_save)


def validate_without_queries(record: models.Model, exclude: Iterable[str] = ()) -> None:
    """Check the constraints whose checks send no query (``validated_without_queries``); the others (unique
    values, CHECKs Django would ask the database about) are left to the database."""
    for model, constraints in record.get_constraints():
        for constraint in constraints:
            if getattr(constraint, "validated_without_queries", False):
                constraint.validate(model, record, exclude=set(exclude))


def _plan_parts(
    parent: models.Model, relation: str, items: list[Values], *, new_parent: bool, unsaved_parent: bool = False
) -> PartsPlan:
    """Match the parts sent with the stored ones and clean them (constraints are checked when saving, once the
    parts that go are gone). Raises ValidationError naming each part by its path, e.g. ``parties[1].country``.

    ``unsaved_parent``: the parent is not saved yet (``cooperation.bulk``): the link to it is not checked, nor
    anything that needs a query (unique values, constraints checked by query): the database checks those."""
    field = parent._meta.get_field(relation)  # read from the field: a related manager is not free to build
    model = field.related_model
    generic = isinstance(field, GenericRelation)  # citations
    if generic:
        content_type = ContentType.objects.get_for_model(parent, for_concrete_model=field.for_concrete_model)
        link = {field.content_type_field_name: content_type, field.object_id_field_name: parent.pk}
    else:
        link = {field.field.name: parent}
    fields = _editable_fields(model, link)
    existing = [] if new_parent else list(getattr(parent, relation).all())
    names = _identity_fields(model, link)
    by_identity: dict[tuple, list[models.Model]] = {}
    for part in existing:
        by_identity.setdefault(_stored_identity(part, names), []).append(part)
    plan, errors, seen = PartsPlan(relation, count=len(items)), {}, set()
    for index, values in enumerate(items):
        identity = _sent_identity(model, names, values)
        if identity in seen and hasattr(model, "identity_fields"):
            errors[f"{relation}[{index}]"] = ["The same entry is given twice."]
            continue
        seen.add(identity)
        matching = by_identity.get(identity)
        part = matching.pop() if matching else None
        before = _field_values(part) if part is not None else None
        if part is None:
            part = model(**link)
            if generic:  # the record it cites is at hand: no query for it
                model._meta.get_field("record").set_cached_value(part, parent)
        # A part is exactly what the client sends: what it leaves out goes back to the default.
        for part_field in fields:  # (a default is looked up only when needed: a foreign key's costs)
            setattr(
                part,
                part_field.name,
                values[part_field.name] if part_field.name in values else part_field.get_default(),
            )
        try:
            if unsaved_parent:
                part.full_clean(exclude=list(link), validate_unique=False, validate_constraints=False)
                validate_without_queries(part, exclude=link)
            else:
                part.full_clean(validate_constraints=False)
        except ValidationError as error:
            errors.update(_prefixed(error, f"{relation}[{index}]"))
            continue
        plan.parts.append(part)
        if before is None or _field_values(part) != before:
            plan.to_save.append((index, part))
    plan.to_delete = [part for parts in by_identity.values() for part in parts]
    if errors:
        raise ValidationError(errors)
    return plan


def _apply_parts(plan: PartsPlan, user) -> None:
    for part in plan.to_delete:
        _as_history_user(part, user)
        part.delete()
    errors: dict[str, list[str]] = {}
    for index, part in plan.to_save:
        try:
            part.validate_constraints()
        except ValidationError as error:
            errors.update(_prefixed(error, f"{plan.relation}[{index}]"))
            continue
        _as_history_user(part, user)
        part.save()
    if errors:
        raise ValidationError(errors)


def _many_to_many_changes(
    record: models.Model, many_to_many: Mapping[str, Iterable[models.Model]], *, new: bool
) -> dict[str, list[models.Model]]:
    """The many-to-many values that differ from what is stored (all of them for a new record)."""
    changes = {}
    for name, values in many_to_many.items():
        values = list(values)
        if new or {value.pk for value in values} != {related.pk for related in getattr(record, name).all()}:
            changes[name] = values
    return changes


def cite_for_dates(record: TrackedModel, citations: Iterable[Values] | None) -> None:
    """Tell a fact record the sources a write is about to cite, before validating it: a relative date
    ("next month") counts from the first one's publication date. None leaves the stored citations to ask."""
    if isinstance(record, CitedModel) and citations is not None:
        record.citing = [dict(values).get("source") for values in citations]


UNCITED = "Cite at least one source: every fact is sourced."


def _check_cited(record: TrackedModel, parts: Mapping[str, PartsPlan], *, new: bool) -> None:
    """Every fact is sourced: a record that states one (a CitedModel) keeps at least one citation."""
    if not isinstance(record, CitedModel):
        return
    # The citations sent, when the write sends them; else those stored (a PATCH that leaves them alone).
    cited = parts["citations"].count > 0 if "citations" in parts else not new and record.citations.exists()
    if not cited:
        raise ValidationError({"citations": [UNCITED]}, code="uncited")


@transaction.atomic
def record_save(
    record: TrackedModel,
    *,
    many_to_many: Mapping[str, Iterable[models.Model]] | None = None,
    parts: Mapping[str, Iterable[Values]] | None = None,
    user=None,
    confirm_duplicate: bool = False,
) -> bool:
    """Validate and save a record, then set its many-to-many values and replace the parts given. Return
    whether anything changed.

    Relations left out of ``many_to_many`` and ``parts`` are not touched. A fact record (a ``CitedModel``)
    must end up with at least one citation. A write that changes nothing (the record's fields, its
    many-to-many values and its parts all as stored) writes nothing: the version, ``updated_at`` and the
    history stay as they are. Raises ValidationError (nothing is written) when the record or any part
    breaks a rule, and DuplicateRecordError when it is alike to a stored record (``confirm_duplicate``
    lets a likely duplicate in; see ``cooperation.duplicates``).
    """
    parts = {relation: list(items) for relation, items in (parts or {}).items()}
    cite_for_dates(record, parts.get("citations"))
    new = record._state.adding
    # A stored record whose own fields are as stored meets its table's constraints (the database holds it): they
    # are not asked again, a query each (a re-imported export is mostly such rows).
    record.full_clean(validate_constraints=new or record.changed_fields() != set())
    duplicates.check(record, parts=parts, confirmed=confirm_duplicate)
    if new:
        _as_history_user(record, user)
        _save_unless_duplicate(record, parts)
    plans = {relation: _plan_parts(record, relation, items, new_parent=new) for relation, items in parts.items()}
    _check_cited(record, plans, new=new)
    if hasattr(record, "check_parts"):  # rules between the record and its parts (a status and its milestones)
        record.check_parts({relation: plan.parts for relation, plan in plans.items()})
    m2m_changes = _many_to_many_changes(record, many_to_many or {}, new=new)
    if not new:
        own_changes = record.changed_fields()
        if own_changes == set() and not m2m_changes and not any(plan.changes for plan in plans.values()):
            return False
        if isinstance(record, Citation) and own_changes is not None and own_changes & {"content_type_id", "object_id"}:
            _check_not_the_last_citation(record, *record.loaded_value("content_type_id", "object_id"))
        _as_history_user(record, user)
        _save_unless_duplicate(record, parts)  # the version moves when anything changes, its parts included
    for name, values in m2m_changes.items():
        getattr(record, name).set(values)
    for plan in plans.values():
        _apply_parts(plan, user)
    if isinstance(record, Citation):
        _touch_cited_record(record)
    return True


def _save_unless_duplicate(record: TrackedModel, parts: Mapping[str, list]) -> None:
    """Save; if the database refuses the record because a concurrent write just stored one alike to it, say
    so (DuplicateRecordError, the API's 409) rather than fail."""
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        duplicates.after_integrity_error(record, parts)
        raise


@transaction.atomic
def record_delete(
    record: TrackedModel, *, user=None, expected_version: int | None = None, reason: str = ""
) -> uuid.UUID:
    """Delete a record with everything that goes with it (parts, citations, ...); their history entries and
    tombstones share one operation, so ``record_restore`` can bring them back together, and tombstones let
    syncing clients see the deletion. The entries' change reason is ``reason``, or "deleted". Returns the
    operation.

    With ``expected_version``, refuse (StaleRecordError) if the record changed since that version.
    """
    current = type(record)._default_manager.select_for_update().filter(pk=record.pk).values_list("version", flat=True)
    if expected_version is not None and list(current) != [expected_version]:
        raise StaleRecordError(record, expected_version)
    if isinstance(record, Citation):
        _check_not_the_last_citation(record, record.content_type_id, record.object_id)
    operation = uuid.uuid4()
    collector = Collector(using=record._state.db or "default")
    collector.collect([record])
    for instances in collector.data.values():
        for instance in instances:
            instance._history_operation = operation
            instance._change_reason = reason[:100] or "deleted"
            _as_history_user(instance, user)
    collector.delete()
    if isinstance(record, Citation):
        _touch_cited_record(record)
    return operation


@transaction.atomic
def record_restore(deletion: Deletion, *, user=None) -> TrackedModel:
    """Bring back a deleted record, with the parts and citations deleted with it and its many-to-many values,
    from the history. Raises ValidationError if it cannot be (it exists again, was never deleted, or was merged
    into another)."""
    model = deletion.content_type.model_class()
    if deletion.merged_into is not None:
        raise ValidationError(
            f"{model._meta.verbose_name} {deletion.record_id} was merged into {deletion.merged_into}, which has its "
            "references and citations now: it does not come back."
        )
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
    operation = deleted.history_operation
    if operation is not None:
        for history_model in _history_models():
            for entry in history_model.objects.filter(history_type="-", history_operation=operation):
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


def _check_not_the_last_citation(citation: Citation, content_type_id: int, object_id: int) -> None:
    """A citation may not leave the fact record it supports without any (every fact is sourced)."""
    model = ContentType.objects.get_for_id(content_type_id).model_class()
    record = model._default_manager.filter(pk=object_id).first() if model is not None else None
    if not isinstance(record, CitedModel):
        return
    others = Citation.objects.filter(content_type_id=content_type_id, object_id=object_id).exclude(pk=citation.pk)
    if not others.exists():
        raise ValidationError(
            f"This is the only citation of the {model._meta.verbose_name} \u201c{record}\u201d: cite another "
            "source for it first (every fact is sourced), or delete the record.",
            code="last_citation",
        )


def _touch_cited_record(citation: Citation) -> None:
    """A record's citations are part of it: changing one changes the record's version (its ETag)."""
    model = citation.content_type.model_class()
    if model is not None:
        model._default_manager.filter(pk=citation.object_id).update(
            version=models.F("version") + 1, updated_at=timezone.now()
        )


@transaction.atomic
def record_revert(record: TrackedModel, entry, *, user=None) -> bool:
    """Make ``record`` again what it was at its history ``entry``: its own fields, its many-to-many values, and
    its parts and citations as they stood then (those added since go, those deleted since come back, those
    changed since are changed back), validated and saved as one write like any other (``record_save``): all or
    nothing, with history. Returns whether anything changed."""
    from cooperation.resources import part_relations

    model, when = type(record), entry.history_date
    then = entry.instance
    for field in model._meta.concrete_fields:
        if field.editable and not field.primary_key and field.name not in {"created_at", "updated_at", "version"}:
            setattr(record, field.attname, getattr(then, field.attname))
    many_to_many = {}
    for field in model._meta.many_to_many:
        if hasattr(entry, field.name):
            target = field.m2m_reverse_field_name()
            ids = [getattr(row, f"{target}_id") for row in getattr(entry, field.name).all()]
            many_to_many[field.name] = list(field.related_model._default_manager.filter(pk__in=ids))
    until = version_end(record, entry)
    parts = {relation: parts_as_of(record, relation, until) for relation in part_relations(model)}
    record._change_reason = f"Reverted to its version of {when:%Y-%m-%d %H:%M:%S} UTC"
    return record_save(record, many_to_many=many_to_many, parts=parts, user=user)


def version_end(record: TrackedModel, entry):
    """When the version an entry records ended: the time of the record's next entry (None: it is the latest).
    A write saves the record before its parts, and any change of a part saves the record again, so the parts
    of a version are their entries up to the next one of the record."""
    later = record.history.filter(history_date__gt=entry.history_date).order_by("history_date").first()
    return later.history_date if later is not None else None


def parts_as_of(record: TrackedModel, relation: str, until) -> list[Values]:
    """The values of the parts of ``record`` in ``relation`` as they stood before ``until`` (None: now), from
    their history, in the order they were created; related records fetched with one query per kind."""
    from cooperation.history import part_history

    model = record._meta.get_field(relation).related_model
    rows, link = part_history(record, relation)
    latest: dict[int, Any] = {}
    if until is not None:
        rows = rows.filter(history_date__lt=until)
    for row in rows.order_by("history_date", "history_id"):
        latest[row.id] = row
    standing = [latest[pk] for pk in sorted(latest) if latest[pk].history_type != "-"]
    fields = [f for f in model._meta.concrete_fields if f.editable and not f.primary_key and f.name not in link]
    related = {}
    for f in fields:
        if f.many_to_one:
            ids = {getattr(row, f.attname) for row in standing} - {None}
            related[f.name] = f.related_model._base_manager.in_bulk(ids)
    return [
        {
            f.name: related[f.name].get(getattr(row, f.attname)) if f.many_to_one else getattr(row, f.attname)
            for f in fields
        }
        for row in standing
    ]
