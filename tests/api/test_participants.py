"""Issue 14, pattern 2: who took part in a course or an operation, in what role, as the source says it.

"More than 200 police officers from Guatemala, Costa Rica and Belize", "35 officers from the Caribbean,
Venezuela and Paraguay", "Uruguay and Chile were invited", "Spanish instructors": a participant is a country,
a region (when the source names no countries) or an agency with or without its country, in a role. Entered
through the API, found by country, region and role, exported and imported back unchanged.
"""

from __future__ import annotations

import json

import pytest

from cooperation import models as m
from tests import factories as f
from tests.csv.helpers import rows

pytestmark = pytest.mark.django_db

SOURCE = "https://diario.example.net/2015/03/curso-interdiccion"
TEXT = (
    "Thirty-five officers from the Caribbean, Venezuela and Paraguay began the interdiction course in Managua. "
    "Uruguay and Chile were invited. Instructors of the Spanish Guardia Civil teach it, with Russian funding."
)


def country(code: str) -> m.Country:
    return m.Country.objects.get(iso2=code)


@pytest.fixture
def course(editor_client):
    f.SourceFactory(url=SOURCE, text=TEXT)
    f.AgencyFactory(name="Guardia Civil", acronym="GC", kind="police", country=country("ES"))
    f.TrainingCentreFactory(name="Centro Regional de Managua", host_country=country("NI"))
    payload = {
        "title": "Maritime interdiction, second cohort",
        "status": "ongoing",
        "start": "March 2015",
        "total_trained": 35,
        "participants": [
            {"region": "029"},  # the Caribbean, its countries unnamed
            {"country": "VE"},
            {"country": "PY", "trainees": 6},
            {"country": "UY", "role": "invited"},
            {"country": "CL", "role": "invited"},
            {"agency": "Guardia Civil", "country": "ES", "role": "instructor"},
            {"country": "RU", "role": "sponsor"},
            {"country": "NI", "role": "host"},
        ],
        "citations": [{"source": SOURCE, "quote": "Uruguay and Chile were invited."}],
    }
    response = editor_client.post("/api/v1/training-courses/", payload, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_each_participant_keeps_its_kind_and_role(client, course):
    shown = client.get(course["api_url"]).json()["participants"]

    def who(p: dict) -> str:
        return p["region"]["m49_code"] if p["region"] else p["country"]["iso2"]

    assert [(who(p), p["role"], p["trainees"] and p["trainees"]["text"]) for p in shown] == [
        ("029", "participant", None),
        ("VE", "participant", None),
        ("PY", "participant", "6"),
        ("UY", "invited", None),
        ("CL", "invited", None),
        ("ES", "instructor", None),
        ("RU", "sponsor", None),
        ("NI", "host", None),
    ]
    assert shown[5]["agency"]["name"] == "Guardia Civil"
    assert [p["agency"] for p in shown].count(None) == 7


@pytest.mark.parametrize(
    ("params", "found"),
    [
        ({"country": "ES"}, True),  # through the instructors' agency
        ({"country": "UY"}, True),  # invited counts: the filter is "in any role"
        ({"country": "JM"}, False),  # "the Caribbean" names no country
        ({"region": "029"}, True),  # the region itself
        ({"region": "019"}, True),  # the Americas, above it
        ({"region": "150"}, True),  # Europe: Spain and Russia
        ({"region": "002"}, False),  # Africa
        ({"participant_role": "invited"}, True),
        ({"participant_role": "instructor,observer"}, True),
        ({"participant_role": "observer"}, False),
        ({"agency": "Guardia Civil"}, True),
    ],
)
def test_a_course_is_found_by_its_participants_countries_regions_and_roles(client, course, params, found):
    response = client.get("/api/v1/training-courses/", params)
    assert response.status_code == 200, response.content
    assert ([row["id"] for row in response.json()["results"]] == [course["id"]]) is found


def test_a_participant_is_a_country_a_region_or_an_agency_with_its_own_country(editor_client, course):
    url = course["api_url"]

    def put(*participants):
        record = editor_client.get(url).json()
        return editor_client.put(url, {**record, "participants": list(participants)}, format="json")

    both = put({"country": "VE", "region": "005"})
    assert both.status_code == 400
    assert both.json() == {
        "participants[0]": ["Give a country, a region or an agency (an agency may come with its own country)."]
    }
    nobody = put({"role": "observer"})
    assert nobody.status_code == 400 and list(nobody.json()) == ["participants[0]"]
    wrong = put({"agency": "Guardia Civil", "country": "PT", "role": "instructor"})
    assert wrong.status_code == 400
    assert wrong.json() == {
        "participants[0].country": ["Guardia Civil (GC) is an agency of Spain: give its country, or none."]
    }
    twice = put({"country": "UY", "role": "invited"}, {"country": "UY", "role": "invited"})
    assert twice.status_code == 400 and list(twice.json()) == ["participants[1]"]
    unknown = put({"country": "UY", "role": "guest"})
    assert unknown.status_code == 400 and list(unknown.json()) == ["participants[0].role"]

    # One country in two roles: invited, then it sent trainees.
    assert put({"country": "UY", "role": "invited"}, {"country": "UY", "trainees": 4}).status_code == 200
    assert [(p["role"], p["trainees_min"]) for p in editor_client.get(url).json()["participants"]] == [
        ("invited", None),
        ("participant", 4),
    ]


def test_participants_sent_again_keep_their_ids(editor_client, course):
    record = editor_client.get(course["api_url"]).json()
    ids = [p["id"] for p in record["participants"]]
    response = editor_client.put(course["api_url"], record, format="json")
    assert response.status_code == 200, response.content
    assert [p["id"] for p in response.json()["participants"]] == ids
    assert response.json()["version"] == record["version"]  # nothing changed


def test_a_course_round_trips_through_the_csv_with_its_participants(editor_client, client, course):
    exported = client.get("/api/v1/training-courses/", {"format": "csv"})
    text = b"".join(exported.streaming_content)
    [row] = rows(text.decode())
    participants = json.loads(row["participants"])
    assert participants[0] == {"region": "029", "role": "participant"}
    assert participants[5] == {"country": "ES", "agency": "Guardia Civil [ES]", "role": "instructor"}

    response = editor_client.post("/api/v1/training-courses/import/", text, content_type="text/csv")
    assert (response.json()["created"], response.json()["unchanged"]) == (0, 1), response.content

    # Without its id, the row enters the course anew: the same participants, in the same roles.
    fresh = text.decode().replace(f"\n{course['id']},", "\n,", 1).encode()
    response = editor_client.post("/api/v1/training-courses/import/", fresh, content_type="text/csv")
    assert response.json()["created"] == 1, response.content
    listed = client.get("/api/v1/training-courses/", {"region": "029"}).json()["results"]
    assert len(listed) == 2
    assert [p["role"] for p in listed[1]["participants"]] == [p["role"] for p in listed[0]["participants"]]


def test_operation_participants_take_regions_and_the_same_roles(editor_client, client):
    f.SourceFactory(url=SOURCE, text=TEXT)
    police = f.AgencyFactory(name="Policía Nacional Civil", acronym="PNC", country=country("GT"))
    payload = {
        "name": "Operation Tridente",
        "status": "completed",
        "start": "2014",
        "participants": [
            {"agency": "Policía Nacional Civil [GT]", "country": "GT", "role": "lead"},
            {"country": "CR"},
            {"country": "BZ"},
            {"region": "029", "role": "observer"},
            {"country": "US", "role": "sponsor"},
        ],
        "citations": [{"source": SOURCE, "quote": "Thirty-five officers from the Caribbean"}],
    }
    response = editor_client.post("/api/v1/operations/", payload, format="json")
    assert response.status_code == 201, response.content
    operation = response.json()
    assert operation["participants"][0]["agency"]["id"] == police.pk
    assert [p["role"] for p in operation["participants"]] == [
        "lead",
        "participant",
        "participant",
        "observer",
        "sponsor",
    ]

    def found(**params) -> bool:
        response = client.get("/api/v1/operations/", params)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]] == [operation["id"]]

    assert found(country="GT") and found(region="029") and found(region="013") and found(participant_role="sponsor")
    assert not found(country="JM") and not found(participant_role="host")

    exported = b"".join(client.get("/api/v1/operations/", {"format": "csv"}).streaming_content)
    response = editor_client.post("/api/v1/operations/import/", exported, content_type="text/csv")
    assert response.json()["unchanged"] == 1, response.content


def test_an_agency_named_with_its_country_by_a_participant_keeps_that_country(editor_client, course):
    guardia = m.Agency.objects.get(name="Guardia Civil")
    response = editor_client.patch(f"/api/v1/agencies/{guardia.pk}/", {"country": "PT"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "country": ["Some course participants give this agency with its present country: change them first."]
    }
