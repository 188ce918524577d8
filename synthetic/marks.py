"""How synthetic data is marked, and how to tell it from real data.

Synthetic data is marked by its sources: every generated source has a URL under ``SYNTHETIC_URL_PREFIX``
(a reserved ``.example`` domain, so no real source can have it), and every generated fact-bearing record
cites such a source. A record is synthetic when a synthetic source supports it; a part of a record (an
agreement's party, a route's node, ...) is synthetic when its record is. Reference data never is.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Exists, OuterRef

from cooperation.models import Citation, CitedModel, Source

SYNTHETIC_URL_PREFIX = "https://synthetic.example/"


def synthetic_sources() -> models.QuerySet:
    return Source.objects.filter(url__startswith=SYNTHETIC_URL_PREFIX)


def _synthetic_citations(model: type[models.Model], object_id: OuterRef) -> Exists:
    content_type = ContentType.objects.get_for_model(model)
    return Exists(
        Citation.objects.filter(
            content_type=content_type, object_id=object_id, source__url__startswith=SYNTHETIC_URL_PREFIX
        )
    )


def parent_of(model: type[models.Model]) -> models.ForeignKey | None:
    """The foreign key by which a part belongs to its fact-bearing record (AgreementParty.agreement, ...)."""
    for field in model._meta.concrete_fields:
        if (
            field.many_to_one
            and field.remote_field.on_delete is models.CASCADE
            and issubclass(field.related_model, CitedModel)
        ):
            return field
    return None


def is_synthetic(model: type[models.Model], pk: str = "pk") -> Exists | None:
    """A condition on ``model`` that holds for its synthetic rows, or None when the model never has any.

    ``pk`` names the column holding the row's id (an OuterRef is built on it), so the condition can be used on
    the model itself (``Agreement.objects.filter(is_synthetic(Agreement))``).
    """
    if model is Source:
        return Exists(synthetic_sources().filter(pk=OuterRef(pk)))
    if model is Citation:
        return Exists(synthetic_sources().filter(pk=OuterRef("source_id")))
    if issubclass(model, CitedModel):
        return _synthetic_citations(model, OuterRef(pk))
    parent = parent_of(model)
    if parent is not None:
        return _synthetic_citations(parent.related_model, OuterRef(parent.attname))
    return None


def present() -> bool:
    """Whether the database holds synthetic data."""
    return synthetic_sources().exists()
