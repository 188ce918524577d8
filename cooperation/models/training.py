"""Training centres and the courses (cohorts) they run, with who took part in what role."""

from __future__ import annotations

from django.db import models

from cooperation.quantities import Quantity

from .agreements import Vocabulary
from .base import (
    CitedModel,
    NaturallyKeyed,
    TrackedHistory,
    TrackedModel,
    bounds_in_order,
    check_agency_country,
    duplicate_check_fields,
    ends_after_start,
    not_a_duplicate,
    once_per_role,
    optional,
    partial_date_fields,
    participant_fields,
    party_kind,
)
from .geography import place_field, place_in_country

EXPECTED_COUNTRIES = Quantity("expected_countries")
TOTAL_TRAINED = Quantity("total_trained")
TRAINEES = Quantity("trainees")


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
    place = place_field(
        "training_centres", "The town or site, or the nearest one (its country is the host country), when known."
    )
    operator = optional("cooperation.Agency", related_name="operated_training_centres", verbose_name="operating agency")
    sponsor_country = optional(
        "cooperation.Country", related_name="sponsored_training_centres", verbose_name="sponsoring country"
    )
    status = models.CharField(max_length=20, choices=CentreStatus.choices, db_index=True)
    opened, opened_edtf, opened_earliest, opened_latest = partial_date_fields("opened")
    topics = models.ManyToManyField(TrainingTopic, blank=True, related_name="training_centres")
    (
        expected_countries,
        expected_countries_qualifier,
        expected_countries_high,
        expected_countries_min,
        (expected_countries_max),
    ) = EXPECTED_COUNTRIES.fields(
        "expected participating countries",
        help_text="How many countries are to send trainees, even when the sources do not name them.",
        small=True,
    )
    summary = models.TextField(blank=True)
    duplicate_key, confirmed_distinct = duplicate_check_fields()

    partial_dates = ("opened",)
    quantities = (EXPECTED_COUNTRIES,)
    name_fields = ("name",)
    history = TrackedHistory(m2m_fields=[topics])

    class Meta:
        ordering = ["name"]
        # An export asks, for each centre it names, whether another has the same name (natural_keys.py).
        indexes = [models.Index(fields=["name"], name="trainingcentre_name_idx")]
        constraints = [bounds_in_order("opened"), not_a_duplicate(), *EXPECTED_COUNTRIES.constraints()]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        place_in_country(self, "host_country")


class TrainingCourse(CitedModel):
    """One cohort: a course given at a centre (or elsewhere) by a provider, with trainees per country."""

    title = models.CharField(max_length=300)
    centre = optional(TrainingCentre, related_name="courses")
    provider = optional("cooperation.Agency", related_name="training_courses")
    start, start_edtf, start_earliest, start_latest = partial_date_fields("start")
    end, end_edtf, end_earliest, end_latest = partial_date_fields("end")
    place = place_field("training_courses", "Where it was given (a city or town), when known.")
    topics = models.ManyToManyField(TrainingTopic, blank=True, related_name="training_courses")
    total_trained, total_trained_qualifier, total_trained_high, total_trained_min, total_trained_max = (
        TOTAL_TRAINED.fields("total trained", help_text="Trainees in all, when reported.")
    )
    summary = models.TextField(blank=True)

    partial_dates = ("start", "end")
    periods = (("start", "end"),)
    quantities = (TOTAL_TRAINED,)
    name_fields = ("title",)
    history = TrackedHistory(m2m_fields=[topics])

    class Meta:
        ordering = ["id"]
        constraints = [
            bounds_in_order("start"),
            bounds_in_order("end"),
            ends_after_start(),
            *TOTAL_TRAINED.constraints(),
        ]

    def __str__(self) -> str:
        return self.title


class CourseParticipant(TrackedModel):
    """Who took part in a course, in what role: a country, a region or grouping (when the source names no
    countries) or an agency, which may come with its country and then counts for it in every filter. Trainees
    come as participants; instructors, hosts, sponsors and the countries invited take the other roles."""

    course = models.ForeignKey(TrainingCourse, on_delete=models.CASCADE, related_name="participants")
    country, region, agency, role = participant_fields("course_participations")
    trainees, trainees_qualifier, trainees_high, trainees_min, trainees_max = TRAINEES.fields(
        "trainees", help_text="Number of trainees, when reported."
    )

    #: What makes two participants the same one, when a client sends the course's participants again.
    identity_fields = ("country", "region", "agency", "role")
    quantities = (TRAINEES,)
    history = TrackedHistory()

    class Meta:
        ordering = ["course_id", "id"]
        constraints = [
            party_kind(name="kind_of_participant"),
            *once_per_role("course", "This {kind} already takes part in this course in this role."),
            *TRAINEES.constraints(),
        ]

    def __str__(self) -> str:
        trainees = TRAINEES.value(self)
        trainees = f": {trainees} trainees" if trainees is not None else ""
        return f"{self.agency or self.country or self.region} ({self.get_role_display()}){trainees}"

    def clean(self) -> None:
        super().clean()
        check_agency_country(self)
