"""One natural key per model: the key a record gives (``natural_key()``), the key an export selects in SQL, the
key the filters, the CSV import and ``loaddata`` read back, all name the same record, also where names are
shared or are digits that could be taken for an id."""

from __future__ import annotations

import json

import pytest
from django.apps import apps
from django.core import serializers
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from cooperation import models as m
from cooperation.models.base import NaturallyKeyed
from cooperation.natural_keys import NATURAL_KEYS, natural_key
from cooperation.natural_keys.machinery import UnknownKey
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def namesakes():
    """Records whose keys are easy to get wrong: two officials with one name in one country, agencies of one
    name in a country and in none, agreements and centres with one title or name, and names of digits only."""
    ru = m.Country.objects.get(iso2="RU")
    officials = [f.OfficialFactory(name="Ilya Vorontsov", country=ru) for _ in range(2)]
    f.OfficialFactory(name="Ilya Vorontsov", country=None)
    agencies = [f.AgencyFactory(name="Federal Narcotics Service", country=c) for c in (ru, None)]
    digits = f.AgencyFactory(name="1990", country=None)
    for _ in range(2):
        f.AgreementFactory(title="Protocol on joint training")
    f.AgreementFactory(title="2030")
    for _ in range(2):
        f.TrainingCentreFactory(name="Regional Canine Centre")
    f.DrugFactory(name="25")
    f.CooperationAreaFactory(code="7", name="Area seven")
    f.SourceFactory(url="")
    for official, agency in zip((*officials, officials[0]), (*agencies, digits), strict=True):
        f.PostFactory(official=official, agency=agency, title=f"Director of {agency.name}")
    return {"officials": officials, "agencies": [*agencies, digits]}


def test_every_model_with_a_natural_key_declares_it_in_one_place():
    keyed = {model for model in apps.get_models() if issubclass(model, NaturallyKeyed)}
    assert not set(NATURAL_KEYS) - keyed, f"Give these models NaturallyKeyed as a base: {set(NATURAL_KEYS) - keyed}"
    undeclared = keyed - set(NATURAL_KEYS)
    assert not undeclared, f"Declare these models' keys in cooperation/natural_keys/__init__.py: {undeclared}"


def test_a_record_s_key_the_export_s_key_and_the_key_read_back_are_one(namesakes):
    for model, key in NATURAL_KEYS.items():
        for pk, written in model._default_manager.values_list("pk", key.expression()).order_by("pk"):
            record = model._default_manager.get(pk=pk)
            assert record.natural_key() == (written,), (model, pk)
            assert key.resolve(written).pk == pk, (model, written)
            assert key.resolve_reference(written).pk == pk, (model, written)  # as filters and CSV cells read it
            assert model._default_manager.get_by_natural_key(written).pk == pk, (model, written)


def test_shared_names_and_names_of_digits_are_written_with_the_id(namesakes):
    first, second = namesakes["officials"]
    assert first.natural_key() == (f"Ilya Vorontsov [RU] #{first.pk}",)
    assert m.Official.objects.get(name="Ilya Vorontsov", country=None).natural_key() == ("Ilya Vorontsov",)
    assert namesakes["agencies"][1].natural_key() == ("Federal Narcotics Service",)
    digits = namesakes["agencies"][2]
    assert digits.natural_key() == (f"1990 #{digits.pk}",)  # "1990" alone is the agency with id 1990
    assert m.Region.objects.get(m49_code="419").natural_key() == ("419",)  # digits are an M49 code
    source = m.Source.objects.get(url="")
    assert source.natural_key() == (str(source.pk),)  # a source without a URL is written as its id


def test_a_key_through_a_relation_is_the_related_record_s_key(namesakes):
    written = natural_key(m.Official).expression("official")
    for post in m.Post.objects.values("official", official_key=written):
        assert (post["official_key"],) == m.Official.objects.get(pk=post["official"]).natural_key()


def test_the_filters_read_ids_and_keys_alike(namesakes, client):
    digits = namesakes["agencies"][2]
    for value in (str(digits.pk), f"1990 #{digits.pk}", f"#{digits.pk}"):
        response = client.get("/api/v1/posts/", {"agency": value})
        assert response.status_code == 200, response.content
        assert [row["agency"]["id"] for row in response.json()["results"]] == [digits.pk], value
    response = client.get("/api/v1/posts/", {"official": "Ilya Vorontsov [RU]"})
    assert response.status_code == 400 and "names several officials" in str(response.json())


def test_natural_foreign_keys_serialize_and_load_back(namesakes):
    """What ``loaddata`` reads (``country: [RU]`` in the seed) is what ``dumpdata --natural-foreign`` writes."""
    posts = list(m.Post.objects.order_by("pk"))
    dumped = serializers.serialize("json", posts, use_natural_foreign_keys=True)
    first = namesakes["officials"][0]
    assert f'"official": ["Ilya Vorontsov [RU] #{first.pk}"]' in dumped
    loaded = [(o.object.official_id, o.object.agency_id) for o in serializers.deserialize("json", dumped)]
    assert loaded == [(post.official_id, post.agency_id) for post in posts]


def test_an_unknown_or_ambiguous_natural_key_raises_what_django_expects(namesakes):
    with pytest.raises(m.Official.DoesNotExist, match="No official 'Nobody'"):
        m.Official.objects.get_by_natural_key("Nobody")
    with pytest.raises(m.Official.MultipleObjectsReturned, match="names several officials"):
        m.Official.objects.get_by_natural_key("Ilya Vorontsov [RU]")


def test_a_csv_export_naming_records_by_digits_imports_back_unchanged(namesakes, editor):
    editor_client = APIClient()
    editor_client.force_authenticate(editor)
    digits = namesakes["agencies"][2]
    response = editor_client.get("/api/v1/posts/", {"format": "csv"})
    exported = b"".join(response.streaming_content).decode()
    assert f"1990 #{digits.pk}," in exported
    response = editor_client.generic("POST", "/api/v1/posts/import/", exported.encode(), content_type="text/csv")
    assert response.status_code == 200, response.content
    assert response.json()["errors"] == [] and response.json()["created"] == response.json()["updated"] == 0


def test_a_place_is_found_by_a_whole_line_of_its_other_names_in_any_case(db):
    peru = m.Country.objects.get(iso2="PE")
    port = m.Place.objects.create(name="Puerto Chicama", country=peru, other_names="Malabrigo\r\nPuerto Malabrigo")
    key = natural_key(m.Place)
    assert key.resolve("puerto malabrigo") == port
    assert key.resolve("MALABRIGO [PE]") == port
    with pytest.raises(UnknownKey):  # a part of a line is not a name
        key.resolve("Puerto Mala")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no GIN index: it reads the places")
def test_a_place_name_that_matches_nothing_is_looked_up_by_index_among_the_gazetteer_s_places(db):
    """Every look-up of a name that names no place reads the index, not each of the ~34,000 places (it read every
    row three times: 130 ms per unknown name in every write that gives a place)."""
    assert m.Place.objects.count() > 1000  # the gazetteer, loaded by the migrations
    with CaptureQueriesContext(connection) as queries, pytest.raises(UnknownKey):
        natural_key(m.Place).resolve("Nowhere-on-Sea")
    looked_up = [query["sql"] for query in queries if 'FROM "cooperation_place"' in query["sql"]]
    assert len(looked_up) >= 4  # name, name in any case, anywhere, other names
    for sql in looked_up:
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
            plan = cursor.fetchone()[0]
        plan = plan if isinstance(plan, list) else json.loads(plan)
        assert rows_read(plan[0]["Plan"]) < 100, sql


def rows_read(node: dict) -> int:
    """The rows a plan's scans read: those they returned and those their filters removed."""
    own = node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0) if "Scan" in node["Node Type"] else 0
    return own + sum(rows_read(child) for child in node.get("Plans", []))


def test_a_post_is_found_by_its_key_in_any_case_and_not_by_a_wrong_key_before_its_id(namesakes):
    key = natural_key(m.Post)
    for post in m.Post.objects.all():
        written = key.key(post)
        assert key.resolve(written) == key.resolve(written.upper()) == key.resolve(f"{written} #{post.pk}") == post
        for wrong in (f"Nobody #{post.pk}", f"Nobody: {post.title} at Nowhere #{post.pk}"):
            with pytest.raises(UnknownKey):
                key.resolve(wrong)
