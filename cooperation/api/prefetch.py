"""Prefetching a page of records without Django's cost per record.

For every record and every many-valued relation it prefetches, Django builds a queryset to hold the related
rows (a clone and a filter: about 0.1 ms each). On a page of 100 agreements with four such relations that
was half the time of the request (bench/RESULTS.md). Prefetching into plain lists (``to_attr``) skips it; the
lists then go where Django keeps prefetched rows, so ``record.parties.all()`` returns them as before and
the serializers read them unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db.models import Model, Prefetch, prefetch_related_objects
from rest_framework.relations import ManyRelatedField, RelatedField
from rest_framework.serializers import ListSerializer


def prefetch_page(records: list[Model], lookups: Iterable[str | Prefetch]) -> list[str | Prefetch]:
    """``prefetch_related_objects(records, *lookups)``, faster for one-level lookups into a manager. Returns the
    lookups it left to Django (nested or generic ones, and any relation whose cache it could not find: a guard
    test checks that no plain relation falls back, which would mean Django's internals changed)."""
    if not records:
        return []
    direct: dict[str, Prefetch] = {}
    other: list[str | Prefetch] = []
    for lookup in lookups:
        through = lookup.prefetch_through if isinstance(lookup, Prefetch) else lookup
        special = isinstance(lookup, GenericPrefetch) or (isinstance(lookup, Prefetch) and lookup.to_attr)
        if "__" in through or special or through in direct:
            other.append(lookup)
        else:
            queryset = lookup.queryset if isinstance(lookup, Prefetch) else None
            direct[through] = Prefetch(through, queryset=queryset, to_attr=f"_page_{through}")
    prefetch_related_objects(records, *direct.values())
    for name, lookup in direct.items():
        cache_name = _cache_name(records[0], name)
        for record in records:
            rows = record.__dict__.pop(lookup.to_attr)
            if cache_name is not None:
                record.__dict__.setdefault("_prefetched_objects_cache", {})[cache_name] = rows
        first = records[0].__dict__.get("_prefetched_objects_cache", {}).get(cache_name)
        if first is None or getattr(records[0], name).all() is not first:
            other.append(name)  # not a relation this knows how to fill: let Django prefetch it
    prefetch_related_objects(records, *other)
    return other


def _cache_name(record: Model, name: str) -> str | None:
    """Where Django's manager for the relation looks for prefetched rows."""
    manager = getattr(record, name)
    if hasattr(manager, "prefetch_cache_name"):  # many-to-many and generic relations
        return manager.prefetch_cache_name
    field = getattr(manager, "field", None)  # reverse foreign keys
    return getattr(getattr(field, "remote_field", None), "cache_name", None)


def fetch_plan(serializer_class, *, nested: bool = False) -> tuple[list[str], list[str | Prefetch]]:
    """What a serializer reads beyond the record's own row, as ``select_related`` paths and prefetches, so a list
    of records costs a constant number of queries (as NetBox derives its prefetches from its serializers).

    A related record (a foreign key) is joined, with what its brief form shows (an agency's country); many
    related records (a many-to-many field) and parts (an agreement's parties, the citations) are prefetched,
    each with what its own related records show. A generic relation (a citation's record) is prefetched by
    kind, except in a part, where the record it belongs to fills it in.
    """
    from cooperation.api.briefs import RecordBriefField
    from cooperation.api.fields import BriefRelatedField
    from cooperation.models.sources import cited_querysets
    from cooperation.natural_keys import natural_key

    model = serializer_class.Meta.model
    joins: list[str] = []
    prefetches: list[str | Prefetch] = []
    for field in serializer_class().fields.values():
        if isinstance(field, ListSerializer):  # parts
            part_joins, _ = fetch_plan(type(field.child), nested=True)
            related = model._meta.get_field(field.source).related_model
            prefetches.append(Prefetch(field.source, queryset=related._default_manager.select_related(*part_joins)))
        elif isinstance(field, ManyRelatedField):
            related = model._meta.get_field(field.source).related_model
            brief = natural_key(related).select_related
            # Ties of the related model's ordering (two officials of one name) broken by id: the same order
            # every time, and the one the list pages' read path gives (cooperation/api/representation.py).
            queryset = related._default_manager.select_related(*brief).order_by(*related._meta.ordering, "pk")
            prefetches.append(Prefetch(field.source, queryset=queryset))
        elif isinstance(field, RelatedField):
            joins.append(field.source)
            if isinstance(field, BriefRelatedField):
                related = model._meta.get_field(field.source).related_model
                joins += [f"{field.source}__{path}" for path in natural_key(related).select_related]
        elif isinstance(field, RecordBriefField) and not nested:
            prefetches.append(GenericPrefetch(field.source, cited_querysets()))
    return joins, prefetches
