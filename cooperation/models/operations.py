"""Cooperation in action: joint operations with their outcomes, and events (visits, tours, statements)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from cooperation.quantities import Quantity

from .base import (
    CitedModel,
    NaturallyKeyed,
    TrackedHistory,
    TrackedModel,
    bounds_in_order,
    by_country_and_agency,
    check_agency_country,
    ends_after_start,
    exactly_one,
    once_per_role,
    optional,
    partial_date_fields,
    participant_fields,
    party_kind,
)
from .choices import EventKind, OperationStatus, OutcomeKind, Stance, Unit
from .geography import located_by_place, place_field


class Operation(NaturallyKeyed, CitedModel):
    name = models.CharField(max_length=300)
    status = models.CharField(max_length=20, choices=OperationStatus.choices, db_index=True)
    start, start_edtf, start_earliest, start_latest = partial_date_fields("start")
    end, end_edtf, end_earliest, end_latest = partial_date_fields("end")
    legal_basis = optional(
        "cooperation.Agreement",
        related_name="operations",
        help_text="The agreement the operation was carried out under, if any.",
    )
    place = place_field("operations", "Where it took place (a city, town or port), when known.")
    summary = models.TextField(blank=True)

    partial_dates = ("start", "end")
    name_fields = ("name",)
    periods = (("start", "end"),)
    history = TrackedHistory()

    class Meta:
        ordering = ["id"]
        # Its name is its natural key: an export asks, for each operation it names, whether another shares it.
        indexes = [models.Index(fields=["name"], name="operation_name_idx")]
        constraints = [bounds_in_order("start"), bounds_in_order("end"), ends_after_start()]

    def __str__(self) -> str:
        return self.name


class OperationParticipant(TrackedModel):
    """Who took part in an operation, in what role: a country, a region or grouping (when the source names no
    countries) or an agency, which may come with its country and then counts for it in every filter."""

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="participants")
    country, region, agency, role = participant_fields("operation_participations")

    #: What makes two participants the same one, when a client sends the operation's participants again.
    identity_fields = ("country", "region", "agency", "role")
    history = TrackedHistory()

    class Meta:
        ordering = ["operation_id", "id"]
        indexes = by_country_and_agency("operation", "opparticipant")
        constraints = [
            party_kind(name="kind_of_participant"),
            *once_per_role("operation", "This {kind} already takes part in this operation in this role."),
        ]

    def __str__(self) -> str:
        return f"{self.agency or self.country or self.region} ({self.get_role_display()})"

    def clean(self) -> None:
        super().clean()
        check_agency_country(self)


#: An outcome's amount: a whole number when it counts persons, laboratories or units.
OUTCOME_QUANTITY = Quantity("quantity", unit="unit", whole_units=(Unit.PERSON, Unit.LABORATORY, Unit.UNIT))


class OperationOutcome(TrackedModel):
    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="outcomes")
    kind = models.CharField(max_length=30, choices=OutcomeKind.choices)
    drug = optional("cooperation.Drug", related_name="operation_outcomes")
    quantity, quantity_qualifier, quantity_high, quantity_min, quantity_max = OUTCOME_QUANTITY.fields("quantity")
    unit = models.CharField(max_length=20, choices=Unit.choices, blank=True)
    description = models.CharField(max_length=500, blank=True)

    quantities = (OUTCOME_QUANTITY,)
    history = TrackedHistory()

    class Meta:
        ordering = ["operation_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__isnull=True, unit="") | (Q(quantity__isnull=False) & ~Q(unit="")),
                name="operationoutcome_quantity_has_unit",
                violation_error_message="Give a quantity and its unit together.",
            ),
            *OUTCOME_QUANTITY.constraints(),
        ]

    def __str__(self) -> str:
        quantity = OUTCOME_QUANTITY.value(self)
        amount = f" {quantity} {self.unit}" if quantity is not None else ""
        drug = f" of {self.drug}" if self.drug_id else ""
        return f"{self.get_kind_display()}{amount}{drug}"

    def clean(self) -> None:
        super().clean()
        if self.kind == OutcomeKind.SEIZURE and not self.drug_id:
            raise ValidationError({"drug": "Say which drug was seized."}, code="required")
        if self.kind == OutcomeKind.ARRESTS and self.unit and self.unit != Unit.PERSON:
            raise ValidationError({"unit": "Arrests are counted in persons."}, code="invalid")


class Event(NaturallyKeyed, CitedModel):
    """Something that happened at a time and place: a visit, a tour, a signing, an announcement, a statement."""

    title = models.CharField(max_length=500)
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    stance = models.CharField(
        max_length=20,
        choices=Stance.choices,
        blank=True,
        help_text="For a statement: what it says of what it concerns. Empty when the source does not say.",
    )
    date, date_edtf, date_earliest, date_latest = partial_date_fields("date")
    country = optional(
        "cooperation.Country", related_name="events", help_text="Where it took place (a country or a region, not both)."
    )
    region = optional("cooperation.Region", related_name="events")
    place = place_field("events", "The city or town, when known; its country is where the event took place.")
    officials = models.ManyToManyField("cooperation.Official", blank=True, related_name="events")
    speaker_post = optional(
        "cooperation.Post",
        related_name="events",
        verbose_name="speaker's post at the time",
        help_text="Who spoke or acted, as the post they held then (an official's post), when the source gives it.",
    )
    agencies = models.ManyToManyField("cooperation.Agency", blank=True, related_name="events")
    countries_concerned = models.ManyToManyField(
        "cooperation.Country",
        blank=True,
        related_name="events_concerning",
        help_text="Countries the event is about, e.g. the target of a criticism.",
    )
    summary = models.TextField(blank=True, help_text="What happened and what was said.")

    partial_dates = ("date",)
    name_fields = ("title",)
    history = TrackedHistory(m2m_fields=[officials, agencies, countries_concerned])

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["title"], name="event_title_idx")]  # its natural key
        constraints = [
            bounds_in_order("date"),
            models.CheckConstraint(
                condition=Q(country__isnull=True) | Q(region__isnull=True),
                name="event_place_country_or_region",
                violation_error_message="An event takes place in a country or a region, not both.",
            ),
            models.CheckConstraint(
                condition=Q(stance="") | Q(kind=EventKind.STATEMENT),
                name="event_stance_of_a_statement",
                violation_error_message="A stance is what a statement says: give it for statements only.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        located_by_place(self)
        if self.stance and self.kind != EventKind.STATEMENT:
            raise ValidationError(
                {"stance": "A stance is what a statement says: give it for statements only."}, code="not_a_statement"
            )


#: What an event may concern: field of ``EventConcern`` -> the model (each a resource with a natural key).
CONCERNABLE = {
    "agreement": "cooperation.Agreement",
    "training_centre": "cooperation.TrainingCentre",
    "training_course": "cooperation.TrainingCourse",
    "operation": "cooperation.Operation",
    "other_event": "cooperation.Event",
    "trafficking_route": "cooperation.TraffickingRoute",
    "assessment": "cooperation.Assessment",
}


class EventConcern(TrackedModel):
    """A record an event concerns: the agreement a signing is of, the centre a ceremony opens, the operation a
    statement welcomes. Exactly one record per concern; a record that events concern cannot be deleted until
    they no longer do (its link is protected), and deleting the event removes its concerns."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="concerns")
    agreement = optional("cooperation.Agreement", related_name="concerned_by")
    training_centre = optional("cooperation.TrainingCentre", related_name="concerned_by")
    training_course = optional("cooperation.TrainingCourse", related_name="concerned_by")
    operation = optional("cooperation.Operation", related_name="concerned_by")
    other_event = optional(
        "cooperation.Event", related_name="concerned_by", verbose_name="event", help_text="Another event."
    )
    trafficking_route = optional("cooperation.TraffickingRoute", related_name="concerned_by")
    assessment = optional("cooperation.Assessment", related_name="concerned_by")
    note = models.CharField(max_length=500, blank=True, help_text='E.g. "its second phase".')

    identity_fields = tuple(CONCERNABLE)
    history = TrackedHistory()

    class Meta:
        ordering = ["event_id", "id"]
        constraints = [
            exactly_one(*CONCERNABLE, name="one_record"),
            *(
                models.UniqueConstraint(
                    fields=["event", name],
                    condition=Q(**{f"{name}__isnull": False}),
                    name=f"%(class)s_{name}_once",
                    violation_error_message="The event already concerns this record.",
                )
                for name in CONCERNABLE
            ),
            models.CheckConstraint(
                condition=~Q(other_event=F("event")),
                name="eventconcern_not_itself",
                violation_error_message="An event does not concern itself.",
            ),
        ]

    @property
    def record(self) -> models.Model | None:
        """The record concerned."""
        return next((getattr(self, name) for name in CONCERNABLE if getattr(self, f"{name}_id") is not None), None)

    def __str__(self) -> str:
        record = self.record
        concerned = f"{record._meta.verbose_name} {record}" if record is not None else "nothing"
        return f"{self.event} – concerns {concerned}"

    def clean(self) -> None:
        super().clean()
        given = [name for name in CONCERNABLE if getattr(self, f"{name}_id") is not None]
        if len(given) != 1:
            raise ValidationError(
                {"__all__": f"Give exactly one record the event concerns: one of {', '.join(CONCERNABLE)}."},
                code="one_record",
            )
        if self.event_id is not None and self.other_event_id == self.event_id:
            raise ValidationError({"other_event": "An event does not concern itself."}, code="itself")
