"""One migrated test database for all the pytest-xdist workers of a run, copied for each.

pytest-django has each worker create its test database by running the migrations: most of a minute of CPU per
worker (rendering the models' states, loading the reference data and the gazetteer), paid by every worker on
each database in CI. Here the first worker to come runs them into a template database and serializes its
contents (what ``serialized_rollback`` reloads); every worker then copies the template into a database of its
own (``CREATE DATABASE ... TEMPLATE`` on PostgreSQL, a file copy on SQLite), as Django's parallel test runner
does. The last worker to finish drops the template.

Workers take turns through a lock file in the run's shared temporary directory. The template's name carries the
run's id (``testrun_uid``), so that two runs never share one.

``reload_in_bulk`` is what ``serialized_rollback`` does before each transactional test (browser tests, servers,
concurrency), in bulk: Django saves the serialized rows one by one, 8,000 queries and 6 seconds a test on
PostgreSQL for the reference data and the gazetteer.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.db import connections
from django.db.backends.base.creation import BaseDatabaseCreation
from django.db.transaction import atomic


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class SharedTestDatabase:
    """The test database of one worker (``worker``: gw0, gw1, ...), copied from the run's template."""

    def __init__(self, directory: Path, run: str, worker: str, verbosity: int, alias: str = "default") -> None:
        self.connection = connections[alias]
        self.creation = self.connection.creation
        self.alias, self.verbosity = alias, verbosity
        self.original_name = self.connection.settings_dict["NAME"]
        worker_name = self.connection.settings_dict["TEST"]["NAME"]  # pytest-django's: <test name>_<worker>
        self.template = f"{worker_name.removesuffix(f'_{worker}')}_template_{run[:8]}"
        self.worker = worker
        self.lock = directory / f"test-database-{run[:8]}.lock"
        self.state = directory / f"test-database-{run[:8]}.json"

    def _use(self, name: str) -> None:
        self.connection.close()
        self.connection.settings_dict["NAME"] = name
        settings.DATABASES[self.alias]["NAME"] = name

    def _read(self) -> dict:
        return json.loads(self.state.read_text()) if self.state.exists() else {}

    def set_up(self) -> None:
        with _locked(self.lock):
            state = self._read()
            if not state:
                self.connection.settings_dict["TEST"]["NAME"] = self.template
                self.creation.create_test_db(verbosity=self.verbosity, autoclobber=True, serialize=False)
                state = {"serialized": self.creation.serialize_db_to_string(), "finished": 0}
                self.state.write_text(json.dumps(state))
            self._use(self.template)  # closed: PostgreSQL copies a database no one is connected to
            self.creation.clone_test_db(suffix=self.worker, verbosity=self.verbosity, autoclobber=True)
            self._use(self.creation.get_test_db_clone_settings(self.worker)["NAME"])
        self.connection._test_serialized_contents = state["serialized"]

    def tear_down(self) -> None:
        self._use(self.connection.settings_dict["NAME"])
        self.creation._destroy_test_db(self.connection.settings_dict["NAME"], self.verbosity)
        with _locked(self.lock):
            state = self._read()
            state["finished"] += 1
            last = state["finished"] >= int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
            if last:
                self.creation._destroy_test_db(self.template, self.verbosity)
                self.state.unlink()
            else:
                self.state.write_text(json.dumps(state))
        self._use(self.original_name)


def reload_in_bulk(creation: BaseDatabaseCreation, data: str) -> None:
    """``BaseDatabaseCreation.deserialize_db_from_string``, a table at a time: the rows as the serialized data has
    them (ids included, inserted or updated, without the models' save(), as Django's raw saves), then their
    many-to-many values."""
    connection = creation.connection
    rows, with_many_to_many = defaultdict(list), []
    with atomic(using=connection.alias):
        with connection.constraint_checks_disabled():
            for row in serializers.deserialize("json", StringIO(data), using=connection.alias):
                rows[type(row.object)].append(row.object)
                if row.m2m_data:
                    with_many_to_many.append(row)
            for model, objects in rows.items():
                # As save() would: a row already there (the first test finds the database as migrated) is updated.
                fields = [f.name for f in model._meta.concrete_fields if not f.primary_key]
                upsert = {"update_conflicts": True, "unique_fields": ["pk"], "update_fields": fields}
                model._base_manager.using(connection.alias).bulk_create(
                    objects, batch_size=500, **(upsert if fields else {"ignore_conflicts": True})
                )
            for row in with_many_to_many:
                for name, values in row.m2m_data.items():
                    getattr(row.object, name).set(values)
        connection.check_constraints(table_names=[model._meta.db_table for model in rows])
