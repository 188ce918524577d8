"""Valid records of every model, for tests. Reference rows (countries, regions, drugs, vocabularies) come from
the migrations, so factories pick existing ones instead of inventing them."""

import factory
from django.contrib.contenttypes.models import ContentType
from factory.django import DjangoModelFactory

from cooperation import models as m
from cooperation.models.sources import find_quote


def existing(model, **filters):
    return factory.Iterator(model.objects.filter(**filters).order_by("pk"))


class SourceFactory(DjangoModelFactory):
    class Meta:
        model = m.Source

    title = factory.Sequence(lambda n: f"Report {n}")
    url = factory.Sequence(lambda n: f"https://news.example.org/reports/{n}")
    kind = m.SourceKind.REPORT
    text = "Officials from both countries signed a memorandum on information exchange. Training starts in 2013."


class CitationFactory(DjangoModelFactory):
    class Meta:
        model = m.Citation
        exclude = ["record"]

    source = factory.SubFactory(SourceFactory)
    record = None
    content_type = factory.LazyAttribute(lambda o: ContentType.objects.get_for_model(o.record))
    object_id = factory.LazyAttribute(lambda o: o.record.pk)
    quote = "signed a memorandum on information exchange"
    # Where a save finds the quote (the factory saves without cleaning): exports read back unchanged.
    position = factory.LazyAttribute(
        lambda o: found.start() if (found := find_quote(o.source.text, o.quote)) and o.kind == "verbatim" else None
    )
    kind = m.CitationKind.VERBATIM
    locator = "para. 1"


class CitedFactory(DjangoModelFactory):
    """Every fact-bearing record is created with one citation, as analysts must."""

    class Meta:
        abstract = True
        skip_postgeneration_save = True

    @factory.post_generation
    def cited(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            CitationFactory(record=obj)


class PlaceFactory(DjangoModelFactory):
    """A place analysts add: not from the gazetteer (no GeoNames id)."""

    class Meta:
        model = m.Place

    name = factory.Sequence(lambda n: f"Puerto Nuevo {n}")
    country = existing(m.Country)


class AgencyFactory(CitedFactory):
    class Meta:
        model = m.Agency

    name = factory.Sequence(lambda n: f"Anti-Drug Agency {n}")
    kind = m.AgencyKind.DRUG_CONTROL
    country = existing(m.Country)


class OfficialFactory(CitedFactory):
    class Meta:
        model = m.Official

    name = factory.Sequence(lambda n: f"Official {n}")
    country = existing(m.Country)


class PostFactory(CitedFactory):
    class Meta:
        model = m.Post

    official = factory.SubFactory(OfficialFactory)
    agency = factory.SubFactory(AgencyFactory)
    title = "Director"
    start = "2012"


class AgreementFactory(CitedFactory):
    class Meta:
        model = m.Agreement

    title = factory.Sequence(lambda n: f"Memorandum {n}")
    kind = m.AgreementKind.MOU
    status = m.AgreementStatus.SIGNED
    signed = "October 2012"


class AgreementPartyFactory(DjangoModelFactory):
    class Meta:
        model = m.AgreementParty

    agreement = factory.SubFactory(AgreementFactory)
    country = existing(m.Country)
    role = m.PartyRole.PARTY


class AgreementSignatoryFactory(DjangoModelFactory):
    class Meta:
        model = m.AgreementSignatory

    agreement = factory.SubFactory(AgreementFactory)
    official = factory.SubFactory("tests.factories.OfficialFactory", cited=False)


class AgreementLinkFactory(DjangoModelFactory):
    class Meta:
        model = m.AgreementLink

    agreement = factory.SubFactory(AgreementFactory)
    kind = m.LinkKind.AMENDS
    target = factory.SubFactory(AgreementFactory)


class TrainingCentreFactory(CitedFactory):
    class Meta:
        model = m.TrainingCentre

    name = factory.Sequence(lambda n: f"Training Centre {n}")
    host_country = existing(m.Country)
    status = m.CentreStatus.OPERATIONAL


class TrainingCourseFactory(CitedFactory):
    class Meta:
        model = m.TrainingCourse

    title = factory.Sequence(lambda n: f"Course {n}")
    centre = factory.SubFactory(TrainingCentreFactory)
    status = m.CourseStatus.HELD
    start = "2013-03"
    end = "2013-05"


class CentreMilestoneFactory(DjangoModelFactory):
    class Meta:
        model = m.CentreMilestone

    centre = factory.SubFactory(TrainingCentreFactory)
    kind = m.MilestoneKind.OPENED
    date = "March 2014"


class CourseMilestoneFactory(DjangoModelFactory):
    class Meta:
        model = m.CourseMilestone

    course = factory.SubFactory(TrainingCourseFactory)
    kind = m.MilestoneKind.HELD
    date = "spring 2013"


class CourseParticipantFactory(DjangoModelFactory):
    class Meta:
        model = m.CourseParticipant

    course = factory.SubFactory(TrainingCourseFactory)
    country = existing(m.Country)
    trainees = 12


class OperationFactory(CitedFactory):
    class Meta:
        model = m.Operation

    name = factory.Sequence(lambda n: f"Operation {n}")
    status = m.OperationStatus.COMPLETED
    start = "2013"


class OperationParticipantFactory(DjangoModelFactory):
    class Meta:
        model = m.OperationParticipant

    operation = factory.SubFactory(OperationFactory)
    country = existing(m.Country)


class OperationOutcomeFactory(DjangoModelFactory):
    class Meta:
        model = m.OperationOutcome

    operation = factory.SubFactory(OperationFactory)
    kind = m.OutcomeKind.SEIZURE
    drug = existing(m.Drug)
    quantity = 125
    unit = m.Unit.KILOGRAM


class EventFactory(CitedFactory):
    class Meta:
        model = m.Event

    title = factory.Sequence(lambda n: f"Visit {n}")
    kind = m.EventKind.VISIT
    date = "2012-10-12"
    country = existing(m.Country)


class EventConcernFactory(DjangoModelFactory):
    class Meta:
        model = m.EventConcern

    event = factory.SubFactory(EventFactory)
    agreement = factory.SubFactory(AgreementFactory)


class TraffickingRouteFactory(CitedFactory):
    class Meta:
        model = m.TraffickingRoute

    name = factory.Sequence(lambda n: f"Route {n}")
    drug = existing(m.Drug)
    status = m.RouteStatus.ACTIVE


class RouteNodeFactory(DjangoModelFactory):
    class Meta:
        model = m.RouteNode

    route = factory.SubFactory(TraffickingRouteFactory)
    position = factory.Sequence(lambda n: n + 1)
    country = existing(m.Country)
    role = m.NodeRole.TRANSIT


class AssessmentFactory(CitedFactory):
    class Meta:
        model = m.Assessment

    subject_country = existing(m.Country)
    drug = existing(m.Drug)
    role = m.AssessmentRole.CONSUMER_MARKET
    assessed_by_agency = factory.SubFactory(AgencyFactory)
    claim = "A growing consumer market."


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = m.Region

    name = factory.Sequence(lambda n: f"Grouping {n}")
    level = m.RegionLevel.GROUPING


class CooperationAreaFactory(DjangoModelFactory):
    class Meta:
        model = m.CooperationArea

    code = factory.Sequence(lambda n: f"area_{n}")
    name = factory.Sequence(lambda n: f"Area {n}")


class TrainingTopicFactory(DjangoModelFactory):
    class Meta:
        model = m.TrainingTopic

    code = factory.Sequence(lambda n: f"topic_{n}")
    name = factory.Sequence(lambda n: f"Topic {n}")


class DrugFactory(DjangoModelFactory):
    class Meta:
        model = m.Drug

    name = factory.Sequence(lambda n: f"substance {n}")
    group = m.DrugGroup.NPS


def named_agency(name: str, country: str = "PE", **fields) -> m.Agency:
    """An agency of ``country`` (ISO code) cited by a quote of its own name: two such agencies' citations
    differ, as those of two records entered from two reports do."""
    record = AgencyFactory(name=name, country=m.Country.objects.get(iso2=country), cited=False, **fields)
    CitationFactory(record=record, quote=f"{name} took part")
    return record
