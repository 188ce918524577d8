"""The app's migrations are squashed into one (0001 to 0015). A database made by the squashed migration and one
made by the fifteen it replaces are the same to Django: nothing to migrate. One that stopped part of the way
through the fifteen is refused by ``migrate`` with what to do, not left unmigrated without a word.

(The fifteen carried existing data over; their tests went with them, in the release of commit e01ee96.)"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

pytestmark = pytest.mark.django_db


def squashed_migration():
    [migration] = [
        migration
        for (app, _), migration in MigrationExecutor(connection).loader.disk_migrations.items()
        if app == "cooperation" and migration.replaces
    ]
    return migration


def forget_the_squashed_migration(recorder: MigrationRecorder) -> None:
    """The test database as if made without the squashed migration: neither it nor what it replaces recorded
    (the migrations after it stay)."""
    migration = squashed_migration()
    names = [migration.name, *(name for _, name in migration.replaces)]
    recorder.migration_qs.filter(app="cooperation", name__in=names).delete()


def test_a_database_the_fifteen_migrations_made_has_nothing_to_migrate():
    recorder = MigrationRecorder(connection)
    forget_the_squashed_migration(recorder)
    for app, name in squashed_migration().replaces:  # what a database migrated by the release before records
        recorder.record_applied(app, name)

    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
    call_command("migrate", verbosity=0, skip_checks=False)  # and the checks that migrate runs find nothing wrong


def test_a_database_part_of_the_way_through_is_refused_with_what_to_do():
    recorder = MigrationRecorder(connection)
    forget_the_squashed_migration(recorder)
    replaced = squashed_migration().replaces
    for app, name in replaced[:12]:
        recorder.record_applied(app, name)

    with pytest.raises(SystemCheckError) as refused:
        call_command("migrate", verbosity=0, skip_checks=False)
    assert f"stopped at cooperation {replaced[11][1]}" in str(refused.value)
    assert "commit e01ee96" in str(refused.value)
    assert recorder.migration_qs.filter(app="cooperation", name__in=[n for _, n in replaced]).count() == 12


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_route_stops_written_as_text_get_places_in_their_country():
    """0016: a stop's place text becomes the gazetteer's place of that name in the stop's country, or a place
    analysts added there; a stop in a region only keeps its text in the route's summary."""
    executor = MigrationExecutor(connection)
    before = ("cooperation", "0001_squashed_0015_events_concern_agreements_cover")
    after = ("cooperation", "0016_route_stops_at_places")
    try:
        executor.migrate([before])
        old = executor.loader.project_state([before]).apps.get_model
        country = old("cooperation", "Country").objects.get
        cocaine = old("cooperation", "Drug").objects.get(name="cocaine")
        route = old("cooperation", "TraffickingRoute").objects.create(
            name="Cocaine by sea", drug=cocaine, status="active"
        )
        stop = old("cooperation", "RouteNode").objects.create
        stop(route=route, position=1, country=country(iso2="PE"), place="  Callao ", role="origin")
        stop(route=route, position=2, country=country(iso2="PE"), place="Puerto Chico", role="departure")
        stop(route=route, position=3, region=old("cooperation", "Region").objects.get(m49_code="011"),
             place="the port of Lomé", role="transit")  # fmt: skip
        stop(route=route, position=4, country=country(iso2="RU"), role="destination")

        executor.loader.build_graph()
        executor.migrate([after])
        new = executor.loader.project_state([after]).apps.get_model
        stops = new("cooperation", "RouteNode").objects.filter(route=route.pk).order_by("position")
        assert list(stops.values_list("place__name", "place__country__iso2", "place__geonames_id")) == [
            ("Callao", "PE", 3946083),  # the gazetteer's
            ("Puerto Chico", "PE", None),  # added, as an analyst would
            (None, None, None),
            (None, None, None),
        ]
        summary = new("cooperation", "TraffickingRoute").objects.get(pk=route.pk).summary
        assert summary == "Stop 3 (as recorded): the port of Lomé"
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())  # every app: the explorer's tables depend on these


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_agencies_and_officials_on_record_are_found_by_their_names_without_accents():
    """0018: the names of agencies and officials already on record are folded, as a save folds them."""
    executor = MigrationExecutor(connection)
    before = ("cooperation", "0017_citations_say_which_fields_they_support")
    after = ("cooperation", "0018_names_found_without_their_accents")
    try:
        executor.migrate([before])
        old = executor.loader.project_state([before]).apps.get_model
        peru = old("cooperation", "Country").objects.get(iso2="PE")
        agency = old("cooperation", "Agency").objects.create(
            name="Policía Nacional del Perú", acronym="PNP", other_names="Policía Nacional", kind="police", country=peru
        )
        official = old("cooperation", "Official").objects.create(name="José Núñez", other_names="", country=peru)

        executor.loader.build_graph()
        executor.migrate([after])
        new = executor.loader.project_state([after]).apps.get_model
        assert new("cooperation", "Agency").objects.get(pk=agency.pk).search_names == (
            "\npolicia nacional del peru\npnp\npolicia nacional\n"
        )
        assert new("cooperation", "Official").objects.get(pk=official.pk).search_names == "\njose nunez\n"
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())  # every app: the explorer's tables depend on these
