"""Who acts: agencies (any organisation), officials and the posts they hold."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from cooperation.names import folded_lines

from .base import (
    CitedModel,
    DuplicateConstraint,
    NaturallyKeyed,
    TrackedHistory,
    bounds_in_order,
    duplicate_check_fields,
    ends_after_start,
    not_a_duplicate,
    optional,
    partial_date_fields,
    refuse_cycles,
)
from .choices import AgencyKind

OTHER_NAMES_HELP = "Other names and spellings, one per line."


class FoldedNames(models.Model):
    """A record found by its names as sources write them: ``search_names`` holds its name, acronym and other names
    without accents and case-folded, one per line, derived on every save. ``q``, autocomplete and natural keys
    match it last, so "Policia Nacional del Peru" finds the "Policía Nacional del Perú" on record."""

    search_names = models.TextField(editable=False, blank=True, default="", db_default="")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        self.search_names = folded_lines(*self.all_names())
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_names"}
        super().save(*args, **kwargs)

    def all_names(self) -> list[str]:
        return [self.name, getattr(self, "acronym", ""), *self.other_names.splitlines()]


class Agency(FoldedNames, NaturallyKeyed, CitedModel):
    name = models.CharField(max_length=300)
    acronym = models.CharField(max_length=50, blank=True)
    other_names = models.TextField(blank=True, help_text=OTHER_NAMES_HELP)
    kind = models.CharField(max_length=30, choices=AgencyKind.choices)
    country = optional(
        "cooperation.Country", related_name="agencies", help_text="Empty for an international organisation."
    )
    parent = optional("self", related_name="units", verbose_name="part of")
    website = models.URLField(max_length=500, blank=True)
    description = models.TextField(blank=True)
    duplicate_key, confirmed_distinct = duplicate_check_fields()

    name_fields = ("name", "acronym")
    history = TrackedHistory(excluded_fields=["search_names"])

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"
        constraints = [
            not_a_duplicate(),
            # An agency's name and country are its natural key: refused in the database even for rows loaded
            # without a duplicate key (in SQLite, lower() folds ASCII letters only; the key folds them all).
            # Agencies alike before these rules came are kept, marked confirmed distinct by the migration.
            DuplicateConstraint(
                Lower("name"),
                "country",
                condition=Q(confirmed_distinct=False),
                name="agency_name_unique_per_country",
                violation_error_message="An agency with this name is already on record for this country.",
            ),
            DuplicateConstraint(
                Lower("name"),
                condition=Q(country__isnull=True, confirmed_distinct=False),
                name="agency_international_name_unique",
                violation_error_message="An international agency with this name is already on record.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def clean(self) -> None:
        super().clean()
        refuse_cycles(self)
        if self.country_id and "country_id" in (self.changed_fields() or ()):
            # Parties and participants that name this agency with its country must keep naming its country.
            for relation in ("agreement_parties", "course_participations", "operation_participations"):
                named = getattr(self, relation).exclude(country=None).exclude(country_id=self.country_id)
                if named.exists():
                    raise ValidationError(
                        {
                            "country": f"Some {named.model._meta.verbose_name_plural} give this agency with its "
                            "present country: change them first."
                        },
                        code="parties_name_another_country",
                    )


class Official(FoldedNames, NaturallyKeyed, CitedModel):
    name = models.CharField(max_length=300)
    other_names = models.TextField(blank=True, help_text=OTHER_NAMES_HELP)
    country = optional(
        "cooperation.Country",
        related_name="officials",
        help_text="The country the official serves or is a national of.",
    )
    description = models.TextField(blank=True)
    duplicate_key, confirmed_distinct = duplicate_check_fields()

    name_fields = ("name",)
    history = TrackedHistory(excluded_fields=["search_names"])

    class Meta:
        ordering = ["name"]
        # An export asks, for each official it names, whether another has the same name and country.
        indexes = [models.Index(fields=["name", "country"], name="official_name_country_idx")]
        constraints = [not_a_duplicate()]

    def __str__(self) -> str:
        return self.name


class Post(NaturallyKeyed, CitedModel):
    """An appointment: an official holds a title in an agency, from a start to an end (either may be unknown)."""

    official = models.ForeignKey(Official, on_delete=models.CASCADE, related_name="posts")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="posts")
    title = models.CharField(max_length=200, help_text="E.g. Director.")
    start, start_edtf, start_earliest, start_latest = partial_date_fields("start")
    end, end_edtf, end_earliest, end_latest = partial_date_fields("end")
    note = models.TextField(blank=True, help_text="E.g. what the sources leave unknown.")

    partial_dates = ("start", "end")
    periods = (("start", "end"),)
    history = TrackedHistory()

    class Meta:
        ordering = ["id"]
        constraints = [bounds_in_order("start"), bounds_in_order("end"), ends_after_start()]

    def __str__(self) -> str:
        return f"{self.official} \u2013 {self.title}, {self.agency}"
