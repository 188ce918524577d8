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


def test_a_database_the_fifteen_migrations_made_has_nothing_to_migrate():
    recorder = MigrationRecorder(connection)
    recorder.migration_qs.filter(app="cooperation").delete()
    for app, name in squashed_migration().replaces:  # what a database migrated by the release before records
        recorder.record_applied(app, name)

    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
    call_command("migrate", verbosity=0, skip_checks=False)  # and the checks that migrate runs find nothing wrong


def test_a_database_part_of_the_way_through_is_refused_with_what_to_do():
    recorder = MigrationRecorder(connection)
    recorder.migration_qs.filter(app="cooperation").delete()
    replaced = squashed_migration().replaces
    for app, name in replaced[:12]:
        recorder.record_applied(app, name)

    with pytest.raises(SystemCheckError) as refused:
        call_command("migrate", verbosity=0, skip_checks=False)
    assert f"stopped at cooperation {replaced[11][1]}" in str(refused.value)
    assert "commit e01ee96" in str(refused.value)
    assert recorder.migration_qs.filter(app="cooperation").count() == 12  # nothing recorded, nothing run
