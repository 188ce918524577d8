"""Related records in the API: read as a brief nested object, written as an id or a natural key."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from cooperation.natural_keys import NaturalKeyError, natural_key

MAX_ID = 2**63 - 1


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
    }

    def __init__(self, **kwargs):
        self.brief_model = kwargs.pop("model", None)
        super().__init__(**kwargs)

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
            else:
                brief[name] = getattr(value, name)
        return brief

    def to_internal_value(self, data):
        model_name = self.model._meta.verbose_name
        queryset = self.get_queryset()
        if isinstance(data, dict):
            data = data.get("id", next((v for k, v in data.items() if k in natural_key(self.model).brief_fields), None))
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", model=model_name, data_type=type(data).__name__)
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
