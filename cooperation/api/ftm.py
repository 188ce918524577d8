"""``GET /api/v1/ftm/``: the records as FollowTheMoney entities in JSON Lines, of everything or of one resource's
records chosen with its list's filters (``?resource=agreements&country=PE``) and what they refer to, as the data
package chooses them. See ``cooperation.ftm``."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import PermissionDenied
from rest_framework.views import APIView

from cooperation import models as m
from cooperation.api.package import SELECTION_PARAMETER, chosen_selection, streamed_export
from cooperation.api.permissions import ReadOnlyUnlessStaff, may_view
from cooperation.ftm import FtmExport

CONTENT_TYPE = "application/x-ndjson"


class FtmView(APIView):
    """The records as FollowTheMoney entities, one JSON object a line (``ftm validate``, ``ftm aggregate``, Aleph):
    agencies as public bodies or organisations, officials as persons with their posts, agreements as contracts,
    courses and operations as projects, events as events, parties and participants as the links between them, and
    every citation as its statement's source (``proof``, ``sourceUrl``, ``Documentation``). ``resource`` and that
    resource's list filters choose the records; what they refer to comes along. Streams."""

    permission_classes = [ReadOnlyUnlessStaff]

    @extend_schema(
        parameters=[
            SELECTION_PARAMETER,
        ],
        responses={(200, CONTENT_TYPE): OpenApiResponse(OpenApiTypes.STR, description="FtM entities, one a line.")},
    )
    def get(self, request, *args, **kwargs):
        params = request.query_params.copy()
        resource, chosen = chosen_selection(request, params)
        export = FtmExport(chosen=chosen, may_view=lambda model: may_view(request.user, model))
        if not any(export.viewable(model) for model, _, _ in export.exporters()) and not export.viewable(m.Country):
            raise PermissionDenied("You may view none of the records the export holds.")
        stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
        name = f"cooperation-{resource.name + '-' if resource else ''}ftm-{stamp}.ftm.json"
        return streamed_export(request, chosen, export.stream(), CONTENT_TYPE, name)
