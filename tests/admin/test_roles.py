"""The editor and viewer groups in the admin: viewers read everything and change nothing; editors curate."""

import pytest
from django.contrib.auth import get_user_model

from cooperation.models import Agreement, Country
from tests.factories import AgreementFactory, SourceFactory

from .formdata import CITATIONS, admin_url, form_data

pytestmark = pytest.mark.django_db


def test_a_viewer_sees_lists_and_records_without_an_add_button(viewer_client):
    agreement = AgreementFactory(title="Memorandum on training")

    listing = viewer_client.get(admin_url(Agreement, "changelist"))
    record = viewer_client.get(admin_url(Agreement, "change", agreement.pk))

    assert listing.status_code == 200 and "Memorandum on training" in listing.text
    assert admin_url(Agreement, "add") not in listing.text  # no "Add agreement" button
    assert record.status_code == 200
    assert 'name="_save"' not in record.text  # read-only: no save button
    assert "Memorandum on training" in record.text


def test_a_viewer_cannot_add_or_change(viewer_client, admin_client):
    agreement = AgreementFactory(title="Memorandum on training")
    change = admin_url(Agreement, "change", agreement.pk)
    data = form_data(admin_client.get(change))  # a complete, valid form, as an editor would send it
    data["title"] = "Renamed by a viewer"

    assert viewer_client.get(admin_url(Agreement, "add")).status_code == 403
    assert viewer_client.post(admin_url(Agreement, "add"), data).status_code == 403
    assert viewer_client.post(change, data).status_code == 403
    assert viewer_client.post(admin_url(Agreement, "delete", agreement.pk), {"post": "yes"}).status_code == 403
    agreement.refresh_from_db()
    assert agreement.title == "Memorandum on training"


def test_an_editor_adds_a_record_and_it_is_in_the_history_under_their_name(editor_client):
    source = SourceFactory(text="Russia and Peru agreed to exchange information.")
    add = admin_url(Agreement, "add")
    data = form_data(editor_client.get(add))
    data.update(
        {
            "title": "Russia-Peru information exchange",
            "kind": "bilateral_agreement",
            "status": "announced",
            "parties-0-country": Country.objects.get(iso2="PE").pk,
            f"{CITATIONS}-0-source": source.pk,
            f"{CITATIONS}-0-quote": "Russia and Peru agreed to exchange information",
        }
    )

    assert editor_client.get(admin_url(Agreement, "changelist")).text.count(add) >= 1  # the add button
    response = editor_client.post(add, data)

    assert response.status_code == 302
    agreement = Agreement.objects.get(title="Russia-Peru information exchange")
    assert agreement.history.get().history_user == editor_client.user
    assert agreement.citations.get().history.get().history_user == editor_client.user


def test_editors_cannot_manage_users(editor_client):
    assert editor_client.get(admin_url(get_user_model(), "changelist")).status_code == 403
    assert editor_client.get(admin_url(get_user_model(), "add")).status_code == 403


def test_a_viewer_cannot_manage_users(viewer_client):
    assert viewer_client.get(admin_url(get_user_model(), "changelist")).status_code == 403
