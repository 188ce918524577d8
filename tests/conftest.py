import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.db.backends.base.creation import BaseDatabaseCreation
from rest_framework.test import APIClient

from tests.shared_database import SharedTestDatabase, reload_in_bulk

SEED_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "seed"
SEED_FIXTURE = SEED_DIR / "insightcrime-russia-latin-america.yaml"
SEED_ARTICLE = SEED_DIR / "insightcrime-russia-latin-america.txt"
SEED_URL = "https://insightcrime.org/news/brief/russia-influence-latin-america-drug-war/"


# serialized_rollback reloads the database's first contents before each transactional test: in bulk.
BaseDatabaseCreation.deserialize_db_from_string = reload_in_bulk


@pytest.fixture(scope="session")
def django_db_setup(
    request, django_test_environment, django_db_blocker, django_db_modify_db_settings, worker_id, tmp_path_factory
):
    """pytest-django's, but under pytest-xdist the workers copy one migrated database (tests/shared_database.py)
    rather than each run the migrations."""
    from django.test.utils import setup_databases, teardown_databases

    verbosity = request.config.option.verbose
    with django_db_blocker.unblock():
        if worker_id == "master":
            databases = setup_databases(verbosity=verbosity, interactive=False)
        else:
            run = request.getfixturevalue("testrun_uid")
            shared = SharedTestDatabase(
                request.config._tmp_path_factory.getbasetemp().parent, run, worker_id, verbosity
            )
            shared.set_up()
    yield
    with django_db_blocker.unblock():
        if worker_id == "master":
            teardown_databases(databases, verbosity=verbosity)
        else:
            shared.tear_down()


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test starts with nothing counted: rate limits and export slots live in the cache (this process's
    memory in the tests), which the test database's rollback does not clear."""
    cache.clear()


@contextlib.contextmanager
def data_for_the_module(django_db_blocker) -> Iterator[None]:
    """A transaction for a whole module's data, rolled back at its end, which requests through the WSGI handler
    see: like Django's test client, the handler must not close the connection (and its transaction) per
    request. For modules whose tests only read (a module-scoped fixture yields inside it)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


@pytest.fixture
def seed(db):
    """The database as `make run` ships it: reference data (from the migrations) plus the seed article."""
    call_command("loaddata", str(SEED_FIXTURE), verbosity=0)


@pytest.fixture(scope="module")
def seed_for_the_module(django_db_setup, django_db_blocker):
    """The seed (as ``seed``), loaded once for a whole module whose tests each run in a transaction of their own
    (``django_db``), rolled back after each: what one test writes, the next does not see. Loading it for each
    test took longer than most of the tests it was for."""
    with data_for_the_module(django_db_blocker):
        call_command("loaddata", str(SEED_FIXTURE), verbosity=0)
        yield


def member_of(role: str, username: str, **fields):
    user = get_user_model().objects.create_user(username, password="not-used-in-tests", **fields)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def editor(db):
    """A user in the "editor" group (created by migration 0003)."""
    return member_of("editor", "editor")


@pytest.fixture
def editor_client(editor):
    """An API client logged in as an editor (the editors' role: may add, change and delete records)."""
    client = APIClient()
    client.force_authenticate(editor)
    return client


@pytest.fixture
def viewer(db):
    """A user in the "viewer" group."""
    return member_of("viewer", "viewer")
