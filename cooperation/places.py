"""What "involves country X" and "in region R" mean, defined once for each kind of record.

The API's and the CSV export's ``country`` and ``region`` filters (``filtering``) and the admin's sidebar
filters (``admin/filters.py``) are all built from each resource's ``places`` (``resources.py``), so the three
cannot count a record differently.

A record involves a country through any of its country paths: an agreement through its parties, a party given
as an agency counting for the agency's country; an event through where it took place and the countries it
concerned; a record at a place (an operation in Callao, an agreement signed in Lima) through the place's
country. It is in a region when one of those countries is in the region (or a region under it), or when
one of its region paths (a party that is a region, a route's stop) is that region or under it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q

from cooperation import models as m


@dataclass(frozen=True)
class Places:
    #: Paths from the record to a country (``pk`` for a country itself).
    countries: tuple[str, ...]
    #: Paths from the record to a region (``pk`` for a region itself).
    regions: tuple[str, ...] = ()

    def many_valued(self, model: type[models.Model]) -> bool:
        """Whether a path goes through a many-valued relation, so a record could match more than once."""
        for path in (*self.countries, *self.regions):
            try:
                first = model._meta.get_field(path.split("__")[0])
            except FieldDoesNotExist:
                continue
            if first.many_to_many or first.one_to_many:
                return True
        return False

    def involving(self, countries) -> Q:
        """Records that involve any of ``countries`` (ids, or a sub-query of ids)."""
        condition = Q()
        for path in self.countries:
            condition |= Q(**{f"{path}__in": countries})
        return condition

    def within(self, regions) -> Q:
        """Records in any of ``regions`` (ids of the regions with everything under them)."""
        condition = self.involving(m.Country.objects.filter(regions__in=regions).values("pk"))
        for path in self.regions:
            condition |= Q(**{f"{path}__in": regions})
        return condition


PARTIES = ("parties__country", "parties__agency__country")
PARTICIPANTS = ("participants__country", "participants__agency__country")
#: A record at a place (signed in Lima, a course in Bogotá) involves the place's country.
PLACE = ("place__country",)


def places_of(model: type[models.Model]) -> Places:
    """Where records of ``model`` are, as its resource declares (``cooperation.resources``)."""
    from cooperation.resources import resource_of

    places = resource_of(model).places
    if places is None:
        raise KeyError(f"{model.__name__} declares no places.")
    return places


def regions_involved(model: type[models.Model], places: Places | None = None) -> models.QuerySet:
    """The regions some record of ``model`` is in: those of its countries and its own, and every region above.
    ``places``: where a record of ``model`` is, when not in ``PLACES`` (a part, in its record's terms)."""
    places = places or places_of(model)
    direct = set(
        m.Country.regions.through.objects.filter(country__in=countries_involved(model, places)).values_list(
            "region_id", flat=True
        )
    )
    for path in places.regions:
        direct |= set(model._default_manager.order_by().exclude(**{path: None}).values_list(path, flat=True).distinct())
    parents = dict(m.Region.objects.values_list("pk", "parent_id"))
    found: set[int] = set()
    for pk in direct:
        while pk is not None and pk not in found:
            found.add(pk)
            pk = parents.get(pk)
    return m.Region.objects.filter(pk__in=found)


def countries_involved(model: type[models.Model], places: Places | None = None) -> models.QuerySet:
    """The countries some record of ``model`` involves (for the admin's list of choices)."""
    condition = Q(pk__in=[])
    for path in (places or places_of(model)).countries:
        condition |= Q(pk__in=model._default_manager.order_by().values(path))
    return m.Country.objects.filter(condition)
