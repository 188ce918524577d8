import logging
import sys

from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.db.models import Count, Min
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.defaults import page_not_found
from django.views.defaults import server_error as default_server_error
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

#: Seconds a client is told to wait when the database cannot be reached (a restart takes about this long).
OUTAGE_RETRY_AFTER = 30
OUTAGE = "The database is unavailable. Try again later."


def database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        logger.exception("Health check: the database cannot be reached.")
        return "down"
    return "ok"


def cache_state() -> str:
    try:
        cache.set("healthz", "ok", 10)
        return "ok" if cache.get("healthz") == "ok" else "down"
    except Exception:  # whatever the backend raises (a missing table, a refused connection) means it is down
        logger.exception("Health check: the cache cannot be reached.")
        return "down"


def queue_state() -> dict:
    """Jobs waiting for a worker, and how long the oldest has waited: a stopped worker shows as a queue whose
    oldest job only gets older. One query."""
    waiting = DBTaskResult.objects.ready().aggregate(count=Count("id"), oldest=Min("enqueued_at"))
    age = (timezone.now() - waiting["oldest"]).total_seconds() if waiting["oldest"] else 0
    return {"waiting": waiting["count"], "oldest_waiting_seconds": int(age)}


@never_cache
@require_safe
def health(request):
    """What is up, as JSON: ``{"status": "ok", "database": "ok", "cache": "ok", "queue": {...}}``. 200 when the site
    can serve; 503 with Retry-After when the database or the cache is down (for health checks and load
    balancers)."""
    body = {"status": "ok", "database": database_state(), "cache": cache_state(), "vendor": connection.vendor}
    healthy = body["database"] == body["cache"] == "ok"
    if not healthy:
        body["status"] = "down"
    if body["database"] == "ok":
        body["queue"] = queue_state()
    headers = {} if healthy else {"Retry-After": str(OUTAGE_RETRY_AFTER)}
    return JsonResponse(body, status=200 if healthy else 503, headers=headers)


def not_found(request, exception=None):
    """404 for an address no route matches: JSON under /api/, Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)


def server_error(request):
    """500 without a traceback: JSON under /api/, a plain page elsewhere. A database that cannot be reached is an
    outage, not a bug: 503 with Retry-After, so clients and load balancers wait and try again."""
    error = sys.exc_info()[1]  # Django calls this handler while it handles the exception
    if isinstance(error, OperationalError | InterfaceError):
        headers = {"Retry-After": str(OUTAGE_RETRY_AFTER)}
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": OUTAGE}, status=503, headers=headers)
        return HttpResponse(f"<!doctype html><title>Unavailable</title><h1>{OUTAGE}</h1>", status=503, headers=headers)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Server error. The failure was logged."}, status=500)
    return default_server_error(request)
