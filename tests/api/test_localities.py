"""Places through the API and the CSV: "signed in Lima", "a course in Bogotá", "the operation in the port of
Callao", "the centre outside Santo Domingo". The test database holds the gazetteer's larger places (Lima, Callao,
Bogotá, Santo Domingo, San Jose in the US); places it lacks are added as analysts add them."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from cooperation import models as m
from tests import factories as f
from tests.api.test_ambiguous_keys import export_over_http, import_over_http
from tests.csv.helpers import rows

pytestmark = pytest.mark.django_db

LIMA, CALLAO, BOGOTA, SANTO_DOMINGO, SAN_JOSE_US = 3936456, 3946083, 3688689, 3492908, 5392171


def cited(**fields) -> dict:
    source = f.SourceFactory()
    return {**fields, "citations": [{"source": source.url, "quote": "signed a memorandum on information exchange"}]}


def place(geonames_id: int) -> m.Place:
    return m.Place.objects.get(geonames_id=geonames_id)


@pytest.fixture
def san_jose_cr(editor_client):
    """San José, Costa Rica: not among the test database's places, so an analyst adds it (as the API would)."""
    response = editor_client.post(
        "/api/v1/places/",
        {"name": "San José", "country": "CR", "latitude": 9.93333, "longitude": -84.08333, "other_names": "San Jose"},
        format="json",
    )
    assert response.status_code == 201, response.content
    return m.Place.objects.get(pk=response.json()["id"])


def test_the_gazetteer_is_there_with_coordinates_and_other_names(anonymous_client):
    response = anonymous_client.get("/api/v1/places/", {"geonames_id": LIMA})
    [lima] = response.json()["results"]
    assert lima["name"] == "Lima" and lima["country"]["iso2"] == "PE"
    assert (lima["latitude"], lima["longitude"]) == (-12.04318, -77.02824)
    assert lima["population"] > 7_000_000
    assert {"Limaq", "Ліма", "リマ"} <= set(lima["other_names"].split("\n"))
    assert lima["display"] == "Lima, PE"


def test_a_place_is_named_by_name_and_country_or_its_geonames_id(editor_client):
    lima = place(LIMA)
    for n, written in enumerate(("Lima [PE]", "lima [pe]", "geonames:3936456", f"Lima [PE] #{lima.pk}", lima.pk)):
        response = editor_client.post(
            "/api/v1/agreements/",
            cited(title=f"Memorandum {n}", kind="other", status="signed", place=written),
            format="json",
        )
        assert response.status_code == 201, (written, response.content)
        assert response.json()["place"]["id"] == lima.pk
    # An unknown place is a 400 on the field, never a 500.
    response = editor_client.post(
        "/api/v1/agreements/",
        cited(title="Memorandum", kind="other", status="signed", place="Atlantis [PE]"),
        format="json",
    )
    assert response.status_code == 400 and list(response.json()) == ["place"], response.content


def test_two_places_of_one_name_in_two_countries(editor_client, san_jose_cr):
    # "San Jose" is the gazetteer's (US); "San José" the analyst's (Costa Rica), with "San Jose" as another name.
    us = place(SAN_JOSE_US)
    response = editor_client.post(
        "/api/v1/operations/", cited(name="Operation Pacific", status="completed", place="San Jose"), format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["place"]["id"] == us.pk  # the exact name before another name
    response = editor_client.post(
        "/api/v1/operations/",
        cited(name="Operation Caribe", status="completed", place="San José [CR]"),
        format="json",
    )
    assert response.json()["place"]["id"] == san_jose_cr.pk
    # A second San José in Costa Rica: the name and country no longer tell them apart.
    other = f.PlaceFactory(name="San José", country=san_jose_cr.country)
    response = editor_client.post(
        "/api/v1/operations/", cited(name="Operation Tres", status="completed", place="San José [CR]"), format="json"
    )
    assert response.status_code == 400, response.content
    assert f"'San José [CR] #{san_jose_cr.pk}'" in response.json()["place"][0]
    assert f"'San José [CR] #{other.pk}'" in response.json()["place"][0]
    response = editor_client.post(
        "/api/v1/operations/",
        cited(name="Operation Tres", status="completed", place=f"San José [CR] #{other.pk}"),
        format="json",
    )
    assert response.json()["place"]["id"] == other.pk

    by_country = editor_client.get("/api/v1/operations/", {"country": "CR"}).json()["results"]
    assert sorted(o["name"] for o in by_country) == ["Operation Caribe", "Operation Tres"]
    by_place = editor_client.get("/api/v1/operations/", {"place": "San Jose [US]"}).json()["results"]
    assert [o["name"] for o in by_place] == ["Operation Pacific"]


def test_a_record_at_a_place_involves_its_country_and_region(editor_client):
    """A record in Lima involves Peru: the country and region filters count the place's country, beside the
    parties or participants (who may be from elsewhere)."""
    agreement = editor_client.post(
        "/api/v1/agreements/",
        cited(title="Russia-Colombia memorandum", kind="memorandum_of_understanding", status="signed",
              place="Lima [PE]", parties=[{"country": "RU"}, {"country": "CO"}]),
        format="json",
    )  # fmt: skip
    assert agreement.status_code == 201, agreement.content
    operation = editor_client.post(
        "/api/v1/operations/",
        cited(name="Port of Callao", status="completed", place="Callao [PE]", participants=[{"country": "RU"}]),
        format="json",
    )
    course = editor_client.post(
        "/api/v1/training-courses/",
        cited(title="Course in Bogotá", status="held", place="geonames:3688689", participants=[{"country": "NI"}]),
        format="json",
    )
    assert operation.status_code == 201 and course.status_code == 201, (operation.content, course.content)
    assert course.json()["place"]["name"] == "Bogotá"
    for resource, found, country in (
        ("agreements", "Russia-Colombia memorandum", "PE"),
        ("operations", "Port of Callao", "PE"),
        ("training-courses", "Course in Bogotá", "CO"),
    ):
        assert titles(editor_client, resource, country=country) == [found]
        assert titles(editor_client, resource, region="005") == [found]  # South America
        assert titles(editor_client, resource, country="BR") == []
    assert titles(editor_client, "operations", place="Callao [PE]") == ["Port of Callao"]


def titles(client, resource: str, **params) -> list[str]:
    return [r.get("title") or r.get("name") for r in client.get(f"/api/v1/{resource}/", params).json()["results"]]


def test_a_centre_outside_santo_domingo_is_in_its_host_country(editor_client):
    payload = cited(name="Regional centre", host_country="DO", status="under_construction", place="Santo Domingo [DO]")
    response = editor_client.post("/api/v1/training-centres/", payload, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["place"]["id"] == place(SANTO_DOMINGO).pk
    # A place in another country than the host's is refused on the field.
    response = editor_client.post(
        "/api/v1/training-centres/", {**payload, "name": "Other centre", "host_country": "CU"}, format="json"
    )
    assert response.status_code == 400, response.content
    assert response.json() == {"place": ["Santo Domingo is in Dominican Republic, not in Cuba."]}


def test_an_event_in_lima_is_in_peru(editor_client):
    response = editor_client.post(
        "/api/v1/events/",
        cited(title="Signing in Lima", kind="signing", date="2012-10", place="Lima [PE]"),
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["country"]["iso2"] == "PE"
    response = editor_client.post(
        "/api/v1/events/", cited(title="Visit", kind="visit", country="CO", place="Lima [PE]"), format="json"
    )
    assert response.status_code == 400 and list(response.json()) == ["place"], response.content


def test_a_route_stops_at_the_port_of_callao(editor_client, settings):
    """A route's stop names its place as other records do: the gazetteer's, in the stop's country (given, or
    taken from the place); the place filter finds the route, and the stops export and import back unchanged."""
    settings.CSV_IMPORT_BACKGROUND_BYTES = 50 * 2**20
    stops = [
        {"position": 1, "place": "Callao [PE]", "role": "origin"},
        {"position": 2, "region": "011", "role": "transit"},  # West Africa, no place
        {"position": 3, "country": "RU", "role": "destination"},
    ]
    response = editor_client.post(
        "/api/v1/trafficking-routes/",
        cited(name="Pacific route", drug="cocaine", status="active", nodes=stops),
        format="json",
    )
    assert response.status_code == 201, response.content
    first = response.json()["nodes"][0]
    assert (first["country"]["iso2"], first["place"]["id"]) == ("PE", place(CALLAO).pk)
    assert titles(editor_client, "trafficking-routes", place="Callao [PE]") == ["Pacific route"]
    assert titles(editor_client, "trafficking-routes", country="PE") == ["Pacific route"]

    # A place outside the stop's country is refused on the stop's field; nothing is written.
    wrong = [{**stops[0], "country": "CO"}, *stops[1:]]
    response = editor_client.post(
        "/api/v1/trafficking-routes/",
        cited(name="Wrong route", drug="cocaine", status="active", nodes=wrong),
        format="json",
    )
    assert response.status_code == 400, response.content
    assert response.json() == {"nodes[0].place": ["Callao is in Peru, not in Colombia."]}
    assert not m.TraffickingRoute.objects.filter(name="Wrong route").exists()

    exported = export_over_http(editor_client, "trafficking-routes")
    assert "Callao [PE]" in rows(exported)[0]["nodes"]
    versions = dict(m.RouteNode.objects.values_list("pk", "version"))
    result = import_over_http(editor_client, "trafficking-routes", exported)
    assert result.get("errors") in (None, []), result
    assert dict(m.RouteNode.objects.values_list("pk", "version")) == versions


@pytest.mark.parametrize(
    ("coordinates", "field"),
    [
        ({"latitude": 91, "longitude": 0}, "latitude"),
        ({"latitude": 0, "longitude": -180.5}, "longitude"),
        ({"latitude": 12.5}, "longitude"),
        ({"longitude": 12.5}, "latitude"),
    ],
)
def test_coordinates_out_of_range_or_alone_are_a_400_on_the_field(editor_client, coordinates, field):
    response = editor_client.post(
        "/api/v1/places/", {"name": "Puerto Chico", "country": "PE", **coordinates}, format="json"
    )
    assert response.status_code == 400 and field in response.json(), response.content
    assert not m.Place.objects.filter(name="Puerto Chico").exists()


@pytest.mark.parametrize(
    "coordinates",
    [{"latitude": 91, "longitude": 0}, {"latitude": 0, "longitude": 181}, {"latitude": 1}, {"longitude": 1}],
)
def test_the_database_refuses_coordinates_out_of_range_or_alone(coordinates):
    peru = m.Country.objects.get(iso2="PE")
    with pytest.raises(IntegrityError), transaction.atomic():
        m.Place.objects.bulk_create(
            [m.Place(name="Puerto Chico", country=peru, search_name="puerto chico", **coordinates)]
        )


def test_a_geonames_id_is_one_place():
    peru = m.Country.objects.get(iso2="PE")
    with pytest.raises(IntegrityError), transaction.atomic():
        m.Place.objects.bulk_create([m.Place(name="Lima again", country=peru, geonames_id=LIMA)])


def test_places_filter_by_country_origin_and_name(editor_client, san_jose_cr):
    get = lambda **params: editor_client.get("/api/v1/places/", {"limit": 1000, **params}).json()["results"]  # noqa: E731
    assert [p["name"] for p in get(origin="analysts")] == ["San José"]
    assert {p["country"]["iso2"] for p in get(country="PE")} == {"PE"}
    assert "Callao" in [p["name"] for p in get(country="PE", origin="gazetteer")]
    assert [p["id"] for p in get(q="san jos", country="CR")] == [san_jose_cr.pk]
    assert editor_client.get("/api/v1/places/", {"origin": "hearsay"}).status_code == 400


def test_places_round_trip_through_the_csv(editor_client, san_jose_cr, settings):
    """Analysts' places and records at places export and import back unchanged: two San Josés in Costa Rica
    are written with their ids, the gazetteer's places by name and country."""
    settings.CSV_IMPORT_BACKGROUND_BYTES = 50 * 2**20  # the whole file in this request, not in a job
    twin = f.PlaceFactory(name="San José", country=san_jose_cr.country, description="The other one")
    for name, where in (("Operation Caribe", san_jose_cr), ("Operation Twin", twin), ("Callao", place(CALLAO))):
        operation = f.OperationFactory(name=name, place=where)
        f.CitationFactory(record=operation)

    places = export_over_http(editor_client, "places")
    analysts = [row for row in rows(places) if not row["geonames_id"]]
    assert [(r["name"], r["country"], r["latitude"]) for r in analysts] == [
        ("San José", "CR", "9.93333"),
        ("San José", "CR", ""),
    ]
    operations = export_over_http(editor_client, "operations")
    assert sorted(row["place"] for row in rows(operations)) == [
        "Callao [PE]",
        f"San José [CR] #{san_jose_cr.pk}",
        f"San José [CR] #{twin.pk}",
    ]
    versions = dict(m.Place.objects.values_list("pk", "version"))
    result = import_over_http(editor_client, "places", places)
    assert result.get("errors") in (None, []), result
    result = import_over_http(editor_client, "operations", operations)
    assert result.get("errors") in (None, []), result
    assert dict(m.Place.objects.values_list("pk", "version")) == versions  # nothing changed
    assert export_over_http(editor_client, "operations") == operations

    # A place analysts add through the CSV, and a bad row named by its row and column.
    new = "name,country,latitude,longitude\nPuerto Chico,PE,-12.1,-77.2\nPuerto Grande,PE,95,-77.2\n"
    result = import_over_http(editor_client, "places", new)
    assert [(e["row"], e["column"]) for e in result["errors"]] == [(3, "latitude")], result  # the file's 3rd line
    assert not m.Place.objects.filter(name__startswith="Puerto").exists()  # all or nothing
    result = import_over_http(editor_client, "places", new.replace(",95,", ",-12.2,"))
    assert result.get("errors") in (None, []), result
    assert m.Place.objects.get(name="Puerto Grande").geonames_id is None


def test_a_page_of_places_takes_as_many_queries_for_5_rows_as_for_400(anonymous_client):
    counts = []
    for limit in (5, 400):
        with CaptureQueriesContext(connection) as captured:
            response = anonymous_client.get("/api/v1/places/", {"limit": limit, "country": "CN,IN,BR"})
        assert len(response.json()["results"]) == limit
        counts.append(len(captured))
    assert counts[0] == counts[1] <= 4, counts
