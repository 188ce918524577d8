"""Guessing passwords is throttled before any password is hashed.

Two counts of failed authentications live in the configured cache (shared by every worker):

- per client address: at most LOGIN_FAILURES_PER_ADDRESS (a rate, e.g. "10/minute") failed password logins
  or unknown tokens; past it, every authentication from that address is refused until the oldest failure
  leaves the window. This is what keeps one client from spending the server's CPU on hashes.
- per username, from all addresses together: at most LOGIN_FAILURES_PER_ACCOUNT failures within
  AXES_COOLOFF_TIME. django-axes locks a username only from one address, so guesses spread over many
  addresses went on without end.

Both are counted on the name as typed, never on a looked-up user, so a refusal says nothing about whether the
account exists. ``LoginGuardBackend`` (first in AUTHENTICATION_BACKENDS) refuses before the backends that hash,
``GuardedBasicAuthentication`` and ``GuardedTokenAuthentication`` answer the API's 429 with Retry-After, and
``LoginGuardMiddleware`` turns a refused login form (the admin's) into the lockout page with Retry-After.
"""

from __future__ import annotations

import hashlib
import math
import time

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.shortcuts import render
from knox.auth import TokenAuthentication
from rest_framework import exceptions
from rest_framework.authentication import BasicAuthentication, get_authorization_header
from rest_framework.throttling import SimpleRateThrottle

REFUSED = "Too many failed logins. Wait for the time Retry-After gives (in seconds), then try again."
_PARSE_RATE = SimpleRateThrottle.parse_rate


def _http_request(request):
    """The Django request under a DRF one: marks set on it are seen by the middleware."""
    return getattr(request, "_request", request)


def _address_limit() -> tuple[int, int] | None:
    rate = settings.LOGIN_FAILURES_PER_ADDRESS
    return None if rate in (None, "off") else _PARSE_RATE(None, rate)


def _account_limit() -> tuple[int, int] | None:
    limit = settings.LOGIN_FAILURES_PER_ACCOUNT
    return (limit, int(settings.AXES_COOLOFF_TIME.total_seconds())) if limit else None


def _keys(request, username: str | None) -> list[tuple[str, tuple[int, int] | None]]:
    address = get_client_ip_address(request) or "unknown"
    keys = [(f"login-failures:address:{address}", _address_limit())]
    if username is not None:
        # Hashed: usernames are free text and cache keys are not.
        digest = hashlib.sha256(username.encode("utf-8", "surrogatepass")).hexdigest()
        keys.append((f"login-failures:account:{digest}", _account_limit()))
    return keys


def _recent(key: str, period: int, now: float) -> list[float]:
    return [moment for moment in cache.get(key, []) if moment > now - period]


def retry_after(request, username: str | None = None) -> int | None:
    """Seconds until this client may try to authenticate again (as ``username``), or None if it may now."""
    now = time.time()
    waits = []
    for key, limit in _keys(request, username):
        if limit is None:
            continue
        count, period = limit
        history = _recent(key, period, now)
        if len(history) >= count:
            # Allowed again once enough failures have left the window to bring the count under the limit.
            waits.append(max(1, math.ceil(sorted(history)[-count] + period - now)))
    return max(waits, default=None)


def record_failure(request, username: str | None = None) -> None:
    now = time.time()
    for key, limit in _keys(request, username):
        if limit is None:
            continue
        count, period = limit
        # Only the newest `count` failures matter for the limit; keep no more than that.
        history = [*_recent(key, period, now), now][-count:]
        cache.set(key, history, period)


def refuse(request, wait: int):
    """Mark the request as refused (for the middleware and the API) and stop authentication."""
    _http_request(request).login_retry_after = wait
    raise PermissionDenied(REFUSED)


class LoginGuardBackend:
    """First of the authentication backends: refuses a throttled address or a capped username before the
    backends behind it look up a user and hash a password (Django stops at a PermissionDenied)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:  # a management command or a test helper, not a client
            return None
        wait = retry_after(request, username)
        if wait is not None:
            refuse(request, wait)
        return None

    # No get_user: it never logs anyone in, so sessions (and the test client's force_login) must name the
    # backend that did.


@receiver(user_login_failed)
def count_failed_login(sender, credentials, request=None, **kwargs):
    if request is None or getattr(_http_request(request), "login_retry_after", None) is not None:
        return  # refused by the guard itself: no password was tried, and Retry-After stays true
    record_failure(request, credentials.get("username"))


def _throttled(wait: int) -> exceptions.Throttled:
    return exceptions.Throttled(wait=wait, detail=REFUSED)


class GuardedBasicAuthentication(BasicAuthentication):
    """HTTP basic auth (the token login) that answers 429 with Retry-After to a throttled address or username,
    and to one locked out by django-axes, instead of a 401 that reads like a wrong password."""

    def authenticate_credentials(self, userid, password, request=None):
        try:
            return super().authenticate_credentials(userid, password, request)
        except exceptions.AuthenticationFailed:
            wait = getattr(_http_request(request), "login_retry_after", None)
            if wait is None and getattr(request, "axes_locked_out", False):
                wait = int(settings.AXES_COOLOFF_TIME.total_seconds())
            if wait is not None:
                raise _throttled(wait) from None
            raise


class GuardedTokenAuthentication(TokenAuthentication):
    """Knox token auth in which an unknown token counts as a failed authentication of the address, and a
    throttled address gets 429 with Retry-After for any token."""

    def authenticate(self, request):
        auth = get_authorization_header(request).split()
        if not auth or auth[0].lower() != self.authenticate_header(request).lower().encode():
            return None  # no token: nothing to count
        wait = retry_after(request)
        if wait is not None:
            raise _throttled(wait)
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            record_failure(request)
            raise


def lockout_page(request, wait: int, status: int = 429):
    response = render(
        request,
        "cooperation/lockout.html",
        {"cooloff_minutes": math.ceil(wait / 60), "username": request.POST.get("username", "")},
        status=status,
    )
    response["Retry-After"] = str(wait)
    return response


def axes_lockout_response(request, original_response=None, credentials=None):
    """django-axes' lockout (a username from one address): the same page, with Retry-After."""
    return lockout_page(request, int(settings.AXES_COOLOFF_TIME.total_seconds()), settings.AXES_HTTP_RESPONSE_CODE)


class LoginGuardMiddleware:
    """Shows the lockout page instead of a login form whose login the guard refused (the form alone would say
    "wrong password", which is neither true nor helpful)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        wait = getattr(request, "login_retry_after", None)
        if wait is not None and response.status_code != 429:
            return lockout_page(request, wait)
        return response
