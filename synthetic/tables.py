"""The tables the generator writes, the columns of their rows in order, and which ids it assigns itself.

The order the tables are written in (and cleared in, reversed) is not typed here: it comes from the models'
relations (``cooperation.dependencies``), each record's tables followed by those of its parts.
"""

from __future__ import annotations

from django.db import models

from cooperation import models as m
from cooperation.dependencies import dependency_order, parts_of

TRACKED = ("created_at", "updated_at", "version")
DUPLICATE_CHECK = ("duplicate_key", "confirmed_distinct")  # see cooperation.duplicates


def _dates(*names: str) -> tuple[str, ...]:
    return tuple(f"{n}{suffix}" for n in names for suffix in ("", "_edtf", "_earliest", "_latest"))


def _quantity(name: str) -> tuple[str, ...]:
    """A quantity's columns but its high end (only ranges have one: the synthetic numbers are exact)."""
    return (name, f"{name}_qualifier", f"{name}_min", f"{name}_max")


Target = type[models.Model] | tuple[type[models.Model], str]  # a model, or a model's many-to-many field

# What is written to each table (a model, or a many-to-many field's table), in the order of the values in its
# rows. A table with an "id" column gets its ids from the generator, so that rows can point at it.
COLUMNS: dict[str, tuple[Target, tuple[str, ...]]] = {
    "sources": (m.Source, ("id", "title", "kind", "publisher_name", "url", "language", *_dates("published"),
                           "retrieved", "text", "authors", "note", *TRACKED)),
    "agencies": (m.Agency, ("id", "name", "acronym", "other_names", "kind", "country", "parent", "website",
                            "description", *DUPLICATE_CHECK, *TRACKED)),
    "officials": (m.Official, ("id", "name", "other_names", "country", "description", *DUPLICATE_CHECK,
                                *TRACKED)),
    "posts": (m.Post, ("id", "official", "agency", "title", *_dates("start", "end"), "note", *TRACKED)),
    "agreements": (m.Agreement, ("id", "title", "kind", "status", "summary", "announced_by",
                                 *_dates("announced", "signed", "start", "end"), *DUPLICATE_CHECK,
                                 *TRACKED)),
    "agreement areas": ((m.Agreement, "areas"), ("agreement", "cooperationarea")),
    "agreement signatories": (m.AgreementSignatory, ("agreement", "official", "post", "agency", "note", *TRACKED)),
    "agreement links": (m.AgreementLink, ("agreement", "kind", "target", "note", *TRACKED)),
    "agreement parties": (m.AgreementParty, ("agreement", "country", "region", "agency", "role", "note", *TRACKED)),
    "trafficking routes": (m.TraffickingRoute, ("id", "name", "drug", "concealment", "transport_mode",
                                                "identified_by", "status", *_dates("first_reported"), "summary",
                                                *TRACKED)),
    "route nodes": (m.RouteNode, ("route", "position", "country", "region", "role", *TRACKED)),
    "training centres": (m.TrainingCentre, ("id", "name", "host_country", "operator", "sponsor_country",
                                            "status", *_quantity("expected_countries"), "summary",
                                            *DUPLICATE_CHECK, *TRACKED)),
    "centre milestones": (m.CentreMilestone, ("centre", "kind", *_dates("date"), "source", "note", *TRACKED)),
    "training centre topics": ((m.TrainingCentre, "topics"), ("trainingcentre", "trainingtopic")),
    "training courses": (m.TrainingCourse, ("id", "title", "centre", "status", "provider", *_dates("start", "end"),
                                            *_quantity("total_trained"), "summary", *TRACKED)),
    "course milestones": (m.CourseMilestone, ("course", "kind", *_dates("date"), "source", "note", *TRACKED)),
    "training course topics": ((m.TrainingCourse, "topics"), ("trainingcourse", "trainingtopic")),
    "course participants": (m.CourseParticipant, ("course", "country", "agency", "role", *_quantity("trainees"),
                                                       *TRACKED)),
    "operations": (m.Operation, ("id", "name", "status", *_dates("start", "end"), "legal_basis", "summary",
                                 *TRACKED)),
    "operation participants": (m.OperationParticipant, ("operation", "country", "agency", "role", *TRACKED)),
    "operation outcomes": (m.OperationOutcome, ("operation", "kind", "drug", *_quantity("quantity"), "unit",
                                                "description",
                                                *TRACKED)),
    "events": (m.Event, ("id", "title", "kind", "stance", *_dates("date"), "country", "region", "summary",
                         *TRACKED)),
    "event concerns": (m.EventConcern, ("event", "agreement", "note", *TRACKED)),
    "event officials": ((m.Event, "officials"), ("event", "official")),
    "event agencies": ((m.Event, "agencies"), ("event", "agency")),
    "event countries": ((m.Event, "countries_concerned"), ("event", "country")),
    "assessments": (m.Assessment, ("id", "subject_country", "subject_region", "drug", "role", "trend",
                                   "likelihood", "market", "assessed_by_agency", "assessed_by_official",
                                   *_dates("as_of"), "claim", *TRACKED)),
    "citations": (m.Citation, ("source", "content_type", "object_id", "quote", "kind", "position", "locator",
                               "confidence", "modality", "note", *TRACKED)),
}  # fmt: skip


def _model(target: Target) -> type[models.Model]:
    if isinstance(target, tuple):
        model, name = target
        return model._meta.get_field(name).remote_field.through
    return target


def _in_order() -> dict[str, tuple[Target, tuple[str, ...]]]:
    """COLUMNS in the order the tables are written in: a row's foreign keys point at rows already written.

    Records (the tables whose ids are assigned here, and citations, which may point at any of them) are
    ordered by their relations, and each is followed by the tables of its parts (an agreement's areas,
    signatories and parties)."""
    key_of = {_model(target): key for key, (target, _) in COLUMNS.items()}
    records = [_model(target) for target, columns in COLUMNS.values() if "id" in columns] + [m.Citation]
    ordered = [model for record in dependency_order(records) for model in (record, *parts_of(record, records))]
    unowned = set(key_of) - set(ordered)
    if unowned:
        raise LookupError(f"No generated record owns the tables of {sorted(model.__name__ for model in unowned)}.")
    return {key_of[model]: COLUMNS[key_of[model]] for model in ordered if model in key_of}


TABLES = _in_order()

# The tables whose ids are assigned here (everything a row or a citation points at).
ASSIGNED_IDS = {key: _model(target) for key, (target, columns) in TABLES.items() if "id" in columns}


def table_model(key: str) -> type[models.Model]:
    return _model(TABLES[key][0])


def table_columns(key: str) -> tuple[str, list[str]]:
    model = table_model(key)
    return model._meta.db_table, [model._meta.get_field(name).column for name in TABLES[key][1]]
