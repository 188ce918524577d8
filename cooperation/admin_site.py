"""The admin site: its index grouped by what analysts do, with the number of rows of each list.

Records (the facts, each cited) come first, then sources, reference data, deletions and background jobs; the
parts that are entered with their record (an agreement's parties, a route's stops) and the accounts and
security tables come last. The groups are derived from the models, so a new model lands in one.

Outside the ``admin`` package: Django imports the site class while the package's modules register their
admins on it."""

from __future__ import annotations

from django.contrib import admin
from django.db import connections, router
from django.http import HttpRequest, JsonResponse
from django.urls import path

RECORDS, SOURCES, REFERENCE, HOUSEKEEPING, PARTS, ACCESS = (
    "Records",
    "Sources and citations",
    "Reference data",
    "Deletions and background jobs",
    "Parts of records (entered with their record)",
    "Accounts and security",
)
SECTIONS = (RECORDS, SOURCES, REFERENCE, HOUSEKEEPING, PARTS, ACCESS)


def section_of(model) -> str:
    from cooperation import models as m
    from cooperation.jobs.models import Job
    from cooperation.resources import RESOURCES

    if model in (m.Source, m.Citation):
        return SOURCES
    if issubclass(model, m.CitedModel):
        return RECORDS
    parts = {
        resource.model._meta.get_field(name).related_model for resource in RESOURCES.values() for name in resource.parts
    }
    if model in parts:
        return PARTS
    if model in (m.Deletion, Job):
        return HOUSEKEEPING
    if model._meta.app_label == "cooperation":
        return REFERENCE
    return ACCESS


#: A table PostgreSQL estimates at more rows than this is shown as "about N" on the index, from the catalogue's
#: estimate: an exact COUNT of a million agreements takes about a second, on every visit to the index.
EXACT_BELOW = 100_000


def row_counts(models) -> dict:
    """The number of rows of each model's table (a number, or "about N" for a large table on PostgreSQL): a
    query or two per database the lists are read from."""
    by_database: dict[str, list] = {}
    for model in models:
        by_database.setdefault(router.db_for_read(model), []).append(model)
    counts: dict = {}
    for alias, in_database in by_database.items():
        connection = connections[alias]
        estimates = estimated_rows(connection, in_database)
        exact = [model for model in in_database if estimates.get(model, -1) < EXACT_BELOW]
        counts.update((model, f"about {about(estimates[model])}") for model in in_database if model not in exact)
        if exact:
            quote = connection.ops.quote_name
            counted = ", ".join(f"(SELECT COUNT(*) FROM {quote(model._meta.db_table)})" for model in exact)
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT {counted}")
                counts.update(zip(exact, cursor.fetchone(), strict=True))
    return counts


def estimated_rows(connection, models) -> dict:
    """PostgreSQL's estimate of each table's rows (``reltuples``, kept by ANALYZE and autovacuum); none for a
    table never analysed, nor on another database."""
    if connection.vendor != "postgresql":
        return {}
    tables = {model._meta.db_table: model for model in models}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE oid IN (SELECT to_regclass(name) FROM unnest(%s) AS name)",
            [list(tables)],
        )
        return {tables[name]: rows for name, rows in cursor.fetchall() if rows >= 0}


def about(rows: float) -> str:
    """An estimate to two significant digits: 1,234,567 rows are about 1,200,000."""
    rounded = int(float(f"{rows:.2g}"))
    return f"{rounded:,}"


class CooperationAdminSite(admin.AdminSite):
    site_header = site_title = "Cooperation Tracker"
    index_title = "Data"
    index_template = "admin/cooperation/index.html"

    def get_app_list(self, request, app_label=None):
        """The index and the sidebar in sections (see the module); an application's own page as Django has it."""
        apps = super().get_app_list(request, app_label)
        if app_label is not None:
            return apps
        sections: dict[str, list] = {name: [] for name in SECTIONS}
        for app in apps:
            for entry in app["models"]:
                sections[section_of(entry["model"])].append(entry)
        return [
            {
                "name": name,
                "app_label": name.split()[0].lower(),
                "app_url": f"#{name.split()[0].lower()}",
                "has_module_perms": True,
                "models": entries,
            }
            for name, entries in sections.items()
            if entries
        ]

    def get_urls(self):
        from cooperation.admin import merging

        return [
            path("read-date/", self.admin_view(read_date), name="read_date"),
            *merging.urls(self),
            *super().get_urls(),
        ]

    def index(self, request, extra_context=None):
        response = super().index(request, extra_context)
        sections = response.context_data["app_list"]
        counts = row_counts([entry["model"] for section in sections for entry in section["models"]])
        for section in sections:
            for entry in section["models"]:
                entry["count"] = counts[entry["model"]]
        return response


def read_date(request: HttpRequest) -> JsonResponse:
    """``?text=late 2012``: how a date typed in a form will be read, shown beside the field as the analyst types
    (``static/cooperation/date-reading.js``): its EDTF value and the earliest and latest days, or why it cannot
    be read. A relative phrase ("next month") is read on save, from the cited source's publication date."""
    from cooperation.partial_dates import PartialDateError, RelativeDateError, from_text

    text = request.GET.get("text", "")
    try:
        date = from_text(text)
    except RelativeDateError:
        return JsonResponse({"relative": "Counted from the publication date of the cited source, on save."})
    except PartialDateError as error:
        return JsonResponse({"error": str(error)})
    earliest, latest = (day.isoformat() if day else None for day in (date.earliest, date.latest))
    return JsonResponse({"edtf": date.edtf, "earliest": earliest, "latest": latest})
