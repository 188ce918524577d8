"""Places in the admin: analysts add places the gazetteer lacks, pick places by autocomplete (found by the
beginning of their name through an index, with or without accents and the country), and save records at them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cooperation import models as m
from tests import factories as f
from tests.admin.formdata import CITATIONS, admin_url, post_form

pytestmark = pytest.mark.django_db


def autocomplete(client, term: str, model: str = "operation") -> list[str]:
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "cooperation", "model_name": model, "field_name": "place", "term": term},
    )
    assert response.status_code == 200, response.content
    return [result["text"] for result in response.json()["results"]]


def test_an_analyst_adds_a_place_the_gazetteer_lacks(editor_client):
    response = post_form(
        editor_client,
        admin_url(m.Place, "add"),
        {
            "name": "San José",
            "country": m.Country.objects.get(iso2="CR").pk,
            "latitude": "9.93333",
            "longitude": "-84.08333",
            "other_names": "San Jose\nChepe",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    place = m.Place.objects.get(name="San José", country__iso2="CR")
    assert place.geonames_id is None and place.search_name == "san jose"
    assert place.history.earliest().history_user == editor_client.user


def test_coordinates_are_checked_in_the_admin(editor_client):
    response = post_form(
        editor_client,
        admin_url(m.Place, "add"),
        {"name": "Puerto Chico", "country": m.Country.objects.get(iso2="PE").pk, "latitude": "-95"},
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "latitude" in errors and "longitude" in errors  # out of range; and given alone
    assert not m.Place.objects.filter(name="Puerto Chico").exists()


def test_autocomplete_finds_places_by_the_beginning_of_their_name(editor_client):
    f.PlaceFactory(name="San José", country=m.Country.objects.get(iso2="CR"))
    assert autocomplete(editor_client, "callao") == ["Callao, PE"]
    assert "Bogotá, CO" in autocomplete(editor_client, "BOGOTA")  # case and accents aside
    # Two places named San Jos[eé], in Costa Rica and the United States, told apart by the country.
    assert sorted(autocomplete(editor_client, "san jose")) == ["San Jose, US", "San José, CR"]
    assert autocomplete(editor_client, "san jose, cr") == ["San José, CR"]
    assert autocomplete(editor_client, "San José [US]") == ["San Jose, US"]
    assert autocomplete(editor_client, "3936456") == ["Lima, PE"]  # a GeoNames id
    assert autocomplete(editor_client, "ima") == []  # the beginning of a name, not any part of it
    # The same search serves every record with a place.
    for model in ("agreement", "trainingcentre", "trainingcourse", "event"):
        assert autocomplete(editor_client, "callao", model) == ["Callao, PE"]


def test_autocomplete_takes_as_many_queries_for_one_place_as_for_a_page(editor_client):
    counts = {}
    for term in ("callao", "s"):  # one place; a page of twenty
        with CaptureQueriesContext(connection) as captured:
            found = autocomplete(editor_client, term)
        counts[term] = (len(found), len(captured))
    assert counts["callao"][0] == 1 and counts["s"][0] == 20
    assert counts["callao"][1] == counts["s"][1], counts


def test_the_search_by_name_uses_the_index():
    """The prefix search reads the index on search_name, not the whole table (34,000 places in production)."""
    queryset = m.Place.objects.named("bogo").order_by()
    sql, params = queryset.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # a small test table may be scanned anyway
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = " ".join(row[0] for row in cursor.fetchall())
            assert "search_name" in plan and "Index" in plan and "Seq Scan" not in plan, plan
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            assert "USING" in plan and "INDEX" in plan and "search_name" in plan, plan  # (COVERING) INDEX


def test_an_operation_is_saved_at_a_place_picked_in_the_admin(editor_client):
    operation = f.OperationFactory(name="Port operation")
    f.CitationFactory(record=operation)
    callao = m.Place.objects.get(geonames_id=3946083)
    url = admin_url(m.Operation, "change", operation.pk)
    response = post_form(editor_client, url, {"place": callao.pk, f"{CITATIONS}-TOTAL_FORMS": "1"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    operation.refresh_from_db()
    assert operation.place == callao


def test_a_centre_at_a_place_outside_its_host_country_is_refused_on_the_place(editor_client):
    centre = f.TrainingCentreFactory(host_country=m.Country.objects.get(iso2="CU"))
    f.CitationFactory(record=centre)
    santo_domingo = m.Place.objects.get(geonames_id=3492908)
    response = post_form(editor_client, admin_url(m.TrainingCentre, "change", centre.pk), {"place": santo_domingo.pk})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["place"] == [
        "Santo Domingo is in Dominican Republic, not in Cuba."
    ]


def test_the_place_list_shows_the_gazetteer_without_a_query_per_row(editor_client):
    with CaptureQueriesContext(connection) as few:
        few_rows = editor_client.get(admin_url(m.Place, "changelist"), {"country": "PE", "origin": "gazetteer"})
    with CaptureQueriesContext(connection) as many:
        response = editor_client.get(admin_url(m.Place, "changelist"))
    assert response.status_code == 200
    assert len(few_rows.context["cl"].result_list) < len(response.context["cl"].result_list) == 50  # a page
    assert len(many) <= len(few) + 1, (len(few), len(many))
