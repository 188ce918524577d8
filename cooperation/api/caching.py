"""HTTP caching of API answers and the explorer's pages: what a client reads depends on who it is and what it
asked for, so no shared cache may keep it, and a private one asks again each time (the ETag then makes that
cheap: a record's version for the API's records, the data's last change for a page, ``revalidated``)."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date, quote_etag

API_PREFIX = "/api/"
#: A token, a session cookie and the format asked for each change what comes back.
VARY = ("Authorization", "Accept", "Cookie")


class APICacheHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(API_PREFIX):
            if not response.has_header("Cache-Control"):
                patch_cache_control(response, private=True, no_cache=True)
            patch_vary_headers(response, VARY)
        return response


# --- Pages: revalidated by the data's version -------------------------------------------------------------
#: What a page shows besides the data: the explorer's templates and stylesheet. Hashed once per process, so
#: that a deployment that changes them changes every page's ETag (and every worker computes the same one).
PAGE_FILES = ("templates/explorer", "static/explorer")


@functools.cache
def page_build() -> str:
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parents[1]
    for folder in PAGE_FILES:
        for path in sorted((root / folder).rglob("*")):
            if path.is_file():
                digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


@functools.cache
def versioned_tables() -> list[tuple[str, str]]:
    """(table, column) of every change a page can show: each tracked model's ``updated_at`` (indexed), and the
    tombstones' ``deleted_at`` for records that are gone."""
    from cooperation.models import Deletion
    from cooperation.models.base import TrackedModel

    tables = [
        (model._meta.db_table, "updated_at")
        for model in apps.get_app_config("cooperation").get_models()
        if issubclass(model, TrackedModel)
    ]
    return [*sorted(tables), (Deletion._meta.db_table, "deleted_at")]


def last_change() -> dt.datetime | None:
    """When the data last changed, in one query of one index lookup per table: any write through the models
    (a record's parts and citations move its ``updated_at``) or a deletion moves it."""
    quote = connection.ops.quote_name
    parts = " UNION ALL ".join(
        f"SELECT MAX({quote(column)}) AS changed FROM {quote(table)}" for table, column in versioned_tables()
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(changed) FROM ({parts}) AS changes")  # table names from the models, no input
        value = cursor.fetchone()[0]
    if isinstance(value, str):  # SQLite hands back the text it stores
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return value


def page_etag(request, changed: dt.datetime | None) -> str:
    """A page's entity tag: the page asked for, the data's version, who is reading (their permissions decide
    what the page shows) and the explorer's build."""
    user = request.user
    reader = f"{user.pk}:{','.join(sorted(user.get_all_permissions()))}" if user.is_authenticated else "anonymous"
    stamp = changed.isoformat() if changed else "empty"
    key = f"{request.get_full_path()}|{stamp}|{reader}|{settings.API_READ_REQUIRES_LOGIN}|{page_build()}"
    return quote_etag(hashlib.sha256(key.encode()).hexdigest()[:32])


def revalidated(view):
    """A page answered ``304 Not Modified`` when the reader's copy is current (If-None-Match, or
    If-Modified-Since), and otherwise sent with its ETag and Last-Modified. Like the API's answers, no shared
    cache may keep it and a browser asks again each time: the ETag makes that one cheap query."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        changed = last_change()
        tag = page_etag(request, changed)
        seconds = int(changed.timestamp()) if changed else None  # HTTP dates have no fractions of a second
        modified = http_date(seconds) if changed else None
        response = get_conditional_response(request, etag=tag, last_modified=seconds)
        if response is None:
            response = view(request, *args, **kwargs)
            if response.status_code != 200:
                return response
        response.headers.setdefault("ETag", tag)
        if modified:
            response.headers.setdefault("Last-Modified", modified)
        patch_cache_control(response, private=True, no_cache=True)
        patch_vary_headers(response, ("Cookie",))
        return response

    return wrapped
