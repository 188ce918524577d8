"""Sidebar filters shared by every admin: partial dates by their bounds, regions with their sub-regions, sourcing.

Each is written once and parameterised by field names, so a model gets the same filters as its neighbours.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import HttpRequest

from cooperation.models import Citation, Region
from cooperation.models.base import period_overlaps
from cooperation.partial_dates import PartialDateError, from_text
from cooperation.places import countries_involved, regions_involved

COLLAPSED_FILTER_TEMPLATE = "admin/cooperation/collapsed_filter.html"


def date_label(model: type[Model], name: str) -> str:
    """The plain name of a partial date: its as-written field's verbose name without "(as written)"."""
    return str(model._meta.get_field(name).verbose_name).removesuffix(" (as written)")


class PartialDateFilter(admin.ListFilter):
    """Records whose partial date (or period, from one date to another) overlaps a range of dates.

    A range is typed as partial dates too ("2012", "October 2012", "2012-10-15"): "from" counts from the
    earliest day it can mean, "to" up to the latest. Matching is by overlap of the bounds, as in the API
    (``period_overlaps``), so "October 2012" is found by a filter for 2012 and by one for 2012-10-15. The
    sidebar also links each year in which some record's date begins, and the records whose date is unknown.
    Use ``partial_date_filter()`` to make one for a given date.
    """

    template = "admin/cooperation/partial_date_filter.html"
    start: str
    end: str

    def __init__(self, request: HttpRequest, params: dict, model: type[Model], model_admin: admin.ModelAdmin):
        super().__init__(request, params, model, model_admin)
        self.model_admin = model_admin
        prefix = self.start if self.start == self.end else f"{self.start}_to_{self.end}"
        self.from_param, self.to_param, self.unknown_param = f"{prefix}__from", f"{prefix}__to", f"{prefix}__unknown"
        for name in self.expected_parameters():
            if name in params:
                self.used_parameters[name] = params.pop(name)[-1].strip()

    def expected_parameters(self) -> list[str]:
        return [self.from_param, self.to_param, self.unknown_param]

    def has_output(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return any(self.used_parameters.values())

    def years(self, request: HttpRequest) -> list[int]:
        starts = self.model_admin.get_queryset(request).dates(f"{self.start}_earliest", "year", order="DESC")
        return [day.year for day in starts]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.used_parameters.get(self.unknown_param) == "1":
            return queryset.filter(**{f"{self.start}_earliest__isnull": True, f"{self.end}_latest__isnull": True})
        written_from, written_to = self.used_parameters.get(self.from_param), self.used_parameters.get(self.to_param)
        if not (written_from or written_to):
            return queryset
        try:
            date_from = from_text(written_from).earliest if written_from else None
            date_to = from_text(written_to).latest if written_to else None
        except PartialDateError as error:
            # Show no rows rather than all of them: a filter that was not applied must not look like one that was.
            messages.error(request, f"Filter by {self.title}: {error}")
            return queryset.none()
        return queryset.filter(period_overlaps(self.start, self.end, date_from, date_to))

    def choices(self, changelist) -> list[dict]:
        written_from = self.used_parameters.get(self.from_param, "")
        written_to = self.used_parameters.get(self.to_param, "")
        unknown = self.used_parameters.get(self.unknown_param) == "1"
        mine = self.expected_parameters()
        choices = [
            {
                "selected": not (written_from or written_to or unknown),
                "query_string": changelist.get_query_string(remove=mine),
                "display": "Any date",
            }
        ]
        for year in self.years(self.request):
            choices.append(
                {
                    "selected": written_from == written_to == str(year),
                    "query_string": changelist.get_query_string(
                        {self.from_param: year, self.to_param: year}, [self.unknown_param]
                    ),
                    "display": str(year),
                }
            )
        choices.append(
            {
                "selected": unknown,
                "query_string": changelist.get_query_string({self.unknown_param: 1}, [self.from_param, self.to_param]),
                "display": "Unknown",
            }
        )
        # For the from/to form: what was typed, and every other parameter of the page, kept as hidden inputs.
        self.form_values = {"from": written_from, "to": written_to}
        self.hidden_params = [(k, v) for k, v in changelist.params.items() if k not in mine]
        return choices


def partial_date_filter(model: type[Model], start: str, end: str | None = None) -> type[PartialDateFilter]:
    """A ``PartialDateFilter`` for the partial date ``start``, or for the period from ``start`` to ``end``."""
    end = end or start
    title = date_label(model, start) if start == end else f"{date_label(model, start)}\u2013{date_label(model, end)}"
    return type(
        f"{start.title()}{end.title()}DateFilter", (PartialDateFilter,), {"start": start, "end": end, "title": title}
    )


def partial_date_filters(model: type[Model]) -> list[type[PartialDateFilter]]:
    """One filter per period of the model and one per partial date outside a period."""
    in_periods = {name for period in model.periods for name in period}
    return [partial_date_filter(model, start, end) for start, end in model.periods] + [
        partial_date_filter(model, name) for name in model.partial_dates if name not in in_periods
    ]


class InRegionFilter(admin.SimpleListFilter):
    """Records in a region or any region under it: "Latin America" finds Peru (via South America) too.

    ``country_paths`` lead to countries (matched through their regions; "" for a country itself),
    ``region_paths`` to regions ("pk" for a region itself).
    Use ``in_region_filter()`` to make one.
    """

    template = COLLAPSED_FILTER_TEMPLATE
    country_paths: tuple[str, ...] = ()
    region_paths: tuple[str, ...] = ()

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[int, str]]:
        return [(region.pk, str(region)) for region in Region.objects.order_by("name")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if not self.value():
            return queryset
        try:
            regions = Region.objects.filter(pk=int(self.value())).with_descendants()
        except ValueError:
            return queryset.none()
        condition = Q()
        for path in self.country_paths:
            condition |= Q(**{f"{path}__regions__in" if path else "regions__in": regions})
        for path in self.region_paths:
            condition |= Q(**{f"{path}__in": regions})
        # A subquery, so that a record in several matching places is listed once.
        return queryset.filter(pk__in=queryset.model._default_manager.filter(condition).values("pk"))


def in_region_filter(
    *country_paths: str, region_paths: tuple[str, ...] = (), title: str = "region", parameter: str = "in_region"
) -> type[InRegionFilter]:
    """An ``InRegionFilter`` over the given paths; give each one of an admin its own ``parameter``."""
    return type(
        "InRegionFilter",
        (InRegionFilter,),
        {"country_paths": country_paths, "region_paths": region_paths, "title": title, "parameter_name": parameter},
    )


class PlaceFilter(admin.SimpleListFilter):
    """The ``country`` or ``region`` filter of the resource's filterset, in the sidebar: the same parameter, the
    same values (``PE``, ``419``) and the same filter code as the API and the CSV export, so the three cannot
    list different records (the resource's ``places`` say what "involves Peru" means for each kind of record).

    Use ``place_filters()`` to make the two of a model.
    """

    template = COLLAPSED_FILTER_TEMPLATE
    filterset_class: type = None

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        if self.parameter_name == "country":
            return [(country.iso2, str(country)) for country in countries_involved(model_admin.model).order_by("name")]
        regions = regions_involved(model_admin.model).order_by("name")
        return [(region.m49_code or region.name, str(region)) for region in regions]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() is None:
            return queryset
        filterset = self.filterset_class({self.parameter_name: self.value()}, queryset=queryset)
        if not filterset.is_valid():
            # Show no rows rather than all of them: a filter that was not applied must not look like one that was.
            for error in filterset.errors.get(self.parameter_name, []):
                messages.error(request, f"Filter by {self.title}: {error}")
            return queryset.none()
        return filterset.qs


def place_filters(model: type[Model], *, country: str = "country", region: str = "region") -> list[type[PlaceFilter]]:
    """The sidebar's country and region filters of a resource, built from its filterset's (titles may differ)."""
    from cooperation.resources import resource_of

    filterset_class = resource_of(model).filterset_class
    return [
        type(
            f"{name.title()}PlaceFilter",
            (PlaceFilter,),
            {"parameter_name": name, "title": title, "filterset_class": filterset_class},
        )
        for name, title in (("country", country), ("region", region))
        if name in filterset_class.base_filters
    ]


class CollapsedRelatedOnlyFilter(admin.RelatedOnlyFieldListFilter):
    """The related records actually used (e.g. the countries that have agencies), folded until chosen."""

    template = COLLAPSED_FILTER_TEMPLATE


class SourcedFilter(admin.SimpleListFilter):
    """Every fact is sourced: this finds the records that still lack a citation."""

    title = "citations"
    parameter_name = "cited"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", "Cited"), ("no", "Not cited yet")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() not in ("yes", "no"):
            return queryset
        cited = Exists(
            Citation.objects.filter(
                content_type=ContentType.objects.get_for_model(queryset.model), object_id=OuterRef("pk")
            )
        )
        return queryset.filter(cited) if self.value() == "yes" else queryset.exclude(cited)
