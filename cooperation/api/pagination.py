"""Cursor pagination: constant cost per page however deep, no COUNT(*) unless the client asks for it."""

from __future__ import annotations

from django.conf import settings
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

TRUE_VALUES = {"1", "true", "yes"}
FALSE_VALUES = {"0", "false", "no"}


class CursorPagination(pagination.CursorPagination):
    page_size_query_param = "limit"
    max_page_size = settings.API_MAX_PAGE_SIZE
    ordering = ("id",)
    count_query_param = "count"
    cursor_query_description = "The position in the list: take it from the `next` or `previous` link."
    page_size_query_description = f"Results per page (default 50, at most {settings.API_MAX_PAGE_SIZE})."

    #: The query parameters this class reads, so the strict filter backend can tell them from typos.
    @property
    def query_params(self) -> set[str]:
        return {self.cursor_query_param, self.page_size_query_param, self.count_query_param}

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        digits = raw.removeprefix("-")
        if not (digits.isascii() and digits.isdigit()):
            raise ValidationError({self.page_size_query_param: ["A whole number, e.g. 100."]})
        if raw.startswith("-"):
            raise ValidationError({self.page_size_query_param: ["At least 1."]})
        # Never a page of another size than asked: a client that reads fewer rows than it asked for would take
        # them for the end of the list. (Thousands of digits are not even converted: int() of them is slow.)
        if len(digits) > 9 or int(raw) > self.max_page_size:
            raise ValidationError({self.page_size_query_param: [f"At most {self.max_page_size}."]})
        size = int(raw)
        if size < 1:
            raise ValidationError({self.page_size_query_param: ["At least 1."]})
        return size

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except Exception:  # DRF answers 404 for a bad cursor; it is a bad parameter
            message = "Invalid cursor: use the `next` or `previous` link."
            raise ValidationError({self.cursor_query_param: [message]}) from None

    def wants_count(self, request) -> bool:
        raw = request.query_params.get(self.count_query_param, "false").lower()
        if raw not in TRUE_VALUES | FALSE_VALUES:
            raise ValidationError({self.count_query_param: ["true or false."]})
        return raw in TRUE_VALUES

    def paginate_queryset(self, queryset, request, view=None):
        self.total = queryset.count() if self.wants_count(request) else None
        return super().paginate_queryset(queryset, request, view)

    def get_ordering(self, request, queryset, view):
        ordering = tuple(super().get_ordering(request, queryset, view))
        # A unique last key keeps pages stable when the first key has ties.
        if not any(key.lstrip("-") in ("id", "pk") for key in ordering):
            ordering += ("-id",) if ordering and ordering[0].startswith("-") else ("id",)
        return ordering

    def get_paginated_response(self, data):
        body = {"next": self.get_next_link(), "previous": self.get_previous_link()}
        if self.total is not None:
            body["count"] = self.total
        body["results"] = data
        return Response(body)

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count"] = {"type": "integer", "description": "Only with ?count=true."}
        return response

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return [
            *parameters,
            {
                "name": self.count_query_param,
                "required": False,
                "in": "query",
                "description": "Also return the number of matching records (costs a COUNT over them).",
                "schema": {"type": "boolean"},
            },
        ]
