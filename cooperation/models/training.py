"""Training centres and the courses (cohorts) they run, with who took part in what role, and the life of each:
its status and its dated milestones ("construction began", "the centre opened", "the course was held").

Status and milestones. A record's ``status`` is stored, not derived from its milestones, because sources state
a status without any dated event ("Russia is setting up a centre"), because partial dates do not order
milestones ("opened in 2014" and an undated "construction began" cannot be sorted), and because lists filter
and index by status. The milestones bound it instead: each kind of milestone admits only the statuses it does
not contradict (``CENTRE_LIFECYCLE``, ``COURSE_LIFECYCLE``): a centre that opened is operational or closed,
never planned. The rule reads other rows (the milestones), so no CHECK constraint can hold it; it is checked
wherever a record is written with its milestones: the services (API, CSV import) through ``check_parts``, and
the admin's inline (``PartsFormSet``). What one row can say is backed by the database: a milestone's kind is
one its record takes, its dates' bounds are in order, a session number is at least 1.

Each milestone may name the source that reports it, one of those its record cites: the record's citations
carry the quotes, the milestone says which of them it stands on, and a relative date ("next month") counts
from that source's publication date.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from cooperation.quantities import Quantity

from .agreements import Vocabulary
from .base import (
    CitedModel,
    NaturallyKeyed,
    TrackedHistory,
    TrackedModel,
    bounds_in_order,
    by_country_and_agency,
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
from .choices import CentreStatus, CourseStatus, MilestoneKind
from .geography import place_field, place_in_country

EXPECTED_COUNTRIES = Quantity("expected_countries")
TOTAL_TRAINED = Quantity("total_trained")
TRAINEES = Quantity("trainees")


class TrainingTopic(Vocabulary):
    history = TrackedHistory()  # Vocabulary's Meta (ordered by name) is inherited


_ANY_CENTRE = frozenset(CentreStatus)
_ANY_COURSE = frozenset(CourseStatus)

#: The kinds of milestone a centre takes, each with the statuses it admits: a milestone rules out the statuses it
#: contradicts (one that opened is not planned; one that was cancelled never opened). Reopening is not modelled:
#: a centre with a "closed" milestone is closed.
CENTRE_LIFECYCLE: dict[str, frozenset] = {
    MilestoneKind.PLANNED: _ANY_CENTRE,
    MilestoneKind.ANNOUNCED: _ANY_CENTRE,
    MilestoneKind.CONSTRUCTION_STARTED: _ANY_CENTRE - {CentreStatus.PLANNED},
    MilestoneKind.FOUNDATION_STONE: _ANY_CENTRE - {CentreStatus.PLANNED},
    MilestoneKind.OPENED: frozenset({CentreStatus.OPERATIONAL, CentreStatus.CLOSED}),
    MilestoneKind.CLOSED: frozenset({CentreStatus.CLOSED}),
    MilestoneKind.CANCELLED: frozenset({CentreStatus.CANCELLED}),
}

#: The kinds of milestone a course takes, each with the statuses it admits ("planned versus held": a course
#: that was held is held; one that started is under way, held, or was cancelled part way).
COURSE_LIFECYCLE: dict[str, frozenset] = {
    MilestoneKind.PLANNED: _ANY_COURSE,
    MilestoneKind.ANNOUNCED: _ANY_COURSE,
    MilestoneKind.POSTPONED: _ANY_COURSE,
    MilestoneKind.STARTED: frozenset({CourseStatus.ONGOING, CourseStatus.HELD, CourseStatus.CANCELLED}),
    MilestoneKind.HELD: frozenset({CourseStatus.HELD}),
    MilestoneKind.CANCELLED: frozenset({CourseStatus.CANCELLED}),
}


def check_lifecycle(record: models.Model, milestones) -> None:
    """Refuse a status that a milestone contradicts (ValidationError on ``status``), naming the milestone that
    admits the fewest statuses. ``milestones``: the record's milestones as they are to be (saved or not)."""
    if not record.status:
        return  # required: the field's own validation says so
    contradicting = [
        (record.lifecycle[milestone.kind], milestone)
        for milestone in milestones
        if milestone.kind in record.lifecycle and record.status not in record.lifecycle[milestone.kind]
    ]
    if not contradicting:
        return
    admitted, milestone = min(contradicting, key=lambda pair: len(pair[0]))
    labels = dict(type(record)._meta.get_field("status").choices)
    allowed = [str(label).lower() for code, label in labels.items() if code in admitted]
    allowed = " or ".join(allowed) + "," if len(allowed) <= 2 else "one of: " + ", ".join(allowed) + ";"
    kind = MilestoneKind(milestone.kind).label.lower()
    raise ValidationError(
        {
            "status": f"A {record._meta.verbose_name} with a milestone \u201c{kind}\u201d is {allowed} not "
            f"{str(labels.get(record.status, record.status)).lower()}."
        },
        code="status_contradicts_milestone",
    )


class Lifecycle(CitedModel):
    """A record with a status and dated milestones (a ``milestones`` relation to a ``Milestone``)."""

    #: Milestone kind -> the statuses it admits.
    lifecycle: dict[str, frozenset] = {}
    #: The parts ``check_parts`` reads (the admin checks them in their inline).
    checked_parts = ("milestones",)

    class Meta:
        abstract = True

    def check_parts(self, parts) -> None:
        """The rules between the record and its parts as they are to be: ``parts`` maps a relation to its parts
        when the write sends them; the others are read as stored (see services.record_save)."""
        if "milestones" in parts:
            milestones = parts["milestones"]
        else:
            milestones = [] if self._state.adding else list(self.milestones.all())
        check_lifecycle(self, milestones)


class TrainingCentre(NaturallyKeyed, Lifecycle):
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
    status = models.CharField(
        max_length=20,
        choices=CentreStatus.choices,
        db_index=True,
        help_text="Where it stands as the latest source has it; its milestones may not contradict it.",
    )
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

    quantities = (EXPECTED_COUNTRIES,)
    name_fields = ("name",)
    lifecycle = CENTRE_LIFECYCLE
    history = TrackedHistory(m2m_fields=[topics])

    class Meta:
        ordering = ["name"]
        # An export asks, for each centre it names, whether another has the same name (cooperation.natural_keys).
        indexes = [models.Index(fields=["name"], name="trainingcentre_name_idx")]
        constraints = [not_a_duplicate(), *EXPECTED_COUNTRIES.constraints()]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        place_in_country(self, "host_country")


class TrainingCourse(NaturallyKeyed, Lifecycle):
    """One cohort: a course given at a centre (or elsewhere) by a provider, with trainees per country; planned,
    held or cancelled, and which session of a series it is ("the third session")."""

    title = models.CharField(max_length=300)
    centre = optional(TrainingCentre, related_name="courses")
    status = models.CharField(
        max_length=20,
        choices=CourseStatus.choices,
        db_index=True,
        help_text="Planned, postponed, under way, held or cancelled, as the latest source has it; its milestones "
        "may not contradict it.",
    )
    session = models.PositiveSmallIntegerField(
        "session number",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(32767)],
        help_text="Which session (edition) of a recurring course it is, when the source says: "
        "\u201cthe third session\u201d is 3.",
    )
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
    lifecycle = COURSE_LIFECYCLE
    history = TrackedHistory(m2m_fields=[topics])

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["title"], name="trainingcourse_title_idx")]  # its natural key
        constraints = [
            bounds_in_order("start"),
            bounds_in_order("end"),
            ends_after_start(),
            *TOTAL_TRAINED.constraints(),
            models.CheckConstraint(
                condition=Q(session__isnull=True) | Q(session__gte=1),
                name="trainingcourse_session_from_one",
                violation_error_message="A session number is 1 or more.",
            ),
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
        indexes = by_country_and_agency("course", "courseparticipant")
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


def milestone_fields(lifecycle: dict, related_name: str) -> tuple:
    """``kind, date, date_edtf, date_earliest, date_latest, source, note``: what a milestone of a centre or a
    course says. Declare them after the link to the record and back them with ``milestone_constraints``."""
    return (
        models.CharField(max_length=30, choices=[(k.value, k.label) for k in MilestoneKind if k in lifecycle]),
        *partial_date_fields("date"),
        optional(
            "cooperation.Source",
            related_name=related_name,
            help_text="The source that reports it: one of those its record cites (its citation holds the quote).",
        ),
        models.CharField(max_length=500, blank=True, help_text='E.g. "first courses given", "second phase".'),
    )


def milestone_constraints(lifecycle: dict, model_name: str) -> list[models.CheckConstraint]:
    return [
        bounds_in_order("date"),
        models.CheckConstraint(
            condition=Q(kind__in=list(lifecycle)),
            name=f"{model_name}_kind_in_lifecycle",
            violation_error_message="Not a kind of milestone this record takes.",
        ),
    ]


class Milestone(TrackedModel):
    """A dated step in the life of a centre or a course, as a source reports it: "construction began in
    2019", "the third session was held in March", "two officers will travel to Madrid next month"."""

    partial_dates = ("date",)
    #: What makes two milestones the same one, when a client sends the record's milestones again: the kind and
    #: the date as written (the EDTF value is read from it).
    identity_fields = ("kind", "date")
    #: The link to the record (a centre or a course).
    record_field: str = ""

    class Meta:
        abstract = True

    def __str__(self) -> str:
        when = self.date or self.date_edtf or "date unknown"
        return f"{self.get_kind_display()} ({when})"

    @property
    def record(self) -> Lifecycle | None:
        link = self._meta.get_field(self.record_field)
        cached = link.get_cached_value(self, None)
        if cached is not None or getattr(self, link.attname) is None:
            return cached
        return getattr(self, self.record_field)

    def publication_date(self):
        """What "next month" counts from: the publication date of the milestone's source, else its record's."""
        if self.source_id is not None:
            published = self.source.partial_date("published")
            if published.earliest or published.latest:
                return published
        record = self.record
        return record.publication_date() if record is not None else None

    def clean(self) -> None:
        super().clean()
        record = self.record
        if self.source_id is None or record is None:
            return
        if record.citing is not None:
            cited = {getattr(source, "pk", source) for source in record.citing}
        elif record.pk is not None:
            cited = set(record.citations.values_list("source_id", flat=True))
        else:
            cited = set()
        if self.source_id not in cited:
            raise ValidationError(
                {
                    "source": f"Cite this source for the {record._meta.verbose_name} too: a milestone stands on one "
                    "of its record's citations."
                },
                code="source_not_cited",
            )


class CentreMilestone(Milestone):
    centre = models.ForeignKey(TrainingCentre, on_delete=models.CASCADE, related_name="milestones")
    kind, date, date_edtf, date_earliest, date_latest, source, note = milestone_fields(
        CENTRE_LIFECYCLE, "centre_milestones"
    )

    record_field = "centre"
    history = TrackedHistory()

    class Meta:
        ordering = ["centre_id", "id"]
        constraints = milestone_constraints(CENTRE_LIFECYCLE, "centremilestone")


class CourseMilestone(Milestone):
    course = models.ForeignKey(TrainingCourse, on_delete=models.CASCADE, related_name="milestones")
    kind, date, date_edtf, date_earliest, date_latest, source, note = milestone_fields(
        COURSE_LIFECYCLE, "course_milestones"
    )

    record_field = "course"
    history = TrackedHistory()

    class Meta:
        ordering = ["course_id", "id"]
        constraints = milestone_constraints(COURSE_LIFECYCLE, "coursemilestone")
