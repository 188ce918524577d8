"""Issue 16: a related record added from a record's form (its "+" popup) opens with the form's citation filled in,
from the popup's address (cite-in-popup.js puts it there), and offers no icon that would open a popup from the
popup: its related records, the citation's source too, are picked by typing."""

import pytest

from cooperation import models as m
from tests import factories as f
from tests.admin.formdata import CITATIONS, admin_url, inline_formset

pytestmark = pytest.mark.django_db

QUOTE = "the Peruvian anti-drug police (DIRANDRO) will train with Russian officers"


def test_an_agency_added_from_an_agreement_opens_with_the_agreement_s_citation(admin_client):
    source = f.SourceFactory(text=f"Lima. {QUOTE}.")
    cited = {"cite_source": source.pk, "cite_quote": QUOTE, "cite_position": 6, "cite_kind": "verbatim"}
    response = admin_client.get(
        admin_url(m.Agency, "add"), {"_to_field": "id", "_popup": 1, **cited, "cite_locator": "p. 2"}
    )
    assert response.status_code == 200
    [citation] = inline_formset(response, CITATIONS).forms
    assert citation.initial == {
        "source": source.pk,
        "quote": QUOTE,
        "position": 6,
        "kind": "verbatim",
        "locator": "p. 2",
    }
    html = response.content.decode()
    assert 'class="related-widget-wrapper-link' not in html, "no popup from the popup"
    assert "cooperation/cite-in-popup.js" in html and "cooperation/inline-fit.js" in html


def test_outside_a_popup_the_source_keeps_its_add_icon_and_odd_values_are_left_out(admin_client):
    source = f.SourceFactory()
    response = admin_client.get(
        admin_url(m.Agency, "add"),
        {"cite_source": source.pk, "cite_quote": "x", "cite_position": "-3", "cite_kind": "gossip"},
    )
    [citation] = inline_formset(response, CITATIONS).forms
    assert citation.initial == {"source": source.pk, "quote": "x"}
    assert f'id="add_id_{CITATIONS}-0-source"' in response.content.decode()


def test_no_source_no_citation_filled_in(admin_client):
    response = admin_client.get(admin_url(m.Agency, "add"), {"_popup": 1, "cite_quote": "a quote without its source"})
    [citation] = inline_formset(response, CITATIONS).forms
    assert citation.initial == {}
