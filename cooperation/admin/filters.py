"""Sidebar filters: each is a filter of the resource's filterset (``cooperation.filtersets``), so the admin, the
API and the CSV export take the same parameters and values and run the same filter code.

``resource_filters()`` derives an admin's ``list_filter`` from the filterset (its choices, the relations the admin
names, country and region); ``TrackedAdmin`` adds the date filter and ``CitedAdmin`` the citation filter. A part
(a party, a route's stop) is in a place as its record counts it (``part_filterset()``).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import HttpRequest

from cooperation.filtering import filters as fs
from cooperation.filtering.filtersets import RecordFilterSet
from cooperation.models import Citation, Country, Region
from cooperation.natural_keys import natural_key
from cooperation.places import Places, countries_involved, regions_involved
from cooperation.resources import resource_or_none

COLLAPSED_FILTER_TEMPLATE = "admin/cooperation/collapsed_filter.html"
#: Related records keyed by their natural key in filters (as the API writes them: ``PE``, ``419``), not by id.
KEYED = (Country, Region)


def date_label(model: type[Model], name: str) -> str:
    """The plain name of a partial date: its as-written field's verbose name without "(as written)"."""
    return str(model._meta.get_field(name).verbose_name).removesuffix(" (as written)")


def filterset_of(model: type[Model]) -> type[RecordFilterSet] | None:
    """The filterset of the model's resource; None for a model that is no resource (a part, a tombstone)."""
    resource = resource_or_none(model)
    return resource.filterset_class if resource is not None else None


def applied(request: HttpRequest, title: str, filterset: RecordFilterSet) -> QuerySet:
    """The filterset's records, or none with the errors shown: a filter that was not applied must not look like
    one that was."""
    if filterset.is_valid():
        return filterset.qs
    for errors in filterset.errors.values():
        for error in errors:
            messages.error(request, f"Filter by {title}: {error}")
    return filterset.queryset.none()


# --- The values a filter lists: only those some record has -------------------------------------------------
def keyed(records: QuerySet) -> list[tuple[str, str]]:
    """(value as the filter takes it, label) of related records: a country or region by its natural key."""
    if records.model in KEYED:
        key = natural_key(records.model).expression()
        return list(records.annotate(_key=key).order_by("name").values_list("_key", "name"))
    return [(str(record.pk), str(record)) for record in records]


def present_values(model: type[Model], spec: fs.filters.Filter) -> list[tuple[str, str]]:
    """The values of ``spec`` that some record of ``model`` has, in one or two queries."""
    records = model._default_manager.order_by()
    if isinstance(spec, fs.CountryFilter):
        return keyed(countries_involved(model, spec.places))
    if isinstance(spec, fs.RegionFilter):
        return keyed(regions_involved(model, spec.places))
    if isinstance(spec, fs.ChoiceFilter) and spec.method is not None:
        return [(code, str(label)) for code, label in spec.extra["choices"]]  # a rule (a place's origin), no column
    paths = getattr(spec, "paths", None) or [spec.field_name]
    if isinstance(spec, fs.ChoiceFilter):
        used = {value for path in paths for value in records.values_list(path, flat=True).distinct()}
        return [(code, str(label)) for code, label in spec.extra["choices"] if code in used]
    related = spec.extra["model"]  # a KeyFilter
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(pk__in=records.values(path))
    return keyed(related._default_manager.filter(condition))


# --- Filters of the filterset in the sidebar --------------------------------------------------------------
class FilterSetFilter(admin.SimpleListFilter):
    """One filter of a filterset in the sidebar: the same parameter, values (``PE``, ``419``, ``signed``, an id)
    and filter code as the API and the CSV export, so the three cannot list different records. It lists the
    values some record has. Use ``filterset_filter()`` to make one."""

    template = COLLAPSED_FILTER_TEMPLATE
    filterset_class: type[RecordFilterSet]

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return present_values(model_admin.model, self.filterset_class.base_filters[self.parameter_name])

    def has_output(self) -> bool:
        # Shown while in use even if no record has a value: Django applies only the filters it shows, and one
        # given in the address but not applied would list every record.
        return bool(self.lookup_choices) or self.value() is not None

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() is None:
            return queryset
        return applied(request, self.title, self.filterset_class({self.parameter_name: self.value()}, queryset))


def filterset_filter(filterset_class: type[RecordFilterSet], name: str, title: str) -> type[FilterSetFilter]:
    return type(
        f"{name.title().replace('_', '')}Filter",
        (FilterSetFilter,),
        {"parameter_name": name, "title": title, "filterset_class": filterset_class},
    )


def resource_filters(model: type[Model], *relations: str, **titles: str) -> list[type[FilterSetFilter]]:
    """The sidebar of a resource, from its filterset: every choice filter, the relation filters named in
    ``relations`` (all of them would crowd it), then country and region. ``titles`` name filters for the page
    (``country="party's country"``); by default a filter is titled by its parameter."""
    return sidebar(filterset_of(model), relations, titles)


def part_filters(part: type[Model], **titles: str) -> list[type[FilterSetFilter]]:
    """The country and region filters of a part (a party, a participant, a route's stop), meaning what they
    mean for its record: a party given as an agency of Peru is in Peru and in South America."""
    return sidebar(part_filterset(part), (), titles)


def part_filterset(part: type[Model]) -> type[RecordFilterSet]:
    """A filterset with ``country`` and ``region`` for a part, its places taken from its record's: the record's
    paths through this part (``parties__agency__country``) less the part's own step (``agency__country``)."""
    for field in part._meta.get_fields():
        resource = resource_or_none(field.related_model) if field.many_to_one else None
        if resource is None or resource.places is None:
            continue
        prefix, record = f"{field.remote_field.get_accessor_name()}__", resource.places
        own = Places(
            countries=tuple(path.removeprefix(prefix) for path in record.countries if path.startswith(prefix)),
            regions=tuple(path.removeprefix(prefix) for path in record.regions if path.startswith(prefix)),
        )
        if own.countries:
            meta = type("Meta", (), {"model": part, "fields": []})
            return type(
                f"{part.__name__}FilterSet",
                (RecordFilterSet,),
                {"country": fs.CountryFilter(places=own), "region": fs.RegionFilter(places=own), "Meta": meta},
            )
    raise ValueError(f"{part.__name__} is no part of a resource that declares its places.")


def sidebar(
    filterset_class: type[RecordFilterSet], relations: Iterable[str], titles: dict[str, str]
) -> list[type[FilterSetFilter]]:
    declared = filterset_class.base_filters
    choices = [name for name, spec in declared.items() if isinstance(spec, fs.ChoiceFilter)]
    unknown = [name for name in relations if not isinstance(declared.get(name), fs.KeyFilter)]
    if unknown:
        raise ValueError(f"{filterset_class.__name__} has no relation filter {unknown}.")
    places = [name for name in ("country", "region") if name in declared]
    return [
        filterset_filter(filterset_class, name, titles.get(name, name.replace("_", " ")))
        for name in (*choices, *relations, *places)
    ]


class DatesFilter(admin.ListFilter):
    """The filterset's ``date_from``, ``date_to`` and ``date_match``: records with a date (any of the resource's
    dates, as in the API) overlapping the range, or within it. The range is typed as partial dates too ("2012",
    "October 2012"). The sidebar also links each year in which some record's date begins, and the records whose
    dates are all unknown (``date_unknown``, the sidebar's own). Use ``date_filters()`` to make one."""

    template = "admin/cooperation/partial_date_filter.html"
    filterset_class: type[RecordFilterSet]
    from_param, to_param, match_param, unknown_param = "date_from", "date_to", "date_match", "date_unknown"

    def __init__(self, request: HttpRequest, params: dict, model: type[Model], model_admin: admin.ModelAdmin):
        super().__init__(request, params, model, model_admin)
        self.model_admin = model_admin
        for name in self.expected_parameters():
            if name in params:
                self.used_parameters[name] = params.pop(name)[-1].strip()

    def expected_parameters(self) -> list[str]:
        return [self.from_param, self.to_param, self.match_param, self.unknown_param]

    def has_output(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return any(self.used_parameters.values())

    @property
    def starts(self) -> list[str]:
        return [date[0] if isinstance(date, tuple) else date for date in self.filterset_class.dates]

    def years(self, request: HttpRequest) -> list[int]:
        records = self.model_admin.model._default_manager.all()
        found = {day.year for start in self.starts for day in records.dates(f"{start}_earliest", "year")}
        return sorted(found, reverse=True)

    def unknown(self) -> Q:
        condition = Q()
        for date in self.filterset_class.dates:
            start, end = date if isinstance(date, tuple) else (date, date)
            condition &= Q(**{f"{start}_earliest__isnull": True, f"{end}_latest__isnull": True})
        return condition

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.used_parameters.get(self.unknown_param) == "1":
            return queryset.filter(self.unknown())
        # An empty box of the form is no filter here (in the API, an empty parameter is an error).
        names = (self.from_param, self.to_param, self.match_param)
        given = {name: self.used_parameters[name] for name in names if self.used_parameters.get(name)}
        if not given:
            return queryset
        return applied(request, self.title, self.filterset_class(given, queryset))

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
                "query_string": changelist.get_query_string({self.unknown_param: 1}, mine[:3]),
                "display": "Unknown",
            }
        )
        # For the from/to form: what was typed, and every other parameter of the page, kept as hidden inputs.
        self.form_values = {"from": written_from, "to": written_to}
        self.hidden_params = [(k, v) for k, v in changelist.params.items() if k not in mine[:2] + mine[3:]]
        return choices


class MilestoneDatesFilter(DatesFilter):
    """The filterset's ``milestone_from``, ``milestone_to`` and ``milestone_match``: records with a milestone
    dated in the range, of the kinds chosen in the sidebar's ``milestone`` filter (the same milestone meets both,
    as in the API). The years listed are those in which some milestone's date begins; "Unknown" lists the records
    with no dated milestone."""

    title = "milestone date"
    from_param, to_param, match_param, unknown_param = (
        "milestone_from",
        "milestone_to",
        "milestone_match",
        "milestone_undated",
    )

    def years(self, request: HttpRequest) -> list[int]:
        milestones = self.model_admin.model._meta.get_field("milestones").related_model._default_manager
        return sorted({day.year for day in milestones.dates("date_earliest", "year")}, reverse=True)

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.used_parameters.get(self.unknown_param) == "1":
            relation = self.model_admin.model._meta.get_field("milestones")
            dated = relation.related_model._default_manager.filter(
                Q(date_earliest__isnull=False) | Q(date_latest__isnull=False)
            )
            return queryset.exclude(pk__in=dated.values(relation.field.attname))
        names = (self.from_param, self.to_param, self.match_param)
        given = {name: self.used_parameters[name] for name in names if self.used_parameters.get(name)}
        if not given:
            return queryset
        if request.GET.get("milestone"):  # the kinds chosen beside it: the same milestone meets both
            given["milestone"] = request.GET["milestone"]
        return applied(request, self.title, self.filterset_class(given, queryset))


def milestone_date_filter(model: type[Model]) -> type[MilestoneDatesFilter]:
    """The sidebar's milestone date filter of a centre or a course."""
    return type(
        f"{model.__name__}MilestoneDatesFilter", (MilestoneDatesFilter,), {"filterset_class": filterset_of(model)}
    )


def date_filters(model: type[Model]) -> list[type[DatesFilter]]:
    """The date filter of a resource whose filterset has dates (none for other models)."""
    filterset_class = filterset_of(model)
    if filterset_class is None or not filterset_class.dates:
        return []
    labels = [
        f"{date_label(model, date[0])}\u2013{date_label(model, date[1])}"
        if isinstance(date, tuple)
        else date_label(model, date)
        for date in filterset_class.dates
    ]
    title = labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} or {labels[-1]}"
    return [type(f"{model.__name__}DatesFilter", (DatesFilter,), {"filterset_class": filterset_class, "title": title})]


class CollapsedRelatedOnlyFilter(admin.RelatedOnlyFieldListFilter):
    """The related records actually used (e.g. the drugs of operations' outcomes), folded until chosen."""

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
