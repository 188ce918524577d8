"""``/api/v1/duplicates/?type=agency``: pairs of records that are likely one entered twice, for analysts to
merge (``POST /api/v1/<resource>/<id>/merge/``). See ``cooperation.likely_duplicates``."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from cooperation.api.briefs import RecordBriefSerializer
from cooperation.api.pagination import CursorPagination
from cooperation.api.permissions import may_view
from cooperation.api.search import SearchPermission
from cooperation.likely_duplicates import KINDS, THRESHOLD, likely_pairs
from cooperation.models.sources import named_records

MAX_OFFSET = 10**9

PAIRS = inline_serializer(
    "LikelyDuplicates",
    fields={
        "count": serializers.IntegerField(help_text="How many pairs there are in all."),
        "next": serializers.URLField(allow_null=True, help_text="The next page, or null at the end."),
        "results": inline_serializer(
            "LikelyDuplicate",
            fields={
                "score": serializers.FloatField(help_text="How closely they match, out of 100."),
                "reason": serializers.CharField(help_text="Why they are listed, in words."),
                "first": RecordBriefSerializer(help_text="The one with the lower id."),
                "second": RecordBriefSerializer(),
            },
            many=True,
        ),
    },
)


class LikelyDuplicatesView(APIView):
    """Pairs of records of one kind that are likely the same record entered twice, closest first: agencies,
    officials and training centres of one country with closely matching names (or one named as the other's
    acronym); agreements with the same parties and signing date and closely matching titles. Merge a pair with
    ``POST /api/v1/<resource>/<id>/merge/``."""

    permission_classes = [SearchPermission]
    parameters = {"type", "threshold", "limit", "offset"}

    @extend_schema(
        operation_id="likely_duplicates",
        parameters=[
            OpenApiParameter("type", str, required=True, enum=list(KINDS), description="The kind of record."),
            OpenApiParameter(
                "threshold",
                {"type": "integer", "minimum": 50, "maximum": 100},
                description=f"How closely names must match, out of 100 (default {THRESHOLD}).",
            ),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": settings.API_MAX_PAGE_SIZE},
                description=f"Pairs per page (default 50, at most {settings.API_MAX_PAGE_SIZE}).",
            ),
            OpenApiParameter(
                "offset", {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET}, description="Pairs to skip."
            ),
        ],
        responses={200: PAIRS},
    )
    def get(self, request):
        if not any(may_view(request.user, model) for model in KINDS.values()):
            raise PermissionDenied("You may not view any of the kinds of record compared.")
        kind, threshold, offset = self.read_parameters(request)
        model = KINDS[kind]
        if not may_view(request.user, model):
            raise PermissionDenied(f"You may not view {model._meta.verbose_name_plural}.")
        limit = CursorPagination().get_page_size(request)
        pairs = likely_pairs(kind, threshold=threshold)
        page = pairs[offset : offset + limit]
        records = named_records(model).in_bulk({pk for pair in page for pk in (pair.first, pair.second)})
        context = {"request": request}
        results = [
            {
                "score": pair.score,
                "reason": pair.reason,
                "first": RecordBriefSerializer(records[pair.first], context=context).data,
                "second": RecordBriefSerializer(records[pair.second], context=context).data,
            }
            for pair in page
        ]
        next_link = None
        if offset + limit < len(pairs):
            query = request.query_params.copy()
            query["offset"] = str(offset + limit)
            next_link = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        return Response({"count": len(pairs), "next": next_link, "results": results})

    def read_parameters(self, request) -> tuple[str, int, int]:
        errors = {}
        for name, values in request.query_params.lists():
            if name not in self.parameters:
                errors[name] = [f"Unknown query parameter. Known: {', '.join(sorted(self.parameters))}."]
            elif len(values) > 1:
                errors[name] = ["Give it once."]
        if errors:
            raise ValidationError(errors)
        kind = request.query_params.get("type")
        if kind not in KINDS:
            raise ValidationError({"type": [f"Use one of: {', '.join(KINDS)}."]})
        threshold = _number(request, "threshold", THRESHOLD, 50, 100)
        offset = _number(request, "offset", 0, 0, MAX_OFFSET)
        return kind, threshold, offset


def _number(request, name: str, default: int, least: int, most: int) -> int:
    value = request.query_params.get(name)
    if value is None:
        return default
    if not (value.isascii() and value.isdigit() and least <= int(value) <= most):
        raise ValidationError({name: [f"A whole number from {least} to {most}."]})
    return int(value)
