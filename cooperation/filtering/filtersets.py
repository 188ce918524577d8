"""The filterset of a resource, derived from its declaration and its model (``filterset_for``), and what every
filterset shares (``RecordFilterSet``)."""

from __future__ import annotations

import copy

import django_filters as filters
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q

from cooperation.filtering.fields import MAX_TEXT
from cooperation.filtering.filters import (
    DATE_MATCHES,
    AllOfFilter,
    ChangedSinceFilter,
    ChoiceFilter,
    DateFilter,
    DateMatchFilter,
    IdFilter,
    KeyFilter,
    MultiValueFilter,
    QuantityFilter,
    SearchFilter,
    in_region,
    involving_country,
)


# --- Base filterset ---------------------------------------------------------------------------------------
class RecordFilterSet(filters.FilterSet):
    """What every resource can be filtered by. Subclasses set ``search_fields`` and ``dates``."""

    id = IdFilter(field_name="pk")
    updated_since = ChangedSinceFilter(
        field_name="updated_at", lookup_expr="gte", help_text="Changed at or after this time (ISO 8601)."
    )
    date_from = DateFilter(
        method="filter_dates",
        bound="earliest",
        help_text="Dates overlapping from this day on: YYYY-MM-DD, or a month or year (2012-10 counts from its "
        "first day).",
    )
    date_to = DateFilter(
        method="filter_dates",
        bound="latest",
        help_text="Dates overlapping up to this day: YYYY-MM-DD, or a month or year (2012-10 counts to its last day).",
    )
    date_match = DateMatchFilter(
        method="filter_dates",
        choices=[(mode, mode) for mode in DATE_MATCHES],
        help_text="How date_from/date_to match a record's dates. overlap (the default): the date may fall in the "
        "window, its earliest-latest range touches it (\u201cbefore 2016\u201d matches 2012). within: the date "
        "certainly falls in it, its whole range lies inside (a date open on one side, such as [..2015-06-01], "
        "only matches a window open on that side).",
    )

    #: Text fields searched by ``q``.
    search_fields: tuple[str, ...] = ()
    #: The dates ``date_from``/``date_to`` apply to: names of single dates, or (start, end) pairs for periods.
    #: A record matches when any of them overlaps the range.
    dates: tuple[str | tuple[str, str], ...] = ()

    @classmethod
    def get_filters(cls):
        declared = super().get_filters()
        if cls.search_fields:
            declared["q"] = SearchFilter(field_name="q", search_fields=cls.search_fields)
        if not cls.dates:
            del declared["date_from"], declared["date_to"], declared["date_match"]
        for name, declared_filter in list(declared.items()):
            if isinstance(declared_filter, MultiValueFilter) and declared_filter.distinct_paths:
                # A relation with many values per record (parties, areas): "all of" as well as "any of".
                declared[f"{name}__all"] = AllOfFilter(field_name=f"{name}__all", of=declared_filter, name=name)
        for declared_filter in declared.values():
            if isinstance(declared_filter, filters.CharFilter):
                declared_filter.extra.setdefault("max_length", MAX_TEXT)
        return declared

    def get_form_class(self):
        form_class = super().get_form_class()
        matches = [prefix for prefix in ("date", "milestone") if f"{prefix}_match" in self.filters]
        if not matches:
            return form_class

        class DatesForm(form_class):
            def clean(self):
                cleaned = super().clean()
                for prefix in matches:
                    window = self.data.get(f"{prefix}_from") or self.data.get(f"{prefix}_to")
                    if cleaned.get(f"{prefix}_match") and not window:
                        self.add_error(
                            f"{prefix}_match",
                            f"{prefix}_match needs {prefix}_from or {prefix}_to, the window it matches.",
                        )
                return cleaned

        DatesForm.__name__ = form_class.__name__
        return DatesForm

    def filter_dates(self, queryset, name, value):
        return queryset  # both ends are applied together in filter_queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        date_from, date_to = self.form.cleaned_data.get("date_from"), self.form.cleaned_data.get("date_to")
        single, period = DATE_MATCHES[self.form.cleaned_data.get("date_match") or "overlap"]
        if date_from or date_to:
            condition = Q()
            for date in self.dates:  # a record matches when any of its dates does
                condition |= (
                    period(*date, date_from, date_to) if isinstance(date, tuple) else single(date, date_from, date_to)
                )
            queryset = queryset.filter(condition)
        return queryset


def filterset_for(resource) -> type[RecordFilterSet]:
    """The filterset of a resource: its declared filters, and those its model gives.

    - ``country`` and ``region`` where the resource declares its places;
    - a choice filter for each choice field it shows (``status=signed``);
    - a relation filter for each declared relation, by id or natural key, "all of" too when many-valued;
    - text filters and ``q`` as declared; ``date_from``/``date_to`` over the model's partial dates;
    - ``<quantity>__gte`` and ``<quantity>__lte`` for each quantity it shows, by the quantity's bounds.
    """
    model = resource.model
    declared: dict[str, filters.Filter] = {}
    places = resource.places
    if places is not None:
        if places.countries and places.countries != ("pk",):
            declared["country"] = involving_country(places, model)
        declared["region"] = in_region(places, model)
    for name in resource.fields:
        model_field = _model_field(model, name)
        if getattr(model_field, "choices", None) and not model_field.is_relation:
            declared[name] = ChoiceFilter(field_name=name, choices=model_field.choices)
    for name, paths in resource.relations.items():
        paths = (paths,) if isinstance(paths, str) else tuple(paths)
        related = _related_model(model, paths[0])
        many = any(_is_many_valued(model, path) for path in paths)
        if len(paths) == 1:
            declared[name] = KeyFilter(model=related, field_name=paths[0], distinct_paths=many)
        else:
            declared[name] = KeyFilter(model=related, paths=list(paths), distinct_paths=many)
    for quantity in getattr(model, "quantities", ()):
        if quantity.name in resource.fields:
            label = model._meta.get_field(quantity.name).verbose_name
            declared[f"{quantity.name}__gte"] = QuantityFilter(
                quantity=quantity,
                bound="min",
                help_text=f"The {label} is certainly at least this: its lower bound is (“more than 300” is "
                "at least 301, “between 3 and 5” at least 3, “about 40” counts as 40).",
            )
            declared[f"{quantity.name}__lte"] = QuantityFilter(
                quantity=quantity,
                bound="max",
                help_text=f"The {label} is certainly at most this: its upper bound is (“fewer than 10” is "
                "at most 9; “at least 14” has none and never matches).",
            )
    declared |= {name: copy.deepcopy(each) for name, each in resource.filters.items()}
    for name, text in resource.filter_help.items():
        declared[name].extra["help_text"] = text
    single = [name for name in getattr(model, "partial_dates", ()) if not _in_period(model, name)]
    meta = type(
        "Meta", (), {"model": model, "fields": {name: list(lookups) for name, lookups in resource.text_filters.items()}}
    )
    attrs = {
        **declared,
        "Meta": meta,
        "search_fields": tuple(resource.search),
        "dates": (*single, *getattr(model, "periods", ())),
        "__module__": __name__,
    }
    return type(f"{model.__name__}FilterSet", (RecordFilterSet,), attrs)


def _model_field(model, name: str):
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _related_model(model, path: str):
    """The model at the end of a path of relations (``parties__agency`` -> Agency)."""
    for name in path.split("__"):
        model = model._meta.get_field(name).related_model
    return model


def _is_many_valued(model, path: str) -> bool:
    """Whether a path goes through a relation with many values per record (a record could match twice)."""
    for name in path.split("__"):
        model_field = model._meta.get_field(name)
        if model_field.many_to_many or model_field.one_to_many:
            return True
        model = model_field.related_model
    return False


def _in_period(model, name: str) -> bool:
    return any(name in period for period in getattr(model, "periods", ()))
