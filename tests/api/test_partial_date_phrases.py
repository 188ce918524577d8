"""Dates as reporting writes them, through the API: open bounds stay open, parts of a year stay parts, relative
phrases count from the cited source's publication date (or are refused), and ``date_match=within`` keeps only
records that certainly fall in the window."""

from __future__ import annotations

import pytest

from cooperation import models as m
from tests import factories as f

pytestmark = pytest.mark.django_db
QUOTE = "Training starts in 2013."


def course(editor_client, *, start: str = "", end: str = "", source: m.Source | None = None, **extra):
    source = source or f.SourceFactory()
    body = {"title": "Curso de interdicción", "status": "planned", "start": start, "end": end, **extra}
    body["citations"] = [{"source": source.url, "quote": QUOTE}]
    return editor_client.post("/api/v1/training-courses/", body, format="json")


@pytest.mark.parametrize(
    ("written", "edtf", "earliest", "latest"),
    [
        ("by 1 June 2015", "[..2015-06-01]", None, "2015-06-01"),
        ("no later than March 2016", "[..2016-03]", None, "2016-03-31"),
        ("since August 2011", "[2011-08..]", "2011-08-01", None),
        ("late 2012", "2012-09/2012-12", "2012-09-01", "2012-12-31"),
        ("mid-2013", "2013-05/2013-08", "2013-05-01", "2013-08-31"),
        ("early March 2014", "2014-03-01/2014-03-10", "2014-03-01", "2014-03-10"),
        ("autumn 2011", "2011-23", "2011-09-01", "2011-11-30"),
        ("around mid-2013", "2013-05~/2013-08~", "2013-05-01", "2013-08-31"),
        ("reportedly in 2014", "2014?", "2014-01-01", "2014-12-31"),
        ("the late 2000s", "2007/2009", "2007-01-01", "2009-12-31"),
        ("between April and June 2014", "2014-04/2014-06", "2014-04-01", "2014-06-30"),
    ],
)
def test_a_phrase_is_stored_as_precisely_as_it_says(editor_client, written, edtf, earliest, latest):
    response = course(editor_client, start=written)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["start"], body["start_edtf"]) == (written, edtf)
    assert (body["start_earliest"], body["start_latest"]) == (earliest, latest)


@pytest.mark.parametrize(
    ("published", "written", "edtf"),
    [
        ("2015-06-10", "next month", "2015-07"),
        ("2015-06-10", "last week", "2015-06-01/2015-06-07"),
        ("2015-06-10", "in the coming year", "2015-06-10/2016-06-10"),
        ("2015-06", "next year", "2016"),
        ("April 2015", "two months ago", "2015-02"),
        ("[2012-10..]", "in the coming year", "[2012-10-01..]"),  # published no earlier than October 2012
    ],
)
def test_a_relative_phrase_counts_from_the_cited_sources_publication_date(editor_client, published, written, edtf):
    source = f.SourceFactory(published=published)
    response = course(editor_client, start=written, source=source)
    assert response.status_code == 201, response.content
    assert (response.json()["start"], response.json()["start_edtf"]) == (written, edtf)


def test_a_relative_phrase_counts_from_the_first_cited_source_that_has_a_date(editor_client):
    undated, dated = f.SourceFactory(published=""), f.SourceFactory(published="3 February 2014")
    body = {
        "title": "Curso",
        "status": "planned",
        "start": "next week",
        "citations": [{"source": s.url, "quote": QUOTE} for s in (undated, dated)],
    }
    response = editor_client.post("/api/v1/training-courses/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["start_edtf"] == "2014-02-10/2014-02-16"


def test_a_relative_phrase_without_a_dated_source_is_a_400_naming_the_field(editor_client):
    response = course(editor_client, end="next month", source=f.SourceFactory(published=""))
    assert response.status_code == 400
    assert list(response.json()) == ["end"]
    assert "relative date needs a cited source with a publication date" in response.json()["end"][0]
    assert not m.TrainingCourse.objects.exists()


def test_a_relative_phrase_with_its_edtf_given_needs_no_dated_source(editor_client):
    response = course(editor_client, start="in the coming year", start_edtf="[2012-10..]")
    assert response.status_code == 201, response.content
    assert response.json()["start_edtf"] == "[2012-10..]"


def test_a_patch_counts_from_the_stored_citations(editor_client):
    created = course(editor_client, start="2015", source=f.SourceFactory(published="2015-06-10")).json()
    response = editor_client.patch(created["api_url"], {"end": "later this year"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["end_edtf"] == "2015-06-10/2015-12-31"


def test_a_phrase_that_is_not_understood_is_a_400_naming_the_field(editor_client):
    response = course(editor_client, start="sometime after the elections")
    assert response.status_code == 400
    assert list(response.json()) == ["start"] and "Cannot read" in response.json()["start"][0]


# --- date_match ------------------------------------------------------------------------------------------
@pytest.fixture
def courses():
    for start, end in (("by 1 June 2015", ""), ("March 2012", "May 2012"), ("late 2012", "early 2013"), ("2014", "")):
        f.TrainingCourseFactory(title=f"{start} - {end}", start=start, end=end)


def titles(client, params) -> set[str]:
    response = client.get("/api/v1/training-courses/", params)
    assert response.status_code == 200, response.content
    return {row["title"] for row in response.json()["results"]}


def test_overlap_stays_the_default_and_an_open_date_may_fall_in_any_window(client, courses):
    window = {"date_from": "2012-01-01", "date_to": "2012-12-31"}
    expected = {"by 1 June 2015 - ", "March 2012 - May 2012", "late 2012 - early 2013"}
    assert titles(client, window) == expected
    assert titles(client, {**window, "date_match": "overlap"}) == expected


def test_within_keeps_only_what_certainly_falls_in_the_window(client, courses):
    assert titles(client, {"date_from": "2012-01-01", "date_to": "2012-12-31", "date_match": "within"}) == {
        "March 2012 - May 2012"
    }
    assert titles(client, {"date_from": "2012", "date_to": "2013", "date_match": "within"}) == {
        "March 2012 - May 2012",
        "late 2012 - early 2013",
    }
    # A window open on one side takes what is open on that side: a course with no end may still be running.
    assert titles(client, {"date_from": "2012", "date_match": "within"}) == {
        "March 2012 - May 2012",
        "late 2012 - early 2013",
        "2014 - ",
    }
    assert titles(client, {"date_to": "2015", "date_match": "within"}) == {
        "March 2012 - May 2012",
        "late 2012 - early 2013",
    }


def test_within_applies_to_single_dates_and_the_csv_export(client):
    for written in ("before 2013", "2012-06", "summer 2012"):
        f.EventFactory(title=written, date=written)
    params = {"date_from": "2012", "date_to": "2012", "date_match": "within"}
    response = client.get("/api/v1/events/", params)
    assert {row["title"] for row in response.json()["results"]} == {"2012-06", "summer 2012"}
    export = client.get("/api/v1/events/", {"format": "csv", **params})
    assert export.status_code == 200
    text = b"".join(export.streaming_content).decode()
    assert "before 2013" not in text and "summer 2012" in text


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date_from": "2012", "date_match": "inside"}, "date_match"),
        ({"date_from": "2012", "date_match": ""}, "date_match"),
        ({"date_match": "within"}, "date_match"),
    ],
)
def test_a_bad_date_match_is_a_400_naming_it(client, params, field):
    response = client.get("/api/v1/training-courses/", params)
    assert response.status_code == 400 and field in response.json(), response.content
