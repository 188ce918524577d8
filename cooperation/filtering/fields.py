"""The form fields behind the filters: each checks and converts one parameter, so an error names it."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.datastructures import MultiValueDict

from cooperation import models as m
from cooperation.natural_keys import NaturalKeyError, as_id, natural_key
from cooperation.partial_dates import PartialDateError, from_text
from cooperation.roles import data_models


def cited_models() -> list:
    return [model for model in data_models() if issubclass(model, m.CitedModel)]


MAX_VALUES = 100
#: The longest text a filter takes: longer is no name, code or search anyone types, only a costly query.
MAX_TEXT = 1000
MIN_DATETIME = dt.datetime(1, 1, 2, tzinfo=dt.UTC)
MAX_DATETIME = dt.datetime(9999, 12, 30, tzinfo=dt.UTC)
TEXT_LOOKUPS = ["exact", "icontains", "istartswith"]


# --- Widgets and fields ---------------------------------------------------------------------------------
class MultiValueWidget(forms.TextInput):
    """Repeated parameters and comma lists alike: ``?a=1&a=2`` and ``?a=1,2`` both give ["1", "2"]."""

    def value_from_datadict(self, data, files, name):
        raw = data.getlist(name) if isinstance(data, MultiValueDict) else [data.get(name)]
        values = [part.strip() for item in raw if item is not None for part in str(item).split(",")]
        if values and not any(values):
            return [""]  # sent empty (?status=): refused by the field, not taken as "no filter"
        return list(dict.fromkeys(v for v in values if v)) or None

    def format_value(self, value):
        return ",".join(map(str, value)) if isinstance(value, list | tuple) else value


class MultiValueField(forms.Field):
    """Several values; subclasses check and convert each one so that errors name the parameter."""

    widget = MultiValueWidget

    def clean(self, value):
        values = value or []
        if len(values) > MAX_VALUES:
            raise ValidationError(f"At most {MAX_VALUES} values.")
        if any(len(v) > MAX_TEXT for v in values):
            raise ValidationError(f"At most {MAX_TEXT} characters per value.")
        if "" in values:
            raise ValidationError("Give a value, or leave the parameter out.")
        return [self.convert(v) for v in values]

    def convert(self, value: str):
        return value


class IdField(MultiValueField):
    def convert(self, value):
        number = as_id(value)
        if number is None:
            raise ValidationError(f"{value[:50]!r} is not an id.")
        return number


class ChoicesField(MultiValueField):
    def __init__(self, *, choices, **kwargs):
        self.codes = [code for code, _ in choices]
        super().__init__(**kwargs)

    def convert(self, value):
        if value not in self.codes:
            raise ValidationError(f"Unknown value {value[:50]!r}; use one of: {', '.join(self.codes)}.")
        return value


class KeyField(MultiValueField):
    """Records by id or natural key, resolved to ids (one query per value; an unknown key is an error)."""

    def __init__(self, *, model, **kwargs):
        self.model = model
        super().__init__(**kwargs)

    def convert(self, value):
        try:
            return natural_key(self.model).resolve_reference(value).pk
        except NaturalKeyError as error:
            raise ValidationError(str(error)) from None


class RegionTreeField(KeyField):
    """Regions by M49 code or name, with every region under them."""

    def __init__(self, **kwargs):
        super().__init__(model=m.Region, **kwargs)

    def clean(self, value):
        regions = super().clean(value)
        return m.Region.objects.filter(pk__in=regions).with_descendants() if regions else []


class GivenWhenPresent:
    """A parameter sent empty (``?updated_since=``) is an error, not "no filter": a client whose variable was
    empty would otherwise sync or export the whole table."""

    def clean(self, value):
        if value == "":
            raise ValidationError("Give a value, or leave the parameter out.")
        return super().clean(value)


class PartialDateBoundField(GivenWhenPresent, forms.CharField):
    """A day written as a partial date, as in the data: ``2012-10-15``, ``2012-10``, ``2012``, "October 2012".

    ``bound`` says which day of what is written counts: the earliest (a range's start, ``date_from=2012-10``
    is 1 October) or the latest (its end, ``date_to=2012-10`` is 31 October).
    """

    def __init__(self, *, bound: str = "earliest", **kwargs):
        self.bound = bound
        kwargs.setdefault("max_length", 100)
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        try:
            day = getattr(from_text(text), self.bound)
        except PartialDateError as error:
            raise ValidationError(str(error)) from None
        if day is None:
            raise ValidationError(f"{text[:50]!r} has no {self.bound} day: give a date such as 2012-10 or 2012-10-15.")
        return day


class DateMatchField(GivenWhenPresent, forms.ChoiceField):
    """How ``date_from``/``date_to`` match a record's partial dates."""


class BoundedDateTimeField(GivenWhenPresent, forms.DateTimeField):
    """An ISO 8601 time within what every database can compare in any time zone (2 January 1 AD to 30 December
    9999 AD, in UTC: a day's margin on each side, since a time at the very edge moves out of range once shifted
    to another offset)."""

    def to_python(self, value):
        result = super().to_python(value)
        if result is not None:
            if result.tzinfo is None:
                result = result.replace(tzinfo=dt.UTC)
            try:
                in_range = MIN_DATETIME <= result <= MAX_DATETIME
            except OverflowError:
                in_range = False
            if not in_range:
                raise ValidationError("Give a time between 0001-01-02 and 9999-12-30 (UTC).")
            # In UTC: PostgreSQL refuses offsets beyond ±15:59, which ISO 8601 (and Python) allow up to ±23:59.
            result = result.astimezone(dt.UTC)
        return result
