"""What "involves Peru" and "in South America" mean: the same records in the API, the CSV export and the admin.

A party or participant given as an agency counts for the agency's country and its regions; a region given as
a party counts for itself and the regions above it; an event counts for where it took place and the countries
it concerned. tests/test_filter_meanings.py runs every filter of every resource through the three and
compares what they list; these tests pin the rules themselves.
"""

from __future__ import annotations

import pytest

from cooperation import models as m
from tests import factories as f
from tests.admin.formdata import admin_url
from tests.csv.helpers import rows

pytestmark = pytest.mark.django_db


def country(code: str) -> m.Country:
    return m.Country.objects.get(iso2=code)


def region(code: str) -> m.Region:
    return m.Region.objects.get(m49_code=code)


@pytest.fixture
def places():
    """Records whose places are given every way the model allows, with names that repeat across countries."""
    peru, russia, colombia, nicaragua = (country(code) for code in ("PE", "RU", "CO", "NI"))
    police = {c.iso2: f.AgencyFactory(name="National Police", country=c) for c in (peru, russia, colombia)}
    unodc = f.AgencyFactory(name="UNODC", kind="intergovernmental", country=None)
    f.AgencyFactory(name="National Police", country=None, kind="intergovernmental")  # the same name, international
    officials = [f.OfficialFactory(name="Ivan Petrov", country=c) for c in (russia, peru)]

    two_agencies = f.AgreementFactory(title="Police cooperation")
    two_agencies.areas.set(m.CooperationArea.objects.filter(code="training"))
    f.AgreementPartyFactory(agreement=two_agencies, country=None, agency=police["PE"])
    f.AgreementPartyFactory(agreement=two_agencies, country=russia, agency=police["RU"])  # agency and its country
    with_region = f.AgreementFactory(title="Plan with Latin America")
    f.AgreementPartyFactory(agreement=with_region, country=russia)
    f.AgreementPartyFactory(agreement=with_region, country=None, region=region("419"))
    international = f.AgreementFactory(title="Plan with UNODC")
    international.areas.set(m.CooperationArea.objects.filter(code="information_exchange"))
    f.AgreementPartyFactory(agreement=international, country=None, agency=unodc)
    f.AgreementPartyFactory(agreement=international, country=colombia, role="beneficiary")
    f.AgreementFactory(title="Police cooperation")  # a duplicate title without parties

    operation = f.OperationFactory(name="Joint operation")
    f.OperationParticipantFactory(operation=operation, country=None, agency=police["CO"])
    f.OperationParticipantFactory(operation=operation, country=peru)
    course = f.TrainingCourseFactory(title="Course", centre=f.TrainingCentreFactory(host_country=nicaragua))
    f.CourseParticipantFactory(course=course, country=colombia, agency=police["CO"])
    f.TrainingCentreFactory(host_country=nicaragua, sponsor_country=russia, operator=police["RU"])
    event = f.EventFactory(title="Statement", country=russia)
    event.countries_concerned.set([peru])
    f.EventFactory(title="Tour", country=None, region=region("419"))
    route = f.TraffickingRouteFactory(name="Cocaine route")
    f.RouteNodeFactory(route=route, position=1, country=colombia, role="origin")
    f.RouteNodeFactory(route=route, position=2, country=None, region=region("011"), role="transit")
    f.AssessmentFactory(subject_country=None, subject_region=region("151"), assessed_by_agency=police["RU"])
    f.AssessmentFactory(subject_country=peru, assessed_by_agency=unodc)
    f.PostFactory(official=officials[1], agency=unodc)
    return {"police": police, "two_agencies": two_agencies}


def api_ids(client, resource: str, params: dict) -> set[int]:
    response = client.get(f"/api/v1/{resource}/", {**params, "limit": 1000})
    assert response.status_code == 200, (resource, params, response.content)
    return {row["id"] for row in response.json()["results"]}


def export_ids(client, resource: str, params: dict) -> set[int]:
    response = client.get(f"/api/v1/{resource}/", {**params, "format": "csv"})
    assert response.status_code == 200, (resource, params, response.content)
    return {int(row["id"]) for row in rows(b"".join(response.streaming_content).decode())}


def test_an_agreement_between_two_agencies_is_found_by_either_agencys_country_and_region(client, places):
    agreement = places["two_agencies"].pk
    for params in ({"country": "PE"}, {"country": "RU"}, {"region": "005"}, {"region": "151"}, {"region": "419"}):
        assert agreement in api_ids(client, "agreements", params), params
        assert agreement in export_ids(client, "agreements", params), params
    assert agreement not in api_ids(client, "agreements", {"country": "CO"})


def test_a_region_as_a_party_counts_for_the_regions_above_it_not_for_the_countries_in_it(client, places):
    titles = {a.pk: a.title for a in m.Agreement.objects.all()}
    assert {titles[pk] for pk in api_ids(client, "agreements", {"region": "019"})} >= {"Plan with Latin America"}
    assert "Plan with Latin America" not in {titles[pk] for pk in api_ids(client, "agreements", {"country": "PE"})}


def test_events_count_the_countries_they_concern_in_the_api_and_the_admin(client, admin_client, places):
    statement = m.Event.objects.get(title="Statement")
    assert statement.pk in api_ids(client, "events", {"country": "PE"})
    assert statement.pk in api_ids(client, "events", {"region": "005"})
    for params in ({"region": "005"}, {"country": "PE"}):
        response = admin_client.get(admin_url(m.Event, "changelist"), params)
        assert statement in response.context["cl"].result_list


def test_a_party_names_an_agency_with_its_own_country_or_none(editor_client, places):
    police = places["police"]
    source = f.SourceFactory()
    citation = {"source": source.url, "quote": "signed a memorandum on information exchange"}

    def post(*parties, title="Pact"):
        payload = {"title": title, "kind": "memorandum_of_understanding", "status": "signed", "citations": [citation]}
        return editor_client.post("/api/v1/agreements/", {**payload, "parties": list(parties)}, format="json")

    agency = f"National Police [{police['RU'].country.iso2}]"
    assert post({"agency": agency, "country": "RU"}, {"country": "PE"}).status_code == 201
    # Another title: the same title with the same parties would be a likely duplicate of the first (a 409).
    wrong = post({"country": "PE"}, {"agency": agency, "country": "PE"}, title="Pact of Lima")
    assert wrong.status_code == 400
    assert wrong.json() == {
        "parties[1].country": ["National Police is an agency of Russian Federation: give its country, or none."]
    }
    both = post({"country": "PE", "region": "419"})
    assert both.status_code == 400
    assert both.json() == {
        "parties[0]": ["Give a country, a region or an agency (an agency may come with its own country)."]
    }


# --- The generic comparison -----------------------------------------------------------------------------------
def test_an_agency_named_with_its_country_by_a_party_keeps_that_country(editor_client, places):
    police = places["police"]["RU"]  # a party of "Police cooperation" names it with Russia
    response = editor_client.patch(f"/api/v1/agencies/{police.pk}/", {"country": "BO"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "country": ["Some agreement parties give this agency with its present country: change them first."]
    }
    assert m.Agency.objects.get(pk=police.pk).country.iso2 == "RU"
    peruvian = places["police"]["PE"]  # named without its country: free to change
    assert editor_client.patch(f"/api/v1/agencies/{peruvian.pk}/", {"country": "EC"}, format="json").status_code == 200
