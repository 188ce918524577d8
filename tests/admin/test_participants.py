"""Courses and operations are entered in the admin with their participants: a country, a region or an agency
(with its own country, or none), each in a role; a bad row is an error on that row, not a server error."""

import pytest

from cooperation import models as m
from tests import factories as f

from .formdata import CITATIONS, admin_url, inline_formset, post_form

pytestmark = pytest.mark.django_db


def country(code: str) -> m.Country:
    return m.Country.objects.get(iso2=code)


@pytest.fixture
def source():
    return f.SourceFactory(text="Spanish instructors trained 35 officers from the Caribbean, Venezuela and Paraguay.")


def test_a_course_is_entered_with_a_region_an_agency_and_roles(admin_client, source):
    guardia = f.AgencyFactory(name="Guardia Civil", country=country("ES"))
    caribbean = m.Region.objects.get(m49_code="029")
    typed = {
        "title": "Interdiction course",
        "status": "held",
        "participants-TOTAL_FORMS": "4",
        "participants-0-region": caribbean.pk,
        "participants-0-role": "participant",
        "participants-1-country": country("VE").pk,
        "participants-1-role": "participant",
        "participants-2-agency": guardia.pk,
        "participants-2-country": country("PT").pk,  # not the agency's country
        "participants-2-role": "instructor",
        "participants-3-country": country("UY").pk,
        "participants-3-region": caribbean.pk,  # a country and a region at once
        "participants-3-role": "invited",
        f"{CITATIONS}-0-source": source.pk,
        f"{CITATIONS}-0-quote": "Spanish instructors trained 35 officers",
    }
    refused = post_form(admin_client, admin_url(m.TrainingCourse, "add"), typed)
    assert refused.status_code == 200
    rows = inline_formset(refused, "participants").forms
    assert rows[2].errors == {"country": ["Guardia Civil is an agency of Spain: give its country, or none."]}
    assert rows[3].non_field_errors() == [
        "Give a country, a region or an agency (an agency may come with its own country)."
    ]
    assert not m.TrainingCourse.objects.exists()

    fixed = {**typed, "participants-2-country": "", "participants-3-region": ""}
    saved = post_form(admin_client, admin_url(m.TrainingCourse, "add"), fixed)
    assert saved.status_code == 302
    course = m.TrainingCourse.objects.get()
    assert [(str(p.agency or p.country or p.region), p.role) for p in course.participants.all()] == [
        ("Caribbean", "participant"),
        (str(country("VE")), "participant"),
        ("Guardia Civil", "instructor"),
        ("Uruguay", "invited"),
    ]
    listed = admin_client.get(admin_url(m.CourseParticipant, "changelist"), {"role__exact": "instructor"})
    assert [str(p.agency) for p in listed.context["cl"].result_list] == ["Guardia Civil"]


def test_an_operation_takes_the_same_country_in_two_roles_but_not_twice_in_one(admin_client, source):
    operation = f.OperationFactory()
    f.OperationParticipantFactory(operation=operation, country=country("GT"), role="lead")
    url = admin_url(m.Operation, "change", operation.pk)
    twice = post_form(
        admin_client,
        url,
        {"participants-TOTAL_FORMS": "2", "participants-1-country": country("GT").pk, "participants-1-role": "lead"},
    )
    assert twice.status_code == 200
    assert inline_formset(twice, "participants").forms[1].non_field_errors() == [
        "This country already takes part in this operation in this role."
    ]
    again = post_form(
        admin_client,
        url,
        {"participants-TOTAL_FORMS": "2", "participants-1-country": country("GT").pk, "participants-1-role": "host"},
    )
    assert again.status_code == 302
    assert sorted(operation.participants.values_list("role", flat=True)) == ["host", "lead"]
