"""The explorer's pictures: the cooperation network (``/network/``) and the map (``/map/``).

Each page draws its picture from the table beside it (the script reads the table's rows), so the picture and
the table cannot show different data, and ``?format=csv`` with the same parameters downloads the same data.
The parameters are the API's filters (the address is a permalink); an unknown one or a bad value is a 400
naming it. The scripts and the map's data are vendored static files (``static/explorer/vendor``)."""

from __future__ import annotations

import csv

from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_safe

from cooperation import models as m
from cooperation.explorer import maps, network
from cooperation.explorer.access import login_when_required, require_view
from cooperation.tabular.columns import escape_formula


def csv_response(rows, filename: str) -> HttpResponse:
    """A CSV download of ``rows`` (bounded: a picture's data, never a table's every record)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    for row in rows:
        writer.writerow([escape_formula(cell) if isinstance(cell, str) else cell for cell in row])
    return response


def with_format(params: QueryDict, **extra: str) -> str:
    query = params.copy()
    for name in ("format", "table", *extra):
        query.pop(name, None)
    for name, value in {"format": "csv", **extra}.items():
        query[name] = value
    return query.urlencode()


def bad_format(params: QueryDict) -> dict[str, list[str]]:
    if any(value != "csv" for value in params.getlist("format")):
        return {"format": ["Only csv, or none for the page."]}
    return {}


def wants_csv(params: QueryDict) -> bool:
    return params.get("format") == "csv"


@require_safe
@login_when_required
def network_page(request):
    """Who cooperates with whom: the pairs of parties of the agreements, courses and operations selected."""
    require_view(request.user, m.Country)
    require_view(request.user, m.Agency)
    params = request.GET
    wrong = bad_format(params)
    graph = network.Network([], [], wrong) if wrong else network.network(params, request.user)
    if wants_csv(params) and not graph.errors:
        return csv_response(network.csv_rows(graph), "network.csv")
    chosen = params.getlist("kind")
    context = {
        "graph": graph,
        "kinds": [
            (name, network.kind_label(name), not chosen or name in chosen)
            for name in network.viewable_kinds(request.user)
        ],
        "values": {name: params.get(name, "") for name in network.FILTERS},
        "csv_url": f"?{with_format(params)}",
        "shown": network.SHOWN,
    }
    return render(request, "explorer/network.html", context, status=400 if graph.errors else 200)


@require_safe
@login_when_required
def map_page(request):
    """Trafficking routes stop by stop, and the places records happened at, on a world map."""
    require_view(request.user, m.TraffickingRoute)
    require_view(request.user, m.Place)
    params = request.GET
    selected, errors = maps.route_records(params)
    errors = errors or bad_format(params)
    if not errors and params.get("table", "stops") not in ("stops", "places"):
        errors = {"table": ["Either stops or places."]}
    if wants_csv(params) and not errors:
        if params.get("table") == "places":
            return csv_response(places_csv(maps.places(params, request.user)), "places.csv")
        return csv_response(maps.csv_rows(maps.routes(selected, limit=None)), "routes.csv")
    context = {
        "errors": errors,
        "filters": [(name, ", ".join(values)) for name, values in params.lists()],
        "values": {name: params.get(name, "") for name in ("drug", "status", "country", "date_from", "date_to")},
        "statuses": m.RouteStatus.choices,
        "routes_csv_url": f"?{with_format(params)}",
        "places_csv_url": f"?{with_format(params, table='places')}",
        "routes_shown": maps.ROUTES_SHOWN,
        "places_shown": maps.PLACES_SHOWN,
    }
    if not errors:
        context["routes"] = maps.routes(selected)
        context["places"] = maps.places(params, request.user)
    return render(request, "explorer/map.html", context, status=400 if errors else 200)


def places_csv(points: list[maps.PlacePoint]):
    yield ("place_id", "place", "country", "latitude", "longitude", "records", "by_kind")
    for point in points:
        place = point.place
        yield (
            place.pk,
            place.name,
            place.country.iso2,
            place.latitude,
            place.longitude,
            point.records,
            "|".join(f"{kind}: {count}" for kind, count in sorted(point.counts.items())),
        )
