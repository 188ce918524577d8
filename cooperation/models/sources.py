"""Provenance: the sources we read and the citations that tie each fact to their words: a verbatim quote, or a
paraphrase or translation that says it is one."""

from __future__ import annotations

import re

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.text import capfirst

from .base import (
    CitedModel,
    NaturallyKeyed,
    TrackedHistory,
    TrackedModel,
    bounds_in_order,
    optional,
    partial_date_fields,
)
from .choices import CitationKind, Confidence, Modality, SourceKind

_SPACE = re.compile(r"\s+")


def normalise_space(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def find_quote(text: str, quote: str, at: int | None = None) -> re.Match | None:
    """Where ``quote`` is in ``text``, whatever whitespace separates its words there (a line break for a space):
    the first occurrence, or only the one starting at character ``at``."""
    words = quote.split()
    if not words or not text:
        return None
    pattern = re.compile(r"\s+".join(map(re.escape, words)))
    if at is None:
        return pattern.search(text)
    return pattern.match(text, at) if 0 <= at <= len(text) else None


class Source(NaturallyKeyed, TrackedModel):
    title = models.CharField(max_length=500)
    kind = models.CharField(max_length=30, choices=SourceKind.choices, default=SourceKind.NEWS_ARTICLE)
    publisher = optional(
        "cooperation.Agency",
        related_name="publications",
        help_text="The organisation that published it, when it is in the database.",
    )
    publisher_name = models.CharField(
        max_length=200, blank=True, help_text="The publisher as named by the source, if not an agency on record."
    )
    authors = models.CharField(max_length=500, blank=True)
    url = models.URLField("URL", max_length=1000, blank=True)
    language = models.CharField(
        max_length=12,
        default="en",
        validators=[RegexValidator(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$", "A language tag such as en, es or pt-BR.")],
    )
    published, published_edtf, published_earliest, published_latest = partial_date_fields("published")
    retrieved = models.DateField(null=True, blank=True)
    text = models.TextField(
        "full text",
        blank=True,
        help_text="The text of the source, when we may keep it: every verbatim quote of it must occur in it.",
    )
    note = models.TextField(blank=True)

    partial_dates = ("published",)
    history = TrackedHistory()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(
                fields=["url"],
                condition=~Q(url=""),
                name="source_url_unique",
                violation_error_message="A source with this URL is already on record.",
            ),
            bounds_in_order("published"),
        ]

    def __str__(self) -> str:
        return self.title

    def contains_quote(self, quote: str) -> bool:
        return normalise_space(quote) in normalise_space(self.text)

    def find_quote(self, quote: str, at: int | None = None) -> re.Match | None:
        return find_quote(self.text, quote, at)


def _position_error(message: str) -> ValidationError:
    return ValidationError({"position": message}, code="not_at_position")


def supported_fields(model: type[models.Model], names: str) -> str:
    """``names`` (separated by spaces, commas or bars) checked against the facts a record of ``model`` has, in
    the resource's order, each once: the stored form of a citation's ``supports``."""
    from cooperation.resources import resource_of

    supportable = resource_of(model).supportable
    given = set(re.split(r"[\s,|]+", names.strip())) - {""}
    unknown = sorted(given - set(supportable))
    if unknown:
        raise ValidationError(
            {
                "supports": f"{capfirst(model._meta.verbose_name_plural)} have no field {unknown[0]!r}; a citation can "
                f"support: {', '.join(supportable)}."
            },
            code="unknown_field",
        )
    return " ".join(name for name in supportable if name in given)


def cited_models() -> Q:
    """The content types a citation may point at: every model that states facts."""
    from django.apps import apps

    labels = [m._meta.model_name for m in apps.get_app_config("cooperation").get_models() if issubclass(m, CitedModel)]
    return Q(app_label="cooperation", model__in=labels)


def named_records(model: type[models.Model]) -> models.QuerySet:
    """The records of ``model`` with what their display name is made of (a post's official and agency, ...)."""
    return model._default_manager.select_related(*(f.name for f in model._meta.concrete_fields if f.many_to_one))


def cited_querysets() -> list[models.QuerySet]:
    """Each kind of record a citation can support, with what its name is made of (for ``GenericPrefetch``)."""
    from django.apps import apps

    models_ = apps.get_app_config("cooperation").get_models()
    return [named_records(model) for model in models_ if issubclass(model, CitedModel)]


class Citation(TrackedModel):
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="citations")
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, limit_choices_to=cited_models, verbose_name="record type"
    )
    object_id = models.PositiveBigIntegerField("record id")
    record = GenericForeignKey("content_type", "object_id")
    quote = models.TextField(
        help_text="The words of the source that support the fact: verbatim, or paraphrased or translated as its "
        "kind says."
    )
    kind = models.CharField(
        "kind of text",
        max_length=20,
        choices=CitationKind.choices,
        default=CitationKind.VERBATIM,
        help_text="Verbatim quotes are checked against the source's full text, when it is stored.",
    )
    locator = models.CharField(
        max_length=100, blank=True, help_text="Where in the source: paragraph, page, section (e.g. para. 4)."
    )
    supports = models.CharField(
        "fields supported",
        max_length=500,
        blank=True,
        default="",
        db_default="",  # rows written by SQL of their own (bulk loads) support the record as a whole
        help_text="The fields and parts of its record that this citation supports, by name, separated by spaces "
        '(e.g. "title signed parties"); empty when it supports the record as a whole.',
    )
    position = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Where the quote begins in the source's stored text (characters from its start). Found on "
        "save for a verbatim quote when not given; when given, the text there must be the quote.",
    )
    confidence = models.CharField(max_length=10, choices=Confidence.choices, default=Confidence.HIGH)
    modality = models.CharField(max_length=20, choices=Modality.choices, default=Modality.REPORTED)
    note = models.TextField(blank=True)

    identity_fields = ("source", "quote")
    history = TrackedHistory()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="citation_record_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(quote=""), name="citation_quote_not_empty", violation_error_message="Give the quote."
            ),
        ]

    def __str__(self) -> str:
        quote = normalise_space(self.quote)
        shown = quote if len(quote) <= 60 else quote[:60] + "\u2026"
        return f"\u201c{shown}\u201d ({self.source})"

    def clean_position(self) -> None:
        """A verbatim quote's position is found when not given; a position given must be where the quote is.
        A stored position follows its quote when the quote or the source changes and the position does not."""
        source = self.source if self.source_id else None
        text = source.text if source is not None else ""
        changed = self.changed_fields()
        moved = changed is not None and "position" not in changed and bool(changed & {"quote", "source_id"})
        if self.position is not None and moved:
            self.position = None  # kept from before the quote changed: found again below
        if self.position is None:
            if self.kind == CitationKind.VERBATIM and text and self.quote:
                found = source.find_quote(self.quote)
                self.position = found.start() if found else None
            return
        if not text:
            raise _position_error("The source has no stored text to place the quote in: leave the position out.")
        if self.kind == CitationKind.VERBATIM and source.find_quote(self.quote, at=self.position) is None:
            raise _position_error(
                f"The source's text at character {self.position} is not this quote: give where it begins, or leave "
                "the position out to have it found."
            )
        if self.position > len(text):
            raise _position_error(f"The source's text has {len(text)} characters: this is beyond its end.")

    def clean(self) -> None:
        super().clean()
        self.quote = self.quote.strip()
        verbatim = self.kind == CitationKind.VERBATIM
        if (
            verbatim
            and self.source_id
            and self.quote
            and self.source.text
            and not self.source.contains_quote(self.quote)
        ):
            raise ValidationError(
                {
                    "quote": "This quote does not occur in the source's full text; copy it verbatim, or say that it "
                    "is a paraphrase or a translation."
                },
                code="not_verbatim",
            )
        self.clean_position()
        if self.content_type_id and self.object_id is not None:
            model = self.content_type.model_class()
            if model is None or not issubclass(model, CitedModel):
                raise ValidationError({"content_type": "This kind of record does not take citations."}, code="invalid")
            at_hand = self._meta.get_field("record").get_cached_value(self, None)  # e.g. saved with its record
            known = type(at_hand) is model and at_hand.pk == self.object_id and not at_hand._state.adding
            if not known and not model._default_manager.filter(pk=self.object_id).exists():
                raise ValidationError({"object_id": f"There is no {model._meta.verbose_name} {self.object_id}."})
            self.supports = supported_fields(model, self.supports)
