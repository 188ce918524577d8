"""Cooperation on paper: agreements, plans and initiatives, with their parties, signatories, areas and drugs, and
the links between agreements (one implements, amends, renews or supersedes another)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

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
    party_kind,
)
from .choices import AgreementKind, AgreementStatus, LinkKind, PartyRole
from .geography import place_field


class Vocabulary(NaturallyKeyed, TrackedModel):
    """A small controlled vocabulary that analysts can extend (cooperation areas, training topics)."""

    code = models.SlugField(max_length=50, unique=True, help_text="Stable machine name, e.g. information_exchange.")
    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CooperationArea(Vocabulary):
    history = TrackedHistory()  # Vocabulary's Meta (ordered by name) is inherited


class Agreement(NaturallyKeyed, CitedModel):
    """An agreement, or a plan or initiative announced but not (yet) signed."""

    title = models.CharField(max_length=500)
    kind = models.CharField(max_length=40, choices=AgreementKind.choices)
    status = models.CharField(max_length=20, choices=AgreementStatus.choices, db_index=True)
    areas = models.ManyToManyField(
        CooperationArea, blank=True, related_name="agreements", verbose_name="cooperation areas"
    )
    drugs = models.ManyToManyField(
        "cooperation.Drug",
        blank=True,
        related_name="agreements",
        verbose_name="drugs targeted",
        help_text="The drugs it names; empty when it covers drugs in general or none.",
    )
    summary = models.TextField(blank=True)
    announced_by = optional("cooperation.Official", related_name="announced_agreements")
    announced, announced_edtf, announced_earliest, announced_latest = partial_date_fields("announced")
    signed, signed_edtf, signed_earliest, signed_latest = partial_date_fields("signed")
    place = place_field("agreements_signed", "Where it was signed (a city or town), when known.", "place signed")
    start, start_edtf, start_earliest, start_latest = partial_date_fields("start")
    end, end_edtf, end_earliest, end_latest = partial_date_fields("end")
    duplicate_key, confirmed_distinct = duplicate_check_fields()

    partial_dates = ("announced", "signed", "start", "end")
    main_date = "signed"
    periods = (("start", "end"),)
    name_fields = ("title",)
    history = TrackedHistory(m2m_fields=[areas, drugs])

    class Meta:
        ordering = ["id"]
        # An export asks, for each agreement it names, whether another has the same title (cooperation.natural_keys).
        indexes = [models.Index(fields=["title"], name="agreement_title_idx")]
        constraints = [
            bounds_in_order("announced"),
            bounds_in_order("signed"),
            bounds_in_order("start"),
            bounds_in_order("end"),
            ends_after_start(),
            not_a_duplicate(),
        ]

    def __str__(self) -> str:
        return self.title


class AgreementParty(TrackedModel):
    """One party to an agreement, in a role: a country, a region (unnamed members) or an agency, which may
    come with its own country. A party given as an agency counts for the agency's country in every filter."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="parties")
    country = optional("cooperation.Country", related_name="agreement_parties")
    region = optional("cooperation.Region", related_name="agreement_parties")
    agency = optional("cooperation.Agency", related_name="agreement_parties")
    role = models.CharField(max_length=20, choices=PartyRole.choices, default=PartyRole.PARTY)
    note = models.CharField(max_length=500, blank=True, help_text='E.g. "several countries, not named".')

    #: What makes two parties the same party, when a client sends the agreement's parties again.
    identity_fields = ("country", "region", "agency", "role")
    history = TrackedHistory()

    class Meta:
        ordering = ["agreement_id", "id"]
        indexes = by_country_and_agency("agreement", "agreementparty")
        verbose_name_plural = "agreement parties"
        constraints = [
            party_kind(name="kind_of_party"),
            # A country is a party once per role; an agency too, with or without its country beside it.
            *once_per_role("agreement", "This {kind} is already a party in this role."),
        ]

    def __str__(self) -> str:
        return f"{self.agency or self.country or self.region} ({self.get_role_display()})"

    def clean(self) -> None:
        super().clean()
        check_agency_country(self)


class AgreementSignatory(TrackedModel):
    """Who signed an agreement: an official, with the post held at the time when the source gives it, or an
    agency (a ministry, a police force) when the source names no person; an official may sign for an agency."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="signatories")
    official = optional("cooperation.Official", related_name="signatures")
    post = optional(
        "cooperation.Post",
        related_name="signatures",
        verbose_name="post at the time",
        help_text="The official's post when signing (one of the official's posts), when the source gives it.",
    )
    agency = optional(
        "cooperation.Agency",
        related_name="signatures",
        help_text="The agency that signed, or that the official signed for.",
    )
    note = models.CharField(max_length=500, blank=True, help_text='E.g. "signed on behalf of the government".')

    #: What makes two signatories the same one, when a client sends the agreement's signatories again.
    identity_fields = ("official", "agency")
    history = TrackedHistory()

    class Meta:
        ordering = ["agreement_id", "id"]
        verbose_name_plural = "agreement signatories"
        constraints = [
            models.CheckConstraint(
                condition=Q(official__isnull=False) | Q(agency__isnull=False),
                name="agreementsignatory_official_or_agency",
                violation_error_message="Give the official who signed, the agency that signed, or both.",
            ),
            models.CheckConstraint(
                condition=Q(post__isnull=True) | Q(official__isnull=False),
                name="agreementsignatory_post_has_official",
                violation_error_message="A post at the time is an official's: give the official too.",
            ),
            models.UniqueConstraint(
                fields=["agreement", "official"],
                condition=Q(official__isnull=False),
                name="agreementsignatory_official_once",
                violation_error_message="This official is already a signatory of this agreement.",
            ),
            models.UniqueConstraint(
                fields=["agreement", "agency"],
                condition=Q(official__isnull=True, agency__isnull=False),
                name="agreementsignatory_agency_once",
                violation_error_message="This agency is already a signatory of this agreement.",
            ),
        ]

    def __str__(self) -> str:
        if self.post_id:
            return str(self.post)
        if self.official_id and self.agency_id:
            return f"{self.official} ({self.agency})"
        return str(self.official or self.agency)

    def clean(self) -> None:
        super().clean()
        if self.post_id is not None:
            if self.official_id is None:
                self.official_id = self.post.official_id  # the post says whose it is
            elif self.post.official_id != self.official_id:
                # By their keys: two officials may share a name ("Ana Torres [PE]", "Ana Torres [CR]").
                holder, official = self.post.official.natural_key()[0], self.official.natural_key()[0]
                raise ValidationError(
                    {"post": f"{holder} holds this post, not {official}: give one of {official}'s posts, or none."},
                    code="not_the_officials_post",
                )
        if self.official_id is None and self.agency_id is None:
            raise ValidationError(
                {"official": "Give the official who signed, the agency that signed, or both."}, code="required"
            )


class AgreementLink(TrackedModel):
    """One agreement's link to another: it implements (an action plan under a treaty), amends, renews or
    supersedes it. Entered with the agreement that does so; the other is ``target``."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(max_length=20, choices=LinkKind.choices)
    target = models.ForeignKey(
        Agreement,
        on_delete=models.PROTECT,
        related_name="linked_from",
        verbose_name="other agreement",
        help_text="The agreement this one implements, amends, renews or supersedes.",
    )
    note = models.CharField(max_length=500, blank=True)

    identity_fields = ("kind", "target")
    history = TrackedHistory()

    class Meta:
        ordering = ["agreement_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "kind", "target"],
                name="agreementlink_once",
                violation_error_message="This link is already given.",
            ),
            models.CheckConstraint(
                condition=~Q(target=F("agreement")),
                name="agreementlink_not_to_itself",
                violation_error_message="An agreement cannot be linked to itself.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.target}"

    def clean(self) -> None:
        super().clean()
        if self.agreement_id is not None and self.target_id == self.agreement_id:
            raise ValidationError({"target": "An agreement cannot be linked to itself."}, code="itself")
