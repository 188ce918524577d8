"""Issue 16: one history per record. A record's history page lists its own entries with those of its parts
(an agreement's parties) and its citations, newest first, each with what changed in an analyst's words, who
and when; creating a record is one entry; the page's queries do not grow with the entries."""

from __future__ import annotations

import django.db
import pytest
from django.test.utils import CaptureQueriesContext

from cooperation import models as m
from cooperation import services
from tests import factories as f
from tests.admin.formdata import CITATIONS, admin_url, post_form

pytestmark = pytest.mark.django_db

TEXT = "The Interior Ministry and the coast guard agreed on joint patrols, the ministry said on Tuesday."


@pytest.fixture
def agreement(admin_client):
    source = f.SourceFactory(text=TEXT)
    coast_guard = f.AgencyFactory(name="Coast Guard", kind="military", country=m.Country.objects.get(iso2="EC"))
    typed = {
        "title": "Joint patrols",
        "kind": "inter_agency_agreement",
        "status": "signed",
        "parties-0-country": m.Country.objects.get(iso2="EC").pk,
        "parties-1-agency": coast_guard.pk,  # an agency as a party
        f"{CITATIONS}-0-source": source.pk,
        f"{CITATIONS}-0-quote": "agreed on joint patrols",
        f"{CITATIONS}-0-locator": "para. 1",
    }
    response = post_form(admin_client, admin_url(m.Agreement, "add"), typed)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return m.Agreement.objects.get()


def history(admin_client, record):
    response = admin_client.get(admin_url(m.Agreement, "history", record.pk))
    assert response.status_code == 200
    return response


def test_creating_a_record_is_one_entry_of_its_own_with_its_parts_and_citation(admin_client, agreement):
    timeline = history(admin_client, agreement).context["timeline"]
    assert sorted((entry.what, entry.action) for entry in timeline) == [
        ("Agreement", "Created"),
        ("Agreement party", "Created"),
        ("Agreement party", "Created"),
        ("Citation", "Created"),
    ]
    assert {entry.user.username for entry in timeline} == {"admin"}


def test_changing_a_party_and_a_citation_shows_in_the_records_history(admin_client, agreement):
    party = agreement.parties.get(agency__isnull=False)
    [citation] = agreement.citations.all()
    change = admin_url(m.Agreement, "change", agreement.pk)
    index = list(agreement.parties.order_by("pk")).index(party)
    response = post_form(
        admin_client, change, {f"parties-{index}-role": "implementer", f"{CITATIONS}-0-locator": "para. 2"}
    )
    assert response.status_code == 302, response.context["adminform"].form.errors

    page = history(admin_client, agreement)
    changed = [(e.what, e.label, e.changes) for e in page.context["timeline"] if e.action == "Changed"]
    assert (
        "Agreement party",
        str(m.AgreementParty.objects.get(pk=party.pk)),
        [("role", "Party", "Implementer")],
    ) in changed
    assert ("Citation", str(citation), [("locator", "para. 1", "para. 2")]) in changed
    html = " ".join(page.content.decode().split())
    assert "<strong>Role:</strong> Party &nbsp;&rarr;&nbsp;&nbsp;Implementer" in html
    assert "<strong>Locator:</strong> para. 1 &nbsp;&rarr;&nbsp;&nbsp;para. 2" in html


def test_the_history_page_takes_as_many_queries_however_many_entries(admin_client, agreement):
    def queries() -> int:
        with CaptureQueriesContext(django.db.connection) as captured:
            history(admin_client, agreement)
        return len(captured)

    queries()
    before = queries()
    change = admin_url(m.Agreement, "change", agreement.pk)
    for n in range(3):
        post_form(admin_client, change, {"summary": f"Patrols, take {n}", f"{CITATIONS}-0-locator": f"para. {n + 3}"})
    ecuador = m.Country.objects.get(iso2="EC")
    extra_party = f.AgreementPartyFactory(agreement=agreement, country=None, agency=f.AgencyFactory(country=ecuador))
    assert extra_party.pk
    assert len(history(admin_client, agreement).context["timeline"]) > 8
    assert queries() == before


def test_a_record_is_reverted_whole_with_its_parts_and_citations(admin_client, agreement):
    """Revert to the version as created: the status, the party's role, the citation's locator come back; a
    party and a citation added since go; all in one write, with history."""
    created = agreement.history.earliest("history_date")
    source = agreement.citations.get().source
    coast_guard = agreement.parties.get(agency__isnull=False).agency
    agreement.status = "in_force"
    services.record_save(  # changed since, as the API would change it
        agreement,
        parts={
            "parties": [
                {"country": m.Country.objects.get(iso2="EC"), "role": "party"},
                {"agency": coast_guard, "role": "implementer"},
                {"country": m.Country.objects.get(iso2="CO"), "role": "observer"},
            ],
            "citations": [
                {"source": source, "quote": "agreed on joint patrols", "locator": "para. 3"},
                {"source": source, "quote": "the ministry said on Tuesday"},
            ],
        },
    )
    assert agreement.parties.count() == 3 and agreement.citations.count() == 2

    entry_page = admin_client.get(admin_url(m.Agreement, "simple_history", agreement.pk, created.history_id))
    assert entry_page.status_code == 200
    parts_then = dict(entry_page.context["parts_then"])
    assert len(parts_then["Agreement parties"]) == 2 and len(parts_then["Citations"]) == 1
    reverted = admin_client.post(admin_url(m.Agreement, "revert_all", agreement.pk, created.history_id))
    assert reverted.status_code == 302

    agreement.refresh_from_db()
    assert agreement.status == "signed"
    roles = sorted((p.country_id is not None, p.role) for p in agreement.parties.all())
    assert roles == [(False, "party"), (True, "party")]
    [citation] = agreement.citations.all()
    assert (citation.quote, citation.locator) == ("agreed on joint patrols", "para. 1")
    latest = agreement.history.latest("history_date")
    assert latest.history_change_reason.startswith("Reverted to its version of")
    assert latest.history_user.username == "admin"


def test_a_viewer_cannot_revert(viewer_client, agreement):
    created = agreement.history.earliest("history_date")
    agreement.status = "in_force"
    agreement.save()
    refused = viewer_client.post(admin_url(m.Agreement, "revert_all", agreement.pk, created.history_id))
    assert refused.status_code == 403
    agreement.refresh_from_db()
    assert agreement.status == "in_force"
