"""CSV exports: the same rows as the JSON list, safe in spreadsheets, faithful to the data, flat in memory."""

import tracemalloc
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cooperation import models as m
from cooperation.resources import RESOURCES
from cooperation.tabular.columns import FORMULA_STARTS, escape_formula, unescape_formula
from cooperation.tabular.exports import stream_csv
from tests import factories as f
from tests.csv.helpers import export, rows

pytestmark = pytest.mark.django_db


def api_csv(client, resource, **params):
    response = client.get(f"/api/v1/{resource}/", {"format": "csv", **params})
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content).decode(), response


def api_json_ids(client, resource, **params):
    response = client.get(f"/api/v1/{resource}/", {"limit": 1000, **params})
    assert response.status_code == 200
    return [row["id"] for row in response.json()["results"]]


@pytest.mark.usefixtures("seed")
@pytest.mark.parametrize(
    ("resource", "params"),
    [
        ("agreements", {"country": "PE"}),
        ("agreements", {"region": "419", "status": "announced,signed"}),
        ("trafficking-routes", {"destination": "RU", "drug": "cocaine"}),
        ("assessments", {"assessed_by": "Europol"}),
        ("countries", {"region": "Western Africa"}),
        ("events", {"date_from": "2012-10-01", "date_to": "2012-10-31"}),
        ("citations", {"record_type": "agreement", "modality": "announced"}),
    ],
)
def test_the_filtered_csv_has_exactly_the_rows_of_the_filtered_json_list(client, resource, params):
    text, _ = api_csv(client, resource, **params)
    assert [int(row["id"]) for row in rows(text)] == api_json_ids(client, resource, **params)
    assert rows(text), "the filter matches something"


def test_limit_and_cursor_page_the_csv_as_they_page_the_json_list_and_count_comes_as_a_header(client):
    # Documented with every list, so they work with format=csv too (issue 19, point 8).
    groups = [f.DrugFactory(name=f"Khat variant {n}", group=m.DrugGroup.HALLUCINOGENS) for n in range(5)]
    first, response = api_csv(client, "drugs", limit=2, ordering="-name", group="hallucinogens", count="true")
    page = client.get(
        "/api/v1/drugs/", {"limit": 2, "ordering": "-name", "group": "hallucinogens", "count": "true"}
    ).json()
    assert [int(row["id"]) for row in rows(first)] == [row["id"] for row in page["results"]]
    assert response["X-Total-Count"] == str(page["count"])
    next_url = response["Link"].removeprefix("<").split(">")[0]
    assert "format=csv" in next_url and "cursor=" in next_url
    second = b"".join(client.get(next_url).streaming_content).decode()
    assert [int(row["id"]) for row in rows(second)] == [row["id"] for row in client.get(page["next"]).json()["results"]]
    nothing, _ = api_csv(client, "drugs", limit=1, name__icontains="no such drug")
    assert nothing.startswith("id,") and rows(nothing) == [], "an empty page is the header alone"
    whole, response = api_csv(client, "drugs", group="hallucinogens", count="false")
    assert (
        len(rows(whole)) == page["count"] >= len(groups) and "X-Total-Count" not in response and "Link" not in response
    )


def test_accept_header_selects_csv_and_the_file_name_says_what_and_when(client):
    response = client.get("/api/v1/drugs/", HTTP_ACCEPT="text/csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="drugs-20')
    filtered = client.get("/api/v1/drugs/", {"format": "csv", "group": "opioids"})
    assert 'filename="drugs-filtered-' in filtered["Content-Disposition"]


@pytest.mark.parametrize("params", [{"bogus": "1"}, {"status": "imagined"}, {"limit": "many"}, {"bom": "perhaps"}])
def test_an_unknown_or_invalid_filter_is_a_json_400_not_the_whole_table(client, params):
    f.AgreementFactory()
    response = client.get("/api/v1/agreements/", {"format": "csv", **params})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert set(params) & set(response.json())


@pytest.mark.parametrize("start", FORMULA_STARTS[:-1])  # PostgreSQL cannot store NUL; validation refuses it
def test_cells_starting_with_a_formula_character_are_prefixed(start):
    agency = f.AgencyFactory(name=f"{start}HYPERLINK(evil)", description=f"{start}1+1", other_names="ok")
    exported = {row["id"]: row for row in rows(export("agencies"))}[str(agency.pk)]
    assert exported["name"] == f"'{start}HYPERLINK(evil)"
    assert exported["description"] == f"'{start}1+1"
    assert exported["other_names"] == "ok"
    assert exported["version"] == "1"  # numbers stay numbers


def test_every_key_of_a_many_valued_cell_is_prefixed():
    agreement = f.AgreementFactory()
    agreement.drugs.set([f.DrugFactory(name="=cmd|' /C calc'!A0"), f.DrugFactory(name="Ana")])
    exported = {row["id"]: row for row in rows(export("agreements"))}[str(agreement.pk)]
    assert exported["drugs"].split("|")[0] == "'=cmd"


def test_escaping_can_be_turned_off_for_machine_consumers(client):
    f.DrugFactory(name="-4-MEC", group="new_psychoactive_substances")
    assert "'-4-MEC" in export("drugs")
    assert "'-4-MEC" not in export("drugs", escape_formulas=False) and "-4-MEC" in export(
        "drugs", escape_formulas=False
    )
    text, _ = api_csv(client, "drugs", escape_formulas="false")
    assert "\n" + str(m.Drug.objects.get(name="-4-MEC").pk) + ",-4-MEC," in text


@pytest.mark.parametrize("value", ["=1+2", "'=x", "''", "'hello", "@", "plain", "-", "'"])
def test_escaping_is_undone_exactly_on_import(value):
    assert unescape_formula(escape_formula(value)) == value


def test_quotes_commas_and_newlines_survive_a_csv_reader():
    tricky = 'He said "no, never",\nthen left;\r\nend | pipe'
    agreement = f.AgreementFactory(title="Quotes, commas and lines", summary=tricky)
    exported = {row["id"]: row for row in rows(export("agreements"))}[str(agreement.pk)]
    assert exported["summary"] == tricky
    assert exported["title"] == "Quotes, commas and lines"


def test_utf8_and_an_optional_bom_for_excel(client):
    f.AgencyFactory(name="Dirección Antidrogas – Perú")
    assert "Dirección Antidrogas – Perú" in export("agencies")
    body = b"".join(client.get("/api/v1/agencies/", {"format": "csv", "bom": "true"}).streaming_content)
    assert body.startswith("\ufeffid,".encode())
    assert not b"".join(client.get("/api/v1/agencies/", {"format": "csv"}).streaming_content).startswith(b"\xef")


@pytest.mark.usefixtures("seed")
def test_related_records_come_as_natural_keys_and_parts_as_json():
    (plan,) = [r for r in rows(export("agreements")) if "Peru" in r["title"]]
    assert plan["areas"] == "information_exchange|joint_monitoring|training"
    assert plan["announced_by"] == "Viktor Ivanov [RU]"
    assert plan["start"] == "in the coming year" and plan["start_edtf"] == "[2012-10..]"
    assert (plan["start_earliest"], plan["start_latest"]) == ("2012-10-01", "")
    import json

    assert json.loads(plan["parties"]) == [{"country": "RU", "role": "party"}, {"country": "PE", "role": "party"}]
    assert json.loads(plan["citations"])[0]["source"] == plan["citation_sources"]


def record_batch(count: int) -> None:
    m.Agreement.objects.bulk_create(
        [m.Agreement(title=f"Agreement {i}", kind="treaty", status="signed") for i in range(count)], batch_size=5000
    )


def measure_export(use_copy: bool) -> tuple[int, int, int]:
    """(rows, queries, peak traced bytes) of a full export of the agreements."""
    resource = RESOURCES["agreements"]
    tracemalloc.start()
    try:
        with CaptureQueriesContext(connection) as queries:
            lines = sum(
                block.count(b"\n") for block in stream_csv(resource, m.Agreement.objects.all(), use_copy=use_copy)
            )
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return lines - 1, len(queries.captured_queries), peak


# Both paths on PostgreSQL (COPY and a server-side cursor); SQLite has only the cursor.
EXPORT_PATHS = [False, True] if connection.vendor == "postgresql" else [False]


@pytest.mark.parametrize("use_copy", EXPORT_PATHS)
def test_the_query_count_does_not_grow_with_the_rows(use_copy):
    record_batch(10)
    small = measure_export(use_copy)
    record_batch(490)
    large = measure_export(use_copy)
    assert (small[0], large[0]) == (10, 500)
    assert small[1] == large[1] <= 3  # the SELECT, and a savepoint around it in a transaction


@pytest.mark.parametrize("use_copy", EXPORT_PATHS)
def test_memory_stays_flat_from_1k_to_100k_rows(use_copy):
    record_batch(1_000)
    rows_small, _, peak_small = measure_export(use_copy)
    record_batch(99_000)
    rows_large, _, peak_large = measure_export(use_copy)
    assert (rows_small, rows_large) == (1_000, 100_000)
    assert peak_large - peak_small < 4 * 2**20, (peak_small, peak_large)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("use_copy", EXPORT_PATHS)
def test_an_export_being_read_does_not_keep_others_from_writing(use_copy):
    """A client may take minutes to read an export; meanwhile others write (on SQLite too, where a transaction
    around the export would hold the database's one write lock until the client had read it all)."""
    record_batch(5_000)
    blocks = stream_csv(RESOURCES["agreements"], m.Agreement.objects.all(), use_copy=use_copy)
    next(blocks), next(blocks)  # the export has started and waits for its client
    try:
        with ThreadPoolExecutor(1) as pool:
            written = pool.submit(lambda: (m.Drug.objects.create(name="Tramadol", group="opioids"), connection.close()))
            written.result(timeout=15)
    finally:
        blocks.close()
    assert m.Drug.objects.filter(name="Tramadol").exists()
