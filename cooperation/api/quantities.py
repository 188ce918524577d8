"""A quantity in the API (``cooperation.quantities``): an object as the source gives it, or a bare number.

Read::

    "total_trained": {"qualifier": "more_than", "value": 300, "low": null, "high": null, "text": "more than 300"}
    "total_trained": {"qualifier": "between", "value": null, "low": 3, "high": 5, "text": "between 3 and 5"}
    "total_trained": null                                  (not reported)

and beside it the bounds the filters use, ``total_trained_min`` and ``total_trained_max`` (read-only).

Written: the same object (``text`` is read-only: accepted and ignored), or a bare JSON number, which is exact
(``"total_trained": 41``), as clients sent before quantities had qualifiers.
"""

from __future__ import annotations

import decimal
from typing import Any

from rest_framework import serializers

from cooperation.api.fields import json_type
from cooperation.quantities import Qualifier, Quantity, QuantityValue

KEYS = ("qualifier", "value", "low", "high", "text")
#: The largest whole number a decimal quantity takes: its 16 digits hold 13 before the point. SQLite reads a
#: decimal back as a float of 15 digits, so 9,999,999,999,999.9 would come back as 10**13.
DECIMAL_MAX = 10**13 - 1


class QuantityField(serializers.Field):
    """One quantity of a record or a part, over its columns (``source="*"``)."""

    def __init__(self, quantity: Quantity, *, model, **kwargs):
        self.quantity = quantity
        self.model_field = model._meta.get_field(quantity.name)
        kwargs.setdefault("help_text", self.model_field.help_text)
        super().__init__(source="*", required=False, allow_null=True, **kwargs)

    @property
    def maximum(self) -> int:
        if not self.quantity.integer:
            return DECIMAL_MAX
        return 32767 if self.model_field.get_internal_type() == "PositiveSmallIntegerField" else 2147483647

    # --- reading ------------------------------------------------------------------------------------
    def get_attribute(self, instance):
        return instance

    def to_representation(self, record) -> dict[str, Any] | None:
        value = self.quantity.value(record)
        if value is None:
            return None
        return {
            "qualifier": value.qualifier,
            "value": self._number(value.value),
            "low": self._number(value.low),
            "high": self._number(value.high),
            "text": str(value),
        }

    def _number(self, value):
        if value is None:
            return None
        if self.quantity.integer:
            return int(value)
        return decimal.Decimal(value).quantize(decimal.Decimal(1).scaleb(-self.quantity.decimal_places))

    # --- writing ------------------------------------------------------------------------------------
    def validate_empty_values(self, data):
        if data is None:
            return True, self.nothing()
        return super().validate_empty_values(data)

    def nothing(self) -> dict[str, Any]:
        """The columns of a quantity not reported."""
        return {self.quantity.name: None, self.quantity.qualifier: "", self.quantity.high: None}

    def to_internal_value(self, data) -> dict[str, Any]:
        if isinstance(data, int | float) and not isinstance(data, bool):
            value = QuantityValue(Qualifier.EXACT, self._read_number(data))
        elif isinstance(data, dict):
            value = self._read_object(data)
        else:
            raise serializers.ValidationError(
                f'Give a number (exact) or an object such as {{"qualifier": "about", "value": 2.5}}, '
                f"not {json_type(data)}.",
                code="invalid",
            )
        return value.columns(self.quantity)

    def _read_object(self, data: dict) -> QuantityValue:
        unknown = [key for key in data if key not in KEYS]
        if unknown:
            message = f"Unknown key. Known: {', '.join(KEYS[:-1])}."
            raise serializers.ValidationError({key: [message] for key in unknown})
        qualifier = data.get("qualifier", Qualifier.EXACT)
        if qualifier not in Qualifier.values:
            choices = ", ".join(Qualifier.values)
            raise serializers.ValidationError(
                {"qualifier": [f"{qualifier!r} is not a qualifier; use one of: {choices}."]}
            )
        numbers, errors = {}, {}
        for key in ("value", "low", "high"):
            if data.get(key) is not None:
                try:
                    numbers[key] = self._read_number(data[key])
                except serializers.ValidationError as error:
                    errors[key] = error.detail
        if errors:
            raise serializers.ValidationError(errors)
        if qualifier == Qualifier.BETWEEN:
            missing = [key for key in ("low", "high") if key not in numbers]
            if missing:
                message = "\u201cbetween\u201d needs a low and a high end."
                raise serializers.ValidationError({key: [message] for key in missing})
            if "value" in numbers:
                raise serializers.ValidationError({"value": ["A range gives low and high, not a value."]})
            if not numbers["low"] < numbers["high"]:
                raise serializers.ValidationError({"high": ["The high end is above the low end."]})
            return QuantityValue(Qualifier.BETWEEN, None, numbers["low"], numbers["high"])
        if "value" not in numbers:
            raise serializers.ValidationError({"value": [f"\u201c{Qualifier(qualifier).label}\u201d needs a value."]})
        extra = [key for key in ("low", "high") if key in numbers]
        if extra:
            message = "Only a range (\u201cbetween\u201d) has a low and a high end."
            raise serializers.ValidationError({key: [message] for key in extra})
        return QuantityValue(qualifier, numbers["value"])

    def _read_number(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float):
            raise serializers.ValidationError(f"Give a number, not {json_type(data)}.", code="invalid")
        if data < 0:
            raise serializers.ValidationError("A quantity cannot be negative.", code="min_value")
        if data > self.maximum:
            raise serializers.ValidationError(f"Give at most {self.maximum}.", code="max_value")
        if self.quantity.integer:
            if isinstance(data, float) and not data.is_integer():
                raise serializers.ValidationError("A count is a whole number.", code="invalid")
            return int(data)
        # A JSON number is a binary float: round to the stored places (0.1 is 0.1, not 0.1000000000000000055).
        places = decimal.Decimal(1).scaleb(-self.quantity.decimal_places)
        return decimal.Decimal(str(data)).quantize(places, rounding=decimal.ROUND_HALF_EVEN)
