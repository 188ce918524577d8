"""``/api/v1/search/?q=``: one search over every resource, answering typed brief records.

Each kind of record is searched in the text fields its own ``q`` filter searches (names, aliases such as other
names and acronyms, titles, summaries, ...), and a fact record is also found by the quotes of its citations.
Every word must occur in one of them, case-insensitively. Results come by kind (in the order of the API's
resources), then by id; the cursor is the last (kind, id) given, so a page costs at most one query per kind,
however deep, and no COUNT.
"""

from __future__ import annotations

import base64
import binascii

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, Model, OuterRef, QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from cooperation import models as m
from cooperation.api.briefs import RecordBriefSerializer
from cooperation.api.pagination import CursorPagination
from cooperation.api.permissions import may_view
from cooperation.filtering.fields import MAX_TEXT
from cooperation.filtering.filters import search_word, word_condition
from cooperation.models.sources import named_records
from cooperation.resources import RESOURCES

MAX_WORDS = 10


def searched() -> dict[str, tuple[type[Model], tuple[str, ...]]]:
    """type -> (model, the text fields its ``q`` searches), in the order of the API's resources."""
    kinds = {}
    for resource in RESOURCES.values():
        if resource.model is not m.Citation and resource.filterset_class.search_fields:
            kinds[resource.model._meta.model_name] = (resource.model, resource.filterset_class.search_fields)
    return kinds


def matching(model: type[Model], fields: tuple[str, ...], words: list[str], quotes: bool = True) -> QuerySet:
    """The records of ``model`` in which every word occurs in one of ``fields`` or (with ``quotes``) in a
    citation's quote."""
    records = named_records(model)
    for word in words:
        condition = word_condition(model, fields, word)
        if quotes and issubclass(model, m.CitedModel):
            quotes_found = m.Citation.objects.filter(
                content_type=ContentType.objects.get_for_model(model),
                object_id=OuterRef("pk"),
                quote__icontains=word,
            )
            condition |= Exists(quotes_found)
        records = records.filter(condition)
    return records


def query_words(text: str) -> list[str]:
    """The words a search looks for in ``text``: its first MAX_WORDS, a web address in the form sources are
    stored in. Raises ValueError saying what is wrong with ``text`` (the API's and the explorer's message)."""
    if "\x00" in text:
        raise ValueError("The value contains a NUL character.")
    words = [search_word(word) for word in text.split()[:MAX_WORDS]]
    if not words:
        raise ValueError("Give the words to search for.")
    if len(text) > MAX_TEXT:
        raise ValueError(f"At most {MAX_TEXT} characters.")
    return words


class SearchPermission(BasePermission):
    """Public like every read; with API_READ_REQUIRES_LOGIN, a logged-in user (who sees the kinds of records
    they may view)."""

    def has_permission(self, request, view):
        return not settings.API_READ_REQUIRES_LOGIN or bool(request.user and request.user.is_authenticated)


def encode_cursor(kind: str, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{pk}".encode()).decode()


def decode_cursor(raw: str, kinds: list[str]) -> tuple[int, int]:
    """(index of the kind, id) of the last record given. Raises ValidationError naming ``cursor``."""
    invalid = ValidationError({"cursor": ["Invalid cursor: use the `next` link."]})
    try:
        kind, _, pk = base64.urlsafe_b64decode(raw.encode("ascii")).decode("ascii").partition(":")
    except (ValueError, UnicodeError, binascii.Error):
        raise invalid from None
    if kind not in kinds or not (pk.isascii() and pk.isdigit() and len(pk) < 19):
        raise invalid
    return kinds.index(kind), int(pk)


RESULTS = inline_serializer(
    "SearchResults",
    fields={
        "next": serializers.URLField(allow_null=True, help_text="The next page, or null at the end."),
        "results": RecordBriefSerializer(many=True),
    },
)


class SearchView(APIView):
    """Records of every kind whose names, other names, acronyms, titles, summaries or citations' quotes hold
    every word of ``q``: ``/api/v1/search/?q=Nicaragua training``. Results are brief records, by kind then
    by id; follow ``next`` for more."""

    permission_classes = [SearchPermission]
    parameters = {"q", "type", "limit", "cursor"}

    @extend_schema(
        operation_id="search",
        parameters=[
            OpenApiParameter("q", str, required=True, description="Words to find (every one must occur)."),
            OpenApiParameter(
                "type",
                {"type": "array", "items": {"type": "string", "enum": list(searched())}},
                explode=True,
                description="Only these kinds of record (repeated, or a comma list).",
            ),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": settings.API_MAX_PAGE_SIZE},
                description=f"Results per page (default 50, at most {settings.API_MAX_PAGE_SIZE}).",
            ),
            OpenApiParameter("cursor", str, description="The position in the results: take it from `next`."),
        ],
        responses={200: RESULTS},
    )
    def get(self, request):
        kinds = searched()
        words, wanted = self.read_parameters(request, kinds)
        limit = CursorPagination().get_page_size(request)
        names = list(kinds)
        cursor = request.query_params.get("cursor")
        start_kind, after = decode_cursor(cursor, names) if cursor is not None else (0, 0)
        found: list[Model] = []
        # A match on a quote would tell a user who may not read citations what they say.
        may_read_quotes = may_view(request.user, m.Citation)
        for index in range(start_kind, len(names)):
            name = names[index]
            if name not in wanted:
                continue
            model, fields = kinds[name]
            records = matching(model, fields, words, quotes=may_read_quotes).order_by("pk")
            if index == start_kind and after:
                records = records.filter(pk__gt=after)
            found += records[: limit + 1 - len(found)]
            if len(found) > limit:
                break
        next_link = None
        if len(found) > limit:
            last = found[limit - 1]
            query = request.query_params.copy()
            query["cursor"] = encode_cursor(last._meta.model_name, last.pk)
            next_link = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        results = RecordBriefSerializer(found[:limit], many=True, context={"request": request}).data
        return Response({"next": next_link, "results": results})

    def read_parameters(self, request, kinds) -> tuple[list[str], set[str]]:
        errors = {}
        for name, values in request.query_params.lists():
            if name not in self.parameters:
                errors[name] = [f"Unknown query parameter. Known: {', '.join(sorted(self.parameters))}."]
            elif any("\x00" in value for value in values):
                errors[name] = ["The value contains a NUL character."]
        if errors:
            raise ValidationError(errors)
        try:
            words = query_words(request.query_params.get("q", ""))
        except ValueError as error:
            raise ValidationError({"q": [str(error)]}) from None
        wanted = set(kinds)
        if "type" in request.query_params:
            given = [v.strip() for item in request.query_params.getlist("type") for v in item.split(",") if v.strip()]
            unknown = [value for value in given if value not in kinds]
            if unknown or not given:
                raise ValidationError({"type": [f"Use one or more of: {', '.join(kinds)}."]})
            wanted = set(given)
        if settings.API_READ_REQUIRES_LOGIN:
            user = request.user
            wanted = {kind for kind in wanted if may_view(user, kinds[kind][0])}
        return words, wanted
