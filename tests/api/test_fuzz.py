"""Fuzzing the whole API with schemathesis: every operation of our own OpenAPI schema, called in-process
through the WSGI application as a superuser, must answer as the schema says (no 5xx, documented status codes,
content types and bodies).

``FUZZ_EXAMPLES`` (default 100) sets the examples per operation, e.g. ``FUZZ_EXAMPLES=1000 pytest
tests/api/test_fuzz.py``. Generation is derandomized, so a failure found once is found again.

The database is the seed article (records with ids 1, 2, 3, ...) loaded once for the module, plus two
superusers; every operation runs in its own transaction, rolled back after it.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from knox.models import AuthToken

from tests.conftest import SEED_FIXTURE

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "100"))

#: Every default check of schemathesis runs but one. `positive_data_acceptance` expects any request that fits
#: the schema to succeed; ours rightly refuses with a 400 naming the field what no OpenAPI schema can express:
#: a reference to a record that does not exist ({"country": "Atlantis"}, a filter ?source=9999), a duplicate
#: code, a model rule (an assessment needs an agency or an official), a NUL character (PostgreSQL cannot store
#: it), a page size or cursor on a CSV export (which has no pages). The other checks (no 5xx, documented status
#: codes, content types and bodies, refusing schema-violating input, auth) all run.
NOT_CHECKED = []

raw_schema = SchemaGenerator().get_schema(request=None, public=True)
schema = schemathesis.openapi.from_dict(raw_schema)
schema.app = WSGIHandler()

# Ids drawn from the schema ("an integer >= 1") almost never name a record; half of them name one of the seed's
# first few records instead, so reads, updates and deletes of real records are fuzzed too.
SEED_IDS = st.fixed_dictionaries({"id": st.integers(min_value=1, max_value=5)})


@schema.hook
def before_generate_path_parameters(context, strategy):
    return st.one_of(strategy, SEED_IDS) if "{id}" in context.operation.path else strategy


@pytest.fixture(scope="module")
def tokens(django_db_setup, django_db_blocker):
    """The seed and two superusers with a token each, for the whole module: rolled back at its end. The
    second one is for the logout operations, which revoke its tokens."""
    # Like Django's test client: the handler must not close the connection (and its transaction) per request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("loaddata", str(SEED_FIXTURE), verbosity=0)
            users = [get_user_model().objects.create_superuser(name, password="-") for name in ("fuzz", "logout")]
            yield {"token": AuthToken.objects.create(users[0])[1], "logout": users[1]}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)
def test_api_conforms_to_its_schema(case, tokens, db):
    # A logout revokes the token it is called with: those calls get a fresh one of the second user.
    token = AuthToken.objects.create(tokens["logout"])[1] if "/auth/logout" in case.path else tokens["token"]
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, excluded_checks=NOT_CHECKED)


def test_every_route_of_the_api_is_in_the_schema_and_so_fuzzed():
    from cooperation.api.urls import RESOURCES

    operations = {(method.upper(), path) for path, item in raw_schema["paths"].items() for method in item}
    for resource in RESOURCES:
        base = f"/api/v1/{resource}/"
        expected = {("GET", base), ("POST", base), ("POST", f"{base}import/")}
        expected |= {(method, f"{base}{{id}}/") for method in ("GET", "PUT", "PATCH", "DELETE")}
        assert expected <= operations, resource
    others = {("GET", "/api/v1/deleted/"), ("POST", "/api/v1/auth/login/"), ("GET", "/api/v1/search/")}
    assert others | {("GET", "/api/v1/jobs/{id}/")} <= operations
    assert len(list(schema.get_all_operations())) == len(operations) == 7 * len(RESOURCES) + 6
