"""Typed readers for settings taken from the environment.

A value that is present but cannot be read is a configuration error at start-up, not a silent default.
"""

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use 1/0, true/false, yes/no or on/off.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from error


def gunicorn_workers() -> int:
    """gunicorn's processes (``GUNICORN_WORKERS``), read by gunicorn.conf.py and by the deployment checks."""
    return env_int("GUNICORN_WORKERS", 3)


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    """A comma-separated list; blanks are dropped."""
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


_RATE_PERIODS = ("s", "sec", "second", "m", "min", "minute", "h", "hour", "d", "day")


def env_rate(name: str, default: str) -> str:
    """A request rate as the API's throttles read it, "<count>/<period>" (e.g. "300/minute"), or "off"."""
    raw = os.environ.get(name, default).strip()
    if raw.lower() in ("", "off", "none", "0"):
        return "off"
    count, _, period = raw.partition("/")
    if not (count.isdigit() and int(count) > 0 and period in _RATE_PERIODS):
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not a rate; write it as <count>/<second|minute|hour|day>, e.g. 300/minute, or off."
        )
    return raw


_CACHE_BACKENDS = {
    "locmem": "django.core.cache.backends.locmem.LocMemCache",
    "redis": "django.core.cache.backends.redis.RedisCache",
    "rediss": "django.core.cache.backends.redis.RedisCache",
}


def env_cache(name: str, default: str) -> dict:
    """A cache, as Django's CACHES entry, from a URL: ``locmem://`` (this process's memory) or
    ``redis://[:password@]host:port/db`` (``rediss://`` over TLS), which every process shares."""
    raw = os.environ.get(name, "").strip() or default
    scheme, separator, rest = raw.partition("://")
    if not separator or scheme not in _CACHE_BACKENDS:
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not a cache URL; use locmem:// (one process) or redis://host:6379/0 (shared)."
        )
    if scheme == "locmem":
        return {"BACKEND": _CACHE_BACKENDS[scheme], "LOCATION": rest or "cooperation"}
    # A Redis server that hangs must not hang every request that counts in it: a second to connect and to answer.
    return {
        "BACKEND": _CACHE_BACKENDS[scheme],
        "LOCATION": raw,
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
