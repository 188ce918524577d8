"""``GET /api/v1/package/``: the data package (a zip of tidy CSVs and ``datapackage.json``), of everything or of
one resource's records chosen with its list's filters (``?resource=agreements&country=PE``) and what they refer
to. See ``cooperation.tabular.package``."""

from __future__ import annotations

from django.http import QueryDict, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotAuthenticated, PermissionDenied, ValidationError
from rest_framework.views import APIView

from cooperation.api.permissions import ReadOnlyUnlessStaff, may_view
from cooperation.api.tabular import check_database_answers, flag
from cooperation.api.throttling import ExportSlots, release
from cooperation.resources import RESOURCES
from cooperation.tabular.package import DataPackage, file_name

#: Parameters of the package itself; the chosen resource's filters come besides.
PACKAGE_PARAMETERS = {"resource", "escape_formulas"}


def chosen_records(resource, params: QueryDict, request=None):
    """The resource's records its filterset selects from ``params``: 400 naming an unknown or invalid one."""
    known = set(resource.filterset_class.base_filters)
    unknown = sorted(set(params) - known)
    if unknown:
        raise ValidationError(
            {name: [f"Unknown filter for {resource.name}. Known: {', '.join(sorted(known))}."] for name in unknown}
        )
    for name, values in params.lists():
        if any("\x00" in value for value in values):
            raise ValidationError({name: ["The value contains a NUL character."]})
    filterset = resource.filterset_class(params, resource.model._default_manager.all(), request=request)
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    return filterset.qs


#: The parameter that names the resource whose list filters choose an export's records (``chosen_selection``).
SELECTION_PARAMETER = OpenApiParameter(
    "resource",
    str,
    enum=sorted(RESOURCES),
    description="The resource whose list filters choose the records (the other parameters). Without it: everything.",
)


def chosen_selection(request, params: QueryDict):
    """What an export of records and what they refer to holds, from its query's ``resource`` and that resource's
    list filters (``params``, without the export's own parameters): (the resource, its chosen records), or
    (None, None) for everything. 400 naming a filter without a resource, or an unknown resource; 403/401 when
    the reader may not view the resource."""
    name = params.pop("resource", [None])[-1]
    if name is None:
        if params:
            raise ValidationError({sorted(params)[0]: ["Name the resource these filters choose (resource=...)."]})
        return None, None
    if name not in RESOURCES:
        raise ValidationError({"resource": [f"Unknown resource. Known: {', '.join(sorted(RESOURCES))}."]})
    resource = RESOURCES[name]
    if not may_view(request.user, resource.model):
        raise PermissionDenied() if request.user.is_authenticated else NotAuthenticated()
    return resource, chosen_records(resource, params, request)


def streamed_export(request, chosen, blocks, content_type: str, file_name: str) -> StreamingHttpResponse:
    """A streamed download that holds one of the client's export slots while it is read (429 when none is free),
    from the database the chosen records are read from."""
    slots = ExportSlots(request)
    slot = slots.acquire()
    try:
        check_database_answers(chosen.db if chosen is not None else "default")
        response = StreamingHttpResponse(slots.hold(slot, blocks), content_type=content_type)
    except BaseException:
        if slot is not None:
            release(slot)
        raise
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response


class PackageView(APIView):
    """The records as a Frictionless Data Package: a zip with one CSV per table (records, their parts, their
    many-to-many links, citations), codes with their labels beside them, and ``datapackage.json`` describing every
    column, the primary and foreign keys, the licence and the sources. ``resource`` and that resource's list filters
    choose what goes in: those records, their parts, links and citations, and what they refer to. Streams."""

    permission_classes = [ReadOnlyUnlessStaff]

    @extend_schema(
        parameters=[
            SELECTION_PARAMETER,
            OpenApiParameter("escape_formulas", bool, description="Prefix formula-like cells with ' (default true)."),
        ],
        responses={(200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, description="The zip.")},
    )
    def get(self, request, *args, **kwargs):
        params = request.query_params.copy()
        escape = flag(request, "escape_formulas", True)
        params.pop("escape_formulas", None)
        resource, chosen = chosen_selection(request, params)
        package = DataPackage(
            chosen=chosen,
            may_view=lambda model: may_view(request.user, model),
            escape_formulas=escape,
            site=request.build_absolute_uri("/"),
        )
        if not package.tables:
            raise PermissionDenied("You may view none of the records a package holds.")
        return streamed_export(request, chosen, package.stream(), "application/zip", file_name(resource))
