"""The filters the filtersets are made of: many values per parameter, relations by natural key, places, dates,
"all of" as well as "any of", and search."""

from __future__ import annotations

import functools
import math

import django_filters as filters
from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db.models import ManyToManyField, ManyToOneRel, Q, QuerySet

from cooperation import models as m
from cooperation.filtering.fields import (
    BoundedDateTimeField,
    ChoicesField,
    DateMatchField,
    IdField,
    KeyField,
    MultiValueField,
    PartialDateBoundField,
    RegionTreeField,
)
from cooperation.models.base import date_overlaps, date_within, period_overlaps, period_within
from cooperation.names import search_form
from cooperation.natural_keys import canonical_url
from cooperation.places import Places

CharFilter = filters.CharFilter
Filter = filters.Filter


# --- Filters --------------------------------------------------------------------------------------------
class ChangedSinceFilter(filters.Filter):
    field_class = BoundedDateTimeField


class DateFilter(filters.Filter):
    field_class = PartialDateBoundField


class DateMatchFilter(filters.Filter):
    field_class = DateMatchField


class NumberFilter(filters.Filter):
    """A whole number within bounds (``session__gte=2``): out of bounds is a 400, never a database overflow."""

    field_class = forms.IntegerField


class QuantityFilter(filters.Filter):
    """``<quantity>__gte`` / ``<quantity>__lte``: records whose quantity is certainly at least (at most) this
    number, by the bounds the source allows (``cooperation.quantities``): "more than 300" is at least 301,
    "between 3 and 5" at least 3 and at most 5, "about 2.5" is taken at its value, "at least 14" has no upper
    bound and so is never "at most" anything. A quantity not reported never matches."""

    field_class = forms.DecimalField

    def __init__(self, *args, quantity=None, bound: str = "min", **kwargs):
        self.quantity, self.bound = quantity, bound
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", 10**13)
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet, value):
        if value is None:
            return qs
        if self.quantity.integer:  # a count is whole: "at least 2.5" is at least 3
            value = math.ceil(value) if self.bound == "min" else math.floor(value)
        column = self.quantity.min if self.bound == "min" else self.quantity.max
        return qs.filter(**{f"{column}__{'gte' if self.bound == 'min' else 'lte'}": value})


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
    """Records matching ``condition`` through many-valued relations, each once, as one sub-query of ids
    (``ids_matching``)."""
    return Q(pk__in=ids_matching(model, condition))


def ids_matching(model, condition: Q) -> QuerySet:
    """The ids of the records of ``model`` that match ``condition``, as one sub-query (an id may come twice: use
    it with ``IN``).

    Each alternative that goes through a many-valued relation reads that relation's table alone, by its column
    back to the record: an agreement's parties by country, ``SELECT agreement_id FROM agreementparty WHERE
    country_id IN (...)``, and by an agency's country, ``SELECT agreement_id FROM agreementparty INNER JOIN
    agency ... WHERE agency.country_id IN (...)``; the others (the place an agreement was signed at) read the
    record's own table, together. The parts are joined by ``UNION ALL``, each an index lookup (the party
    tables have an index of (country, record) and one of (agency, record), so a lookup reads no row:
    migration 0022). One sub-query joining every relation to the record's table instead cannot use them (a
    page for a frequent country among 100k agreements: twice the time of the hand-written view,
    bench/RESULTS.md); an OR of the country and the agency's country in one part reads every party (a
    sequential scan: the OR spans two tables); an OR of several ``IN (sub-query)`` is far slower still.
    """
    ids = _id_parts(model, condition)
    return ids[0] if len(ids) == 1 else ids[0].union(*ids[1:], all=True)


def _id_parts(model, condition: Q) -> list[QuerySet]:
    """The sub-queries of ids whose ``UNION ALL`` is ``ids_matching``."""
    lookups = _alternatives(condition)
    if lookups is None:
        return [model._default_manager.filter(condition).order_by().values("pk")]
    ids, own = [], Q()
    for lookup, value in lookups:
        relation, _, rest = lookup.partition("__")
        related = _related_table(model, relation)
        if related is not None and rest:
            table, back, prefix = related
            ids.append(table.filter(**{f"{prefix}{rest}": value}).order_by().values(back))
        else:
            own |= Q((lookup, value))
    if own or not ids:
        ids.append(model._default_manager.filter(own).order_by().values("pk"))
    return ids


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
    """Records that involve one or more countries, as the resource's ``places`` define it."""

    def __init__(self, *args, places: Places, **kwargs):
        self.places = places
        super().__init__(*args, model=m.Country, **kwargs)

    def condition(self, countries) -> Q:
        return self.places.involving(countries)

    def filter(self, qs: QuerySet, value):
        kind = kept_kind(qs.model, self.places) if value else None
        if kind is None:
            return super().filter(qs, value)
        return qs.filter(pk__in=kept_ids(kind, value))


class RegionFilter(MultiValueFilter):
    """Records in one or more regions (M49 code or name), counting every country and sub-region under them,
    as the resource's ``places`` define it."""

    field_class = RegionTreeField

    def __init__(self, *args, places: Places, **kwargs):
        self.places = places
        kwargs.setdefault(
            "help_text", "One or more regions by M49 code (e.g. 419) or name; includes every country under them."
        )
        super().__init__(*args, **kwargs)

    def condition(self, tree) -> Q:
        return self.places.within(tree)

    def filter(self, qs: QuerySet, value):
        kind = kept_kind(qs.model, self.places) if value else None
        if kind is None:
            return super().filter(qs, value)
        # ``Places.within``: the records involving a country under the regions (kept), or at one of the regions.
        ids = [kept_ids(kind, m.Country.objects.filter(regions__in=value).values("pk"))]
        if self.places.regions:
            ids += _id_parts(qs.model, Q.create([(f"{path}__in", value) for path in self.places.regions], Q.OR))
        return qs.filter(pk__in=ids[0].union(*ids[1:], all=True) if len(ids) > 1 else ids[0])


@functools.cache  # the resources are declared once: asked on every filtered request, answered once
def kept_kind(model, places: Places) -> str | None:
    """The kind under which ``explorer.RecordCountry`` keeps the countries each record of ``model`` involves by
    ``places`` (the dossier's counts, kept by triggers in every write's transaction: ``explorer/counts.py``);
    None where it keeps none (not a kind the dossier counts, or other places: a part's, in the admin).

    Why the ``country`` and ``region`` filters read it: "involves" by the paths themselves is a ``UNION ALL`` of
    the party tables (and an agency's country, and the place), which PostgreSQL hashes whole before a page is
    taken: for a frequent country at 1M agreements, 111,000 to 739,000 party rows for a page of 50
    (bench/RESULTS.md, issue 17). The kept rows are one index of (country, kind, record), each record once per
    country, in id order for one country: the page is a merge join that stops after 50 (``country=PE`` at 1M:
    the page query from 2.5-3.1 s to 1 ms). Same answers (``tests/test_filter_meanings.py``); the paths stay for
    the kinds the dossier does not count and the admin's part filters."""
    from cooperation.explorer.counts import counted_kinds

    for name, resource in counted_kinds().items():
        if resource.model is model and resource.places == places:
            return name
    return None


def kept_ids(kind: str, countries) -> QuerySet:
    """The ids of the records of ``kind`` that involve any of ``countries`` (ids, or a sub-query of ids), as the
    dossier's counts keep them."""
    from cooperation.explorer.models import RecordCountry

    return RecordCountry.objects.filter(kind=kind, country__in=countries).order_by().values("record_id")


def involving_country(places: Places, model, **kwargs) -> CountryFilter:
    """The ``country`` filter of a resource: records that involve the country (see ``places``)."""
    return CountryFilter(places=places, distinct_paths=places.many_valued(model), **kwargs)


def in_region(places: Places, model, **kwargs) -> RegionFilter:
    """The ``region`` filter of a resource: records in the region (see ``places``)."""
    return RegionFilter(places=places, distinct_paths=places.many_valued(model), **kwargs)


def search_word(word: str) -> str:
    """A word as ``q`` looks for it: a web address without its scheme, ``www.`` and trailing slash, so that
    ``q=http://example.org/a/`` finds a source stored as ``https://www.example.org/a``."""
    return canonical_url(word) if "://" in word or word.lower().startswith("www.") else word


def word_condition(model, fields, word: str) -> Q:
    """A record in which ``word`` occurs (ignoring case) in one of ``fields``, or, for a record that keeps its
    names folded (``FoldedNames``), in one of its names written without accents ("Peru" finds "Perú")."""
    condition = Q()
    for name in fields:
        condition |= Q(**{f"{name}__icontains": word})
    if any(field.name == "search_names" for field in model._meta.concrete_fields):
        condition |= Q(search_names__contains=search_form(word))
    return condition


class SearchFilter(filters.CharFilter):
    """``q``: every word must occur (case-insensitively) in one of the resource's main text fields."""

    def __init__(self, *args, search_fields=(), **kwargs):
        self.search_fields = search_fields
        kwargs.setdefault("help_text", "Words to find in " + ", ".join(search_fields) + ".")
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        for word in map(search_word, (value or "").split()[:10]):
            qs = qs.filter(word_condition(qs.model, self.search_fields, word))
        return qs


# --- Milestones: one milestone meets the kind and the window ----------------------------------------------
class MilestoneGroup:
    """What ``milestone``, ``milestone_from``, ``milestone_to`` and ``milestone_match`` filter together: records
    with a milestone of one of these kinds whose date falls in the window (``centres that opened in 2021``:
    ``milestone=opened&milestone_from=2021&milestone_to=2021``). The same milestone must meet them all, so the
    first of the group that is given applies the whole condition, as one sub-query, and the others nothing."""

    names = ("milestone", "milestone_from", "milestone_to", "milestone_match")

    def __init__(self, *args, relation: str = "milestones", **kwargs):
        self.relation = relation
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet, value):
        data = self.parent.form.cleaned_data
        given = [name for name in self.names if data.get(name) not in (None, "", [])]
        if not given or self.parent.filters.get(given[0]) is not self:
            return qs
        kinds, date_from, date_to = data.get("milestone"), data.get("milestone_from"), data.get("milestone_to")
        single, _ = DATE_MATCHES[data.get("milestone_match") or "overlap"]
        relation = qs.model._meta.get_field(self.relation)
        condition = Q(kind__in=kinds) if kinds else Q()
        if date_from is not None or date_to is not None:
            condition &= single("date", date_from, date_to)
        milestones = relation.related_model._base_manager.filter(condition)
        return qs.filter(pk__in=milestones.values(relation.field.attname))


class MilestoneKindFilter(MilestoneGroup, ChoiceFilter):
    pass


class MilestoneDateFilter(MilestoneGroup, DateFilter):
    pass


class MilestoneMatchFilter(MilestoneGroup, DateMatchFilter):
    pass


def milestone_filters(records: str, kinds) -> dict[str, filters.Filter]:
    """The filters of a resource whose records have milestones (centres, courses)."""
    return {
        "milestone": MilestoneKindFilter(
            field_name="milestones__kind",  # what the admin lists the values of
            choices=kinds,
            help_text=f"{records} with a milestone of one or more of these kinds: "
            + ", ".join(code for code, _ in kinds)
            + ". With milestone_from/milestone_to, the same milestone falls in the window.",
        ),
        "milestone_from": MilestoneDateFilter(
            bound="earliest",
            help_text=f"{records} with a milestone (of the kinds given in `milestone`) dated from this day on: "
            "YYYY-MM-DD, or a month or year (2021 counts from its first day).",
        ),
        "milestone_to": MilestoneDateFilter(
            bound="latest",
            help_text=f"{records} with a milestone (of the kinds given in `milestone`) dated up to this day: "
            "YYYY-MM-DD, or a month or year (2021 counts to its last day).",
        ),
        "milestone_match": MilestoneMatchFilter(
            choices=[(mode, mode) for mode in DATE_MATCHES],
            help_text="How milestone_from/milestone_to match a milestone's date. overlap (the default): the date "
            "may fall in the window (\u201cbefore 2022\u201d matches 2021). within: it certainly does.",
        ),
    }
