from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.defaults import page_not_found
from django.views.defaults import server_error as default_server_error


@never_cache
@require_safe
def health(request):
    """Liveness and database reachability, for container health checks and load balancers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})


def not_found(request, exception=None):
    """404 for an address no route matches: JSON under /api/, Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)


def server_error(request):
    """500 without a traceback: JSON under /api/, a plain page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Server error. The failure was logged."}, status=500)
    return default_server_error(request)
