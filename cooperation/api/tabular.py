"""CSV in the API: ``?format=csv`` (or ``Accept: text/csv``) on every list, and ``POST <list>/import/``."""

from __future__ import annotations

from django.conf import settings
from django.http import StreamingHttpResponse
from rest_framework import parsers, renderers, status
from rest_framework.exceptions import NotAuthenticated, PermissionDenied, ValidationError
from rest_framework.response import Response

from cooperation.columns import RESOURCES, ResourceSpec, for_model
from cooperation.exports import ExportOptions, file_name, stream_csv
from cooperation.imports import import_csv

TRUE, FALSE = {"1", "true", "yes"}, {"0", "false", "no"}
EXPORT_PARAMETERS = {"escape_formulas", "bom"}
IMPORT_PARAMETERS = {"dry_run", "escape_formulas"}


class CSVRenderer(renderers.BaseRenderer):
    """Selects the CSV export in content negotiation; the list view streams the file itself."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        raise NotImplementedError("CSV is streamed by the list view, not rendered.")


class LimitedReader:
    """A request body read as it streams, refused once it passes the import size limit."""

    def __init__(self, stream, limit: int):
        self.stream, self.limit, self.consumed = stream, limit, 0

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size) if size is not None and size >= 0 else self.stream.read()
        self.consumed += len(data)
        if self.consumed > self.limit:
            raise ValidationError({"file": [f"At most {self.limit // 2**20} MiB per import."]})
        return data


class CSVParser(parsers.BaseParser):
    """A raw CSV request body, handed over as a stream (so large files are not held in memory twice)."""

    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None):
        return {"file": LimitedReader(stream, settings.CSV_IMPORT_MAX_BYTES) if stream is not None else None}


def flag(request, name: str, default: bool) -> bool:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if raw.lower() not in TRUE | FALSE:
        raise ValidationError({name: ["true or false."]})
    return raw.lower() in TRUE


def resource_for(view) -> ResourceSpec:
    return for_model(view.get_queryset().model)


def export_response(view, request, queryset) -> StreamingHttpResponse:
    resource = resource_for(view)
    options = ExportOptions(escape_formulas=flag(request, "escape_formulas", True), bom=flag(request, "bom", False))
    filtered = any(name not in EXPORT_PARAMETERS | {"format"} for name in request.query_params)
    response = StreamingHttpResponse(stream_csv(resource, queryset, options), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{file_name(resource, filtered)}"'
    return response


def import_response(view, request) -> Response:
    model = view.get_queryset().model
    if not request.user.is_authenticated:
        raise NotAuthenticated()
    needed = [f"{model._meta.app_label}.{action}_{model._meta.model_name}" for action in ("add", "change")]
    if not request.user.has_perms(needed):
        raise PermissionDenied("Importing needs the permissions to add and to change these records.")
    unknown = sorted(set(request.query_params) - IMPORT_PARAMETERS - {"format"})
    if unknown:
        raise ValidationError({unknown[0]: ["Unknown query parameter. Known: dry_run, escape_formulas."]})
    upload = request.data.get("file") if hasattr(request.data, "get") else None
    if upload is None:
        raise ValidationError({"file": ["Send the CSV as the request body (Content-Type: text/csv) or as 'file'."]})
    size = getattr(upload, "size", None)
    if size is not None and size > settings.CSV_IMPORT_MAX_BYTES:
        raise ValidationError({"file": [f"At most {settings.CSV_IMPORT_MAX_BYTES // 2**20} MiB per import."]})
    result = import_csv(
        resource_for(view),
        upload,
        user=request.user,
        dry_run=flag(request, "dry_run", False),
        unescape_formulas=flag(request, "escape_formulas", True),
    )
    return Response(result.as_dict(), status=status.HTTP_200_OK if result.ok else status.HTTP_400_BAD_REQUEST)


__all__ = ["RESOURCES", "CSVParser", "CSVRenderer", "export_response", "import_response"]
