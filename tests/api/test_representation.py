"""The list pages' read path (cooperation/api/representation.py) answers every list URL of every resource with
the same bytes as the serializers (``API_FAST_LISTS`` off), in a constant number of queries.

One small data set for the whole module (the seed, a synthetic data set of 30 agreements and records the
generator does not make), built once: the comparisons only read."""

import decimal
import io
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cooperation import models as m
from cooperation.api import representation
from cooperation.api.serializers import serializer_for
from cooperation.filtering.filtersets import _related_model
from cooperation.natural_keys import natural_key
from cooperation.resources import RESOURCES
from tests import factories as f
from tests.conftest import SEED_FIXTURE, data_for_the_module


def unlike_the_seed() -> None:
    """Records the seed and the generator do not make: agencies as parties and signatories, duplicate names,
    vague dates, aliases, quantities of every qualifier, a record with nothing in its parts."""
    peru, colombia = m.Country.objects.get(iso2="PE"), m.Country.objects.get(iso2="CO")
    police = f.named_agency("Policía Nacional", "PE", acronym="PNP", other_names="National Police")
    twin_a = f.OfficialFactory(name="Ana Duplicada", country=peru, other_names="A. D.")
    twin_b = f.OfficialFactory(name="Ana Duplicada", country=colombia)
    vague = f.AgreementFactory(title="Vague", signed="c. 2012", start="autumn 2013", end="after October 2014")
    f.AgreementPartyFactory(agreement=vague, country=None, agency=police, role=m.PartyRole.PARTY)
    f.AgreementPartyFactory(agreement=vague, country=colombia, note="as written: “Colombia”")
    f.AgreementSignatoryFactory(agreement=vague, official=twin_a, agency=police)
    f.AgreementSignatoryFactory(agreement=vague, official=twin_b)
    vague.areas.set(m.CooperationArea.objects.all()[:2])
    f.AgreementFactory(title="Vague", signed=None, status=m.AgreementStatus.NEGOTIATING)  # a duplicate title
    event = f.EventFactory(title="Visit of two Anas", date="2012?")
    event.officials.set([twin_b, twin_a])
    event.agencies.set([police])
    course = f.TrainingCourseFactory(total_trained=30, total_trained_qualifier="between", total_trained_high=40)
    f.CourseParticipantFactory(course=course, country=None, agency=police, trainees=5, trainees_qualifier="more_than")
    f.TrainingCourseFactory(total_trained=300, total_trained_qualifier="about")
    f.OperationOutcomeFactory(quantity=None, quantity_qualifier="", unit="")
    f.OperationOutcomeFactory(quantity=decimal.Decimal("12.5"))


@pytest.fixture(scope="module")
def data(django_db_setup, django_db_blocker):
    """Built once for the module, in a transaction rolled back at its end (the tests only read)."""
    with data_for_the_module(django_db_blocker):
        call_command("loaddata", str(SEED_FIXTURE), verbosity=0)
        call_command("generate_data", scale=30, verbosity=0, stdout=io.StringIO())
        unlike_the_seed()
        yield


@pytest.fixture
def db_access(data, db):
    return None


def filter_values(resource) -> dict[str, str]:
    """One value for each of the resource's relation and choice filters, and country and region."""
    model, values = resource.model, {}
    for name, paths in resource.relations.items():
        path = paths if isinstance(paths, str) else paths[0]
        value = model.objects.filter(**{f"{path}__isnull": False}).values_list(path, flat=True).order_by("pk").first()
        if value is not None:
            key = natural_key(_related_model(model, path))
            values[name] = key.key(key.model(pk=value)) if key.digits_are_keys else str(value)
    for name in resource.fields:
        model_field = next((x for x in model._meta.get_fields() if x.name == name), None)
        if getattr(model_field, "choices", None) and not model_field.is_relation:
            value = model.objects.values_list(name, flat=True).order_by("-pk").first()
            if value:
                values[name] = value
    if resource.places is not None:
        values.update(country="PE,CO", region="419")
    known = resource.filterset_class.base_filters
    return {name: value for name, value in values.items() if name in known}


def list_urls(resource) -> list[dict[str, str]]:
    """Whole, a short page, each ordering both ways, each filter, a search, a filter with an ordering."""
    asked = [{}, {"limit": "3"}, {"limit": "1000"}, {"count": "true", "limit": "5"}]
    asked += [{"ordering": o} for field in resource.ordering for o in (field, f"-{field}")]
    asked += [{"ordering": "-updated_at"}, {"ordering": "created_at", "limit": "4"}]
    filters = filter_values(resource)
    asked += [{name: value} for name, value in filters.items()]
    if resource.search:
        asked.append({"q": "a"})
    if filters:
        name, value = next(iter(filters.items()))
        asked.append({name: value, "ordering": "-id", "limit": "2"})
    return asked


def get(client, path, params, *, fast: bool, settings) -> bytes:
    settings.API_FAST_LISTS = fast
    response = client.get(path, params)
    assert response.status_code == 200, (path, params, response.content[:300])
    return response.content


@pytest.mark.usefixtures("db_access")
def test_every_resource_has_a_plan():
    plans = {name: representation.plan_for(serializer_for(resource)) for name, resource in RESOURCES.items()}
    missing = [name for name, plan in plans.items() if plan is None]
    assert not missing, f"listed through the serializers: {missing}"


@pytest.mark.usefixtures("db_access")
@pytest.mark.parametrize("name", list(RESOURCES))
def test_every_list_url_gives_the_serializers_bytes(client, settings, name):
    resource = RESOURCES[name]
    path = f"/api/v1/{name}/"
    compared = 0
    for params in list_urls(resource):
        fast = get(client, path, params, fast=True, settings=settings)
        assert fast == get(client, path, params, fast=False, settings=settings), params
        compared += fast.count(b'"api_url"')
        # The next page (the cursor of the last record) too.
        following = json.loads(fast)["next"]
        if following:
            fast_next = client.get(following)
            settings.API_FAST_LISTS = False
            assert fast_next.content == client.get(following).content, (params, "next page")
            settings.API_FAST_LISTS = True
    assert compared > 0, "the pages held records"


@pytest.mark.usefixtures("db_access")
def test_the_read_path_is_taken_and_its_queries_do_not_grow_with_the_page(client, settings):
    settings.API_FAST_LISTS = True
    taken = []
    original = representation.Plan.represent
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(representation.Plan, "represent", lambda self, *a: taken.append(self) or original(self, *a))
        counts = {}
        for limit in (2, 20, 200):
            with CaptureQueriesContext(connection) as queries:
                response = client.get("/api/v1/agreements/", {"limit": limit})
            assert response.status_code == 200
            counts[limit] = len(queries)
    assert taken, "the list went through the plan"
    assert len(set(counts.values())) == 1, counts
    # The page, then one query per many-valued relation: parties, signatories, links, areas, drugs, citations.
    assert counts[200] <= 1 + 6 + 1, counts  # (+1: the content type, the first time)
