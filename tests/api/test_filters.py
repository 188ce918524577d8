"""Filters, resource by resource, on the seed plus a few records of our own."""

import datetime as dt

import pytest

from cooperation import models as m
from tests import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seed_for_the_module")]


def names(client, resource: str, **params) -> list[str]:
    response = client.get(f"/api/v1/{resource}/", {"limit": 1000, **params})
    assert response.status_code == 200, response.content
    return sorted(row["display"] for row in response.json()["results"])


def country(iso2):
    return m.Country.objects.get(iso2=iso2)


@pytest.fixture
def agreements():
    """Agreements with parties in Colombia (South America), Mexico (Central America) and Nigeria (West Africa)."""
    made = {}
    for title, iso2, status, signed in [
        ("Colombia pact", "CO", "signed", "2012-10"),
        ("Mexico pact", "MX", "in_force", "2013"),
        ("Nigeria pact", "NG", "announced", "2011-05-03"),
    ]:
        made[title] = f.AgreementFactory(title=title, status=status, signed=signed)
        f.AgreementPartyFactory(agreement=made[title], country=country(iso2))
    return made


RUSSIA_PERU = "Russia - Peru security cooperation"
RUSSIA_LATAM = "Russia - Latin America counternarcotics cooperation plans"


def test_status_takes_repeated_values_and_comma_lists(client, agreements):
    expected = ["Colombia pact", "Mexico pact"]
    assert names(client, "agreements", status=["signed", "in_force"]) == expected
    assert names(client, "agreements", status="signed,in_force") == expected


def test_country_by_iso2_iso3_numeric_or_name(client, agreements):
    for key in ("PE", "PER", "604", "Peru", "pe"):
        assert names(client, "agreements", country=key) == [RUSSIA_PERU]


def test_region_includes_every_country_under_it(client, agreements):
    # 419 Latin America and the Caribbean: Colombia (South America) and Mexico (Central America) are under it,
    # Peru too, and the Russia - Latin America plan has the region itself as a party.
    assert names(client, "agreements", region="419") == ["Colombia pact", "Mexico pact", RUSSIA_LATAM, RUSSIA_PERU]
    assert names(client, "agreements", region="South America") == ["Colombia pact", RUSSIA_PERU]
    assert names(client, "agreements", region="011") == ["Nigeria pact"]
    assert names(client, "agreements", region="Africa") == ["Nigeria pact"]


def test_partial_date_overlap(client, agreements):
    # "2012-10" is 2012-10-01..2012-10-31: any range touching October 2012 finds it.
    assert names(client, "agreements", date_from="2012-10-15", date_to="2012-10-16")[0] == "Colombia pact"
    assert "Colombia pact" in names(client, "agreements", date_from="2012-09-01", date_to="2012-10-01")
    assert "Colombia pact" not in names(client, "agreements", date_from="2012-11-01", date_to="2012-12-31")
    assert "Mexico pact" in names(client, "agreements", date_from="2013-06-30", date_to="2013-06-30")
    assert "Nigeria pact" not in names(client, "agreements", date_from="2011-05-04")
    # The Peru plan starts "in the coming year" ([2012-10..], open-ended): it overlaps any later range.
    assert RUSSIA_PERU in names(client, "agreements", date_from="2020-01-01", date_to="2020-12-31")
    assert RUSSIA_PERU not in names(client, "agreements", date_to="2012-09-30")


def test_text_lookups_and_search(client, agreements):
    assert names(client, "agreements", title__icontains="PACT") == ["Colombia pact", "Mexico pact", "Nigeria pact"]
    assert names(client, "agreements", title__istartswith="mex") == ["Mexico pact"]
    assert names(client, "agreements", title="Mexico pact") == ["Mexico pact"]
    assert names(client, "agreements", q="joint monitoring") == [RUSSIA_PERU]


def test_area_and_official(client):
    assert names(client, "agreements", area="joint_monitoring") == [RUSSIA_PERU]
    ivanov = m.Official.objects.get(name="Viktor Ivanov")
    assert names(client, "agreements", official=ivanov.pk) == [RUSSIA_LATAM, RUSSIA_PERU]
    assert names(client, "agreements", official="Viktor Ivanov [RU]") == [RUSSIA_LATAM, RUSSIA_PERU]


def test_updated_since(client, agreements):
    later = agreements["Mexico pact"].updated_at
    assert "Mexico pact" in names(client, "agreements", updated_since=later.isoformat())
    assert RUSSIA_PERU not in names(client, "agreements", updated_since=later.isoformat())


def test_updated_since_takes_any_utc_offset_iso_8601_allows(client, agreements):
    # Found by the fuzzer on PostgreSQL, which refuses offsets beyond 15:59: the same instant, written 21:42
    # behind UTC, must filter the same way.
    later = agreements["Mexico pact"].updated_at
    far_west = later.astimezone(dt.timezone(-dt.timedelta(hours=21, minutes=42)))
    assert names(client, "agreements", updated_since=far_west.isoformat()) == names(
        client, "agreements", updated_since=later.isoformat()
    )
    assert client.get("/api/v1/deleted/", {"since": far_west.isoformat()}).status_code == 200


def test_ordering_on_declared_fields(client, agreements):
    response = client.get("/api/v1/agreements/", {"ordering": "-title", "limit": 2})
    assert [row["title"] for row in response.json()["results"]] == [RUSSIA_PERU, RUSSIA_LATAM]
    second = client.get(response.json()["next"])
    assert [row["title"] for row in second.json()["results"]] == ["Nigeria pact", "Mexico pact"]


@pytest.mark.parametrize(
    ("params", "bad"),
    [
        ({"status": "imagined"}, "status"),
        ({"country": "Atlantis"}, "country"),
        ({"region": "999"}, "region"),
        ({"date_from": "2012-02-30"}, "date_from"),
        ({"updated_since": "0001-01-01T00:00:00+01:00"}, "updated_since"),
        ({"id": "1,abc"}, "id"),
        ({"id": str(10**30)}, "id"),
        ({"ordering": "password"}, "ordering"),
        ({"limit": "-3"}, "limit"),
        ({"cursor": "bogus"}, "cursor"),
        ({"title": "nul\x00byte"}, "title"),
        ({"statuss": "signed"}, "statuss"),
    ],
)
def test_bad_filters_are_400_naming_the_parameter(client, params, bad):
    response = client.get("/api/v1/agreements/", params)
    assert response.status_code == 400, response.content
    assert bad in response.json()


def test_a_limit_over_the_maximum_is_400_naming_the_maximum(client):
    # Never a page of another size than asked: a client would take 1000 rows for the end of the list.
    for limit in (1001, 10**9, 10**30):
        response = client.get("/api/v1/countries/", {"limit": limit})
        assert response.status_code == 400, limit
        assert response.json() == {"limit": ["At most 1000."]}
    assert len(client.get("/api/v1/countries/", {"limit": 1000}).json()["results"]) == 249


def test_count_only_when_asked(client, agreements):
    assert "count" not in client.get("/api/v1/agreements/").json()
    assert client.get("/api/v1/agreements/", {"count": "true", "status": "signed"}).json()["count"] == 1


@pytest.mark.parametrize(
    ("resource", "params", "expected"),
    [
        ("countries", {"region": "Former Soviet Union", "iso2": "RU"}, ["Russian Federation"]),
        ("regions", {"parent": "419"}, ["Caribbean", "Central America", "South America"]),
        ("agencies", {"country": "RU"}, ["Federal Narcotics Service", "Moscow police"]),
        ("agencies", {"region": "150", "kind": "police"}, ["Moscow police"]),
        ("officials", {"agency": "Federal Narcotics Service [RU]"}, ["Viktor Ivanov"]),
        (
            "posts",
            {"country": "RU", "title__icontains": "direct"},
            ["Viktor Ivanov \u2013 Director, Federal Narcotics Service"],
        ),
        (
            "training-centres",
            {"host_country": "NIC", "topic": "tactics"},
            ["Russian anti-drug training centre in Nicaragua"],
        ),
        (
            "training-centres",
            {"region": "013", "status": "under_construction"},
            ["Russian anti-drug training centre in Nicaragua"],
        ),
        (
            "events",
            {"region": "419", "date_from": "2012-10-01", "date_to": "2012-10-31"},
            ["Ivanov's tour of Latin America"],
        ),
        ("events", {"country": "US", "kind": "statement"}, ["Ivanov criticises US counternarcotics methods"]),
        (
            "trafficking-routes",
            {"destination": "RU", "drug": "cocaine"},
            [
                "Cocaine from Colombia to Russia via the Netherlands in flower shipments",
                "Cocaine from Ecuador to Russia in plantain shipments",
            ],
        ),
        (
            "trafficking-routes",
            {"country": "NL"},
            ["Cocaine from Colombia to Russia via the Netherlands in flower shipments"],
        ),
        ("trafficking-routes", {"origin": "AF"}, ["Heroin from Asia into Russia"]),
        (
            "trafficking-routes",
            {"region": "Western Europe"},
            ["Cocaine from Colombia to Russia via the Netherlands in flower shipments"],
        ),
        (
            "trafficking-routes",
            {"identified_by": "Moscow police [RU]", "concealment__icontains": "plantain"},
            ["Cocaine from Ecuador to Russia in plantain shipments"],
        ),
        ("assessments", {"region": "Western Africa"}, ["Western Africa: cocaine transit point"]),
        (
            "assessments",
            {"assessed_by": "Europol", "trend": "growing"},
            ["Russian Federation: cocaine consumer market"],
        ),
        ("assessments", {"market": "Europe", "likelihood": "possible"}, ["Former Soviet Union: cocaine entry point"]),
        (
            "sources",
            {"publisher": "InSight Crime", "date_from": "2013-01-01"},
            ["Russia influence Latin America drug war"],
        ),
        ("drugs", {"group": "opioids", "name__istartswith": "her"}, ["heroin"]),
        ("cooperation-areas", {"code": "joint_monitoring"}, ["Joint monitoring"]),
    ],
)
def test_resource_filters_on_the_seed(client, resource, params, expected):
    assert names(client, resource, **params) == expected


def test_citations_by_record(client):
    route = m.TraffickingRoute.objects.get(name__startswith="Heroin")
    response = client.get("/api/v1/citations/", {"record_type": "traffickingroute", "record_id": route.pk})
    assert [c["quote"] for c in response.json()["results"]] == [route.citations.get().quote]
    assert client.get("/api/v1/citations/", {"modality": "analysis", "limit": 100}).status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {"id": "9" * 5000},  # int() refuses more than 4,300 digits: was a 500
        {"official": "9" * 5000},
        {"ordering": "--id"},  # passed the check, then a FieldError: was a 500
        {"title__icontains": "x" * 1001},  # a 1 MB pattern is no search, only a costly query
        {"updated_since": ""},  # empty meant "no filter": the whole table for a client whose variable was empty
        {"date_from": ""},
    ],
    ids=["id-5000-digits", "key-5000-digits", "ordering-two-minus", "text-too-long", "empty-time", "empty-date"],
)
def test_hostile_values_are_400_naming_the_parameter(client, params):
    response = client.get("/api/v1/agreements/", params)
    assert response.status_code == 400, response.content
    assert set(params) == set(response.json())


def test_a_text_filter_of_1000_characters_is_fine(client):
    assert names(client, "agreements", title__icontains="x" * 1000) == []


@pytest.mark.parametrize("url", ["/api/v1/agreements/", "/api/v1/agreements/1/", "/api/v1/deleted/"])
def test_an_unknown_format_is_400_naming_it(client, url):
    response = client.get(url, {"format": "xlsx"})  # was a 404, as if the list did not exist
    assert response.status_code == 400
    assert "format" in response.json()


def test_an_unknown_method_is_405_whatever_the_format(editor_client):
    assert editor_client.generic("TRACE", "/api/v1/agreements/?format=csv").status_code == 405


@pytest.mark.parametrize("params", [{"status": ""}, {"status": ["", ""]}, {"count": ""}, {"format": ""}, {"id": ""}])
def test_a_parameter_sent_empty_is_400_naming_it(client, params):
    # Taken as "no filter" before, the whole table for a client whose variable was empty.
    response = client.get("/api/v1/agreements/", params)
    assert response.status_code == 400, response.content
    assert set(params) == set(response.json())


@pytest.mark.parametrize("kept", [True, False], ids=["kept rows", "paths"])
def test_country_counts_each_agreement_once_whether_read_from_the_kept_rows_or_the_paths(
    client, agreements, monkeypatch, kept
):
    # Peru as a party, as an agency's country and as where an agreement was signed: one agreement each, and one
    # that is all three, listed once. The sub-query reads the dossier's kept rows (explorer.RecordCountry, one
    # index of country, kind, record) where the resource's kind has them, else a UNION ALL of one lookup per
    # table (bench/RESULTS.md): both give the same agreements.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cooperation.explorer.models import RecordCountry
    from cooperation.filtering import filters

    if not kept:
        monkeypatch.setattr(filters, "kept_kind", lambda model, places: None)
    peru = country("PE")
    police = f.named_agency("Policía Nacional del Perú", "PE")
    lima = f.PlaceFactory(name="Lima", country=peru)
    by_agency = f.AgreementFactory(title="Agency pact")
    f.AgreementPartyFactory(agreement=by_agency, country=None, agency=police)
    f.AgreementFactory(title="Signed in Lima", place=lima)
    everything = f.AgreementFactory(title="All three", place=lima)
    f.AgreementPartyFactory(agreement=everything, country=peru)
    f.AgreementPartyFactory(agreement=everything, country=None, agency=police)

    with CaptureQueriesContext(connection) as queries:
        found = names(client, "agreements", country="PE")
    assert found == ["Agency pact", "All three", RUSSIA_PERU, "Signed in Lima"]
    page = next(q["sql"] for q in queries.captured_queries if q["sql"].startswith('SELECT "cooperation_agreement"'))
    assert (RecordCountry._meta.db_table in page) is kept
    assert ("UNION ALL" in page) is not kept
