"""``/api/v1/deleted/``: the tombstones a syncing client reads to drop what was deleted since it last looked."""

from __future__ import annotations

import django_filters as filters
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.reverse import reverse

from cooperation.api.permissions import viewable_content_types
from cooperation.filtering.filters import ChangedSinceFilter, ChoiceFilter
from cooperation.models import Deletion
from cooperation.resources import RESOURCES

RESOURCE_OF_MODEL = {resource.model: name for name, resource in RESOURCES.items()}


class DeletionFilterSet(filters.FilterSet):
    since = ChangedSinceFilter(field_name="deleted_at", lookup_expr="gte", help_text="Deleted at or after this time.")
    resource = ChoiceFilter(method="filter_resource", choices=[(name, name) for name in RESOURCES])

    class Meta:
        model = Deletion
        fields: list[str] = []

    def filter_resource(self, queryset, name, values):
        if not values:
            return queryset
        content_types = ContentType.objects.get_for_models(*(RESOURCES[value].model for value in values))
        return queryset.filter(content_type__in=content_types.values())


class MergedIntoSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The id of the record it was merged into, in the same resource.")
    api_url = serializers.URLField(help_text="That record's address in this API.")


class DeletionSerializer(serializers.ModelSerializer):
    resource = serializers.SerializerMethodField(help_text="The resource the record belonged to, e.g. agreements.")
    id = serializers.IntegerField(source="record_id", help_text="The deleted record's id in that resource.")
    merged_into = serializers.SerializerMethodField(
        help_text="A duplicate merged into another record: that record, which its references and citations "
        "moved to (its id and key lead there). Null for a record deleted outright."
    )

    class Meta:
        model = Deletion
        fields = ["resource", "id", "display", "deleted_at", "merged_into"]

    def get_resource(self, deletion) -> str:
        return RESOURCE_OF_MODEL.get(deletion.content_type.model_class(), deletion.content_type.model)

    @extend_schema_field(MergedIntoSerializer(allow_null=True))
    def get_merged_into(self, deletion) -> dict | None:
        if deletion.merged_into is None:
            return None
        url = reverse(
            f"api:{deletion.content_type.model}-detail",
            kwargs={"pk": deletion.merged_into},
            request=self.context.get("request"),
        )
        return {"id": deletion.merged_into, "api_url": url}


class DeletionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Records deleted (and not restored since), oldest first: ``?since=2026-11-01T00:00:00Z&resource=agreements``.

    A restored record leaves this list and comes back with a new ``updated_at``, so ``updated_since`` finds it.
    """

    queryset = Deletion.objects.filter(restored_at__isnull=True).select_related("content_type").order_by("id")
    serializer_class = DeletionSerializer
    filterset_class = DeletionFilterSet
    ordering_fields = ("id", "deleted_at")
    _ignore_model_permissions = True  # public reads, like the rest of the API; no writes at all

    def get_queryset(self):
        # A tombstone names a record (its title): only of the kinds of record the user may view.
        if not settings.API_READ_REQUIRES_LOGIN:
            return super().get_queryset()
        models = [resource.model for resource in RESOURCES.values()]
        return super().get_queryset().filter(content_type__in=viewable_content_types(self.request.user, models))
