"""Every page of the explorer costs the same number of queries however many records there are and however
many parts, citations and related records each has: more data must never mean more queries."""

import pytest

from cooperation import models as m
from cooperation.explorer.pages import explorer_url
from cooperation.resources import RESOURCES
from tests import factories as f
from tests.admin.test_site import ROW_BUILDERS
from tests.explorer.conftest import queries_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("resource", RESOURCES.values(), ids=lambda resource: resource.name)
def test_a_list_page_costs_the_same_with_more_records(client, resource):
    build = ROW_BUILDERS[resource.model]
    build(3)
    url = f"/{resource.name}/"
    queries_of(client, url)  # warms the caches (content types) later pages reuse
    with_3 = queries_of(client, url)
    build(20)
    assert queries_of(client, url) == with_3


@pytest.mark.parametrize("resource", RESOURCES.values(), ids=lambda resource: resource.name)
def test_a_record_page_costs_the_same_for_every_record(client, resource):
    rows = ROW_BUILDERS[resource.model](4)
    queries_of(client, explorer_url(rows[0]))
    assert len({queries_of(client, explorer_url(row)) for row in rows}) == 1


def test_a_record_page_costs_the_same_with_more_parts_and_citations(client):
    agreement = f.AgreementFactory()
    url = explorer_url(agreement)
    queries_of(client, url)
    before = queries_of(client, url)
    for _ in range(3):
        f.AgreementPartyFactory(agreement=agreement, country=None, agency=f.AgencyFactory(cited=False))
        f.CitationFactory(record=agreement, supports="title parties")
        agreement.areas.add(f.CooperationAreaFactory())
    assert queries_of(client, url) == before


def test_home_and_search_cost_the_same_with_more_records(client):
    f.AgreementFactory(title="Memorandum on ports")
    queries_of(client, "/")
    home, search = queries_of(client, "/"), queries_of(client, "/search/?q=memorandum")
    f.AgreementFactory.create_batch(30, title="Memorandum on ports")
    f.PostFactory.create_batch(5)
    f.CitationFactory.create_batch(5, record=m.Agreement.objects.first())
    assert queries_of(client, "/") == home
    assert queries_of(client, "/search/?q=memorandum") == search
