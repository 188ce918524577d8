import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from cooperation.roles import EDITOR, VIEWER


def staff_client(client, group_name: str):
    user = get_user_model().objects.create_user(group_name, password="a long test password", is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def editor_client(client, db):
    """A staff member in the "editor" group (created by migration 0003), logged in."""
    return staff_client(client, EDITOR)


@pytest.fixture
def viewer_client(client, db):
    """A staff member in the "viewer" group, logged in."""
    return staff_client(client, VIEWER)
