"""A source's page: its stored text with each quote cited from it marked in place and linked to the record
that cites it, and the records it supports. One query for the citations and one per kind of cited record,
whatever the source supports."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType

from cooperation import models as m
from cooperation import reading
from cooperation.api.permissions import may_view
from cooperation.explorer.pages import explorer_url
from cooperation.filtering.fields import cited_models
from cooperation.models.sources import named_records


def citations_with_records(source, user) -> list:
    """The source's citations of the kinds of record ``user`` may view, each with its record at hand."""
    viewable = [model for model in cited_models() if may_view(user, model)]
    types = ContentType.objects.get_for_models(*viewable)  # cached after the first page
    citations = list(m.Citation.objects.filter(source=source, content_type__in=types.values()).order_by("pk"))
    generic = m.Citation._meta.get_field("record")
    for model, content_type in types.items():
        ids = m.Citation.objects.filter(source=source, content_type=content_type).values("object_id")
        records = {record.pk: record for record in named_records(model).filter(pk__in=ids)}
        for citation in citations:
            if citation.content_type_id == content_type.pk:
                generic.set_cached_value(citation, records.get(citation.object_id))
    return citations


def cited_paragraphs(source, citations) -> list:
    """The source's text in paragraphs, each passage its citations quote marked with the records citing it
    (``cooperation.reading``, as the admin's source page shows it), each record with its page here."""
    paragraphs = reading.paragraphs(source, citations)
    for paragraph in paragraphs:
        for segment in paragraph.segments:
            for citation in segment.citations:
                citation.page = explorer_url(citation.record) if citation.record is not None else None
    return paragraphs


def supported_records(citations) -> list[tuple]:
    """The records the citations support, each once, in the order first cited: (record, its page, its kind)."""
    seen, records = set(), []
    for citation in citations:
        record = citation.record
        if record is not None and (type(record), record.pk) not in seen:
            seen.add((type(record), record.pk))
            records.append((record, explorer_url(record), record._meta.verbose_name))
    return records
