"""With API_READ_REQUIRES_LOGIN on, every read path applies the view permission of the records it tells about:
the resources themselves, the deletion log, citations (of the kinds of record cited), search and jobs."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import URLPattern, URLResolver
from rest_framework.test import APIClient

from cooperation.api import urls as api_urls
from cooperation.jobs.models import Job

pytestmark = pytest.mark.django_db

TOMBSTONE = "Quillmere interdiction pact"


@pytest.fixture
def login_required(settings, seed, editor):
    settings.API_READ_REQUIRES_LOGIN = True
    client = APIClient()
    client.force_authenticate(editor)
    created = client.post("/api/v1/drugs/", {"name": TOMBSTONE, "group": "opioids"}, format="json")
    assert client.delete(f"/api/v1/drugs/{created.json()['id']}/").status_code == 204


def user_with(*codenames: str):
    username = f"r.vasquez-{get_user_model().objects.count()}"
    user = get_user_model().objects.create_user(username, password="not-used")
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="cooperation", codename__in=codenames))
    return get_user_model().objects.get(pk=user.pk)  # without the cached permissions


def client_of(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def read_paths(job: Job) -> list[str]:
    """Every GET address of the API, with the id of an existing record (or job) where the address takes one."""
    paths = []

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
                continue
            assert isinstance(pattern, URLPattern)
            route = prefix + str(pattern.pattern)
            if pattern.name == "api-root":
                continue  # the list of addresses, no data
            callback = pattern.callback
            viewset = callback.cls
            actions = getattr(callback, "actions", None)
            if ("get" not in actions) if actions else not hasattr(viewset, "get"):
                continue  # writes only (the login, the imports)
            path = route.lstrip("^").rstrip("$").replace("\\", "")
            if "(?P<pk>[0-9]{1,18})" in path:
                record = viewset.queryset.model.objects.order_by("pk").first() if viewset.queryset is not None else None
                path = path.replace("(?P<pk>[0-9]{1,18})", str(record.pk if record else 1))
            path = path.replace("<uuid:pk>", str(job.pk))
            paths.append("/api/v1/" + path)

    walk(api_urls.urlpatterns, "")
    return paths


def test_a_user_who_may_view_nothing_reads_nothing_on_any_path(login_required):
    nobody = user_with()
    job = Job.objects.create(resource="agreements", user=nobody, result={"errors": [], "created": 3})
    client = client_of(nobody)
    paths = read_paths(job)
    assert "/api/v1/deleted/" in paths and f"/api/v1/jobs/{job.pk}/" in paths and len(paths) >= 36
    for path in paths:
        query = {"q": "Russia"} if path.endswith("/search/") else {}
        response = client.get(path, query)
        assert response.status_code in (200, 403, 404), path
        if response.status_code == 200:
            assert response.json()["results"] == [], path
        assert TOMBSTONE not in response.content.decode(), path


def test_the_deletion_log_shows_only_the_kinds_of_record_the_user_may_view(login_required):
    client = client_of(user_with("view_agreement"))
    assert client.get("/api/v1/deleted/").json()["results"] == []
    assert client.get("/api/v1/deleted/", {"resource": "drugs"}).json()["results"] == []
    client = client_of(user_with("view_drug"))
    assert [d["display"] for d in client.get("/api/v1/deleted/").json()["results"]] == [TOMBSTONE]


def test_citations_show_only_the_kinds_of_record_the_user_may_view(login_required):
    everything = client_of(user_with("view_citation", "view_agreement", "view_source", "view_official"))
    kinds = {c["record"]["type"] for c in everything.get("/api/v1/citations/", {"limit": 1000}).json()["results"]}
    assert {"agreement", "official"} <= kinds

    client = client_of(user_with("view_citation", "view_source", "view_agreement"))
    citations = client.get("/api/v1/citations/", {"limit": 1000}).json()["results"]
    assert citations and {c["record"]["type"] for c in citations} == {"agreement"}
    official_citation = next(
        c
        for c in everything.get("/api/v1/citations/", {"limit": 1000}).json()["results"]
        if c["record"]["type"] == "official"
    )
    assert client.get(f"/api/v1/citations/{official_citation['id']}/").status_code == 404


def test_search_does_not_match_on_citation_quotes_the_user_may_not_read(login_required):
    from cooperation.models import Citation

    citation = Citation.objects.filter(content_type__model="agreement").order_by("pk").first()
    Citation.objects.filter(pk=citation.pk).update(quote=f"{citation.quote} zephyrquill")
    reader = client_of(user_with("view_agreement", "view_citation"))
    found = reader.get("/api/v1/search/", {"q": "zephyrquill"}).json()["results"]
    assert [(r["type"], r["id"]) for r in found] == [("agreement", citation.object_id)]
    without_citations = client_of(user_with("view_agreement"))
    assert without_citations.get("/api/v1/search/", {"q": "zephyrquill"}).json()["results"] == []


def test_a_job_is_shown_only_to_a_user_who_may_view_its_resource(login_required):
    importer = user_with("add_agreement")
    job = Job.objects.create(resource="agreements", user=importer, result={"errors": [], "created": 3})
    assert client_of(importer).get(f"/api/v1/jobs/{job.pk}/").status_code == 404
    importer.user_permissions.add(Permission.objects.get(codename="view_agreement"))
    importer = get_user_model().objects.get(pk=importer.pk)
    assert client_of(importer).get(f"/api/v1/jobs/{job.pk}/").status_code == 200
