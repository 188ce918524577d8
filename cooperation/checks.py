"""System checks of a deployment's configuration (``manage.py check --deploy``)."""

from django.conf import settings
from django.core import checks

from config.settings.env import env_int

SHARED_CACHES = ("django.core.cache.backends.redis.RedisCache",)


@checks.register(checks.Tags.caches, deploy=True)
def cache_shared_by_every_web_process(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """Rate limits and running exports are counted in the cache: a cache in each process's memory lets a client
    through each of gunicorn's processes at its full rate."""
    workers = env_int("GUNICORN_WORKERS", 3)
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
