"""The order in which models refer to each other, read from their relations: what is referred to comes first.

A bundle of CSV files is imported in this order, the synthetic data is written in it and removed in its
reverse, so none of them keeps a list by hand and a new foreign key reorders them all.

- A model comes after the models its foreign keys and many-to-many fields point to. A reference to itself
  (a region's parent) does not order it: rows of one table are ordered by the import, not here.
- A record's parts (rows that belong to it alone: an agreement's parties, its many-to-many links) and its
  citations are written with it, so what they point to comes before the record as well.
- A citation may point at any record that has citations (a generic relation), so citations come after them.
- A reference that may be empty (``null=True``) can be filled in once every row is in, as the import does:
  it gives way in a cycle. A source names an agency as its publisher while agencies cite sources, so sources
  come first. A cycle of references that cannot wait is an error naming its models.
- Ties keep the order given, so the result changes only where the references demand it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.db import models

Model = type[models.Model]


class DependencyCycle(ValueError):
    """Models refer to each other in a circle, and none of the references can wait."""


def parts_of(model: Model, records: Collection[Model] = ()) -> list[Model]:
    """The tables of the rows that belong to a record alone: its many-to-many links (in field order), then
    the models deleted with it (an agreement's parties) that are not among ``records`` themselves."""
    parts = [
        field.remote_field.through
        for field in model._meta.many_to_many
        if field.remote_field.through._meta.auto_created
    ]
    parts += [
        related.related_model
        for related in model._meta.related_objects
        if related.one_to_many
        and related.on_delete is models.CASCADE
        and related.related_model not in records
        and related.related_model is not model
    ]
    return parts


def references(model: Model, records: Collection[Model]) -> dict[Model, bool]:
    """The models among ``records`` that ``model`` must come after, each with whether the reference may wait
    (an optional foreign key of the record itself)."""
    found: dict[Model, bool] = {}

    def add(target: Model | None, may_wait: bool) -> None:
        if target is not model and target in records:
            found[target] = found.get(target, True) and may_wait

    for field in model._meta.concrete_fields:
        if field.many_to_one or field.one_to_one:
            add(field.related_model, field.null)
    for field in model._meta.many_to_many:
        add(field.related_model, False)
    # Parts and citations are read and written with their record, all at once: none of their references waits.
    citations = [field.related_model for field in model._meta.private_fields if isinstance(field, GenericRelation)]
    for part in parts_of(model, records) + citations:
        for field in part._meta.concrete_fields:
            if (field.many_to_one or field.one_to_one) and field.related_model is not model:
                add(field.related_model, False)
    # A generic foreign key can point at any model that declares a generic relation to this one.
    if any(isinstance(field, GenericForeignKey) for field in model._meta.private_fields):
        for other in records:
            if any(
                isinstance(field, GenericRelation) and field.related_model is model
                for field in other._meta.private_fields
            ):
                add(other, False)
    return found


def dependency_order(given: Iterable[Model]) -> list[Model]:
    """The models in an order where each comes after the others that it refers to (see the module's doc).

    A stable topological sort: it takes the first model, in the order given, whose references are all
    placed; when none is, the first whose missing references may all wait; when none is, raises
    DependencyCycle.
    """
    remaining = list(dict.fromkeys(given))
    refs = {model: references(model, remaining) for model in remaining}
    placed: list[Model] = []
    while remaining:
        ready = next((model for model in remaining if all(t in placed for t in refs[model])), None)
        if ready is None:
            ready = next(
                (model for model in remaining if all(t in placed or wait for t, wait in refs[model].items())), None
            )
        if ready is None:
            raise DependencyCycle(_cycle_message(remaining, refs))
        placed.append(ready)
        remaining.remove(ready)
    return placed


def _cycle_message(remaining: list[Model], refs: dict[Model, dict[Model, bool]]) -> str:
    # Every model left has a reference that cannot wait to another one left: follow them until one repeats.
    path = [remaining[0]]
    while True:
        following = next(t for t, wait in refs[path[-1]].items() if t in remaining and not wait)
        if following in path:
            cycle = [*path[path.index(following) :], following]
            break
        path.append(following)
    names = " -> ".join(model.__name__ for model in cycle)
    return (
        f"These models refer to each other in a circle, so none can come first: {names}. "
        "Make one of these references optional (null=True), so that it can be filled in afterwards."
    )
