"""Picking a record by typing its name: the best match comes first. "Rus" finds the Russian Federation before
Belarus, Brunei Darussalam and Cyprus (which contain the letters); an agency's acronym typed in full finds it
before agencies whose names happen to contain those letters; a word inside a name beats letters inside a word."""

import pytest

from cooperation import models as m
from tests import factories as f

pytestmark = pytest.mark.django_db


def autocomplete(client, model: str, field: str, term: str) -> list[str]:
    response = client.get(
        "/admin/autocomplete/", {"app_label": "cooperation", "model_name": model, "field_name": field, "term": term}
    )
    assert response.status_code == 200, response.content
    return [result["text"] for result in response.json()["results"]]


def test_a_country_that_begins_with_the_letters_comes_before_those_that_contain_them(editor_client):
    found = autocomplete(editor_client, "agreementparty", "country", "Rus")
    assert found[0] == "Russian Federation"
    assert {"Belarus", "Brunei Darussalam", "Cyprus"} <= set(found[1:])
    assert autocomplete(editor_client, "agreementparty", "country", "ru")[0] == "Russian Federation"  # its code


def test_an_agency_s_acronym_typed_in_full_finds_it_first(editor_client):
    peru, us = m.Country.objects.get(iso2="PE"), m.Country.objects.get(iso2="US")
    f.AgencyFactory(name="Agencia Ideal de Seguridad", country=peru)  # "dea" inside a word, sorted first by name
    f.AgencyFactory(name="Drug Enforcement Administration", acronym="DEA", country=us)
    f.AgencyFactory(name="Oficina Dea Norte", country=peru)  # a word of the name begins with it
    found = autocomplete(editor_client, "agreementparty", "agency", "dea")
    assert [text.split(" (")[0].split(" [")[0] for text in found][:3] == [
        "Drug Enforcement Administration",
        "Oficina Dea Norte",
        "Agencia Ideal de Seguridad",
    ], found
