"""Every rule on the data is enforced twice: by model validation (a clear message on the field) and by the
database itself (so no code path, bulk load or raw SQL can store a bad row). Each case below builds one bad
row and checks that both refuse it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cooperation import duplicates
from cooperation import models as m
from cooperation.duplicates import DuplicateRecordError
from tests import factories as f

pytestmark = pytest.mark.django_db


def country(iso2):
    return m.Country.objects.get(iso2=iso2)


def region(name):
    return m.Region.objects.get(name=name)


# Each case returns an unsaved instance that breaks exactly one rule.
BAD_ROWS = {
    "duplicate ISO alpha-2": lambda: m.Country(iso2="PE", iso3="PEX", iso_numeric="990", name="Peru 2"),
    "duplicate ISO alpha-3": lambda: m.Country(iso2="QP", iso3="PER", iso_numeric="991", name="Peru 3"),
    "duplicate ISO numeric": lambda: m.Country(iso2="QQ", iso3="QQQ", iso_numeric="604", name="Peru 4"),
    "lower-case ISO code": lambda: m.Country(iso2="qz", iso3="QZZ", iso_numeric="992", name="Nowhere"),
    "duplicate M49 code": lambda: m.Region(m49_code="419", name="Latin America again", level="sub_region"),
    "malformed M49 code": lambda: m.Region(m49_code="4x9", name="Odd region", level="sub_region"),
    "M49 level without a code": lambda: m.Region(name="Codeless sub-region", level="sub_region"),
    "duplicate source URL": lambda: m.Source(title="Copy", url=f.SourceFactory(url="https://a.example/x").url),
    "empty citation quote": lambda: f.CitationFactory.build(
        record=f.AgencyFactory(), source=f.SourceFactory(), quote=""
    ),
    "party with no country, region or agency": lambda: m.AgreementParty(agreement=f.AgreementFactory()),
    "party that is both a region and a country": lambda: m.AgreementParty(
        agreement=f.AgreementFactory(), country=country("PE"), region=m.Region.objects.get(m49_code="005")
    ),
    "participant that is neither a country nor an agency": lambda: m.OperationParticipant(
        operation=f.OperationFactory()
    ),
    "same agency twice in one role, once with its country": lambda: m.AgreementParty(
        agreement=f.AgreementPartyFactory(agency=f.AgencyFactory(country=country("PE")), country=None).agreement,
        agency=m.Agency.objects.get(),
        country=country("PE"),
        role="party",
    ),
    "same country twice in one role": lambda: m.AgreementParty(
        agreement=f.AgreementPartyFactory(country=country("PE")).agreement, country=country("PE"), role="party"
    ),
    "two route stops at one position": lambda: m.RouteNode(
        route=f.RouteNodeFactory(position=1).route, position=1, country=country("RU"), role="destination"
    ),
    "route stop at position 0": lambda: m.RouteNode(
        route=f.TraffickingRouteFactory(), position=0, country=country("EC"), role="origin"
    ),
    "route stop in a country and a region": lambda: m.RouteNode(
        route=f.TraffickingRouteFactory(), position=1, country=country("EC"), region=region("Europe"), role="origin"
    ),
    "negative expected countries": lambda: f.TrainingCentreFactory.build(expected_countries=-7),
    "negative total trained": lambda: f.TrainingCourseFactory.build(centre=None, total_trained=-1),
    "negative trainees": lambda: m.CourseParticipant(
        course=f.TrainingCourseFactory(), country=country("PE"), trainees=-3
    ),
    "same country twice in a course": lambda: m.CourseParticipant(
        course=f.CourseParticipantFactory(country=country("PE")).course, country=country("PE")
    ),
    "course participant with no country, region or agency": lambda: m.CourseParticipant(
        course=f.TrainingCourseFactory(), country=None, trainees=3
    ),
    "course participant in a region and a country": lambda: m.CourseParticipant(
        course=f.TrainingCourseFactory(), country=country("BZ"), region=region("Caribbean")
    ),
    "same region twice in one role in a course": lambda: m.CourseParticipant(
        course=f.CourseParticipantFactory(country=None, region=region("Caribbean"), role="invited").course,
        region=region("Caribbean"),
        role="invited",
    ),
    "same agency twice in one role in an operation, once with its country": lambda: m.OperationParticipant(
        operation=f.OperationParticipantFactory(
            country=None, agency=f.AgencyFactory(country=country("GT")), role="support"
        ).operation,
        agency=m.Agency.objects.get(),
        country=country("GT"),
        role="support",
    ),
    "operation participant in a region and an agency": lambda: m.OperationParticipant(
        operation=f.OperationFactory(), region=region("Caribbean"), agency=f.AgencyFactory(), role="observer"
    ),
    "negative seizure": lambda: m.OperationOutcome(
        operation=f.OperationFactory(),
        kind="seizure",
        drug=m.Drug.objects.get(name="cocaine"),
        quantity=Decimal("-1"),
        unit="kg",
    ),
    "quantity without a unit": lambda: m.OperationOutcome(
        operation=f.OperationFactory(), kind="arrests", quantity=Decimal("4"), unit=""
    ),
    "participant with no country or agency": lambda: m.OperationParticipant(operation=f.OperationFactory()),
    # Quantities as precise as the source (cooperation.quantities).
    "range without its high end": lambda: f.TrainingCourseFactory.build(
        centre=None, total_trained=3, total_trained_qualifier="between"
    ),
    "range from high to low": lambda: f.TrainingCourseFactory.build(
        centre=None, total_trained=5, total_trained_qualifier="between", total_trained_high=3
    ),
    "qualifier without a value": lambda: m.CourseParticipant(
        course=f.TrainingCourseFactory(), country=country("PE"), trainees_qualifier="about"
    ),
    "high end of a single value": lambda: f.TrainingCentreFactory.build(
        expected_countries=3, expected_countries_qualifier="at_least", expected_countries_high=5
    ),
    "unknown qualifier": lambda: f.TrainingCourseFactory.build(
        centre=None, total_trained=300, total_trained_qualifier="roughly"
    ),
    "fractional arrests": lambda: m.OperationOutcome(
        operation=f.OperationFactory(),
        kind="arrests",
        quantity=Decimal("2.5"),
        quantity_qualifier="about",
        unit="persons",
    ),
    "laboratories up to a fraction": lambda: m.OperationOutcome(
        operation=f.OperationFactory(),
        kind="laboratory_dismantled",
        quantity=Decimal("1"),
        quantity_qualifier="between",
        quantity_high=Decimal("2.5"),
        unit="laboratories",
    ),
    "assessment of nothing": lambda: f.AssessmentFactory.build(
        subject_country=None, assessed_by_agency=f.AgencyFactory()
    ),
    "assessment of a country and a region": lambda: f.AssessmentFactory.build(
        subject_country=country("RU"), subject_region=region("Europe"), assessed_by_agency=f.AgencyFactory()
    ),
    "assessment by nobody": lambda: f.AssessmentFactory.build(assessed_by_agency=None),
    "event in a country and a region": lambda: f.EventFactory.build(country=country("PE"), region=region("Europe")),
    "post ending before it starts": lambda: f.PostFactory.build(
        official=f.OfficialFactory(), agency=f.AgencyFactory(), start="2014", end="2012"
    ),
    "agreement ending before it starts": lambda: f.AgreementFactory.build(start="2014-05", end="2014-04"),
    "course ending before it starts": lambda: f.TrainingCourseFactory.build(centre=None, start="2013", end="2012"),
    "operation ending before it starts": lambda: f.OperationFactory.build(start="2013", end="2012-12-31"),
    "centre milestone of a kind centres do not take": lambda: f.CentreMilestoneFactory.build(
        centre=f.TrainingCentreFactory(), kind="held"
    ),
    "course milestone of a kind courses do not take": lambda: f.CourseMilestoneFactory.build(
        course=f.TrainingCourseFactory(), kind="foundation_stone"
    ),
    "course session zero": lambda: f.TrainingCourseFactory.build(centre=None, session=0),
    "duplicate agency in one country": lambda: m.Agency(
        name=f.AgencyFactory(country=country("RU")).name, country=country("RU"), kind="police"
    ),
    "duplicate international agency": lambda: m.Agency(
        name=f.AgencyFactory(country=None).name, country=None, kind="intergovernmental"
    ),
}


#: Duplicates are refused by the services, with the records they duplicate (the API's 409), not by full_clean().
DUPLICATES = {"duplicate agency in one country", "duplicate international agency"}


@pytest.mark.parametrize("case", sorted(set(BAD_ROWS) - DUPLICATES))
def test_validation_refuses_the_bad_row(case):
    row = BAD_ROWS[case]()
    with pytest.raises(ValidationError):
        row.full_clean()


@pytest.mark.parametrize("case", sorted(DUPLICATES))
def test_the_services_refuse_the_duplicate_even_in_another_case(case):
    row = BAD_ROWS[case]()
    row.name = row.name.upper()
    with pytest.raises(DuplicateRecordError):
        duplicates.check(row, parts=None, confirmed=True)


@pytest.mark.parametrize("case", BAD_ROWS)
def test_the_database_refuses_the_bad_row(case):
    row = BAD_ROWS[case]()
    row.normalise_partial_dates()  # what bulk loaders do: dates computed, nothing else validated
    with pytest.raises(IntegrityError), transaction.atomic():
        # bulk_create skips save() and full_clean(): only the database stands in the way.
        type(row).objects.bulk_create([row])


@pytest.mark.parametrize(
    ("factory", "date"),
    [
        (f.PostFactory, "start"),
        (f.AgreementFactory, "signed"),
        (f.EventFactory, "date"),
        (f.SourceFactory, "published"),
        (f.CentreMilestoneFactory, "date"),
        (f.CourseMilestoneFactory, "date"),
    ],
)
def test_the_database_refuses_bounds_in_the_wrong_order(factory, date):
    record = factory()
    with pytest.raises(IntegrityError), transaction.atomic():
        type(record).objects.filter(pk=record.pk).update(
            **{f"{date}_earliest": dt.date(2013, 1, 1), f"{date}_latest": dt.date(2012, 1, 1)}
        )


@pytest.mark.parametrize(
    ("factory", "quantity"),
    [(f.TrainingCourseFactory, "total_trained"), (f.CourseParticipantFactory, "trainees")],
)
def test_the_database_refuses_quantity_bounds_in_the_wrong_order(factory, quantity):
    record = factory()
    with pytest.raises(IntegrityError), transaction.atomic():
        type(record).objects.filter(pk=record.pk).update(**{f"{quantity}_min": 10, f"{quantity}_max": 9})


def test_a_region_cannot_be_part_of_itself():
    child = f.RegionFactory()
    parent = f.RegionFactory(parent=child)
    child.parent = parent
    with pytest.raises(ValidationError, match="part of itself"):
        child.full_clean()


def test_a_citation_quote_must_occur_verbatim_in_the_source_text():
    agency = f.AgencyFactory()
    citation = f.CitationFactory.build(record=agency, source=f.SourceFactory(), quote="signed a treaty on extradition")
    with pytest.raises(ValidationError) as error:
        citation.full_clean()
    assert error.value.message_dict["quote"] == [
        "This quote does not occur in the source's full text; copy it verbatim, or say that it is a paraphrase "
        "or a translation."
    ]
    citation.quote = "signed  a memorandum\non information exchange"  # spacing and line breaks may differ
    citation.full_clean()


@pytest.mark.parametrize("kind", ["paraphrase", "translation"])
def test_a_paraphrase_or_a_translation_is_not_checked_against_the_source_text(kind):
    citation = f.CitationFactory.build(
        record=f.AgencyFactory(), source=f.SourceFactory(), quote="firmaron un memorando", kind=kind
    )
    citation.full_clean()


def test_a_citation_must_point_at_an_existing_fact_bearing_record():
    from django.contrib.contenttypes.models import ContentType

    citation = f.CitationFactory.build(record=f.AgencyFactory(), source=f.SourceFactory())
    citation.object_id = 987654
    with pytest.raises(ValidationError, match="There is no agency 987654"):
        citation.full_clean()
    citation.content_type = ContentType.objects.get_for_model(m.Country)
    citation.object_id = m.Country.objects.first().pk
    with pytest.raises(ValidationError):
        citation.full_clean()


def test_a_seizure_names_its_drug_and_arrests_count_persons():
    operation = f.OperationFactory()
    with pytest.raises(ValidationError, match="which drug"):
        m.OperationOutcome(operation=operation, kind="seizure", quantity=5, unit="kg").full_clean()
    with pytest.raises(ValidationError, match="persons"):
        m.OperationOutcome(operation=operation, kind="arrests", quantity=5, unit="kg").full_clean()
