"""Every filter of every resource answers, and means the same in the API list, the CSV export and the admin.

The test walks the resources (``cooperation.resources.RESOURCES``) and each filter of their filtersets,
picks values for it from the data by the filter's type (a choice code, a country or region key, a related
record's id and key, a date, a word), and asks the API list, the CSV export and, where its sidebar offers the
filter, the admin changelist. A new filter of a known type is covered without editing the test; a filter of a
new type fails until ``values_of`` can pick its values.

The data are unlike the seed: names that repeat (agencies, officials, titles), agencies as parties and
participants, regions as parties and stops, vague and open dates, groupings of the analysts' own under an M49
region and with sub-groupings. They are made once for the module and rolled back at its end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import django_filters
import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Q
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from cooperation import models as m
from cooperation.admin.filters import DatesFilter
from cooperation.filtering import filters as fs
from cooperation.natural_keys import natural_key
from cooperation.resources import RESOURCES
from tests import factories as f
from tests.admin.formdata import admin_url
from tests.conftest import data_for_the_module
from tests.csv.helpers import rows

#: Values tried per filter; enough to see "any of", without a request per record.
PER_FILTER = 2
#: Queries a filtered API list may make beyond the unfiltered one: resolving the values (a key each, a region
#: tree) and the sub-queries they feed, never a query per record.
FILTER_QUERIES = 6


def country(code: str) -> m.Country:
    return m.Country.objects.get(iso2=code)


def region(code: str) -> m.Region:
    return m.Region.objects.get(m49_code=code)


def build() -> None:
    peru, russia, colombia, nicaragua, nigeria = (country(code) for code in ("PE", "RU", "CO", "NI", "NG"))
    # Groupings of the analysts' own: one under Latin America holding Russia (outside it), one with a sub-grouping.
    partners = f.RegionFactory(name="Partners of Latin America", parent=region("419"))
    russia.regions.add(partners)
    andean = f.RegionFactory(name="Andean zone")
    north = f.RegionFactory(name="Andean north", parent=andean)
    colombia.regions.add(north)
    peru.regions.add(andean)

    police = {
        c.iso2: f.AgencyFactory(name="National Police", country=c, acronym="PN") for c in (peru, russia, colombia)
    }
    unodc = f.AgencyFactory(name="UNODC", kind="intergovernmental", country=None)
    police[None] = f.AgencyFactory(name="National Police", country=None, kind="intergovernmental")
    f.AgencyFactory(name="Anti-drug unit", parent=police["PE"], country=peru, kind="police")
    petrov = [f.OfficialFactory(name="Ivan Petrov", country=c) for c in (russia, peru)]
    f.PostFactory(official=petrov[0], agency=police["RU"], title="Director", start="before 2016", end="")
    f.PostFactory(official=petrov[1], agency=unodc, title="Director", start="c. 2013", end="late 2015")
    f.PostFactory(official=petrov[0], agency=unodc, title="Adviser", start="", end="")

    areas = list(m.CooperationArea.objects.order_by("pk")[:2])
    two_agencies = f.AgreementFactory(title="Police cooperation", signed="late 2012", start="2013", end="")
    two_agencies.areas.set(areas)
    for official in petrov:
        f.AgreementSignatoryFactory(agreement=two_agencies, official=official)
    f.AgreementPartyFactory(agreement=two_agencies, country=None, agency=police["PE"])
    f.AgreementPartyFactory(agreement=two_agencies, country=russia, agency=police["RU"])
    with_region = f.AgreementFactory(
        title="Police cooperation", kind="action_plan", status="announced", signed="", announced_by=petrov[0]
    )
    with_region.areas.set(areas[:1])
    f.AgreementPartyFactory(agreement=with_region, country=russia)
    f.AgreementPartyFactory(agreement=with_region, country=None, region=andean)
    f.AgreementFactory(title="Plan without parties", signed="", announced="2011")
    international = f.AgreementFactory(title="Plan with UNODC", signed="2014-03")
    f.AgreementPartyFactory(agreement=international, country=None, agency=unodc)
    f.AgreementPartyFactory(agreement=international, country=colombia, role="beneficiary")

    drugs = list(m.Drug.objects.order_by("pk")[:2])
    operation = f.OperationFactory(name="Joint operation", start="spring 2013", end="2013-06", legal_basis=two_agencies)
    f.OperationParticipantFactory(operation=operation, country=None, agency=police["CO"])
    f.OperationParticipantFactory(operation=operation, country=peru)
    f.OperationOutcomeFactory(operation=operation, drug=drugs[0])
    f.OperationOutcomeFactory(operation=f.OperationFactory(name="Joint operation", start=""), drug=drugs[1])

    topics = list(m.TrainingTopic.objects.order_by("pk")[:2])
    centre = f.TrainingCentreFactory(
        host_country=nicaragua, sponsor_country=russia, operator=police["RU"], expected_countries=7
    )
    centre.topics.set(topics)
    f.CentreMilestoneFactory(centre=centre, kind="foundation_stone", date="2011")
    f.CentreMilestoneFactory(centre=centre, kind="opened", date="2012-05")
    planned = f.TrainingCentreFactory(
        host_country=peru,
        status="planned",
        expected_countries=3,
        expected_countries_high=5,
        expected_countries_qualifier="between",
    )
    f.CentreMilestoneFactory(centre=planned, kind="announced", date="after 2015")
    f.CentreMilestoneFactory(centre=planned, kind="planned", date="")
    course = f.TrainingCourseFactory(
        title="Course",
        centre=centre,
        provider=police["RU"],
        start="2013",
        end="",
        total_trained=300,
        total_trained_qualifier="more_than",
    )
    f.CourseMilestoneFactory(course=course, kind="started", date="early 2013")
    later = f.TrainingCourseFactory(title="Course", total_trained=35, total_trained_qualifier="about", session=3)
    f.CourseMilestoneFactory(course=later, kind="postponed", date="2013?")
    f.CourseMilestoneFactory(course=later, kind="held", date="2014")
    f.TrainingCourseFactory(title="Course", status="planned", session=4, start="next year", start_edtf="2015", end="")
    course.topics.set(topics[:1])
    f.CourseParticipantFactory(course=course, country=colombia, agency=police["CO"])
    f.CourseParticipantFactory(course=course, country=peru)
    f.CourseParticipantFactory(course=f.TrainingCourseFactory(title="Course", centre=centre), country=nigeria)

    statement = f.EventFactory(title="Statement", kind="statement", country=russia, date="2013")
    statement.countries_concerned.set([peru])
    statement.officials.set(petrov)
    statement.agencies.set([police["RU"], police[None]])
    f.EventFactory(title="Tour", country=None, region=partners, date="")

    route = f.TraffickingRouteFactory(
        name="Cocaine route", drug=drugs[0], identified_by=unodc, first_reported="2012", concealment="In fruit crates"
    )
    bogota = m.Place.objects.get(geonames_id=3688689)
    f.RouteNodeFactory(route=route, position=1, country=colombia, place=bogota, role="origin")
    f.RouteNodeFactory(route=route, position=2, country=None, region=north, role="transit")
    f.RouteNodeFactory(route=route, position=3, country=russia, role="destination")
    other = f.TraffickingRouteFactory(name="Cocaine route", drug=drugs[1], status="suspected", transport_mode="air")
    f.RouteNodeFactory(route=other, position=1, country=peru, role="departure")

    # Places: the gazetteer's, and two of the analysts' with one name in one country (San José, Costa Rica).
    place = m.Place.objects.get
    costa_rica = country("CR")
    san_jose = [
        f.PlaceFactory(name="San José", country=costa_rica, latitude=9.93, longitude=-84.08),
        f.PlaceFactory(name="San José", country=costa_rica),
    ]
    for record, where in (
        (two_agencies, place(geonames_id=3936456)),  # signed in Lima
        (operation, place(geonames_id=3946083)),  # in the port of Callao
        (centre, place(geonames_id=3617763)),  # Managua
        (course, san_jose[0]),
        (statement, place(geonames_id=524901)),  # Moscow
    ):
        record.place = where
        record.save()
    f.TrainingCourseFactory(title="Course", place=san_jose[1])

    f.AssessmentFactory(
        subject_country=None, subject_region=andean, assessed_by_agency=police["RU"], market=region("151"), as_of="2014"
    )
    f.AssessmentFactory(
        subject_country=peru,
        assessed_by_agency=None,
        assessed_by_official=petrov[0],
        role="transit_point",
        trend=m.Trend.values[0],
    )

    # What agreements cover and events concern (issue 14, patterns 5 and 6): the drugs named, signatories as an
    # official in a post, an agency, or both; links between agreements; statements with stances, concerning
    # each kind of record, spoken from a post.
    two_agencies.drugs.set(drugs[:1])
    international.drugs.set(drugs)
    director = m.Post.objects.get(official=petrov[0], agency=police["RU"])
    f.AgreementSignatoryFactory(agreement=with_region, official=petrov[0], post=director)
    f.AgreementSignatoryFactory(agreement=international, official=None, agency=unodc)
    f.AgreementSignatoryFactory(agreement=international, official=petrov[1], agency=unodc)
    f.AgreementLinkFactory(agreement=with_region, kind="implements", target=two_agencies)
    f.AgreementLinkFactory(agreement=international, kind="amends", target=two_agencies)
    f.AgreementLinkFactory(agreement=international, kind="supersedes", target=with_region)
    f.AgreementLinkFactory(agreement=international, kind="renews", target=with_region)
    statement.kind, statement.stance, statement.speaker_post = "statement", "criticised", director
    statement.save()
    welcome = f.EventFactory(title="Statement", kind="statement", stance="welcomed", country=peru, date="2014")
    welcome.speaker_post = m.Post.objects.get(official=petrov[1])
    welcome.save()
    concerned = {
        "agreement": two_agencies,
        "training_centre": centre,
        "training_course": course,
        "operation": operation,
        "other_event": statement,
        "trafficking_route": route,
        "assessment": m.Assessment.objects.order_by("pk").first(),
    }
    for name, record in concerned.items():
        f.EventConcernFactory(event=welcome, **{"agreement": None, name: record})
    f.EventConcernFactory(event=statement, agreement=with_region)

    source = f.SourceFactory(title="Report", publisher=unodc, published="2014", language="es")
    f.SourceFactory(title="Report", url="https://www.example.org/report/", kind="news_article")
    f.CitationFactory(record=statement, source=source, quote="Officials from both countries")


@pytest.fixture(scope="module")
def dataset(django_db_setup, django_db_blocker) -> Iterator[None]:
    with data_for_the_module(django_db_blocker):
        build()
        yield


# --- Values for a filter, by its type ---------------------------------------------------------------------
def key(record) -> str:
    return natural_key(type(record)).key(record)


def related_records(model, spec) -> list:
    """The records a relation filter points to that some record of ``model`` reaches: through the filter's paths,
    or, for a filter written as a method (a route's origin), through the resource's places for countries, else a
    few of its kind."""
    related = spec.extra["model"]
    paths = getattr(spec, "paths", None) or ([spec.field_name] if not spec.method else [])
    places = next(resource.places for resource in RESOURCES.values() if resource.model is model)
    if not paths and related is m.Country and places is not None:
        paths = places.countries
    if not paths:
        return list(related._default_manager.order_by("pk")[:PER_FILTER])
    return reached(model, paths, related)


def reached(model, paths, related) -> list:
    """The ``related`` records that some record of ``model`` reaches through any of ``paths``."""
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(pk__in=model._default_manager.values(path))
    return list(related._default_manager.filter(condition).order_by("pk"))


def known_days(model) -> list[dt.date]:
    """Every known bound of the dates that ``date_from`` and ``date_to`` apply to, in order."""
    dates = [date for pair in fs_class(model).dates for date in (pair if isinstance(pair, tuple) else [pair])]
    bounds = [f"{date}_{bound}" for date in dates for bound in ("earliest", "latest")]
    days = sorted({day for row in model._default_manager.values_list(*bounds) for day in row if day})
    assert days, f"no {model.__name__} with a known date: the data cannot try its date filters"
    return days


def a_word(text: str) -> str:
    words = [word for word in text.split() if len(word) > 3] or [text]
    return words[0]


def field_values(model, name: str) -> list[str]:
    values = model._default_manager.exclude(**{name: ""}).order_by("pk").values_list(name, flat=True)
    return [str(value) for value in values.distinct()[:PER_FILTER] if value is not None]


def values_of(model, name: str, spec) -> list[dict[str, str]]:
    """Query parameters that try the filter ``name`` with values taken from the data."""
    if isinstance(spec, fs.AllOfFilter):
        of = name.removesuffix("__all")
        each = [params[of] for params in values_of(model, of, spec.of)]
        return [{name: each[0]}, {name: ",".join(each[:2])}]
    if isinstance(spec, fs.MilestoneGroup) and not isinstance(spec, fs.ChoiceFilter):
        milestones = model._meta.get_field("milestones").related_model._default_manager
        days = sorted({day for row in milestones.values_list("date_earliest", "date_latest") for day in row if day})
        if isinstance(spec, fs.DateMatchFilter):
            return [{name: mode, "milestone_from": str(days[0].year)} for mode, _ in spec.extra["choices"]]
        middle = days[len(days) // 2]
        return [{name: str(middle.year)}, {name: middle.strftime("%Y-%m")}, {name: f"late {middle.year}"}]
    if isinstance(spec, fs.NumberFilter):
        numbers = sorted(
            set(
                model._default_manager.exclude(**{f"{spec.field_name}__isnull": True}).values_list(
                    spec.field_name, flat=True
                )
            )
        )
        return [{name: str(number)} for number in numbers[:PER_FILTER]]
    if isinstance(spec, fs.DateMatchFilter):
        first = known_days(model)[0]
        return [{name: mode, "date_from": str(first.year)} for mode, _ in spec.extra["choices"]]
    if isinstance(spec, fs.DateFilter):
        days = known_days(model)
        middle = days[len(days) // 2]
        return [{name: str(middle.year)}, {name: middle.strftime("%Y-%m")}, {name: f"late {middle.year}"}]
    if isinstance(spec, fs.ChangedSinceFilter):
        times = sorted(model._default_manager.values_list("updated_at", flat=True))
        return [{name: times[len(times) // 2].isoformat()}, {name: (times[-1] + dt.timedelta(days=1)).isoformat()}]
    if isinstance(spec, fs.SearchFilter):
        path = spec.search_fields[0]
        texts = [text for text in model._default_manager.order_by("pk").values_list(path, flat=True) if text]
        return [{name: a_word(texts[0])}, {name: f"{a_word(texts[-1]).upper()} {a_word(texts[0])}"}]
    if isinstance(spec, fs.ChoiceFilter) and spec.method:  # a rule, not a column (a place's origin): each choice
        codes = [code for code, _ in spec.extra["choices"]]
        return [{name: code} for code in codes[:PER_FILTER]] + [{name: ",".join(codes[:PER_FILTER])}]
    if isinstance(spec, fs.ChoiceFilter):
        paths = spec.paths or [spec.field_name]
        used = {code for path in paths for code in model._default_manager.values_list(path, flat=True).distinct()}
        codes = [code for code, _ in spec.extra["choices"] if code in used] or [spec.extra["choices"][0][0]]
        return [{name: code} for code in codes[:PER_FILTER]] + [{name: ",".join(codes[:PER_FILTER])}]
    if isinstance(spec, fs.RegionFilter):
        return [{name: key(record)} for record in data_regions()]
    if isinstance(spec, fs.CountryFilter):
        found = reached(model, spec.places.countries, m.Country)
        # All of them, or six (a query each) where there are more: the gazetteer's places are in 150 countries.
        return [{name: record.iso3} for record in found[:PER_FILTER]] + [{name: ",".join(key(r) for r in found[:6])}]
    if isinstance(spec, fs.KeyFilter):
        # A filter written as a method (a route's origin) matches only some of the records reached: try them all.
        found = related_records(model, spec)[: None if spec.method else PER_FILTER]
        if spec.extra["model"] in (m.Country, m.Region):
            return [{name: key(record)} for record in found]
        return [{name: str(record.pk)} for record in found] + [{name: key(record)} for record in found]
    if isinstance(spec, fs.QuantityFilter):
        # A bound some record has, and one between two: "at least 301" finds "more than 300" and nothing less.
        column = spec.quantity.min if spec.bound == "min" else spec.quantity.max
        bounds = sorted({b for b in model._default_manager.values_list(column, flat=True) if b is not None})
        return [{name: str(bound)} for bound in bounds[:PER_FILTER]] + [{name: str(bounds[0] + 1)}]
    if isinstance(spec, fs.IdFilter):
        values = model._default_manager.exclude(**{f"{spec.field_name}__isnull": True}).order_by("pk")
        ids = [str(pk) for pk in values.values_list(spec.field_name, flat=True)]
        return [{name: ids[0]}, {name: ",".join(ids[-PER_FILTER:])}]
    if isinstance(spec, django_filters.CharFilter):
        field = spec.field_name if not spec.method else name
        values = field_values(model, field)
        if spec.lookup_expr == "icontains":
            return [{name: (value[1:-1] if len(value) > 3 else value).swapcase()} for value in values]
        if spec.lookup_expr == "istartswith":
            return [{name: value[:3].swapcase()} for value in values]
        return [{name: value} for value in values]
    raise AssertionError(f"{model.__name__}.{name}: no values for a {type(spec).__name__}; teach values_of() its type")


def data_regions() -> list[m.Region]:
    """Regions of every kind the data use: groupings with a sub-grouping or under an M49 region, and M49 ones."""
    named = {
        r.name: r
        for r in m.Region.objects.filter(name__in=["Andean zone", "Andean north", "Partners of Latin America"])
    }
    return [
        region("419"),
        named["Andean zone"],
        named["Partners of Latin America"],
        named["Andean north"],
        region("151"),
    ]


def fs_class(model):
    return next(resource.filterset_class for resource in RESOURCES.values() if resource.model is model)


# --- The three places a filter is used -------------------------------------------------------------------
def api_list(client, resource: str, params: dict) -> tuple[set[int], int]:
    """The ids the API lists (following its pages: the gazetteer's places fill more than one), and the queries
    its first page took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/v1/{resource}/", {**params, "limit": 1000})
    assert response.status_code == 200, (resource, params, response.content)
    count = len(queries)  # now: Django's query log is a ring of 9,000, which the next pages may wrap
    ids = {row["id"] for row in response.json()["results"]}
    while response.json()["next"] is not None:
        response = client.get(response.json()["next"])
        assert response.status_code == 200, (resource, params, response.content)
        ids |= {row["id"] for row in response.json()["results"]}
    return ids, count


def export_ids(client, resource: str, params: dict) -> set[int]:
    response = client.get(f"/api/v1/{resource}/", {**params, "format": "csv"})
    assert response.status_code == 200, (resource, params, response.content)
    return {int(row["id"]) for row in rows(b"".join(response.streaming_content).decode())}


def admin_changelist(client, model, params: dict):
    response = client.get(admin_url(model, "changelist"), params)
    assert response.status_code == 200, (model.__name__, params, response)
    assert not [str(message) for message in response.context["messages"]], (model.__name__, params)
    return response.context["cl"]


def offered(model) -> set[str]:
    """The parameters of the admin sidebar's filters (shown when some record has a value for them)."""
    if model not in admin.site._registry:
        return set()
    request = RequestFactory().get("/")
    request.user = get_user_model()(is_superuser=True, is_staff=True)
    names = set()
    for item in admin.site._registry[model].get_list_filter(request):
        if isinstance(item, type) and issubclass(item, DatesFilter):  # the milestones' dates, too
            names |= {item.from_param, item.to_param, item.match_param}
        elif isinstance(item, type) and issubclass(item, admin.SimpleListFilter):
            names.add(item.parameter_name)
    return names


@pytest.mark.parametrize("resource", list(RESOURCES))
def test_every_filter_answers_and_means_the_same_in_the_api_the_export_and_the_admin(
    resource, dataset, admin_client, db
):
    filterset_class = RESOURCES[resource].filterset_class
    model = RESOURCES[resource].model
    in_admin = offered(model)
    differences, found_something, costly = [], set(), []
    _, unfiltered = api_list(admin_client, resource, {})
    for name, spec in filterset_class.base_filters.items():
        tried = values_of(model, name, spec)
        assert tried, f"{resource}: no data to try {name}"
        for params in tried:
            listed, queries = api_list(admin_client, resource, params)
            if queries > unfiltered + FILTER_QUERIES:
                costly.append((params, queries))
            exported = export_ids(admin_client, resource, params)
            shown = listed
            if set(params) <= in_admin:
                shown = set(admin_changelist(admin_client, model, params).queryset.values_list("pk", flat=True))
            if not listed == exported == shown:
                differences.append((params, {"api": listed, "csv": exported, "admin": shown}))
            if listed:
                found_something.add(name)
    assert not differences, differences
    assert not costly, f"{resource}: the unfiltered list takes {unfiltered} queries; these take more: {costly}"
    # Each filter found some record with some value, so the comparison saw it work, not only agree on nothing.
    assert set(filterset_class.base_filters) - found_something <= {"updated_since"}, (
        resource,
        set(filterset_class.base_filters) - found_something,
    )


@pytest.mark.parametrize("resource", list(RESOURCES))
def test_the_admin_offers_the_filters_analysts_use_with_the_apis_parameters(resource, dataset, admin_client, db):
    filterset_class = RESOURCES[resource].filterset_class
    declared = filterset_class.base_filters
    wanted = {name for name, spec in declared.items() if isinstance(spec, fs.ChoiceFilter)}
    wanted |= {name for name in ("country", "region", "date_from", "date_to", "date_match") if name in declared}

    assert wanted <= offered(filterset_class._meta.model)


#: Parts with a country and a region in the admin, and the field naming their record.
PARTS = {
    m.AgreementParty: "agreement",
    m.OperationParticipant: "operation",
    m.CourseParticipant: "course",
    m.RouteNode: "route",
}


@pytest.mark.parametrize("part", list(PARTS), ids=lambda model: model.__name__)
def test_a_parts_country_and_region_are_its_records(part, dataset, admin_client, db):
    """The parties listed for Peru or South America are those by which the API finds the agreement there (a
    party given as an agency counts for the agency's country), and so for every kind of part. The API also finds
    a record through its place (a course in San José is in Costa Rica), which is none of its parts."""
    record = part._meta.get_field(PARTS[part]).related_model
    resource = next(name for name, declared in RESOURCES.items() if declared.model is record)
    filterset_class = RESOURCES[resource].filterset_class
    for name in ("country", "region"):
        for params in values_of(record, name, filterset_class.base_filters[name]):
            parts = admin_changelist(admin_client, part, params).queryset
            listed, _ = api_list(admin_client, resource, params)
            through_parts = set(parts.values_list(PARTS[part], flat=True))
            assert through_parts <= listed, (part.__name__, params)
            through_place = record._default_manager.filter(pk__in=listed - through_parts)
            assert all(getattr(r, "place_id", None) for r in through_place), (part.__name__, params)
