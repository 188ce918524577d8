"""Generic tests that every API resource passes. A resource's test class says how to make a full record,
what a valid create and update look like and one invalid filter value; the mixin does the rest."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db import connection
from django.db.models import Prefetch
from django.test.utils import CaptureQueriesContext

from cooperation.api.prefetch import prefetch_page
from cooperation.api.views import viewset_for
from cooperation.models import CitedModel
from cooperation.resources import RESOURCES

API = "/api/v1"


class ResourceTests:
    resource: str = ""
    model: type = None
    #: Query parameters with an invalid value; the 400 must name the parameter.
    invalid_filter: dict[str, str] = {}

    # --- what each resource supplies ----------------------------------------------------------------
    def make(self):
        """A record with everything it can nest (parts, many-to-many values, citations)."""
        raise NotImplementedError

    def create_payload(self) -> dict:
        raise NotImplementedError

    def update_payload(self) -> dict:
        raise NotImplementedError

    def check_created(self, record) -> None:
        """Extra checks on the stored record after a create (beyond the response status)."""

    #: Filters that leave fewer than a page of rows besides those the test makes (places: the gazetteer's).
    few_rows: dict = {}

    # --- helpers -------------------------------------------------------------------------------------
    @property
    def list_url(self) -> str:
        return f"{API}/{self.resource}/"

    def detail_url(self, record) -> str:
        return f"{API}/{self.resource}/{record.pk}/"

    def ensure_rows(self, count: int) -> None:
        while self.model.objects.count() < count:
            self.make()

    # --- reading -------------------------------------------------------------------------------------
    def test_list_shows_records(self, db, anonymous_client):
        record = self.make()
        response = anonymous_client.get(self.list_url, {"limit": 1000, **self.few_rows})
        assert response.status_code == 200, response.content
        assert record.pk in [row["id"] for row in response.json()["results"]]
        assert response.json()["next"] is None or "cursor=" in response.json()["next"]

    def test_detail_shows_the_record_with_its_citations(self, db, anonymous_client):
        record = self.make()
        response = anonymous_client.get(self.detail_url(record))
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["id"] == record.pk
        assert body["display"] == str(record)
        assert body["api_url"].endswith(self.detail_url(record))
        assert body["version"] == record.version
        if isinstance(record, CitedModel):
            assert [c["quote"] for c in body["citations"]] == [c.quote for c in record.citations.all()]

    def test_not_found_is_404(self, db, anonymous_client):
        assert anonymous_client.get(f"{self.list_url}987654321/").status_code == 404
        assert anonymous_client.get(f"{self.list_url}not-an-id/").status_code == 404

    def test_list_query_count_does_not_grow_with_the_page(self, db, anonymous_client):
        self.ensure_rows(50)

        def queries(limit: int) -> int:
            with CaptureQueriesContext(connection) as captured:
                response = anonymous_client.get(self.list_url, {"limit": limit})
            assert response.status_code == 200
            assert len(response.json()["results"]) == limit
            return len(captured.captured_queries)

        assert queries(5) == queries(50)

    def test_a_page_fills_each_relation_by_the_fast_path(self, db, django_assert_num_queries):
        """Guard on ``prefetch_page``, which writes where Django's managers look for prefetched rows: every one-level
        relation of the resource must be filled that way (none left to Django), and read without a query."""
        self.make()
        self.make()
        queryset = viewset_for(RESOURCES[self.resource]).queryset
        records = list(queryset.prefetch_related(None))
        left_to_django = prefetch_page(records, queryset._prefetch_related_lookups)
        plain = [
            lookup.prefetch_through if isinstance(lookup, Prefetch) else lookup
            for lookup in left_to_django
            if not isinstance(lookup, GenericPrefetch)
        ]
        assert [through for through in plain if "__" not in through] == []
        with django_assert_num_queries(0):
            for record in records:
                for lookup in queryset._prefetch_related_lookups:
                    if not isinstance(lookup, GenericPrefetch):
                        list(getattr(record, getattr(lookup, "prefetch_through", lookup)).all())

    def test_unknown_query_parameter_is_400_naming_it(self, db, anonymous_client):
        self.make()
        response = anonymous_client.get(self.list_url, {"no_such_filter": "1"})
        assert response.status_code == 400
        assert "no_such_filter" in response.json()

    def test_invalid_filter_value_is_400_naming_the_parameter(self, db, anonymous_client):
        self.make()
        response = anonymous_client.get(self.list_url, self.invalid_filter)
        assert response.status_code == 400, response.content
        assert set(self.invalid_filter) <= set(response.json())

    # --- writing -------------------------------------------------------------------------------------
    def test_editor_creates_a_record(self, db, editor, editor_client):
        payload = self.create_payload()
        response = editor_client.post(self.list_url, payload, format="json")
        assert response.status_code == 201, response.content
        record = self.model.objects.get(pk=response.json()["id"])
        assert record.history.earliest().history_user == editor
        self.check_created(record)

    def test_editor_updates_a_record(self, db, editor_client):
        record = self.make()
        response = editor_client.patch(self.detail_url(record), self.update_payload(), format="json")
        assert response.status_code == 200, response.content
        record.refresh_from_db()
        for name, value in self.update_payload().items():
            if isinstance(value, str | int | bool):
                assert response.json()[name] == value
        assert response.json()["version"] == record.version > 1

    def test_editor_replaces_a_record(self, db, editor_client):
        record = self.make()
        response = editor_client.put(self.detail_url(record), self.create_payload(), format="json")
        assert response.status_code == 200, response.content

    def test_clients_cannot_set_ids_stamps_or_versions(self, db, editor_client):
        """Mass assignment: what the database keeps (id, timestamps, version, history) is never the client's.
        What a GET shows is accepted back and ignored (so a record read can be edited and sent back whole);
        anything else is an unknown field, refused."""
        forged = {
            "id": 987_654_321,
            "created_at": "2001-01-01T00:00:00Z",
            "updated_at": "2001-01-01T00:00:00Z",
            "version": 77,
        }
        history = {"history": [{"history_type": "-", "history_user": 1}]}
        before = self.model.objects.count()
        response = editor_client.post(self.list_url, {**self.create_payload(), **forged, **history}, format="json")
        assert response.status_code == 400 and list(response.json()) == ["history"], response.content
        assert self.model.objects.count() == before

        response = editor_client.post(self.list_url, {**self.create_payload(), **forged}, format="json")
        assert response.status_code == 201, response.content
        record = self.model.objects.get(pk=response.json()["id"])
        assert record.pk != forged["id"] and record.version == 1
        assert record.created_at.year > 2001 and record.updated_at.year > 2001

        response = editor_client.patch(self.detail_url(record), forged, format="json")
        assert response.status_code == 200, response.content
        stored = self.model.objects.get(pk=record.pk)
        assert stored.version == 1  # nothing of the record changed: not the client's 77, and no new version
        assert stored.created_at == record.created_at and stored.updated_at == record.updated_at
        assert not self.model.objects.filter(pk=forged["id"]).exists()

    def test_editor_deletes_a_record(self, db, editor_client):
        record = self.make()
        response = editor_client.delete(self.detail_url(record))
        assert response.status_code == 204, response.content
        assert not type(record).objects.filter(pk=record.pk).exists()
        assert type(record).history.filter(id=record.pk, history_type="-").exists()

    def test_invalid_create_is_400_naming_a_field(self, db, editor_client):
        response = editor_client.post(self.list_url, {}, format="json")
        assert response.status_code == 400
        assert response.json(), "the error names at least one field"

    @pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
    def test_anonymous_writes_are_refused(self, db, anonymous_client, method):
        record = self.make()
        url = self.list_url if method == "post" else self.detail_url(record)
        response = getattr(anonymous_client, method)(url, self.create_payload(), format="json")
        assert response.status_code in (401, 403)
        record.refresh_from_db()
        assert record.version == 1

    @pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
    def test_viewer_writes_are_refused(self, db, viewer_client, method):
        record = self.make()
        url = self.list_url if method == "post" else self.detail_url(record)
        response = getattr(viewer_client, method)(url, self.create_payload(), format="json")
        assert response.status_code == 403
        record.refresh_from_db()
        assert record.version == 1
