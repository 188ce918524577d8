"""The questions the seed must answer (DOMAIN.md), asked the way a REST client would, every answer citing
the article."""

import pytest

from tests.conftest import SEED_URL

pytestmark = pytest.mark.usefixtures("seed")


def results(client, resource, **params):
    response = client.get(f"/api/v1/{resource}/", params)
    assert response.status_code == 200, response.content
    rows = response.json()["results"]
    for row in rows:
        assert any(c["source"]["url"] == SEED_URL for c in row["citations"]), row["display"]
    return rows


def codes(items, key="code"):
    return sorted(item[key] for item in items)


def test_who_directs_the_federal_narcotics_service(client):
    (post,) = results(client, "posts", agency="Federal Narcotics Service [RU]", title="Director")
    assert post["official"]["name"] == "Viktor Ivanov"
    assert (post["start"], post["start_edtf"], post["start_earliest"]) == ("", "", None)
    assert "does not say since when" in post["note"]


def test_what_russia_plans_with_several_latin_american_countries(client):
    (plan,) = results(client, "agreements", country="RU", region="419", area="rehabilitation")
    assert codes(plan["areas"]) == ["joint_operations", "policy_development", "rehabilitation", "training"]
    region_party = next(p for p in plan["parties"] if p["region"])
    assert region_party["region"]["m49_code"] == "419" and "not named" in region_party["note"]


def test_the_training_centre_in_nicaragua(client):
    (centre,) = results(client, "training-centres", host_country="NI")
    assert centre["sponsor_country"]["iso2"] == "RU" and centre["operator"] is None
    assert (centre["expected_countries"]["qualifier"], centre["expected_countries"]["value"]) == ("exact", 7)
    assert codes(centre["topics"]) == ["tactics", "use_of_technology"]
    assert centre["status"] == "under_construction"
    [milestone] = centre["milestones"]
    assert (milestone["kind"], milestone["date"], milestone["source"]["url"]) == ("construction_started", "", SEED_URL)


def test_the_planned_russia_peru_cooperation(client):
    (plan,) = results(client, "agreements", country="PE")
    assert codes(plan["areas"]) == ["information_exchange", "joint_monitoring", "training"]
    assert (plan["start"], plan["start_edtf"], plan["start_earliest"]) == (
        "in the coming year",
        "[2012-10..]",
        "2012-10-01",
    )


def test_the_cocaine_routes_into_russia(client):
    routes = results(client, "trafficking-routes", drug="cocaine", destination="RU")
    stops = {r["concealment"]: [n["country"]["iso2"] for n in r["nodes"]] for r in routes}
    assert stops == {"in plantain shipments": ["EC", "RU"], "in Colombian flower shipments": ["CO", "NL", "RU"]}
    assert {r["identified_by"]["name"] for r in routes} == {"Moscow police"}
    (west_africa,) = results(client, "assessments", region="011", role="transit_point")
    assert west_africa["trend"] == "growing" and west_africa["assessed_by_official"]["name"] == "Viktor Ivanov"


def test_russia_heroin_and_cocaine_markets_according_to_europol(client):
    (heroin,) = results(client, "assessments", country="RU", drug="heroin")
    assert heroin["role"] == "consumer_market" and "world's largest consumer of heroin" in heroin["claim"]
    (supply,) = results(client, "trafficking-routes", drug="heroin", destination="RU")
    assert supply["nodes"][0]["country"]["iso2"] == "AF"
    (cocaine,) = results(client, "assessments", country="RU", drug="cocaine", assessed_by="Europol")
    assert cocaine["trend"] == "growing"
    (entry,) = results(client, "assessments", region="Former Soviet Union", role="entry_point")
    assert (entry["trend"], entry["likelihood"], entry["market"]["name"]) == ("emerging", "possible", "Europe")
    assert entry["assessed_by_agency"]["name"] == "Europol"


def test_the_october_2012_tour_and_the_criticism_of_us_methods(client):
    (tour,) = results(client, "events", kind="tour", date_from="2012-10-01", date_to="2012-10-31")
    assert tour["region"]["m49_code"] == "419" and "bypasses US dominance" in tour["summary"]
    (criticism,) = results(client, "events", kind="statement", country="US")
    assert any("heavy-handed methods" in c["quote"] for c in criticism["citations"])
    assert criticism["stance"] == "criticised"  # "Ivanov has criticized ..."
    assert results(client, "events", stance="criticised") == [criticism]


def test_the_announcement_concerns_the_two_plans_and_was_made_as_director(client):
    (announcement,) = results(client, "events", kind="announcement")
    assert announcement["speaker_post"]["title"] == "Director"
    assert announcement["speaker_post"]["agency"] == "Federal Narcotics Service"
    plans = sorted(concern["agreement"]["title"] for concern in announcement["concerns"])
    assert plans == ["Russia - Latin America counternarcotics cooperation plans", "Russia - Peru security cooperation"]
    for title in plans:
        assert results(client, "events", agreement=title) == [announcement]
