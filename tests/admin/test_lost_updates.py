"""The admin never saves over a newer version of a record: the analyst is told who changed it, and when."""

import pytest
from django.contrib.auth import get_user_model
from django.db.models import F
from django.db.models.signals import pre_save

from cooperation.models import Agreement
from tests import factories as f
from tests.admin.formdata import admin_url, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreement():
    return f.AgreementFactory(title="Memorandum", summary="As signed")


def test_saving_a_form_opened_before_someone_elses_change_is_refused(admin_client, agreement):
    url = admin_url(Agreement, "change", agreement.pk)
    opened = form_data(admin_client.get(url))  # the analyst opens the form at version 1
    assert opened["loaded_version"] == 1

    colleague = get_user_model().objects.create_user("colleague")
    newer = Agreement.objects.get(pk=agreement.pk)
    newer.summary, newer._history_user = "Their change", colleague
    newer.save()  # version 2

    response = admin_client.post(url, {**opened, "summary": "My change"})
    assert response.status_code == 200  # the form again, not a redirect
    errors = " ".join(response.context["adminform"].form.non_field_errors())
    assert "changed this record since you opened it" in errors
    assert "version 2" in errors and "colleague" in errors
    stored = Agreement.objects.get(pk=agreement.pk)
    assert (stored.summary, stored.version) == ("Their change", 2)


def test_a_change_saved_between_the_check_and_the_save_is_not_overwritten(admin_client, agreement):
    url = admin_url(Agreement, "change", agreement.pk)
    opened = form_data(admin_client.get(url))

    def someone_saves_first(sender, instance, **kwargs):
        pre_save.disconnect(someone_saves_first, sender=Agreement)
        Agreement.objects.filter(pk=instance.pk).update(summary="Their change", version=F("version") + 1)

    pre_save.connect(someone_saves_first, sender=Agreement)
    try:
        response = admin_client.post(url, {**opened, "summary": "My change"}, follow=True)
    finally:
        pre_save.disconnect(someone_saves_first, sender=Agreement)
    assert "Someone else saved this record while you were saving it" in response.content.decode()
    # The stand-in for the other writer ran on this test's connection, inside the admin's transaction, so it was
    # rolled back with it; what matters is that "My change" was not written over it.
    assert Agreement.objects.get(pk=agreement.pk).summary != "My change"


def test_a_current_form_saves(admin_client, agreement):
    url = admin_url(Agreement, "change", agreement.pk)
    response = admin_client.post(url, {**form_data(admin_client.get(url)), "summary": "Mine"})
    assert response.status_code == 302
    assert Agreement.objects.get(pk=agreement.pk).summary == "Mine"
