"""A query string over ``MAX_QUERY_STRING_BYTES`` is refused with 414 (URI Too Long) before anything parses it.

The production server (gunicorn) refuses a request line over 4,094 bytes itself; this limit holds however the
application is served (runserver, another server in front of it) and answers the API's clients in JSON. Without
it, ten megabytes of ``?q=aaa...`` or ``?id=1,1,1,...`` were read, split and validated parameter by parameter: a
few seconds of a worker's time per request for whoever sends them.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse, JsonResponse


def too_long(request, length: int) -> HttpResponse:
    detail = (
        f"The query string is {length} bytes long; this server reads at most {settings.MAX_QUERY_STRING_BYTES} "
        "(MAX_QUERY_STRING_BYTES). Narrow the request, or page through the results."
    )
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": detail}, status=414)
    return HttpResponse(detail, status=414, content_type="text/plain; charset=utf-8")


class QueryStringLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = len(request.META.get("QUERY_STRING", ""))
        if length > settings.MAX_QUERY_STRING_BYTES:
            return too_long(request, length)
        return self.get_response(request)
