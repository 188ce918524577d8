"""Every resource of /api/v1/ through the generic tests of ``ResourceTests``."""

import datetime as dt
import itertools

import pytest

from cooperation import models as m
from tests import factories as f
from tests.api.resources import ResourceTests

SEQUENCE = itertools.count(1)


def citation(source=None) -> dict:
    source = source or f.SourceFactory()
    return {"source": source.url, "quote": "signed a memorandum on information exchange", "locator": "para. 1"}


def cite(record):
    f.CitationFactory(record=record)
    return record


class TestRegions(ResourceTests):
    resource, model = "regions", m.Region
    invalid_filter = {"level": "galaxy"}

    def make(self):
        return f.RegionFactory(parent=m.Region.objects.get(m49_code="419"))

    def create_payload(self):
        return {"name": f"Andean Community {next(SEQUENCE)}", "level": "grouping", "parent": "005"}

    def update_payload(self):
        return {"description": "Bolivia, Colombia, Ecuador and Peru."}

    def check_created(self, record):
        assert record.parent.name == "South America"


class TestCountries(ResourceTests):
    resource, model = "countries", m.Country
    invalid_filter = {"region": "Atlantis"}

    # Codes from the ranges ISO 3166 leaves to users, so they never clash with a real country.
    FREE_CODES = [f"Q{c}" for c in "MNOPQRSTUVWXYZ"] + [f"X{c}" for c in "ABCDEFGHIJLMNOPQRSTUVWXYZ"]

    def make(self):
        n = next(SEQUENCE) % len(self.FREE_CODES)
        country = m.Country.objects.create(
            iso2=self.FREE_CODES[n],
            iso3=f"Z{self.FREE_CODES[n]}",
            iso_numeric=f"{900 + n:03d}",
            name=f"Test country {n}",
        )
        country.regions.add(m.Region.objects.get(m49_code="005"))
        return country

    def create_payload(self):
        return {"iso2": "XK", "iso3": "XKX", "iso_numeric": "999", "name": "Kosovo", "regions": ["039"]}

    def update_payload(self):
        return {"official_name": "Republic of Testing"}

    def check_created(self, record):
        assert [r.m49_code for r in record.regions.all()] == ["039"]


class TestDrugs(ResourceTests):
    resource, model = "drugs", m.Drug
    invalid_filter = {"group": "sugar"}

    def make(self):
        return f.DrugFactory()

    def create_payload(self):
        return {"name": f"nitazene {next(SEQUENCE)}", "group": "opioids"}

    def update_payload(self):
        return {"description": "Synthetic opioid."}


class TestCooperationAreas(ResourceTests):
    resource, model = "cooperation-areas", m.CooperationArea
    invalid_filter = {"id": "abc"}

    def make(self):
        return f.CooperationAreaFactory()

    def create_payload(self):
        return {"code": f"maritime_{next(SEQUENCE)}", "name": f"Maritime interdiction {next(SEQUENCE)}"}

    def update_payload(self):
        return {"description": "Boarding and search at sea."}


class TestTrainingTopics(ResourceTests):
    resource, model = "training-topics", m.TrainingTopic
    invalid_filter = {"updated_since": "yesterday"}

    def make(self):
        return f.TrainingTopicFactory()

    def create_payload(self):
        return {"code": f"k9_{next(SEQUENCE)}", "name": f"Dog handling {next(SEQUENCE)}"}

    def update_payload(self):
        return {"name": "Dog handling and detection"}


class TestPlaces(ResourceTests):
    resource, model = "places", m.Place
    invalid_filter = {"origin": "hearsay"}
    few_rows = {"origin": "analysts"}  # not the gazetteer's

    def make(self):
        return f.PlaceFactory(latitude="-12.05", longitude="-77.15", other_names="Puerto\nEl Puerto")

    def create_payload(self):
        return {
            "name": f"San José {next(SEQUENCE)}",
            "country": "CR",
            "latitude": 9.93333,
            "longitude": -84.08333,
            "other_names": "San Jose",
            "description": "A district an analyst added.",
        }

    def update_payload(self):
        return {"population": 31430}

    def check_created(self, record):
        assert record.country.iso2 == "CR" and record.geonames_id is None
        assert record.search_name.startswith("san jose")


class TestAgencies(ResourceTests):
    resource, model = "agencies", m.Agency
    invalid_filter = {"kind": "bakery"}

    def make(self):
        return f.AgencyFactory(parent=f.AgencyFactory())

    def create_payload(self):
        return {
            "name": f"Dirección Antidrogas {next(SEQUENCE)}",
            "acronym": "DIRANDRO",
            "kind": "police",
            "country": "PER",
            "citations": [citation()],
        }

    def update_payload(self):
        return {"website": "https://police.example.pe/"}

    def check_created(self, record):
        assert record.country.iso2 == "PE"
        assert record.citations.count() == 1


class TestOfficials(ResourceTests):
    resource, model = "officials", m.Official
    invalid_filter = {"country": "ZZ"}

    def make(self):
        official = f.OfficialFactory()
        f.PostFactory(official=official)
        return official

    def create_payload(self):
        return {"name": "Rafael Correa", "country": "EC", "citations": [citation()]}

    def update_payload(self):
        return {"other_names": "Rafael Vicente Correa Delgado"}


class TestPosts(ResourceTests):
    resource, model = "posts", m.Post
    invalid_filter = {"date_from": "2012-13-45"}

    def make(self):
        return f.PostFactory()

    def create_payload(self):
        return {
            "official": f.OfficialFactory().pk,
            "agency": f.AgencyFactory().pk,
            "title": "Deputy director",
            "start": "October 2012",
            "citations": [citation()],
        }

    def update_payload(self):
        return {"end": "2016"}

    def check_created(self, record):
        assert (record.start_edtf, str(record.start_earliest)) == ("2012-10", "2012-10-01")


class TestAgreements(ResourceTests):
    resource, model = "agreements", m.Agreement
    invalid_filter = {"status": "imagined"}

    def make(self):
        agreement = f.AgreementFactory(announced_by=f.OfficialFactory())
        agreement.areas.set(m.CooperationArea.objects.all()[:2])
        agreement.drugs.set(m.Drug.objects.all()[:2])
        post = f.PostFactory()
        f.AgreementSignatoryFactory(agreement=agreement, official=post.official, post=post)
        f.AgreementSignatoryFactory(agreement=agreement, official=None, agency=f.AgencyFactory())
        f.AgreementLinkFactory(agreement=agreement, kind="implements")
        f.AgreementPartyFactory(agreement=agreement, country=m.Country.objects.get(iso2="RU"))
        f.AgreementPartyFactory(agreement=agreement, country=None, region=m.Region.objects.get(m49_code="419"))
        f.AgreementPartyFactory(agreement=agreement, country=None, agency=f.AgencyFactory())
        return cite(agreement)

    def create_payload(self):
        return {
            "title": "Russia - Peru memorandum",
            "kind": "memorandum_of_understanding",
            "status": "signed",
            "areas": ["training", "information_exchange"],
            "signed": "2012-10",
            "parties": [{"country": "RU"}, {"country": "PER", "role": "signatory"}],
            "citations": [citation()],
        }

    def update_payload(self):
        return {"status": "in_force", "start": "2013"}

    def check_created(self, record):
        assert sorted(p.country.iso2 for p in record.parties.all()) == ["PE", "RU"]
        assert sorted(record.areas.values_list("code", flat=True)) == ["information_exchange", "training"]


class TestTrainingCentres(ResourceTests):
    resource, model = "training-centres", m.TrainingCentre
    invalid_filter = {"host_country": "Atlantis"}

    def make(self):
        centre = f.TrainingCentreFactory(operator=f.AgencyFactory(), sponsor_country=m.Country.objects.get(iso2="RU"))
        centre.topics.set(m.TrainingTopic.objects.all()[:2])
        f.CentreMilestoneFactory(centre=centre, kind="construction_started", date="2012")
        f.CentreMilestoneFactory(centre=centre, kind="opened", date="before June 2014", source=None)
        return cite(centre)

    def create_payload(self):
        return {
            "name": "Regional anti-drug training centre",
            "host_country": "NI",
            "sponsor_country": "RU",
            "status": "planned",
            "topics": ["tactics"],
            "expected_countries": 7,
            "milestones": [{"kind": "announced", "date": "October 2012"}],
            "citations": [citation()],
        }

    def update_payload(self):
        return {"status": "operational", "milestones": [{"kind": "opened", "date": "2013"}]}

    def check_created(self, record):
        [announced] = record.milestones.all()
        assert (announced.kind, announced.date_edtf, announced.date_latest) == (
            "announced",
            "2012-10",
            dt.date(2012, 10, 31),
        )


class TestTrainingCourses(ResourceTests):
    resource, model = "training-courses", m.TrainingCourse
    invalid_filter = {"centre": "0"}

    def make(self):
        course = f.TrainingCourseFactory(provider=f.AgencyFactory())
        course.topics.set(m.TrainingTopic.objects.all()[:2])
        nicaragua = m.Country.objects.get(iso2="NI")
        f.CourseParticipantFactory(course=course, country=m.Country.objects.get(iso2="PE"))
        f.CourseParticipantFactory(course=course, country=nicaragua, agency=f.AgencyFactory(country=nicaragua))
        f.CourseParticipantFactory(course=course, country=None, region=m.Region.objects.get(m49_code="029"))
        f.CourseParticipantFactory(course=course, country=m.Country.objects.get(iso2="ES"), role="instructor")
        f.CourseMilestoneFactory(course=course, kind="announced", date="2012?")
        f.CourseMilestoneFactory(course=course, kind="held", date="March 2013")
        return course

    def create_payload(self):
        return {
            "title": "Tactics, first cohort",
            "centre": f.TrainingCentreFactory().pk,
            "status": "planned",
            "session": 3,
            "milestones": [{"kind": "postponed", "date": "late 2012"}, {"kind": "announced"}],
            "start": "2013-03",
            "participants": [
                {"country": "PE", "trainees": 12},
                {"region": "029", "trainees": {"qualifier": "about", "value": 8}},
                {"country": "UY", "role": "invited"},
            ],
            "total_trained": {"qualifier": "more_than", "value": 20},
            "citations": [citation()],
        }

    def update_payload(self):
        return {
            "title": "Tactics, second cohort",
            "status": "held",
            "milestones": [{"kind": "held", "date": "2013"}],
            "total_trained": {"qualifier": "between", "low": 21, "high": 25},
        }

    def check_created(self, record):
        assert (record.status, record.session) == ("planned", 3)
        assert [(m.kind, m.date_edtf) for m in record.milestones.all()] == [
            ("postponed", "2012-09/2012-12"),
            ("announced", ""),
        ]
        assert (record.total_trained_qualifier, record.total_trained_min) == ("more_than", 21)
        trainees = [(p.trainees_qualifier, p.trainees) for p in record.participants.order_by("pk")]
        assert trainees == [("exact", 12), ("about", 8), ("", None)]


class TestOperations(ResourceTests):
    resource, model = "operations", m.Operation
    invalid_filter = {"drug": "chocolate"}

    def make(self):
        operation = f.OperationFactory(legal_basis=f.AgreementFactory())
        f.OperationParticipantFactory(operation=operation, country=m.Country.objects.get(iso2="CO"))
        f.OperationParticipantFactory(operation=operation, country=None, agency=f.AgencyFactory())
        f.OperationParticipantFactory(operation=operation, country=None, region=m.Region.objects.get(m49_code="013"))
        f.OperationOutcomeFactory(operation=operation)
        f.OperationOutcomeFactory(operation=operation, kind="arrests", drug=None, quantity=4, unit="persons")
        return operation

    def create_payload(self):
        return {
            "name": "Operation Pacific",
            "status": "completed",
            "start": "2013-05",
            "participants": [
                {"country": "CO", "role": "lead"},
                {"country": "RU"},
                {"region": "029", "role": "observer"},
            ],
            "outcomes": [
                {"kind": "seizure", "drug": "cocaine", "quantity": 1250.5, "unit": "kg"},
                {"kind": "arrests", "quantity": 14, "unit": "persons"},
            ],
            "citations": [citation()],
        }

    def update_payload(self):
        return {"summary": "Joint maritime operation."}

    def check_created(self, record):
        assert [(o.kind, float(o.quantity)) for o in record.outcomes.all()] == [("seizure", 1250.5), ("arrests", 14)]


class TestEvents(ResourceTests):
    resource, model = "events", m.Event
    invalid_filter = {"kind": "party"}

    def make(self):
        event = f.EventFactory(kind="statement", stance="supported", speaker_post=f.PostFactory())
        f.EventConcernFactory(event=event)
        f.EventConcernFactory(event=event, agreement=None, operation=f.OperationFactory())
        f.EventConcernFactory(event=event, agreement=None, assessment=f.AssessmentFactory())
        event.officials.set([f.OfficialFactory()])
        event.agencies.set([f.AgencyFactory()])
        event.countries_concerned.set(m.Country.objects.filter(iso2__in=["US", "PE"]))
        return event

    def create_payload(self):
        return {
            "title": "Tour of Latin America",
            "kind": "tour",
            "date": "October 2012",
            "region": "Latin America and the Caribbean",
            "countries_concerned": ["US"],
            "citations": [citation()],
        }

    def update_payload(self):
        return {"summary": "Met in Managua."}


class TestTraffickingRoutes(ResourceTests):
    resource, model = "trafficking-routes", m.TraffickingRoute
    invalid_filter = {"origin": "Atlantis"}

    def make(self):
        route = f.TraffickingRouteFactory(identified_by=f.AgencyFactory())
        f.RouteNodeFactory(route=route, position=1, country=m.Country.objects.get(iso2="CO"), role="origin")
        f.RouteNodeFactory(route=route, position=2, country=None, region=m.Region.objects.get(m49_code="011"))
        f.RouteNodeFactory(route=route, position=3, country=m.Country.objects.get(iso2="RU"), role="destination")
        return route

    def create_payload(self):
        return {
            "name": "Cocaine from Ecuador in plantain shipments",
            "drug": "cocaine",
            "status": "active",
            "concealment": "in plantain shipments",
            "nodes": [
                {"position": 1, "country": "EC", "role": "departure"},
                {"position": 2, "country": "RU", "role": "destination"},
            ],
            "citations": [citation()],
        }

    def update_payload(self):
        return {"transport_mode": "sea"}

    def check_created(self, record):
        assert [(n.position, n.country.iso2) for n in record.nodes.all()] == [(1, "EC"), (2, "RU")]


class TestAssessments(ResourceTests):
    resource, model = "assessments", m.Assessment
    invalid_filter = {"trend": "sideways"}

    def make(self):
        return f.AssessmentFactory(assessed_by_official=f.OfficialFactory(), market=m.Region.objects.get(name="Europe"))

    def create_payload(self):
        return {
            "subject_region": "Former Soviet Union",
            "drug": "cocaine",
            "role": "entry_point",
            "trend": "emerging",
            "likelihood": "possible",
            "market": "150",
            "assessed_by_agency": f.AgencyFactory(country=None).pk,
            "claim": "Possibly the next entry point for cocaine into Europe.",
            "citations": [citation()],
        }

    def update_payload(self):
        return {"as_of": "2012"}


class TestSources(ResourceTests):
    resource, model = "sources", m.Source
    invalid_filter = {"kind": "rumour"}

    def make(self):
        return f.SourceFactory(publisher=f.AgencyFactory())

    def create_payload(self):
        return {
            "title": "World Drug Report",
            "kind": "report",
            "url": f"https://unodc.example.org/wdr/{next(SEQUENCE)}",
            "published": "June 2013",
            "text": "Cocaine use is growing in Europe.",
        }

    def update_payload(self):
        return {"authors": "UNODC Research and Trend Analysis Branch"}


class TestCitations(ResourceTests):
    resource, model = "citations", m.Citation
    invalid_filter = {"record_type": "country"}

    def make(self):
        return f.CitationFactory(record=f.AgreementFactory())  # the agreement's second citation

    def create_payload(self):
        return {
            "source": f.SourceFactory().pk,
            "record_type": "agreement",
            "record_id": f.AgreementFactory(cited=False).pk,
            "quote": "Training is to start next year.",
            "kind": "paraphrase",
            "modality": "planned",
        }

    def update_payload(self):
        return {"confidence": "medium"}


def test_every_resource_has_its_generic_tests():
    from cooperation.resources import RESOURCES

    tested = {cls.resource for cls in ResourceTests.__subclasses__()}
    untested = sorted(set(RESOURCES) - tested)
    assert not untested, f"Resources without a ResourceTests class in tests/api/test_resources.py: {untested}"
    assert tested <= set(RESOURCES), f"Test classes for no resource: {sorted(tested - set(RESOURCES))}"


@pytest.mark.parametrize("resource", ["countries", "regions", "drugs"])
def test_reference_records_in_use_cannot_be_deleted(editor_client, resource, seed):
    key = {"countries": m.Country.objects.get(iso2="RU"), "regions": m.Region.objects.get(m49_code="419")}
    key["drugs"] = m.Drug.objects.get(name="cocaine")
    response = editor_client.delete(f"/api/v1/{resource}/{key[resource].pk}/")
    assert response.status_code == 409
    assert response.json()["referenced_by"]


@pytest.mark.parametrize(
    ("resource", "payload", "field"),
    [
        ("drugs", {"name": "nitazene", "group": "opioids", "description": 0}, "description"),
        (
            "training-centres",
            {"name": "Centre", "host_country": "NI", "status": "planned", "expected_countries": "7"},
            "expected_countries",
        ),
        ("countries", {"iso2": "XK", "iso3": "XKX", "iso_numeric": "999", "name": "Kosovo", "regions": {}}, "regions"),
    ],
)
def test_a_value_of_another_json_type_is_400_naming_the_field(editor_client, resource, payload, field):
    # DRF would store 0 as "0", "7" as 7 and an object as the list of its keys.
    if resource == "training-centres":
        payload["citations"] = [citation()]  # every fact is sourced
    response = editor_client.post(f"/api/v1/{resource}/", payload, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    payload.pop(field)
    assert editor_client.post(f"/api/v1/{resource}/", payload, format="json").status_code == 201


def test_max_length_holds_for_the_value_as_sent(editor_client):
    # DRF trims whitespace before checking the length: 101 characters with a leading space passed.
    response = editor_client.post("/api/v1/drugs/", {"name": " " + "x" * 100, "group": "opioids"}, format="json")
    assert response.status_code == 400
    assert "name" in response.json()
