"""What every record has: timestamps, a version, history, partial dates, and (for facts) citations."""

from __future__ import annotations

from typing import ClassVar

from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.dispatch import receiver
from django.utils import timezone
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

from cooperation.duplicates import KEY_LENGTH
from cooperation.names import InvalidName, normalise_name
from cooperation.partial_dates import (
    EDTF_MAX_LENGTH,
    UNKNOWN,
    PartialDate,
    PartialDateError,
    RelativeDateError,
    from_edtf,
    from_text,
)
from cooperation.quantities import Quantity, normalise_quantity

from .choices import ParticipantRole


def optional(to, related_name: str, **options) -> models.ForeignKey:
    """A reference the source may not give: empty allowed, and protected (a record others refer to cannot be
    deleted from under them; delete or re-point the referrers first)."""
    return models.ForeignKey(to, on_delete=models.PROTECT, null=True, blank=True, related_name=related_name, **options)


def partial_date_fields(label: str) -> tuple[models.CharField, models.CharField, models.DateField, models.DateField]:
    """The four columns of one partial date: ``<name>``, ``<name>_edtf``, ``<name>_earliest``, ``<name>_latest``.

    Declare them in a model as ``start, start_edtf, start_earliest, start_latest = partial_date_fields("start")``
    and list ``"start"`` in the model's ``partial_dates``.
    """
    return (
        models.CharField(
            f"{label} (as written)",
            max_length=200,
            blank=True,
            help_text=f"As the source has it, e.g. {EXAMPLE_TEXTS}. Leave empty when the source does not say.",
        ),
        models.CharField(
            f"{label} (EDTF)",
            max_length=EDTF_MAX_LENGTH,
            blank=True,
            help_text="Normalised Extended Date/Time Format, e.g. 2012-10, 2013?, [2012-10..]. Read from the text "
            "when left empty; give it when the text is relative (\u201cin the coming year\u201d).",
        ),
        models.DateField(f"{label}: earliest", null=True, blank=True, editable=False, db_index=True),
        models.DateField(f"{label}: latest", null=True, blank=True, editable=False, db_index=True),
    )


EXAMPLE_TEXTS = '"October 2012", "2013", "2012-10" or "c. 2013"'


def unknown_or(first: str, second: str, comparison: Q) -> Q:
    """``comparison`` of two bounds holds, or either is unknown (NULL)."""
    return Q(**{f"{first}__isnull": True}) | Q(**{f"{second}__isnull": True}) | comparison


def bounds_in_order(name: str) -> models.CheckConstraint:
    """A partial date's earliest bound is not after its latest."""
    earliest, latest = f"{name}_earliest", f"{name}_latest"
    return models.CheckConstraint(
        condition=unknown_or(earliest, latest, Q(**{f"{earliest}__lte": F(latest)})),
        name=f"%(class)s_{name}_bounds_in_order",
        violation_error_message=f"The {name} date's earliest bound is after its latest.",
    )


def ends_after_start(start: str = "start", end: str = "end") -> models.CheckConstraint:
    """A period does not end before it starts (as far as the bounds can tell)."""
    starts, ends = f"{start}_earliest", f"{end}_latest"
    return models.CheckConstraint(
        condition=unknown_or(starts, ends, Q(**{f"{ends}__gte": F(starts)})),
        name=f"%(class)s_{end}_not_before_{start}",
        violation_error_message=f"The {end} date is before the {start} date.",
    )


class ExactlyOneConstraint(models.CheckConstraint):
    """Exactly one of some nullable foreign keys is set. The database checks it as a CHECK constraint; model
    validation checks it in Python, without the query Django would send for any other check."""

    #: Its ``validate`` sends no query (``services.validate_without_queries`` calls it).
    validated_without_queries = True

    @property
    def fields(self) -> list[str]:
        # The condition is an OR of one alternative per field, each "f__isnull" for every field.
        first = self.condition.children[0]
        return [lookup.removesuffix("__isnull") for lookup, _ in first.children]

    def validate(self, model, instance, exclude=None, using=None):
        if exclude and set(self.fields) & set(exclude):
            return
        given = [name for name in self.fields if getattr(instance, model._meta.get_field(name).attname) is not None]
        if len(given) != 1:
            raise ValidationError(self.get_violation_error_message(), code=self.violation_error_code)

    def deconstruct(self):
        # Stored in migrations as the plain CHECK constraint it is in the database.
        path, args, kwargs = super().deconstruct()
        return "django.db.models.CheckConstraint", args, kwargs


def exactly_one(*fields: str, name: str) -> models.CheckConstraint:
    """Exactly one of the given nullable foreign keys is set (e.g. a party is a country, a region or an agency)."""
    alternatives = Q()
    for chosen in fields:
        alternatives |= Q(**{f"{f}__isnull": f != chosen for f in fields})
    return ExactlyOneConstraint(
        condition=alternatives,
        name=f"%(class)s_{name}",
        violation_error_message=f"Give exactly one of: {', '.join(fields)}.",
    )


class PartyKindConstraint(models.CheckConstraint):
    """A party (or participant) is a region, a country or an agency; an agency may come with its country.

    The database checks it as a CHECK constraint; model validation checks it in Python (no query), and the
    model's ``clean()`` checks what a CHECK cannot see: that the country given is the agency's own.
    """

    #: Its ``validate`` sends no query (``services.validate_without_queries`` calls it).
    validated_without_queries = True

    def validate(self, model, instance, exclude=None, using=None):
        if exclude and {"country", "region", "agency"} & set(exclude):
            return
        country, agency = instance.country_id is not None, instance.agency_id is not None
        region = instance.region_id is not None
        if not ((region and not (country or agency)) or (not region and (country or agency))):
            raise ValidationError(self.get_violation_error_message(), code=self.violation_error_code)

    def deconstruct(self):
        path, args, kwargs = super().deconstruct()
        return "django.db.models.CheckConstraint", args, kwargs


def party_kind(*, name: str) -> PartyKindConstraint:
    """A party is a region alone (when the source names no countries), or a country, an agency, or an agency
    with its country."""
    condition = Q(region__isnull=False, country__isnull=True, agency__isnull=True) | (
        Q(region__isnull=True) & (Q(country__isnull=False) | Q(agency__isnull=False))
    )
    return PartyKindConstraint(
        condition=condition,
        name=f"%(class)s_{name}",
        violation_error_message="Give a country, a region or an agency (an agency may come with its own country).",
    )


def once_per_role(record: str, message: str) -> list[models.UniqueConstraint]:
    """A country takes a role in ``record`` once; a region too; an agency too, with or without its country
    beside it. ``message`` names the kind: "This {kind} is already a party in this role."."""
    return [
        models.UniqueConstraint(
            fields=[record, kind, "role"],
            condition=condition,
            name=f"%(class)s_{kind}_once_per_role",
            violation_error_message=message.format(kind=kind),
        )
        for kind, condition in (
            ("country", Q(country__isnull=False, agency__isnull=True)),
            ("region", Q(region__isnull=False)),
            ("agency", Q(agency__isnull=False)),
        )
    ]


def by_country_and_agency(record: str, prefix: str) -> list[models.Index]:
    """Indexes of a party table by country and by agency, each with the record: "the records that involve
    country X" (``filtering.ids_matching``) reads the ids from them alone, never the parties' rows (one party
    in ten names the United States among 100k agreements' 320k parties: a pass over the table otherwise)."""
    return [
        models.Index(fields=["country", record], name=f"{prefix}_by_country"),
        models.Index(fields=["agency", record], name=f"{prefix}_by_agency"),
    ]


def participant_fields(
    related_name: str,
) -> tuple[models.ForeignKey, models.ForeignKey, models.ForeignKey, models.CharField]:
    """``country, region, agency, role``: who took part in a course or an operation, and in what role.

    Declare them with ``country, region, agency, role = participant_fields("course_participations")``, and back
    them with ``party_kind()`` and ``once_per_role()`` in Meta and ``check_agency_country()`` in ``clean()``.
    """
    return (
        optional("cooperation.Country", related_name=related_name),
        optional(
            "cooperation.Region",
            related_name=related_name,
            help_text='A region or grouping, when the source names no countries ("officers from the Caribbean").',
        ),
        optional(
            "cooperation.Agency",
            related_name=related_name,
            help_text="An agency, when the source names one; with its country, or alone.",
        ),
        models.CharField(max_length=20, choices=ParticipantRole.choices, default=ParticipantRole.PARTICIPANT),
    )


def check_agency_country(record: models.Model) -> None:
    """A party given as an agency and a country names the agency's own country (an international agency,
    with none, may be given with the country it acts for)."""
    if record.agency_id and record.country_id and record.agency.country_id not in (None, record.country_id):
        raise ValidationError(
            {"country": f"{record.agency} is an agency of {record.agency.country}: give its country, or none."},
            code="not_the_agencys_country",
        )


def refuse_cycles(record: models.Model, field: str = "parent") -> None:
    """A record cannot be (indirectly) its own parent: raise ValidationError on ``field`` if it would be."""
    ancestor, seen = getattr(record, field), set()
    while ancestor is not None and ancestor.pk not in seen:
        if record.pk is not None and ancestor.pk == record.pk:
            raise ValidationError({field: f"A {record._meta.verbose_name} cannot be part of itself."}, code="cycle")
        seen.add(ancestor.pk)
        ancestor = getattr(ancestor, field)


def duplicate_check_fields() -> tuple[models.CharField, models.BooleanField]:
    """``duplicate_key, confirmed_distinct``: the digest of what makes a record alike to another (see
    ``cooperation.duplicates``), and whether a client confirmed the record is another one all the same.
    Declare them with ``duplicate_key, confirmed_distinct = duplicate_check_fields()`` and back them with
    ``not_a_duplicate()`` in Meta."""
    return (
        models.CharField("duplicate check", max_length=KEY_LENGTH, null=True, editable=False, db_index=True),
        models.BooleanField("confirmed distinct from a like record", default=False, editable=False),
    )


class DuplicateConstraint(models.UniqueConstraint):
    """A unique constraint that refuses duplicates in the database (concurrent creates make one record), and
    that model validation leaves to the services: they answer a duplicate with the records it duplicates
    (``cooperation.duplicates``, the API's 409), not with a bare validation error."""

    #: Its ``validate`` sends no query (``services.validate_without_queries`` calls it).
    validated_without_queries = True

    def validate(self, model, instance, exclude=None, using=None):
        return

    def deconstruct(self):
        # Stored in migrations as the plain unique constraint it is in the database.
        path, args, kwargs = super().deconstruct()
        return "django.db.models.UniqueConstraint", args, kwargs


def not_a_duplicate() -> DuplicateConstraint:
    """One record per duplicate key, besides those confirmed as distinct: concurrent creates make one."""
    return DuplicateConstraint(
        fields=["duplicate_key"],
        condition=Q(confirmed_distinct=False),
        name="%(class)s_not_a_duplicate",
        violation_error_message="A record alike to this one is already on record.",
    )


class StaleRecordError(Exception):
    """The record changed (or was deleted) since this copy of it was read: saving would lose that change."""

    def __init__(self, record: models.Model, expected_version: int):
        self.record, self.expected_version = record, expected_version
        super().__init__(
            f"{record._meta.verbose_name} {record.pk} is no longer at version {expected_version}: "
            "it was changed or deleted meanwhile."
        )


class HistoryOperation(models.Model):
    """What a history entry says besides simple-history's own columns: the operation it was part of.

    A deletion takes a record's parts and citations with it; their entries share one operation, so that
    restoring the record brings them all back. The change reason stays free for people to read.
    """

    history_operation = models.UUIDField(
        "deleted together",
        null=True,
        blank=True,
        editable=False,
        db_index=True,  # a restore looks the operation up in every history table
        help_text="Shared by the entries of records deleted together (a record, its parts and citations).",
    )

    class Meta:
        abstract = True


class TrackedHistory(HistoricalRecords):
    """simple-history's records, with the columns of ``HistoryOperation``."""

    def __init__(self, **kwargs):
        super().__init__(bases=[HistoryOperation], **kwargs)


@receiver(pre_create_historical_record, dispatch_uid="history-operation")
def _mark_operation(sender, instance, history_instance, **kwargs) -> None:
    # ``record_delete`` marks each record it deletes with ``_history_operation``.
    if isinstance(history_instance, HistoryOperation):
        history_instance.history_operation = getattr(instance, "_history_operation", None)


class NaturalKeyManager(models.Manager):
    """Finds a record by its natural key as ``cooperation.natural_keys`` reads it (``loaddata`` calls this for a
    natural foreign key such as ``country: [RU]``)."""

    def get_by_natural_key(self, key: str) -> models.Model:
        # Imported here: natural_keys declares its keys with the models, which import this module.
        from cooperation.natural_keys import AmbiguousKey, NaturalKeyError, natural_key

        try:
            return natural_key(self.model).resolve(key, self.get_queryset())
        except AmbiguousKey as error:
            raise self.model.MultipleObjectsReturned(str(error)) from None
        except NaturalKeyError as error:
            raise self.model.DoesNotExist(str(error)) from None


class NaturallyKeyed(models.Model):
    """A record named outside the database by the natural key ``cooperation.natural_keys`` defines for its model:
    ``natural_key()`` is the key an export writes for it, ``objects.get_by_natural_key`` reads it back."""

    objects = NaturalKeyManager()

    class Meta:
        abstract = True

    def natural_key(self) -> tuple[str]:
        from cooperation.natural_keys import natural_key

        if self.pk is None:
            # The key is read from the database (whether another record shares it decides its form).
            raise ValueError(f"An unsaved {self._meta.verbose_name} has no natural key yet.")
        return (natural_key(type(self)).key(self),)


class TrackedModel(models.Model):
    """Timestamps and a version on every record; partial dates normalised on every save.

    ``version`` grows by one on each change: it is the record's ETag and the compare-and-set token that
    protects against lost updates.
    """

    created_at = models.DateTimeField("created", default=timezone.now, editable=False)
    updated_at = models.DateTimeField("updated", default=timezone.now, editable=False, db_index=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    #: Names of the partial dates the model declares with ``partial_date_fields``.
    partial_dates: ClassVar[tuple[str, ...]] = ()
    #: Pairs of those dates that bound a period: (start, end). Back each with ``ends_after_start`` in Meta.
    periods: ClassVar[tuple[tuple[str, str], ...]] = ()
    #: Names and titles that identify the record: stored in normal form (NFC, single spaces), and refused
    #: with invisible characters or look-alike scripts mixed in a word (see ``cooperation.names``).
    name_fields: ClassVar[tuple[str, ...]] = ()
    #: The date lists order by with ``?ordering=date`` (its earliest bound); None: the first partial date.
    main_date: ClassVar[str | None] = None
    #: The quantities the model declares with ``Quantity.fields`` (``cooperation.quantities``).
    quantities: ClassVar[tuple[Quantity, ...]] = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        self.normalise_partial_dates()
        for quantity in self.quantities:
            normalise_quantity(quantity, self)  # an invalid one is left for the database's constraints to refuse
        read_version = self.version
        if not self._state.adding:
            # Compare-and-set: the UPDATE only applies if the row is still at the version this copy was read
            # at (see _do_update), so concurrent writers cannot overwrite each other, on any database.
            self._expected_version = read_version
            self.version = read_version + 1
            self.updated_at = timezone.now()
        if kwargs.get("update_fields") is not None:
            stamped = {"updated_at", "version"}
            for name in self.partial_dates:
                stamped |= {name, f"{name}_edtf", f"{name}_earliest", f"{name}_latest"}
            for quantity in self.quantities:
                stamped |= set(quantity.columns)
            kwargs["update_fields"] = set(kwargs["update_fields"]) | stamped
        try:
            super().save(*args, **kwargs)
        except StaleRecordError:
            self.version = read_version
            raise
        finally:
            self._expected_version = None
        self._remember_partial_dates()
        names = [field.attname for field in self._meta.concrete_fields]
        self._loaded_values = (names, [self.__dict__.get(name) for name in names])  # now what is stored

    def _do_update(self, base_qs, using, pk_val, values, update_fields, forced_update):
        expected = getattr(self, "_expected_version", None)
        if expected is None:
            return super()._do_update(base_qs, using, pk_val, values, update_fields, forced_update)
        if not super()._do_update(base_qs.filter(version=expected), using, pk_val, values, update_fields, True):
            raise StaleRecordError(self, expected)
        return True

    def clean(self) -> None:
        super().clean()
        self.normalise_partial_dates()
        errors: dict[str, str] = {}
        for quantity in self.quantities:
            errors |= normalise_quantity(quantity, self)
        if errors:
            raise ValidationError(errors)
        for start, end in self.periods:
            starts, ends = getattr(self, f"{start}_earliest"), getattr(self, f"{end}_latest")
            if starts and ends and ends < starts:
                raise ValidationError({end: f"The {end} date is before the {start} date."}, code="end_before_start")

    def clean_fields(self, exclude=None):
        # A foreign key holding a record just read from the database needs no query to prove it exists.
        exclude = set(exclude or ())
        errors = {}
        for name in self.name_fields:
            if name not in exclude and getattr(self, name):
                try:
                    setattr(self, name, normalise_name(getattr(self, name)))
                except InvalidName as error:
                    errors[name] = [str(error)]
        for field in self._meta.concrete_fields:
            if field.many_to_one and field.is_cached(self):
                related = field.get_cached_value(self)
                if related is not None and not related._state.adding and related._state.db is not None:
                    exclude.add(field.name)
        try:
            super().clean_fields(exclude=exclude | set(errors))
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def validate_constraints(self, exclude=None):
        # The bounds of a date are derived from its EDTF value, and clean() checks that periods end after
        # they start, with the error on the field: the constraints on the bounds back that up in the
        # database, and need not be asked again, one query each, on every validation.
        exclude = set(exclude or ())
        for name in self.partial_dates:
            exclude |= {f"{name}_earliest", f"{name}_latest"}
        super().validate_constraints(exclude=exclude)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._remember_partial_dates()
        instance._loaded_values = (field_names, values)  # kept as they come: a dict only when it is asked for
        return instance

    def loaded_value(self, *names: str) -> tuple:
        """The values of these fields (attnames) as read from the database."""
        field_names, values = self._loaded_values
        loaded = dict(zip(field_names, values, strict=True))
        return tuple(loaded[name] for name in names)

    def changed_fields(self) -> set[str] | None:
        """The fields (attnames) whose value differs from what was read from the database; None when this copy
        was not read from it (a new record, or one built by hand), so that nothing is known to be unchanged."""
        loaded = getattr(self, "_loaded_values", None)
        if loaded is None or self._state.adding:
            return None
        stamps = {"created_at", "updated_at", "version"}
        return {
            name
            for name, value in zip(*loaded, strict=True)
            if name not in stamps and name != self._meta.pk.attname and self.__dict__.get(name, value) != value
        }

    def _remember_partial_dates(self) -> None:
        # What was loaded, so that editing the text of a date re-derives an EDTF value left as it was.
        self._loaded_partial_dates = {
            name: (self.__dict__.get(name), self.__dict__.get(f"{name}_edtf")) for name in self.partial_dates
        }

    def partial_date(self, name: str) -> PartialDate:
        return PartialDate(
            getattr(self, f"{name}_edtf"), getattr(self, f"{name}_earliest"), getattr(self, f"{name}_latest")
        )

    def publication_date(self) -> PartialDate | None:
        """The date relative phrases ("next month") in this record's dates count from: none for a record that
        cites nothing (see CitedModel)."""
        return None

    def normalise_partial_dates(self) -> None:
        """Set each date's EDTF value and bounds from what was written. Raises ValidationError on the field."""
        errors: dict[str, str] = {}
        loaded = getattr(self, "_loaded_partial_dates", {})
        published: list[PartialDate | None] = []  # looked up once, and only for a relative phrase
        for name in self.partial_dates:
            text = (getattr(self, name) or "").strip()
            edtf = (getattr(self, f"{name}_edtf") or "").strip()
            if name in loaded and text != (loaded[name][0] or "") and edtf == (loaded[name][1] or ""):
                edtf = ""  # the text was edited and the EDTF value was not: it is stale, read it again
            try:
                value = from_edtf(edtf) if edtf else from_text(text) if text else UNKNOWN
            except RelativeDateError:
                if not published:
                    published.append(self.publication_date())
                try:
                    value = from_text(text, published=published[0])
                except PartialDateError as error:
                    errors[name] = str(error)
                    continue
            except PartialDateError as error:
                errors[f"{name}_edtf" if edtf else name] = str(error)
                continue
            setattr(self, name, text)
            setattr(self, f"{name}_edtf", value.edtf)
            setattr(self, f"{name}_earliest", value.earliest)
            setattr(self, f"{name}_latest", value.latest)
        if errors:
            raise ValidationError(errors)


class CitedModel(TrackedModel):
    """A record that states a fact, and so carries citations: the sources that support it."""

    citations = GenericRelation("cooperation.Citation", related_query_name="%(class)s")

    #: The sources a write is about to cite (set by the service, the serializer or the admin form before
    #: validating), in the order given; None to use the citations stored.
    citing: list | None = None

    class Meta:
        abstract = True

    def publication_date(self) -> PartialDate | None:
        """The publication date of the first cited source that has one: what "next month" counts from."""
        if self.citing is not None:
            sources = [source for source in self.citing if source is not None]
        elif self.pk is not None:
            sources = [citation.source for citation in self.citations.select_related("source").order_by("pk")]
        else:
            sources = []
        for source in sources:
            published = source.partial_date("published")
            if published.earliest or published.latest:
                return published
        return None


def date_overlaps(name: str, date_from=None, date_to=None) -> Q:
    """Records whose partial date ``name`` may fall within [date_from, date_to]: its bounds overlap the range.

    "2012-10" (2012-10-01..2012-10-31) matches any range that touches October 2012. An open bound matches
    everything on its side; a date that is not known at all never matches a date filter.
    """
    return period_overlaps(name, name, date_from, date_to)


def known_period(start: str, end: str) -> Q:
    """Records with something known of the period (or single date, when start and end are the same)."""
    return (
        Q(**{f"{start}_earliest__isnull": False})
        | Q(**{f"{start}_latest__isnull": False})
        | Q(**{f"{end}_latest__isnull": False})
    )


def date_within(name: str, date_from=None, date_to=None) -> Q:
    """Records whose partial date ``name`` certainly falls within [date_from, date_to]: its whole possible range
    does. An open bound lies inside only a window open on that side; a date not known never matches."""
    return period_within(name, name, date_from, date_to)


def period_within(start: str, end: str, date_from=None, date_to=None) -> Q:
    """Records whose whole period, from the ``start`` date's earliest day to the ``end`` date's latest, lies
    within [date_from, date_to] (a missing bound is compared as unknown, and so does not match)."""
    condition = known_period(start, end)
    if date_from is not None:
        condition &= Q(**{f"{start}_earliest__gte": date_from})
    if date_to is not None:
        condition &= Q(**{f"{end}_latest__lte": date_to})
    return condition


def period_overlaps(start: str, end: str, date_from=None, date_to=None) -> Q:
    """Records whose period, from the ``start`` date to the ``end`` date, overlaps [date_from, date_to].

    A period with a known start and no end is taken as still running; one with neither never matches. A start
    known only as an upper bound ("by 1 June 2015") is known: the period may have begun any time before it.
    """
    condition = known_period(start, end)
    if date_from is not None:
        condition &= Q(**{f"{end}_latest__isnull": True}) | Q(**{f"{end}_latest__gte": date_from})
    if date_to is not None:
        condition &= Q(**{f"{start}_earliest__isnull": True}) | Q(**{f"{start}_earliest__lte": date_to})
    return condition
