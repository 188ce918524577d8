"""Serializers: one per resource, derived from its declaration (``serializer_for``). ``RecordSerializer`` holds
what they share: related records in brief form, citations, validation by the model's own ``full_clean()``, and
writes through ``cooperation.services``."""

from __future__ import annotations

import copy
import functools
from collections.abc import Mapping

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from cooperation import models as m
from cooperation import provenance, services
from cooperation.api.briefs import RecordBriefField
from cooperation.api.exceptions import validation_detail
from cooperation.api.fields import (
    STRICT_FIELD_MAPPING,
    BriefRelatedField,
    RecordTypeField,
    StrictIntegerField,
    SupportedFieldsField,
)
from cooperation.api.quantities import QuantityField
from cooperation.api.tabular import flag
from cooperation.duplicates import CONFIRM_PARAMETER
from cooperation.resources import CITATION_FIELDS, part_fields

STAMPS = ["created_at", "updated_at", "version"]


class KnownFieldsOnly:
    """A body field the serializer does not have is a 400 naming it (``parties[0].rol``), not silently dropped.

    Read-only fields (id, api_url, display, stamps, a date's bounds, ...) are accepted and ignored, so that a
    record read with GET can be edited and sent back whole.
    """

    def to_internal_value(self, data):
        unknown = {}
        if isinstance(data, Mapping):
            writable = [name for name, field in self.fields.items() if not field.read_only]
            message = f"Unknown field. Known: {', '.join(writable)}."
            unknown = {name: [message] for name in data if name not in self.fields}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            detail = error.detail if isinstance(error.detail, dict) else {"non_field_errors": error.detail}
            raise serializers.ValidationError({**unknown, **detail}) from None
        if unknown:
            raise serializers.ValidationError(unknown)
        return value


class PartSerializer(KnownFieldsOnly, serializers.ModelSerializer):
    """A part entered with its record (a party, a route stop, ...). Validated with the record, in the service."""

    serializer_related_field = BriefRelatedField
    serializer_field_mapping = STRICT_FIELD_MAPPING


class CitationInlineSerializer(PartSerializer):
    """A citation as it appears inside the record it supports (``record``: that record, in brief)."""

    record = RecordBriefField(help_text="The record the citation supports.")
    supports = SupportedFieldsField()

    class Meta:
        model = m.Citation
        fields = ["id", "record", *CITATION_FIELDS]


class RecordSerializer(KnownFieldsOnly, serializers.ModelSerializer):
    serializer_related_field = BriefRelatedField
    serializer_field_mapping = STRICT_FIELD_MAPPING
    api_url = serializers.SerializerMethodField(help_text="The record's address in this API.")
    display = serializers.SerializerMethodField()

    #: The basename of the resource's routes (``api:<basename>-detail``).
    basename: str = ""

    @extend_schema_field(OpenApiTypes.URI)
    def get_api_url(self, record) -> str:
        return reverse(f"api:{self.basename}-detail", kwargs={"pk": record.pk}, request=self.context.get("request"))

    def get_display(self, record) -> str:
        return str(record)

    # --- writing -------------------------------------------------------------------------------------
    def _relations(self) -> tuple[set[str], set[str]]:
        model = self.Meta.model
        many_to_many = {f.name for f in model._meta.many_to_many}
        parts = {name for name, field in self.fields.items() if isinstance(field, serializers.ListSerializer)}
        return many_to_many, parts

    def _split(self, data: dict) -> tuple[dict, dict, dict]:
        many_to_many, parts = self._relations()
        simple = {k: v for k, v in data.items() if k not in many_to_many and k not in parts}
        return (
            simple,
            {k: v for k, v in data.items() if k in many_to_many},
            {k: [dict(item) for item in v] for k, v in data.items() if k in parts},
        )

    def validate(self, attrs):
        """Run the model's own validation (its clean() and constraints), so that every rule gives a 400."""
        if self.instance is not None and not self.partial:
            attrs = {**self._defaults_for_omitted_fields(attrs), **attrs}
        simple, _, _ = self._split(attrs)
        record = copy.copy(self.instance) if self.instance is not None else self.Meta.model()
        for name, value in simple.items():
            setattr(record, name, value)
        services.cite_for_dates(record, attrs.get("citations"))
        try:
            record.full_clean()
        except DjangoValidationError as error:
            raise serializers.ValidationError(validation_detail(error)) from None
        return attrs

    def _defaults_for_omitted_fields(self, attrs) -> dict:
        """PUT replaces the record: what the client leaves out goes back to its default (empty)."""
        many_to_many, parts = self._relations()
        defaults = {}
        for name, field in self.fields.items():
            if isinstance(field, QuantityField):
                if field.quantity.name not in attrs:
                    defaults.update(field.nothing())
                continue
            if field.read_only or field.source in attrs:
                continue
            if field.source in many_to_many or name in parts:
                defaults[field.source] = []
            else:
                defaults[field.source] = self.Meta.model._meta.get_field(field.source).get_default()
        return defaults

    def _user(self):
        request = self.context.get("request")
        return getattr(request, "user", None)

    def _confirm_duplicate(self) -> bool:
        """``?confirm_duplicate=true``: the client knows the record is alike to one on record, and means it."""
        request = self.context.get("request")
        return bool(request is not None and flag(request, CONFIRM_PARAMETER, False))

    def create(self, validated_data):
        simple, many_to_many, parts = self._split(validated_data)
        record = self.Meta.model(**simple)
        return self._save(record, many_to_many, parts)

    def update(self, record, validated_data):
        simple, many_to_many, parts = self._split(validated_data)
        for name, value in simple.items():
            setattr(record, name, value)
        return self._save(record, many_to_many, parts)

    def _save(self, record, many_to_many, parts):
        """The one way the API writes a record: the service, as the request's user, confirming as it asks."""
        services.record_save(
            record,
            many_to_many=many_to_many,
            parts=parts,
            user=self._user(),
            confirm_duplicate=self._confirm_duplicate(),
        )
        return record


class CitedRecordSerializer(RecordSerializer):
    citations = CitationInlineSerializer(
        many=True,
        required=False,
        help_text="The sources that support the record: at least one (every fact is sourced). A PATCH that "
        "leaves them out keeps them.",
    )
    unsupported_fields = serializers.SerializerMethodField(
        help_text="The facts of the record (fields with a value, parts) that no citation names in its "
        "`supports`: what still needs a source for that fact itself."
    )

    def get_unsupported_fields(self, record) -> list[str]:
        return provenance.unsupported_fields(record)

    def to_representation(self, record):
        # Each citation names its record: this one, already here (no query per citation to fetch it back).
        generic = m.Citation._meta.get_field("record")
        for citation in record.citations.all():
            generic.set_cached_value(citation, record)
        return super().to_representation(record)


class CitationFieldsSerializer(RecordSerializer):
    """A citation on its own: which record it supports is given by ``record_type`` and ``record_id``, and shown
    in brief as ``record``."""

    record = RecordBriefField(help_text="The record the citation supports, in brief.")
    supports = SupportedFieldsField()
    record_type = RecordTypeField(
        source="content_type",
        slug_field="model",
        queryset=ContentType.objects.filter(m.sources.cited_models()),
        help_text="The kind of record cited: agency, official, post, agreement, trainingcentre, trainingcourse, "
        "operation, event, traffickingroute or assessment.",
    )
    record_id = StrictIntegerField(source="object_id", min_value=1, max_value=2**63 - 1)


#: Serializers whose fields are not all the model's: the model -> the base that declares the others.
BASES = {m.Citation: CitationFieldsSerializer}


def quantity_names(model, names) -> list[str]:
    """Field names with each quantity as its object and its two bounds (``total_trained``, ``total_trained_min``,
    ``total_trained_max``), its other columns left out (the object holds them)."""
    quantities = {quantity.name: quantity for quantity in getattr(model, "quantities", ())}
    inner = {column for quantity in quantities.values() for column in quantity.columns[1:]}
    shown = []
    for name in names:
        if name in quantities:
            shown += [name, quantities[name].min, quantities[name].max]
        elif name not in inner:
            shown.append(name)
    return shown


def quantity_fields(model) -> dict[str, QuantityField]:
    return {quantity.name: QuantityField(quantity, model=model) for quantity in getattr(model, "quantities", ())}


def api_fields(resource) -> list[str]:
    """The fields a resource's serializer shows: id, api_url and display, the declared fields (a partial date
    as its four fields, a quantity as its object and its bounds), the parts not placed among them, the
    citations, the stamps."""
    dates = set(getattr(resource.model, "partial_dates", ()))
    names = ["id", "api_url", "display"]
    for name in quantity_names(resource.model, resource.fields):
        names += [f"{name}{suffix}" for suffix in ("", "_edtf", "_earliest", "_latest")] if name in dates else [name]
    names += [name for name in resource.parts if name not in resource.fields]
    if resource.cited:
        names += ["citations", "unsupported_fields"]
    return [*names, *STAMPS]


@functools.cache
def part_serializer(relation) -> type[PartSerializer]:
    """The serializer of a part (an agreement's party): the fields the CSV writes for it, with its id."""
    model = relation.related_model
    meta = type(
        "Meta",
        (),
        {"model": model, "fields": ["id", *quantity_names(model, [f.name for f in part_fields(relation)])]},
    )
    attrs = {"Meta": meta, "__module__": __name__, **quantity_fields(model)}
    return type(f"{model.__name__}Serializer", (PartSerializer,), attrs)


@functools.cache
def serializer_for(resource) -> type[RecordSerializer]:
    """The serializer of a resource, named after its model (the schema's component names come from it)."""
    model = resource.model
    base = BASES.get(model, CitedRecordSerializer if resource.cited else RecordSerializer)
    attrs = {
        "basename": model._meta.model_name,
        "Meta": type("Meta", (), {"model": model, "fields": api_fields(resource)}),
        "__module__": __name__,
        **quantity_fields(model),
    }
    for name in resource.parts:
        described = {"help_text": resource.field_help[name]} if name in resource.field_help else {}
        attrs[name] = part_serializer(model._meta.get_field(name))(many=True, required=False, **described)
    return type(f"{model.__name__}Serializer", (base,), attrs)
