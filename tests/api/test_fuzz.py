"""Fuzzing the whole API with schemathesis: every operation of our own OpenAPI schema, called in-process
through the WSGI application as a superuser, must answer as the schema says (no 5xx, documented status codes,
content types and bodies).

Two runs of every operation: the fixed cases, the same every run (schemathesis's examples and coverage phases,
about 400 boundary and wrong-type cases per operation, then ``FUZZ_EXAMPLES`` derandomized generated ones,
default 10), and fresh generated ones from a random seed per run (``FUZZ_RANDOM_EXAMPLES``, default 25), so each
CI run explores new inputs. The fresh run is the fuzzing phase alone: the coverage phase's cases do not depend
on the seed, and running them twice doubled the cost of the suite's largest part for nothing. The coverage phase
runs on PostgreSQL, the production database, where boundary values meet the strictest types (integer ranges, NUL
characters); on SQLite it is the largest part of the suite for little more: the same validation answers first on
both, and ``test_hostile_inputs.py`` sends hostile values to every parameter on both. ``FUZZ_COVERAGE=1`` runs it on
SQLite too, ``FUZZ_COVERAGE=0`` leaves it out anywhere. The seed is
printed with a failure; ``FUZZ_SEED=<seed>`` replays it. E.g.
``FUZZ_EXAMPLES=1000 FUZZ_RANDOM_EXAMPLES=1000 pytest tests/api/test_fuzz.py`` for a long hunt.

The database is the seed article (records with ids 1, 2, 3, ...) loaded once for the module, plus two
superusers; every operation runs in its own transaction, rolled back after it.
"""

from __future__ import annotations

import os
import random
import re

import pytest
import schemathesis
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.db.models import CheckConstraint
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, seed, settings
from hypothesis import strategies as st
from knox.models import AuthToken
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.conftest import SEED_FIXTURE, data_for_the_module

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
RANDOM_EXAMPLES = int(os.environ.get("FUZZ_RANDOM_EXAMPLES", "25"))
FUZZ_SEED = int(os.environ.get("FUZZ_SEED") or random.SystemRandom().randrange(2**32))
ON_POSTGRESQL = "postgresql" in django_settings.DATABASES["default"]["ENGINE"]
COVERAGE_PHASE = os.environ.get("FUZZ_COVERAGE", "1" if ON_POSTGRESQL else "0") == "1"

#: Every check of schemathesis runs, `positive_data_acceptance` ("a request that fits the schema is accepted")
#: too, with one allowance: a 400 whose every message is about the data's meaning, which no OpenAPI schema can
#: express: a record that does not exist ({"country": "Atlantis"}, ?source=9999), a duplicate, a rule between
#: fields or records (an assessment needs an agency or an official; a quote must occur in its source), a NUL
#: character (PostgreSQL cannot store it), a forged cursor. A 400 for the request's form (an unknown parameter,
#: a type, a size, a value outside an enumeration) fails the test: the schema should have said so.
NOT_CHECKED = [positive_data_acceptance]


def rules_between_fields() -> set[str]:
    """The messages of the check constraints that relate two fields or more (a rule on one field, such as a
    latitude's range, is the schema's to state)."""

    return {
        constraint.violation_error_message
        for model in apps.get_app_config("cooperation").get_models()
        for constraint in model._meta.constraints
        if isinstance(constraint, CheckConstraint) and len(constraint.condition.referenced_base_fields) > 1
    }


MEANING = re.compile(
    "|".join(
        [
            r"^No [\w ]+ [\"']|^No [\w ]+ with id",  # No country 'Atlantis' / No agency "'-'" / No source with id 9
            r"already exists|must be unique|[Dd]uplicate",
            # Two parts naming the same record in different forms (a source as {"id": 1} and as 1): uniqueItems
            # compares the JSON, not the records it names.
            r"The same entry is given twice",
            r"NUL character|Null characters are not allowed",
            # Names refuse invisible characters and words mixing look-alike scripts (cooperation/names.py): Unicode
            # categories and scripts, which no JSON Schema pattern engine of OpenAPI 3.0 can express.
            r"Contains an invisible or control character|letters, which look alike",
            r"[Ii]nvalid cursor",
            r"occur in the source's full text",
            r"Enter a valid URL",  # Django's URL validator is stricter than OpenAPI's "uri" format can say
            r"as a date\. Write it like|is not a valid EDTF date",  # the grammar of partial dates: no pattern
            r"is not a valid \w",  # a natural key that cannot name a record ('\x10é' as a source)
            # Rules between fields and records.
            r"Cite at least one source|This is the only citation",
            r"cannot be part of itself",  # a region or an agency whose parent is itself, or under it
            # A merge of a record into itself, or one after which a rule would break (cooperation/merging.py).
            r"cannot be merged into itself|Merging would (break a rule|make)|Something still refers to",
            r"Give exactly one record the event concerns",  # one of seven keys per concern: no oneOf in the schema
            r"needs date_from or date_to|needs milestone_from or milestone_to",
            # The ends of the time range every database compares in any offset; "date-time" has no minimum.
            r"Give a time between 0001-01-02 and 9999-12-30",
            r" is in .+, not in ",  # a place outside the record's country ("Lima is in Peru, not in Chile.")
            # The facts a citation supports are those of its record's kind, which another field names.
            r"s have no field '.*'; a citation can support:",
            # A quote's position is checked against its source's stored text, which the schema cannot see.
            r"is not this quote: give where it begins|no stored text to place the quote in|is beyond its end",
            # A quantity's qualifier and its numbers (cooperation/quantities.py): a range has low below high, the
            # other qualifiers a value; an outcome's unit says whether it counts whole things.
            r"needs a low and a high end|needs a value|Only a range|high end is above|below its high end",
            r"gives low and high, not a value|Nothing is fewer than|is a whole number",
            r"^There is no [\w ]+ \d+|is not an id\.",  # a record that does not exist; ids beyond the database's range
            # Known gap: text of blanks only is trimmed, then refused as blank; the schema has no pattern for it yet.
            r"This field may not be blank|Give the words to search for|Give a value, or leave the parameter out",
            # Every rule between a record's fields that its table checks ("a stance is for statements only"):
            # the model's validation gives the same words as the constraint behind it.
            *(re.escape(message) for message in rules_between_fields()),
        ]
    )
)


def messages(body) -> list[str]:
    if isinstance(body, dict):
        return [text for value in body.values() for text in messages(value)]
    if isinstance(body, list):
        return [text for value in body for text in messages(value)]
    return [str(body)]


def positive_data_accepted(ctx, response, case):
    """``positive_data_acceptance``, except for a 400 about the data's meaning (see ``MEANING``)."""
    if response.status_code == 400 and case.path.endswith("/import/"):
        return None  # the file's rows and columns: the schema can describe the body only as a string
    if response.status_code == 400:
        try:
            body = response.json()
        except ValueError:
            body = None
        said = messages(body) if isinstance(body, dict | list) else []
        if said and all(MEANING.search(text) for text in said):
            return None
    return positive_data_acceptance(ctx, response, case)


raw_schema = SchemaGenerator().get_schema(request=None, public=True)


def left_to_other_tests() -> str:
    """The operations the coverage phase leaves out (see below), by name: a regular expression."""
    from cooperation.resources import RESOURCES

    resources = "|".join(re.escape(name) for name in sorted(RESOURCES))
    return f"^GET /api/v1/({resources})/$|^PUT /api/v1/({resources})/{{id}}/$"


#: The coverage phase leaves out two kinds of operation whose cases other tests send:
#: - the resources' lists (GET /api/v1/<resource>/): their query parameters are the filters, which
#:   ``test_hostile_inputs.py`` calls one by one with hostile values (JSON and CSV, both databases) and
#:   ``test_filter_meanings.py`` with valid ones; they were 12,000 of the phase's 27,000 requests;
#: - PUT of a record: its body is POST's (the same serializer, every field required), whose cases the phase
#:   sends, and its path's id is ``test_hostile_inputs.py``'s too (every detail route with bad ids).
#: Both keep their examples and generated cases, as every operation.
FIXED_CASES = SchemathesisConfig.from_dict(
    {
        "phases": {"coverage": {"enabled": COVERAGE_PHASE}},
        "operations": [
            {
                "include-name-regex": left_to_other_tests(),
                "phases": {"coverage": {"enabled": False}},
            }
        ],
    }
)
schema = schemathesis.openapi.from_dict(raw_schema, config=FIXED_CASES)
schema.app = WSGIHandler()
FUZZING_ONLY = SchemathesisConfig.from_dict(
    {"phases": {"examples": {"enabled": False}, "coverage": {"enabled": False}}}
)
fresh_schema = schemathesis.openapi.from_dict(raw_schema, config=FUZZING_ONLY)
fresh_schema.app = schema.app

# Ids drawn from the schema ("an integer >= 1") almost never name a record; half of them name one of the seed's
# first few records instead, so reads, updates and deletes of real records are fuzzed too.
SEED_IDS = st.fixed_dictionaries({"id": st.integers(min_value=1, max_value=5)})


def before_generate_path_parameters(context, strategy):
    return st.one_of(strategy, SEED_IDS) if "{id}" in context.operation.path else strategy


schema.hook(before_generate_path_parameters)
fresh_schema.hook(before_generate_path_parameters)


@pytest.fixture(scope="module")
def tokens(django_db_setup, django_db_blocker):
    """The seed and two superusers with a token each, for the whole module: rolled back at its end. The
    second one is for the logout operations, which revoke its tokens."""
    with data_for_the_module(django_db_blocker):
        call_command("loaddata", str(SEED_FIXTURE), verbosity=0)
        users = [get_user_model().objects.create_superuser(name, password="-") for name in ("fuzz", "logout")]
        yield {"token": AuthToken.objects.create(users[0])[1], "logout": users[1]}


def call_and_validate(case, tokens) -> None:
    # A logout revokes the token it is called with: those calls get a fresh one of the second user.
    token = AuthToken.objects.create(tokens["logout"])[1] if "/auth/logout" in case.path else tokens["token"]
    case.call_and_validate(
        headers={"Authorization": f"Token {token}"}, excluded_checks=NOT_CHECKED, checks=[positive_data_accepted]
    )


@schema.parametrize()
@settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)
def test_api_conforms_to_its_schema(case, tokens, db):
    call_and_validate(case, tokens)


@fresh_schema.parametrize()
@seed(FUZZ_SEED)
@settings(max_examples=RANDOM_EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema_with_a_fresh_seed(case, tokens, db):
    print(f"Random fuzzing with FUZZ_SEED={FUZZ_SEED}; replay it with FUZZ_SEED={FUZZ_SEED} pytest {__file__}")
    call_and_validate(case, tokens)


def test_every_route_of_the_api_is_in_the_schema_and_so_fuzzed():
    from cooperation.merging import mergeable
    from cooperation.resources import RESOURCES

    operations = {(method.upper(), path) for path, item in raw_schema["paths"].items() for method in item}
    for resource in RESOURCES:
        base = f"/api/v1/{resource}/"
        expected = {("GET", base), ("POST", base), ("POST", f"{base}import/")}
        expected |= {(method, f"{base}{{id}}/") for method in ("GET", "PUT", "PATCH", "DELETE")}
        assert expected <= operations, resource
    others = {("GET", "/api/v1/deleted/"), ("POST", "/api/v1/auth/login/"), ("GET", "/api/v1/search/")}
    assert others | {("GET", "/api/v1/jobs/{id}/")} <= operations
    merges = {("POST", f"/api/v1/{name}/{{id}}/merge/") for name, r in RESOURCES.items() if mergeable(r.model)}
    exports = {("GET", "/api/v1/package/"), ("GET", "/api/v1/ftm/"), ("GET", "/api/v1/changes/")}
    assert merges | {("GET", "/api/v1/duplicates/")} | exports <= operations
    assert len(list(schema.get_all_operations())) == len(operations) == 7 * len(RESOURCES) + 6 + len(merges) + 4
