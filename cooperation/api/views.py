"""The API's resources: one viewset each, derived from the resource's declaration (``viewset_for``).
``RecordViewSet`` holds the shared behaviour."""

from __future__ import annotations

import functools
import re

from django.apps import apps
from django.conf import settings
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import parsers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.settings import api_settings

from cooperation import merging, services
from cooperation import models as m
from cooperation.api import representation, schema, tabular
from cooperation.api import serializers as s
from cooperation.api.exceptions import PreconditionFailed, PreconditionRequired
from cooperation.api.jobs import JobSerializer
from cooperation.api.ordering import BASIC_ORDERING
from cooperation.api.permissions import MayMerge, viewable_content_types
from cooperation.api.prefetch import fetch_plan, prefetch_page
from cooperation.history import changed_since

#: An entity tag as RFC 9110 writes it: "*", or an opaque quoted string, weak (W/"...") or strong.
ENTITY_TAG = re.compile(r'\*|(W/)?"[\x21\x23-\x7e\x80-\xff]*"')


class MergeSerializer(serializers.Serializer):
    duplicate = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text="The id of the record to merge into this one (its duplicate)."
    )


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
        plan = representation.plan_for(self.get_serializer_class()) if settings.API_FAST_LISTS else None
        if plan is None or self.paginator is None:
            return super().list(request, *args, **kwargs)
        # The page's records, then what the plan does not read itself (a citation's record) prefetched; the
        # plan reads the parts and many-to-many fields in one query each (cooperation/api/representation.py).
        queryset = self.filter_queryset(self.get_queryset())
        lookups = queryset._prefetch_related_lookups
        page = self.paginator.paginate_queryset(queryset.prefetch_related(None), request, view=self)
        others = [
            lookup
            for lookup in lookups
            if (lookup.prefetch_through if hasattr(lookup, "prefetch_through") else lookup) not in plan.handled
        ]
        if page and others:
            prefetch_page(page, others)
        return self.get_paginated_response(plan.represent(page, self.get_serializer_context()))

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
        try:
            record = self.get_object()
        except Http404:
            survivor = self.merged_into()
            if survivor is None:
                raise
            location = reverse(f"api:{survivor._meta.model_name}-detail", kwargs={"pk": survivor.pk}, request=request)
            return Response(status=status.HTTP_301_MOVED_PERMANENTLY, headers={"Location": location})
        if etag(record.version) in {t.strip() for t in request.headers.get("If-None-Match", "").split(",")}:
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag(record.version)})
        return Response(self.get_serializer(record).data)

    def merged_into(self):
        """The record the one asked for was merged into (the survivor of a duplicate), or None."""
        pk = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)
        return merging.survivor_of(self.queryset.model, int(pk)) if pk and pk.isdigit() else None

    @extend_schema(request=MergeSerializer)
    @action(detail=True, methods=["post"], permission_classes=[MayMerge])
    def merge(self, request, *args, **kwargs):
        """Merge a duplicate into this record: every reference to the duplicate, its parts and its citations
        move here (what would be here twice is dropped), the duplicate's name becomes one of this record's other
        names, and the duplicate is deleted; its tombstone in ``/deleted/`` and its address (301) lead here.
        Takes the permissions to change and to delete records of this kind."""
        survivor = self.get_object()
        given = MergeSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        model = self.queryset.model
        duplicate = model._default_manager.filter(pk=given.validated_data["duplicate"]).first()
        if duplicate is None:
            pk = given.validated_data["duplicate"]
            merged = merging.survivor_of(model, pk)
            already = f" (it was merged into {merged.pk})" if merged is not None else ""
            raise ValidationError({"duplicate": [f"There is no {model._meta.verbose_name} {pk}{already}."]})
        merging.merge_records(survivor, duplicate, user=request.user)
        record = self.get_queryset().get(pk=survivor.pk)
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


class CitationViewSet(RecordViewSet):
    def get_queryset(self):
        # A citation tells about the record it supports: only those of the kinds the user may view.
        citations = super().get_queryset()
        if not settings.API_READ_REQUIRES_LOGIN:
            return citations
        cited = [model for model in apps.get_app_config("cooperation").get_models() if issubclass(model, m.CitedModel)]
        return citations.filter(content_type__in=viewable_content_types(self.request.user, cited))


#: Viewsets with behaviour of their own: the model -> the base its derived viewset extends.
BASES = {m.Citation: CitationViewSet}


@functools.cache
def viewset_for(resource) -> type[RecordViewSet]:
    """The viewset of a resource: its serializer, its filterset, its orderings, and a queryset that fetches what
    the serializer shows (``fetch_plan``)."""
    model = resource.model
    serializer_class = s.serializer_for(resource)
    joins, prefetches = fetch_plan(serializer_class)
    queryset = model._default_manager.all()
    if joins:
        queryset = queryset.select_related(*joins)
    if prefetches:
        queryset = queryset.prefetch_related(*prefetches)
    attrs = {
        "queryset": queryset,
        "serializer_class": serializer_class,
        "filterset_class": resource.filterset_class,
        "ordering_fields": (*BASIC_ORDERING, *resource.ordering),
        "__module__": __name__,
    }
    if not merging.mergeable(model):
        attrs["merge"] = None  # no merge action (nor its route) for reference data
    return type(f"{model.__name__}ViewSet", (BASES.get(model, RecordViewSet),), attrs)
