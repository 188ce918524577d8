"""Sidebar filters: partial dates by overlap of their bounds, regions with their sub-regions, sourcing."""

import pytest

from cooperation.models import Agreement, Country, Event, Post, Region
from tests.factories import AgencyFactory, AgreementFactory, AgreementPartyFactory, EventFactory, PostFactory

from .formdata import admin_url

pytestmark = pytest.mark.django_db


def listed(client, model, key=str, **params) -> set[str]:
    """What the changelist shows with these query parameters, each row named by ``key``."""
    response = client.get(admin_url(model, "changelist"), params)
    assert response.status_code == 200
    return {key(row) for row in response.context["cl"].result_list}


@pytest.fixture
def events():
    EventFactory(title="October visit", date="October 2012")
    EventFactory(title="A visit in 2013", date="2013")
    EventFactory(title="A visit some day", date="")


def test_a_year_finds_the_dates_that_may_fall_in_it(admin_client, events):
    assert listed(admin_client, Event, date_from="2012", date_to="2012") == {"October visit"}
    assert listed(admin_client, Event, date_from="2012-10-15", date_to="2012-10-15") == {"October visit"}
    assert listed(admin_client, Event, date_from="2013-06") == {"A visit in 2013"}


def test_a_range_is_typed_as_dates_are_written(admin_client, events):
    assert listed(admin_client, Event, date_from="September 2012", date_to="January 2013") == {
        "October visit",
        "A visit in 2013",
    }


def test_the_sidebar_links_the_years_and_the_unknown_dates(admin_client, events):
    response = admin_client.get(admin_url(Event, "changelist"))
    date_filter = next(spec for spec in response.context["cl"].filter_specs if spec.title == "date")
    choices = [choice["display"] for choice in date_filter.choices(response.context["cl"])]

    assert choices == ["Any date", "2013", "2012", "Unknown"]
    assert listed(admin_client, Event, date_unknown="1") == {"A visit some day"}


def test_an_unreadable_date_in_a_filter_lists_nothing_and_says_why(admin_client, events):
    response = admin_client.get(admin_url(Event, "changelist"), {"date_from": "sometime soon"})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []
    assert [str(message) for message in response.context["messages"]] == [
        'Filter by date: Cannot read \'sometime soon\' as a date. Write it like "October 2012", "2012-10", '
        '"late 2012", "c. 2013", "by 1 June 2015" or "after October 2012", or give the EDTF value.'
    ]


def test_a_period_filter_finds_posts_held_during_the_range(admin_client):
    PostFactory(title="Director until 2010", start="2005", end="2010")
    PostFactory(title="Director since 2012", start="2012", end="")
    PostFactory(title="Director, dates unknown", start="", end="")

    def titles(**params):
        return listed(admin_client, Post, key=lambda post: post.title, **params)

    assert titles(date_from="2008", date_to="2008") == {"Director until 2010"}
    assert titles(date_from="2015") == {"Director since 2012"}  # still running
    assert titles(date_unknown="1") == {"Director, dates unknown"}


def test_a_region_includes_its_sub_regions(admin_client):
    peru, russia, nicaragua = (Country.objects.get(iso2=code) for code in ("PE", "RU", "NI"))
    latin_america = Region.objects.get(m49_code="419")
    assert not peru.regions.filter(pk=latin_america.pk).exists()  # Peru is in South America, under it
    AgreementPartyFactory(agreement=AgreementFactory(title="With Peru"), country=peru)
    AgreementPartyFactory(agreement=AgreementFactory(title="With Russia"), country=russia)
    AgreementPartyFactory(
        agreement=AgreementFactory(title="With a Nicaraguan agency"),
        country=None,
        agency=AgencyFactory(country=nicaragua),
    )

    assert listed(admin_client, Agreement, region="419") == {"With Peru", "With a Nicaraguan agency"}
    countries = listed(admin_client, Country, region="419")
    assert {"Peru", "Nicaragua"} <= countries and "Russian Federation" not in countries


def test_records_still_lacking_a_citation_can_be_listed(admin_client):
    AgreementFactory(title="Sourced")
    AgreementFactory(title="Not sourced yet", cited=False)

    assert listed(admin_client, Agreement, cited="no") == {"Not sourced yet"}
    assert listed(admin_client, Agreement, cited="yes") == {"Sourced"}


def test_dates_are_shown_as_written_and_sorted_by_their_bounds(admin_client):
    AgreementFactory(title="Early", signed="March 2011")
    AgreementFactory(title="Late", signed="2012")
    response = admin_client.get(admin_url(Agreement, "changelist"))
    column = [name for name in response.context["cl"].list_display if getattr(name, "__name__", "") == "signed_column"]
    assert column  # the "signed" column

    order = response.context["cl"].list_display.index(column[0])
    ascending = admin_client.get(admin_url(Agreement, "changelist"), {"o": str(order)})

    assert [a.title for a in ascending.context["cl"].result_list] == ["Early", "Late"]
    assert "March 2011" in ascending.text
