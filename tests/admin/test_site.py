"""Every model is in the admin: each changelist and add form renders, in queries that do not grow with rows.

The parametrisation runs over the admin site's registry, so a newly registered model is tested at once, and
fails until it has a row builder below.
"""

from itertools import cycle

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from knox.models import AuthToken

from cooperation import models as m
from cooperation.admin.base import CitationInline
from cooperation.jobs.models import Job
from cooperation.jobs.tasks import run_job
from cooperation.roles import data_models
from tests import factories as f

pytestmark = pytest.mark.django_db


def existing(model):
    return lambda n: list(model.objects.order_by("pk")[:n])


def batch(factory):
    return lambda n: factory.create_batch(n)


def citations(n):
    # Records of three kinds whose names are made of related records: a query per row would show here.
    kinds = cycle([f.PostFactory, f.AssessmentFactory, f.AgreementFactory])
    return [f.CitationFactory(record=next(kinds)(cited=False)) for _ in range(n)]


def agreements(n):
    rows = f.AgreementFactory.create_batch(n)
    for agreement in rows:
        f.AgreementPartyFactory(agreement=agreement)
        f.AgreementPartyFactory(agreement=agreement, country=None, agency=f.AgencyFactory(cited=False))
        agreement.areas.add(f.CooperationAreaFactory())
        f.AgreementSignatoryFactory(agreement=agreement)
        f.AgreementSignatoryFactory(agreement=agreement, official=None, agency=f.AgencyFactory(cited=False))
    return rows


def officials(n):
    return [f.PostFactory(cited=False).official for _ in range(n)]


def courses(n):
    return [f.CourseParticipantFactory().course for _ in range(n)]


def operations(n):
    rows = f.OperationFactory.create_batch(n)
    for operation in rows:
        f.OperationParticipantFactory(operation=operation)
        f.OperationParticipantFactory(operation=operation, country=None, agency=f.AgencyFactory(cited=False))
        f.OperationOutcomeFactory(operation=operation)
    return rows


def events(n):
    rows = f.EventFactory.create_batch(n, speaker_post=f.PostFactory(cited=False))
    for event in rows:
        event.officials.add(f.OfficialFactory(cited=False))
        f.EventConcernFactory(event=event)
    return rows


def signatories(n):
    # An official with the post held then, an agency alone, an official for an agency, by turns.
    kinds = cycle(["post", "agency", "both"])
    rows = []
    for _ in range(n):
        kind, post = next(kinds), f.PostFactory(cited=False)
        official = None if kind == "agency" else post.official
        agency = None if kind == "post" else post.agency
        rows.append(
            f.AgreementSignatoryFactory(official=official, post=post if kind == "post" else None, agency=agency)
        )
    return rows


def concerns(n):
    # Each kind of record an event may concern, by turns.
    makers = cycle(
        [
            ("agreement", f.AgreementFactory),
            ("training_centre", f.TrainingCentreFactory),
            ("operation", f.OperationFactory),
            ("other_event", f.EventFactory),
            ("assessment", f.AssessmentFactory),
            ("trafficking_route", f.TraffickingRouteFactory),
            ("training_course", f.TrainingCourseFactory),
        ]
    )
    rows = []
    for _ in range(n):
        name, make = next(makers)
        rows.append(f.EventConcernFactory(**{"agreement": None, name: make(cited=False)}))
    return rows


def routes(n):
    rows = f.TraffickingRouteFactory.create_batch(n)
    for route in rows:
        f.RouteNodeFactory(route=route, position=1)
        f.RouteNodeFactory(route=route, position=2, country=None, region=m.Region.objects.first())
    return rows


def regions(n):
    rows = f.RegionFactory.create_batch(n, parent=m.Region.objects.get(m49_code="419"))
    for region in rows:
        region.countries.add(*m.Country.objects.all()[:2])
    return rows


# How to make n rows of each registered model, shown together on one changelist page; with their parts, so
# that every column has something to show.
ROW_BUILDERS = {
    m.Region: regions,
    m.Country: existing(m.Country),  # all ISO countries are there already
    m.Place: batch(f.PlaceFactory),  # analysts' places, besides the gazetteer's
    m.Agency: batch(f.AgencyFactory),
    m.Official: officials,
    m.Post: batch(f.PostFactory),
    m.CooperationArea: batch(f.CooperationAreaFactory),
    m.Agreement: agreements,
    m.AgreementParty: batch(f.AgreementPartyFactory),
    m.AgreementSignatory: signatories,
    m.AgreementLink: batch(f.AgreementLinkFactory),
    m.TrainingTopic: batch(f.TrainingTopicFactory),
    m.TrainingCentre: batch(f.TrainingCentreFactory),
    m.TrainingCourse: courses,
    m.CourseParticipant: batch(f.CourseParticipantFactory),
    m.CentreMilestone: batch(f.CentreMilestoneFactory),
    m.CourseMilestone: batch(f.CourseMilestoneFactory),
    m.Operation: operations,
    m.OperationParticipant: batch(f.OperationParticipantFactory),
    m.OperationOutcome: batch(f.OperationOutcomeFactory),
    m.Event: events,
    m.EventConcern: concerns,
    m.Drug: batch(f.DrugFactory),
    m.TraffickingRoute: routes,
    m.RouteNode: batch(f.RouteNodeFactory),
    m.Assessment: batch(f.AssessmentFactory),
    m.Source: batch(f.SourceFactory),
    m.Citation: citations,
    get_user_model(): lambda n: [get_user_model().objects.create_user(f"user{i}") for i in range(n)],
    Group: lambda n: [Group.objects.create(name=f"group {i}") for i in range(n)],
    m.Deletion: lambda n: [
        m.Deletion.objects.create(
            content_type=ContentType.objects.get_for_model(m.Agreement), record_id=i, display=f"Pact {i}"
        )
        for i in range(n)
    ],
    AuthToken: lambda n: [
        AuthToken.objects.create(get_user_model().objects.create_user(f"api{i}"))[0] for i in range(n)
    ],
    # django-axes' records of logins (failed attempts, lockouts), for administrators to inspect and clear.
    AccessAttempt: lambda n: [
        AccessAttempt.objects.create(username=f"user{i}", ip_address=f"192.0.2.{i}", failures_since_start=3)
        for i in range(n)
    ],
    AccessLog: lambda n: [AccessLog.objects.create(username=f"user{i}", ip_address=f"192.0.2.{i}") for i in range(n)],
    AccessFailureLog: lambda n: [
        AccessFailureLog.objects.create(username=f"user{i}", ip_address=f"192.0.2.{i}", locked_out=i == 0)
        for i in range(n)
    ],
    # Background jobs and the tasks that run them (django-tasks-db's own admin), read only.
    Job: lambda n: [
        Job.objects.create(resource="drugs", user=get_user_model().objects.create_user(f"importer{i}"))
        for i in range(n)
    ],
    DBTaskResult: lambda n: [DBTaskResult.objects.get(id=run_job.enqueue(f"job {i}").id) for i in range(n)],
}

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def changelist_queries(client, model, rows) -> int:
    """Queries to show exactly these rows on the changelist (they are picked by id, as a URL may)."""
    ids = ",".join(str(row.pk) for row in rows)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(model, "changelist"), {f"{model._meta.pk.name}__in": ids})
    assert response.status_code == 200
    assert sorted(row.pk for row in response.context["cl"].result_list) == sorted(row.pk for row in rows)
    return len(queries)


def test_every_data_model_is_registered():
    assert set(data_models()) <= set(admin.site._registry)
    assert not [model for model in admin.site._registry if model.__name__.startswith("Historical")]


def test_every_fact_bearing_record_takes_its_citations_inline(rf, admin_user):
    request = rf.get("/")
    request.user = admin_user
    for model in data_models():
        inlines = admin.site._registry[model].get_inlines(request, None)
        assert (CitationInline in inlines) == issubclass(model, m.CitedModel), model._meta.label


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_changelist_renders_in_queries_that_do_not_grow_with_rows(admin_client, model):
    build = ROW_BUILDERS.get(model)
    assert build, f"add a row builder for {model._meta.label} to ROW_BUILDERS"
    rows = build(20)
    changelist_queries(admin_client, model, rows[:3])  # warms caches (content types) that later pages reuse

    with_3_rows = changelist_queries(admin_client, model, rows[:3])
    with_20_rows = changelist_queries(admin_client, model, rows)

    assert with_20_rows == with_3_rows


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_add_form_renders(admin_client, rf, admin_user, model):
    request = rf.get("/")
    request.user = admin_user
    response = admin_client.get(url(model, "add"))
    if not admin.site._registry[model].has_add_permission(request):
        assert response.status_code == 403  # written by the app only (tombstones)
        return
    assert response.status_code == 200
    assert response.context["adminform"].form.fields


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_changelist_renders_with_filter_counts_shown(admin_client, model):
    ROW_BUILDERS[model](2)
    response = admin_client.get(url(model, "changelist"), {"_facets": "1"})
    assert response.status_code == 200
