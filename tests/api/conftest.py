import pytest
from rest_framework.test import APIClient


@pytest.fixture
def anonymous_client():
    return APIClient()


@pytest.fixture
def viewer_client(viewer):
    client = APIClient()
    client.force_authenticate(viewer)
    return client
