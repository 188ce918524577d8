"""Cooperation in action: joint operations with their participants and outcomes, and events."""

from django.contrib import admin
from django.db.models import Prefetch

from cooperation.models import CONCERNABLE, Event, EventConcern, Operation, OperationOutcome, OperationParticipant

from .base import CitedAdmin, TrackedAdmin, joined
from .filters import CollapsedRelatedOnlyFilter, part_filters, resource_filters


@admin.register(Operation)
class OperationAdmin(CitedAdmin):
    list_display = ("name", "status", "start", "end", "place", "participant_list", "legal_basis")
    list_filter = resource_filters(Operation, "drug", country="participants' country", region="participants' region")
    search_fields = (
        "name",
        "summary",
        "participants__country__name",
        "participants__region__name",
        "participants__agency__name",
    )
    list_select_related = ("legal_basis", "place__country")
    autocomplete_fields = ("legal_basis", "place")
    fieldsets = ((None, {"fields": ("name", "status", "place", "legal_basis", "summary")}),)

    def get_queryset(self, request):
        participants = OperationParticipant.objects.select_related("country", "region", "agency")
        return super().get_queryset(request).prefetch_related(Prefetch("participants", participants))

    @admin.display(description="participants")
    def participant_list(self, operation: Operation) -> str:
        return joined([p.agency or p.country or p.region for p in operation.participants.all()])


@admin.register(OperationParticipant)
class OperationParticipantAdmin(TrackedAdmin):
    list_display = ("operation", "country", "region", "agency", "role")
    list_select_related = ("operation", "country", "region", "agency")
    list_filter = ("role", *part_filters(OperationParticipant))
    search_fields = ("operation__name", "country__name", "region__name", "agency__name", "agency__acronym")
    autocomplete_fields = ("operation", "country", "region", "agency")


@admin.register(OperationOutcome)
class OperationOutcomeAdmin(TrackedAdmin):
    list_display = ("operation", "kind", "drug", "quantity", "unit", "description")
    list_select_related = ("operation", "drug")
    list_filter = ("kind", "unit", ("drug", CollapsedRelatedOnlyFilter))
    search_fields = ("operation__name", "drug__name", "description")
    autocomplete_fields = ("operation", "drug")


@admin.register(Event)
class EventAdmin(CitedAdmin):
    list_display = ("title", "kind", "stance", "date", "country", "region", "place", "official_list")
    list_select_related = ("country", "region", "place__country")
    list_filter = resource_filters(Event, country="country (place or concerned)", region="region (place or concerned)")
    search_fields = ("title", "summary", "place__name", "country__name", "region__name", "officials__name")
    autocomplete_fields = (
        "country",
        "region",
        "place",
        "officials",
        "speaker_post",
        "agencies",
        "countries_concerned",
    )
    fieldsets = (
        (None, {"fields": ("title", ("kind", "stance"), ("country", "region", "place"), "summary")}),
        ("Who and about whom", {"fields": ("officials", "speaker_post", "agencies", "countries_concerned")}),
    )
    part_options = {"concerns": {"extra": 1}}

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("officials")

    @admin.display(description="officials")
    def official_list(self, event: Event) -> str:
        return joined(event.officials.all(), limit=3)


@admin.register(EventConcern)
class EventConcernAdmin(TrackedAdmin):
    list_display = ("event", "concerned", "note")
    # An assessment is shown by its subject and drug.
    list_select_related = (
        "event",
        *CONCERNABLE,
        "assessment__subject_country",
        "assessment__subject_region",
        "assessment__drug",
    )
    search_fields = ("event__title", "note")
    autocomplete_fields = ("event", *CONCERNABLE)

    @admin.display(description="concerns")
    def concerned(self, concern: EventConcern) -> str:
        return str(concern)
