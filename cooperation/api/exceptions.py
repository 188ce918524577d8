"""Errors come back as JSON a client can act on: a 400 names the field, a conflict is a 409, never a 500."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from cooperation.duplicates import CONFIRM_PARAMETER, DuplicateRecordError
from cooperation.models.base import StaleRecordError
from cooperation.tabular.imports import ImportConflict


def flat_errors(detail, prefix: str = "") -> dict[str, list]:
    """Errors keyed by their path, in the one shape the API documents: ``{"parties[1].country": [...]}``.

    DRF nests the errors of parts (``{"parties": [{}, {"country": [...]}]}``) while the model's validation of
    parts, run by the services, names them by path: a client reads both the same way.
    """
    flat: dict[str, list] = {}
    for name, errors in detail.items():
        if isinstance(name, int):  # DRF keys the errors of a list's items by their index
            path = f"{prefix.rstrip('.')}[{name}]"
        elif name != "non_field_errors" or not prefix:
            path = prefix + str(name)
        else:
            path = prefix.rstrip(".")
        if isinstance(errors, dict):
            flat.update(flat_errors(errors, f"{path}."))
        elif isinstance(errors, list) and any(isinstance(item, dict) for item in errors):
            for index, item in enumerate(errors):
                if isinstance(item, dict):
                    flat.update(flat_errors(item, f"{path}[{index}]."))
                elif item:
                    flat.setdefault(f"{path}[{index}]", []).extend(item if isinstance(item, list) else [item])
        else:
            flat[path] = errors
    return flat


def validation_detail(error: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {
            ("non_field_errors" if name == "__all__" else name): [m for e in errors for m in e.messages]
            for name, errors in error.error_dict.items()
        }
    return {"non_field_errors": error.messages}


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"


def duplicate_response(exc: DuplicateRecordError, request) -> Response:
    """409 naming the records already on record (in brief, with their API links), the field that clashes, and
    for a likely duplicate the parameter that confirms it is another record."""
    from cooperation.api.briefs import RecordBriefSerializer

    body = {
        "detail": str(exc),
        "code": exc.code,
        "field": exc.field,
        "existing": RecordBriefSerializer(exc.existing, many=True, context={"request": request}).data,
    }
    if exc.confirmable:
        body["confirm_with"] = f"{CONFIRM_PARAMETER}=true"
    return Response(body, status=status.HTTP_409_CONFLICT)


def body_too_large() -> Response:
    """Django refuses a body over DATA_UPLOAD_MAX_MEMORY_SIZE (as a SuspiciousOperation, an HTML 400): on the
    API it is a 413 that says the limit."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return Response(
        {"detail": f"The request body is larger than the limit of {limit} bytes (DATA_UPLOAD_MAX_MEMORY_SIZE)."},
        status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    )


class PreconditionRequired(APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_code = "precondition_required"
    default_detail = (
        "This server requires If-Match on PUT, PATCH and DELETE, so that no write overwrites a change made since "
        "the client read the record: GET the record and send its ETag back as If-Match."
    )


def exception_handler(exc, context):
    if isinstance(exc, RequestDataTooBig):
        return body_too_large()
    if isinstance(exc, DuplicateRecordError):
        return duplicate_response(exc, context.get("request"))
    if isinstance(exc, StaleRecordError):
        request = context.get("request")
        message = "The record was changed by someone else while you were saving. Reload it and apply your change again."
        if request is not None and "If-Match" in request.headers:
            exc = PreconditionFailed(message)
        else:
            return Response({"detail": message}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, ImportConflict):  # concurrent writes kept deadlocking it, retries included
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(validation_detail(exc))
    elif isinstance(exc, ProtectedError | RestrictedError):
        referrers = exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
        blocking = sorted({f"{obj._meta.verbose_name} {obj}" for obj in list(referrers)[:20]})
        return Response(
            {
                "detail": "Other records still refer to this one; change or delete them first.",
                "referenced_by": blocking,
            },
            status=status.HTTP_409_CONFLICT,
        )
    elif isinstance(exc, IntegrityError):
        # Validation runs before every write; a violation that still reaches the database is a conflict
        # with a concurrent write (e.g. two clients creating the same source URL at once).
        return Response(
            {"detail": "The change conflicts with the current data (a database constraint refused it). Reload, retry."},
            status=status.HTTP_409_CONFLICT,
        )
    response = drf_exception_handler(exc, context)
    if isinstance(exc, ValidationError) and response is not None and isinstance(response.data, dict):
        response.data = flat_errors(response.data)
    return response
