"""Reference geography: UN M49 regions (and analysts' own groupings) and ISO 3166-1 countries."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from .base import NaturalKeyManager, NaturallyKeyed, TrackedHistory, TrackedModel, optional, refuse_cycles


class RegionLevel(models.TextChoices):
    WORLD = "world", "World"
    CONTINENT = "continent", "Continental region (M49)"
    SUB_REGION = "sub_region", "Sub-region (M49)"
    INTERMEDIATE = "intermediate", "Intermediate region (M49)"
    GROUPING = "grouping", "Grouping (not M49)"


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
