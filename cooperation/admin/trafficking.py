"""The drug trade: drugs, trafficking routes as ordered stops, and assessments of a place's role in it."""

from django.contrib import admin
from django.db.models import F, Prefetch

from cooperation.models import Assessment, RouteNode, TraffickingRoute

from .base import CitedAdmin, TrackedAdmin, joined
from .filters import part_filters, resource_filters

# Far past any real route's last stop, and within a small integer.
PARKED = 10_000


@admin.register(TraffickingRoute)
class TraffickingRouteAdmin(CitedAdmin):
    list_display = ("name", "drug", "path", "concealment", "transport_mode", "status", "identified_by")
    list_select_related = ("drug", "identified_by")
    list_filter = resource_filters(
        TraffickingRoute, "drug", country="country on the route", region="region on the route"
    )
    search_fields = ("name", "concealment", "summary", "drug__name", "nodes__country__name", "nodes__region__name")
    autocomplete_fields = ("drug", "identified_by")
    fieldsets = (
        (None, {"fields": ("name", ("drug", "status"), ("concealment", "transport_mode"), "identified_by", "summary")}),
    )
    part_options = {"nodes": {"extra": 2}}  # a route has at least a start and an end

    def get_queryset(self, request):
        nodes = RouteNode.objects.select_related("country", "region", "place")
        return super().get_queryset(request).prefetch_related(Prefetch("nodes", nodes))

    @admin.display(description="path")
    def path(self, route: TraffickingRoute) -> str:
        return " \u2192 ".join(str(node.country or node.region) for node in route.nodes.all()) or "\u2014"

    def save_formset(self, request, form, formset, change):
        if formset.model is RouteNode:
            # Positions are unique per route, and the database checks that row by row: swapping two stops
            # would collide half-way. Park the stops that move (or go) out of the way first; saving them
            # then writes their final positions (and their history, as the analyst entered them).
            moving = [
                row.instance.pk
                for row in formset.initial_forms
                if formset._should_delete_form(row) or "position" in row.changed_data
            ]
            RouteNode.objects.filter(pk__in=moving).update(position=F("position") + PARKED)
        super().save_formset(request, form, formset, change)


@admin.register(RouteNode)
class RouteNodeAdmin(TrackedAdmin):
    list_display = ("route", "position", "country", "region", "place", "role")
    list_select_related = ("route", "country", "region", "place")
    list_filter = ("role", *part_filters(RouteNode))
    search_fields = ("route__name", "country__name", "region__name", "place__name")
    autocomplete_fields = ("route", "country", "region", "place")


@admin.register(Assessment)
class AssessmentAdmin(CitedAdmin):
    list_display = ("subject", "drug", "role", "trend", "likelihood", "market", "assessor", "as_of")
    # Every record an assessment refers to: shown in the list, and looked up as they are typed.
    list_select_related = autocomplete_fields = (
        "subject_country",
        "subject_region",
        "drug",
        "market",
        "assessed_by_agency",
        "assessed_by_official",
    )
    list_filter = resource_filters(
        Assessment, "drug", "assessed_by", country="subject", region="subject's region", assessed_by="assessed by"
    )
    search_fields = (
        "claim",
        "subject_country__name",
        "subject_region__name",
        "drug__name",
        "assessed_by_agency__name",
        "assessed_by_agency__acronym",
        "assessed_by_official__name",
    )
    fieldsets = (
        (
            None,
            {
                "fields": (
                    ("subject_country", "subject_region"),
                    "drug",
                    "role",
                    ("trend", "likelihood"),
                    "market",
                    "claim",
                )
            },
        ),
        ("Assessed by", {"fields": (("assessed_by_agency", "assessed_by_official"),)}),
    )

    @admin.display(description="subject", ordering="subject_country__name")
    def subject(self, assessment: Assessment) -> str:
        return str(assessment.subject_country or assessment.subject_region)

    @admin.display(description="assessed by")
    def assessor(self, assessment: Assessment) -> str:
        return joined([who for who in (assessment.assessed_by_agency, assessment.assessed_by_official) if who])
