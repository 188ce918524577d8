"""Twenty writers at once against one record: every acknowledged update is in the final state."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from rest_framework.test import APIClient

from cooperation.models import Agreement, Official, Source, TrainingCentre
from tests import factories as f

WRITERS = 20


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_writers_lose_no_update(editor):
    record = f.AgreementFactory(title="Counter", summary="0")
    url = f"/api/v1/agreements/{record.pk}/"
    start = threading.Barrier(WRITERS)

    def increment(_) -> tuple[int, int]:
        """Read the counter, write it plus one with If-Match; on a conflict read again. (successes, conflicts)"""
        client = APIClient()
        client.force_authenticate(editor)
        conflicts = 0
        try:
            start.wait()
            while True:
                read = client.get(url)
                value = int(read.json()["summary"])
                written = client.patch(url, {"summary": str(value + 1)}, format="json", HTTP_IF_MATCH=read["ETag"])
                if written.status_code == 200:
                    return 1, conflicts
                assert written.status_code in (409, 412), written.content
                conflicts += 1
        finally:
            connection.close()

    with ThreadPoolExecutor(WRITERS) as pool:
        results = list(pool.map(increment, range(WRITERS)))

    successes = sum(s for s, _ in results)
    stored = Agreement.objects.get(pk=record.pk)
    assert successes == WRITERS
    assert int(stored.summary) == successes  # not one acknowledged increment was overwritten
    assert stored.version == 1 + successes
    assert sum(c for _, c in results) > 0, "the writers really did collide"


SOURCE = "https://wire.example.com/2020/summit"
CREATES = {
    "agreements": (
        Agreement,
        {
            "title": "Plan de Acción Conjunto",
            "kind": "action_plan",
            "status": "signed",
            "signed": "2020-02",
            "parties": [{"country": "EC"}, {"country": "CO"}],
        },
    ),
    "officials": (Official, {"name": "Óscar Villalba Ruiz", "country": "EC"}),
    "training-centres": (
        TrainingCentre,
        {"name": "Escuela Andina de Guías Caninos", "host_country": "EC", "status": "planned"},
    ),
}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("resource", sorted(CREATES))
def test_concurrent_creates_of_one_record_make_one(editor, resource):
    """Twenty clients create the same record at once: one 201, every other a 409 naming it (never a 500)."""
    model, body = CREATES[resource]
    Source.objects.create(title="Summit communiqué", url=SOURCE)
    body = {**body, "citations": [{"source": SOURCE, "quote": "the parties agreed"}]}
    start = threading.Barrier(WRITERS)

    def create(_) -> tuple[int, list]:
        client = APIClient()
        client.force_authenticate(editor)
        try:
            start.wait()
            response = client.post(f"/api/v1/{resource}/", body, format="json")
            existing = response.json().get("existing", []) if response.status_code == 409 else []
            return response.status_code, [record["id"] for record in existing]
        finally:
            connection.close()

    with ThreadPoolExecutor(WRITERS) as pool:
        results = list(pool.map(create, range(WRITERS)))

    [record] = model.objects.all()
    assert sorted(status for status, _ in results) == [201] + [409] * (WRITERS - 1), results
    assert all(existing == [record.pk] for status, existing in results if status == 409)
