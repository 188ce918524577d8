"""Fields of the API: related records (read as a brief nested object, written as an id or a natural key) and
scalars that take only the JSON type the schema documents."""

from __future__ import annotations

import decimal
from typing import Any

from django.db import models
from rest_framework import serializers
from rest_framework.relations import MANY_RELATION_KWARGS, ManyRelatedField

from cooperation.natural_keys import NaturalKeyError, natural_key

MAX_ID = 2**63 - 1


def json_type(data) -> str:
    """The JSON name of a parsed value's type, for messages a client can act on (not Python's ``NoneType``)."""
    if data is None:
        return "null"
    if isinstance(data, bool):
        return "true or false"
    names = {dict: "an object", list: "a list", str: "a string", int: "a number", float: "a number"}
    return next((name for kind, name in names.items() if isinstance(data, kind)), type(data).__name__)


class BriefRelatedField(serializers.RelatedField):
    """A foreign key or many-to-many value.

    Read: ``{"id": 170, "iso2": "PE", "iso3": "PER", "name": "Peru"}`` (the model's brief fields).
    Write: the id (an integer), the natural key (a string: ``"PE"``, ``"PER"``, ``"Peru"``, an agency as
    ``"Moscow police [RU]"``), or an object with either (``{"id": 170}``, ``{"iso2": "PE"}``).
    """

    default_error_messages = {
        "does_not_exist": "No {model} with id {value}.",
        "not_found": "{message}",
        "incorrect_type": "Give the id (an integer) or the {model}'s key (a string), not {data_type}.",
        "incomplete_object": 'An object names the {model} by its id ({{"id": 170}}) or by one of: {keys}.',
    }

    def __init__(self, **kwargs):
        self.brief_model = kwargs.pop("model", None)
        super().__init__(**kwargs)

    @classmethod
    def many_init(cls, *args, **kwargs):
        list_kwargs = {key: value for key, value in kwargs.items() if key in MANY_RELATION_KWARGS}
        return ManyBriefRelatedField(child_relation=cls(*args, **kwargs), **list_kwargs)

    @property
    def model(self):
        return self.brief_model or self.get_queryset().model

    def use_pk_only_optimization(self) -> bool:
        return False

    def to_representation(self, value) -> dict[str, Any]:
        brief: dict[str, Any] = {"id": value.pk}
        for name in natural_key(type(value)).brief_fields:
            if name == "country":
                brief[name] = value.country.iso2 if value.country_id else None
            elif value._meta.get_field(name).is_relation:  # a post's official and agency: their names
                related = getattr(value, name)
                brief[name] = None if related is None else related.name
            else:
                brief[name] = getattr(value, name)
        return brief

    def to_internal_value(self, data):
        model_name = self.model._meta.verbose_name
        queryset = self.get_queryset()
        if isinstance(data, dict):
            known = ("id", *natural_key(self.model).brief_fields)
            unknown = [name for name in data if name not in known]
            if unknown:
                message = f"Unknown field. Known: {', '.join(known)}."
                raise serializers.ValidationError({name: [message] for name in unknown})
            if not data:
                self.fail("incomplete_object", model=model_name, keys=", ".join(known[1:]))
            data = data.get("id", next((v for k, v in data.items() if k in natural_key(self.model).brief_fields), None))
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", model=model_name, data_type=json_type(data))
        if isinstance(data, int):
            if not 1 <= data <= MAX_ID:
                self.fail("does_not_exist", model=model_name, value=data)
            try:
                return queryset.get(pk=data)
            except self.model.DoesNotExist:
                self.fail("does_not_exist", model=model_name, value=data)
        try:
            return natural_key(self.model).resolve(data, queryset)
        except NaturalKeyError as error:
            self.fail("not_found", message=str(error))

    def get_choices(self, cutoff=None):
        # The browsable API would otherwise render every country and agency into a <select>.
        return {}


class RecordTypeField(serializers.SlugRelatedField):
    """A citation's ``record_type``: the model name of a kind of record that states facts (an enum in the schema,
    see ``cooperation.api.schema``)."""


class SupportedFieldsField(serializers.ListField):
    """A citation's ``supports``: the names of the fields and parts of its record it supports, as a list
    (stored as one line of names; the model checks them against the record's kind)."""

    child = serializers.CharField(max_length=100)

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            "The fields and parts of the record that this citation supports, by their names in this API "
            '(["title", "signed", "parties"]); empty when it supports the record as a whole.',
        )
        super().__init__(**kwargs)

    def to_representation(self, value: str) -> list[str]:
        return value.split()

    def to_internal_value(self, data) -> str:
        if not isinstance(data, list):
            raise serializers.ValidationError(f"Give a list of field names, not {json_type(data)}.", code="invalid")
        for name in data:
            if not isinstance(name, str):
                raise serializers.ValidationError(f"Give each field name as a string, not {json_type(name)}.")
        return " ".join(super().to_internal_value(data))


class ManyBriefRelatedField(ManyRelatedField):
    """A many-to-many value: a JSON list (DRF would also take an object, as the list of its keys)."""

    def to_internal_value(self, data):
        if not isinstance(data, list):
            self.fail("not_a_list", input_type=json_type(data))
        return super().to_internal_value(data)


# --- Scalars of the documented JSON type ------------------------------------------------------------------
# DRF coerces: 12 is taken for the string "12", "12" for the number 12, "yes" for true. The API takes JSON
# only, and a value of the wrong type is almost always a client's bug (a swapped column, an unquoted code):
# refuse it with a 400 naming the field rather than store something the client did not mean.
def _is_string(data) -> bool:
    return isinstance(data, str)


def _is_number(data) -> bool:
    return isinstance(data, int | float) and not isinstance(data, bool)


def _is_boolean(data) -> bool:
    return isinstance(data, bool)


def strict(field_class: type[serializers.Field], accepts, expected: str) -> type[serializers.Field]:
    def to_internal_value(self, data):
        if not accepts(data):
            raise serializers.ValidationError(f"Give {expected}, not {json_type(data)}.", code="invalid")
        # The documented maxLength holds for the value as sent, before DRF trims its whitespace.
        max_length = getattr(self, "max_length", None)
        if isinstance(data, str) and max_length is not None and len(data) > max_length:
            self.fail("max_length", max_length=max_length)
        return field_class.to_internal_value(self, data)

    return type(f"Strict{field_class.__name__}", (field_class,), {"to_internal_value": to_internal_value})


class RoundedDecimalField(serializers.DecimalField):
    """A JSON number is a binary float: its digits past the field's decimal places are the float's, not the
    client's (0.1 arrives as 0.1000000000000000055...). Round to the stored places, then check the size, so every
    number the schema allows (0 to the maximum) is taken instead of refused for its "digits in total"."""

    def validate_precision(self, value):
        if self.decimal_places is not None and value.adjusted() < (self.max_digits or 28):  # else too big anyway
            value = value.quantize(decimal.Decimal(1).scaleb(-self.decimal_places), rounding=decimal.ROUND_HALF_EVEN)
        return super().validate_precision(value)


StrictCharField = strict(serializers.CharField, _is_string, "a string")
StrictIntegerField = strict(serializers.IntegerField, _is_number, "a whole number")

#: ``ModelSerializer.serializer_field_mapping`` with the strict fields.
STRICT_FIELD_MAPPING = {
    **serializers.ModelSerializer.serializer_field_mapping,
    models.CharField: StrictCharField,
    models.TextField: StrictCharField,
    models.URLField: strict(serializers.URLField, _is_string, "a string"),
    models.EmailField: strict(serializers.EmailField, _is_string, "a string"),
    models.SlugField: strict(serializers.SlugField, _is_string, "a string"),
    models.IntegerField: StrictIntegerField,
    models.SmallIntegerField: StrictIntegerField,
    models.PositiveIntegerField: StrictIntegerField,
    models.PositiveSmallIntegerField: StrictIntegerField,
    models.BigIntegerField: strict(serializers.BigIntegerField, _is_number, "a whole number"),
    models.DecimalField: strict(RoundedDecimalField, _is_number, "a number"),
    models.FloatField: strict(serializers.FloatField, _is_number, "a number"),
    models.BooleanField: strict(serializers.BooleanField, _is_boolean, "true or false"),
}
