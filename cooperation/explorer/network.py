"""The cooperation network: countries and agencies as nodes, joined by the agreements, training courses and
operations they are parties to together, one edge per pair and kind of record with how many records there are.

The records are those the API's own filterset of each kind returns for the same parameters (``date_from``,
``country``, ...), so ``/network/?country=PE`` draws the records ``/api/v1/agreements/?country=PE`` lists.
Pairs are counted in SQL (a self-join of the parties per record, grouped by the pair): one query per kind
whatever the number of records, so 10,000 agreements draw from a few hundred counts, never from the records.
A node is a party as the record gives it: an agency party is the agency's node, not its country's."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F
from django.http import QueryDict
from django.utils.text import capfirst

from cooperation import models as m
from cooperation.api.permissions import may_view
from cooperation.resources import RESOURCES

#: The kinds of record that make edges, and the part that holds each one's parties.
KINDS = {"agreements": "parties", "training-courses": "participants", "operations": "participants"}
#: The parameters the network takes besides ``kind``: those every kind's filterset has, meaning the same.
FILTERS = ("date_from", "date_to", "date_match", "country", "region", "agency")
#: Pairs drawn and listed (the strongest first); the CSV has them all.
SHOWN = 150


@dataclass(frozen=True)
class Node:
    type: str  # "country" or "agency"
    pk: int
    name: str

    @property
    def id(self) -> str:
        return f"{self.type}-{self.pk}"

    @property
    def url(self) -> str:
        return f"/{'countries' if self.type == 'country' else 'agencies'}/{self.pk}/"


@dataclass(frozen=True)
class Edge:
    source: Node
    target: Node
    kind: str  # a key of KINDS
    label: str  # "Agreements"
    records: int


@dataclass
class Network:
    kinds: list[tuple[str, str]]  # the kinds asked for and viewable: (name, label)
    edges: list[Edge]  # every pair, the most records first
    errors: dict[str, list[str]]

    @property
    def shown(self) -> list[Edge]:
        return self.edges[:SHOWN]

    @property
    def nodes(self) -> list[Node]:
        found = {}
        for edge in self.shown:
            found.setdefault(edge.source.id, edge.source)
            found.setdefault(edge.target.id, edge.target)
        return sorted(found.values(), key=lambda node: (node.type, node.name, node.pk))


def kind_label(name: str) -> str:
    return capfirst(RESOURCES[name].model._meta.verbose_name_plural)


def viewable_kinds(user) -> list[str]:
    return [name for name in KINDS if may_view(user, RESOURCES[name].model)]


def parse(params: QueryDict, user) -> tuple[list[str], QueryDict, dict[str, list[str]]]:
    """The kinds asked for (all viewable ones by default), the filters, and what is wrong with them."""
    errors: dict[str, list[str]] = {}
    for name, values in params.lists():
        if name not in (*FILTERS, "kind", "format"):
            errors[name] = ["Unknown filter."]
        elif any("\x00" in value for value in values):
            errors[name] = ["The value contains a NUL character."]
    viewable = viewable_kinds(user)
    asked = params.getlist("kind") or viewable
    unknown = [kind for kind in asked if kind not in viewable]
    if unknown and "kind" not in errors:
        errors["kind"] = [f"Not a kind of record here: {', '.join(unknown)} (choose from {', '.join(viewable)})."]
    filters = QueryDict(mutable=True)
    for name in FILTERS:
        if name in params:
            filters.setlist(name, params.getlist(name))
    return [kind for kind in viewable if kind in asked], filters, errors


def records(kind: str, filters: QueryDict):
    """The records of ``kind`` the filters select, as the API's filterset selects them; or its errors."""
    resource = RESOURCES[kind]
    filterset = resource.filterset_class(filters, queryset=resource.model._default_manager.all())
    if not filterset.is_valid():
        return None, filterset.errors
    return filterset.qs, {}


def pair_counts(kind: str, selected) -> dict[tuple[tuple[str, int], tuple[str, int]], int]:
    """How many of the ``selected`` records of ``kind`` each pair of parties shares: one grouped query over the
    record's parties joined to themselves. Regions as parties are left out (they are not nodes)."""
    resource = RESOURCES[kind]
    relation = resource.model._meta.get_field(KINDS[kind])
    record = relation.field.name
    other = f"{record}__{KINDS[kind]}"
    rows = (
        relation.related_model.objects.filter(**{f"{record}__in": selected.order_by().values("pk")})
        .values("country", "agency", other_country=F(f"{other}__country"), other_agency=F(f"{other}__agency"))
        .annotate(records=Count(record, distinct=True))
        .order_by()
    )
    counts = {}
    for row in rows:
        one = node_key(row["country"], row["agency"])
        two = node_key(row["other_country"], row["other_agency"])
        if one is not None and two is not None and one < two:  # each pair once, never a party with itself
            counts[(one, two)] = row["records"]
    return counts


def node_key(country: int | None, agency: int | None) -> tuple[str, int] | None:
    if agency is not None:
        return ("agency", agency)
    if country is not None:
        return ("country", country)
    return None


def network(params: QueryDict, user) -> Network:
    """The network the parameters ask for: one query per kind for the pairs, one each for the countries' and
    the agencies' names."""
    kinds, filters, errors = parse(params, user)
    if errors:
        return Network([], [], errors)
    counted = []
    for kind in kinds:
        selected, problems = records(kind, filters)
        errors.update(problems)
        if not errors:
            counted.append((kind, pair_counts(kind, selected)))
    if errors:
        return Network([], [], errors)
    ids = {"country": set(), "agency": set()}
    for _, counts in counted:
        for one, two in counts:
            ids[one[0]].add(one[1])
            ids[two[0]].add(two[1])
    names = {
        ("country", pk): name for pk, name in m.Country.objects.filter(pk__in=ids["country"]).values_list("pk", "name")
    }
    names |= {
        ("agency", pk): name for pk, name in m.Agency.objects.filter(pk__in=ids["agency"]).values_list("pk", "name")
    }
    edges = [
        Edge(
            Node(*one, names.get(one, str(one[1]))),
            Node(*two, names.get(two, str(two[1]))),
            kind,
            kind_label(kind),
            count,
        )
        for kind, counts in counted
        for (one, two), count in counts.items()
    ]
    edges.sort(key=lambda e: (-e.records, e.source.name, e.target.name, e.kind, e.source.pk, e.target.pk))
    return Network([(kind, kind_label(kind)) for kind in kinds], edges, {})


#: The CSV's columns: one row per pair and kind.
CSV_HEADER = ("kind", "source_type", "source_id", "source", "target_type", "target_id", "target", "records")


def csv_rows(graph: Network):
    yield CSV_HEADER
    for edge in graph.edges:
        yield (
            edge.kind,
            edge.source.type,
            edge.source.pk,
            edge.source.name,
            edge.target.type,
            edge.target.pk,
            edge.target.name,
            edge.records,
        )
