"""A country's dossier: the records that involve it as the API's ``country`` filter counts them, and the
countries it cooperates with, counted in SQL."""

import pytest

from cooperation import models as m
from tests import factories as f
from tests.explorer.conftest import queries_of

pytestmark = pytest.mark.django_db


def test_a_dossier_lists_what_involves_the_country_and_links_to_all_of_it(client, db):
    peru = m.Country.objects.get(iso2="PE")
    police = f.AgencyFactory(name="Peruvian police", country=peru, cited=False)
    pacts = f.AgreementFactory.create_batch(12)
    for pact in pacts:
        f.AgreementPartyFactory(agreement=pact, country=None, agency=police)  # Peru only through its agency
    body = client.get("/countries/PE/").content.decode()
    assert '<h2 id="involved-agreements">Agreements (12)</h2>' in body
    assert 'href="/agreements/?country=PE">All 12 agreements</a>' in body
    listed = client.get("/agreements/?country=PE").content.decode()
    assert all(f'href="/agreements/{pact.pk}/"' in listed for pact in pacts)
    assert f'href="/agencies/{police.pk}/">Peruvian police</a>' in body


def test_partners_are_counted_by_kind_agencies_standing_for_their_country(client, db):
    peru, chile, bolivia = (m.Country.objects.get(iso2=code) for code in ("PE", "CL", "BO"))
    chilean_navy = f.AgencyFactory(name="Armada", country=chile, cited=False)
    for _ in range(2):
        pact = f.AgreementFactory()
        f.AgreementPartyFactory(agreement=pact, country=peru)
        f.AgreementPartyFactory(agreement=pact, country=None, agency=chilean_navy)
    operation = f.OperationFactory()
    f.OperationParticipantFactory(operation=operation, country=peru)
    f.OperationParticipantFactory(operation=operation, country=bolivia)
    body = client.get("/countries/PE/").content.decode()
    partners = body.split('id="partners"')[1].split("</table>")[0]
    assert f'<a href="/countries/{chile.pk}/">Chile</a></td><td>2</td><td>0</td><td>0</td>' in partners
    assert f'<a href="/countries/{bolivia.pk}/">Bolivia' in partners
    assert ">Peru<" not in partners


def test_a_dossier_costs_the_same_with_more_records(client, seed):
    queries_of(client, "/countries/RU/")
    before = queries_of(client, "/countries/RU/")
    russia = m.Country.objects.get(iso2="RU")
    for _ in range(12):
        pact = f.AgreementFactory()
        f.AgreementPartyFactory(agreement=pact, country=russia)
        f.AgreementPartyFactory(agreement=pact, country=m.Country.objects.get(iso2="CU"))
        f.OfficialFactory(country=russia, cited=False)
    assert queries_of(client, "/countries/RU/") == before


def test_a_dossier_leaves_out_kinds_the_user_may_not_view(client, db, read_requires_login, user_who_may_view):
    client.force_login(user_who_may_view("country", "agreement"))
    body = client.get("/countries/PE/").content.decode()
    assert 'id="involved-agreements"' in body and 'id="involved-agencies"' not in body
