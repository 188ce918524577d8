"""Deletions lose nothing: tombstones for syncing clients, and a way back with every part."""

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cooperation import models as m
from cooperation import services
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreement():
    record = f.AgreementFactory(title="Memorandum", summary="As signed")
    record.areas.set(m.CooperationArea.objects.filter(code__in=["training", "equipment"]))
    f.AgreementPartyFactory(agreement=record, country=m.Country.objects.get(iso2="PE"), note="host")
    f.AgreementPartyFactory(agreement=record, country=m.Country.objects.get(iso2="RU"))
    return m.Agreement.objects.get(pk=record.pk)


def snapshot(record):
    record = type(record).objects.get(pk=record.pk)
    return {
        "fields": (record.title, record.summary, record.signed_edtf),
        "areas": sorted(record.areas.values_list("code", flat=True)),
        "parties": sorted(record.parties.values_list("country__iso2", "role", "note")),
        "citations": sorted(record.citations.values_list("quote", "source__url")),
    }


def test_an_api_delete_leaves_tombstones_that_syncing_clients_read(editor, agreement):
    editor_client = APIClient()
    editor_client.force_authenticate(editor)
    before = timezone.now()
    assert editor_client.delete(f"/api/v1/agreements/{agreement.pk}/").status_code == 204
    tombstones = m.Deletion.objects.filter(deleted_at__gte=before)
    assert {(t.content_type.model, t.deleted_by) for t in tombstones} == {("agreement", editor), ("citation", editor)}

    listed = editor_client.get("/api/v1/deleted/", {"since": before.isoformat()}).json()["results"]
    assert {(row["resource"], row["id"]) for row in listed} >= {("agreements", agreement.pk)}
    only = editor_client.get("/api/v1/deleted/", {"since": before.isoformat(), "resource": "agreements"}).json()
    assert [(row["resource"], row["id"], row["display"]) for row in only["results"]] == [
        ("agreements", agreement.pk, "Memorandum")
    ]
    later = editor_client.get("/api/v1/deleted/", {"since": timezone.now().isoformat()}).json()["results"]
    assert later == []


def test_a_restore_brings_back_the_record_its_parts_citations_and_areas(editor, agreement):
    before, pk, version, updated_at = snapshot(agreement), agreement.pk, agreement.version, agreement.updated_at
    services.record_delete(agreement, user=editor)
    assert not m.AgreementParty.objects.exists() and not m.Citation.objects.exists()

    tombstone = m.Deletion.objects.get(content_type__model="agreement", record_id=pk)
    restored = services.record_restore(tombstone, user=editor)
    assert restored.pk == pk
    assert snapshot(restored) == before
    assert restored.version == version + 1 and restored.updated_at > updated_at
    assert m.Agreement.history.filter(id=pk).latest().history_change_reason == "restored"
    assert not m.Deletion.objects.filter(restored_at__isnull=True).exists()


def test_a_restored_record_leaves_the_deleted_list(client, editor, agreement):
    pk, since = agreement.pk, agreement.updated_at.isoformat()
    services.record_delete(agreement, user=editor)
    services.record_restore(m.Deletion.objects.get(content_type__model="agreement"), user=editor)
    assert client.get("/api/v1/deleted/", {"resource": "agreements"}).json()["results"] == []
    assert [r["id"] for r in client.get("/api/v1/agreements/", {"updated_since": since}).json()["results"]] == [pk]


def test_deleting_an_official_and_restoring_brings_back_their_posts(editor):
    post = f.PostFactory(title="Director")
    official = m.Official.objects.get(pk=post.official_id)
    services.record_delete(m.Official.objects.get(pk=post.official_id), user=editor)
    assert not m.Post.objects.exists()
    services.record_restore(m.Deletion.objects.get(content_type__model="official"), user=editor)
    assert m.Post.objects.get(pk=post.pk).official == official
    assert m.Post.objects.get(pk=post.pk).citations.count() == 1


def test_a_record_that_would_clash_is_not_restored(editor):
    source = f.SourceFactory(url="https://news.example.org/once")
    services.record_delete(source, user=editor)
    f.SourceFactory(url="https://news.example.org/once")
    with pytest.raises(Exception, match="clash"):
        services.record_restore(m.Deletion.objects.get(content_type__model="source"), user=editor)


def test_the_admin_deletes_and_restores_with_every_part(admin_client, agreement):
    before = snapshot(agreement)
    pk = agreement.pk
    delete_url = reverse("admin:cooperation_agreement_delete", args=[pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 302
    assert not m.Agreement.objects.filter(pk=pk).exists()

    deletions = reverse("admin:cooperation_deletion_changelist")
    page = admin_client.get(deletions)
    assert b"Memorandum" in page.content and b"what it was" in page.content
    tombstone = m.Deletion.objects.get(content_type__model="agreement")
    response = admin_client.post(deletions, {"action": "restore", "_selected_action": [tombstone.pk]}, follow=True)
    assert b"Restored 1 record" in response.content
    assert snapshot(agreement) == before


def test_the_history_of_a_deleted_record_stays_readable_in_the_admin(admin_client, agreement):
    pk = agreement.pk
    services.record_delete(agreement)
    page = admin_client.get(reverse("admin:cooperation_agreement_history", args=[pk]))
    assert page.status_code == 200
    assert b"Deleted" in page.content or b"deleted" in page.content.lower()


def test_a_deletion_keeps_its_operation_in_a_column_and_its_reason_for_people(editor, agreement):
    operation = services.record_delete(agreement, user=editor)
    entries = [
        *m.Agreement.history.filter(history_type="-"),
        *m.AgreementParty.history.filter(history_type="-"),
        *m.Citation.history.filter(history_type="-"),
    ]
    assert len(entries) == 4
    assert {(entry.history_operation, entry.history_change_reason) for entry in entries} == {(operation, "deleted")}
    assert set(m.Deletion.objects.values_list("operation", flat=True)) == {operation}

    other = f.AgreementFactory(title="Entered twice")
    pk = other.pk
    services.record_delete(other, user=editor, reason="a duplicate of the memorandum")
    [entry] = m.Agreement.history.filter(history_type="-", id=pk)
    assert entry.history_change_reason == "a duplicate of the memorandum"
    assert entry.history_operation not in (None, operation)


def test_a_deletion_s_own_page_restores_the_record_and_the_list_names_record_types(admin_client, agreement):
    """Restore from the deletion's page, not only from the actions menu; the list says "Agreement", and its
    filter lists only the kinds of record deleted, by those names."""
    pk = agreement.pk
    services.record_delete(f.AgencyFactory(name="Oficina Dea Norte"))
    services.record_delete(agreement)
    tombstone = m.Deletion.objects.get(content_type__model="agreement")
    listing = admin_client.get(reverse("admin:cooperation_deletion_changelist")).content.decode()
    assert '<td class="field-kind">Agreement</td>' in listing
    choices = admin_client.get(reverse("admin:cooperation_deletion_changelist")).context["cl"].filter_specs[0]
    assert [title for _, title in choices.lookup_choices] == ["Agency", "Agreement", "Citation"]  # and no more

    page = admin_client.get(reverse("admin:cooperation_deletion_change", args=[tombstone.pk])).content.decode()
    restore = reverse("admin:cooperation_deletion_restore", args=[tombstone.pk])
    assert f'action="{restore}"' in page and "Restore this agreement" in page
    assert admin_client.get(restore).status_code == 405  # a change, so a POST only
    response = admin_client.post(restore)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:cooperation_agreement_change", args=[pk])
    assert m.Agreement.objects.filter(pk=pk).exists()
    page = admin_client.get(reverse("admin:cooperation_deletion_change", args=[tombstone.pk])).content.decode()
    assert "Restore this" not in page  # restored: nothing left to restore


def test_a_viewer_sees_a_deletion_but_cannot_restore_it(client, agreement):
    from tests.admin.conftest import staff_client

    services.record_delete(agreement)
    tombstone = m.Deletion.objects.get(content_type__model="agreement")
    viewer = staff_client(client, "viewer")
    page = viewer.get(reverse("admin:cooperation_deletion_change", args=[tombstone.pk]))
    assert page.status_code == 200 and b"Restore this" not in page.content
    viewer.post(reverse("admin:cooperation_deletion_restore", args=[tombstone.pk]))
    assert not m.Agreement.objects.filter(pk=agreement.pk).exists()
