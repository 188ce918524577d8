"""System checks of a deployment's configuration (``manage.py check --deploy``) and of its databases (run by
``manage.py migrate`` and ``check --database``)."""

from django.conf import settings
from django.core import checks
from django.db import connections
from django.db.migrations.loader import MigrationLoader

from config.settings.env import gunicorn_workers

SHARED_CACHES = ("django.core.cache.backends.redis.RedisCache",)


@checks.register(checks.Tags.caches, deploy=True)
def cache_shared_by_every_web_process(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """Rate limits and running exports are counted in the cache: a cache in each process's memory lets a client
    through each of gunicorn's processes at its full rate."""
    workers = gunicorn_workers()
    if workers == 1 or settings.CACHES["default"]["BACKEND"] in SHARED_CACHES:
        return []
    return [
        checks.Warning(
            f"The cache is each process's own memory, and gunicorn runs {workers} processes "
            "(GUNICORN_WORKERS): each counts the API's rate limits and running exports apart, so a client gets "
            f"{workers} times its rate.",
            hint="Set CACHE_URL=redis://host:6379/0 (a Redis server every process reaches), or GUNICORN_WORKERS=1.",
            id="cooperation.W001",
        )
    ]


@checks.register(checks.Tags.database)
def no_database_half_way_through_squashed_migrations(app_configs, databases=None, **kwargs):
    """A database that has some of the migrations a squashed one replaces, but not all, cannot go on: the
    replaced files are gone, and Django would leave the app unmigrated without a word."""
    errors = []
    for alias in databases or []:
        loader = MigrationLoader(connections[alias], ignore_no_migrations=True, replace_migrations=False)
        for key, migration in loader.disk_migrations.items():
            applied = [replaced for replaced in migration.replaces if replaced in loader.applied_migrations]
            if applied and len(applied) < len(migration.replaces) and key not in loader.applied_migrations:
                app, last = max(applied)
                errors.append(
                    checks.Error(
                        f"The database {alias!r} stopped at {app} {last}, part of the way through the migrations "
                        f"that {key[1]} replaces.",
                        hint="Migrate it with the release of 2026-12-02 (commit e01ee96) first; see Upgrading in "
                        "the README.",
                        id="cooperation.E001",
                    )
                )
    return errors
