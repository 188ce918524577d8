"""Training centres and the courses (cohorts) they run, with trainees per country."""

from __future__ import annotations

from django.db import models

from .agreements import Vocabulary
from .base import (
    CitedModel,
    NaturallyKeyed,
    TrackedHistory,
    TrackedModel,
    bounds_in_order,
    duplicate_check_fields,
    ends_after_start,
    not_a_duplicate,
    partial_date_fields,
)


class TrainingTopic(Vocabulary):
    history = TrackedHistory()

    class Meta(Vocabulary.Meta):
        pass


class CentreStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    UNDER_CONSTRUCTION = "under_construction", "Being set up"
    OPERATIONAL = "operational", "Operational"
    CLOSED = "closed", "Closed"


class TrainingCentre(NaturallyKeyed, CitedModel):
    name = models.CharField(max_length=300, help_text="Its name, or a description when the sources give none.")
    host_country = models.ForeignKey(
        "cooperation.Country", on_delete=models.PROTECT, related_name="hosted_training_centres"
    )
    place = models.CharField(max_length=200, blank=True, help_text="Town or site, when known.")
    operator = models.ForeignKey(
        "cooperation.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="operated_training_centres",
        verbose_name="operating agency",
    )
    sponsor_country = models.ForeignKey(
        "cooperation.Country",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sponsored_training_centres",
        verbose_name="sponsoring country",
    )
    status = models.CharField(max_length=20, choices=CentreStatus.choices, db_index=True)
    opened, opened_edtf, opened_earliest, opened_latest = partial_date_fields("opened")
    topics = models.ManyToManyField(TrainingTopic, blank=True, related_name="training_centres")
    expected_countries = models.PositiveSmallIntegerField(
        "expected participating countries",
        null=True,
        blank=True,
        help_text="How many countries are to send trainees, even when the sources do not name them.",
    )
    summary = models.TextField(blank=True)
    duplicate_key, confirmed_distinct = duplicate_check_fields()

    partial_dates = ("opened",)
    name_fields = ("name",)
    history = TrackedHistory(m2m_fields=[topics])

    class Meta:
        ordering = ["name"]
        # An export asks, for each centre it names, whether another has the same name (natural_keys.py).
        indexes = [models.Index(fields=["name"], name="trainingcentre_name_idx")]
        constraints = [bounds_in_order("opened"), not_a_duplicate()]

    def __str__(self) -> str:
        return self.name


class TrainingCourse(CitedModel):
    """One cohort: a course given at a centre (or elsewhere) by a provider, with trainees per country."""

    title = models.CharField(max_length=300)
    centre = models.ForeignKey(TrainingCentre, on_delete=models.PROTECT, null=True, blank=True, related_name="courses")
    provider = models.ForeignKey(
        "cooperation.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="training_courses"
    )
    start, start_edtf, start_earliest, start_latest = partial_date_fields("start")
    end, end_edtf, end_earliest, end_latest = partial_date_fields("end")
    topics = models.ManyToManyField(TrainingTopic, blank=True, related_name="training_courses")
    total_trained = models.PositiveIntegerField(null=True, blank=True, help_text="Trainees in all, when reported.")
    summary = models.TextField(blank=True)

    partial_dates = ("start", "end")
    periods = (("start", "end"),)
    name_fields = ("title",)
    history = TrackedHistory(m2m_fields=[topics])

    class Meta:
        ordering = ["id"]
        constraints = [bounds_in_order("start"), bounds_in_order("end"), ends_after_start()]

    def __str__(self) -> str:
        return self.title


class CourseParticipant(TrackedModel):
    course = models.ForeignKey(TrainingCourse, on_delete=models.CASCADE, related_name="participants")
    country = models.ForeignKey("cooperation.Country", on_delete=models.PROTECT, related_name="course_participations")
    agency = models.ForeignKey(
        "cooperation.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="course_participations",
        help_text="The trainees' agency, when known.",
    )
    trainees = models.PositiveIntegerField(null=True, blank=True, help_text="Number of trainees, when reported.")

    identity_fields = ("country",)
    history = TrackedHistory()

    class Meta:
        ordering = ["course_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "country"],
                name="courseparticipant_country_once_per_course",
                violation_error_message="This country is already listed for this course.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.country}: {self.trainees if self.trainees is not None else 'unknown'} trainees"
