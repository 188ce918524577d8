"""Trafficking routes are entered with their stops, in order."""

import pytest

from cooperation.models import Country, Drug, RouteNode, TraffickingRoute
from tests.factories import RouteNodeFactory, SourceFactory, TraffickingRouteFactory

from .formdata import CITATIONS, admin_url, inline_formset, post_form

pytestmark = pytest.mark.django_db


def test_two_stops_at_the_same_position_save_nothing(admin_client):
    source = SourceFactory(text="Cocaine goes from Ecuador to Russia.")
    typed = {
        "name": "Ecuador to Russia",
        "drug": Drug.objects.get(name="cocaine").pk,
        "status": "active",
        "nodes-0-position": "1",
        "nodes-0-country": Country.objects.get(iso2="EC").pk,
        "nodes-0-role": "departure",
        "nodes-1-position": "1",
        "nodes-1-country": Country.objects.get(iso2="RU").pk,
        "nodes-1-role": "destination",
        f"{CITATIONS}-0-source": source.pk,
        f"{CITATIONS}-0-quote": "Cocaine goes from Ecuador to Russia.",
    }
    response = post_form(admin_client, admin_url(TraffickingRoute, "add"), typed)

    assert response.status_code == 200
    assert "Please correct the duplicate data for position" in " ".join(
        inline_formset(response, "nodes").non_form_errors()
    )
    assert not TraffickingRoute.objects.exists()
    assert not RouteNode.objects.exists()


def test_two_stops_can_swap_positions(admin_client):
    route = TraffickingRouteFactory()
    first = RouteNodeFactory(route=route, position=1, country=Country.objects.get(iso2="CO"))
    RouteNodeFactory(route=route, position=2, country=Country.objects.get(iso2="NL"))

    response = post_form(
        admin_client,
        admin_url(TraffickingRoute, "change", route.pk),
        {"nodes-0-position": "2", "nodes-1-position": "1"},
    )

    assert response.status_code == 302
    assert [node.country.iso2 for node in route.nodes.order_by("position")] == ["NL", "CO"]
    first.refresh_from_db()
    assert first.history.latest().position == 2  # the history has the final position, not the one parked


def test_a_stop_can_take_the_position_of_a_deleted_one(admin_client):
    route = TraffickingRouteFactory()
    RouteNodeFactory(route=route, position=1, country=Country.objects.get(iso2="CO"))
    RouteNodeFactory(route=route, position=2, country=Country.objects.get(iso2="NL"))

    response = post_form(
        admin_client, admin_url(TraffickingRoute, "change", route.pk), {"nodes-0-DELETE": "on", "nodes-1-position": "1"}
    )

    assert response.status_code == 302
    assert [(node.position, node.country.iso2) for node in route.nodes.all()] == [(1, "NL")]
