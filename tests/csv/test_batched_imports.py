"""CSV import in batches: new records are written with a few queries per batch of rows, not some twenty per row,
and leave the same records, history and errors as saving them one by one (``record_save``) does."""

import io
import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from cooperation import models as m
from cooperation.natural_keys import natural_key
from cooperation.resources import RESOURCES
from cooperation.tabular import imports
from cooperation.tabular.imports import import_csv
from tests import factories as f
from tests.csv.helpers import to_csv

pytestmark = pytest.mark.django_db
REGISTER = "https://treaties.example.net/ministry/register"


@pytest.fixture(autouse=True)
def register(db):
    return f.SourceFactory(url=REGISTER, text="")


@pytest.fixture
def places(db) -> list[str]:
    """Keys of 40 villages, each named by one row: a key looked up per row, not shared by the rows."""
    ecuador = m.Country.objects.get(iso2="EC")
    villages = [f.PlaceFactory(name=f"Recinto Las Palmas {n}", country=ecuador) for n in range(40)]
    return [natural_key(m.Place).key(place) for place in villages]


def accord(n: int, prefix: str = "Accord on port controls", **values) -> dict[str, str]:
    """An agreement row with two parties (a country and an agency with its country), a citation and an area."""
    return {
        "title": f"{prefix} {n}",
        "kind": "memorandum_of_understanding",
        "status": "signed",
        "areas": "training",
        "signed": f"March {2000 + n % 20}",
        "parties": '[{"country": "EC"}, {"country": "BO", "role": "signatory"}]',
        "citations": f'[{{"source": "{REGISTER}", "quote": "signed in Quito", "locator": "entry {n}"}}]',
        **values,
    }


def run(records, resource="agreements", **options):
    return import_csv(RESOURCES[resource], io.BytesIO(to_csv(records)), **options)


def queries_to_import(records) -> int:
    with CaptureQueriesContext(connection) as captured:
        result = run(records)
    assert result.ok, result.errors
    return len(captured)


def test_importing_twice_the_rows_costs_no_more_queries_within_a_batch(places):
    run([accord(0, "Warm-up")])  # content types and the like, cached for the process
    n = 20
    assert 2 * n <= imports.BATCH_ROWS
    few = queries_to_import([accord(i, place=places[i]) for i in range(n)])
    twice = queries_to_import([accord(i, "Later accord", place=places[i]) for i in range(2 * n)])
    assert few == twice, (few, twice)
    assert few < 40, few  # a handful per table, per batch
    assert m.Agreement.objects.count() == 1 + 3 * n and m.AgreementParty.objects.count() == 2 * (1 + 3 * n)


def test_queries_grow_with_the_batches_not_with_the_rows(places, monkeypatch):
    run([accord(0, "Warm-up")])
    monkeypatch.setattr(imports, "BATCH_ROWS", 10)
    one_batch = queries_to_import([accord(i, place=places[i]) for i in range(10)])
    four_batches = queries_to_import([accord(i, "Later accord", place=places[i]) for i in range(40)])
    assert four_batches <= 4 * one_batch


def snapshot() -> list:
    """The agreements, their parts and every history entry of them, as the import left them (without ids and
    times, and with the titles' first word left out: the two ways import files that differ in it)."""

    def entries(record) -> list:
        history = record.history.order_by("history_date", "history_id")
        return [
            (
                entry.history_type,
                entry.history_user_id,
                entry.history_change_reason,
                entry.version,
                sorted(area.cooperationarea_id for area in entry.areas.all()) if hasattr(entry, "areas") else None,
                sorted(drug.drug_id for drug in entry.drugs.all()) if hasattr(entry, "drugs") else None,
            )
            for entry in history
        ]

    state = []
    for agreement in m.Agreement.objects.order_by("pk"):
        state.append(
            (
                agreement.title.split(" ", 1)[1],
                agreement.version,
                agreement.confirmed_distinct,
                agreement.signed_edtf,
                agreement.place_id,
                sorted(agreement.areas.values_list("code", flat=True)),
                sorted(agreement.signatories.values_list("pk", flat=True)),
                entries(agreement),
                [(p.country_id, p.agency_id, p.role, p.version, entries(p)) for p in agreement.parties.order_by("pk")],
                [(c.source_id, c.quote, c.locator, c.version, entries(c)) for c in agreement.citations.order_by("pk")],
            )
        )
    return state


def one_by_one(monkeypatch) -> None:
    monkeypatch.setattr(imports, "is_batched", lambda resource: False)


def test_batched_rows_leave_the_same_records_and_history_as_one_by_one(places, editor, monkeypatch):
    drug = m.Drug.objects.create(name="Cocaine base paste", group=m.DrugGroup.values[0])
    targeted = natural_key(m.Drug).key(drug)

    def rows(prefix: str) -> list[dict]:
        return [
            accord(i, prefix, place=places[i], drugs=targeted if i % 3 else "", areas="training" if i % 2 else "")
            for i in range(30)
        ]

    batched = run(rows("Batched"), user=editor)
    one_by_one(monkeypatch)
    saved_alone = run(rows("Alone"), user=editor)
    assert batched.as_dict() == saved_alone.as_dict() and batched.created == 30

    state = snapshot()
    assert state[:30] == state[30:]
    # Each record and part has its creation entry by the importing user; a change entry per many-to-many field set.
    agreement, _, _, _, _, _, _, history, parties, citations = state[1]
    assert [entry[:3] for entry in history] == [("+", editor.pk, None), ("~", editor.pk, None), ("~", editor.pk, None)]
    assert history[-1][4:] == ([m.CooperationArea.objects.get(code="training").pk], [drug.pk])
    assert [entries[0][:3] for *_, entries in parties + citations] == [("+", editor.pk, None)] * 3


def results_and_state(records, resource="agreements", **options):
    """The import's result (ids in messages left out: PostgreSQL does not give back the ids of a rolled back
    import) and the records it leaves, rolled back after."""
    with transaction.atomic():
        result = run(records, resource, **options).as_dict()
        for error in result["errors"]:
            error["message"] = re.sub(r"(id |/)[0-9]+", r"\1<id>", error["message"])
        model = RESOURCES[resource].model
        state = (model.objects.count(), model.history.count(), m.AgreementParty.objects.count())
        transaction.set_rollback(True)
    return result, state


CASES = {
    "an agreement given twice": [accord(1), accord(2), accord(1), accord(3)],
    "a likely duplicate of a stored agreement": [accord(5), accord(7), accord(8)],
    "a bad row among good ones": [accord(1), accord(2, status="imagined"), accord(3, parties="[]"), accord(4)],
    "parties that break a constraint the database checks": [
        accord(1),
        accord(2, parties='[{"agency": "Nowhere police [EC]"}]'),  # no such agency
        accord(3, parties='[{"agency": "National Police [EC]"}, {"agency": "National Police [EC]", "country": "EC"}]'),
    ],
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("confirm_duplicate", [False, True])
def test_a_batch_reports_the_errors_one_by_one_would(case, confirm_duplicate, monkeypatch):
    f.AgencyFactory(name="National Police", country=m.Country.objects.get(iso2="EC"))
    run([accord(5)])
    batched = results_and_state(CASES[case], confirm_duplicate=confirm_duplicate)
    one_by_one(monkeypatch)
    assert batched == results_and_state(CASES[case], confirm_duplicate=confirm_duplicate)


def test_a_name_given_twice_is_refused_on_the_row_that_repeats_it(monkeypatch):
    drugs = [
        {"name": "Nitazene analogue 1", "group": "new_psychoactive_substances", "description": ""},
        {"name": "Nitazene analogue 2", "group": "stimulants", "description": ""},
        {"name": "Nitazene analogue 1", "group": "new_psychoactive_substances", "description": "again"},
    ]
    batched = results_and_state(drugs, "drugs")
    assert [(e["row"], e["column"]) for e in batched[0]["errors"]] == [(3, "group"), (4, "name")]
    one_by_one(monkeypatch)
    assert batched == results_and_state(drugs, "drugs")


def test_updates_among_new_rows_are_applied_in_the_files_order(monkeypatch):
    stored = f.AgreementFactory(title="Accord on port controls 9", summary="Draft")
    records = [accord(1), {**accord(9), "id": str(stored.pk), "summary": "Signed text"}, accord(2)]
    records = [{"id": "", "summary": "", **record} for record in records]
    batched = results_and_state(records)
    assert batched[0]["created"] == 2 and batched[0]["updated"] == 1
    one_by_one(monkeypatch)
    assert batched == results_and_state(records)
