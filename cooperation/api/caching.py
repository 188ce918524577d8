"""HTTP caching of API answers: what a client reads depends on who it is and what it asked for, so no shared cache
may keep it, and a private one asks again each time (the ETag then makes that cheap)."""

from __future__ import annotations

from django.utils.cache import patch_cache_control, patch_vary_headers

API_PREFIX = "/api/"
#: A token, a session cookie and the format asked for each change what comes back.
VARY = ("Authorization", "Accept", "Cookie")


class APICacheHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(API_PREFIX):
            if not response.has_header("Cache-Control"):
                patch_cache_control(response, private=True, no_cache=True)
            patch_vary_headers(response, VARY)
        return response
