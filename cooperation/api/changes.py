"""``GET /api/v1/changes/?after=<cursor>``: every create, update, delete and merge of every resource, in commit
order, as paged JSON or JSON Lines (``?format=jsonl``), for mirrors that stay identical by reading it alone.

The log (``cooperation.models.Change``) is written in the transaction of each change, so a change and its entry
commit together. Rows get their ids when they are written, not when their transaction commits: a transaction
that began first may commit last, with smaller ids than entries already read. Reading "ids after the last one"
would skip it. So, on PostgreSQL, the cursor is made of snapshots, as PgQ's batches are:

- a *batch* is what committed between two snapshots ``prev`` and ``cur``: the rows whose transaction is visible
  in ``cur`` and was not in ``prev``; inside a batch, rows are in id order (the order they were written, which
  for two writes of one record is the order of their row locks, hence of their commits);
- a cursor is ``(prev, cur, last id read in that batch)``. Reading on from it finishes the batch; when it is
  done, the reader's current snapshot closes the next batch. A transaction still running when ``cur`` was taken
  is not visible in it: it lands in a later batch, whenever it commits. Nothing is skipped or read twice.

On SQLite, writes are serialised (one writer holds the database until it commits), so the id order is the
commit order and the cursor is the last id read.
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import renderers, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.settings import api_settings
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from cooperation.api.deletions import MergedIntoSerializer
from cooperation.api.pagination import CursorPagination
from cooperation.api.permissions import ReadOnlyUnlessStaff, may_view
from cooperation.api.prefetch import prefetch_page
from cooperation.models import CitedModel
from cooperation.models.changes import Change, Op
from cooperation.natural_keys import NATURAL_KEYS, natural_key
from cooperation.resources import RESOURCES

DEFAULT_LIMIT = 100
PARAMETERS = {"after", "limit", "format"}
BAD_CURSOR = "Invalid cursor: give one this feed returned (an entry's `cursor`, or `next`), `now`, or none to start."

# --- Cursors ----------------------------------------------------------------------------------------------
SNAPSHOT = re.compile(r"(\d{1,19}):(\d{1,19}):((?:\d{1,19})(?:,\d{1,19})*)?")
#: A snapshot that sees no transaction: where a reader starts.
NOTHING = "1:1:"
#: ``after=now``: no entries, and the cursor of this moment (to follow the feed from a copy made after it).
NOW = "now"


@dataclass(frozen=True)
class Snapshot:
    """A PostgreSQL snapshot as ``pg_current_snapshot()::text`` writes it: ``xmin:xmax:xip,...``."""

    text: str
    xmin: int
    xmax: int

    @classmethod
    def parse(cls, text: str) -> Snapshot:
        match = SNAPSHOT.fullmatch(text)
        if match is None:
            raise ValueError(text)
        xmin, xmax = int(match[1]), int(match[2])
        running = [int(xid) for xid in match[3].split(",")] if match[3] else []
        if not (1 <= xmin <= xmax < 2**63) or any(not xmin <= xid < xmax for xid in running):
            raise ValueError(text)
        return cls(text, xmin, xmax)


@dataclass(frozen=True)
class Cursor:
    """Everything committed before ``prev`` has been read, and of what committed between ``prev`` and ``cur``,
    the rows up to id ``last``. On SQLite only ``last`` counts."""

    prev: Snapshot | None
    cur: Snapshot | None
    last: int

    def encode(self) -> str:
        if self.cur is None:
            return str(self.last)
        raw = f"{self.prev.text};{self.cur.text};{self.last}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, value: str | None, postgresql: bool) -> Cursor:
        if value is None or value == "":
            start = Snapshot.parse(NOTHING) if postgresql else None
            return cls(start, start, 0)
        if value == NOW:
            return now(postgresql)
        try:
            if not postgresql:
                if not (value.isascii() and value.isdigit() and len(value) <= 19):
                    raise ValueError(value)
                return cls(None, None, int(value))
            if len(value) > 4096:
                raise ValueError(value)
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode("ascii")
            prev, cur, last = raw.split(";")
            if not (last.isdigit() and len(last) <= 19):
                raise ValueError(value)
            prev, cur = Snapshot.parse(prev), Snapshot.parse(cur)
            if prev.xmax > cur.xmax:
                raise ValueError(value)
            return cls(prev, cur, int(last))
        except (ValueError, UnicodeError, binascii.Error):
            raise ValidationError({"after": [BAD_CURSOR]}) from None


def now(postgresql: bool) -> Cursor:
    """The cursor of this moment: what commits from now on comes after it."""
    if postgresql:
        snapshot = current_snapshot()
        return Cursor(snapshot, snapshot, 0)
    return Cursor(None, None, Change.objects.order_by("-id").values_list("id", flat=True).first() or 0)


def current_snapshot() -> Snapshot:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_snapshot()::text")
        return Snapshot.parse(cursor.fetchone()[0])


def _visible_in(snapshot: Snapshot) -> RawSQL:
    return RawSQL(
        f'pg_visible_in_snapshot("{Change._meta.db_table}"."xact_id"::text::xid8, %s::pg_snapshot)',
        [snapshot.text],
        output_field=BooleanField(),
    )


def _batch(changes, prev: Snapshot, cur: Snapshot, last: int, limit: int) -> list[Change]:
    """The rows committed after ``prev`` and by ``cur``, after id ``last``, in id order."""
    rows = changes.filter(xact_id__gte=prev.xmin, xact_id__lt=cur.xmax, id__gt=last)
    return list(rows.filter(_visible_in(cur)).exclude(_visible_in(prev)).order_by("id")[:limit])


def read(changes, cursor: Cursor, limit: int) -> tuple[list[tuple[Change, Cursor]], Cursor]:
    """Up to ``limit`` entries from ``changes`` after ``cursor``, each with its own cursor, and the cursor to
    read on from."""
    if cursor.cur is None:  # SQLite: the id order is the commit order
        rows = list(changes.filter(id__gt=cursor.last).order_by("id")[:limit])
        end = Cursor(None, None, rows[-1].id) if rows else cursor
        return [(row, Cursor(None, None, row.id)) for row in rows], end
    entries = [(row, Cursor(cursor.prev, cursor.cur, row.id)) for row in _batch(changes, *_parts(cursor), limit)]
    end = entries[-1][1] if entries else cursor
    if len(entries) < limit:  # the batch is read to its end: the next one ends at the reader's snapshot
        now = current_snapshot()
        if now.xmax >= cursor.cur.xmax and now != cursor.cur:  # (a replica behind the cursor's: wait for it)
            rows = _batch(changes, cursor.cur, now, 0, limit - len(entries))
            entries += [(row, Cursor(cursor.cur, now, row.id)) for row in rows]
            # An empty batch is done with: the next starts from this snapshot.
            end = entries[-1][1] if rows else Cursor(now, now, 0)
    return entries, end


def _parts(cursor: Cursor) -> tuple[Snapshot, Snapshot, int]:
    return cursor.prev, cursor.cur, cursor.last


# --- What a user may read ---------------------------------------------------------------------------------
def readable_resources(user) -> list[str]:
    """The resources whose changes ``user`` may read: those they may view. A citation names the record it
    supports, so citations only for a user who may view every kind of record cited."""
    names = [name for name, resource in RESOURCES.items() if may_view(user, resource.model)]
    cited = [resource.model for resource in RESOURCES.values() if issubclass(resource.model, CitedModel)]
    if "citations" in names and not all(may_view(user, model) for model in cited):
        names.remove("citations")
    return names


# --- Entries --------------------------------------------------------------------------------------------------
def current_records(request, changes: list[Change]) -> dict[tuple[str, int], tuple[dict, str]]:
    """The records created or updated by ``changes`` as they are now, as the API shows them, with their natural
    keys: (resource, id) -> (representation, key). Records deleted since are left out. A few queries per
    resource, however many records."""
    from cooperation.api.views import viewset_for

    wanted: dict[str, set[int]] = {}
    for change in changes:
        if change.op in (Op.CREATE, Op.UPDATE):
            wanted.setdefault(change.resource, set()).add(change.record_id)
    found = {}
    for name, ids in wanted.items():
        resource = RESOURCES[name]
        viewset = viewset_for(resource)
        queryset = viewset.queryset.filter(pk__in=ids)
        if resource.model in NATURAL_KEYS:
            queryset = queryset.annotate(_feed_key=natural_key(resource.model).expression())
        lookups = queryset._prefetch_related_lookups
        records = list(queryset.prefetch_related(None) if lookups else queryset)
        if lookups:
            prefetch_page(records, lookups)
        data = viewset.serializer_class(records, many=True, context={"request": request}).data
        for record, shown in zip(records, data, strict=True):
            found[name, record.pk] = (shown, getattr(record, "_feed_key", None))
    return found


def entry(request, change: Change, cursor: Cursor, records: dict) -> dict:
    data, key = records.get((change.resource, change.record_id), (None, None))
    merged_into = None
    if change.op == Op.MERGE and change.merged_into is not None:
        basename = RESOURCES[change.resource].model._meta.model_name
        url = reverse(f"api:{basename}-detail", kwargs={"pk": change.merged_into}, request=request)
        merged_into = {"id": change.merged_into, "api_url": url}
    return {
        "cursor": cursor.encode(),
        "op": change.op,
        "resource": change.resource,
        "id": change.record_id,
        "key": key,
        "at": serializers.DateTimeField().to_representation(change.changed_at),
        "data": data,
        "merged_into": merged_into,
    }


def without_format(request):
    """The request as records are shown for: their addresses without this request's ``?format=jsonl`` (which
    DRF's ``reverse`` would carry over), so that they are the addresses the resources give."""
    shown_as = copy.copy(request._request)
    shown_as.GET = request._request.GET.copy()
    shown_as.GET.pop(api_settings.URL_FORMAT_OVERRIDE, None)
    return shown_as


# --- The view -------------------------------------------------------------------------------------------------
class ChangeSerializer(serializers.Serializer):
    """One entry of the feed (for the schema; entries are built by ``entry``)."""

    cursor = serializers.CharField(help_text="Read on from here (`after=`) to get the entries after this one.")
    op = serializers.ChoiceField(choices=Op.choices, help_text="create, update, delete or merge.")
    resource = serializers.ChoiceField(choices=sorted(RESOURCES), help_text="The resource, e.g. agreements.")
    id = serializers.IntegerField(help_text="The record's id in that resource.")
    key = serializers.CharField(
        allow_null=True, help_text="The record's natural key now (as CSV cells and filters take it); null once gone."
    )
    at = serializers.DateTimeField(help_text="When the change was written.")
    data = serializers.SerializerMethodField(
        help_text="For create and update: the record as it is now, exactly as `GET /api/v1/<resource>/<id>/` "
        "shows it (null if it has been deleted since: a later entry says so). Null for delete and merge."
    )
    merged_into = MergedIntoSerializer(
        allow_null=True, help_text="For merge: the record of the same resource the duplicate went into."
    )

    @extend_schema_field({"type": "object", "nullable": True, "additionalProperties": True})
    def get_data(self, change) -> dict | None:
        return None


class ChangePageSerializer(serializers.Serializer):
    next = serializers.URLField(help_text="The feed from the last entry on: poll it for more.")
    cursor = serializers.CharField(help_text="The cursor of `next`.")
    results = ChangeSerializer(many=True)


class JSONLinesRenderer(renderers.BaseRenderer):
    """``?format=jsonl``: one entry per line (an error as one line of its own)."""

    media_type = "application/jsonl"
    format = "jsonl"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        items = data["results"] if isinstance(data, dict) and "results" in data else [data]
        return b"".join(json.dumps(item, ensure_ascii=False).encode() + b"\n" for item in items)


class ChangesView(APIView):
    """Every create, update, delete and merge of every resource, in commit order, from ``after`` on.

    Each entry has its `cursor`, `op`, `resource`, `id`, natural `key`, the time (`at`), the record as it is now
    (`data`, for create and update) and, for a merge, the record the duplicate went into (`merged_into`). Start
    without `after`; then give the last entry's `cursor` (or follow `next`): no change is ever skipped or given
    twice, even one whose transaction commits after later ones. `?format=jsonl` gives JSON Lines."""

    permission_classes = [ReadOnlyUnlessStaff]
    renderer_classes = [renderers.JSONRenderer, JSONLinesRenderer, renderers.BrowsableAPIRenderer]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "after",
                str,
                description="A cursor the feed gave; leave it out to start from the beginning. `now`: no entries, "
                "and the cursor of this moment (take it before copying the data by export, then follow from it).",
            ),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": CursorPagination.max_page_size},
                description=f"Entries per page (default {DEFAULT_LIMIT}, at most {CursorPagination.max_page_size}).",
            ),
        ],
        responses={
            (200, "application/json"): ChangePageSerializer,
            (200, "application/jsonl"): OpenApiResponse(OpenApiTypes.STR, description="One entry per line."),
        },
    )
    def get(self, request, *args, **kwargs):
        unknown = sorted(set(request.query_params) - PARAMETERS)
        if unknown:
            known = f"Unknown parameter. Known: {', '.join(sorted(PARAMETERS))}."
            raise ValidationError({name: [known] for name in unknown})
        paginator = CursorPagination()
        paginator.page_size = DEFAULT_LIMIT
        limit = paginator.get_page_size(request)
        cursor = Cursor.decode(request.query_params.get("after"), connection.vendor == "postgresql")
        changes = Change.objects.filter(resource__in=readable_resources(request.user))
        read_entries, end = read(changes, cursor, limit) if request.query_params.get("after") != NOW else ([], cursor)
        shown_as = without_format(request)
        records = current_records(shown_as, [change for change, _ in read_entries])
        next_url = replace_query_param(request.build_absolute_uri(), "after", end.encode())
        results = [entry(shown_as, change, at, records) for change, at in read_entries]
        page = {"next": next_url, "cursor": end.encode(), "results": results}
        return Response(page, headers={"Link": f'<{next_url}>; rel="next"'})
