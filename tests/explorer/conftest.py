import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext


@pytest.fixture
def read_requires_login(settings):
    settings.API_READ_REQUIRES_LOGIN = True


@pytest.fixture
def user_who_may_view(db):
    """A user who may view some kinds of record only: ``user_who_may_view("agreement", "country")``."""

    def make(*model_names: str):
        user = get_user_model().objects.create_user("reader", password="not-used-in-tests")
        user.user_permissions.add(
            *Permission.objects.filter(
                content_type__app_label="cooperation", codename__in=[f"view_{n}" for n in model_names]
            )
        )
        return user

    return make


def queries_of(client, url: str, status: int = 200) -> int:
    """The queries a page costs (asserting its status)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return len(queries)
