"""The network (``/network/``) and the map (``/map/``): what their tables (which the pictures are drawn from)
and their CSVs show for the same filters, their bad input, and that they load scripts from this site only."""

import csv
import io
import re

import pytest
from django.core.management import call_command

from cooperation import models as m
from tests import factories as f
from tests.explorer.conftest import queries_of

pytestmark = pytest.mark.django_db


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code, response.content[:500])
    return response.content.decode()


def csv_of(client, url: str) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv"), url
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def edges(body: str) -> list[tuple[str, str, str, int]]:
    """The table's rows, as the script reads them: (source, target, kind, records)."""
    return [
        (source, target, kind, int(records))
        for source, target, kind, records in re.findall(
            r'<tr data-source="([^"]+)" data-target="([^"]+)" data-kind="([^"]+)" data-records="(\d+)">', body
        )
    ]


def pair(one: str, two: str) -> tuple[str, str]:
    """A pair of nodes in the order the table gives it (agencies first, then by id)."""
    return tuple(sorted([one, two], key=lambda node: (node.split("-")[0], int(node.split("-")[1]))))


def country(iso2: str) -> m.Country:
    return m.Country.objects.get(iso2=iso2)


@pytest.fixture
def parties():
    """Peru and Russia in three agreements, one of them through a Russian agency named like another; Peru and
    Bolivia in one operation; a region as a party, which is not a node."""
    pe, ru, bo = country("PE"), country("RU"), country("BO")
    agency = f.AgencyFactory(name="Federal Service", country=ru, cited=False)
    f.AgencyFactory(name="Federal Service", country=bo, cited=False)  # the same name, another agency
    for signed in ("2011", "2012-10", "2015"):
        agreement = f.AgreementFactory(signed=signed, cited=False)
        f.AgreementPartyFactory(agreement=agreement, country=pe)
        f.AgreementPartyFactory(agreement=agreement, country=ru)
    through_agency = f.AgreementFactory(signed="2012", cited=False)
    f.AgreementPartyFactory(agreement=through_agency, country=pe)
    f.AgreementPartyFactory(agreement=through_agency, country=None, agency=agency)
    f.AgreementPartyFactory(agreement=through_agency, country=None, region=m.Region.objects.first())
    operation = f.OperationFactory(start="2013", cited=False)
    f.OperationParticipantFactory(operation=operation, country=pe)
    f.OperationParticipantFactory(operation=operation, country=bo)
    return {"pe": pe, "ru": ru, "bo": bo, "agency": agency}


# --- Network ------------------------------------------------------------------------------------------------
def test_the_network_has_one_edge_per_pair_and_kind_with_its_records(client, parties):
    pe, ru, bo, agency = parties["pe"], parties["ru"], parties["bo"], parties["agency"]
    body = page(client, "/network/")
    assert sorted(edges(body)) == sorted(
        [
            (*pair(f"country-{pe.pk}", f"country-{ru.pk}"), "agreements", 3),
            (*pair(f"country-{pe.pk}", f"agency-{agency.pk}"), "agreements", 1),
            (*pair(f"country-{pe.pk}", f"country-{bo.pk}"), "operations", 1),
        ]
    )
    # each node links to its page, where the script sends a click
    assert f'<a href="/agencies/{agency.pk}/" data-node="agency-{agency.pk}">Federal Service</a>' in body
    assert f'<a href="/countries/{pe.pk}/" data-node="country-{pe.pk}">Peru</a>' in body


def test_the_network_filters_by_kind_and_period_and_its_csv_has_the_same_pairs(client, parties):
    pe, ru = parties["pe"], parties["ru"]
    only_operations = edges(page(client, "/network/?kind=operations"))
    assert [kind for *_, kind, _ in only_operations] == ["operations"]
    in_2012 = edges(page(client, "/network/?kind=agreements&date_from=2012&date_to=2012"))
    assert {(s, t): n for s, t, _, n in in_2012} == {
        pair(f"country-{pe.pk}", f"country-{ru.pk}"): 1,
        pair(f"country-{pe.pk}", f"agency-{parties['agency'].pk}"): 1,
    }
    rows = csv_of(client, "/network/?kind=agreements&date_from=2012&date_to=2012&format=csv")
    assert sorted(
        (r["source_type"], int(r["source_id"]), r["target_type"], int(r["target_id"]), int(r["records"])) for r in rows
    ) == sorted(
        (s.split("-")[0], int(s.split("-")[1]), t.split("-")[0], int(t.split("-")[1]), n) for s, t, _, n in in_2012
    )
    assert {r["kind"] for r in rows} == {"agreements"}


def test_the_network_of_one_country_is_the_apis_country_filter(client, parties):
    bolivia = edges(page(client, "/network/?country=BO"))
    assert [(kind, n) for *_, kind, n in bolivia] == [("operations", 1)]


@pytest.mark.parametrize(
    "query, field",
    [("colour=red", "colour"), ("kind=events", "kind"), ("date_from=someday", "date_from"), ("format=xml", "format")],
)
def test_bad_network_filters_are_a_400_naming_them(client, parties, query, field):
    body = page(client, f"/network/?{query}", status=400)
    assert f"<code>{field}</code>" in body
    assert client.get(f"/network/?{query}&format=csv").status_code == 400


def test_a_network_with_no_pairs_says_so(client, parties):
    body = page(client, "/network/?date_from=1990&date_to=1991")
    assert "No two countries or agencies share a record with these filters." in body
    assert 'id="network"' not in body


# --- Map ----------------------------------------------------------------------------------------------------
@pytest.fixture
def route():
    """Ecuador (at Guayaquil, with coordinates) to Russia, through West Africa (a region of countries)."""
    guayaquil = f.PlaceFactory(name="Guayaquil", country=country("EC"), latitude="-2.19616", longitude="-79.88621")
    west_africa = m.Region.objects.get(m49_code="011")
    trip = f.TraffickingRouteFactory(name="Plantain route", cited=False)
    f.RouteNodeFactory(route=trip, position=1, country=country("EC"), place=guayaquil, role=m.NodeRole.ORIGIN)
    f.RouteNodeFactory(route=trip, position=2, country=None, region=west_africa, role=m.NodeRole.TRANSIT)
    f.RouteNodeFactory(route=trip, position=3, country=country("RU"), role=m.NodeRole.DESTINATION)
    f.OperationFactory.create_batch(2, place=guayaquil, cited=False)
    f.EventFactory(place=guayaquil, cited=False)
    f.OperationFactory(place=f.PlaceFactory(name="Nowhere known", country=country("PE")), cited=False)
    return trip


def test_the_map_lists_each_route_stop_by_stop_with_where_to_draw_it(client, route):
    body = page(client, "/map/")
    stops = re.findall(r'<tr class="stop" data-countries="([^"]*)"(?: data-lat="([^"]+)" data-lon="([^"]+)")?>', body)
    nigeria, ghana = country("NG").iso_numeric, country("GH").iso_numeric
    assert stops[0] == ("218", "-2.196160", "-79.886210")  # Ecuador, at Guayaquil's coordinates
    assert nigeria in stops[1][0].split() and ghana in stops[1][0].split() and stops[1][1:] == ("", "")
    assert stops[2] == ("643", "", "")  # Russia, drawn in its shape
    assert "Plantain route" in body and "West Africa" in body or "Western Africa" in body
    assert 'data-atlas="/static/explorer/vendor/world-atlas/countries-50m.json"' in body


def test_the_map_places_are_those_records_happened_at_with_coordinates(client, route):
    body = page(client, "/map/")
    assert 'data-records="4" data-name="Guayaquil, Ecuador"' in body  # two operations, an event, a stop
    assert "Nowhere known" not in body  # no coordinates: listed nowhere on a map
    places = csv_of(client, "/map/?format=csv&table=places")
    assert [(p["place"], p["records"]) for p in places] == [("Guayaquil", "4")]


def test_the_maps_csv_has_the_routes_stops_with_the_same_filters(client, route):
    f.RouteNodeFactory(route=f.TraffickingRouteFactory(status=m.RouteStatus.HISTORICAL, cited=False), position=1)
    rows = csv_of(client, "/map/?status=active&format=csv")
    assert [(r["route"], r["position"], r["country"], r["region"], r["place"]) for r in rows] == [
        ("Plantain route", "1", "EC", "", "Guayaquil"),
        ("Plantain route", "2", "", m.Region.objects.get(m49_code="011").name, ""),
        ("Plantain route", "3", "RU", "", ""),
    ]
    assert 'data-name="Plantain route"' in page(client, "/map/?status=active")
    assert 'data-name="Plantain route"' not in page(client, "/map/?status=historical")


@pytest.mark.parametrize("query, field", [("colour=red", "colour"), ("status=lost", "status"), ("table=all", "table")])
def test_bad_map_filters_are_a_400_naming_them(client, route, query, field):
    assert f"<code>{field}</code>" in page(client, f"/map/?{query}", status=400)


# --- Both ---------------------------------------------------------------------------------------------------
def test_the_pictures_run_scripts_from_this_site_only(client, parties, route):
    for url in ("/network/", "/map/"):
        body = page(client, url)
        scripts = re.findall(r"<script[^>]*>", body)
        assert scripts and all(re.fullmatch(r'<script src="/static/[^"]+\.js" defer>', s) for s in scripts), scripts
        assert body.count("</script>") == len(scripts) and not re.search(r"<script[^>]*>[^<]", body)
        assert "<style" not in body and " style=" not in body


def test_the_pictures_require_what_the_api_requires(client, read_requires_login, user_who_may_view):
    for url in ("/network/", "/map/"):
        assert client.get(url).status_code == 302
    client.force_login(user_who_may_view("country", "agreement"))
    assert client.get("/network/").status_code == 403  # agencies are nodes too
    assert client.get("/map/").status_code == 403


# --- Queries ------------------------------------------------------------------------------------------------
PICTURE_URLS = (
    "/network/",
    "/network/?kind=agreements&kind=operations&date_from=2005&country=CO",
    "/network/?format=csv",
    "/map/",
    "/map/?status=active&country=CO",
    "/map/?format=csv",
    "/map/?format=csv&table=places",
)


def picture_queries(client) -> dict[str, int]:
    return {url: queries_of(client, url) for url in PICTURE_URLS}


def test_the_pictures_cost_the_same_queries_with_more_data(client, seed):
    """Synthetic data at two sizes, and more places records happened at: the same queries on every page. (None
    at all costs less: Django sends no query for ``pk__in=[]``.)"""
    call_command("generate_data", scale=20, verbosity=0, stdout=io.StringIO())
    f.EventFactory(place=f.PlaceFactory(country=country("CO"), latitude="4.6", longitude="-74.1"), cited=False)
    picture_queries(client)  # warms the caches (content types) later pages reuse
    small = picture_queries(client)
    call_command("generate_data", scale=80, clear=True, verbosity=0, stdout=io.StringIO())
    for number in range(3):
        place = f.PlaceFactory(country=country("CO"), latitude=f"4.{number}", longitude="-74.1")
        f.OperationFactory(place=place, cited=False)
        f.EventFactory(place=place, cited=False)
    assert m.Agreement.objects.count() > 80
    assert picture_queries(client) == small


def test_home_links_to_the_pictures_with_what_they_draw(client, parties, route):
    body = page(client, "/").split('id="pictures"')[1]
    agreements, operations = m.Agreement.objects.count(), m.Operation.objects.count()
    assert '<a href="/network/">Cooperation network</a>' in body and '<a href="/map/">Map</a>' in body
    assert f'<span class="glance">{agreements} agreements</span>' in body
    assert f'<span class="glance">{operations} operations</span>' in body
    assert f"{m.TraffickingRoute.objects.count()} trafficking routes stop by stop" in body


def test_a_dossier_links_to_its_countrys_network_and_map(client, parties, route):
    body = page(client, f"/countries/{parties['bo'].pk}/")
    assert '<a href="/network/?country=BO">Its cooperation network</a>' in body
    assert '<a href="/map/?country=BO">Its routes and places on the map</a>' in body
    assert [(kind, n) for *_, kind, n in edges(page(client, "/network/?country=BO"))] == [("operations", 1)]
