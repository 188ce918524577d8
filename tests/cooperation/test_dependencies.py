"""The import order comes from the models' relations: each resource after what its columns refer to."""

import pytest
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.test.utils import isolate_apps

from cooperation.dependencies import DependencyCycle, dependency_order
from cooperation.models import CitedModel
from cooperation.resources import RESOURCES
from cooperation.tabular.columns import KeyColumn, KeysColumn, PartsColumn, RecordTypeColumn
from cooperation.tabular.imports import IMPORT_ORDER, import_order

# The one reference an import fills in after every file is read: a source's publisher is an agency, and
# agencies cite sources. The import resolves an optional key that is not there yet once all rows are in.
WAITS = {("sources", "publisher")}


class Isolated(models.Model):
    """Models made up for a test, in a registry of their own (``isolate_apps``), so the app's stay as they are."""

    class Meta:
        abstract = True
        app_label = "cooperation"

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


def referred_to(name: str) -> set[tuple[str, str]]:
    """(column, resource) for every resource the resource's CSV columns name records of, read from the columns
    the import reads rather than from the code under test."""
    resource_of = {resource.model: other for other, resource in RESOURCES.items()}
    found = set()
    for column in RESOURCES[name].columns:
        if isinstance(column, KeyColumn | KeysColumn):
            found.add((column.name, resource_of.get(column.model_field.related_model)))
        elif isinstance(column, PartsColumn):
            found |= {(column.name, resource_of.get(f.related_model)) for f in column.fields if f.is_relation}
        elif isinstance(column, RecordTypeColumn):
            found |= {(column.name, other) for model, other in resource_of.items() if issubclass(model, CitedModel)}
    return {(column, other) for column, other in found if other not in (None, name)}


def out_of_order(order: list[str]) -> list[str]:
    return [
        f"{name}.{column} refers to {other}, which comes later"
        for name in order
        for column, other in referred_to(name)
        if order.index(other) > order.index(name) and (name, column) not in WAITS
    ]


def test_every_resource_is_imported_after_what_it_refers_to():
    assert sorted(IMPORT_ORDER) == sorted(RESOURCES)
    assert out_of_order(IMPORT_ORDER) == []
    assert import_order() == IMPORT_ORDER


def test_the_reference_that_waits_is_optional_and_sources_come_before_the_agencies_that_cite_them():
    for name, column in WAITS:
        assert RESOURCES[name].model._meta.get_field(column).null
    assert IMPORT_ORDER.index("sources") < IMPORT_ORDER.index("agencies")  # agencies cite sources


def test_the_order_does_not_depend_on_the_order_the_resources_are_declared_in():
    for names in (list(reversed(RESOURCES)), sorted(RESOURCES), sorted(RESOURCES, key=len)):
        order = import_order({name: RESOURCES[name] for name in names})
        assert sorted(order) == sorted(RESOURCES)
        assert out_of_order(order) == [], names


@isolate_apps("cooperation")
def test_a_new_foreign_key_or_many_to_many_field_moves_a_model_after_its_target():
    class Harbour(Isolated):
        pass

    class Vessel(Isolated):
        home = models.ForeignKey(Harbour, models.PROTECT)

    class Voyage(Isolated):
        vessels = models.ManyToManyField(Vessel)

    class Crew(Isolated):
        pass

    assert dependency_order([Voyage, Crew, Vessel, Harbour]) == [Crew, Harbour, Vessel, Voyage]
    assert dependency_order([Crew, Harbour, Vessel, Voyage]) == [Crew, Harbour, Vessel, Voyage]  # ties keep order


@isolate_apps("cooperation")
def test_a_record_comes_after_what_its_parts_and_citations_refer_to_and_a_self_reference_is_ignored():
    class Port(Isolated):
        parent = models.ForeignKey("self", models.PROTECT, null=True)

    class Witness(Isolated):
        pass

    class Note(Isolated):
        witness = models.ForeignKey(Witness, models.PROTECT)
        content_type = models.ForeignKey("contenttypes.ContentType", models.PROTECT)
        object_id = models.PositiveBigIntegerField()

    class Route(Isolated):
        notes = GenericRelation(Note)

    class Stop(Isolated):  # a part: deleted with its route, not ordered itself
        route = models.ForeignKey(Route, models.CASCADE)
        port = models.ForeignKey(Port, models.PROTECT, null=True)

    assert dependency_order([Route, Port, Witness]) == [Port, Witness, Route]


@isolate_apps("cooperation")
def test_an_optional_reference_gives_way_in_a_cycle_and_any_other_cycle_is_named():
    class Paper(Isolated):
        publisher = models.ForeignKey("Office", models.PROTECT, null=True)

    class Office(Isolated):
        founding_paper = models.ForeignKey(Paper, models.PROTECT)

    assert dependency_order([Office, Paper]) == [Paper, Office]

    class Chicken(Isolated):
        egg = models.ForeignKey("Egg", models.PROTECT)

    class Egg(Isolated):
        chicken = models.ForeignKey(Chicken, models.PROTECT)

    with pytest.raises(DependencyCycle, match="Chicken -> Egg -> Chicken"):
        dependency_order([Chicken, Egg, Paper])
