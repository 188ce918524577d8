"""CSV in the API: ``?format=csv`` (or ``Accept: text/csv``) on every list, and ``POST <list>/import/``."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connections
from django.http import StreamingHttpResponse
from rest_framework import parsers, renderers, status
from rest_framework.exceptions import NotAuthenticated, PermissionDenied, ValidationError
from rest_framework.response import Response

from cooperation.api.jobs import accepted
from cooperation.api.throttling import ExportSlots, release
from cooperation.jobs import services as jobs
from cooperation.models import Source
from cooperation.natural_keys import NaturalKeyError, natural_key
from cooperation.resources import RESOURCES, Resource, resource_of
from cooperation.tabular.exports import ExportOptions, file_name, stream_csv
from cooperation.tabular.imports import DefaultCitation, import_csv

TRUE, FALSE = {"1", "true", "yes"}, {"0", "false", "no"}
#: A CSV export takes the list's filters, its ordering and these. ``limit`` or ``cursor`` make it one page of the
#: list (the JSON page's records, its next page in a ``Link`` header); ``count`` is read and, as a file has no
#: place for it, answered in ``X-Total-Count``.
EXPORT_PARAMETERS = {"escape_formulas", "bom", "limit", "cursor", "count"}
PAGE_PARAMETERS = {"limit", "cursor"}
IMPORT_PARAMETERS = {
    "dry_run",
    "escape_formulas",
    "citation_source",
    "citation_quote",
    "citation_locator",
    "background",
    "confirm_duplicate",
}


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


def flag(request, name: str, default: bool | None) -> bool | None:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if raw.lower() not in TRUE | FALSE:
        raise ValidationError({name: ["true or false."]})
    return raw.lower() in TRUE


def read_default_citation(request) -> DefaultCitation | None:
    """``citation_source`` (a source's URL or id), ``citation_quote`` and ``citation_locator``: the citation of
    every fact record that a row gives none. 400 naming the parameter when it cannot be."""
    params = request.query_params
    given = {name: params.get(f"citation_{name}") for name in ("source", "quote", "locator")}
    if any("\x00" in value for value in given.values() if value):
        raise ValidationError({"citation_source": ["A value contains a NUL character."]})
    if given["source"] is None:
        if given["quote"] is not None or given["locator"] is not None:
            message = "Name the source that citation_quote and citation_locator cite."
            raise ValidationError({"citation_source": [message]})
        return None
    text = given["source"].strip()
    try:
        source = natural_key(Source).resolve_reference(text)
    except NaturalKeyError:
        raise ValidationError({"citation_source": [f"No source {text[:200]!r}: give its URL or id."]}) from None
    if not (given["quote"] or "").strip():
        raise ValidationError({"citation_quote": ["Give the quote of the source that supports the rows."]})
    citation = DefaultCitation(source, given["quote"], given["locator"] or "")
    try:
        citation.check()
    except DjangoValidationError as error:
        raise ValidationError(error.message_dict) from None
    return citation


def resource_for(view) -> Resource:
    return resource_of(view.get_queryset().model)


def export_response(view, request, queryset) -> StreamingHttpResponse:
    slots = ExportSlots(request)
    slot = slots.acquire()
    try:
        return stream_response(view, request, queryset, lambda blocks: slots.hold(slot, blocks))
    except BaseException:
        if slot is not None:
            release(slot)  # refused (a bad parameter) before it streamed
        raise


def stream_response(view, request, queryset, hold) -> StreamingHttpResponse:
    resource = resource_for(view)
    options = ExportOptions(escape_formulas=flag(request, "escape_formulas", True), bom=flag(request, "bom", False))
    filtered = any(name not in EXPORT_PARAMETERS | {"format"} for name in request.query_params)
    headers = {}
    paginator = view.pagination_class()
    if PAGE_PARAMETERS & set(request.query_params):
        # One page, exactly the records of the JSON page with the same parameters (the paginator's own logic).
        page = paginator.paginate_queryset(queryset.prefetch_related(None), request, view)
        ids = [record.pk for record in page]
        # An empty page is the header alone (pk__in=[] has no SQL to stream: Django raises EmptyResultSet).
        queryset = queryset.filter(pk__in=ids) if ids else queryset.filter(pk__isnull=True)
        queryset = queryset.order_by(*(key.order() for key in paginator.keys))  # the page's own order
        links = [(paginator.get_next_link(), "next"), (paginator.get_previous_link(), "prev")]
        if any(url for url, _ in links):
            headers["Link"] = ", ".join(f'<{url}>; rel="{rel}"' for url, rel in links if url)
        filtered = True
        total = paginator.total
    else:
        total = queryset.count() if paginator.wants_count(request) else None
    if total is not None:
        headers["X-Total-Count"] = str(total)
    else:
        check_database_answers(queryset.db)
    response = StreamingHttpResponse(
        hold(stream_csv(resource, queryset, options)), content_type="text/csv; charset=utf-8", headers=headers
    )
    response["Content-Disposition"] = f'attachment; filename="{file_name(resource, filtered)}"'
    return response


def check_database_answers(alias: str) -> None:
    """One round trip before an export's status goes out: a database that cannot be reached is then a 503 with
    Retry-After, not a 200 cut short after the header line. (Starting the export's own query here instead would
    leave its transaction open in the response until a server reads it.)"""
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT 1")


def import_response(view, request) -> Response:
    model = view.get_queryset().model
    if not request.user.is_authenticated:
        raise NotAuthenticated()
    needed = [f"{model._meta.app_label}.{action}_{model._meta.model_name}" for action in ("add", "change")]
    if not request.user.has_perms(needed):
        raise PermissionDenied("Importing needs the permissions to add and to change these records.")
    unknown = sorted(set(request.query_params) - IMPORT_PARAMETERS - {"format"})
    if unknown:
        known = ", ".join(sorted(IMPORT_PARAMETERS))
        raise ValidationError({unknown[0]: [f"Unknown query parameter. Known: {known}."]})
    default_citation = read_default_citation(request)
    upload = request.data.get("file") if hasattr(request.data, "get") else None
    if upload is None:
        raise ValidationError({"file": ["Send the CSV as the request body (Content-Type: text/csv) or as 'file'."]})
    size = getattr(upload, "size", None)
    if size is not None and size > settings.CSV_IMPORT_MAX_BYTES:
        raise ValidationError({"file": [f"At most {settings.CSV_IMPORT_MAX_BYTES // 2**20} MiB per import."]})
    options = {
        "dry_run": flag(request, "dry_run", False),
        "unescape_formulas": flag(request, "escape_formulas", True),
        "default_citation": default_citation,
        "confirm_duplicate": flag(request, "confirm_duplicate", False),
    }
    background, upload = jobs.wants_background(upload, flag(request, "background", None))
    if background:
        header, upload = jobs.check_header(resource_for(view), upload)
        if not header.ok:
            return Response(header.as_dict(), status=status.HTTP_400_BAD_REQUEST)
        return accepted(request, jobs.start_import(resource_for(view), upload, user=request.user, options=options))
    result = import_csv(resource_for(view), upload, user=request.user, **options)
    return Response(result.as_dict(), status=status.HTTP_200_OK if result.ok else status.HTTP_400_BAD_REQUEST)


__all__ = ["RESOURCES", "CSVParser", "CSVRenderer", "export_response", "import_response"]
