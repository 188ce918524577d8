"""gunicorn as the product ships it. The Dockerfile, docker-compose.yml, bench/load.py and the tests all start
``gunicorn -c gunicorn.conf.py``; each value can be changed through the environment variable beside it (and
command-line options override this file).

Worker model: **gthread**. Each worker process serves ``GUNICORN_THREADS`` requests at once in a thread pool,
while its main thread goes round an event loop that tells the master it is alive at least once a second
(gunicorn/workers/gthread.py, ``ThreadWorker.run``: ``self.notify()`` on every turn of a loop that waits at
most 1 s). ``timeout`` is therefore a heartbeat: a worker silent that long is stuck and is restarted, but a
request may take as long as it needs (gunicorn 27's documentation of ``timeout``: "For the non sync workers it
just means that the worker process is still communicating and is not tied to the length of time required to
handle a single request"). The default sync worker tells the master it is alive only between requests, so
with it every request longer than 30 s (a large export, a slowly read one, a large import) was killed.

Slow clients: the response is written from the request's thread with blocking sends, and a client that stops
reading would hold the thread (and an export's database connection) for ever. So every request's socket gets
a timeout of ``GUNICORN_CLIENT_TIMEOUT`` seconds (default 60), and every response is sent in pieces of at most
256 KiB (a CSV export comes in blocks of about that size; a JSON page of a few MB is cut up): the client must
take each piece within the timeout, else the connection is closed and the thread freed. The floor is thus a
client reading 256 KiB per 60 s, about 4.3 KiB/s (15 MiB an hour); any client at least that fast gets every
answer, exports of any size included, to the end. (Reading a request body, each receive waits as long.)
"""

import gc
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from config.settings.env import env_int, env_str, gunicorn_workers  # the same readers as the settings

wsgi_app = "config.wsgi:application"
bind = env_str("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = "gthread"
workers = gunicorn_workers()
threads = env_int("GUNICORN_THREADS", 8)
# A heartbeat, not a request time limit (see above).
timeout = env_int("GUNICORN_TIMEOUT", 30)
graceful_timeout = env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = env_int("GUNICORN_KEEPALIVE", 5)
client_timeout = env_int("GUNICORN_CLIENT_TIMEOUT", 60)
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None


PIECE_BYTES = 256 * 1024


def in_pieces(response):
    """The response's body in pieces of at most PIECE_BYTES, each one send within the client timeout."""
    try:
        for block in response:
            if len(block) <= PIECE_BYTES:
                yield block
            else:
                yield from (block[start : start + PIECE_BYTES] for start in range(0, len(block), PIECE_BYTES))
    finally:
        if hasattr(response, "close"):  # the WSGI server's close() of this generator reaches the application's
            response.close()


def post_worker_init(worker) -> None:
    """Give each request's socket the client timeout before the application runs (gunicorn hands every
    application the socket as ``environ["gunicorn.socket"]``; it sets no send timeout of its own), and send
    the body in pieces."""
    application = worker.wsgi

    def with_client_timeout(environ, start_response):
        client = environ.get("gunicorn.socket")
        if client is not None and client_timeout > 0:
            client.settimeout(client_timeout)
        response = application(environ, start_response)
        if isinstance(response, environ["wsgi.file_wrapper"]):  # a static file: gunicorn's sendfile path
            return response
        return in_pieces(response)

    worker.wsgi = with_client_timeout
    # What the worker has loaded by now (Django, the app, its settings) lives as long as the worker: out of the
    # garbage collector's generations, the full collections a list page's allocations trigger no longer scan
    # it every time (bench/RESULTS.md, issue 17).
    gc.freeze()
