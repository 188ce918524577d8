"""Rate limits for the API, read from settings on each request (DRF's own throttles read theirs once, at import,
so tests could not change them). The settings are read by config.settings.env.env_rate: "off" means no limit."""

from django.conf import settings
from rest_framework import throttling


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
