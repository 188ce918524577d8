"""One migrated test database for all the pytest-xdist workers of a run, copied for each.

pytest-django has each worker create its test database by running the migrations: most of a minute of CPU per
worker (rendering the models' states, loading the reference data and the gazetteer), paid by every worker on
each database in CI. Here the first worker to come runs them into a template database and serializes its
contents (what ``serialized_rollback`` reloads); every worker then copies the template into a database of its
own (``CREATE DATABASE ... TEMPLATE`` on PostgreSQL, a file copy on SQLite), as Django's parallel test runner
does. The last worker to finish drops the template.

Workers take turns through a lock file in the run's shared temporary directory. The template's name carries the
run's id (``testrun_uid``), so that two runs never share one.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connections


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
