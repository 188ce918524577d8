"""The OpenAPI 3 schema documents every resource, its filters, its errors and how to authenticate."""

import pytest
import yaml
from openapi_spec_validator import validate

from cooperation.resources import RESOURCES
from tests import factories as f

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


# --- The schema says exactly what the server takes (issue 19, point 8) --------------------------------------
def test_a_related_record_is_requested_as_an_id_a_key_or_an_object_with_a_writable_id(schema, editor_client):
    source = schema["components"]["schemas"]["CitationRequest"]["properties"]["source"]["oneOf"]
    assert [form["type"] for form in source] == ["integer", "string", "object"]
    assert source[2]["required"] == ["id"] and "readOnly" not in source[2]["properties"]["id"]
    assert source[2]["additionalProperties"] is False
    drug = editor_client.get("/api/v1/drugs/", {"limit": 1}).json()["results"][0]
    brief = {"id": drug["id"], "name": drug["name"]}  # as an operation's outcome shows it
    source = f.SourceFactory()
    cited = [{"source": {"id": source.pk, "title": source.title, "url": source.url}, "quote": "signed a memorandum"}]
    body = {"name": "Lantern Fish", "status": "completed", "outcomes": [{"kind": "seizure", "drug": brief}]}
    body["citations"] = cited
    response = editor_client.post("/api/v1/operations/", body, format="json")
    assert response.status_code == 201, response.content
    empty = editor_client.post("/api/v1/operations/", {**body, "outcomes": [{"kind": "seizure", "drug": {}}]})
    message = str(empty.json())
    assert empty.status_code == 400 and "NoneType" not in message and '{"id": 170}' in message


def test_a_json_type_is_named_as_json_names_it(editor_client):
    response = editor_client.post("/api/v1/regions/", {"name": None, "parent": [1]}, format="json")
    assert response.status_code == 400
    assert "NoneType" not in str(response.json()) and "list" in str(response.json()["parent"])


def test_orderings_and_record_types_are_enumerations(schema):
    deleted = {p["name"]: p for p in schema["paths"]["/api/v1/deleted/"]["get"]["parameters"]}["ordering"]
    assert deleted["schema"]["items"]["enum"] == ["id", "-id", "deleted_at", "-deleted_at"]
    assert (deleted["style"], deleted["explode"]) == ("form", False)
    record_type = schema["components"]["schemas"]["CitationRequest"]["properties"]["record_type"]
    enum = schema["components"]["schemas"][record_type["allOf"][0]["$ref"].split("/")[-1]]["enum"]
    assert {"agreement", "trafficking_route".replace("_", ""), "assessment"} <= set(enum) and "source" not in enum


def test_an_ordering_by_several_fields_as_the_schema_writes_it_is_taken(client):
    assert client.get("/api/v1/deleted/", {"ordering": "-deleted_at,id"}).status_code == 200
    assert client.get("/api/v1/deleted/", {"ordering": "title"}).status_code == 400


def test_a_quantity_is_documented_as_stored_and_every_documented_number_is_taken(schema, editor_client):
    drug = editor_client.get("/api/v1/drugs/", {"limit": 1}).json()["results"][0]["id"]
    cited = [{"source": f.SourceFactory().url, "quote": "Training starts in 2013."}]
    quantity = schema["components"]["schemas"]["OperationOutcomeRequest"]["properties"]["quantity"]["oneOf"][0]
    assert quantity["minimum"] == 0 and quantity["maximum"] == 10**13 - 1 and not quantity.get("exclusiveMaximum")
    for value, stored in [(1.2345678901234567, 1.235), (9999999999999, 9999999999999), (0.1, 0.1)]:
        outcome = {"kind": "seizure", "drug": drug, "quantity": value, "unit": "kg"}
        response = editor_client.post(
            "/api/v1/operations/",
            {"name": f"Op {value}", "status": "completed", "outcomes": [outcome], "citations": cited},
        )
        assert response.status_code == 201, response.content
        assert response.json()["outcomes"][0]["quantity"]["value"] == stored
    for beyond in (-1, 9999999999999.4):
        outcome = {"kind": "seizure", "drug": drug, "quantity": beyond, "unit": "kg"}
        body = {"name": "Op", "status": "completed", "outcomes": [outcome], "citations": cited}
        assert editor_client.post("/api/v1/operations/", body).status_code == 400


def test_an_import_body_must_hold_something(schema, editor_client):
    body = schema["paths"]["/api/v1/agreements/import/"]["post"]["requestBody"]["content"]["text/csv"]["schema"]
    assert body["minLength"] == 1
    response = editor_client.post("/api/v1/agreements/import/", b"", content_type="text/csv")
    assert response.status_code == 400 and "file" in response.json()


def test_an_all_of_parameter_takes_the_values_of_its_filter():
    """``status__all`` takes what ``status`` takes (an enumeration stays one), so clients and the fuzz test send
    only values the server accepts."""
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    checked = 0
    for path, operations in paths.items():
        parameters = {p["name"]: p for p in operations.get("get", {}).get("parameters", [])}
        for name, parameter in parameters.items():
            if name.endswith("__all"):
                assert parameter["schema"]["items"] == parameters[name.removesuffix("__all")]["schema"]["items"], (
                    path,
                    name,
                )
                checked += 1
    assert checked
