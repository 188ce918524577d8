"""CSV import: every error by row and column, and nothing written unless every row is right."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cooperation import models as m
from cooperation.resources import RESOURCES
from cooperation.tabular.imports import import_csv
from tests import factories as f
from tests.csv.helpers import export, rows, to_csv

pytestmark = pytest.mark.django_db
AGREEMENTS = RESOURCES["agreements"]


def run(records_or_bytes, resource="agreements", **options):
    content = records_or_bytes if isinstance(records_or_bytes, bytes) else to_csv(records_or_bytes)
    return import_csv(RESOURCES[resource], io.BytesIO(content), **options)


def errors(result):
    return [(e.row, e.column, e.message) for e in result.errors]


PACTS_SOURCE = "https://pacts.example.org/register"
CITATION = f'[{{"source": "{PACTS_SOURCE}", "quote": "signed a pact"}}]'


@pytest.fixture(autouse=True)
def pacts_source(db):
    return f.SourceFactory(url=PACTS_SOURCE, text="")


def pact(i, **values):
    return {
        "title": f"Pact {i}",
        "kind": "treaty",
        "status": "signed",
        "areas": "training",
        "citations": CITATION,
        **values,
    }


@pytest.fixture
def thousand_rows_one_bad():
    records = [pact(i, parties='[{"country": "PE"}, {"country": "CO"}]') for i in range(1000)]
    records[499]["status"] = "imagined"  # spreadsheet row 501: the header is row 1
    return records


def test_one_bad_row_in_a_thousand_is_reported_by_a_dry_run_and_stops_the_real_import(thousand_rows_one_bad):
    checked = run(thousand_rows_one_bad, dry_run=True)
    assert errors(checked) == [(501, "status", "Value 'imagined' is not a valid choice.")]
    assert not m.Agreement.objects.exists()

    imported = run(thousand_rows_one_bad)
    assert errors(imported) == errors(checked) and imported.as_dict()["written"] is False
    assert (m.Agreement.objects.count(), m.AgreementParty.objects.count(), m.Agreement.history.count()) == (0, 0, 0)


def test_a_good_file_is_imported_whole():
    result = run([pact(i, parties='[{"country": "PE"}, {"country": "CO"}]') for i in range(100)])
    assert result.ok and (result.created, result.updated) == (100, 0)
    assert m.AgreementParty.objects.filter(country__iso2="CO").count() == 100
    assert m.Agreement.history.filter(history_type="+").count() == 100


@pytest.mark.parametrize(
    ("records", "expected"),
    [
        ([pact(1, stauts="x")], [(1, "stauts", "Unknown column 'stauts'")]),
        ([pact(1, start="next spring")], [(2, "start", "Cannot read 'next spring' as a date")]),
        ([pact(1, areas="training|juggling")], [(2, "areas", "No cooperation area 'juggling'.")]),
        ([pact(1, announced_by="Nobody [RU]")], [(2, "announced_by", "No official 'Nobody [RU]'.")]),
        ([pact(1, parties="[{'country': 'PE'}]")], [(2, "parties", "Not a JSON array of objects")]),
        ([pact(1, parties='[{"nation": "PE"}]')], [(2, "parties", "Item 1: unknown key 'nation'")]),
        (
            [pact(1, parties='[{"country": "PE"}, {"country": "PE"}]')],
            [(2, "parties", "Item 2: The same entry is given twice.")],
        ),
        (
            [pact(1, parties='[{"country": "PE", "region": "419"}]')],
            [
                (
                    2,
                    "parties",
                    "Item 1: Give a country, a region or an agency (an agency may come with its own country).",
                )
            ],
        ),
        ([pact(1, start="2014", end="2013")], [(2, "end", "The end date is before the start date.")]),
        ([pact(1, id="987654")], [(2, "id", "No agreement with id 987654")]),
        ([pact(1, id="abc")], [(2, "id", "'abc' is not a whole number.")]),
        ([pact(1), pact(2, kind="")], [(3, "kind", "This field cannot be blank.")]),
    ],
)
def test_every_error_names_its_row_and_column(records, expected):
    result = run(records)
    assert [(row, column) for row, column, _ in errors(result)] == [(row, column) for row, column, _ in expected]
    for (_, _, message), (_, _, wanted) in zip(errors(result), expected, strict=True):
        assert message.startswith(wanted), message
    assert not m.Agreement.objects.exists()


def test_unknown_and_repeated_headers_are_errors_not_ignored():
    content = b"title,kind,status,title\nPact,treaty,signed,Pact\n"
    assert errors(run(content)) == [(1, "title", "Column 'title' is given twice.")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty"),
        (b"title,kind,status\n\xff\xfe,treaty,signed\n", "not UTF-8"),
        (b"title,kind,status\nPact,treaty\n", "2 cells for 3 columns"),
        (b'title,kind,status\n"Pact,treaty,signed\n', "Not valid CSV"),
    ],
)
def test_files_that_are_not_csv_of_this_resource(content, message):
    result = run(content)
    assert message in result.errors[0].message
    assert not m.Agreement.objects.exists()


def test_a_row_with_an_id_updates_that_record_and_leaves_absent_columns_alone():
    agreement = f.AgreementFactory(title="Old", summary="kept")
    agreement.areas.set(m.CooperationArea.objects.filter(code="training"))
    result = run([{"id": str(agreement.pk), "title": "New", "status": "in_force"}])
    assert result.ok and (result.created, result.updated) == (0, 1)
    agreement.refresh_from_db()
    assert (agreement.title, agreement.status, agreement.summary) == ("New", "in_force", "kept")
    assert list(agreement.areas.values_list("code", flat=True)) == ["training"]


def test_an_export_edited_and_imported_back_updates_in_place():
    agreement = f.AgreementFactory(title="Pact")
    exported = rows(export("agreements"))
    exported[0]["status"] = "terminated"
    result = run(exported)
    assert result.ok and result.updated == 1
    assert m.Agreement.objects.get(pk=agreement.pk).status == "terminated"


def test_a_row_exported_before_someone_else_changed_the_record_is_refused():
    agreement = f.AgreementFactory(title="Pact")
    exported = rows(export("agreements"))
    agreement.summary = "a change made meanwhile"
    agreement.save()
    exported[0]["status"] = "terminated"
    result = run(exported)
    assert errors(result)[0][:2] == (2, "version")
    assert m.Agreement.objects.get(pk=agreement.pk).status == "signed"


def test_formula_escapes_are_undone_on_import():
    result = run([pact(1, title="'=cmd", summary="'@sum")])
    assert result.ok
    assert m.Agreement.objects.values_list("title", "summary").get() == ("=cmd", "@sum")
    kept = run([pact(2, title="'=kept")], unescape_formulas=False)
    assert kept.ok and m.Agreement.objects.filter(title="'=kept").exists()


def test_a_parent_further_down_the_file_is_found():
    records = [
        {"name": "Andean towns", "level": "grouping", "parent": "Andean Community"},
        {"name": "Andean Community", "level": "grouping", "parent": "005"},
    ]
    assert run(records, resource="regions").ok
    assert m.Region.objects.get(name="Andean towns").parent.name == "Andean Community"
    broken = run([{"name": "Orphans", "level": "grouping", "parent": "Atlantis"}], resource="regions")
    assert errors(broken) == [(2, "parent", "No region 'Atlantis'.")]
    assert not m.Region.objects.filter(name="Orphans").exists()


def test_citations_can_be_added_to_existing_records_by_type_and_id():
    agreement = f.AgreementFactory(cited=False)
    source = f.SourceFactory()
    record = {"source": source.url, "record_type": "agreement", "record_id": str(agreement.pk)}
    assert run([{**record, "quote": "Training starts in 2013."}], resource="citations").ok
    assert agreement.citations.get().quote == "Training starts in 2013."
    bad = run([{**record, "record_type": "country", "quote": "x"}], resource="citations")
    assert errors(bad)[0][:2] == (2, "record_type")


def test_commands_export_and_import_a_directory(tmp_path, seed):
    call_command("export_csv", "--all", str(tmp_path), verbosity=0)
    assert (tmp_path / "agreements.csv").read_text().startswith("id,title,")
    call_command("import_csv", "--all", str(tmp_path), "--dry-run", verbosity=0)  # updates in place: valid
    with pytest.raises(CommandError, match="Unknown filter"):
        call_command("export_csv", "agreements", "stauts=signed")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(to_csv([pact(1, status="imagined")]))
    with pytest.raises(CommandError, match="Nothing was written"):
        call_command("import_csv", "agreements", str(bad))


def test_export_command_applies_the_api_filters(tmp_path, seed):
    target = tmp_path / "peru.csv"
    call_command("export_csv", "agreements", "country=PE", "-o", str(target), verbosity=0)
    assert [row["title"] for row in rows(target.read_text())] == ["Russia - Peru security cooperation"]


def test_export_command_orders_as_the_api_does(tmp_path, client, db):
    """``ordering=-date``: the main date's bounds, undated last, in the very order of the API's CSV."""
    f.AgreementFactory(title="Undated memo", signed="")
    f.AgreementFactory(title="Signed in 2019", signed="2019")
    f.AgreementFactory(title="Signed around 2012", signed="around 2012")
    target = tmp_path / "ordered.csv"
    call_command("export_csv", "agreements", "ordering=-date", "-o", str(target), verbosity=0)
    exported = [row["title"] for row in rows(target.read_text())]
    assert exported == ["Signed in 2019", "Signed around 2012", "Undated memo"]
    over_http = client.get("/api/v1/agreements/", {"ordering": "-date"}, HTTP_ACCEPT="text/csv")
    assert [row["title"] for row in rows(b"".join(over_http.streaming_content).decode())] == exported
    with pytest.raises(CommandError, match="Cannot order by 'signed'"):
        call_command("export_csv", "agreements", "ordering=signed")
