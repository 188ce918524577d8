"""Issue 14, pattern 4: the life of a centre or a course, as the sources tell it.

"Construction began in mid-2019", "the centre opened around 2021", "the third session was held", "two officers
will travel to Madrid next month": a status, dated milestones (each on one of the sources its record cites) and a
session number. Entered through the API, refused when the status contradicts a milestone, found by status, by
milestone kind and date and by session, exported and imported back unchanged. The data are unlike the seed's:
vague and relative dates, two centres of one name in one country, a course that did not happen.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest

from cooperation import models as m
from cooperation.resources import RESOURCES
from cooperation.tabular.imports import import_csv
from tests import factories as f
from tests.csv.helpers import export, rows, to_csv

pytestmark = pytest.mark.django_db

GACETA = "https://gaceta.example.net/2019/07/centro"
BOLETIN = "https://boletin.example.org/2022/01/apertura"
TEXT = "Construction of the regional training centre began in mid-2019, near Santo Domingo."


@pytest.fixture
def sources():
    gaceta = f.SourceFactory(url=GACETA, text=TEXT, published="July 2019")
    boletin = f.SourceFactory(url=BOLETIN, text="", published="10 January 2022")
    return gaceta, boletin


def centre_payload(**changes) -> dict:
    return {
        "name": "Centro Regional de Capacitación",
        "host_country": "DO",
        "status": "operational",
        "milestones": [
            {"kind": "construction_started", "date": "mid-2019", "source": GACETA},
            {"kind": "opened", "date": "c. 2021", "source": BOLETIN, "note": "first courses given"},
            {"kind": "announced"},  # undated: the source does not say when
        ],
        "citations": [
            {"source": GACETA, "quote": "Construction of the regional training centre began in mid-2019"},
            {"source": BOLETIN, "quote": "El centro abrió sus puertas hacia 2021", "kind": "translation"},
        ],
        **changes,
    }


def post(client, resource: str, payload: dict, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return client.post(f"/api/v1/{resource}/?{query}", payload, format="json")


def listed(client, resource: str, **params) -> list[str]:
    response = client.get(f"/api/v1/{resource}/", {**params, "limit": 100})
    assert response.status_code == 200, response.content
    return sorted(row["display"] for row in response.json()["results"])


# --- Entered as written, each milestone on a cited source ------------------------------------------------
def test_a_centre_is_entered_with_vague_and_undated_milestones(client, editor_client, sources):
    response = post(editor_client, "training-centres", centre_payload())
    assert response.status_code == 201, response.content
    shown = client.get(response.json()["api_url"]).json()
    assert [(s["kind"], s["date"], s["date_edtf"], (s["source"] or {}).get("url")) for s in shown["milestones"]] == [
        ("construction_started", "mid-2019", "2019-05/2019-08", GACETA),
        ("opened", "c. 2021", "2021~", BOLETIN),
        ("announced", "", "", None),
    ]
    stored = m.CentreMilestone.objects.get(kind="opened")
    assert (stored.date_earliest, stored.date_latest) == (dt.date(2021, 1, 1), dt.date(2021, 12, 31))
    assert m.TrainingCentre.history.count() == 1 and m.CentreMilestone.history.count() == 3


def test_a_milestone_stands_on_a_source_its_record_cites(editor_client, sources):
    elsewhere = f.SourceFactory(url="https://otro.example.com/nota")
    payload = centre_payload()
    payload["milestones"][1]["source"] = elsewhere.url
    response = post(editor_client, "training-centres", payload)
    assert response.status_code == 400
    assert list(response.json()) == ["milestones[1].source"]
    assert not m.TrainingCentre.objects.exists()


def test_next_month_counts_from_the_milestones_own_source(editor_client, sources):
    # "Two officers will travel to Madrid next month", in a bulletin of 10 January 2022.
    f.SourceFactory(url="https://first.example.net/x", published="")
    course = {
        "title": "Curso de inteligencia antidrogas",
        "status": "planned",
        "milestones": [{"kind": "planned", "date": "next month", "source": BOLETIN}],
        "citations": [
            {"source": GACETA, "quote": "the regional training centre"},
            {"source": BOLETIN, "quote": "Dos oficiales viajarán a Madrid el próximo mes", "kind": "translation"},
        ],
    }
    response = post(editor_client, "training-courses", course)
    assert response.status_code == 201, response.content
    [planned] = response.json()["milestones"]
    assert (planned["date"], planned["date_edtf"]) == ("next month", "2022-02")


# --- The status and the milestones agree -----------------------------------------------------------------
def test_a_status_a_milestone_contradicts_is_refused_on_the_status(editor_client, sources):
    response = post(editor_client, "training-centres", centre_payload(status="planned"))
    assert response.status_code == 400
    assert list(response.json()) == ["status"]
    assert "opened" in response.json()["status"][0] and "operational or closed" in response.json()["status"][0]
    assert not m.TrainingCentre.objects.exists() and not m.CentreMilestone.objects.exists()

    created = post(editor_client, "training-centres", centre_payload()).json()
    url = created["api_url"]
    # Changing the status alone is checked against the milestones stored ...
    refused = editor_client.patch(url, {"status": "under_construction"}, format="json")
    assert refused.status_code == 400 and list(refused.json()) == ["status"]
    # ... and a closing goes with a closed status.
    closed = editor_client.patch(
        url,
        {"status": "closed", "milestones": [*created["milestones"], {"kind": "closed", "date": "2024"}]},
        format="json",
    )
    assert closed.status_code == 200, closed.content
    cancelled = editor_client.patch(url, {"milestones": [{"kind": "cancelled"}]}, format="json")
    assert cancelled.status_code == 400 and list(cancelled.json()) == ["status"]


def test_a_kind_of_milestone_a_centre_does_not_take_is_refused_on_the_kind(editor_client, sources):
    payload = centre_payload(milestones=[{"kind": "held", "date": "2021"}])
    response = post(editor_client, "training-centres", payload)
    assert response.status_code == 400 and list(response.json()) == ["milestones[0].kind"]


def test_the_same_milestone_twice_is_refused_and_a_session_is_one_or_more(editor_client, sources):
    payload = centre_payload(milestones=[{"kind": "opened", "date": "2021"}, {"kind": "opened", "date": "2021"}])
    response = post(editor_client, "training-centres", payload)
    assert response.status_code == 400 and list(response.json()) == ["milestones[1]"]
    course = {"title": "Curso", "status": "held", "session": 0, "citations": [{"source": GACETA, "quote": "centre"}]}
    response = post(editor_client, "training-courses", course)
    assert response.status_code == 400 and list(response.json()) == ["session"]


def test_sending_the_record_back_unchanged_changes_nothing(editor_client, sources):
    created = post(editor_client, "training-centres", centre_payload()).json()
    body = {key: created[key] for key in ("name", "host_country", "status", "milestones", "citations")}
    body["host_country"] = "DO"
    body["milestones"] = [
        {**{k: v for k, v in s.items() if k != "id"}, "source": (s["source"] or {}).get("url")}
        for s in created["milestones"]
    ]
    body["citations"] = [{**c, "source": c["source"]["url"]} for c in created["citations"]]
    for citation in body["citations"]:
        citation.pop("id", None)
    again = editor_client.put(created["api_url"], body, format="json")
    assert again.status_code == 200, again.content
    assert again.json()["version"] == created["version"]
    assert m.CentreMilestone.history.count() == 3


# --- Found by status, milestone and session --------------------------------------------------------------
@pytest.fixture
def centres_and_courses(sources):
    """Two centres of one name in the Dominican Republic, one opened in 2021 and one opened "before 2022"; a third
    announced in 2021 and opened in 2023; a planned one; courses held, planned and cancelled, in sessions."""
    dominican = m.Country.objects.get(iso2="DO")
    name = "Centro Regional de Capacitación"
    opened = f.TrainingCentreFactory(name=name, host_country=dominican, confirmed_distinct=True)
    f.CentreMilestoneFactory(centre=opened, kind="opened", date="March 2021")
    vague = f.TrainingCentreFactory(name=name, host_country=dominican, confirmed_distinct=True)
    f.CentreMilestoneFactory(centre=vague, kind="opened", date="before 2022")
    later = f.TrainingCentreFactory(name="Centro del Caribe", host_country=dominican)
    f.CentreMilestoneFactory(centre=later, kind="announced", date="2021")
    f.CentreMilestoneFactory(centre=later, kind="opened", date="2023")
    f.TrainingCentreFactory(name="Escuela Antidrogas", status="planned")
    for session, status in ((1, "held"), (2, "held"), (3, "cancelled"), (4, "planned")):
        course = f.TrainingCourseFactory(
            title=f"Curso regional {session}", centre=opened, session=session, status=status
        )
        if status == "held":
            f.CourseMilestoneFactory(course=course, kind="held", date=f"{2020 + session}")
    f.TrainingCourseFactory(title="Curso sin sesión", centre=None, status="planned")
    return opened, vague, later


def test_centres_that_opened_in_2021(client, centres_and_courses):
    opened, vague, later = centres_and_courses
    in_2021 = {"milestone": "opened", "milestone_from": "2021", "milestone_to": "2021"}
    found = client.get("/api/v1/training-centres/", in_2021).json()["results"]
    # The one opened in March 2021, and the one opened "before 2022", which may have been in 2021; not the one
    # announced in 2021 that opened in 2023: the same milestone meets the kind and the dates.
    assert sorted(row["id"] for row in found) == sorted([opened.pk, vague.pk])
    certainly = client.get("/api/v1/training-centres/", {**in_2021, "milestone_match": "within"}).json()["results"]
    assert [row["id"] for row in certainly] == [opened.pk]
    any_kind = client.get("/api/v1/training-centres/", {"milestone_from": "2023"}).json()["results"]
    assert [row["id"] for row in any_kind] == [later.pk]
    assert listed(client, "training-centres", status="planned") == ["Escuela Antidrogas"]


def test_held_versus_planned_courses_and_sessions(client, centres_and_courses):
    assert listed(client, "training-courses", status="held") == ["Curso regional 1", "Curso regional 2"]
    assert listed(client, "training-courses", status="planned") == ["Curso regional 4", "Curso sin sesión"]
    assert listed(client, "training-courses", session="3") == ["Curso regional 3"]
    assert listed(client, "training-courses", session__gte="2", session__lte="3") == [
        "Curso regional 2",
        "Curso regional 3",
    ]
    assert listed(client, "training-courses", milestone="held", milestone_from="2022") == ["Curso regional 2"]


@pytest.mark.parametrize(
    "params",
    [
        {"milestone": "opened_maybe"},
        {"milestone_from": "sometime"},
        {"milestone_match": "within"},  # without the window it matches
        {"session": "third"},
        {"session__gte": "0"},
        {"session__lte": "99999999999"},
        {"status": "happened"},
    ],
)
def test_a_bad_filter_is_a_400_naming_it(client, params):
    resource = "training-courses" if "session" in "".join(params) or "status" in params else "training-centres"
    response = client.get(f"/api/v1/{resource}/", params)
    assert response.status_code == 400, response.content
    assert set(params) & set(response.json()), response.json()


# --- CSV: exported, edited in a spreadsheet, imported back ------------------------------------------------
def test_milestones_go_out_and_come_back_through_the_csv(editor_client, sources):
    post(editor_client, "training-centres", centre_payload())
    twin = centre_payload(milestones=[{"kind": "construction_started", "date": "2020?"}], status="under_construction")
    assert post(editor_client, "training-centres", twin, confirm_duplicate="true").status_code == 201
    before = export("training-centres")
    cells = [json.loads(row["milestones"]) for row in rows(before)]
    assert cells[0][1] == {
        "kind": "opened",
        "date": "c. 2021",
        "date_edtf": "2021~",
        "source": BOLETIN,
        "note": "first courses given",
    }
    assert cells[1] == [{"kind": "construction_started", "date": "2020?", "date_edtf": "2020?"}]

    # Into an empty table, as a new record each (no ids): the same file comes out again.
    m.Citation.objects.all().delete()
    m.TrainingCentre.objects.all().delete()
    records = [{k: v for k, v in row.items() if k != "id"} for row in rows(before)]
    result = import_csv(RESOURCES["training-centres"], io.BytesIO(to_csv(records)), confirm_duplicate=True)
    assert [e.as_dict() for e in result.errors] == []
    ignored = {"id", "created_at", "updated_at", "version"}
    again = [{k: v for k, v in row.items() if k not in ignored} for row in rows(export("training-centres"))]
    assert again == [{k: v for k, v in row.items() if k not in ignored} for row in rows(before)]

    # An analyst marks one as closed in the spreadsheet, and forgets the status: the row is refused.
    edited = rows(export("training-centres"))[0]
    closing = json.loads(edited["milestones"]) + [{"kind": "closed", "date": "2024"}]
    refused = import_csv(
        RESOURCES["training-centres"], io.BytesIO(to_csv([{**edited, "milestones": json.dumps(closing)}]))
    )
    assert [(e.row, e.column) for e in refused.errors] == [(2, "status")]
    fixed = {**edited, "milestones": json.dumps(closing), "status": "closed"}
    assert import_csv(RESOURCES["training-centres"], io.BytesIO(to_csv([fixed]))).errors == []
    assert m.CentreMilestone.objects.filter(kind="closed", date_edtf="2024").count() == 1
