"""The drug trade: drugs, trafficking routes as ordered nodes, and assessments of a place's role in it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from .base import (
    CitedModel,
    NaturallyKeyed,
    TrackedHistory,
    TrackedModel,
    bounds_in_order,
    exactly_one,
    optional,
    partial_date_fields,
)
from .choices import AssessmentRole, DrugGroup, Likelihood, NodeRole, RouteStatus, TransportMode, Trend
from .geography import located_by_place, place_field


class Drug(NaturallyKeyed, TrackedModel):
    name = models.CharField(max_length=100, unique=True)
    group = models.CharField(max_length=40, choices=DrugGroup.choices)
    description = models.TextField(blank=True)

    history = TrackedHistory()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TraffickingRoute(NaturallyKeyed, CitedModel):
    name = models.CharField(max_length=300)
    drug = models.ForeignKey(Drug, on_delete=models.PROTECT, related_name="routes")
    concealment = models.CharField(
        "concealment method", max_length=300, blank=True, help_text="E.g. in plantain shipments."
    )
    transport_mode = models.CharField(
        max_length=20, choices=TransportMode.choices, blank=True, help_text="Empty when the sources do not say."
    )
    identified_by = optional("cooperation.Agency", related_name="identified_routes")
    status = models.CharField(max_length=20, choices=RouteStatus.choices, db_index=True)
    first_reported, first_reported_edtf, first_reported_earliest, first_reported_latest = partial_date_fields(
        "first reported"
    )
    summary = models.TextField(blank=True)

    partial_dates = ("first_reported",)
    name_fields = ("name",)
    history = TrackedHistory()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["name"], name="trafficking_route_name_idx")]  # its natural key
        constraints = [bounds_in_order("first_reported")]

    def __str__(self) -> str:
        return self.name


class RouteNode(TrackedModel):
    """One stop on a route, in order: a country or a region (and optionally a place in it)."""

    route = models.ForeignKey(TraffickingRoute, on_delete=models.CASCADE, related_name="nodes")
    position = models.PositiveSmallIntegerField(help_text="1 for the first stop, then 2, 3, ...")
    country = optional("cooperation.Country", related_name="route_nodes")
    region = optional("cooperation.Region", related_name="route_nodes")
    place = place_field("route_nodes", "The port, city or border crossing, when known; it lies in the stop's country.")
    role = models.CharField(max_length=20, choices=NodeRole.choices)

    identity_fields = ("position",)
    history = TrackedHistory()

    class Meta:
        ordering = ["route_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["route", "position"],
                name="routenode_position_unique_per_route",
                violation_error_message="Another stop of this route already has this position.",
            ),
            models.CheckConstraint(
                condition=Q(position__gte=1),
                name="routenode_position_from_one",
                violation_error_message="Positions start at 1.",
            ),
            exactly_one("country", "region", name="country_or_region"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.country or self.region} ({self.get_role_display()})"

    def clean(self) -> None:
        super().clean()
        located_by_place(self)  # "the port of Callao" is a stop in Peru


class Assessment(NaturallyKeyed, CitedModel):
    """A claim about a country's or region's place in the drug trade, and who makes it."""

    subject_country = optional("cooperation.Country", related_name="assessments")
    subject_region = optional("cooperation.Region", related_name="assessments")
    drug = optional(Drug, related_name="assessments")
    role = models.CharField(max_length=30, choices=AssessmentRole.choices)
    trend = models.CharField(max_length=20, choices=Trend.choices, blank=True, help_text="Empty when not stated.")
    likelihood = models.CharField(
        max_length=20,
        choices=Likelihood.choices,
        default=Likelihood.ESTABLISHED,
        help_text="How firmly the assessor states it (\u201cpossibly\u201d is possible).",
    )
    market = optional(
        "cooperation.Region",
        related_name="market_assessments",
        help_text="The market it serves, e.g. Europe for \u201can entry point for cocaine into Europe\u201d.",
    )
    assessed_by_agency = optional("cooperation.Agency", related_name="assessments")
    assessed_by_official = optional("cooperation.Official", related_name="assessments")
    as_of, as_of_edtf, as_of_earliest, as_of_latest = partial_date_fields("as of")
    claim = models.TextField(help_text="The claim in a sentence.")

    partial_dates = ("as_of",)
    history = TrackedHistory()

    class Meta:
        ordering = ["id"]
        constraints = [
            exactly_one("subject_country", "subject_region", name="one_subject"),
            models.CheckConstraint(
                condition=Q(assessed_by_agency__isnull=False) | Q(assessed_by_official__isnull=False),
                name="assessment_has_an_assessor",
                violation_error_message="Say who makes the assessment: an agency, an official or both.",
            ),
            bounds_in_order("as_of"),
        ]

    def __str__(self) -> str:
        drug = f"{self.drug} " if self.drug_id else ""
        return f"{self.subject_country or self.subject_region}: {drug}{self.get_role_display().lower()}"

    def clean(self) -> None:
        super().clean()
        if not (self.assessed_by_agency_id or self.assessed_by_official_id):
            raise ValidationError(
                {"assessed_by_agency": "Say who makes the assessment: an agency, an official or both."},
                code="required",
            )
