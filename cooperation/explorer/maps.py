"""The map: trafficking routes drawn stop by stop, and the places records happened at as points.

Routes are those the API's route filterset returns for the same parameters (``/map/?drug=...&country=PE`` draws
what ``/api/v1/trafficking-routes/?drug=...&country=PE`` lists), their stops in order. A stop is drawn at its
place when the place has coordinates; otherwise at its country's shape, or its region's countries' shapes, on
the Natural Earth map (the page gives the countries' ISO numeric codes, which are world-atlas's feature ids).
Places are the gazetteer's (or analysts') places that records refer to, with how many records of each kind:
one grouped query per kind, whatever the number of records."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch
from django.http import QueryDict
from django.utils.text import capfirst

from cooperation import models as m
from cooperation.api.permissions import may_view
from cooperation.resources import RESOURCES

#: Routes drawn and listed (the latest first); the CSV has them all.
ROUTES_SHOWN = 100
#: Places drawn and listed (those with the most records first).
PLACES_SHOWN = 300
#: The kinds of record that happen at a place (each by its ``place`` field), and route stops (a route's part).
PLACED = ("agreements", "training-centres", "training-courses", "operations", "events", "trafficking-routes")
#: The parameters that also narrow the places: where they are.
PLACE_FILTERS = ("country", "region")


@dataclass
class Stop:
    node: m.RouteNode
    countries: list[str]  # ISO numeric codes of the shapes it is drawn on (its country, or its region's)

    @property
    def coordinates(self) -> tuple[float, float] | None:
        place = self.node.place
        if place is None or place.latitude is None:
            return None
        return float(place.latitude), float(place.longitude)


@dataclass
class Route:
    route: m.TraffickingRoute
    stops: list[Stop]


@dataclass
class PlacePoint:
    place: m.Place
    counts: dict[str, int] = field(default_factory=dict)  # kind label -> records

    @property
    def records(self) -> int:
        return sum(self.counts.values())


def route_records(params: QueryDict):
    """The routes the parameters select, as the API's filterset selects them; or its errors."""
    resource = RESOURCES["trafficking-routes"]
    errors = {
        name: ["Unknown filter."] if name not in resource.filterset_class.base_filters else ["Contains a NUL."]
        for name, values in params.lists()
        if name not in (*resource.filterset_class.base_filters, "format", "table")
        or any("\x00" in value for value in values)
    }
    if errors:
        return None, errors
    filters = params.copy()
    filters.pop("format", None)
    filters.pop("table", None)
    filterset = resource.filterset_class(filters, queryset=m.TraffickingRoute.objects.select_related("drug"))
    if not filterset.is_valid():
        return None, filterset.errors
    return filterset.qs.order_by("-pk"), {}


def region_countries() -> dict[int, list[str]]:
    """Each region's countries, its sub-regions' included, as ISO numeric codes (two queries in all)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in m.Region.objects.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    direct: dict[int, list[str]] = {}
    for region, code in m.Country.regions.through.objects.values_list("region_id", "country__iso_numeric"):
        direct.setdefault(region, []).append(code)
    found = {}
    for region in (pk for pks in children.values() for pk in pks):
        codes, pending, seen = set(), [region], set()
        while pending:
            pk = pending.pop()
            if pk not in seen:
                seen.add(pk)
                codes.update(direct.get(pk, ()))
                pending.extend(children.get(pk, ()))
        found[region] = sorted(codes)
    return found


def routes(selected, limit: int | None = ROUTES_SHOWN) -> list[Route]:
    """The routes with their stops in order: four queries (two for the regions' countries, run even when no stop
    is a region, so that a page's queries do not depend on the data)."""
    stops = m.RouteNode.objects.select_related("country", "region", "place").order_by("position")
    chosen = list((selected if limit is None else selected[:limit]).prefetch_related(Prefetch("nodes", stops)))
    regions = region_countries()
    return [
        Route(
            route,
            [
                Stop(node, [node.country.iso_numeric] if node.country else regions.get(node.region_id, []))
                for node in route.nodes.all()
            ],
        )
        for route in chosen
    ]


def places(params: QueryDict, user) -> list[PlacePoint]:
    """The places with coordinates that records the user may view refer to, those with the most records first,
    within the ``country`` and ``region`` filters: one query per kind of record and one for the places."""
    narrowed = m.Place.objects.exclude(latitude=None)
    where = QueryDict(mutable=True)
    for name in PLACE_FILTERS:
        if name in params:
            where.setlist(name, params.getlist(name))
    if where:
        narrowed = RESOURCES["places"].filterset_class(where, queryset=narrowed).qs
    counts: dict[int, Counter] = {}
    for kind in PLACED:
        model = RESOURCES[kind].model
        if not may_view(user, model):
            continue
        label = capfirst(model._meta.verbose_name_plural)
        if model is m.TraffickingRoute:
            model, label = m.RouteNode, "Route stops"
        rows = (
            model._default_manager.filter(place__in=narrowed.values("pk"))
            .values("place")
            .annotate(records=Count("pk"))
            .order_by()
        )
        for row in rows:
            counts.setdefault(row["place"], Counter())[label] = row["records"]
    top = sorted(counts, key=lambda pk: (-sum(counts[pk].values()), pk))[:PLACES_SHOWN]
    found = m.Place.objects.select_related("country").in_bulk(top)
    return [PlacePoint(found[pk], dict(counts[pk])) for pk in top if pk in found]


#: The CSV's columns: one row per stop of each route.
CSV_HEADER = (
    "route_id",
    "route",
    "drug",
    "status",
    "position",
    "role",
    "country",
    "region",
    "place",
    "latitude",
    "longitude",
)


def csv_rows(drawn: list[Route]):
    yield CSV_HEADER
    for route in drawn:
        for stop in route.stops:
            node, where = stop.node, stop.coordinates
            yield (
                route.route.pk,
                route.route.name,
                route.route.drug.name,
                route.route.status,
                node.position,
                node.role,
                node.country.iso2 if node.country else "",
                node.region.name if node.region else "",
                node.place.name if node.place else "",
                "" if where is None else where[0],
                "" if where is None else where[1],
            )
