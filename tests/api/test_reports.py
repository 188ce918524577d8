"""Issue 14: the model holds what other reporting says, without bending it.

``reports.yaml`` holds four invented reports of the kinds the seed article is not (a Spanish-language signing in
Lima, a course with participants in several roles, an operation's results, a centre's foundation stone and its
ceremony) and the records an analyst enters from them. They are entered here through the API, as a client
would; then each pattern of the issue is read back through the API and the CSV and checked against the words of
the report: no fact only in a summary, no number or date more precise or vaguer than its text.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import yaml

from cooperation import models as m
from tests.csv.helpers import rows

pytestmark = pytest.mark.django_db

REPORTS = yaml.safe_load((Path(__file__).parent / "reports.yaml").read_text(encoding="utf-8"))


@pytest.fixture
def entered(editor_client) -> list[dict]:
    """Every source and record of the reports, entered in order; each record as the API answered its POST."""
    urls = []
    for source in REPORTS["sources"]:
        response = editor_client.post("/api/v1/sources/", source, format="json")
        assert response.status_code == 201, response.content
        urls.append(source["url"])
    records = []
    for number, (resource, payload) in enumerate(REPORTS["records"]):
        citations = [{**c, "source": urls[c["source"]]} for c in REPORTS["citations"][number]]
        response = editor_client.post(f"/api/v1/{resource}/", {**payload, "citations": citations}, format="json")
        assert response.status_code == 201, (resource, response.content)
        records.append(response.json())
    return records


def by_title(records: list[dict], display: str) -> dict:
    return next(record for record in records if record["display"] == display)


def read(client, record: dict) -> dict:
    return client.get(record["api_url"]).json()


def test_no_fact_is_only_in_a_summary_and_every_fact_the_report_states_is_cited(client, entered):
    for record in entered:
        shown = read(client, record)
        assert shown.get("summary", "") == "", record["display"]
        # Every fact entered is one its report supports, field by field, except an acronym and other spellings
        # of a name, which the analyst knows and the report does not give.
        unsupported = set(shown["unsupported_fields"])
        assert unsupported <= {"acronym", "other_names"}, (record["display"], unsupported)
    official = by_title(entered, "Iurii Malakhov")
    assert read(client, official)["unsupported_fields"] == ["other_names"]


def test_places_a_locality_with_its_country_and_coordinates(client, entered):
    memorandum = read(client, by_title(entered, "Memorando de entendimiento antidrogas"))
    assert memorandum["place"]["name"] == "Lima" and memorandum["place"]["country"] == "PE"
    lima = m.Place.objects.get(pk=memorandum["place"]["id"])
    assert (round(lima.latitude), round(lima.longitude)) == (-12, -77)
    in_callao = client.get("/api/v1/operations/", {"place": "Callao [PE]"}).json()["results"]
    assert [o["name"] for o in in_callao] == ["Operation Tormenta"]
    # "outside Santo Domingo": the centre and its ceremony are found by the place's country.
    in_dominican_republic = client.get("/api/v1/events/", {"country": "DO"}).json()["results"]
    assert sorted(e["title"] for e in in_dominican_republic) == [
        "Ambassador welcomes the centre",
        "Foundation stone ceremony",
    ]


def test_who_took_part_in_what_role(client, entered):
    course = read(client, by_title(entered, "Anti-drug course"))
    roles = sorted((p["country"]["iso2"], p["role"]) for p in course["participants"])
    assert roles == [
        ("BZ", "participant"),
        ("CL", "invited"),
        ("CR", "participant"),
        ("ES", "instructor"),
        ("GT", "participant"),
        ("UY", "invited"),
    ]
    invited = client.get("/api/v1/training-courses/", {"participant_role": "invited", "country": "UY"}).json()
    assert [c["title"] for c in invited["results"]] == ["Anti-drug course"]
    operation = read(client, by_title(entered, "Operation Tormenta"))
    [lead] = operation["participants"]
    assert (lead["agency"]["name"], lead["role"]) == ("Ministerio del Interior", "lead")  # an agency takes part


def test_quantities_are_as_precise_as_their_words(client, entered):
    course = read(client, by_title(entered, "Anti-drug course"))
    assert (course["total_trained"]["qualifier"], course["total_trained"]["value"]) == ("more_than", 200)
    assert (course["total_trained_min"], course["total_trained_max"]) == (201, None)  # officers are whole
    outcomes = read(client, by_title(entered, "Operation Tormenta"))["outcomes"]
    assert [(o["quantity"]["text"], o["unit"], o["quantity_min"], o["quantity_max"]) for o in outcomes[1:]] == [
        ("41", "persons", 41, 41),
        ("between 3 and 5", "laboratories", 3, 5),
        ("at least 14", "units", 14, None),
    ]
    about = outcomes[0]
    # "about": the qualifier keeps the vagueness; the bounds take it at its value (no invented margin).
    assert (about["quantity"]["qualifier"], about["quantity"]["value"], about["unit"]) == ("about", 2.5, "t")
    assert (about["quantity_min"], about["quantity_max"]) == (2.5, 2.5)
    exported = rows(b"".join(client.get("/api/v1/operations/", {"format": "csv"}).streaming_content).decode())
    cell = json.loads(exported[0]["outcomes"])
    assert [o["quantity"] for o in cell] == ["about 2.5", 41, "between 3 and 5", "at least 14"]


def test_dates_are_as_vague_as_their_words(client, entered):
    memorandum = read(client, by_title(entered, "Memorando de entendimiento antidrogas"))
    assert (memorandum["signed_edtf"], memorandum["signed_earliest"], memorandum["signed_latest"]) == (
        "2017-03-14",
        "2017-03-14",
        "2017-03-14",
    )
    course = read(client, by_title(entered, "Anti-drug course"))
    assert date.fromisoformat(course["end_earliest"]) >= date(2018, 11, 1)
    assert date.fromisoformat(course["end_latest"]) == date(2018, 11, 30)
    assert course["end_earliest"] != course["end_latest"]  # "late November": a range, not a day
    framework = read(client, by_title(entered, "Acuerdo Marco de Cooperación"))
    assert (framework["signed_earliest"], framework["signed_latest"]) == ("2012-01-01", "2012-12-31")


def test_the_life_of_a_centre_and_a_course(client, entered):
    centre = read(client, by_title(entered, "Regional counternarcotics training centre"))
    assert centre["status"] == "under_construction"
    assert [(s["kind"], s["date"], s["date_edtf"]) for s in centre["milestones"]] == [
        ("construction_started", "early 2019", centre["milestones"][0]["date_edtf"]),
        ("foundation_stone", "June 2019", "2019-06"),
        ("planned", "2020", "2020"),
    ]
    assert centre["milestones"][0]["date_edtf"].startswith("2019")
    course = read(client, by_title(entered, "Anti-drug course"))
    assert (course["session"], course["status"]) == (3, "held")
    assert [(s["kind"], s["date"]) for s in course["milestones"]] == [("held", "late November 2018")]


def test_an_event_concerns_a_record_with_its_speakers_post_and_stance(client, entered):
    ceremony = by_title(entered, "Foundation stone ceremony")
    statement = read(client, by_title(entered, "Ambassador welcomes the centre"))
    assert (statement["kind"], statement["stance"]) == ("statement", "welcomed")
    assert statement["speaker_post"]["title"] == "Ambassador"
    centre = by_title(entered, "Regional counternarcotics training centre")
    concerned = [(c["training_centre"] or c["other_event"])["id"] for c in statement["concerns"]]
    assert concerned == [centre["id"], ceremony["id"]]
    found = client.get("/api/v1/events/", {"training_centre": centre["id"]}).json()["results"]
    assert sorted(e["title"] for e in found) == ["Ambassador welcomes the centre", "Foundation stone ceremony"]
    about_the_ceremony = client.get("/api/v1/events/", {"other_event": ceremony["id"]}).json()["results"]
    assert [e["title"] for e in about_the_ceremony] == ["Ambassador welcomes the centre"]


def test_what_an_agreement_covers_who_signed_it_and_what_it_implements(client, entered):
    memorandum = read(client, by_title(entered, "Memorando de entendimiento antidrogas"))
    assert sorted(a["code"] for a in memorandum["areas"]) == [
        "information_exchange",
        "money_laundering",
        "organised_crime",
    ]
    assert [d["name"] for d in memorandum["drugs"]] == ["cocaine"]
    assert sorted(p["agency"]["name"] for p in memorandum["parties"]) == [
        "Comité de Control de Drogas",
        "Ministerio del Interior",
    ]
    signed = sorted((s["official"]["name"], s["post"]["title"]) for s in memorandum["signatories"])
    assert signed == [
        ("Iurii Malakhov", "Deputy Director"),
        ("Rodrigo Paredes Quispe", "Vice-Minister of Internal Order"),
    ]
    [link] = memorandum["links"]
    assert (link["kind"], link["target"]["title"]) == ("implements", "Acuerdo Marco de Cooperación")


def test_citations_say_what_their_words_are_and_what_they_support(client, entered):
    memorandum = read(client, by_title(entered, "Memorando de entendimiento antidrogas"))
    translated = [c for c in memorandum["citations"] if c["kind"] == "translation"]
    assert [(c["quote"], c["supports"]) for c in translated] == [
        ("The memorandum implements the 2012 Framework Agreement", ["links"])
    ]
    assert [c["supports"] for c in memorandum["citations"] if "Lima, 14 de marzo" in c["quote"]] == [["signed"]]
    # Four reports, each article a source of its own.
    assert len(client.get("/api/v1/sources/", {"limit": 100}).json()["results"]) == 4


def test_names_as_sources_write_them(client, entered):
    # The report spells him "Iurii"; the signatory was entered as "Yuri Malakhov [KZ]", his other spelling.
    malakhov = m.Official.objects.get(name="Iurii Malakhov")
    assert m.AgreementSignatory.objects.filter(official=malakhov).count() == 1
    for spelling in ("Yuri", "Юрий Малахов", "iurii"):
        found = client.get("/api/v1/officials/", {"q": spelling}).json()["results"]
        assert [o["name"] for o in found] == ["Iurii Malakhov"], spelling
    # An agency by its acronym and by its name in another language, in a filter.
    for key in ("CCD", "Committee on Drug Control [KZ]"):
        parties = client.get("/api/v1/agreements/", {"agency": key}).json()["results"]
        assert [a["title"] for a in parties] == ["Memorando de entendimiento antidrogas"], key
