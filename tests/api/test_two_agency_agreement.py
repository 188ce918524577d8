"""Issue 12, "done when": a client enters a two-agency agreement, finds it by either agency's country and region,
exports it, imports the export back unchanged and sees ``unchanged`` with no version moved. All through HTTP."""

from __future__ import annotations

import pytest

from tests.csv.helpers import rows

pytestmark = pytest.mark.django_db


def test_a_two_agency_agreement_is_found_by_either_side_and_round_trips_unchanged(editor_client, client):
    # The agencies and the source, entered as a client would.
    for name, acronym, country in (
        ("Dirección Antidrogas", "DIRANDRO", "PE"),
        ("Federal Drug Control Service", "FSKN", "RU"),
    ):
        agency = {"name": name, "acronym": acronym, "kind": "police", "country": country}
        agency["citations"] = [{"source": "https://example.org/report", "quote": "DIRANDRO and FSKN signed"}]
        if name.startswith("Dirección"):
            source = {"title": "Report", "kind": "report", "url": "https://example.org/report"}
            source["text"] = "DIRANDRO and FSKN signed a memorandum on information exchange."
            assert editor_client.post("/api/v1/sources/", source, format="json").status_code == 201
        assert editor_client.post("/api/v1/agencies/", agency, format="json").status_code == 201

    created = editor_client.post(
        "/api/v1/agreements/",
        {
            "title": "Memorandum between DIRANDRO and FSKN",
            "kind": "inter_agency_agreement",
            "status": "signed",
            "signed": "October 2012",
            "areas": ["information_exchange"],
            "parties": [{"agency": "DIRANDRO"}, {"agency": "Federal Drug Control Service [RU]", "country": "RU"}],
            "citations": [{"source": "https://example.org/report", "quote": "signed a memorandum on information"}],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    agreement = created.json()

    def found(**params) -> bool:
        response = client.get("/api/v1/agreements/", params)
        assert response.status_code == 200, response.content
        return agreement["id"] in [row["id"] for row in response.json()["results"]]

    for params in (
        {"country": "PE"},
        {"country": "RU"},
        {"country__all": "PE,RU"},
        {"region": "005"},  # South America
        {"region": "419"},  # Latin America and the Caribbean, above it
        {"region": "151"},  # Eastern Europe
        {"region__all": "419,150"},  # Latin America and Europe
        {"date_from": "2012-10", "date_to": "2012-10"},
    ):
        assert found(**params), params
    assert not found(country="CO")

    exported = client.get("/api/v1/agreements/", {"format": "csv", "country__all": "PE,RU"})
    text = b"".join(exported.streaming_content)
    assert [row["id"] for row in rows(text.decode())] == [str(agreement["id"])]

    for dry_run in ("true", "false"):
        response = editor_client.post(f"/api/v1/agreements/import/?dry_run={dry_run}", text, content_type="text/csv")
        assert response.status_code == 200, response.content
        result = response.json()
        assert (result["created"], result["updated"], result["unchanged"]) == (0, 0, 1), result

    again = client.get(agreement["api_url"])
    assert again.json()["version"] == agreement["version"] == 1
    assert again.json()["updated_at"] == agreement["updated_at"]
    assert again["ETag"] == '"1"'
    since = client.get("/api/v1/agreements/", {"updated_since": agreement["updated_at"]}).json()["results"]
    assert [row["version"] for row in since] == [1]
