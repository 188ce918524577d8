"""Any record in brief, typed: ``{"type": "agreement", "id": 12, "display": "...", "api_url": "..."}``.

What a citation says it supports, and what the cross-resource search answers with. ``type`` is the model's
name, as a citation's ``record_type`` has it; ``api_url`` the record's address in this API.
"""

from __future__ import annotations

from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse


def record_types() -> list[str]:
    """Every type a brief record can have: the app's models that the API serves."""
    from cooperation.resources import RESOURCES

    return [resource.model._meta.model_name for resource in RESOURCES.values()]


class RecordBriefSerializer(serializers.Serializer):
    """A record in brief. Read-only: a record is written by id (or key) where one is referred to."""

    type = serializers.CharField(help_text="The kind of record: agreement, traffickingroute, source, ...")
    id = serializers.IntegerField()
    display = serializers.CharField(help_text="The record's name as the admin shows it.")
    api_url = serializers.URLField(help_text="The record's address in this API.")

    def to_representation(self, record: models.Model) -> dict:
        request = self.context.get("request")
        name = record._meta.model_name
        return {
            "type": name,
            "id": record.pk,
            "display": str(record),
            "api_url": reverse(f"api:{name}-detail", kwargs={"pk": record.pk}, request=request),
        }


@extend_schema_field(RecordBriefSerializer)
class RecordBriefField(serializers.Field):
    """A generic relation (a citation's record) as a brief record; ``null`` if the record is gone."""

    def __init__(self, **kwargs):
        kwargs.update(read_only=True, allow_null=True)
        super().__init__(**kwargs)

    def to_representation(self, record):
        return RecordBriefSerializer(record, context=self.context).data
