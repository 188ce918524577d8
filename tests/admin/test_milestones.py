"""Centres and courses are entered in the admin with their milestones: a status a milestone contradicts is refused
with the rows as typed, a milestone's source must be one the record cites, and the sidebar finds the centres that
opened in a year as the API does."""

import pytest

from cooperation import models as m
from tests import factories as f

from .formdata import CITATIONS, admin_url, inline_formset, post_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def source():
    return f.SourceFactory(text="La primera piedra del centro se colocó en 2018; abrió en octubre de 2020.")


def typed_centre(source, **changes) -> dict:
    return {
        "name": "Centro Antidrogas del Norte",
        "host_country": m.Country.objects.get(iso2="HN").pk,
        "status": "planned",
        "milestones-TOTAL_FORMS": "2",
        "milestones-0-kind": "foundation_stone",
        "milestones-0-date": "2018",
        "milestones-0-source": source.pk,
        "milestones-1-kind": "opened",
        "milestones-1-date": "octubre de 2020",
        "milestones-1-date_edtf": "2020-10",
        f"{CITATIONS}-0-source": source.pk,
        f"{CITATIONS}-0-quote": "abrió en octubre de 2020",
        **changes,
    }


def test_a_status_its_milestones_contradict_is_refused_with_the_rows_kept(admin_client, source):
    refused = post_form(admin_client, admin_url(m.TrainingCentre, "add"), typed_centre(source))
    assert refused.status_code == 200
    formset = inline_formset(refused, "milestones")
    assert formset.non_form_errors() == [
        "A training centre with a milestone \u201copened\u201d is operational or closed, not planned."
    ]
    assert [form["date"].value() for form in formset.forms] == ["2018", "octubre de 2020"]
    assert not m.TrainingCentre.objects.exists()

    saved = post_form(admin_client, admin_url(m.TrainingCentre, "add"), typed_centre(source, status="operational"))
    assert saved.status_code == 302
    centre = m.TrainingCentre.objects.get()
    assert [(s.kind, s.date_edtf, s.source_id) for s in centre.milestones.all()] == [
        ("foundation_stone", "2018", source.pk),
        ("opened", "2020-10", None),
    ]
    listed = admin_client.get(admin_url(m.TrainingCentre, "changelist"))
    assert "Opened (octubre de 2020)" in listed.content.decode()

    # Changing the status alone, with the milestones left as they are, is checked too.
    url = admin_url(m.TrainingCentre, "change", centre.pk)
    again = post_form(admin_client, url, {"status": "cancelled"})
    assert again.status_code == 200 and inline_formset(again, "milestones").non_form_errors()
    assert m.TrainingCentre.objects.get().status == "operational"


def test_a_milestones_source_is_one_the_centre_cites(admin_client, source):
    other = f.SourceFactory(title="Nota de prensa")
    typed = typed_centre(source, status="operational", **{"milestones-1-source": other.pk})
    refused = post_form(admin_client, admin_url(m.TrainingCentre, "add"), typed)
    assert refused.status_code == 200
    assert list(inline_formset(refused, "milestones").forms[1].errors) == ["source"]
    assert not m.TrainingCentre.objects.exists()


def test_a_course_takes_a_status_a_session_and_its_milestones(admin_client, source):
    typed = {
        "title": "Curso de interdicción marítima",
        "status": "cancelled",
        "session": "3",
        "milestones-TOTAL_FORMS": "2",
        "milestones-0-kind": "announced",
        "milestones-0-date": "early 2020",
        "milestones-1-kind": "cancelled",
        "milestones-1-date": "",
        f"{CITATIONS}-0-source": source.pk,
        f"{CITATIONS}-0-quote": "abrió en octubre de 2020",
    }
    saved = post_form(admin_client, admin_url(m.TrainingCourse, "add"), typed)
    assert saved.status_code == 302
    course = m.TrainingCourse.objects.get()
    assert (course.status, course.session) == ("cancelled", 3)
    assert [s.kind for s in course.milestones.all()] == ["announced", "cancelled"]
    zero = post_form(admin_client, admin_url(m.TrainingCourse, "add"), {**typed, "session": "0"})
    assert zero.status_code == 200 and "session" in zero.context["adminform"].form.errors


def test_the_sidebar_finds_the_centres_that_opened_in_a_year_as_the_api_does(admin_client, client):
    name, honduras = "Centro Antidrogas del Norte", m.Country.objects.get(iso2="HN")
    opened = f.TrainingCentreFactory(name=name, host_country=honduras, confirmed_distinct=True)
    f.CentreMilestoneFactory(centre=opened, kind="opened", date="2020")
    other = f.TrainingCentreFactory(name=name, host_country=honduras, confirmed_distinct=True)
    f.CentreMilestoneFactory(centre=other, kind="announced", date="2020")
    f.CentreMilestoneFactory(centre=other, kind="opened", date="2022")
    params = {"milestone": "opened", "milestone_from": "2020", "milestone_to": "2020"}
    shown = admin_client.get(admin_url(m.TrainingCentre, "changelist"), params)
    assert shown.status_code == 200
    assert [c.pk for c in shown.context["cl"].queryset] == [opened.pk]
    api = client.get("/api/v1/training-centres/", params).json()["results"]
    assert [row["id"] for row in api] == [opened.pk]
    years = admin_client.get(admin_url(m.TrainingCentre, "changelist")).content.decode()
    assert "milestone_from=2022&amp;milestone_to=2022" in years or "milestone_to=2022" in years


def test_a_status_and_the_milestone_that_forbade_it_change_together(admin_client, source):
    """The course's participants inline reads no milestones: only the milestones' inline, as posted, is checked."""
    course = f.TrainingCourseFactory(status="cancelled", centre=None)
    f.CitationFactory(record=course, source=source, quote="abrió en octubre de 2020")
    f.CourseParticipantFactory(course=course)
    f.CourseMilestoneFactory(course=course, kind="cancelled", date="2021")
    url = admin_url(m.TrainingCourse, "change", course.pk)
    revived = post_form(admin_client, url, {"status": "planned", "milestones-0-DELETE": "on"})
    assert revived.status_code == 302
    assert m.TrainingCourse.objects.get().status == "planned" and not m.CourseMilestone.objects.exists()
