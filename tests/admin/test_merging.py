"""Finding and merging duplicates in the admin, as an analyst does: the "Likely duplicates" page from the
index, a confirmation page that shows what moves, and the changelist action on two selected agencies."""

from __future__ import annotations

import re

import pytest

from cooperation import models as m
from tests import factories as f

pytestmark = pytest.mark.django_db


agency = f.named_agency


@pytest.fixture
def police():
    survivor = agency("Policía Nacional del Perú")
    duplicate = agency("Policia Nacional del Peru")
    deal = f.AgreementFactory(title="Convenio de Tumbes")
    f.AgreementPartyFactory(agreement=deal, country=None, agency=duplicate)
    return survivor, duplicate, deal


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_index_links_to_the_likely_duplicates_with_a_merge_button(editor_client, police):
    survivor, duplicate, _ = police
    assert 'href="/admin/likely-duplicates/"' in editor_client.get("/admin/").content.decode()
    page = editor_client.get("/admin/likely-duplicates/", {"type": "agency"})
    assert page.status_code == 200
    shown = text(page)
    assert "Policía Nacional del Perú (id" in shown and "Policia Nacional del Peru (id" in shown
    assert "similar names in the same country" in shown and "1 pair." in shown
    assert f'href="/admin/merge/agency/{survivor.pk}/{duplicate.pk}/"' in page.content.decode()


def test_the_confirmation_shows_what_moves_and_the_merge_keeps_the_chosen_record(editor_client, police):
    survivor, duplicate, deal = police
    url = f"/admin/merge/agency/{survivor.pk}/{duplicate.pk}/"
    shown = text(editor_client.get(url))
    assert "agreement parties (agency): 1; citations: 1." in shown
    response = editor_client.post(url, {"survivor": survivor.pk})
    assert response.status_code == 302
    assert response["Location"] == f"/admin/cooperation/agency/{survivor.pk}/change/"
    assert deal.parties.get().agency_id == survivor.pk
    assert survivor.citations.count() == 2
    assert "Merged “Policia Nacional del Peru” into “Policía Nacional del Perú”." in text(
        editor_client.get(response["Location"])
    )
    history = text(editor_client.get(f"/admin/cooperation/agency/{survivor.pk}/history/"))
    assert f"Merged Policia Nacional del Peru (id {duplicate.pk}) into this record" in history
    tombstones = editor_client.get("/admin/cooperation/deletion/").content.decode()
    assert "Policia Nacional del Peru" in tombstones
    assert f'<a href="/admin/cooperation/agency/{survivor.pk}/change/">{survivor.pk}</a>' in tombstones


def test_either_record_may_stay(editor_client, police):
    survivor, duplicate, deal = police
    editor_client.post(f"/admin/merge/agency/{survivor.pk}/{duplicate.pk}/", {"survivor": duplicate.pk})
    assert not m.Agency.objects.filter(pk=survivor.pk).exists()
    assert m.Agency.objects.get(pk=duplicate.pk).other_names == "Policía Nacional del Perú"


def test_a_merge_that_breaks_a_rule_says_why_and_keeps_both(editor_client):
    survivor = agency("Policía Nacional del Perú")
    duplicate = f.AgencyFactory(name="Policía Nacional", country=m.Country.objects.get(iso2="BO"))
    deal = f.AgreementFactory(title="Acuerdo fronterizo")
    f.AgreementPartyFactory(agreement=deal, country=duplicate.country, agency=duplicate)
    response = editor_client.post(f"/admin/merge/agency/{survivor.pk}/{duplicate.pk}/", {"survivor": survivor.pk})
    assert response.status_code == 200
    assert "Merging would break a rule of the agreement party" in text(response)
    assert m.Agency.objects.filter(pk=duplicate.pk).exists()


def test_the_changelist_action_merges_exactly_two(editor_client, police):
    survivor, duplicate, _ = police
    changelist = "/admin/cooperation/agency/"
    chosen = {"action": "merge_selected", "_selected_action": [duplicate.pk, survivor.pk]}
    response = editor_client.post(changelist, chosen)
    assert response.status_code == 302
    assert response["Location"] == f"/admin/merge/agency/{survivor.pk}/{duplicate.pk}/"
    response = editor_client.post(changelist, {**chosen, "_selected_action": [survivor.pk]}, follow=True)
    assert "Select exactly two records to merge." in text(response)


def test_a_viewer_sees_the_pairs_but_may_not_merge(viewer_client, police):
    survivor, duplicate, _ = police
    page = viewer_client.get("/admin/likely-duplicates/", {"type": "agency"})
    assert page.status_code == 200
    assert "/admin/merge/" not in page.content.decode()
    url = f"/admin/merge/agency/{survivor.pk}/{duplicate.pk}/"
    assert viewer_client.get(url).status_code == 403
    assert viewer_client.post(url, {"survivor": survivor.pk}).status_code == 403
    changelist = viewer_client.get("/admin/cooperation/agency/").content.decode()
    assert "merge_selected" not in changelist
    assert m.Agency.objects.filter(pk=duplicate.pk).exists()


def test_the_page_takes_a_flat_number_of_queries(editor_client, django_assert_max_num_queries):
    for n in range(20):
        f.AgencyFactory(name=f"Fiscalía Provincial {n:03d} de Lima", country=m.Country.objects.get(iso2="PE"))
    editor_client.get("/admin/likely-duplicates/", {"type": "agency"})  # sessions and permissions cached
    with django_assert_max_num_queries(8):
        assert editor_client.get("/admin/likely-duplicates/", {"type": "agency"}).status_code == 200
