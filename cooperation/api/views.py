"""The API's resources: one declarative viewset each (queryset with what it nests, serializer, filterset,
orderings). ``RecordViewSet`` holds the shared behaviour."""

from __future__ import annotations

import re

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import parsers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings

from cooperation import filtersets as fs
from cooperation import models as m
from cooperation import services
from cooperation.api import schema, tabular
from cooperation.api import serializers as s
from cooperation.api.exceptions import PreconditionFailed, PreconditionRequired
from cooperation.api.jobs import JobSerializer
from cooperation.api.permissions import viewable_content_types
from cooperation.api.prefetch import prefetch_page
from cooperation.history import changed_since

CITATIONS = Prefetch("citations", queryset=m.Citation.objects.select_related("source"))
OFFICIALS = m.Official.objects.select_related("country")
AGENCIES = m.Agency.objects.select_related("country")
BASIC_ORDERING = ("id", "created_at", "updated_at")
#: An entity tag as RFC 9110 writes it: "*", or an opaque quoted string, weak (W/"...") or strong.
ENTITY_TAG = re.compile(r'\*|(W/)?"[\x21\x23-\x7e\x80-\xff]*"')


def etag(version: int) -> str:
    return f'"{version}"'


class RecordViewSet(viewsets.ModelViewSet):
    """List, read, create, replace, update and delete one kind of record.

    Every single-record response carries an ``ETag`` (the record's version). A ``PUT``, ``PATCH`` or ``DELETE``
    with ``If-Match`` is refused with 412 if the record has changed since; without it, a write that races
    another one is refused with 409 instead of overwriting it, but one made from an older read replaces what
    changed since: with ``API_REQUIRE_IF_MATCH`` on, such writes are refused with 428.
    """

    ordering_fields: tuple[str, ...] = BASIC_ORDERING
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_renderers(self):
        renderers = super().get_renderers()
        if self.action == "list":  # only lists come as CSV
            renderers.append(tabular.CSVRenderer())
        return renderers

    @property
    def exporting(self) -> bool:
        renderer = getattr(self.request, "accepted_renderer", None)
        return isinstance(renderer, tabular.CSVRenderer)

    @property
    def extra_query_parameters(self) -> set[str]:
        return tabular.EXPORT_PARAMETERS if self.exporting else set()

    @property
    def paginator(self):
        return None if self.exporting else super().paginator

    def paginate_queryset(self, queryset):
        # The page's related records are prefetched by prefetch_page, which costs half what Django's does.
        lookups = queryset._prefetch_related_lookups
        page = super().paginate_queryset(queryset.prefetch_related(None) if lookups else queryset)
        if page is not None and lookups:
            prefetch_page(page, lookups)
        return page

    def list(self, request, *args, **kwargs):
        if self.exporting:
            return tabular.export_response(self, request, self.filter_queryset(self.get_queryset()))
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=schema.IMPORT_REQUEST,
        responses={200: schema.IMPORT_RESULT, 202: OpenApiResponse(JobSerializer, schema.IMPORT_ACCEPTED)},
        parameters=schema.IMPORT_PARAMETERS,
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[tabular.CSVParser, parsers.MultiPartParser],
        renderer_classes=api_settings.DEFAULT_RENDERER_CLASSES,
    )
    def import_csv(self, request, *args, **kwargs):
        """Import a CSV of this resource (the export's columns): all rows or none. ``?dry_run=true`` only
        validates. The answer lists every error by row and column. A large file (or ``?background=true``) is
        imported by a background job instead: the answer is then 202 with the job, whose address is in
        ``Location``."""
        return tabular.import_response(self, request)

    def get_object(self):
        record = super().get_object()
        if self.request.method in ("PUT", "PATCH", "DELETE"):
            self.check_if_match(record)
        return record

    def check_if_match(self, record) -> None:
        header = self.request.headers.get("If-Match")
        if header is None:
            if settings.API_REQUIRE_IF_MATCH:
                raise PreconditionRequired()
            return
        tags = {tag.strip() for tag in header.split(",")}
        if not all(ENTITY_TAG.fullmatch(tag) for tag in tags):
            # Not an ETag at all (a bare version, a missing quote): the client's bug, not someone else's change.
            raise ValidationError(
                {"If-Match": [f'Not an entity tag: {header[:50]!r}. Send the ETag as it came, e.g. "3".']}
            )
        if "*" not in tags and etag(record.version) not in tags:
            raise PreconditionFailed(
                f"The record has changed since the version you sent ({header}). {changed_since(record)} "
                "Reload it and apply your change again."
            )

    def retrieve(self, request, *args, **kwargs):
        record = self.get_object()
        if etag(record.version) in {t.strip() for t in request.headers.get("If-None-Match", "").split(",")}:
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag(record.version)})
        return Response(self.get_serializer(record).data)

    def finalize_response(self, request, response, *args, **kwargs):
        if self.exporting and response.status_code >= 400:
            # Errors of a CSV request are still JSON that names the problem.
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), "application/json"
        data = getattr(response, "data", None)
        if isinstance(data, dict) and "version" in data and "id" in data:
            response["ETag"] = etag(data["version"])
        return super().finalize_response(request, response, *args, **kwargs)

    def perform_create(self, serializer):
        serializer.save()
        self._reload(serializer)

    def perform_update(self, serializer):
        serializer.save()
        self._reload(serializer)

    def _reload(self, serializer) -> None:
        # The response shows the record as stored, with its nested parts fetched the way the list does.
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    def perform_destroy(self, instance):
        services.record_delete(instance, user=self.request.user, expected_version=instance.version)


# --- Reference ------------------------------------------------------------------------------------------
class RegionViewSet(RecordViewSet):
    queryset = m.Region.objects.select_related("parent")
    serializer_class = s.RegionSerializer
    filterset_class = fs.RegionFilterSet
    ordering_fields = (*BASIC_ORDERING, "name", "m49_code")


class CountryViewSet(RecordViewSet):
    queryset = m.Country.objects.prefetch_related("regions")
    serializer_class = s.CountrySerializer
    filterset_class = fs.CountryFilterSet
    ordering_fields = (*BASIC_ORDERING, "name", "iso2", "iso3")


class DrugViewSet(RecordViewSet):
    queryset = m.Drug.objects.all()
    serializer_class = s.DrugSerializer
    filterset_class = fs.DrugFilterSet
    ordering_fields = (*BASIC_ORDERING, "name", "group")


class CooperationAreaViewSet(RecordViewSet):
    queryset = m.CooperationArea.objects.all()
    serializer_class = s.CooperationAreaSerializer
    filterset_class = fs.CooperationAreaFilterSet
    ordering_fields = (*BASIC_ORDERING, "code", "name")


class TrainingTopicViewSet(RecordViewSet):
    queryset = m.TrainingTopic.objects.all()
    serializer_class = s.TrainingTopicSerializer
    filterset_class = fs.TrainingTopicFilterSet
    ordering_fields = (*BASIC_ORDERING, "code", "name")


# --- Actors ---------------------------------------------------------------------------------------------
class AgencyViewSet(RecordViewSet):
    queryset = m.Agency.objects.select_related("country", "parent__country").prefetch_related(CITATIONS)
    serializer_class = s.AgencySerializer
    filterset_class = fs.AgencyFilterSet
    ordering_fields = (*BASIC_ORDERING, "name", "kind")


class OfficialViewSet(RecordViewSet):
    queryset = m.Official.objects.select_related("country").prefetch_related(CITATIONS)
    serializer_class = s.OfficialSerializer
    filterset_class = fs.OfficialFilterSet
    ordering_fields = (*BASIC_ORDERING, "name")


class PostViewSet(RecordViewSet):
    queryset = m.Post.objects.select_related("official__country", "agency__country").prefetch_related(CITATIONS)
    serializer_class = s.PostSerializer
    filterset_class = fs.PostFilterSet
    ordering_fields = (*BASIC_ORDERING, "title")


# --- Cooperation ----------------------------------------------------------------------------------------
class AgreementViewSet(RecordViewSet):
    queryset = m.Agreement.objects.select_related("announced_by__country").prefetch_related(
        "areas",
        Prefetch("signatories", queryset=OFFICIALS),
        Prefetch("parties", queryset=m.AgreementParty.objects.select_related("country", "region", "agency__country")),
        CITATIONS,
    )
    serializer_class = s.AgreementSerializer
    filterset_class = fs.AgreementFilterSet
    ordering_fields = (*BASIC_ORDERING, "title", "status", "kind")


class TrainingCentreViewSet(RecordViewSet):
    queryset = m.TrainingCentre.objects.select_related(
        "host_country", "sponsor_country", "operator__country"
    ).prefetch_related("topics", CITATIONS)
    serializer_class = s.TrainingCentreSerializer
    filterset_class = fs.TrainingCentreFilterSet
    ordering_fields = (*BASIC_ORDERING, "name", "status")


class TrainingCourseViewSet(RecordViewSet):
    queryset = m.TrainingCourse.objects.select_related("centre", "provider__country").prefetch_related(
        "topics",
        Prefetch("participants", queryset=m.CourseParticipant.objects.select_related("country", "agency__country")),
        CITATIONS,
    )
    serializer_class = s.TrainingCourseSerializer
    filterset_class = fs.TrainingCourseFilterSet
    ordering_fields = (*BASIC_ORDERING, "title")


class OperationViewSet(RecordViewSet):
    queryset = m.Operation.objects.select_related("legal_basis").prefetch_related(
        Prefetch("participants", queryset=m.OperationParticipant.objects.select_related("country", "agency__country")),
        Prefetch("outcomes", queryset=m.OperationOutcome.objects.select_related("drug")),
        CITATIONS,
    )
    serializer_class = s.OperationSerializer
    filterset_class = fs.OperationFilterSet
    ordering_fields = (*BASIC_ORDERING, "name", "status")


class EventViewSet(RecordViewSet):
    queryset = m.Event.objects.select_related("country", "region").prefetch_related(
        Prefetch("officials", queryset=OFFICIALS),
        Prefetch("agencies", queryset=AGENCIES),
        "countries_concerned",
        CITATIONS,
    )
    serializer_class = s.EventSerializer
    filterset_class = fs.EventFilterSet
    ordering_fields = (*BASIC_ORDERING, "title", "kind")


# --- Drug trade -----------------------------------------------------------------------------------------
class TraffickingRouteViewSet(RecordViewSet):
    queryset = m.TraffickingRoute.objects.select_related("drug", "identified_by__country").prefetch_related(
        Prefetch("nodes", queryset=m.RouteNode.objects.select_related("country", "region")), CITATIONS
    )
    serializer_class = s.TraffickingRouteSerializer
    filterset_class = fs.TraffickingRouteFilterSet
    ordering_fields = (*BASIC_ORDERING, "name", "status")


class AssessmentViewSet(RecordViewSet):
    queryset = m.Assessment.objects.select_related(
        "subject_country",
        "subject_region",
        "drug",
        "market",
        "assessed_by_agency__country",
        "assessed_by_official__country",
    ).prefetch_related(CITATIONS)
    serializer_class = s.AssessmentSerializer
    filterset_class = fs.AssessmentFilterSet
    ordering_fields = (*BASIC_ORDERING, "role")


# --- Provenance -----------------------------------------------------------------------------------------
class SourceViewSet(RecordViewSet):
    queryset = m.Source.objects.select_related("publisher__country")
    serializer_class = s.SourceSerializer
    filterset_class = fs.SourceFilterSet
    ordering_fields = (*BASIC_ORDERING, "title")


class CitationViewSet(RecordViewSet):
    queryset = m.Citation.objects.select_related("source", "content_type").prefetch_related(
        GenericPrefetch("record", m.sources.cited_querysets())
    )
    serializer_class = s.CitationSerializer
    filterset_class = fs.CitationFilterSet

    def get_queryset(self):
        # A citation tells about the record it supports: only those of the kinds the user may view.
        citations = super().get_queryset()
        if not settings.API_READ_REQUIRES_LOGIN:
            return citations
        cited = [model for model in apps.get_app_config("cooperation").get_models() if issubclass(model, m.CitedModel)]
        return citations.filter(content_type__in=viewable_content_types(self.request.user, cited))
