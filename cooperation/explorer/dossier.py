"""A country's dossier: the records that involve it, kind by kind, and who it cooperates with.

"Involves" is the API's ``country`` filter of each resource (``cooperation.places``): the dossier runs it, so
its lists and the filtered lists it links to (``/agreements/?country=RU``) cannot disagree. How many records of
each kind involve the country, and its partners, are read from the counts kept as the records are written
(``cooperation.explorer.counts``, which follows the same ``places``): a few rows, whatever the number of
records (counted from the records, they read every party of a frequent country's on each page)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Model
from django.http import QueryDict
from django.utils.http import urlencode
from django.utils.text import capfirst

from cooperation.api.permissions import may_view
from cooperation.explorer import counts
from cooperation.explorer.pages import explorer_url, list_url
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


def country_key(country) -> str:
    return country.iso2 or str(country.pk)


def sections(country, user, totals: dict[str, int] | None = None) -> list[Section]:
    """Each kind the user may view: its first SHOWN records involving the country and how many there are (two
    queries per kind; one where ``totals`` has the kind's already: the dossier's kept counts)."""
    key = country_key(country)
    shown = []
    for name in KINDS:
        resource = RESOURCES[name]
        if not may_view(user, resource.model):
            continue
        records = of_country(resource, country).order_by(*(resource.model._meta.ordering or ()), "pk")
        if list(resource.model._meta.ordering or ["pk"]) in (["pk"], ["id"]):
            # In the order of their ids: the first ones read from the kept counts' index of them.
            first = list(
                named_records(resource.model).filter(pk__in=counts.first_ids(country, name, SHOWN)).order_by("pk")
            )
        else:
            first = list(records[:SHOWN])
        # Even when all are shown: a page's queries must not depend on the data.
        count = totals[name] if totals and name in totals else records.count()
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
    many records of each kind: (the kinds' labels, the partners, most records first). One query, of the kept
    counts (``counts.PartnerCount``)."""
    labels = {
        name: capfirst(RESOURCES[name].model._meta.verbose_name_plural)
        for name in PARTIES
        if may_view(user, RESOURCES[name].model)
    }
    found: dict[int, Partner] = {}
    for other, name, kind, records in counts.partners_of(country, list(labels)) if labels else ():
        found.setdefault(other, Partner(other, name)).counts[labels[kind]] = records
    kinds = list(labels.values())
    ranked = sorted(found.values(), key=lambda p: (-sum(p.counts.values()), p.name))
    for partner in ranked:
        partner.cells = [partner.counts.get(kind, 0) for kind in kinds]
    return kinds, ranked
