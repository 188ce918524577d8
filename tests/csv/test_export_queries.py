"""The export's SQL: each relation aggregated once (joined, in primary key chunks on PostgreSQL) gives byte for
byte what the per-record sub-queries gave, for every resource, filtered, ordered and paged."""

import functools
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cooperation import models as m
from cooperation.api import tabular as api_tabular
from cooperation.filtering.filtersets import _related_model
from cooperation.natural_keys import natural_key
from cooperation.resources import RESOURCES
from cooperation.tabular import exports
from tests import factories as f

pytestmark = pytest.mark.django_db
chunks = exports._chunks


@pytest.fixture
def data(seed):
    """The seed article, a small synthetic data set (every relation filled), and records the generator does not
    make: an agreement without parties, areas or citations, a formula in a key, a text with quotes and lines."""
    call_command("generate_data", scale=40, verbosity=0, stdout=io.StringIO())
    f.AgreementFactory(title='Bare, "quoted"\r\nand lined')
    official = f.OfficialFactory(name="=cmd|' /C calc'!A0", country=None)
    signed = f.AgreementFactory(title="-signed")
    for signatory in (official, f.OfficialFactory(name="Ana", country=None)):
        f.AgreementSignatoryFactory(agreement=signed, official=signatory)
    signed.drugs.set([f.DrugFactory(name="=cmd|' /C calc'!A1"), f.DrugFactory(name="Ana")])


def filter_values(resource) -> dict[str, str]:
    """One value for each of the resource's relation filters and choice filters, taken from the data."""
    model, values = resource.model, {}
    for name, paths in resource.relations.items():
        path = paths if isinstance(paths, str) else paths[0]
        value = model.objects.filter(**{f"{path}__isnull": False}).values_list(path, flat=True).order_by("pk").first()
        if value is not None:
            key = natural_key(_related_model(model, path))  # by id, unless digits are keys (M49 codes)
            values[name] = key.key(key.model(pk=value)) if key.digits_are_keys else str(value)
    for name in resource.fields:
        model_field = next((x for x in model._meta.get_fields() if x.name == name), None)
        if getattr(model_field, "choices", None) and not model_field.is_relation:
            value = model.objects.values_list(name, flat=True).order_by("-pk").first()
            if value:
                values[name] = value
    if resource.places is not None:
        values["region"] = "419"
    return values


def requests(resource) -> list[dict[str, str]]:
    """The export's query strings: whole, each filter alone, ordered several ways, paged, all filters at once."""
    ordering = [field for field in resource.ordering if field != "population"][:2]
    filters = filter_values(resource)
    asked = [{}, {"ordering": "-id"}, {"escape_formulas": "false"}, {"limit": "7"}, {"limit": "7", "ordering": "-id"}]
    asked += [{"ordering": field} for field in ordering] + [{"ordering": f"-{field}"} for field in ordering]
    asked += [{name: value} for name, value in filters.items()]
    if filters:
        asked += [{**dict(list(filters.items())[:1]), "ordering": f"-{ordering[0]}" if ordering else "-id"}]
    return asked


def download(client, resource, params) -> bytes:
    response = client.get(f"/api/v1/{resource}/", {"format": "csv", **params})
    assert response.status_code == 200, (params, response.content[:500])
    return b"".join(response.streaming_content)


@pytest.mark.usefixtures("data")
@pytest.mark.parametrize("name", list(RESOURCES))
def test_the_joined_export_is_byte_identical_to_the_per_record_sub_queries(client, monkeypatch, name):
    monkeypatch.setattr(exports, "CHUNK_SIZE", 7)  # several chunks, one of them short
    chunked = []
    monkeypatch.setattr(exports, "_chunks", lambda *args: chunked.append(args) or chunks(*args))
    resource = RESOURCES[name]
    compared = 0
    for params in requests(resource):
        joined = download(client, name, params)
        with monkeypatch.context() as old:
            old.setattr(api_tabular, "stream_csv", functools.partial(exports.stream_csv, joined=False))
            reference = download(client, name, params)
        assert joined == reference, params
        compared += joined.count(b"\n") - 1
    assert compared > 0, "the requests exported something"
    assert chunked, "the unordered exports went in chunks"


@pytest.mark.usefixtures("data")
@pytest.mark.parametrize("use_copy", [False, True] if connection.vendor == "postgresql" else [False])
def test_both_paths_and_every_chunk_size_give_the_same_bytes(monkeypatch, use_copy):
    resource = RESOURCES["agreements"]
    queryset = m.Agreement.objects.all()
    reference = b"".join(exports.stream_csv(resource, queryset, use_copy=use_copy, joined=False))
    assert reference.count(b"\n") > 40
    for size in (1, 2, 39, 40, 41, 10_000):
        monkeypatch.setattr(exports, "CHUNK_SIZE", size)
        assert b"".join(exports.stream_csv(resource, queryset, use_copy=use_copy)) == reference, size


@pytest.mark.skipif(connection.vendor != "postgresql", reason="only PostgreSQL exports in chunks")
def test_chunks_take_one_short_query_each_and_the_records_and_relations_of_their_key_range():
    m.Agreement.objects.bulk_create([m.Agreement(title=f"Agreement {i}", kind="treaty") for i in range(12)])
    resource = RESOURCES["agreements"]
    with CaptureQueriesContext(connection) as queries:
        blocks = exports.stream_csv(resource, m.Agreement.objects.all())
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(exports, "CHUNK_SIZE", 5)
            lines = b"".join(blocks).count(b"\n")
    assert lines == 13
    bounds = [q["sql"] for q in queries.captured_queries if "LIMIT 1 OFFSET 4" in q["sql"]]
    assert len(bounds) == 3, "the first id past each chunk of 5 (none after the third)"
    sql, _ = exports.export_query(resource, m.Agreement.objects.all(), exports.ExportOptions(), after=3, through=8)
    # One aggregate per relation: areas, drugs, signatories, links, parties, citations, their sources and the
    # facts they support.
    assert sql.count("GROUP BY") == 8 and sql.count("LEFT JOIN (SELECT") == 8
