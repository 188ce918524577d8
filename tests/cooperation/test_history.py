"""Every create, change and delete is recorded with who and when (django-simple-history)."""

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Q

from cooperation import history
from cooperation.history import leave_out_of_initial_history, record_initial_history
from cooperation.models import Agreement, Country
from tests.factories import AgreementFactory, CooperationAreaFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst():
    return get_user_model().objects.create_user("analyst")


def test_create_change_and_delete_are_recorded_with_who_and_when(analyst):
    agreement = AgreementFactory.build(title="Memorandum on training")
    agreement._history_user = analyst
    agreement.save()
    agreement.status = "in_force"
    agreement._history_user = analyst
    agreement.save()
    pk = agreement.pk
    agreement._history_user = analyst
    agreement.delete()

    entries = Agreement.history.filter(id=pk).order_by("history_date")
    assert [e.history_type for e in entries] == ["+", "~", "-"]
    assert {e.history_user for e in entries} == {analyst}
    assert all(e.history_date is not None for e in entries)
    created, changed, deleted = entries
    assert [(c.field, c.old, c.new) for c in changed.diff_against(created).changes] == [
        ("status", "signed", "in_force")
    ]
    assert deleted.instance.title == "Memorandum on training"  # a deleted record stays in the history


def test_changes_to_many_to_many_fields_are_recorded():
    agreement = AgreementFactory()
    agreement.areas.add(CooperationAreaFactory(name="Canine units"))
    latest = agreement.history.latest()
    assert [area.cooperationarea.name for area in latest.areas.all()] == ["Canine units"]


def test_records_loaded_without_history_get_their_creation_entry_once():
    assert not Country.history.exists()  # the reference data came in through a migration
    written = record_initial_history()
    assert written >= Country.objects.count()
    assert Country.history.filter(history_type="+").count() == Country.objects.count()
    assert record_initial_history() == 0


def test_rows_an_app_leaves_out_get_no_creation_entry(monkeypatch):
    monkeypatch.setattr(history, "_left_out", list(history._left_out))  # registered for this test only
    leave_out_of_initial_history(lambda model: Q(iso2="PE") if model is Country else None)
    record_initial_history()
    assert not Country.history.filter(iso2="PE").exists()
    assert Country.history.count() == Country.objects.count() - 1
