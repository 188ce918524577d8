"""Agreements are entered with their parties: a party row is checked against the others before anything is saved."""

import pytest

from cooperation.models import Agreement, AgreementParty, Country
from tests.factories import AgreementFactory, AgreementPartyFactory, SourceFactory

from .formdata import CITATIONS, admin_url, inline_formset, post_form

pytestmark = pytest.mark.django_db


def test_the_same_country_twice_in_one_role_is_an_error_on_the_row_not_a_server_error(admin_client):
    source = SourceFactory(text="Russia signed twice.")
    peru = Country.objects.get(iso2="PE")
    typed = {
        "title": "Memorandum",
        "kind": "memorandum_of_understanding",
        "status": "signed",
        "parties-0-country": peru.pk,
        "parties-1-country": peru.pk,
        f"{CITATIONS}-0-source": source.pk,
        f"{CITATIONS}-0-quote": "Russia signed twice.",
    }
    response = post_form(admin_client, admin_url(Agreement, "add"), typed)

    assert response.status_code == 200
    assert inline_formset(response, "parties").forms[1].non_field_errors() == [
        "This country is already a party in this role."
    ]
    assert not Agreement.objects.exists()


def test_the_same_country_may_be_a_party_in_two_roles(admin_client):
    agreement = AgreementFactory()
    peru = Country.objects.get(iso2="PE")
    AgreementPartyFactory(agreement=agreement, country=peru, role="party")
    response = post_form(
        admin_client,
        admin_url(Agreement, "change", agreement.pk),
        {"parties-TOTAL_FORMS": "2", "parties-1-country": peru.pk, "parties-1-role": "host"},
    )

    assert response.status_code == 302
    assert sorted(agreement.parties.values_list("role", flat=True)) == ["host", "party"]


def test_the_changelist_lists_the_parties_of_each_agreement(admin_client):
    agreement = AgreementFactory(title="Russia and Peru")
    for code in ("RU", "PE"):
        AgreementPartyFactory(agreement=agreement, country=Country.objects.get(iso2=code))

    response = admin_client.get(admin_url(Agreement, "changelist"), {"q": "peru"})

    assert [a.title for a in response.context["cl"].result_list] == ["Russia and Peru"]
    assert "Russian Federation, Peru" in response.text
    assert AgreementParty.objects.count() == 2
