"""The editor and viewer groups exist in every migrated database and cover every data model."""

import pytest
from django.contrib.auth.models import Group, Permission

from cooperation.roles import data_models

pytestmark = pytest.mark.django_db


def codenames(group_name: str) -> set[str]:
    return set(Group.objects.get(name=group_name).permissions.values_list("codename", flat=True))


def test_editors_may_add_change_delete_and_view_every_data_model():
    expected = {
        f"{action}_{model._meta.model_name}"
        for model in data_models()
        for action in ("add", "change", "delete", "view")
    }
    assert codenames("editor") == expected
    assert "add_agreement" in expected and "delete_citation" in expected


def test_viewers_may_only_view():
    assert codenames("viewer") == {f"view_{model._meta.model_name}" for model in data_models()}


def test_neither_role_touches_users_groups_or_history():
    granted = Permission.objects.filter(group__name__in=["editor", "viewer"])
    assert not granted.exclude(content_type__app_label="cooperation").exists()
    assert not granted.filter(codename__contains="historical").exists()
