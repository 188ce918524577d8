"""The timeline: when the records of each kind happened, drawn from counts, with partial dates as the ranges
they are.

A record's place in time is one of its partial dates, or its period (``WHEN``). Its date is known as bounds
(``cooperation.partial_dates``): "2012" is 2012-01-01 to 2012-12-31, "after October 2012" has no latest day.
The timeline counts records by the years of those bounds, ``(earliest year, latest year) -> records``, in one
grouped query per kind: a country with 10,000 agreements costs what one with ten does. A pair with the same
year twice is a column in that year; any other pair is a bar across the years it may fall in, open where a
bound is unknown. The table beside the picture and the CSV are those same counts.

The records counted are chosen by each kind's own filterset, the API's (``country=PE``, ``date_from=2010``,
``status=signed``): the address is the permalink, and the records behind a count are the API's list with the
same filters. ``kind`` names the kinds of record drawn (all those that have every filter given, by default).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field

from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.text import capfirst
from django.views.decorators.http import require_safe

from cooperation.api.caching import revalidated
from cooperation.api.permissions import may_view
from cooperation.explorer.access import login_when_required
from cooperation.explorer.pages import list_url
from cooperation.resources import RESOURCES, Resource

#: Where each kind of record sits in time: (the partial date it starts at, the one it ends at); the same name
#: twice for a single date. Agreements are placed by their signature, the step every agreement has.
WHEN = {
    "agreements": ("signed", "signed"),
    "training-courses": ("start", "end"),
    "operations": ("start", "end"),
    "events": ("date", "date"),
    "trafficking-routes": ("first_reported", "first_reported"),
    "assessments": ("as_of", "as_of"),
    "posts": ("start", "end"),
}
#: The pages that show a timeline of their record, and the filter that chooses what involves it.
OF_RECORD = {"countries": "country", "agencies": "agency", "officials": "official"}
#: What a record's page passes on to its timeline: the kinds drawn and the period.
TIMELINE_FILTERS = ("kind", "date_from", "date_to", "date_match")
#: Parameters of the timeline itself; every other one is a filter of the kinds drawn.
OWN = ("kind", "format")

# The picture's geometry, in the SVG's own units (it scales to the page's width).
WIDTH = 1000
LABEL = 150  # the lanes' names, left of the plot
COLUMNS = 70  # the tallest column
TRACK = 12  # a row of range bars
GAP = 26  # between lanes
AXIS = 24
ARROW = 6


@dataclass(frozen=True)
class Span:
    """Records of one kind whose date lies somewhere between two years (None: that side is not known)."""

    first: int | None
    last: int | None
    records: int

    @property
    def dated(self) -> bool:
        return self.first is not None or self.last is not None

    @property
    def one_year(self) -> bool:
        return self.first is not None and self.first == self.last

    @property
    def text(self) -> str:
        if not self.dated:
            return "date not known"
        if self.one_year:
            return str(self.first)
        return f"{self.first or '…'} to {self.last or '…'}"


@dataclass
class Lane:
    resource: Resource
    label: str
    spans: list[Span]
    list_url: str
    # Filled by the layout: the shapes in SVG units.
    columns: list[dict] = field(default_factory=list)
    bars: list[dict] = field(default_factory=list)
    top: int = 0
    height: int = 0

    @property
    def name_y(self) -> int:
        return self.top + 40

    @property
    def count_y(self) -> int:
        return self.top + 58

    @property
    def undated(self) -> int:
        return sum(span.records for span in self.spans if not span.dated)

    @property
    def total(self) -> int:
        return sum(span.records for span in self.spans)


@dataclass
class Timeline:
    lanes: list[Lane]
    query: str  # the filters, as the permalink and the CSV link carry them
    errors: dict[str, list[str]] = field(default_factory=dict)
    first_year: int | None = None
    last_year: int | None = None
    ticks: list[dict] = field(default_factory=list)
    height: int = 0

    @property
    def rows(self) -> list[tuple[Lane, Span]]:
        return [(lane, span) for lane in self.lanes for span in lane.spans]

    @property
    def drawn(self) -> bool:
        return self.first_year is not None

    @property
    def drawn_lanes(self) -> list[Lane]:
        """The lanes with something to draw (a kind with no record takes no room; the table has no row for it)."""
        return [lane for lane in self.lanes if lane.spans]


# --- Counting ---------------------------------------------------------------------------------------------
def kinds_for(params: QueryDict, user) -> tuple[list[Resource], dict[str, list[str]]]:
    """The kinds drawn: those named by ``kind``, or every kind that has all the filters given; and what is wrong
    with the parameters, by name."""
    errors: dict[str, list[str]] = {}
    named = params.getlist("kind")
    unknown = [name for name in named if name not in WHEN]
    if unknown:
        errors["kind"] = [f"Not a kind of record on the timeline: {', '.join(unknown)}. One of: {', '.join(WHEN)}."]
    filters = [name for name in params if name not in OWN]
    for name, values in params.lists():
        if any("\x00" in value for value in values):
            errors[name] = ["The value contains a NUL character."]
    candidates = [RESOURCES[name] for name in (named or WHEN) if name in WHEN]
    kinds = []
    for resource in candidates:
        missing = [name for name in filters if name not in resource.filterset_class.base_filters]
        if named:
            for name in missing:
                errors.setdefault(name, []).append(f"Not a filter of {resource.name}.")
        if not missing and may_view(user, resource.model):
            kinds.append(resource)
    if not named and filters and not kinds:
        for name in filters:
            errors.setdefault(name, ["No kind of record on the timeline has this filter."])
    return kinds, errors


def spans(resource: Resource, params: QueryDict) -> tuple[list[Span], dict[str, list[str]]]:
    """The kind's records that pass its filterset, counted by the years of their bounds (one query)."""
    model = resource.model
    filterset = resource.filterset_class(params, queryset=model._default_manager.all())
    if not filterset.is_valid():
        return [], dict(filterset.errors)
    start, end = WHEN[resource.name]
    rows = (
        # A filter through a relation with many values (parties) is a sub-query (``semi_joins``): no record
        # comes back twice, so the records can be grouped as they are.
        filterset.qs.order_by()
        .annotate(first=ExtractYear(f"{start}_earliest"), last=ExtractYear(f"{end}_latest"))
        .values("first", "last")
        .annotate(records=Count("pk"))
        .order_by()
    )
    return ordered([Span(row["first"], row["last"], row["records"]) for row in rows]), {}


def ordered(found: list[Span]) -> list[Span]:
    """Dated first, in time order; undated last."""
    return sorted(found, key=lambda s: (not s.dated, s.first if s.first is not None else -1, s.last or 10_000))


def timeline(params: QueryDict, user, counted=None) -> Timeline:
    """The timeline of the records that the filters in ``params`` choose (one grouped query per kind; none when
    ``counted`` has them already: a country's kept counts, ``counts.Counted``, for its own ``country`` filter)."""
    kinds, errors = kinds_for(params, user)
    query = params.copy()
    query.pop("format", None)
    result = Timeline(lanes=[], query=query.urlencode(), errors=errors)
    if errors:
        return result
    filters = params.copy()
    for name in OWN:
        filters.pop(name, None)
    for resource in kinds:
        if counted is not None:
            years = counted.years.get(resource.name, {})
            found, wrong = ordered([Span(first, last, records) for (first, last), records in years.items()]), {}
        else:
            found, wrong = spans(resource, filters)
        if wrong:
            result.errors.update(wrong)
            continue
        address = list_url(resource) + (f"?{filters.urlencode()}" if filters else "")
        result.lanes.append(Lane(resource, capfirst(resource.model._meta.verbose_name_plural), found, address))
    if not result.errors:
        lay_out(result, filters)
    return result


# --- Drawing ----------------------------------------------------------------------------------------------
def lay_out(timeline: Timeline, filters: QueryDict) -> None:
    """Place the shapes: one lane per kind, a column per single year (its height the count, against the
    tallest of the picture), and under the columns each range as a bar over its years, bars that do not
    overlap sharing a row. An unknown side, or one beyond the window asked for, runs to the edge, marked open."""
    years = [y for lane in timeline.lanes for s in lane.spans for y in (s.first, s.last) if y is not None]
    if not years:
        return
    first, last = min(years), max(years)
    window = _window_years(filters)
    first = window[0] if window[0] is not None else first
    last = window[1] if window[1] is not None else last
    if first > last:  # every record lies outside a window it overlaps only by an open side
        first, last = last, first
    timeline.first_year, timeline.last_year = first, last
    count = last - first + 1
    step = (WIDTH - LABEL - ARROW) / count  # room on the right for an open end's arrow
    tallest = max((s.records for lane in timeline.lanes for s in lane.spans if s.one_year), default=1)

    def x(year: int) -> float:
        return round(LABEL + (year - first) * step, 1)

    top = AXIS
    for lane in timeline.drawn_lanes:
        lane.top = top
        base = top + COLUMNS
        for span in lane.spans:
            if span.one_year and first <= span.first <= last:
                height = max(1.0, round(COLUMNS * span.records / tallest, 1))
                lane.columns.append(
                    {"x": x(span.first) + step * 0.1, "y": base - height, "width": round(step * 0.8, 1)}
                    | {"height": height, "span": span}
                )
        tracks: list[float] = []  # the right end of the last bar in each row
        for span in lane.spans:
            if not span.dated or span.one_year:
                continue
            open_start = span.first is None or span.first < first
            open_end = span.last is None or span.last > last
            left = x(first) if open_start else x(span.first)
            right = round((x(last) if open_end else x(span.last)) + step, 1)
            row = next((i for i, end in enumerate(tracks) if end <= left), None)
            if row is None:
                tracks.append(right)
                row = len(tracks) - 1
            tracks[row] = right
            y = base + 6 + row * TRACK
            arrows = []  # a triangle past each open side
            if open_start:
                arrows.append(f"M{left} {y}L{round(left - ARROW, 1)} {y + 4}L{left} {y + 8}Z")
            if open_end:
                arrows.append(f"M{right} {y}L{round(right + ARROW, 1)} {y + 4}L{right} {y + 8}Z")
            lane.bars.append(
                {"x": left, "y": y, "width": round(right - left, 1), "span": span, "arrows": arrows}
                | {"label_x": round((left + right) / 2, 1), "label_y": y + 7}
            )
        lane.height = COLUMNS + 6 + len(tracks) * TRACK + GAP
        top += lane.height
    timeline.height = top
    every = max(1, round(count / 10))  # about ten labelled years, whatever the span
    timeline.ticks = [
        {"x": round(x(year) + step / 2, 1), "year": year}
        for year in range(first, last + 1)
        if (year - first) % every == 0
    ]


def _window_years(filters: QueryDict) -> tuple[int | None, int | None]:
    """The years of ``date_from`` and ``date_to`` (already validated by the filtersets: YYYY[-MM[-DD]])."""
    ends = []
    for name in ("date_from", "date_to"):
        value = filters.get(name, "")
        ends.append(int(value[:4]) if value[:4].isdigit() else None)
    return ends[0], ends[1]


# --- Pages ------------------------------------------------------------------------------------------------
def context(params: QueryDict, user, fixed: dict[str, str] | None = None, counted=None) -> dict:
    """What the timeline's template needs, for the request's parameters with ``fixed`` ones (a dossier's own
    ``country``) set over them; ``counted``: the counts of what ``fixed`` chooses, when no period is asked for."""
    chosen = params.copy()
    for name in TIMELINE_FILTERS:  # the form's fields left empty are sent empty: they ask for nothing
        if not any(chosen.getlist(name)):
            chosen.pop(name, None)
    for name, value in (fixed or {}).items():
        chosen[name] = value
    period = any(name in chosen for name in TIMELINE_FILTERS if name != "kind")
    drawn = timeline(chosen, user, None if period else counted)
    own = QueryDict(mutable=True)
    for name in TIMELINE_FILTERS:
        own.setlist(name, params.getlist(name))
    return {
        "timeline": drawn,
        # The kinds offered: those that have the page's own filter (an official's: no routes).
        "timeline_kinds": [
            (name, capfirst(RESOURCES[name].model._meta.verbose_name_plural))
            for name in WHEN
            if all(fixed in RESOURCES[name].filterset_class.base_filters for fixed in fixed or {})
        ],
        "timeline_chosen": params.getlist("kind"),
        "timeline_params": own,
        "timeline_fixed": fixed or {},
        "timeline_page": f"/timeline/?{drawn.query}",
        "timeline_csv": f"/timeline/?{drawn.query}{'&' if drawn.query else ''}format=csv",
        "width": WIDTH,
        "label_width": LABEL,
    }


def of_record(request, resource: Resource, record, counted=None) -> dict | None:
    """The timeline of a country's dossier, an agency's or an official's page: what its filter chooses (the
    kinds that have it), with the request's ``kind`` and period. None for other kinds of record. ``counted``: a
    country's kept counts, read instead of its records when no period is asked for."""
    name = OF_RECORD.get(resource.name)
    if name is None:
        return None
    key = (getattr(record, "iso2", "") or str(record.pk)) if resource.name == "countries" else str(record.pk)
    params = QueryDict(mutable=True)
    for own in TIMELINE_FILTERS:
        params.setlist(own, request.GET.getlist(own))
    return context(params, request.user, {name: key}, counted)


def csv_response(drawn: Timeline) -> HttpResponse:
    """The counts of the picture and its table: kind, earliest year, latest year (empty: not known), records."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="timeline.csv"'
    writer = csv.writer(response)
    writer.writerow(["kind", "earliest_year", "latest_year", "records"])
    for lane, span in drawn.rows:
        writer.writerow([lane.resource.name, span.first or "", span.last or "", span.records])
    return response


@require_safe
@login_when_required
@revalidated
def timeline_page(request):
    """``/timeline/``: the whole data, or what the filters choose, by kind of record and year."""
    page = context(request.GET, request.user)
    status = 400 if page["timeline"].errors else 200
    if request.GET.get("format") == "csv" and status == 200:
        return csv_response(page["timeline"])
    if request.GET.get("format") not in (None, "csv"):
        page["timeline"].errors["format"] = ["The only format is csv (or none, for this page)."]
        status = 400
    return render(request, "explorer/timeline.html", page, status=status)
