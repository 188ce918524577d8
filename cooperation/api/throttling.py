"""Rate limits for the API, read from settings on each request (so they can be changed without a restart of
the code that caches DRF's class attributes, and set per test). "off" or "" means no limit."""

from django.conf import settings
from rest_framework import throttling

NO_LIMIT = {"", "off", "none", "0"}  # as config.settings.env.env_rate reads them


def configured_rate(name: str) -> str | None:
    rate = getattr(settings, name, "") or ""
    return None if rate.strip().lower() in NO_LIMIT else rate


class AnonymousRateThrottle(throttling.AnonRateThrottle):
    """Anonymous clients, counted by address."""

    def get_rate(self):
        return configured_rate("API_THROTTLE_ANON")


class UserRateThrottle(throttling.UserRateThrottle):
    """Authenticated clients, counted by user."""

    def get_rate(self):
        return configured_rate("API_THROTTLE_USER")
