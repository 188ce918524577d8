"""The OpenAPI 3 schema documents every resource, its filters, its errors and how to authenticate."""

import pytest
import yaml
from openapi_spec_validator import validate

from cooperation.api.urls import RESOURCES

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from rest_framework.test import APIClient

    with django_db_blocker.unblock():
        response = APIClient().get("/api/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_schema_is_valid_openapi_3(schema):
    assert schema["openapi"].startswith("3.")
    validate(schema)


@pytest.mark.parametrize("resource", sorted(RESOURCES))
def test_every_resource_is_documented_with_its_operations(schema, resource):
    collection, item = schema["paths"][f"/api/v1/{resource}/"], schema["paths"][f"/api/v1/{resource}/{{id}}/"]
    assert {"get", "post"} <= set(collection)
    assert {"get", "put", "patch", "delete"} <= set(item)
    listed = {p["name"] for p in collection["get"]["parameters"]}
    assert {"cursor", "limit", "ordering", "updated_since"} <= listed
    assert {"400", "401", "403"} <= set(collection["post"]["responses"])
    assert {"400", "404", "409", "412"} <= set(item["put"]["responses"])


def test_filters_are_documented_with_their_values(schema):
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/agreements/"]["get"]["parameters"]}
    assert parameters["status"]["schema"]["items"]["enum"] == [
        "announced",
        "negotiating",
        "signed",
        "in_force",
        "expired",
        "terminated",
    ]
    assert {"country", "region", "date_from", "date_to", "q", "title__icontains"} <= set(parameters)
    assert "M49" in parameters["region"]["description"]


def test_authentication_is_documented(schema):
    schemes = schema["components"]["securitySchemes"]
    assert {"knoxApiToken", "cookieAuth"} <= set(schemes)
    assert "/api/v1/auth/login/" in schema["paths"]


def test_interactive_docs_use_local_assets(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower()


def test_reads_are_documented_as_public_and_writes_as_authenticated(schema):
    item = schema["paths"]["/api/v1/agreements/{id}/"]
    assert {} in item["get"]["security"]
    assert {} not in item["put"]["security"]


def test_csv_export_and_import_are_documented_as_csv(schema):
    listed = schema["paths"]["/api/v1/agreements/"]["get"]["responses"]
    assert listed["200"]["content"]["text/csv"]["schema"]["type"] == "string"
    assert "text/csv" not in listed["400"]["content"], "errors of an export are JSON"
    imported = schema["paths"]["/api/v1/agreements/import/"]["post"]
    assert imported["requestBody"]["required"]
    assert imported["requestBody"]["content"]["text/csv"]["schema"]["type"] == "string"
    assert imported["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/ImportResult")
    assert {"dry_run", "escape_formulas"} <= {p["name"] for p in imported["parameters"]}


def test_rate_limits_are_documented_on_every_operation(schema):
    operations = [(path, method, op) for path, item in schema["paths"].items() for method, op in item.items()]
    undocumented = [f"{method} {path}" for path, method, op in operations if "429" not in op["responses"]]
    assert undocumented == []
    throttled = schema["paths"]["/api/v1/agreements/"]["get"]["responses"]["429"]
    assert "Retry-After" in throttled["headers"]


def test_date_match_is_documented_with_its_values(schema):
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/training-courses/"]["get"]["parameters"]}
    assert parameters["date_match"]["schema"].get("enum") == ["overlap", "within"], parameters["date_match"]
    assert "within" in parameters["date_match"]["description"]
    assert "overlap" in parameters["date_match"]["description"]


def test_duplicates_are_documented_with_their_409_body_and_the_confirming_parameter(schema):
    conflict = schema["components"]["schemas"]["Conflict"]["properties"]
    assert {"code", "field", "existing", "confirm_with"} <= set(conflict)
    assert conflict["existing"]["items"] == {"$ref": "#/components/schemas/RecordBrief"}
    for path, method in [("/api/v1/officials/", "post"), ("/api/v1/agreements/{id}/", "put")]:
        operation = schema["paths"][path][method]
        assert "409" in operation["responses"]
        assert "confirm_duplicate" in {parameter["name"] for parameter in operation.get("parameters", [])}
    agencies = schema["paths"]["/api/v1/agencies/"]["post"]  # an agency's duplicate is never confirmed
    assert "confirm_duplicate" not in {parameter["name"] for parameter in agencies.get("parameters", [])}
    imports = schema["paths"]["/api/v1/officials/import/"]["post"]
    assert "confirm_duplicate" in {parameter["name"] for parameter in imports["parameters"]}


def test_the_body_size_limit_is_documented_on_every_write(schema):
    writes = [
        f"{method} {path}"
        for path, item in schema["paths"].items()
        for method, op in item.items()
        if method in ("post", "put", "patch") and "413" not in op["responses"]
    ]
    assert writes == []
    too_large = schema["paths"]["/api/v1/agreements/"]["post"]["responses"]["413"]
    assert "DATA_UPLOAD_MAX_MEMORY_SIZE" in too_large["description"]


@pytest.mark.parametrize("resource", sorted(RESOURCES))
def test_writes_to_a_record_document_the_428_of_a_missing_if_match(schema, resource):
    item = schema["paths"][f"/api/v1/{resource}/{{id}}/"]
    for method in ("put", "patch", "delete"):
        required = item[method]["responses"]["428"]
        assert "API_REQUIRE_IF_MATCH" in required["description"]
        assert required["content"]["application/json"]["schema"]["$ref"].endswith("/Error")
    assert "428" not in item["get"]["responses"]
