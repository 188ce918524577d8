"""The resources stay one declaration each: every model is a resource, a part of one, or declared as not one, and
every resource is routed, exported, imported, in the admin and in the synthetic data, with a declaration that
names only what exists. A failure names the resource and what it lacks."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.urls import reverse

from cooperation.resources import NOT_RESOURCES, RESOURCES, part_fields

DECLARED = list(RESOURCES.values())
#: A citation's content type and object id, as the API and the CSV name them.
API_ONLY = ("record_type", "record_id")


def app_models() -> list[type]:
    return [
        model
        for model in apps.get_app_config("cooperation").get_models()
        if not model.__name__.startswith("Historical")
    ]


def parts() -> dict[type, str]:
    return {
        resource.model._meta.get_field(name).related_model: f"{resource.name}.{name}"
        for resource in DECLARED
        for name in resource.parts
    }


def resolves(model, path: str) -> bool:
    """Whether ``path`` (``parties__agency__country``, ``pk``) leads somewhere from ``model``."""
    for name in path.split("__"):
        if name == "pk":
            return True
        try:
            model = model._meta.get_field(name).related_model or model
        except FieldDoesNotExist:
            return False
    return True


def test_every_model_is_a_resource_a_part_or_declared_not_one():
    covered = {resource.model for resource in DECLARED} | set(parts()) | set(NOT_RESOURCES)
    missing = [model.__name__ for model in app_models() if model not in covered]
    assert missing == [], (
        f"Models with no resource: {missing}. Declare each in cooperation/resources.py (DECLARATIONS), as a part "
        "of a resource (its `parts`), or in NOT_RESOURCES with the reason."
    )


@pytest.mark.parametrize("resource", DECLARED, ids=lambda r: r.name)
def test_the_declaration_names_only_what_exists(resource):
    model = resource.model
    wrong = [f"fields: {name}" for name in resource.fields if not resolves(model, name) and name not in API_ONLY]
    wrong += [f"parts: {name}" for name in resource.parts if not model._meta.get_field(name).one_to_many]
    wrong += [f"search: {path}" for path in resource.search if not resolves(model, path)]
    wrong += [f"ordering: {name}" for name in resource.ordering if not resolves(model, name)]
    wrong += [f"text_filters: {name}" for name in resource.text_filters if not resolves(model, name)]
    paths = [p for value in resource.relations.values() for p in ((value,) if isinstance(value, str) else value)]
    wrong += [f"relations: {path}" for path in paths if not resolves(model, path)]
    if resource.places is not None:
        wrong += [
            f"places: {path}"
            for path in (*resource.places.countries, *resource.places.regions)
            if not resolves(model, path)
        ]
    filters = resource.filterset_class.base_filters
    wrong += [f"filter_help: {name} (no such filter)" for name in resource.filter_help if name not in filters]
    wrong += [f"field_help: {name} (not a part)" for name in resource.field_help if name not in resource.parts]
    assert wrong == [], f"{resource.name}: the declaration names what {model.__name__} does not have: {wrong}"


@pytest.mark.parametrize("resource", DECLARED, ids=lambda r: r.name)
def test_every_resource_is_routed_listed_and_exported(resource, db, client):
    basename = resource.model._meta.model_name
    assert reverse(f"api:{basename}-list") == f"/api/v1/{resource.name}/", f"{resource.name} is not routed"
    listed = client.get(f"/api/v1/{resource.name}/")
    assert listed.status_code == 200, f"{resource.name}: the list answers {listed.status_code}"
    exported = client.get(f"/api/v1/{resource.name}/", HTTP_ACCEPT="text/csv")
    assert exported.status_code == 200, f"{resource.name}: the CSV export answers {exported.status_code}"
    header = b"".join(exported.streaming_content).decode().splitlines()[0]
    assert header.split(",") == resource.headers, f"{resource.name}: the export's header is not its columns"


@pytest.mark.parametrize("resource", DECLARED, ids=lambda r: r.name)
def test_every_resource_is_imported_column_by_column(resource):
    """Each writable column reads a cell back (an empty one for a start), so the import takes what the export
    writes."""
    unreadable = []
    for column in resource.columns:
        if column.read_only or column.name in ("id", "record_type", "record_id", "version"):
            continue
        try:
            column.read("", unescape=True)
        except Exception as error:
            unreadable.append(f"{column.name}: {error}")
    assert unreadable == [], f"{resource.name}: columns the import cannot read: {unreadable}"


@pytest.mark.parametrize("resource", DECLARED, ids=lambda r: r.name)
def test_every_resource_and_part_is_in_the_admin(resource):
    assert admin.site.is_registered(resource.model), f"{resource.name}: {resource.model.__name__} has no admin"
    model_admin = admin.site._registry[resource.model]
    inlines = {inline.model for inline in model_admin.inlines}
    missing = [name for name in resource.parts if resource.model._meta.get_field(name).related_model not in inlines]
    assert missing == [], f"{resource.name}: parts without an inline in its admin: {missing}"


@pytest.mark.parametrize("resource", [r for r in DECLARED if r.cited], ids=lambda r: r.name)
def test_every_resource_with_facts_is_in_the_synthetic_data(resource):
    from synthetic.tables import TABLES, table_model

    generated = {table_model(key) for key in TABLES}
    assert resource.model in generated, f"{resource.name}: the synthetic data (synthetic/tables.py) has none"
    for name in resource.parts:
        part = resource.model._meta.get_field(name).related_model
        assert part in generated, f"{resource.name}: the synthetic data has no {name}"


def test_parts_are_entered_with_their_fields():
    """A part's fields (the CSV's and the API's) are its model's, so a field added to a part is in both."""
    for resource in DECLARED:
        for name in resource.parts:
            relation = resource.model._meta.get_field(name)
            assert part_fields(relation), f"{resource.name}.{name} has no fields to enter"


def test_every_record_a_resource_refers_to_has_a_natural_key():
    """Exports write a related record by its natural key and imports read it back (cooperation.natural_keys)."""
    from cooperation.natural_keys import NATURAL_KEYS

    missing = sorted(
        {
            f"{model_field.related_model.__name__} (in {resource.name}.{column.name})"
            for resource in DECLARED
            for column in resource.columns
            for model_field in [getattr(column, "model_field", None), *getattr(column, "fields", ())]
            if getattr(model_field, "is_relation", False) and model_field.related_model not in NATURAL_KEYS
        }
    )
    assert missing == [], f"Models without a natural key in cooperation/natural_keys/__init__.py: {missing}"
