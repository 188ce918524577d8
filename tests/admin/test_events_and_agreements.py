"""In the admin, an agreement is entered with its signatories (an official with the post held then, an agency)
and its links to other agreements, and an event with the records it concerns; a bad row is an error on that row,
not a server error, and nothing is saved until every row is right."""

import pytest

from cooperation import models as m
from tests import factories as f

from .formdata import CITATIONS, admin_url, inline_formset, post_form

pytestmark = pytest.mark.django_db
QUOTE = "The Interior Ministry signed it; Vice-Minister Luis Rojas signed for the police."


@pytest.fixture
def source():
    return f.SourceFactory(text=f"{QUOTE} Rojas welcomed the second phase of Operation Orion.")


def test_an_agreement_is_entered_with_an_agency_and_an_official_with_his_post(admin_client, source):
    peru = m.Country.objects.get(iso2="PE")
    ministry = f.AgencyFactory(name="Interior Ministry", kind="ministry", country=peru)
    rojas, namesake = (f.OfficialFactory(name="Luis Rojas", country=c) for c in (peru, None))
    post = f.PostFactory(official=rojas, agency=ministry, title="Vice-Minister", start="")
    namesakes_post = f.PostFactory(official=namesake, agency=ministry, title="Adviser", start="")
    treaty = f.AgreementFactory(title="Treaty of 2009")
    typed = {
        "title": "Inter-agency protocol",
        "kind": "inter_agency_agreement",
        "status": "signed",
        "signed": "around 2014",
        "areas": [m.CooperationArea.objects.get(code="organised_crime").pk],
        "drugs": [m.Drug.objects.get(name="cocaine").pk],
        "signatories-TOTAL_FORMS": "2",
        "signatories-0-agency": ministry.pk,
        "signatories-1-official": rojas.pk,
        "signatories-1-post": namesakes_post.pk,  # the other Luis Rojas's post
        "links-TOTAL_FORMS": "1",
        "links-0-kind": "implements",
        "links-0-target": treaty.pk,
        f"{CITATIONS}-0-source": source.pk,
        f"{CITATIONS}-0-quote": QUOTE,
    }
    refused = post_form(admin_client, admin_url(m.Agreement, "add"), typed)
    assert refused.status_code == 200
    assert list(inline_formset(refused, "signatories").forms[1].errors) == ["post"]
    assert not m.Agreement.objects.filter(title="Inter-agency protocol").exists()

    saved = post_form(admin_client, admin_url(m.Agreement, "add"), {**typed, "signatories-1-post": post.pk})
    assert saved.status_code == 302
    protocol = m.Agreement.objects.get(title="Inter-agency protocol")
    assert [(s.official, s.post, s.agency) for s in protocol.signatories.all()] == [
        (None, None, ministry),
        (rojas, post, None),
    ]
    assert [(link.kind, link.target) for link in protocol.links.all()] == [("implements", treaty)]
    assert list(protocol.drugs.values_list("name", flat=True)) == ["cocaine"]
    assert protocol.signed_edtf.endswith("~")  # "around 2014": approximate, as written

    changelist = admin_client.get(admin_url(m.AgreementSignatory, "changelist"), {"q": "Vice-Minister"})
    assert [str(s) for s in changelist.context["cl"].result_list] == [str(post)]


def test_an_event_is_entered_with_what_it_concerns(admin_client, source):
    operation = f.OperationFactory(name="Operation Orion")
    centre = f.TrainingCentreFactory(name="Centre in Lima")
    typed = {
        "title": "Rojas welcomes Operation Orion",
        "kind": "statement",
        "stance": "welcomed",
        "date": "",
        "concerns-TOTAL_FORMS": "2",
        "concerns-0-operation": operation.pk,
        "concerns-0-training_centre": centre.pk,  # two records in one row
        "concerns-0-note": "its second phase",
        "concerns-1-training_centre": centre.pk,
        f"{CITATIONS}-0-source": source.pk,
        f"{CITATIONS}-0-quote": "Rojas welcomed the second phase of Operation Orion.",
    }
    refused = post_form(admin_client, admin_url(m.Event, "add"), typed)
    assert refused.status_code == 200
    assert inline_formset(refused, "concerns").forms[0].non_field_errors()
    assert not m.Event.objects.exists()

    visit = post_form(
        admin_client, admin_url(m.Event, "add"), {**typed, "concerns-0-training_centre": "", "kind": "visit"}
    )
    assert visit.status_code == 200
    assert visit.context["adminform"].form.errors == {
        "stance": ["A stance is what a statement says: give it for statements only."]
    }

    saved = post_form(admin_client, admin_url(m.Event, "add"), {**typed, "concerns-0-training_centre": ""})
    assert saved.status_code == 302
    event = m.Event.objects.get()
    assert [(c.record, c.note) for c in event.concerns.all()] == [(operation, "its second phase"), (centre, "")]

    # The operation cannot be deleted from under the event; deleting the event takes its concerns along.
    blocked = admin_client.post(admin_url(m.Operation, "delete", operation.pk), {"post": "yes"})
    assert blocked.status_code == 200 and m.Operation.objects.filter(pk=operation.pk).exists()
    assert admin_client.post(admin_url(m.Event, "delete", event.pk), {"post": "yes"}).status_code == 302
    assert not m.EventConcern.objects.exists()
