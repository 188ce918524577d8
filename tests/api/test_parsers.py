"""JSON request bodies (cooperation/api/parsers.py, read by cooperation/json_input.py): nesting deeper than
JSON_MAX_DEPTH, a key given twice and a NUL character are 400s naming where; a body over Django's
DATA_UPLOAD_MAX_MEMORY_SIZE is a JSON 413 naming the limit. Never a 500."""

from __future__ import annotations

import json

import pytest

from cooperation import models as m
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/agreements/"


@pytest.fixture
def cited():
    source = SourceFactory(
        url="https://ministry.example.net/communique-7", text="In Quito, the coast guards signed a memorandum."
    )
    return {"citations": [{"source": source.url, "quote": "the coast guards signed a memorandum"}]}


def post(client, body: str):
    return client.generic("POST", URL, body.encode(), content_type="application/json")


def record(cited, **fields) -> dict:
    return {
        "title": "Memorandum on port inspections",
        "kind": "memorandum_of_understanding",
        "status": "signed",
        **cited,
        **fields,
    }


def test_parties_nested_a_thousand_deep_is_a_400_naming_the_field(editor_client, cited):
    body = json.dumps(record(cited, parties="PLACEHOLDER")).replace('"PLACEHOLDER"', "[" * 1000 + "]" * 1000)
    assert len(body) < 2300
    response = post(editor_client, body)
    assert response.status_code == 400, response.content[:300]
    (name, messages), *others = response.json().items()
    assert not others and name.startswith("parties[0][0]")
    assert messages == ["Nested deeper than 32 levels of arrays and objects."]
    assert not m.Agreement.objects.exists()


def test_unclosed_brackets_are_a_400_too(editor_client):
    response = post(editor_client, '{"parties": ' + "[" * 5000)
    assert response.status_code == 400, response.content[:300]
    assert list(response.json()) == ["parties" + "[0]" * 31]


def test_the_depth_limit_is_a_setting(editor_client, cited, settings):
    body = json.dumps(record(cited, parties=[{"country": "EC", "role": "party"}]))  # object, list, object: 3
    settings.JSON_MAX_DEPTH = 2
    refused = post(editor_client, body)
    assert refused.status_code == 400 and list(refused.json()) == ["citations[0]"], refused.content
    settings.JSON_MAX_DEPTH = 3
    accepted = post(editor_client, body)
    assert accepted.status_code == 201, accepted.content


@pytest.mark.parametrize(
    ("body", "path", "key"),
    [
        (
            '{"title": "Port pact", "kind": "treaty", "status": "signed", "title": "Harbour pact"}',
            "title",
            "title",
        ),
        (
            '{"title": "Port pact", "parties": [{"country": "EC"}, {"country": "EC", "country": "CL"}]}',
            "parties[1].country",
            "country",
        ),
    ],
)
def test_a_key_given_twice_is_a_400_naming_the_key_and_its_path(editor_client, body, path, key):
    response = post(editor_client, body)
    assert response.status_code == 400, response.content
    assert response.json() == {path: [f"The key {key!r} is given twice."]}
    assert not m.Agreement.objects.exists()


def test_a_nul_character_is_a_400_naming_where(editor_client, cited):
    body = json.dumps(record(cited, parties=[{"country": "EC", "role": "par\u0000ty"}]))
    response = post(editor_client, body)
    assert response.status_code == 400, response.content
    assert response.json() == {"parties[0].role": ["The text contains a NUL character (\\u0000)."]}


def test_broken_json_is_still_a_400_saying_where(editor_client):
    response = post(editor_client, '{"title": "Port pact",}')
    assert response.status_code == 400
    assert response.json() == {
        "detail": "JSON parse error - Expecting property name enclosed in double quotes at character 22."
    }


def test_a_body_over_the_upload_limit_is_a_json_413_naming_the_limit(editor_client, cited, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4000
    response = post(editor_client, json.dumps(record(cited, summary="Inspection of containers. " * 200)))
    assert response.status_code == 413, response.content[:300]
    assert response["Content-Type"] == "application/json"
    assert "4000 bytes" in response.json()["detail"]
    assert not m.Agreement.objects.exists()


def test_brackets_inside_strings_neither_count_nor_hide_nesting(editor_client, cited):
    hiding = json.dumps(record(cited, title="]" * 100, summary="PLACEHOLDER"))
    response = post(editor_client, hiding.replace('"PLACEHOLDER"', "[" * 40 + "]" * 40))
    assert response.status_code == 400 and list(response.json()) == ["summary" + "[0]" * 31], response.content
    escaped = json.dumps(record(cited, title='The "[[[[" pact ' + "[{" * 40))
    accepted = post(editor_client, escaped)
    assert accepted.status_code == 201, accepted.content
    assert m.Agreement.objects.get().title.endswith("[{[{")
