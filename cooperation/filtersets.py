"""One filterset per resource: the API list, the CSV export and the admin's export all filter through these.

Conventions every filterset shares (``RecordFilterSet``):
- multi-valued filters take repeated parameters or comma lists (``?status=announced&status=signed`` or
  ``?status=announced,signed``);
- text fields have ``exact``, ``__icontains`` and ``__istartswith`` lookups; ``q`` searches the main text;
- countries are given by ISO alpha-2/alpha-3 code, numeric code or name; a region by M49 code or name, and
  it includes every country under it at any depth;
- ``date_from``/``date_to`` keep records whose (partial) dates overlap the range, or with ``date_match=within``
  only those whose dates certainly fall inside it;
- ``updated_since`` keeps records changed at or after a time;
- an unknown country, region or value is an error that names the parameter, never an empty or full table.
"""

from __future__ import annotations

import datetime as dt
import functools

import django_filters as filters
from django import forms
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import ManyToManyField, ManyToOneRel, Q, QuerySet
from django.utils.datastructures import MultiValueDict

from cooperation import models as m
from cooperation.models.base import date_overlaps, date_within, period_overlaps, period_within
from cooperation.natural_keys import NaturalKeyError, canonical_url, natural_key, same_source
from cooperation.partial_dates import PartialDateError, from_text
from cooperation.places import Places, places_of
from cooperation.roles import data_models

MAX_ID = 2**63 - 1


def cited_models() -> list:
    return [model for model in data_models() if issubclass(model, m.CitedModel)]


def as_id(value: str) -> int | None:
    """The id written as ``value`` (ASCII digits, 1 to 2**63 - 1), or None. Never raises: "²", 5,000 digits and
    "1e9" are simply not ids."""
    if not (value.isascii() and value.isdigit()) or len(value) > len(str(MAX_ID)):
        return None
    number = int(value)
    return number if 1 <= number <= MAX_ID else None


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
        # Digits are ids, except for countries (ISO numeric codes) and regions (M49 codes).
        if value.isdigit() and self.model not in (m.Country, m.Region):
            number = as_id(value)
            if number is None or not self.model._default_manager.filter(pk=number).exists():
                raise ValidationError(f"No {self.model._meta.verbose_name} with id {value[:50]}.")
            return number
        try:
            return natural_key(self.model).resolve(value).pk
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
    """An ISO 8601 time within what every database can compare (1 AD to 9999 AD)."""

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
                raise ValidationError("Give a time between the years 1 and 9999.")
            # In UTC: PostgreSQL refuses offsets beyond ±15:59, which ISO 8601 (and Python) allow up to ±23:59.
            result = result.astimezone(dt.UTC)
        return result


# --- Filters --------------------------------------------------------------------------------------------
class ChangedSinceFilter(filters.Filter):
    field_class = BoundedDateTimeField


class DateFilter(filters.Filter):
    field_class = PartialDateBoundField


class DateMatchFilter(filters.Filter):
    field_class = DateMatchField


#: date_match=<mode> -> the condition a single date or a period meets for the window [date_from, date_to].
DATE_MATCHES = {
    "overlap": (date_overlaps, period_overlaps),
    "within": (date_within, period_within),
}


class MultiValueFilter(filters.Filter):
    """Records whose value at any of ``paths`` (default: the filter's field) is one of the values given.

    ``distinct_paths`` marks paths through many-valued relations: they are filtered with a sub-query, so a
    record never comes back twice and no DISTINCT is needed.
    """

    field_class = MultiValueField

    def __init__(self, *args, paths: list[str] | None = None, distinct_paths: bool = False, **kwargs):
        self.paths = paths
        self.distinct_paths = distinct_paths
        super().__init__(*args, **kwargs)

    def condition(self, values) -> Q:
        condition = Q()
        for path in self.paths or [self.field_name]:
            condition |= Q(**{f"{path}__in": values})
        return condition

    def filter(self, qs: QuerySet, value):
        if not value:
            return qs
        condition = self.condition(value)
        if self.distinct_paths:
            return qs.filter(semi_joins(qs.model, condition))
        return qs.filter(condition)


def semi_joins(model, condition: Q) -> Q:
    """Records matching ``condition`` through many-valued relations, each once, as a sub-query.

    When every alternative goes through the same reverse foreign key or many-to-many field (an agreement's
    parties, by country or by region), the sub-query reads that related table alone, ``pk IN (SELECT
    agreement_id FROM agreementparty WHERE country_id IN ... OR region_id IN ...)``, without a join back to
    the record's own table, which PostgreSQL cannot remove (a page for a rare country among 1M agreements:
    73 ms against 22 ms; bench/RESULTS.md). Otherwise the sub-query selects the record's own ids. Either
    way there is one sub-query: an OR of several ``IN (sub-query)`` is far slower on PostgreSQL.
    """
    lookups = _alternatives(condition)
    relations = {lookup.partition("__")[0] for lookup, _ in lookups} if lookups else set()
    related = _related_table(model, relations.pop()) if len(relations) == 1 else None
    if related is None:
        return Q(pk__in=model._default_manager.filter(condition).values("pk"))
    table, back, prefix = related
    inner = Q()
    for lookup, value in lookups:
        rest = lookup.partition("__")[2]
        if not rest:
            return Q(pk__in=model._default_manager.filter(condition).values("pk"))
        inner |= Q((f"{prefix}{rest}", value))
    return Q(pk__in=table.filter(inner).values(back))


def _alternatives(condition: Q) -> list[tuple[str, object]] | None:
    """The (lookup, value) pairs of a condition that is their OR (or a single one); None for anything else."""
    if condition.negated or (condition.connector != Q.OR and len(condition.children) > 1):
        return None
    pairs = []
    for child in condition.children:
        if isinstance(child, Q):
            inner = _alternatives(child)
            if inner is None:
                return None
            pairs += inner
        else:
            pairs.append(child)
    return pairs


def _related_table(model, name: str):
    """(the related table's manager, its column back to ``model``, the prefix of its lookups) for a reverse
    foreign key or a many-to-many field of ``model``; None for anything else."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if isinstance(field, ManyToOneRel) and field.one_to_many:  # e.g. agreement.parties
        return field.related_model._base_manager, field.field.attname, ""
    if isinstance(field, ManyToManyField):  # e.g. agreement.areas, through its table
        through = field.remote_field.through
        return through._base_manager, f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}__"
    return None


class AllOfField(MultiValueField):
    """The values of an "all of" filter, each cleaned on its own by the field of the filter it extends (a region
    stays apart from the others, with the regions under it)."""

    def __init__(self, *, each: forms.Field, **kwargs):
        self.each = each
        super().__init__(**kwargs)

    def convert(self, value):
        return self.each.clean([value])


class AllOfFilter(MultiValueFilter):
    """``<filter>__all``: the records that match the filter for every one of the values, where ``<filter>``
    takes any of them (``country__all=PE,RU``: agreements between Peru and Russia, and maybe others)."""

    field_class = AllOfField

    def __init__(self, *args, of: MultiValueFilter, name: str, **kwargs):
        self.of = of
        kwargs.setdefault(
            "help_text",
            f"Like `{name}`, but records matching every one of the values, not any of them (`{name}__all=a,b`: "
            f"both a and b). `{name}`: {of.extra.get('help_text', '')}",
        )
        super().__init__(*args, **kwargs)

    @property
    def field(self):
        if not hasattr(self, "_field"):
            self._field = AllOfField(
                each=self.of.field, required=False, label=self.label, help_text=self.extra.get("help_text")
            )
        return self._field

    def filter(self, qs: QuerySet, value):
        for each in value or ():
            qs = self.of.filter(qs, each)
        return qs


class IdFilter(MultiValueFilter):
    field_class = IdField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("help_text", "One or more ids.")
        super().__init__(*args, **kwargs)


class ChoiceFilter(MultiValueFilter):
    """One or more of a field's choices (the raw codes, e.g. ``signed``)."""

    field_class = ChoicesField

    def __init__(self, *args, choices=(), **kwargs):
        kwargs.setdefault("help_text", "One or more of: " + ", ".join(code for code, _ in choices) + ".")
        super().__init__(*args, choices=choices, **kwargs)


class KeyFilter(MultiValueFilter):
    """Records related to one or more records given by id or natural key (a country by ``PE`` or ``PER``)."""

    field_class = KeyField

    def __init__(self, *args, model, **kwargs):
        kwargs.setdefault("help_text", f"One or more {model._meta.verbose_name_plural}, by id or key.")
        super().__init__(*args, model=model, **kwargs)


class CountryFilter(KeyFilter):
    """Records that involve one or more countries, as ``places.PLACES`` defines it for the model."""

    def __init__(self, *args, places: Places, **kwargs):
        self.places = places
        super().__init__(*args, model=m.Country, **kwargs)

    def condition(self, countries) -> Q:
        return self.places.involving(countries)


class RegionFilter(MultiValueFilter):
    """Records in one or more regions (M49 code or name), counting every country and sub-region under them,
    as ``places.PLACES`` defines it for the model."""

    field_class = RegionTreeField

    def __init__(self, *args, places: Places, **kwargs):
        self.places = places
        kwargs.setdefault(
            "help_text", "One or more regions by M49 code (e.g. 419) or name; includes every country under them."
        )
        super().__init__(*args, **kwargs)

    def condition(self, tree) -> Q:
        return self.places.within(tree)


def involving_country(model, **kwargs) -> CountryFilter:
    """The ``country`` filter of a resource: records that involve the country (see ``places``)."""
    places = places_of(model)
    return CountryFilter(places=places, distinct_paths=places.many_valued(model), **kwargs)


def in_region(model, **kwargs) -> RegionFilter:
    """The ``region`` filter of a resource: records in the region (see ``places``)."""
    places = places_of(model)
    return RegionFilter(places=places, distinct_paths=places.many_valued(model), **kwargs)


def search_word(word: str) -> str:
    """A word as ``q`` looks for it: a web address without its scheme, ``www.`` and trailing slash, so that
    ``q=http://example.org/a/`` finds a source stored as ``https://www.example.org/a``."""
    return canonical_url(word) if "://" in word or word.lower().startswith("www.") else word


class SearchFilter(filters.CharFilter):
    """``q``: every word must occur (case-insensitively) in one of the resource's main text fields."""

    def __init__(self, *args, search_fields=(), **kwargs):
        self.search_fields = search_fields
        kwargs.setdefault("help_text", "Words to find in " + ", ".join(search_fields) + ".")
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        for word in map(search_word, (value or "").split()[:10]):
            condition = Q()
            for name in self.search_fields:
                condition |= Q(**{f"{name}__icontains": word})
            qs = qs.filter(condition)
        return qs


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
        if "date_match" not in self.filters:
            return form_class

        class DatesForm(form_class):
            def clean(self):
                cleaned = super().clean()
                if cleaned.get("date_match") and not (self.data.get("date_from") or self.data.get("date_to")):
                    self.add_error("date_match", "date_match needs date_from or date_to, the window it matches.")
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


def choices(model, field: str) -> ChoiceFilter:
    return ChoiceFilter(field_name=field, choices=model._meta.get_field(field).choices)


country_filter = functools.partial(KeyFilter, model=m.Country)
agency_filter = functools.partial(KeyFilter, model=m.Agency)
official_filter = functools.partial(KeyFilter, model=m.Official)
drug_filter = functools.partial(KeyFilter, model=m.Drug)


# --- Reference ------------------------------------------------------------------------------------------
class RegionFilterSet(RecordFilterSet):
    level = choices(m.Region, "level")
    parent = KeyFilter(model=m.Region, field_name="parent")
    region = in_region(m.Region, help_text="These regions (M49 code or name) and every region under them.")
    search_fields = ("name", "description")

    class Meta:
        model = m.Region
        fields = {"name": TEXT_LOOKUPS, "m49_code": ["exact"]}


class CountryFilterSet(RecordFilterSet):
    region = in_region(m.Country)
    search_fields = ("name", "official_name", "iso2", "iso3")

    class Meta:
        model = m.Country
        fields = {"name": TEXT_LOOKUPS, "iso2": ["exact"], "iso3": ["exact"], "iso_numeric": ["exact"]}


class DrugFilterSet(RecordFilterSet):
    group = choices(m.Drug, "group")
    search_fields = ("name", "description")

    class Meta:
        model = m.Drug
        fields = {"name": TEXT_LOOKUPS}


class VocabularyFilterSet(RecordFilterSet):
    search_fields = ("code", "name", "description")

    class Meta:
        fields = {"code": ["exact"], "name": TEXT_LOOKUPS}


class CooperationAreaFilterSet(VocabularyFilterSet):
    class Meta(VocabularyFilterSet.Meta):
        model = m.CooperationArea


class TrainingTopicFilterSet(VocabularyFilterSet):
    class Meta(VocabularyFilterSet.Meta):
        model = m.TrainingTopic


# --- Actors ---------------------------------------------------------------------------------------------
class AgencyFilterSet(RecordFilterSet):
    kind = choices(m.Agency, "kind")
    country = involving_country(m.Agency)
    region = in_region(m.Agency)
    parent = agency_filter(field_name="parent")
    search_fields = ("name", "acronym", "other_names", "description")

    class Meta:
        model = m.Agency
        fields = {"name": TEXT_LOOKUPS, "acronym": ["exact", "icontains"]}


class OfficialFilterSet(RecordFilterSet):
    country = involving_country(m.Official)
    region = in_region(m.Official)
    agency = agency_filter(field_name="posts__agency", distinct_paths=True)
    search_fields = ("name", "other_names", "description")

    class Meta:
        model = m.Official
        fields = {"name": TEXT_LOOKUPS}


class PostFilterSet(RecordFilterSet):
    official = official_filter(field_name="official")
    agency = agency_filter(field_name="agency")
    country = involving_country(m.Post, help_text="Posts in an agency of these countries, or held by their officials.")
    region = in_region(m.Post)
    search_fields = ("title", "note", "official__name", "official__other_names", "agency__name", "agency__acronym")
    dates = (("start", "end"),)

    class Meta:
        model = m.Post
        fields = {"title": TEXT_LOOKUPS}


# --- Cooperation ----------------------------------------------------------------------------------------
class AgreementFilterSet(RecordFilterSet):
    kind = choices(m.Agreement, "kind")
    status = choices(m.Agreement, "status")
    area = KeyFilter(model=m.CooperationArea, field_name="areas", distinct_paths=True)
    country = involving_country(
        m.Agreement,
        help_text="Agreements with these countries among the parties, or an agency of theirs.",
    )
    region = in_region(
        m.Agreement,
        help_text="Agreements with a party in these regions (M49 code or name), directly or as an agency of a "
        "country there, or the region itself as a party.",
    )
    agency = agency_filter(field_name="parties__agency", distinct_paths=True)
    official = official_filter(paths=["announced_by", "signatories"], distinct_paths=True)
    search_fields = ("title", "summary")
    dates = ("announced", "signed", ("start", "end"))

    class Meta:
        model = m.Agreement
        fields = {"title": TEXT_LOOKUPS}


class TrainingCentreFilterSet(RecordFilterSet):
    status = choices(m.TrainingCentre, "status")
    country = involving_country(m.TrainingCentre, help_text="Host or sponsoring country.")
    host_country = country_filter(field_name="host_country")
    sponsor_country = country_filter(field_name="sponsor_country")
    region = in_region(m.TrainingCentre, help_text="Host or sponsoring country in these regions.")
    operator = agency_filter(field_name="operator")
    topic = KeyFilter(model=m.TrainingTopic, field_name="topics", distinct_paths=True)
    search_fields = ("name", "place", "summary")
    dates = ("opened",)

    class Meta:
        model = m.TrainingCentre
        fields = {"name": TEXT_LOOKUPS}


class TrainingCourseFilterSet(RecordFilterSet):
    centre = KeyFilter(model=m.TrainingCentre, field_name="centre")
    provider = agency_filter(field_name="provider")
    country = involving_country(m.TrainingCourse, help_text="Courses with trainees from these countries.")
    region = in_region(m.TrainingCourse)
    topic = KeyFilter(model=m.TrainingTopic, field_name="topics", distinct_paths=True)
    search_fields = ("title", "summary")
    dates = (("start", "end"),)

    class Meta:
        model = m.TrainingCourse
        fields = {"title": TEXT_LOOKUPS}


class OperationFilterSet(RecordFilterSet):
    status = choices(m.Operation, "status")
    country = involving_country(
        m.Operation, help_text="Operations with these countries among the participants, or an agency of theirs."
    )
    region = in_region(m.Operation)
    agency = agency_filter(field_name="participants__agency", distinct_paths=True)
    drug = drug_filter(field_name="outcomes__drug", distinct_paths=True)
    legal_basis = KeyFilter(model=m.Agreement, field_name="legal_basis")
    search_fields = ("name", "summary")
    dates = (("start", "end"),)

    class Meta:
        model = m.Operation
        fields = {"name": TEXT_LOOKUPS}


class EventFilterSet(RecordFilterSet):
    kind = choices(m.Event, "kind")
    country = involving_country(m.Event, help_text="Where it took place, or what it concerned.")
    region = in_region(m.Event)
    official = official_filter(field_name="officials", distinct_paths=True)
    agency = agency_filter(field_name="agencies", distinct_paths=True)
    search_fields = ("title", "summary", "place")
    dates = ("date",)

    class Meta:
        model = m.Event
        fields = {"title": TEXT_LOOKUPS}


# --- Drug trade -----------------------------------------------------------------------------------------
class TraffickingRouteFilterSet(RecordFilterSet):
    drug = drug_filter(field_name="drug")
    status = choices(m.TraffickingRoute, "status")
    transport_mode = choices(m.TraffickingRoute, "transport_mode")
    country = involving_country(m.TraffickingRoute, help_text="Routes through these countries (any stop).")
    origin = KeyFilter(model=m.Country, method="filter_stops", help_text="Routes starting here (origin or departure).")
    destination = KeyFilter(model=m.Country, method="filter_stops", help_text="Routes ending here.")
    region = in_region(m.TraffickingRoute)
    identified_by = agency_filter(field_name="identified_by")
    search_fields = ("name", "concealment", "summary")
    dates = ("first_reported",)

    class Meta:
        model = m.TraffickingRoute
        fields = {"name": TEXT_LOOKUPS, "concealment": ["icontains"]}

    def filter_stops(self, queryset, name, countries):
        if not countries:
            return queryset
        roles = ["origin", "departure"] if name == "origin" else ["destination"]
        return queryset.filter(
            pk__in=m.RouteNode.objects.filter(country__in=countries, role__in=roles).values("route_id")
        )


class AssessmentFilterSet(RecordFilterSet):
    country = involving_country(m.Assessment)
    region = in_region(m.Assessment)
    drug = drug_filter(field_name="drug")
    role = choices(m.Assessment, "role")
    trend = choices(m.Assessment, "trend")
    likelihood = choices(m.Assessment, "likelihood")
    market = KeyFilter(model=m.Region, field_name="market")
    assessed_by = agency_filter(field_name="assessed_by_agency")
    assessed_by_official = official_filter(field_name="assessed_by_official")
    search_fields = ("claim",)
    dates = ("as_of",)

    class Meta:
        model = m.Assessment
        fields = {}


# --- Provenance -----------------------------------------------------------------------------------------
class SourceFilterSet(RecordFilterSet):
    kind = choices(m.Source, "kind")
    publisher = agency_filter(field_name="publisher")
    url = filters.CharFilter(
        method="filter_url",
        help_text="The source at this web address, with either scheme (http, https), with or without `www.` and "
        "a trailing slash.",
    )
    search_fields = ("title", "publisher_name", "authors", "url")
    dates = ("published",)

    class Meta:
        model = m.Source
        fields = {"title": TEXT_LOOKUPS, "language": ["exact"]}

    def filter_url(self, queryset, name, value):
        return queryset.filter(same_source(value)) if value else queryset


class CitationFilterSet(RecordFilterSet):
    source = KeyFilter(model=m.Source, field_name="source")
    record_type = ChoiceFilter(
        field_name="content_type__model",
        choices=[(model._meta.model_name, model._meta.verbose_name) for model in cited_models()],
        help_text="The kind of record cited, by model name (agreement, traffickingroute, ...).",
    )
    record_id = IdFilter(field_name="object_id", help_text="The id of the record cited (with record_type).")
    confidence = choices(m.Citation, "confidence")
    modality = choices(m.Citation, "modality")
    search_fields = ("quote", "note")

    class Meta:
        model = m.Citation
        fields = {"quote": ["icontains"]}
