import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from rest_framework.test import APIClient


def member_of(role: str, username: str):
    user = get_user_model().objects.create_user(username, password="not-used-in-tests")
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def editor(db):
    return member_of("editor", "editor")


@pytest.fixture
def viewer(db):
    return member_of("viewer", "viewer")


@pytest.fixture
def anonymous_client():
    return APIClient()


@pytest.fixture
def editor_client(editor):
    client = APIClient()
    client.force_authenticate(editor)
    return client


@pytest.fixture
def viewer_client(viewer):
    client = APIClient()
    client.force_authenticate(viewer)
    return client
