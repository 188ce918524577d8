"""Twenty writers at once against one record: every acknowledged update is in the final state."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from rest_framework.test import APIClient

from cooperation.models import Agreement
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
