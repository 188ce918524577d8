"""Keyset cursor pagination: constant cost per page however deep, no COUNT(*) unless the client asks for it.

A cursor holds the values of every key of the ordering (``id`` last) of the row next to the page, so equal
values and unknown (NULL) dates never make a page skip or repeat a row; it is checked before it is used.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from cooperation.api import ordering

TRUE_VALUES = {"1", "true", "yes"}
FALSE_VALUES = {"0", "false", "no"}
#: Longer than any cursor this API writes (a few keys of at most 500 characters each, in base64).
MAX_CURSOR = 4096
INVALID_CURSOR = "Invalid cursor: use the `next` or `previous` link."


@dataclass(frozen=True)
class Position:
    """Where a page starts: the values of every ordering key of the row just before it (just after it when
    going ``backwards``, to the previous page)."""

    values: list[Any]
    backwards: bool


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

    def wants_count(self, request) -> bool:
        raw = request.query_params.get(self.count_query_param, "false").lower()
        if raw not in TRUE_VALUES | FALSE_VALUES:
            raise ValidationError({self.count_query_param: ["true or false."]})
        return raw in TRUE_VALUES

    def paginate_queryset(self, queryset, request, view=None):
        self.request, self.base_url = request, request.build_absolute_uri()
        self.page_size = self.get_page_size(request)
        self.keys = self.get_keys(request, queryset, view)
        position = self.decode_cursor(request)
        self.total = queryset.count() if self.wants_count(request) else None
        backwards = position is not None and position.backwards
        queryset = queryset.order_by(*(key.order(backwards=backwards) for key in self.keys))
        if position is not None:
            queryset = queryset.filter(ordering.seek(self.keys, position.values, backwards=backwards))
        rows = list(queryset[: self.page_size + 1])
        more, self.page = len(rows) > self.page_size, rows[: self.page_size]
        if backwards:
            self.page.reverse()
        # Coming from a position, there are rows on its other side.
        self.has_next = True if backwards else more
        self.has_previous = more if backwards else position is not None
        return self.page

    def get_keys(self, request, queryset, view) -> list[ordering.Key]:
        backend = next((b for b in getattr(view, "filter_backends", ()) if hasattr(b, "get_keys")), None)
        if backend is None:
            return ordering.keys(queryset.model, self.ordering)
        return backend().get_keys(request, queryset, view)

    def get_next_link(self):
        if not (self.has_next and self.page):
            return None
        return self.link(Position(self.values(self.page[-1]), backwards=False))

    def get_previous_link(self):
        if not (self.has_previous and self.page):
            return None
        return self.link(Position(self.values(self.page[0]), backwards=True))

    def values(self, row) -> list[Any]:
        return [getattr(row, key.name) for key in self.keys]

    def link(self, position: Position) -> str:
        return replace_query_param(self.base_url, self.cursor_query_param, self.encode_position(position))

    def encode_position(self, position: Position) -> str:
        """base64url of ``{"o": the ordering's terms, "p": the row's value of each, "r": backwards}``."""
        body = {
            "o": [key.term for key in self.keys],
            "p": [key.dump(value) for key, value in zip(self.keys, position.values, strict=True)],
            "r": position.backwards,
        }
        return base64.urlsafe_b64encode(json.dumps(body, separators=(",", ":")).encode()).decode().rstrip("=")

    def decode_cursor(self, request) -> Position | None:
        """The position a cursor names, each value checked against its key's type: a forged or garbled cursor
        is a 400 naming ``cursor``, and never reaches the database."""
        raw = request.query_params.get(self.cursor_query_param)
        if raw is None:
            return None
        try:
            if len(raw) > MAX_CURSOR:
                raise ValueError("too long")
            body = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode())
            if not (isinstance(body, dict) and set(body) == {"o", "p", "r"} and isinstance(body["r"], bool)):
                raise ValueError("not a cursor")
            if body["o"] != [key.term for key in self.keys]:
                message = "This cursor belongs to another ordering: keep `ordering` as it was in the link."
                raise ValidationError({self.cursor_query_param: [message]})
            if not (isinstance(body["p"], list) and len(body["p"]) == len(self.keys)):
                raise ValueError("not a position")
            values = [key.load(value) for key, value in zip(self.keys, body["p"], strict=True)]
        except (ValueError, RecursionError):  # binascii.Error, UnicodeError, JSONDecodeError, InvalidPosition
            raise ValidationError({self.cursor_query_param: [INVALID_CURSOR]}) from None
        return Position(values, backwards=body["r"])

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
