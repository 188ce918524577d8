"""gunicorn as shipped (gunicorn.conf.py) lets a long export run to its end, however slowly the client reads
above the documented floor, and frees the thread of a client below it.

gunicorn's ``timeout`` is shortened to 2 s here (``GUNICORN_TIMEOUT``) so that "longer than the timeout" takes
seconds, not minutes: with the default sync worker, which the Dockerfile ran before, the slow read below is
killed after 2 s.
"""

from __future__ import annotations

import http.client
import importlib.util
import socket
import time
import urllib.request

import pytest

from cooperation import models as m
from tests.servers import PROJECT_DIR, gunicorn

TIMEOUT = 2
EXPORT = "/api/v1/drugs/?format=csv"


def many_drugs(megabytes: int) -> None:
    """About that many megabytes of export, in long descriptions."""
    text = "Seized in plantain shipments, declared as fruit; analysed by the customs laboratory. " * 24  # ~2 KiB
    m.Drug.objects.bulk_create(
        m.Drug(name=f"Cocaine hydrochloride, batch {n}", group="cocaine_type", description=f"{n}: {text}")
        for n in range(megabytes * 512)
    )


def slow_get(base: str, path: str, bytes_per_second: int, receive_buffer: int = 16 * 1024) -> tuple[bytes, float]:
    """GET with a client that reads at most ``bytes_per_second`` (and a small receive window, so the server
    cannot hand the whole answer to the kernel at once). Returns the body and the seconds taken."""
    port = int(base.rsplit(":", 1)[1])
    started = time.monotonic()
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    sock.connect(("127.0.0.1", port))
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.sock = sock
    connection.request("GET", path)
    response = connection.getresponse()
    assert response.status == 200
    body = bytearray()
    while chunk := response.read(16 * 1024):
        body += chunk
        ahead = len(body) / bytes_per_second - (time.monotonic() - started)
        if ahead > 0:
            time.sleep(ahead)
    connection.close()
    return bytes(body), time.monotonic() - started


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_slowly_read_export_runs_past_the_timeout_to_its_end_byte_for_byte():
    """10 MB read at 1 MB/s: the kernel's buffers take up to 4 MB of it, so the server is still sending after
    6 s, three times its timeout."""
    many_drugs(megabytes=10)
    with gunicorn(GUNICORN_TIMEOUT=str(TIMEOUT), GUNICORN_WORKERS="1") as base:
        fast = urllib.request.urlopen(base + EXPORT, timeout=60).read()
        slow, seconds = slow_get(base, EXPORT, bytes_per_second=1_000_000)
    assert len(fast) > 10_000_000
    assert seconds > 4 * TIMEOUT, "the read outlasted gunicorn's timeout"
    assert slow == fast


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_client_that_stops_reading_is_cut_off_and_its_thread_serves_others():
    """Below the floor (nothing read for GUNICORN_CLIENT_TIMEOUT seconds) the connection is closed, and the one
    thread of this server answers the next request."""
    many_drugs(megabytes=6)  # more than the kernel's buffers take
    with gunicorn(GUNICORN_WORKERS="1", GUNICORN_THREADS="1", GUNICORN_CLIENT_TIMEOUT="2") as base:
        port = int(base.rsplit(":", 1)[1])
        stalled = socket.socket()
        stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        stalled.connect(("127.0.0.1", port))
        stalled.sendall(f"GET {EXPORT} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        time.sleep(0.5)  # the export has started and fills the buffers

        started = time.monotonic()
        health = urllib.request.urlopen(base + "/healthz", timeout=30)
        assert health.status == 200
        assert time.monotonic() - started < 20

        stalled.settimeout(10)
        received = 0
        while data := stalled.recv(1024 * 1024):
            received += len(data)
        stalled.close()
        assert received < 6_000_000, "the stalled client got a cut-off answer, not the whole export"


def shipped_configuration():
    spec = importlib.util.spec_from_file_location("shipped_gunicorn_conf", PROJECT_DIR / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_answer_is_sent_in_pieces_a_slow_client_can_take_within_the_timeout():
    """The floor holds for answers that are not streamed too: a JSON page of 1 MB is sent in pieces of 256 KiB,
    and the application's close() (where Django ends the request) still runs."""
    conf = shipped_configuration()
    closed = []

    class Answer(list):
        def close(self):
            closed.append(True)

    page = bytes(range(256)) * 4096 + b"end"
    pieces = list(conf.in_pieces(Answer([b"{", page, b"}"])))
    assert b"".join(pieces) == b"{" + page + b"}"
    assert max(len(piece) for piece in pieces) == conf.PIECE_BYTES == 256 * 1024
    assert closed == [True]
    assert (conf.worker_class, conf.timeout, conf.client_timeout) == ("gthread", 30, 60)
