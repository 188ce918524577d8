"""What a country's dossier counts, kept as the records are written (``cooperation.explorer.counts``): per record,
the countries it involves and those of its parties; per country, its records by kind and years, and its partners
by kind. Database triggers keep them in the transaction of every write; ``rebuild_dossier_counts`` makes them
again from the records."""

from __future__ import annotations

from django.db import models

#: A year not known (a record with no date, or a kind of record that has none): 0, as no date has it, so that
#: the counts' unique keys hold (a NULL is never equal to another).
UNKNOWN_YEAR = 0


def country_field(label: str) -> models.ForeignKey:
    """A country, joined for its name, that no deletion follows (the triggers remove a count that falls to 0)."""
    return models.ForeignKey(
        "cooperation.Country",
        verbose_name=label,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        db_index=False,
    )


class RecordCountry(models.Model):
    """A record involves a country (its resource's ``country`` filter), and where it lies in time."""

    kind = models.CharField("kind of record", max_length=40)
    record_id = models.BigIntegerField("record")
    country = country_field("country")
    first_year = models.IntegerField("earliest year", default=UNKNOWN_YEAR)
    last_year = models.IntegerField("latest year", default=UNKNOWN_YEAR)

    class Meta:
        verbose_name = "record's country"
        ordering = ["kind", "record_id", "country"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "record_id", "country"], name="recordcountry_unique"),
        ]
        # A dossier's first records of a kind, in the order of their ids: read from here, not sorted out of all.
        indexes = [models.Index(fields=["country", "kind", "record_id"], name="recordcountry_by_country")]

    def __str__(self) -> str:
        return f"{self.kind} {self.record_id}: {self.country_id}"


class RecordParty(models.Model):
    """A record has a party of a country (the party's own, or its agency's)."""

    kind = models.CharField("kind of record", max_length=40)
    record_id = models.BigIntegerField("record")
    country = country_field("party's country")

    class Meta:
        verbose_name = "record's party country"
        verbose_name_plural = "records' party countries"
        ordering = ["kind", "record_id", "country"]
        constraints = [models.UniqueConstraint(fields=["kind", "record_id", "country"], name="recordparty_unique")]

    def __str__(self) -> str:
        return f"{self.kind} {self.record_id}: party {self.country_id}"


class CountryCount(models.Model):
    """How many records of a kind involve a country, by the years their date may fall in."""

    country = country_field("country")
    kind = models.CharField("kind of record", max_length=40)
    first_year = models.IntegerField("earliest year")
    last_year = models.IntegerField("latest year")
    records = models.IntegerField("records")

    class Meta:
        ordering = ["country", "kind", "first_year", "last_year"]
        constraints = [
            models.UniqueConstraint(fields=["country", "kind", "first_year", "last_year"], name="countrycount_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.country_id} {self.kind} {self.first_year}-{self.last_year}: {self.records}"


class PartnerCount(models.Model):
    """How many records of a kind involve a country and have a party of another (its partner)."""

    country = country_field("country")
    partner = country_field("partner")
    kind = models.CharField("kind of record", max_length=40)
    records = models.IntegerField("records")

    class Meta:
        ordering = ["country", "partner", "kind"]
        constraints = [models.UniqueConstraint(fields=["country", "partner", "kind"], name="partnercount_unique")]
        indexes = [models.Index(fields=["partner", "kind"], name="partnercount_by_partner")]

    def __str__(self) -> str:
        return f"{self.country_id} with {self.partner_id} ({self.kind}): {self.records}"
