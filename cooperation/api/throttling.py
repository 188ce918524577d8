"""Rate limits for the API, read from settings on each request (DRF's own throttles read theirs once, at import,
so tests could not change them). The settings are read by config.settings.env.env_rate: "off" means no limit."""

import time
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.core.cache import cache
from rest_framework import throttling
from rest_framework.exceptions import Throttled


def configured_rate(name: str) -> str | None:
    rate = getattr(settings, name)
    return None if rate == "off" else rate


class AnonymousRateThrottle(throttling.AnonRateThrottle):
    """Anonymous clients, counted by address."""

    def get_rate(self):
        return configured_rate("API_THROTTLE_ANON")


class UserRateThrottle(throttling.UserRateThrottle):
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
        for number in range(limit):
            key = f"{self.prefix}:{number}"
            if cache.add(key, "running", self.SLOT_SECONDS):
                return key
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
                cache.touch(self.key, self.seconds)
                renewed = time.monotonic()
            yield block

    def close(self) -> None:
        close = getattr(self.blocks, "close", None)
        if close is not None:
            close()
        cache.delete(self.key)
