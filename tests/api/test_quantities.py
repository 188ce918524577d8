"""Issue 14, pattern 3: quantities as precise as the source.

"About 2.5 tons of cocaine", "more than 300 officers", "at least 14 countries", "between 3 and 5 instructors",
"41 arrested": a quantity keeps its qualifier, a value or a range, and its unit; counts of persons are whole
numbers. Entered through the API (as an object, or as a bare number meaning exact, as clients always sent),
found by its bounds, exported to CSV as a person writes it and imported back, edited in the admin.
"""

from __future__ import annotations

import json

import pytest
import yaml

from cooperation import models as m
from tests import factories as f
from tests.admin.formdata import CITATIONS, admin_url, inline_formset, post_form
from tests.csv.helpers import rows, to_csv

pytestmark = pytest.mark.django_db

SOURCE = "https://noticias.example.org/2016/05/operacion-costa"
TEXT = (
    "More than 300 officers from the region were trained at the centre, which at least 14 countries are to use. "
    "The joint operation seized about 2.5 tons of cocaine and dismantled between 3 and 5 laboratories; 41 were "
    "arrested. Fewer than 10 instructors came from Spain."
)


def cited(quote: str = "41 were arrested") -> list[dict]:
    return [{"source": SOURCE, "quote": quote}]


@pytest.fixture
def source():
    return f.SourceFactory(url=SOURCE, text=TEXT)


@pytest.fixture
def course(editor_client, source):
    payload = {
        "title": "Interdiction course",
        "status": "held",
        "total_trained": {"qualifier": "more_than", "value": 300},
        "participants": [
            {"country": "ES", "role": "instructor", "trainees": {"qualifier": "fewer_than", "value": 10}},
            {"region": "029", "trainees": 35},  # a bare number: exact, as clients have always sent it
            {"country": "PY", "trainees": {"qualifier": "between", "low": 3, "high": 5}},
            {"country": "UY", "role": "invited"},
        ],
        "citations": cited("More than 300 officers from the region were trained"),
    }
    response = editor_client.post("/api/v1/training-courses/", payload, format="json")
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def operation(editor_client, source):
    payload = {
        "name": "Operation Costa",
        "status": "completed",
        "outcomes": [
            {"kind": "seizure", "drug": "cocaine", "quantity": {"qualifier": "about", "value": 2.5}, "unit": "t"},
            {"kind": "arrests", "quantity": 41, "unit": "persons"},
            {
                "kind": "laboratory_dismantled",
                "quantity": {"qualifier": "between", "low": 3, "high": 5},
                "unit": "laboratories",
            },
        ],
        "citations": cited(),
    }
    response = editor_client.post("/api/v1/operations/", payload, format="json")
    assert response.status_code == 201, response.content
    return response.json()


# --- The API: read as the source gives it, written as an object or a bare number ------------------------------
def test_a_quantity_reads_as_the_source_gives_it_with_its_bounds(client, course, operation):
    shown = client.get(course["api_url"]).json()
    assert shown["total_trained"] == {
        "qualifier": "more_than",
        "value": 300,
        "low": None,
        "high": None,
        "text": "more than 300",
    }
    assert (shown["total_trained_min"], shown["total_trained_max"]) == (301, None)  # persons are whole
    trainees = [
        (p["trainees"] and p["trainees"]["text"], p["trainees_min"], p["trainees_max"]) for p in shown["participants"]
    ]
    assert trainees == [("fewer than 10", 0, 9), ("35", 35, 35), ("between 3 and 5", 3, 5), (None, None, None)]

    outcomes = client.get(operation["api_url"]).json()["outcomes"]
    assert [(o["quantity"]["text"], o["unit"], o["quantity_min"], o["quantity_max"]) for o in outcomes] == [
        ("about 2.5", "t", 2.5, 2.5),
        ("41", "persons", 41, 41),
        ("between 3 and 5", "laboratories", 3, 5),
    ]
    assert outcomes[2]["quantity"] == {
        "qualifier": "between",
        "value": None,
        "low": 3,
        "high": 5,
        "text": "between 3 and 5",
    }
    assert str(m.OperationOutcome.objects.get(pk=outcomes[0]["id"])) == "Seizure about 2.5 t of cocaine"


def test_a_record_read_is_sent_back_whole_unchanged(editor_client, course, operation):
    for record in (course, operation):
        current = editor_client.get(record["api_url"]).json()
        response = editor_client.put(record["api_url"], current, format="json")
        assert response.status_code == 200, response.content
        assert response.json()["version"] == current["version"]  # the objects read are the quantities stored


def test_a_bare_number_is_exact_and_null_is_not_reported(editor_client, course):
    response = editor_client.patch(course["api_url"], {"total_trained": 41}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["total_trained"]["qualifier"] == "exact"
    assert m.TrainingCourse.objects.filter(pk=course["id"]).values_list(
        "total_trained_min", "total_trained_max"
    ).get() == (41, 41)

    response = editor_client.patch(course["api_url"], {"total_trained": None}, format="json")
    assert response.status_code == 200 and response.json()["total_trained"] is None
    stored = m.TrainingCourse.objects.get(pk=course["id"])
    assert (stored.total_trained, stored.total_trained_qualifier, stored.total_trained_min) == (None, "", None)

    # A PUT that leaves a quantity out clears it, as it clears any field.
    record = editor_client.get(course["api_url"]).json()
    record["total_trained"] = {"qualifier": "at_least", "value": 14}
    assert editor_client.put(course["api_url"], record, format="json").status_code == 200
    del record["total_trained"]
    record.pop("version")
    assert editor_client.put(course["api_url"], record, format="json").json()["total_trained"] is None


@pytest.mark.parametrize(
    ("quantity", "field"),
    [
        ({"qualifier": "roughly", "value": 300}, "total_trained.qualifier"),
        ({"qualifier": "between", "low": 3}, "total_trained.high"),
        ({"qualifier": "between", "low": 5, "high": 3}, "total_trained.high"),
        ({"qualifier": "between", "value": 4, "low": 3, "high": 5}, "total_trained.value"),
        ({"qualifier": "about"}, "total_trained.value"),
        ({"qualifier": "at_least", "value": 3, "high": 5}, "total_trained.high"),
        ({"qualifier": "about", "value": 2.5}, "total_trained.value"),  # persons are whole
        ({"value": -3}, "total_trained.value"),
        ({"value": "300"}, "total_trained.value"),
        ({"qualifier": "about", "value": 3, "unit": "persons"}, "total_trained.unit"),
        (-1, "total_trained"),
        (2.5, "total_trained"),
        ("more than 300", "total_trained"),
        (True, "total_trained"),
        ([300], "total_trained"),
        ({"qualifier": "fewer_than", "value": 0}, "total_trained"),  # nothing is fewer than none
    ],
)
def test_a_bad_quantity_is_a_400_naming_the_field(editor_client, course, quantity, field):
    response = editor_client.patch(course["api_url"], {"total_trained": quantity}, format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()) == [field], response.json()


@pytest.mark.parametrize(
    ("outcome", "field"),
    [
        ({"kind": "arrests", "quantity": 2.5, "unit": "persons"}, "outcomes[0].quantity"),
        (
            {"kind": "arrests", "quantity": {"qualifier": "between", "low": 1, "high": 2.5}, "unit": "persons"},
            "outcomes[0].quantity",
        ),
        ({"kind": "seizure", "drug": "cocaine", "quantity": -2.5, "unit": "t"}, "outcomes[0].quantity"),
        (
            {"kind": "seizure", "drug": "cocaine", "quantity": {"qualifier": "nearly", "value": 2}, "unit": "t"},
            "outcomes[0].quantity.qualifier",
        ),
        ({"kind": "seizure", "drug": "cocaine", "quantity": {"qualifier": "about", "value": 2}}, "outcomes[0]"),
    ],
)
def test_a_bad_quantity_of_a_part_is_a_400_naming_the_part_and_field(editor_client, operation, outcome, field):
    response = editor_client.patch(operation["api_url"], {"outcomes": [outcome]}, format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()) == [field], response.json()


def test_a_decimal_quantity_keeps_its_precision(editor_client, operation):
    outcomes = [
        {"kind": "seizure", "drug": "cocaine", "quantity": {"qualifier": "more_than", "value": 2.5}, "unit": "t"}
    ]
    response = editor_client.patch(operation["api_url"], {"outcomes": outcomes}, format="json")
    assert response.status_code == 200, response.content
    [outcome] = response.json()["outcomes"]
    # "more than 2.5 t" has no whole step: its lower bound stays 2.5 (more than it, not 2.5 itself).
    assert (outcome["quantity"]["text"], outcome["quantity_min"], outcome["quantity_max"]) == (
        "more than 2.5",
        2.5,
        None,
    )


def test_the_schema_documents_the_object_the_number_and_the_qualifiers(client):
    schema = yaml.safe_load(client.get("/api/schema/").content)
    schemas = schema["components"]["schemas"]
    read = schemas["TrainingCourse"]["properties"]["total_trained"]
    assert set(read["properties"]) == {"qualifier", "value", "low", "high", "text"} and read["nullable"]
    qualifier = read["properties"]["qualifier"]
    enum = schemas[qualifier["$ref"].split("/")[-1]]["enum"] if "$ref" in qualifier else qualifier["enum"]
    assert enum == ["exact", "about", "at_least", "more_than", "at_most", "fewer_than", "between"]
    written = schemas["TrainingCourseRequest"]["properties"]["total_trained"]
    assert [alternative["type"] for alternative in written["oneOf"]] == ["integer", "object"]
    assert "text" not in written["oneOf"][1]["properties"]
    assert schemas["TrainingCourse"]["properties"]["total_trained_min"]["readOnly"]


# --- Filters: by the bounds, "certainly at least / at most" ------------------------------------------------
def test_quantities_are_found_by_their_bounds(client, editor_client, course, source):
    def course_with(total) -> int:
        body = {"title": f"Course {total}", "status": "held", "total_trained": total, "citations": cited()}
        response = editor_client.post("/api/v1/training-courses/", body, format="json")
        assert response.status_code == 201, response.content
        return response.json()["id"]

    more_than_300 = course["id"]
    about_40 = course_with({"qualifier": "about", "value": 40})
    three_to_five = course_with({"qualifier": "between", "low": 3, "high": 5})
    at_least_14 = course_with({"qualifier": "at_least", "value": 14})
    fewer_than_10 = course_with({"qualifier": "fewer_than", "value": 10})
    exactly_41 = course_with(41)
    unknown = course_with(None)

    def found(**params) -> set[int]:
        response = client.get("/api/v1/training-courses/", {**params, "limit": 100})
        assert response.status_code == 200, response.content
        listed = {row["id"] for row in response.json()["results"]}
        exported = b"".join(client.get("/api/v1/training-courses/", {**params, "format": "csv"}).streaming_content)
        assert {int(row["id"]) for row in rows(exported.decode())} == listed  # the export means the same
        return listed

    assert found(total_trained__gte=301) == {more_than_300}
    assert found(total_trained__gte=300.5) == {more_than_300}  # a count: at least 301
    assert found(total_trained__gte=14) == {more_than_300, about_40, at_least_14, exactly_41}
    assert found(total_trained__lte=9) == {fewer_than_10, three_to_five}
    assert found(total_trained__lte=5) == {three_to_five}  # "fewer than 10" may be 9
    assert found(total_trained__gte=3, total_trained__lte=5) == {three_to_five}
    assert found(total_trained__lte=41) == {about_40, three_to_five, fewer_than_10, exactly_41}
    assert unknown not in found(total_trained__gte=0) | found(total_trained__lte=10**9)

    for bad in ("many", "-1", "1e40", "NaN"):
        response = client.get("/api/v1/training-courses/", {"total_trained__gte": bad})
        assert response.status_code == 400 and "total_trained__gte" in response.json(), (bad, response.content)


# --- CSV: one readable cell, bounds beside it, read back -------------------------------------------------------
def test_quantities_round_trip_through_the_csv_as_a_person_writes_them(client, editor_client, course, operation):
    exported = b"".join(client.get("/api/v1/training-courses/", {"format": "csv"}).streaming_content).decode()
    [row] = rows(exported)
    assert (row["total_trained"], row["total_trained_min"], row["total_trained_max"]) == ("more than 300", "301", "")
    participants = json.loads(row["participants"])
    assert [p.get("trainees") for p in participants] == ["fewer than 10", 35, "between 3 and 5", None]

    response = editor_client.post("/api/v1/training-courses/import/", exported.encode(), content_type="text/csv")
    assert (response.json()["created"], response.json()["unchanged"]) == (0, 1), response.content

    # A spreadsheet user edits the cells as text; the import reads them, and a bare number is exact.
    participants[1]["trainees"] = "about 40"
    participants[3]["trainees"] = 2
    edited = {**row, "total_trained": "at least 14", "participants": json.dumps(participants)}
    response = editor_client.post("/api/v1/training-courses/import/", to_csv([edited]), content_type="text/csv")
    assert response.json()["updated"] == 1, response.content
    shown = client.get(course["api_url"]).json()
    assert (shown["total_trained"]["text"], shown["total_trained_min"], shown["total_trained_max"]) == (
        "at least 14",
        14,
        None,
    )
    assert [p["trainees"] and p["trainees"]["text"] for p in shown["participants"]] == [
        "fewer than 10",
        "about 40",
        "between 3 and 5",
        "2",
    ]

    outcomes = json.loads(
        rows(b"".join(client.get("/api/v1/operations/", {"format": "csv"}).streaming_content).decode())[0]["outcomes"]
    )
    assert [(o["quantity"], o["unit"]) for o in outcomes] == [
        ("about 2.5", "t"),
        (41, "persons"),
        ("between 3 and 5", "laboratories"),
    ]
    exported = b"".join(client.get("/api/v1/operations/", {"format": "csv"}).streaming_content)
    response = editor_client.post("/api/v1/operations/import/", exported, content_type="text/csv")
    assert response.json()["unchanged"] == 1, response.content


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("roughly 300", "not a number"),
        ("between 3", "between 3 and 5"),
        ("between 5 and 3", "below its high end"),
        ("about 2.5", "whole number"),
        ("-4", "negative"),
    ],
)
def test_a_bad_quantity_cell_is_an_error_on_its_row_and_column(client, editor_client, course, cell, message):
    exported = b"".join(client.get("/api/v1/training-courses/", {"format": "csv"}).streaming_content).decode()
    [row] = rows(exported)
    response = editor_client.post(
        "/api/v1/training-courses/import/", to_csv([{**row, "total_trained": cell}]), content_type="text/csv"
    )
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert {(error["row"], error["column"]) for error in errors} == {(2, "total_trained")}, errors
    assert any(message in error["message"] for error in errors), errors


# --- Admin: typed as the source gives it ------------------------------------------------------------------------
def test_the_admin_takes_a_quantity_as_the_source_writes_it(admin_client, source):
    typed = {
        "title": "Interdiction course",
        "status": "held",
        "total_trained": "more than 300",
        "participants-TOTAL_FORMS": "2",
        "participants-0-country": m.Country.objects.get(iso2="PY").pk,
        "participants-0-role": "participant",
        "participants-0-trainees": "between 5 and 3",
        "participants-1-country": m.Country.objects.get(iso2="ES").pk,
        "participants-1-role": "instructor",
        "participants-1-trainees": "fewer than 10",
        f"{CITATIONS}-0-source": source.pk,
        f"{CITATIONS}-0-quote": "More than 300 officers from the region were trained",
    }
    refused = post_form(admin_client, admin_url(m.TrainingCourse, "add"), typed)
    assert refused.status_code == 200
    assert inline_formset(refused, "participants").forms[0].errors == {
        "trainees": ["The low end of a range is below its high end."]
    }
    saved = post_form(
        admin_client, admin_url(m.TrainingCourse, "add"), {**typed, "participants-0-trainees": "between 3 and 5"}
    )
    assert saved.status_code == 302
    course = m.TrainingCourse.objects.get()
    assert (course.total_trained_qualifier, course.total_trained, course.total_trained_min) == ("more_than", 300, 301)
    assert [(p.trainees_qualifier, p.trainees, p.trainees_high, p.trainees_max) for p in course.participants.all()] == [
        ("between", 3, 5, 5),
        ("fewer_than", 10, None, 9),
    ]

    page = admin_client.get(admin_url(m.TrainingCourse, "change", course.pk))
    assert page.context["adminform"].form["total_trained"].value() == "more than 300"
    listed = admin_client.get(admin_url(m.TrainingCourse, "changelist"))
    assert "more than 300" in listed.content.decode()
    # Saved again untouched, nothing changes.
    again = post_form(admin_client, admin_url(m.TrainingCourse, "change", course.pk), {})
    assert again.status_code == 302
    course.refresh_from_db()
    assert (course.total_trained_qualifier, course.total_trained) == ("more_than", 300)
