"""Reference geography: UN M49 regions (and analysts' own groupings), ISO 3166-1 countries and places."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import connection, models
from django.db.models import Q
from django.db.models.functions import Upper

from cooperation.names import search_form

from .base import NaturalKeyManager, NaturallyKeyed, TrackedHistory, TrackedModel, optional, refuse_cycles
from .choices import RegionLevel


class RegionQuerySet(models.QuerySet):
    def with_descendants(self) -> set[int]:
        """Ids of these regions and of every region under them, at any depth (one query over all regions)."""
        children: dict[int | None, list[int]] = {}
        for pk, parent_id in Region.objects.values_list("pk", "parent_id"):
            children.setdefault(parent_id, []).append(pk)
        found: set[int] = set()
        pending = list(self.values_list("pk", flat=True))
        while pending:
            pk = pending.pop()
            if pk not in found:
                found.add(pk)
                pending.extend(children.get(pk, ()))
        return found


class Region(NaturallyKeyed, TrackedModel):
    m49_code = models.CharField(
        "M49 code",
        max_length=3,
        unique=True,
        null=True,
        blank=True,
        validators=[RegexValidator(r"^[0-9]{3}$", "An M49 code is three digits, e.g. 419.")],
        help_text="UN M49 area code (three digits, e.g. 419); empty for a grouping of the analysts' own.",
    )
    name = models.CharField(max_length=200, unique=True)
    level = models.CharField(max_length=20, choices=RegionLevel.choices, default=RegionLevel.GROUPING)
    parent = optional("self", related_name="children", verbose_name="part of")
    description = models.TextField(blank=True)

    history = TrackedHistory()
    objects = NaturalKeyManager.from_queryset(RegionQuerySet)()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(m49_code__isnull=True) | Q(m49_code__regex=r"^[0-9]{3}$"),
                name="region_m49_code_three_digits",
                violation_error_message="An M49 code is three digits, e.g. 419.",
            ),
            models.CheckConstraint(
                condition=Q(level=RegionLevel.GROUPING, m49_code__isnull=True)
                | (~Q(level=RegionLevel.GROUPING) & Q(m49_code__isnull=False)),
                name="region_m49_code_iff_m49_level",
                violation_error_message="M49 regions have an M49 code; groupings have none.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.m49_code == "":
            self.m49_code = None
        refuse_cycles(self)


class Country(NaturallyKeyed, TrackedModel):
    iso2 = models.CharField(
        "ISO alpha-2", max_length=2, unique=True, validators=[RegexValidator(r"^[A-Z]{2}$", "Two capital letters.")]
    )
    iso3 = models.CharField(
        "ISO alpha-3", max_length=3, unique=True, validators=[RegexValidator(r"^[A-Z]{3}$", "Three capital letters.")]
    )
    iso_numeric = models.CharField(
        "ISO numeric", max_length=3, unique=True, validators=[RegexValidator(r"^[0-9]{3}$", "Three digits.")]
    )
    name = models.CharField(max_length=100, unique=True)
    official_name = models.CharField(max_length=200, blank=True)
    regions = models.ManyToManyField(
        Region,
        blank=True,
        related_name="countries",
        help_text="The regions it belongs to directly (its M49 region and any groupings); the regions above "
        "those include it too.",
    )

    history = TrackedHistory(m2m_fields=[regions])

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"
        constraints = [
            models.CheckConstraint(condition=Q(iso2__regex=r"^[A-Z]{2}$"), name="country_iso2_format"),
            models.CheckConstraint(condition=Q(iso3__regex=r"^[A-Z]{3}$"), name="country_iso3_format"),
            models.CheckConstraint(condition=Q(iso_numeric__regex=r"^[0-9]{3}$"), name="country_iso_numeric_format"),
        ]

    def __str__(self) -> str:
        return self.name


_NAME_IN_COUNTRY = re.compile(r"^(?P<name>.*?)\s*(?:,\s*(?P<a>[A-Za-z]{2})|\[(?P<b>[A-Za-z]{2})\])$")
_GEONAMES_ID = re.compile(r"^(?:geonames:\s*)?(?P<id>[0-9]{1,10})$", re.IGNORECASE)


class PlaceQuerySet(models.QuerySet):
    def named(self, term: str) -> PlaceQuerySet:
        """Places whose name begins with ``term``, ignoring case and accents ("bogota" finds Bogotá), through the
        index on ``search_name``; "san jose, cr" or "San José [CR]" within that country; digits (or
        ``geonames:<id>``) the GeoNames id. The admin's autocomplete and search use it."""
        term = term.strip()
        if not term:
            return self
        by_id = _GEONAMES_ID.match(term)
        if by_id:
            return self.filter(geonames_id=int(by_id["id"]))
        queryset = self
        in_country = _NAME_IN_COUNTRY.match(term)
        if in_country and in_country["name"]:
            term = in_country["name"]
            queryset = queryset.filter(country__iso2=(in_country["a"] or in_country["b"]).upper())
        prefix = search_form(term)
        if connection.vendor == "postgresql":
            # LIKE 'prefix%' on the varchar_pattern_ops index Django gives an indexed CharField.
            return queryset.filter(search_name__startswith=prefix)
        # SQLite's LIKE ignores case and so cannot use a plain index: a range over the index does the same.
        return queryset.filter(search_name__gte=prefix, search_name__lt=prefix + "\U0010ffff")


def coordinate(degrees: int, negative: str, positive: str, other: str) -> models.DecimalField:
    """A latitude or a longitude in decimal degrees, to six places (about 0.1 m)."""
    return models.DecimalField(
        max_digits=len(str(degrees)) + 6,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-degrees), MaxValueValidator(degrees)],
        help_text=f"Decimal degrees, -{degrees} ({negative}) to {degrees} ({positive}); give it with the {other}.",
    )


class Place(NaturallyKeyed, TrackedModel):
    """A locality with its country: a city or town from the GeoNames gazetteer shipped with the app, or one an
    analyst adds ("the port of Callao", "a base outside Santo Domingo"). Coordinates are optional."""

    name = models.CharField(max_length=200, help_text="As it is usually written, e.g. Lima, Bogotá, Callao.")
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="places")
    latitude = coordinate(90, "south", "north", "longitude")
    longitude = coordinate(180, "west", "east", "latitude")
    geonames_id = models.PositiveIntegerField(
        "GeoNames id",
        unique=True,
        null=True,
        blank=True,
        help_text="The place's id in GeoNames when it comes from the gazetteer; empty for a place an analyst adds.",
    )
    population = models.PositiveBigIntegerField(null=True, blank=True)
    other_names = models.TextField(
        blank=True, help_text="Other names and spellings (one per line): found by search, keys and imports."
    )
    description = models.TextField(blank=True, help_text='What or where it is, e.g. "port district of Lima".')
    search_name = models.CharField(
        max_length=200, editable=False, db_index=True, help_text="The name case-folded and without accents."
    )

    name_fields = ("name",)
    history = TrackedHistory()
    objects = NaturalKeyManager.from_queryset(PlaceQuerySet)()

    class Meta:
        ordering = ["name", "country_id", "id"]
        indexes = [
            models.Index(fields=["name", "country"], name="place_name_country_idx"),
            # A name written in another case, as keys and imports look it up (``name__iexact``: ``UPPER``): among
            # the gazetteer's places, read from here rather than from every row.
            models.Index(Upper("name"), name="place_name_upper_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="place_latitude_range",
                violation_error_message="A latitude is between -90 and 90 degrees.",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="place_longitude_range",
                violation_error_message="A longitude is between -180 and 180 degrees.",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="place_coordinates_together",
                violation_error_message="Give the latitude and the longitude together.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.country_id and self.country.iso2}"

    def clean(self) -> None:
        super().clean()
        if (self.latitude is None) != (self.longitude is None):
            missing = "longitude" if self.longitude is None else "latitude"
            raise ValidationError({missing: "Give the latitude and the longitude together."}, code="required")

    def save(self, *args, **kwargs) -> None:
        self.search_name = search_form(self.name)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_name"}
        super().save(*args, **kwargs)


def place_field(related_name: str, help_text: str, verbose_name: str = "place") -> models.ForeignKey:
    """A record's place: a locality from the gazetteer or one an analyst added (its country comes with it)."""
    return models.ForeignKey(
        "cooperation.Place",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name=related_name,
        verbose_name=verbose_name,
        help_text=help_text,
    )


def located_by_place(record: models.Model) -> None:
    """A record in a country or a region (an event, a route stop): given only a place, it is in the place's
    country ("in Lima" is in Peru); given a country too, the place must lie in it."""
    if record.place_id is not None and record.country_id is None and record.region_id is None:
        record.country_id = record.place.country_id
    place_in_country(record, "country")


def place_in_country(record: models.Model, country_field: str, place_field: str = "place") -> None:
    """A record's place lies in the record's country (a centre in Callao is hosted by Peru). Raises
    ValidationError on the place."""
    place = getattr(record, place_field)
    country_id = getattr(record, f"{country_field}_id")
    if place is not None and country_id is not None and place.country_id != country_id:
        country = record._meta.get_field(country_field).related_model.objects.get(pk=country_id)
        raise ValidationError(
            {place_field: f"{place.name} is in {place.country}, not in {country}."}, code="place_in_other_country"
        )
