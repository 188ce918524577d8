"""Citations listed across every kind of record: which record each supports, and a filter by kind."""

import pytest

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
