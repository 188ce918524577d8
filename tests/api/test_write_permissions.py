"""Every write the API offers, enumerated from the URL conf (so a new endpoint cannot be missed), is refused to
anonymous clients and to viewers, and changes nothing."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient
from rest_framework.views import APIView

from tests import factories

WRITE_METHODS = ("post", "put", "patch", "delete")
#: Endpoints about the caller's own session, open to any authenticated user by design.
OWN_SESSION = {"/api/v1/auth/login/", "/api/v1/auth/logout/", "/api/v1/auth/logout-all/"}


def api_routes(resolver: URLResolver | None = None, prefix: str = "/") -> list[tuple[str, type[APIView], dict]]:
    """(path pattern, view class, method → action) for every route under /api/."""
    routes = []
    for entry in (resolver or get_resolver()).url_patterns:
        pattern = prefix + str(entry.pattern).lstrip("^").rstrip("$")
        if isinstance(entry, URLResolver):
            routes += api_routes(entry, pattern)
        elif isinstance(entry, URLPattern) and pattern.startswith("/api/"):
            view_class = getattr(entry.callback, "cls", None)
            if view_class is not None:
                routes.append((pattern, view_class, getattr(entry.callback, "actions", None) or {}))
    return routes


def write_operations() -> list[tuple[str, str]]:
    operations = []
    for pattern, view_class, actions in api_routes():
        methods = actions or {m: m for m in view_class.http_method_names if hasattr(view_class, m)}
        operations += [(method, pattern) for method in methods if method in WRITE_METHODS]
    return sorted(set(operations))


WRITES = write_operations()


def test_the_enumeration_finds_every_resource_write():
    resources = {pattern for _, pattern in WRITES}
    assert ("post", "/api/v1/agreements/") in WRITES
    assert ("delete", "/api/v1/agreements/(?P<pk>[0-9]{1,18})/") in WRITES
    assert ("post", "/api/v1/agreements/import/") in WRITES
    assert len(resources) >= 3 * 17  # list, detail and import of each of the 17 resources


def count_rows() -> dict[str, int]:
    return {model._meta.label: model._base_manager.count() for model in apps.get_app_config("cooperation").get_models()}


def concrete(pattern: str, view_class: type[APIView]) -> str:
    """The URL with the id of an existing record of the view's model, so a missing check would really write."""
    if "(?P<pk>" not in pattern:
        return pattern
    model = view_class.queryset.model
    factory = getattr(factories, f"{model.__name__}Factory", None)
    if factory is not None and not model.objects.exists():
        factory()
    record = model._base_manager.order_by("pk").first()
    assert record is not None, f"no {model.__name__} to write to"
    return pattern.replace("(?P<pk>[0-9]{1,18})", str(record.pk))


VIEWS = {pattern: view_class for pattern, view_class, _ in api_routes()}


@pytest.mark.parametrize(("method", "pattern"), WRITES, ids=[f"{m} {p}" for m, p in WRITES])
@pytest.mark.django_db
def test_anonymous_and_viewer_writes_are_refused(method, pattern, viewer):
    factories.AgreementFactory()  # with its parties, citation and source
    url = concrete(pattern, VIEWS[pattern])
    before = count_rows()
    body = {"name": "x", "title": "x", "status": "signed"}

    anonymous = getattr(APIClient(), method)(url, body, format="json")
    assert anonymous.status_code in (401, 403), anonymous.content

    if pattern not in OWN_SESSION:
        client = APIClient()
        client.force_authenticate(viewer)
        as_viewer = getattr(client, method)(url, body, format="json")
        assert as_viewer.status_code == 403, as_viewer.content

    assert count_rows() == before
