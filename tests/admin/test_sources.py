"""Citations listed across every kind of record: which record each supports, and a filter by kind."""

import pytest
from django.utils.html import escape

from cooperation.models import Citation, Event
from tests.factories import AgreementFactory, EventFactory

from .formdata import admin_url

pytestmark = pytest.mark.django_db


def test_citations_name_and_link_the_record_they_support_and_filter_by_its_kind(admin_client):
    event = EventFactory(title="Ivanov's tour of Latin America")
    AgreementFactory(title="Memorandum")

    everything = admin_client.get(admin_url(Citation, "changelist"))
    events_only = admin_client.get(admin_url(Citation, "changelist"), {"record_type": "event"})

    assert len(everything.context["cl"].result_list) == 2
    assert [c.record for c in events_only.context["cl"].result_list] == [event]
    assert f'Event: <a href="{admin_url(Event, "change", event.pk)}">Ivanov&#x27;s tour of Latin America</a>' in (
        events_only.text
    )


def test_a_record_s_citations_show_their_source_in_full_with_links_and_whether_the_quote_was_checked(admin_client):
    """On a record's page each citation names its source in full (not "Russia influenc…"), links to the
    source's page and to its address, and says whether its words were found in the source's stored text."""
    from cooperation.models import Agreement
    from tests.factories import CitationFactory, SourceFactory

    title = "Russia's influence grows in Latin America's drug policy: a long headline of a regional weekly"
    stored = SourceFactory(title=title, url="https://weekly.example.org/2013/russia", text="They signed it in Lima.")
    unstored = SourceFactory(title="Radio Sur", url="https://radio.example.net/sur", text="")
    agreement = AgreementFactory(title="Memorandum")
    agreement.citations.all().delete()
    CitationFactory(record=agreement, source=stored, quote="signed it in Lima")
    CitationFactory(record=agreement, source=unstored, quote="Acordaron cooperar.", kind="translation")

    page = admin_client.get(admin_url(Agreement, "change", agreement.pk)).text
    shown_title = escape(title)
    assert f'<a href="{admin_url(type(stored), "change", stored.pk)}">{shown_title}</a>' in page
    assert '<a href="https://weekly.example.org/2013/russia" rel="noopener noreferrer">' in page
    assert "\u2713 found in the source&#x27;s stored text" in page
    assert "Translation: not checked against the text" in page
