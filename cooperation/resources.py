"""The resources: one declaration each, and everything else derived from it and from the model.

A resource is a kind of record the API serves at ``/api/v1/<name>/``, the CSV export writes and the import
reads, and the admin lists. Its declaration says only what the model cannot: which fields it shows and in
what order, its parts, what it can be ordered by and searched for, which relations it is filtered by, and
where it is (for ``country`` and ``region``). From it and the model come the serializer (``api/serializers``),
the viewset with its prefetches and its route (``api/views``, ``api/urls``), the filterset (choice filters
from choice fields, date filters from the model's partial dates: ``filtering``), the CSV columns
(``tabular``), the admin's list filters, the import, delete and synthetic-data orders (``dependencies``) and
the tombstones (``signals``).

Adding a model: declare it here; ``tests/cooperation/test_registry.py`` names anything else it still needs.
"""

from __future__ import annotations

from django.db import models

from cooperation import models as m
from cooperation.filtering import filters as f
from cooperation.filtering.fields import cited_models
from cooperation.places import PARTICIPANTS, PARTIES, PLACE, Places
from cooperation.registry import Resource, joined, part_fields

__all__ = ["CITATION_FIELDS", "RESOURCES", "Resource", "part_fields", "resource_of", "resource_or_none"]

TEXT = ("exact", "icontains", "istartswith")


#: A citation's fields as it is entered with the record it supports: the ``citations`` of the API and the CSV,
#: and the admin's inline.
CITATION_FIELDS = ("source", "quote", "kind", "supports", "position", "locator", "confidence", "modality", "note")


def with_participants(records: str, *, there: str = "") -> dict:
    """What a record with participants (a course, an operation) declares about them, as ``Resource`` keywords:
    it involves the participants' countries and regions, and filters by their roles (``participant_role``).
    ``there``: how the record is at its place ("given there"), when it has one: it involves the place's country."""
    return {
        "places": Places(countries=(*PARTICIPANTS, *(PLACE if there else ())), regions=("participants__region",)),
        "filters": {
            "participant_role": f.ChoiceFilter(
                field_name="participants__role",
                choices=m.ParticipantRole.choices,
                distinct_paths=True,
                help_text=f"{records} with a participant (country, region or agency) in one or more of these roles: "
                + ", ".join(code for code, _ in m.ParticipantRole.choices)
                + ".",
            )
        },
        "filter_help": {
            "country": f"{records} with these countries among the participants (in any role), or an agency of theirs"
            + (f", or {there}." if there else "."),
            "region": f"{records} with a participant in these regions (M49 code or name), directly or as an agency "
            "of a country there, or the region itself as a participant.",
        },
    }


def with_milestones(records: str, model: type[models.Model], **filters) -> dict:
    """What a record with a status and milestones (a centre, a course) declares about them, as ``Resource``
    keywords with the resource's other ``filters``: its milestones as a part, in the order entered, and the
    filters by milestone kind and date (``milestone=opened&milestone_from=2021&milestone_to=2021``)."""
    kinds = model._meta.get_field("milestones").related_model._meta.get_field("kind").choices
    return {
        "filters": {**f.milestone_filters(records, kinds), **filters},
        "field_help": {
            "milestones": "Its life, step by step: each milestone's kind, its date (as written, EDTF) and the "
            "source that reports it (one the record cites), in the order entered."
        },
    }


def _ends_of_routes(queryset, name, countries):
    """``origin``/``destination``: routes starting (origin or departure stop) or ending in these countries."""
    if not countries:
        return queryset
    roles = ["origin", "departure"] if name == "origin" else ["destination"]
    return queryset.filter(pk__in=m.RouteNode.objects.filter(country__in=countries, role__in=roles).values("route_id"))


def _same_source(queryset, name, value):
    from cooperation.natural_keys import same_source

    return queryset.filter(same_source(value)) if value else queryset


def _place_origin(queryset, name, origins):
    """``origin``: places from the gazetteer (with a GeoNames id), or those analysts added."""
    if not origins or set(origins) == {"gazetteer", "analysts"}:
        return queryset
    return queryset.filter(geonames_id__isnull=origins[0] == "analysts")


def _linked(queryset, name, agreements):
    """``implements``, ``amends``, ``renews``, ``supersedes``: agreements that do so to one of these."""
    if not agreements:
        return queryset
    return queryset.filter(pk__in=m.AgreementLink.objects.filter(kind=name, target__in=agreements).values("agreement"))


LINK_FILTERS = {
    kind: f.KeyFilter(
        model=m.Agreement,
        method=_linked,
        help_text=f"Agreements that {label.lower()} one or more of these agreements (by id or title).",
    )
    for kind, label in m.LinkKind.choices
}


def vocabulary(name: str, model: type[models.Model]) -> Resource:
    """A controlled vocabulary (cooperation areas, training topics): code, name and description."""
    return Resource(
        name,
        model,
        ("code", "name", "description"),
        ordering=("code", "name"),
        search=("code", "name", "description"),
        text_filters={"code": ("exact",), "name": TEXT},
    )


DECLARATIONS = (
    # --- Reference, and the sources facts are cited from ---------------------------------------------------
    Resource(
        "regions",
        m.Region,
        ("m49_code", "name", "level", "parent", "description"),
        ordering=("name", "m49_code"),
        search=("name", "description"),
        text_filters={"name": TEXT, "m49_code": ("exact",)},
        relations={"parent": "parent"},
        places=Places(countries=(), regions=("pk",)),
        filter_help={"region": "These regions (M49 code or name) and every region under them."},
    ),
    Resource(
        "countries",
        m.Country,
        ("iso2", "iso3", "iso_numeric", "name", "official_name", "regions"),
        ordering=("name", "iso2", "iso3"),
        search=("name", "official_name", "iso2", "iso3"),
        text_filters={"name": TEXT, "iso2": ("exact",), "iso3": ("exact",), "iso_numeric": ("exact",)},
        places=Places(countries=("pk",)),
    ),
    Resource(
        "drugs",
        m.Drug,
        ("name", "group", "description"),
        ordering=("name", "group"),
        search=("name", "description"),
        text_filters={"name": TEXT},
    ),
    Resource(
        "places",
        m.Place,
        ("name", "country", "latitude", "longitude", "geonames_id", "population", "other_names", "description"),
        ordering=("name", "population", "geonames_id"),
        search=("name", "other_names"),
        text_filters={"name": TEXT},
        places=Places(countries=("country",)),
        filters={
            "geonames_id": f.IdFilter(field_name="geonames_id", help_text="The place with this GeoNames id."),
            "origin": f.ChoiceFilter(
                method=_place_origin,
                choices=[("gazetteer", "From the GeoNames gazetteer"), ("analysts", "Added by analysts")],
                help_text="gazetteer: places from the GeoNames gazetteer; analysts: places analysts added.",
            ),
        },
    ),
    vocabulary("cooperation-areas", m.CooperationArea),
    vocabulary("training-topics", m.TrainingTopic),
    Resource(
        "sources",
        m.Source,
        ("title", "kind", "publisher", "publisher_name", "authors", "url", "language", "published", "retrieved")
        + ("text", "note"),
        ordering=("title",),
        search=("title", "publisher_name", "authors", "url"),
        text_filters={"title": TEXT, "language": ("exact",)},
        relations={"publisher": "publisher"},
        filters={
            "url": f.CharFilter(
                method=_same_source,
                help_text="The source at this web address, with either scheme (http, https), with or without "
                "`www.` and a trailing slash.",
            )
        },
    ),
    # --- Actors ---------------------------------------------------------------------------------------
    Resource(
        "agencies",
        m.Agency,
        ("name", "acronym", "other_names", "kind", "country", "parent", "website", "description"),
        ordering=("name", "kind"),
        search=("name", "acronym", "other_names", "description"),
        text_filters={"name": TEXT, "acronym": ("exact", "icontains")},
        relations={"parent": "parent"},
        places=Places(countries=("country",)),
    ),
    Resource(
        "officials",
        m.Official,
        ("name", "other_names", "country", "description"),
        ordering=("name",),
        search=("name", "other_names", "description"),
        text_filters={"name": TEXT},
        relations={"agency": "posts__agency"},
        places=Places(countries=("country",)),
    ),
    Resource(
        "posts",
        m.Post,
        ("official", "agency", "title", "start", "end", "note"),
        ordering=("title",),
        search=("title", "note", "official__name", "official__other_names", "agency__name", "agency__acronym"),
        text_filters={"title": TEXT},
        relations={"official": "official", "agency": "agency"},
        places=Places(countries=("agency__country", "official__country")),
        filter_help={"country": "Posts in an agency of these countries, or held by their officials."},
    ),
    # --- Cooperation ----------------------------------------------------------------------------------
    Resource(
        "agreements",
        m.Agreement,
        ("title", "kind", "status", "areas", "drugs", "summary", "announced_by", "signatories")
        + ("announced", "signed", "place", "start", "end", "links"),
        parts={"parties": "id", "signatories": "id", "links": "id"},
        ordering=("title", "status", "kind"),
        search=("title", "summary"),
        text_filters={"title": TEXT},
        relations={
            "area": "areas",
            "drug": "drugs",
            "agency": ("parties__agency", "signatories__agency", "signatories__post__agency"),
            "official": ("announced_by", "signatories__official"),
            "place": "place",
        },
        places=Places(countries=(*PARTIES, *PLACE), regions=("parties__region",)),
        filters={
            **LINK_FILTERS,
            "link_kind": f.ChoiceFilter(
                field_name="links__kind",
                choices=m.LinkKind.choices,
                distinct_paths=True,
                help_text="Agreements that implement, amend, renew or supersede another: one or more of "
                + ", ".join(m.LinkKind.values)
                + ".",
            ),
        },
        filter_help={
            "country": "Agreements with these countries among the parties, or an agency of theirs, or signed there.",
            "region": "Agreements with a party in these regions (M49 code or name), directly or as an agency of "
            "a country there, or the region itself as a party.",
            "agency": "Agreements with these agencies among the parties or the signatories (signing as such, for "
            "an official, or as an official's post).",
            "official": "Agreements these officials announced or signed.",
            "drug": "Agreements that name these drugs among those they target.",
        },
        field_help={
            "signatories": "Who signed: an official (with the post held then, when known), an agency, or both.",
            "links": "The agreements this one implements, amends, renews or supersedes.",
        },
    ),
    Resource(
        "training-centres",
        m.TrainingCentre,
        ("name", "host_country", "place", "operator", "sponsor_country", "status", "milestones")
        + ("topics", "expected_countries", "summary"),
        parts={"milestones": "id"},
        ordering=("name", "status"),
        search=("name", "place__name", "summary"),
        text_filters={"name": TEXT},
        relations={
            "host_country": "host_country",
            "sponsor_country": "sponsor_country",
            "operator": "operator",
            "topic": "topics",
            "place": "place",
        },
        places=Places(countries=("host_country", "sponsor_country", *PLACE)),
        filter_help={
            "country": "Host or sponsoring country.",
            "region": "Host or sponsoring country in these regions.",
        },
        **with_milestones("Centres", m.TrainingCentre),
    ),
    Resource(
        "training-courses",
        m.TrainingCourse,
        ("title", "centre", "session", "status", "provider", "place", "start", "end", "milestones", "topics")
        + ("total_trained", "participants", "summary"),
        parts={"participants": "id", "milestones": "id"},
        ordering=("title", "status", "session"),
        search=("title", "summary"),
        text_filters={"title": TEXT},
        relations={
            "centre": "centre",
            "provider": "provider",
            "topic": "topics",
            "agency": "participants__agency",
            "place": "place",
        },
        **joined(
            with_participants("Courses", there="given there"),
            with_milestones(
                "Courses",
                m.TrainingCourse,
                session=f.IdFilter(field_name="session", help_text="Courses that are these sessions (1, 2, ...)."),
                **{
                    f"session__{lookup}": f.NumberFilter(
                        field_name="session",
                        lookup_expr=lookup,
                        min_value=1,
                        max_value=32767,  # a positive small integer
                        help_text=f"Courses that are this session or {which} one.",
                    )
                    for lookup, which in (("gte", "a later"), ("lte", "an earlier"))
                },
            ),
        ),
    ),
    Resource(
        "operations",
        m.Operation,
        ("name", "status", "start", "end", "place", "legal_basis", "summary"),
        parts={"participants": "id", "outcomes": "id"},
        ordering=("name", "status"),
        search=("name", "summary"),
        text_filters={"name": TEXT},
        relations={
            "agency": "participants__agency",
            "drug": "outcomes__drug",
            "legal_basis": "legal_basis",
            "place": "place",
        },
        **with_participants("Operations", there="carried out there"),
    ),
    Resource(
        "events",
        m.Event,
        ("title", "kind", "stance", "date", "country", "region", "place", "officials", "speaker_post", "agencies")
        + ("countries_concerned", "concerns", "summary"),
        parts={"concerns": "id"},
        ordering=("title", "kind"),
        search=("title", "summary", "place__name"),
        text_filters={"title": TEXT},
        relations={
            "official": ("officials", "speaker_post__official"),
            "speaker_post": "speaker_post",
            "agency": ("agencies", "speaker_post__agency"),
            "place": "place",
            **{name: f"concerns__{name}" for name in m.CONCERNABLE},
        },
        places=Places(countries=("country", "countries_concerned", *PLACE), regions=("region",)),
        filter_help={
            "country": "Where it took place (its country, or its place's), or what it concerned.",
            "official": "Events with these officials, or spoken by them (their post at the time).",
            "agency": "Events with these agencies, or spoken for them (the speaker's post at the time).",
            **{
                name: f"Events concerning one or more of these {m.EventConcern._meta.get_field(name).verbose_name}s "
                "(by id or key)."
                for name in m.CONCERNABLE
            },
            "stance": "Statements that take one of these stances towards what they concern: "
            + ", ".join(m.Stance.values)
            + ".",
        },
        field_help={
            "concerns": "The records the event concerns, each one of: " + ", ".join(m.CONCERNABLE) + " (by id or key).",
        },
    ),
    # --- Drug trade -----------------------------------------------------------------------------------
    Resource(
        "trafficking-routes",
        m.TraffickingRoute,
        ("name", "drug", "concealment", "transport_mode", "identified_by", "status", "first_reported", "summary"),
        parts={"nodes": "position"},
        ordering=("name", "status"),
        search=("name", "concealment", "summary"),
        text_filters={"name": TEXT, "concealment": ("icontains",)},
        relations={"drug": "drug", "identified_by": "identified_by", "place": "nodes__place"},
        places=Places(countries=("nodes__country",), regions=("nodes__region",)),
        filters={
            "origin": f.KeyFilter(
                model=m.Country, method=_ends_of_routes, help_text="Routes starting here (origin or departure)."
            ),
            "destination": f.KeyFilter(model=m.Country, method=_ends_of_routes, help_text="Routes ending here."),
        },
        filter_help={"country": "Routes through these countries (any stop)."},
        field_help={"nodes": "The stops, in order of position."},
    ),
    Resource(
        "assessments",
        m.Assessment,
        ("subject_country", "subject_region", "drug", "role", "trend", "likelihood", "market")
        + ("assessed_by_agency", "assessed_by_official", "as_of", "claim"),
        ordering=("role",),
        search=("claim",),
        relations={
            "drug": "drug",
            "market": "market",
            "assessed_by": "assessed_by_agency",
            "assessed_by_official": "assessed_by_official",
        },
        places=Places(countries=("subject_country",), regions=("subject_region",)),
    ),
    # --- Provenance: a citation ties a fact to its source -------------------------------------------------
    Resource(
        "citations",
        m.Citation,
        ("record", "source", "record_type", "record_id", "quote", "kind", "supports", "position", "locator")
        + ("confidence", "modality", "note"),
        search=("quote", "note"),
        text_filters={"quote": ("icontains",)},
        relations={"source": "source"},
        filters={
            "record_type": f.ChoiceFilter(
                field_name="content_type__model",
                choices=[(model._meta.model_name, model._meta.verbose_name) for model in cited_models()],
                help_text="The kind of record cited, by model name (agreement, traffickingroute, ...).",
            ),
            "record_id": f.IdFilter(field_name="object_id", help_text="The id of the record cited (with record_type)."),
        },
    ),
)

#: The app's models that are not resources of their own, and why (tests/cooperation/test_registry.py asks).
#: Parts (an agreement's parties) are not listed: their record's ``parts`` declare them.
NOT_RESOURCES: dict[type[models.Model], str] = {
    m.Deletion: "A tombstone of a deleted record, served by /api/v1/deleted/ and written by signals.",
    m.Change: "An entry of the change feed, served by /api/v1/changes/ and written by triggers (changes.py).",
}

#: Every resource by its URL name, in the order the API's index lists them.
RESOURCES: dict[str, Resource] = {resource.name: resource for resource in DECLARATIONS}
_BY_MODEL: dict[type[models.Model], Resource] = {resource.model: resource for resource in DECLARATIONS}


def resource_of(model: type[models.Model]) -> Resource:
    """The resource of a model (KeyError if the model is not one)."""
    return _BY_MODEL[model]


def part_relations(model: type[models.Model]) -> list[str]:
    """The relations a record of ``model`` is written with: its parts (an agreement's parties, ...), then its
    citations if it states facts. Its history and its revert cover them with the record."""
    resource = _BY_MODEL.get(model)
    return [*(resource.parts if resource else ()), *(["citations"] if issubclass(model, m.CitedModel) else [])]


def resource_or_none(model: type[models.Model]) -> Resource | None:
    """The resource of a model, or None for a part or a model that is not one."""
    return _BY_MODEL.get(model)
