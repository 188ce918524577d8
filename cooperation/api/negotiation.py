"""Content negotiation: an unknown ``?format=`` is a bad parameter (400 naming it), not a missing page (404)."""

from __future__ import annotations

from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation


class ContentNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        view = (getattr(request, "parser_context", None) or {}).get("view")
        if view is not None and request.method.upper() not in view.allowed_methods:
            return renderers[0], renderers[0].media_type  # the answer is a 405, whatever the format
        if request.query_params.get(self.settings.URL_FORMAT_OVERRIDE) == "":
            raise ValidationError({self.settings.URL_FORMAT_OVERRIDE: ["Give a format, or leave the parameter out."]})
        return super().select_renderer(request, renderers, format_suffix)

    def filter_renderers(self, renderers, format):
        matching = [renderer for renderer in renderers if renderer.format == format]
        if not matching:
            known = ", ".join(sorted({renderer.format for renderer in renderers}))
            raise ValidationError({"format": [f"Unknown format {format[:50]!r}; use one of: {known}."]})
        return matching
