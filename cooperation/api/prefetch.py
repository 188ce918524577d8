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


def prefetch_page(records: list[Model], lookups: Iterable[str | Prefetch]) -> None:
    """``prefetch_related_objects(records, *lookups)``, faster for one-level lookups into a manager."""
    if not records:
        return
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


def _cache_name(record: Model, name: str) -> str | None:
    """Where Django's manager for the relation looks for prefetched rows."""
    manager = getattr(record, name)
    if hasattr(manager, "prefetch_cache_name"):  # many-to-many and generic relations
        return manager.prefetch_cache_name
    field = getattr(manager, "field", None)  # reverse foreign keys
    return getattr(getattr(field, "remote_field", None), "cache_name", None)
