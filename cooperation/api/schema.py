"""OpenAPI: every operation documents the errors it can answer with, so clients (and schemathesis) can rely
on them."""

from __future__ import annotations

import copy

from django.apps import apps
from django.conf import settings
from drf_spectacular import openapi
from drf_spectacular.authentication import BasicScheme
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from drf_spectacular.extensions import OpenApiFilterExtension, OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_parameter_type
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import permissions, serializers

from cooperation import duplicates
from cooperation.api.briefs import RecordBriefSerializer
from cooperation.natural_keys import natural_key

ERROR = inline_serializer("Error", fields={"detail": serializers.CharField(help_text="What went wrong.")})
FIELD_ERRORS = OpenApiResponse(
    description="Invalid input: each key names a field or query parameter (parts as `parties[1].country`), "
    "each value lists what is wrong with it.",
    response={"type": "object", "additionalProperties": {}},
)
IMPORT_REQUEST = {
    # An empty body is refused (400): there is no header row to tell the columns.
    "text/csv": {"type": "string", "minLength": 1, "description": "The CSV itself, with the export's header row."},
    "multipart/form-data": {
        "type": "object",
        "properties": {"file": {"type": "string", "format": "binary", "description": "The CSV file."}},
        "required": ["file"],
    },
}


IMPORT_ERROR = inline_serializer(
    "ImportError",
    fields={"row": serializers.IntegerField(), "column": serializers.CharField(), "message": serializers.CharField()},
)


def import_errors() -> serializers.ListField:
    """An import's errors: the row (as a spreadsheet numbers it), the column and what is wrong."""
    return serializers.ListField(child=copy.deepcopy(IMPORT_ERROR))  # a field is bound to one parent only


IMPORT_COUNTS = {
    "resource": serializers.CharField(),
    "dry_run": serializers.BooleanField(),
    "written": serializers.BooleanField(help_text="Whether the rows were saved (all of them or none)."),
    "created": serializers.IntegerField(),
    "updated": serializers.IntegerField(help_text="Rows that changed a record."),
    "unchanged": serializers.IntegerField(
        help_text="Rows with an id whose values were all as stored: nothing written, no version moved."
    ),
}
IMPORT_RESULT = inline_serializer(  # its 400 (rows refused) is this too, documented as FIELD_ERRORS' object
    "ImportResult", fields={**IMPORT_COUNTS, "errors": import_errors()}
)
IMPORT_PARAMETERS = [
    OpenApiParameter("dry_run", bool, description="Only validate: write nothing."),
    OpenApiParameter("escape_formulas", bool, description="Undo the export's escaping of formulas (default true)."),
    OpenApiParameter(
        "citation_source",
        str,
        description="A source (its URL or id) that every fact record the file gives no citation, and that has "
        "none, cites: every fact is sourced. Needs `citation_quote`.",
    ),
    OpenApiParameter(
        "citation_quote", str, description="With `citation_source`: the words of the source that support the rows."
    ),
    OpenApiParameter(
        "citation_locator", str, description="With `citation_source`: where in the source (page, paragraph)."
    ),
    OpenApiParameter(
        "background",
        bool,
        description="Run the import as a background job (true) or within this request (false). By default files "
        "larger than the server's CSV_IMPORT_BACKGROUND_BYTES (256 KiB unless configured) run as jobs. A job is "
        "answered with 202 and the job (its address in `Location`); poll it until it has finished.",
    ),
    OpenApiParameter(
        duplicates.CONFIRM_PARAMETER,
        bool,
        description="Create the rows that are likely duplicates of records on record (or of earlier rows) all the "
        "same. Without it such a row is an error on its name column naming the records alike.",
    ),
    OpenApiParameter(
        "Location",
        str,
        location=OpenApiParameter.HEADER,
        response=[202],
        description="The job's address (GET it for its status, progress and outcome).",
    ),
]
IMPORT_ACCEPTED = "The file is stored and a background job imports it: the job, at the address in `Location`."
THROTTLED = OpenApiResponse(
    description="Over the client's rate limit (settings API_THROTTLE_ANON, API_THROTTLE_USER). The "
    "`Retry-After` header says how many seconds to wait.",
    response=ERROR,
)
TOO_LARGE = OpenApiResponse(
    description="The request body is larger than the server's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB unless "
    "configured); the detail says the limit.",
    response=ERROR,
)
URI_TOO_LONG = OpenApiResponse(
    description="The query string is longer than the server reads (MAX_QUERY_STRING_BYTES, 16 KiB unless "
    "configured); the detail says the limit.",
    response=ERROR,
)
PRECONDITION_REQUIRED = OpenApiResponse(
    description="The request had no `If-Match`, and this server requires one on every PUT, PATCH and DELETE "
    "(setting API_REQUIRE_IF_MATCH): GET the record and send its `ETag` back as `If-Match`.",
    response=ERROR,
)
STALE = OpenApiResponse(
    description="The record changed since the version sent as `If-Match`: reload it and apply the change again.",
    response=ERROR,
)
RETRY_AFTER = {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait before retrying."}}
CONFLICT = inline_serializer(
    "Conflict",
    fields={
        "detail": serializers.CharField(help_text="What conflicts, and what to do about it."),
        "referenced_by": serializers.ListField(
            child=serializers.CharField(),
            required=False,
            help_text="A delete: the records that still refer to this one.",
        ),
        "code": serializers.CharField(
            required=False,
            help_text="A create or change that would duplicate a record: `duplicate` when its natural key is taken "
            "(an agency's name and country), `likely_duplicate` when it is alike to records on record (an "
            "official's or a training centre's name and country; an agreement's title, parties and signing "
            "date), which the client may confirm.",
        ),
        "field": serializers.CharField(required=False, help_text="A duplicate: the field that clashes."),
        "existing": RecordBriefSerializer(
            many=True, required=False, help_text="A duplicate: the records alike, with their API links."
        ),
        "confirm_with": serializers.CharField(
            required=False,
            help_text="A likely duplicate: the query parameter that creates it all the same (confirm_duplicate=true).",
        ),
    },
)
CONFIRM_DUPLICATE = OpenApiParameter(
    duplicates.CONFIRM_PARAMETER,
    bool,
    description="The record is alike to one on record (same name and country; for an agreement, same title, "
    "parties and signing date) and is another one all the same: create or save it. Without it, a likely "
    "duplicate is a 409 listing the records alike.",
)


MERGED = {
    "description": "The record was merged into another (a duplicate of it): `Location` is that record's address.",
    "headers": {
        "Location": {"schema": {"type": "string", "format": "uri"}, "description": "The record it was merged into."}
    },
}


def closed_request_bodies(result, generator, request, public):
    """A request body takes only the fields its schema lists: the server answers 400 "Unknown field" to any other
    (a misspelled field must not be dropped silently), so the schema says ``additionalProperties: false``."""
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request") and component.get("type") == "object" and "properties" in component:
            component.setdefault("additionalProperties", False)
    return result


class AutoSchema(openapi.AutoSchema):
    def get_auth(self):
        auths = super().get_auth()
        login_required = settings.API_READ_REQUIRES_LOGIN or any(
            issubclass(permission, permissions.IsAuthenticated) for permission in self.view.permission_classes
        )
        if self.method in ("GET", "HEAD") and not login_required and {} not in auths:
            auths.append({})  # reads are public: credentials are optional
        return auths

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        method = self.method.upper()
        extra = {"400": FIELD_ERRORS, "404": ERROR} if self._names_a_record() else {"400": FIELD_ERRORS}
        extra["414"] = URI_TOO_LONG
        if method != "GET":
            extra.update({"401": ERROR, "403": ERROR})
        if method in ("PUT", "PATCH", "DELETE"):
            extra.update({"409": CONFLICT, "412": STALE})
            if hasattr(self.view, "check_if_match"):  # the records' views, which take If-Match
                extra["428"] = PRECONDITION_REQUIRED
        if method == "POST":
            extra["409"] = CONFLICT
        if method in ("POST", "PUT", "PATCH"):
            extra["413"] = TOO_LARGE
        if self.view.throttle_classes:
            extra["429"] = THROTTLED
        if method == "GET" and getattr(self.view, "action", None) == "retrieve" and hasattr(self.view, "merged_into"):
            responses["301"] = MERGED
        for code, response in extra.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code)
        if "429" in responses:
            responses["429"]["headers"] = RETRY_AFTER
        for code, response in responses.items():
            content = response.get("content", {})
            if "text/csv" in content:
                # A list's CSV export is a file, not its JSON page; its errors are JSON.
                if code.startswith("2"):
                    content["text/csv"] = {"schema": {"type": "string", "description": "The CSV export."}}
                else:
                    del content["text/csv"]
        return responses

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        model = getattr(getattr(self.view, "queryset", None), "model", None)
        rule = duplicates.rule_for(model) if model is not None else None
        writes = self.method.upper() in ("POST", "PUT", "PATCH") and getattr(self.view, "action", "") != "import_csv"
        if rule is not None and rule.confirmable and writes:
            parameters = [*parameters, CONFIRM_DUPLICATE]
        return parameters

    def _get_request_for_media_type(self, serializer, direction="request"):
        schema, required = super()._get_request_for_media_type(serializer, direction)
        # A body given as a raw schema (the CSV of an import) is the whole point of the request.
        return schema, required or isinstance(serializer, dict)

    def _names_a_record(self) -> bool:
        return "{" in self.path


class BriefRelatedFieldExtension(OpenApiSerializerFieldExtension):
    """A related record: a brief object in responses; an id, a natural key or such an object in requests."""

    target_class = "cooperation.api.fields.BriefRelatedField"

    def map_serializer_field(self, auto_schema, direction):
        model = self.target.model
        properties = {"id": {"type": "integer", "readOnly": True}}
        for name in natural_key(model).brief_fields:
            if name == "country":
                properties[name] = {"type": "string", "nullable": True, "description": "ISO alpha-2 code"}
            elif model._meta.get_field(name).is_relation:
                related = model._meta.get_field(name).related_model._meta.verbose_name
                properties[name] = {"type": "string", "description": f"The {related}'s name"}
            else:
                field = model._meta.get_field(name)
                properties[name] = {"type": "string", "nullable": field.null}
        if direction == "response":
            return {"type": "object", "properties": properties, "required": list(properties)}
        # What a request may send, exactly: the brief object a response shows comes back too, but only its id
        # (writable here) says which record; an object without one is refused.
        name = model._meta.verbose_name
        return {
            "oneOf": [
                {"type": "integer", "minimum": 1, "description": f"The {name}'s id"},
                {"type": "string", "minLength": 1, "description": f"The {name}'s natural key"},
                {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer", "minimum": 1, "description": f"The {name}'s id"},
                        **{key: value for key, value in properties.items() if key != "id"},
                    },
                    "required": ["id"],
                    "additionalProperties": False,
                    "description": f"The {name} as a response shows it: its id says which (the rest is not read)",
                },
            ]
        }


class QuantityFieldExtension(OpenApiSerializerFieldExtension):
    """A quantity: an object as the source gives it (qualifier, value or low and high); a bare number in requests
    too, which is exact."""

    target_class = "cooperation.api.quantities.QuantityField"

    def map_serializer_field(self, auto_schema, direction):
        from cooperation.quantities import Qualifier

        field = self.target
        whole = field.quantity.integer
        number = {"type": "integer" if whole else "number", "minimum": 0, "maximum": field.maximum}
        nullable = {**number, "nullable": True}
        qualifiers = ", ".join(f"`{code}`" for code in Qualifier.values)
        properties = {
            "qualifier": {
                "type": "string",
                "enum": Qualifier.values,
                "description": f"How precise the source is: {qualifiers}. Default in a request: exact.",
            },
            "value": {**nullable, "description": "The number the source gives (null for a range)."},
            "low": {**nullable, "description": "The low end of a range (`between` only)."},
            "high": {**nullable, "description": "The high end of a range (`between` only), above `low`."},
            "text": {
                "type": "string",
                "readOnly": True,
                "description": 'As a person would write it: "41", "about 2.5", "more than 300", "between 3 and 5".',
            },
        }
        described = field.help_text or ""
        if not whole and field.quantity.whole_units:
            described += f" A whole number in {', '.join(field.quantity.whole_units)}."
        obj = {"type": "object", "properties": properties}
        if direction == "response":
            return {**obj, "required": list(properties), "nullable": True, "description": described}
        # ``text`` is read-only: a record read may be sent back with it (it is ignored), as with ``id``.
        del properties["text"]
        obj["additionalProperties"] = False
        return {
            "oneOf": [{**number, "description": "A number as the source gives it: exact."}, obj],
            "nullable": True,
            "description": described + " Null: not reported.",
        }


class RecordTypeFieldExtension(OpenApiSerializerFieldExtension):
    """A citation's ``record_type``: one of the kinds of record that state facts."""

    target_class = "cooperation.api.fields.RecordTypeField"

    def map_serializer_field(self, auto_schema, direction):
        from cooperation.models.base import CitedModel

        models_ = apps.get_app_config("cooperation").get_models()
        return {
            "type": "string",
            "enum": [model._meta.model_name for model in models_ if issubclass(model, CitedModel)],
        }


class OrderingFilterExtension(OpenApiFilterExtension):
    """``?ordering=``: a comma list of the fields the list orders by, each optionally with ``-`` (descending)."""

    target_class = "cooperation.api.filters.StrictOrderingFilter"

    def get_schema_operation_parameters(self, auto_schema, *args, **kwargs):
        view, backend = auto_schema.view, self.target
        fields = [name for name, _ in backend.get_valid_fields(view.get_queryset(), view, {})]
        terms = [term for name in fields for term in (name, f"-{name}")]
        return [
            build_parameter_type(
                backend.ordering_param,
                # At least one term: `ordering=` (an empty term) is a 400 like any term not listed.
                {"type": "array", "minItems": 1, "items": {"type": "string", "enum": terms}},
                OpenApiParameter.QUERY,
                description=backend.ordering_description,
                explode=False,
                style="form",
            )
        ]


class StrictFilterExtension(DjangoFilterExtension):
    """Our multi-valued filters take repeated parameters (or comma lists) of strings; choices are enums."""

    target_class = "cooperation.api.filters.StrictFilterBackend"
    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        from cooperation.filtering.fields import MAX_TEXT, MAX_VALUES
        from cooperation.filtering.filters import (
            AllOfFilter,
            ChoiceFilter,
            DateFilter,
            DateMatchFilter,
            IdFilter,
            MultiValueFilter,
            QuantityFilter,
            SearchFilter,
        )

        if isinstance(filter_field, QuantityFilter):  # one number, within what a quantity holds
            schema = {
                "type": "number",
                "minimum": filter_field.extra["min_value"],
                "maximum": filter_field.extra["max_value"],
            }
            description = str(filter_field.extra.get("help_text") or "")
            return [build_parameter_type(field_name, schema, OpenApiParameter.QUERY, description=description)]
        if not isinstance(filter_field, MultiValueFilter | SearchFilter | DateFilter | DateMatchFilter):
            return super().resolve_filter_field(auto_schema, model, filterset_class, field_name, filter_field)
        description = str(filter_field.extra.get("help_text") or "")
        if isinstance(filter_field, DateMatchFilter):  # one mode, not a list
            schema = {"type": "string", "enum": [mode for mode, _ in filter_field.extra["choices"]]}
            return [build_parameter_type(field_name, schema, OpenApiParameter.QUERY, description=description)]
        if isinstance(filter_field, DateFilter):  # a day, a month or a year, as partial dates are written
            schema = {"type": "string", "minLength": 1, "maxLength": 100}  # sent empty: a 400
            return [build_parameter_type(field_name, schema, OpenApiParameter.QUERY, description=description)]
        if isinstance(filter_field, SearchFilter):
            return [
                build_parameter_type(field_name, {"type": "string"}, OpenApiParameter.QUERY, description=description)
            ]
        item = {"type": "string", "minLength": 1, "maxLength": MAX_TEXT}  # an empty value is a 400, not "any"
        each = filter_field.of if isinstance(filter_field, AllOfFilter) else filter_field  # "all of": its values
        if isinstance(each, ChoiceFilter):
            item["enum"] = [code for code, _ in each.extra["choices"]]
        elif isinstance(each, IdFilter):
            item = {"type": "integer", "minimum": 1}
        return [
            build_parameter_type(
                field_name,
                {"type": "array", "items": item, "maxItems": MAX_VALUES},
                OpenApiParameter.QUERY,
                description=description,
                explode=True,
                style="form",
            )
        ]


class GuardedTokenScheme(KnoxTokenScheme):
    """The login guard's token authentication is knox's, under the same name in the schema."""

    target_class = "cooperation.login_guard.GuardedTokenAuthentication"


class GuardedBasicScheme(BasicScheme):
    """The token login's guarded basic auth is HTTP basic auth."""

    target_class = "cooperation.login_guard.GuardedBasicAuthentication"
