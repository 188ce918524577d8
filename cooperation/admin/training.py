"""Training centres and the courses (cohorts) they run, with who took part in what role."""

from django.contrib import admin
from django.db.models import Prefetch

from cooperation.models import CentreMilestone, CourseMilestone, CourseParticipant, TrainingCentre, TrainingCourse

from .base import CitedAdmin, TrackedAdmin, joined
from .filters import milestone_date_filter, part_filters, resource_filters


@admin.register(TrainingCentre)
class TrainingCentreAdmin(CitedAdmin):
    list_display = ("name", "host_country", "place", "operator", "sponsor_country", "status", "milestone_list")
    list_select_related = ("host_country", "place__country", "operator", "sponsor_country")
    list_filter = resource_filters(
        TrainingCentre,
        "topic",
        "host_country",
        "sponsor_country",
        country="host or sponsor",
        region="host's or sponsor's region",
    ) + [milestone_date_filter(TrainingCentre)]
    search_fields = ("name", "place__name", "host_country__name", "operator__name", "operator__acronym", "summary")
    autocomplete_fields = ("host_country", "place", "operator", "sponsor_country", "topics")
    fieldsets = (
        (None, {"fields": ("name", "status", ("host_country", "place"), ("operator", "sponsor_country"))}),
        ("Training", {"fields": ("topics", "expected_countries", "summary")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related(Prefetch("milestones", CentreMilestone.objects.all()))

    @admin.display(description="milestones")
    def milestone_list(self, centre: TrainingCentre) -> str:
        return joined(list(centre.milestones.all()))


@admin.register(TrainingCourse)
class TrainingCourseAdmin(CitedAdmin):
    list_display = ("title", "session", "status", "centre", "provider", "start", "end", "total_trained")
    list_display += ("participant_list",)
    list_select_related = ("centre", "provider")
    list_filter = resource_filters(
        TrainingCourse, "topic", "centre", country="participants' country", region="participants' region"
    ) + [milestone_date_filter(TrainingCourse)]
    search_fields = ("title", "centre__name", "provider__name", "provider__acronym", "summary")
    autocomplete_fields = ("centre", "provider", "place", "topics")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "title",
                    ("status", "session"),
                    ("centre", "provider"),
                    "place",
                    "topics",
                    "total_trained",
                    "summary",
                )
            },
        ),
    )

    def get_queryset(self, request):
        participants = CourseParticipant.objects.select_related("country", "region", "agency")
        return super().get_queryset(request).prefetch_related(Prefetch("participants", participants))

    @admin.display(description="participants")
    def participant_list(self, course: TrainingCourse) -> str:
        return joined([p.agency or p.country or p.region for p in course.participants.all()])


@admin.register(CourseParticipant)
class CourseParticipantAdmin(TrackedAdmin):
    list_display = ("course", "country", "region", "agency", "role", "trainees")
    list_select_related = ("course", "country", "region", "agency")
    list_filter = ("role", *part_filters(CourseParticipant))
    search_fields = ("course__title", "country__name", "region__name", "agency__name", "agency__acronym")
    autocomplete_fields = ("course", "country", "region", "agency")


class MilestoneAdmin(TrackedAdmin):
    """The milestones of every centre (or course) in one list: by kind, found by their record's name. They are
    entered and changed with their record only, whose form checks them against its status."""

    list_filter = ("kind",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


def milestones_admin(model) -> type[MilestoneAdmin]:
    """The list of one kind of milestone, shown and searched by its record's name (a centre's, a course's title)."""
    record = model.record_field
    name = model._meta.get_field(record).related_model.name_fields[0]
    return type(
        f"{model.__name__}Admin",
        (MilestoneAdmin,),
        {
            "list_display": (record, "kind", "date", "source", "note"),
            "list_select_related": (record, "source"),
            "search_fields": (f"{record}__{name}", "note"),
            "autocomplete_fields": (record, "source"),
        },
    )


for milestone_model in (CentreMilestone, CourseMilestone):
    admin.site.register(milestone_model, milestones_admin(milestone_model))
