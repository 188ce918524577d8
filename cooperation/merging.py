"""Merging a duplicate into the record it duplicates (the *survivor*), in one transaction.

Everything that refers to the duplicate comes to refer to the survivor: every foreign key to it (the parts of
other records, such as an agreement's parties, records such as an agency's units, and the duplicate's own
parts), its many-to-many links either way, and its citations. What would then be there twice is not moved but
removed with the duplicate: a party the survivor already is in that role, a citation of the same source with
the same quote, a link from the survivor to itself. The duplicate's other names (its name, when another, and
its acronym) become the survivor's other names, so that the keys that named it (``Old Name [PE]``) name the
survivor. The duplicate is then deleted; its tombstone says which record it was merged into, so that its id
leads there (the API answers 301) and syncing clients learn where its references went. Each record changed
gets a history entry saying why, the survivor one that names the duplicate.

The survivor must then pass every rule (``full_clean``, and the rules between it and its parts): if it would
not (two opening milestones of a centre), nothing is merged and the ValidationError says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.db.models.deletion import ProtectedError
from django.utils import timezone

from cooperation import changes, duplicates, services
from cooperation.models import Citation, CitedModel, Country, Deletion, Region
from cooperation.models.base import DuplicateConstraint
from cooperation.names import comparable

#: A history entry's change reason holds at most this many characters (simple-history's column).
REASON_LENGTH = 100
#: Reference data from standards (ISO 3166 countries, M49 regions): one entry each by definition, never merged.
NOT_MERGED = (Country, Region)


def mergeable(model: type[models.Model]) -> bool:
    """Whether records of ``model`` may be merged (the API's ``merge`` action and the admin's are offered)."""
    return not issubclass(model, NOT_MERGED)


@dataclass
class Merge:
    """What a merge did: the survivor as it is now, and how many references moved or were dropped."""

    survivor: models.Model
    deletion: Deletion
    moved: dict[str, int] = field(default_factory=dict)
    dropped: dict[str, int] = field(default_factory=dict)


def _reason(template: str, record: models.Model) -> str:
    """``template`` (with ``{name}``) filled with the record's name, shortened to fit a change reason."""
    room = REASON_LENGTH - len(template.format(name=""))
    name = str(record)
    return template.format(name=name if len(name) <= room else name[: room - 1] + "\u2026")


def references(record: models.Model) -> list[tuple[models.Field, models.QuerySet]]:
    """Each relation that points at ``record`` (a foreign key or a many-to-many field of another model, or of its
    own), with the records that do: what a merge moves."""
    found = []
    for relation in record._meta.related_objects:
        model = relation.related_model
        found.append((relation.field, model._default_manager.filter(**{relation.field.name: record}).order_by("pk")))
    return found


def what_moves(record: models.Model) -> list[tuple[str, int]]:
    """What merging ``record`` into another would move, by kind: ("agreement parties", 2), ("citations", 3),
    for the confirmation page. A query per relation."""
    counts = []
    for relation_field, rows in references(record):
        count = rows.count()
        if count:
            label = str(relation_field.model._meta.verbose_name_plural)
            counts.append((f"{label} ({relation_field.verbose_name})", count))
    for name in (f.name for f in record._meta.many_to_many):
        count = getattr(record, name).count()
        if count:
            counts.append((str(record._meta.get_field(name).verbose_name), count))
    if isinstance(record, CitedModel):
        counts.append(("citations", record.citations.count()))
    return counts


def _collides(row: models.Model) -> bool:
    """Whether ``row`` would break a unique rule (it would be the same part as another, e.g. an agency that is
    already a party in this role). Duplicate rules of records are left to ``duplicates.rekey``."""
    try:
        row.validate_unique()
    except ValidationError:
        return True
    for model, constraints in row.get_constraints():
        for constraint in constraints:
            if isinstance(constraint, models.UniqueConstraint) and not isinstance(constraint, DuplicateConstraint):
                try:
                    constraint.validate(model, row)
                except ValidationError:
                    return True
    return False


def _refers_to_itself(row: models.Model, moved: models.Field, survivor: models.Model) -> bool:
    """Whether ``row``, moved to the survivor, would link the survivor with itself (an agreement that amends the
    agreement it was a duplicate of, once merged into it)."""
    return any(
        other is not moved
        and other.many_to_one
        and other.related_model is type(survivor)
        and getattr(row, other.attname) == survivor.pk
        for other in row._meta.concrete_fields
    )


def _parent_of_part() -> dict[type[models.Model], str]:
    """The parts of records (an agreement's parties) -> the foreign key to the record they are part of."""
    from cooperation.resources import RESOURCES

    parents = {}
    for resource in RESOURCES.values():
        for name in resource.parts:
            relation = resource.model._meta.get_field(name)
            parents[relation.related_model] = relation.field.attname
    return parents


def _validate_merged(survivor: models.Model) -> None:
    from cooperation.resources import resource_or_none

    survivor.full_clean()
    resource = resource_or_none(type(survivor))
    if resource is not None and hasattr(survivor, "check_parts"):
        survivor.check_parts({name: list(getattr(survivor, name).all()) for name in resource.parts})


def _other_names(survivor: models.Model, duplicate: models.Model) -> None:
    """The duplicate's name (and acronym), where the survivor goes by others, become other names of the
    survivor: the keys that named the duplicate name the survivor now."""
    if not hasattr(survivor, "other_names"):
        return
    lines = [line for line in survivor.other_names.splitlines() if line.strip()]
    known = {comparable(value) for value in (survivor.name, getattr(survivor, "acronym", ""), *lines) if value}
    offered = [duplicate.name, *duplicate.other_names.splitlines()]
    if getattr(duplicate, "acronym", "") and not survivor.acronym:
        survivor.acronym = duplicate.acronym
        known.add(comparable(duplicate.acronym))
    elif getattr(duplicate, "acronym", ""):
        offered.append(duplicate.acronym)
    for name in offered:
        if name.strip() and comparable(name) not in known:
            lines.append(name.strip())
            known.add(comparable(name))
    survivor.other_names = "\n".join(lines)


def _refuse(message: str, code: str, field_name: str = "duplicate") -> ValidationError:
    return ValidationError({field_name: [ValidationError(message, code=code)]})


@transaction.atomic
def merge_records(survivor: models.Model, duplicate: models.Model, *, user=None) -> Merge:
    """Merge ``duplicate`` into ``survivor`` (see the module). Raises ValidationError, keyed ``duplicate``, for
    records of different kinds or one record twice, and with the rule broken when the survivor would break
    one; nothing is written then."""
    model = type(survivor)
    if type(duplicate) is not model:
        raise _refuse(
            f"A {model._meta.verbose_name} can only be merged with another {model._meta.verbose_name}, not with a "
            f"{duplicate._meta.verbose_name}.",
            "different_kinds",
        )
    if not mergeable(model):
        raise _refuse(
            f"{model._meta.verbose_name_plural.capitalize()} are reference data: they are not merged.", "reference"
        )
    if duplicate.pk == survivor.pk:
        raise _refuse(f"{model._meta.verbose_name.capitalize()} {survivor.pk} cannot be merged into itself.", "itself")
    # Both read again, locked (on PostgreSQL): a concurrent write to either waits for the merge.
    locked = model._default_manager.select_for_update().in_bulk([survivor.pk, duplicate.pk])
    if duplicate.pk not in locked:
        raise _refuse(f"There is no {model._meta.verbose_name} {duplicate.pk}.", "does_not_exist")
    if survivor.pk not in locked:
        raise _refuse(f"There is no {model._meta.verbose_name} {survivor.pk}.", "does_not_exist", "survivor")
    survivor, duplicate = locked[survivor.pk], locked[duplicate.pk]
    duplicate_id = duplicate.pk  # a deleted record's pk is None
    result = Merge(survivor, deletion=None)  # the deletion is filled in below
    row_reason = f"Merged {model._meta.verbose_name} {duplicate.pk} into {survivor.pk}"
    parents = _parent_of_part()
    touched: dict[type[models.Model], set[int]] = {}  # records whose parts or links changed
    moved_rows: list[models.Model] = []

    def count(into: dict, label: str) -> None:
        into[label] = into.get(label, 0) + 1

    for relation_field, rows in references(duplicate):
        label = str(relation_field.model._meta.verbose_name_plural)
        if relation_field.many_to_many:  # another record's many-to-many field (an event's agencies)
            for record in rows:
                getattr(record, relation_field.name).remove(duplicate)
                getattr(record, relation_field.name).add(survivor)
                touched.setdefault(type(record), set()).add(record.pk)
                count(result.moved, label)
            continue
        for row in rows:
            setattr(row, relation_field.attname, survivor.pk)
            services._as_history_user(row, user)
            row._change_reason = row_reason
            itself = type(row) is model and row.pk == survivor.pk
            if itself:  # the survivor was part of the duplicate
                setattr(row, relation_field.attname, None)  # ... and is not part of itself
            if type(row) in parents:  # a part moved or dropped changes the record it is part of
                touched.setdefault(_parent_model(row, parents[type(row)]), set()).add(getattr(row, parents[type(row)]))
            if not itself and (_refers_to_itself(row, relation_field, survivor) or _collides(row)):
                row.delete()
                count(result.dropped, label)
                continue
            try:
                with transaction.atomic():
                    row.save()
            except IntegrityError:  # a record moved that would then be alike to another (an agency's name)
                raise _refuse(
                    f"Merging would make the {row._meta.verbose_name} \u201c{row}\u201d a duplicate of another: "
                    "merge or change those first.",
                    "breaks_a_rule",
                ) from None
            moved_rows.append(row)
            count(result.moved, label)
    for name in (f.name for f in model._meta.many_to_many):  # its own many-to-many values
        getattr(survivor, name).add(*getattr(duplicate, name).all())
    if isinstance(survivor, CitedModel):
        _move_citations(survivor, duplicate, user, result)
    _check_moved(moved_rows)
    for parent, pks in touched.items():  # a record's parts are part of it: its version (ETag) moves
        parent._default_manager.filter(pk__in=pks).update(version=F("version") + 1, updated_at=timezone.now())
    try:
        operation = services.record_delete(duplicate, user=user, reason=_reason("Merged into {name}", survivor))
    except ProtectedError as error:  # a reference this merge does not know how to move
        raise _refuse(f"Something still refers to the duplicate: {error.args[0]}", "still_referred_to") from None
    result.deletion = Deletion.objects.filter(
        content_type=ContentType.objects.get_for_model(model), record_id=duplicate_id, operation=operation
    ).get()
    result.deletion.merged_into = survivor.pk
    result.deletion.save(update_fields=["merged_into"])
    changes.mark_merge(model, duplicate_id, survivor.pk)  # the change feed says merged, and into which
    Deletion.objects.filter(content_type=result.deletion.content_type, merged_into=duplicate_id).update(
        merged_into=survivor.pk  # records merged into the duplicate before lead to the survivor too
    )
    survivor = model._default_manager.get(pk=survivor.pk)  # as it is now (its parent may have moved)
    _other_names(survivor, duplicate)
    _validate_merged(survivor)
    services._as_history_user(survivor, user)
    survivor._change_reason = _reason(f"Merged {{name}} (id {duplicate_id}) into this record", duplicate)
    survivor.save()
    for row in moved_rows:  # records moved (an official to another country) may be alike to others now
        if duplicates.rule_for(type(row)) is not None:
            touched.setdefault(type(row), set()).add(row.pk)
    for record_model, pks in {**touched, model: {survivor.pk}}.items():
        if duplicates.rule_for(record_model) is not None:  # what makes it alike to others may have changed
            for record in record_model._default_manager.filter(pk__in=pks):
                duplicates.rekey(record)
    result.survivor = survivor
    return result


def _parent_model(row: models.Model, attname: str) -> type[models.Model]:
    return next(f.related_model for f in row._meta.concrete_fields if f.attname == attname)


def _move_citations(survivor: CitedModel, duplicate: CitedModel, user, result: Merge) -> None:
    """The duplicate's citations support the survivor now, except those it already has (same source and
    quote): those go with the duplicate."""
    content_type = ContentType.objects.get_for_model(type(survivor))
    had = set(Citation.objects.filter(content_type=content_type, object_id=survivor.pk).values_list("source", "quote"))
    for citation in Citation.objects.filter(content_type=content_type, object_id=duplicate.pk).order_by("pk"):
        if (citation.source_id, citation.quote) in had:
            result.dropped["citations"] = result.dropped.get("citations", 0) + 1
            continue  # deleted with the duplicate
        citation.object_id = survivor.pk
        services._as_history_user(citation, user)
        citation._change_reason = _reason("Moved from a duplicate merged into {name}", survivor)
        citation.save()
        had.add((citation.source_id, citation.quote))
        result.moved["citations"] = result.moved.get("citations", 0) + 1


def _check_moved(rows: list[models.Model]) -> None:
    """Every row moved must still pass its rules (a party that gives the survivor's agency with another
    country than the survivor's): else nothing is merged, and the error says which row breaks which rule."""
    for row in rows:
        row.refresh_from_db()
        try:
            row.full_clean(validate_unique=False, validate_constraints=False)
            row.validate_constraints()
        except ValidationError as error:
            raise _refuse(
                f"Merging would break a rule of the {row._meta.verbose_name} \u201c{row}\u201d: "
                f"{' '.join(error.messages)} Change it first.",
                "breaks_a_rule",
            ) from None


def survivor_of(model: type[models.Model], pk: int) -> models.Model | None:
    """The record that a deleted record of ``model`` was merged into (following later merges of that one), or
    None if it was not merged (or its survivor is gone too)."""
    content_type = ContentType.objects.get_for_model(model)
    seen = {pk}
    while True:
        merged_into = (
            Deletion.objects.filter(content_type=content_type, record_id=pk, merged_into__isnull=False)
            .order_by("-deleted_at", "-id")
            .values_list("merged_into", flat=True)
            .first()
        )
        if merged_into is None or merged_into in seen:
            return None
        record = model._default_manager.filter(pk=merged_into).first()
        if record is not None:
            return record
        seen.add(merged_into)
        pk = merged_into
