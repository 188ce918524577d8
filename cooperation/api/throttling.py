"""Rate limits for the API, read from settings on each request (DRF's own throttles read theirs once, at import,
so tests could not change them). The settings are read by config.settings.env.env_rate: "off" means no limit.

The counts live in the cache (CACHE_URL). When a shared cache cannot be reached, requests go through uncounted
and the failure is logged (and /healthz says the cache is down): limits are a protection, and an outage of the
cache must not turn every API request into an error."""

import contextlib
import logging
import time
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.core.cache import cache
from redis.exceptions import RedisError
from rest_framework import throttling
from rest_framework.exceptions import Throttled

logger = logging.getLogger(__name__)
#: What a cache backend raises when its server cannot be reached (the in-memory one raises nothing).
CACHE_OUTAGE = (RedisError, OSError)


def configured_rate(name: str) -> str | None:
    rate = getattr(settings, name)
    return None if rate == "off" else rate


class CountedInTheCache:
    """A DRF rate throttle that lets the request through, uncounted, while the cache is down."""

    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except CACHE_OUTAGE:
            logger.exception("Rate limits: the cache cannot be reached; the request goes through uncounted.")
            return True


class AnonymousRateThrottle(CountedInTheCache, throttling.AnonRateThrottle):
    """Anonymous clients, counted by address."""

    def get_rate(self):
        return configured_rate("API_THROTTLE_ANON")


class UserRateThrottle(CountedInTheCache, throttling.UserRateThrottle):
    """Authenticated clients, counted by user."""

    def get_rate(self):
        return configured_rate("API_THROTTLE_USER")


class ExportSlots:
    """At most CSV_EXPORTS_PER_CLIENT exports streaming at once per client (user, or address when anonymous): a
    few clients pulling whole tables must not take every worker from everyone else.

    Each running export holds one of the client's numbered slots, a cache key added atomically, given up when the
    response is closed. The key expires SLOT_SECONDS after the export last sent data, so an export whose process
    died frees its slot soon after; a live one renews it while it streams."""

    SLOT_SECONDS = 60
    RETRY_AFTER = 10

    def __init__(self, request):
        user = request.user
        client = (
            f"user:{user.pk}" if user.is_authenticated else f"address:{throttling.BaseThrottle().get_ident(request)}"
        )
        self.prefix = f"csv-export:{client}"

    def acquire(self) -> str | None:
        """The key of a free slot (None when there is no limit); 429 with Retry-After when the client has every
        slot in use."""
        limit = settings.CSV_EXPORTS_PER_CLIENT
        if not limit:
            return None
        try:
            for number in range(limit):
                key = f"{self.prefix}:{number}"
                if cache.add(key, "running", self.SLOT_SECONDS):
                    return key
        except CACHE_OUTAGE:
            logger.exception("Export slots: the cache cannot be reached; the export runs uncounted.")
            return None
        raise Throttled(
            wait=self.RETRY_AFTER,
            detail=f"At most {limit} CSV exports at once per client: wait for one to finish.",
        )

    def hold(self, key: str | None, blocks: Iterable[bytes]) -> Iterable[bytes]:
        return blocks if key is None else HeldStream(key, blocks, self.SLOT_SECONDS)


class HeldStream:
    """An export's blocks, holding its slot until the response is closed (also when the client hung up)."""

    def __init__(self, key: str, blocks: Iterable[bytes], seconds: int):
        self.key, self.blocks, self.seconds = key, blocks, seconds

    def __iter__(self) -> Iterator[bytes]:
        renewed = time.monotonic()
        for block in self.blocks:
            if time.monotonic() - renewed > self.seconds / 3:
                with cache_outage_logged("Export slots: could not renew a slot"):
                    cache.touch(self.key, self.seconds)
                renewed = time.monotonic()
            yield block

    def close(self) -> None:
        close = getattr(self.blocks, "close", None)
        if close is not None:
            close()
        release(self.key)


def release(key: str) -> None:
    """Give up an export's slot (if the cache is down, the slot expires by itself)."""
    with cache_outage_logged("Export slots: could not give up a slot"):
        cache.delete(key)


@contextlib.contextmanager
def cache_outage_logged(what: str) -> Iterator[None]:
    try:
        yield
    except CACHE_OUTAGE:
        logger.exception("%s: the cache cannot be reached.", what)
