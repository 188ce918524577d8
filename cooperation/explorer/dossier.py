"""A country's dossier: the records that involve it, kind by kind, and who it cooperates with.

"Involves" is the API's ``country`` filter of each resource (``cooperation.places``): the dossier runs it, so
its lists and the filtered lists it links to (``/agreements/?country=RU``) cannot disagree. Co-parties are
counted in SQL (one grouped query per kind of record with parties), never by loading the records."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, F, Model
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.utils.http import urlencode
from django.utils.text import capfirst

from cooperation.api.permissions import may_view
from cooperation.explorer.pages import explorer_url, list_url
from cooperation.filtering.filters import ids_matching
from cooperation.models.sources import named_records
from cooperation.resources import RESOURCES, Resource

#: The kinds of record a dossier lists, in this order, and how many of each it shows.
KINDS = (
    "agreements",
    "training-centres",
    "training-courses",
    "operations",
    "events",
    "trafficking-routes",
    "assessments",
    "agencies",
    "officials",
)
SHOWN = 10
#: The parts that make a record's parties (a country, or an agency of one): kind -> relation.
PARTIES = {"agreements": "parties", "training-courses": "participants", "operations": "participants"}


@dataclass
class Section:
    resource: Resource
    label: str
    records: list[tuple[Model, str]]
    count: int
    all_url: str


@dataclass
class Partner:
    country_id: int
    name: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"/countries/{self.country_id}/"


def involving(resource: Resource, key: str):
    """The records of ``resource`` that involve the country (its ``country`` filter, as the API applies it)."""
    params = QueryDict(urlencode({"country": key}))
    filterset = resource.filterset_class(params, queryset=named_records(resource.model))
    if not filterset.is_valid():  # the key is the country's own: it cannot be invalid
        raise ValueError(filterset.errors)
    return filterset.qs


def country_filter(resource: Resource):
    """The resource's ``country`` filter, the API's: the dossier applies it to the country it has already read
    (the filterset would find the country again by its key: a query for each kind)."""
    return resource.filterset_class.base_filters["country"]


def of_country(resource: Resource, country):
    """The records of ``resource`` that involve ``country``, as ``involving`` chooses them."""
    return country_filter(resource).filter(named_records(resource.model), [country.pk])


def involving_ids(resource: Resource, country):
    """The ids of those records, as one sub-query: the condition of the same ``country`` filter, read as the
    filter reads it (``ids_matching``: one index lookup per way of involving the country), without the
    records' own table, which a count by co-party does not need (the records' ids through their table: one
    index probe per party row, most of the dossier's time at 100k agreements)."""
    return ids_matching(resource.model, country_filter(resource).condition([country.pk]))


def country_key(country) -> str:
    return country.iso2 or str(country.pk)


def sections(country, user, counts: dict[str, int] | None = None) -> list[Section]:
    """Each kind the user may view: its first SHOWN records involving the country and how many there are (two
    queries per kind; one where ``counts`` has the kind's already, counted by the dossier's timeline)."""
    key = country_key(country)
    shown = []
    for name in KINDS:
        resource = RESOURCES[name]
        if not may_view(user, resource.model):
            continue
        records = of_country(resource, country).order_by(*(resource.model._meta.ordering or ()), "pk")
        first = list(records[:SHOWN])
        # Even when all are shown: a page's queries must not depend on the data.
        count = counts[name] if counts and name in counts else records.count()
        shown.append(
            Section(
                resource=resource,
                label=capfirst(resource.model._meta.verbose_name_plural),
                records=[(record, explorer_url(record)) for record in first],
                count=count,
                all_url=f"{list_url(resource)}?{urlencode({'country': key})}",
            )
        )
    return shown


def partners(country, user) -> tuple[list[str], list[Partner]]:
    """The countries that are parties with this one (themselves or through an agency of theirs), and in how
    many records of each kind: (the kinds' labels, the partners, most records first). One query per kind."""
    kinds, found = [], {}
    for name, relation in PARTIES.items():
        resource = RESOURCES[name]
        if not may_view(user, resource.model):
            continue
        kinds.append(capfirst(resource.model._meta.verbose_name_plural))
        part = resource.model._meta.get_field(relation)
        record = part.field.name
        rows = (
            part.related_model.objects.filter(**{f"{record}__in": involving_ids(resource, country)})
            .annotate(other=Coalesce("country", "agency__country"))
            .exclude(other=country.pk)
            .exclude(other=None)
            .annotate(name=Coalesce("country__name", "agency__country__name"))
            .values("other", "name")
            .annotate(records=Count(F(record), distinct=True))
            .order_by()
        )
        for row in rows:
            partner = found.setdefault(row["other"], Partner(row["other"], row["name"]))
            partner.counts[kinds[-1]] = row["records"]
    ranked = sorted(found.values(), key=lambda p: (-sum(p.counts.values()), p.name))
    for partner in ranked:
        partner.cells = [partner.counts.get(kind, 0) for kind in kinds]
    return kinds, ranked
