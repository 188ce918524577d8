"""A source's page: its stored text with each quote cited from it marked in place and linked to the record
that cites it, and the records it supports. One query for the citations and one per kind of cited record,
whatever the source supports."""

from __future__ import annotations

import re

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from cooperation import models as m
from cooperation.api.permissions import may_view
from cooperation.explorer.pages import explorer_url
from cooperation.models.sources import named_records


def citations_with_records(source, user) -> list:
    """The source's citations of the kinds of record ``user`` may view, each with its record at hand."""
    cited = [model for model in apps.get_app_config("cooperation").get_models() if issubclass(model, m.CitedModel)]
    viewable = [model for model in cited if may_view(user, model)]
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


def marked_text(text: str, citations) -> SafeString:
    """``text`` (escaped) with each citation's quote in a ``<mark>`` where it occurs (spaces may differ, as
    ``Source.contains_quote`` allows), followed by a link to the citing record. A quote overlapping one already
    marked is left unmarked."""
    spans = []
    for citation in citations:
        words = citation.quote.split()
        found = re.search(r"\s+".join(map(re.escape, words)), text) if words else None
        if found:
            spans.append((found.start(), found.end(), citation))
    spans.sort(key=lambda span: (span[0], -span[1]))
    pieces, at = [], 0
    for start, end, citation in spans:
        if start < at:
            continue
        pieces.append(escape(text[at:start]))
        pieces.append(format_html('<mark id="citation-{}">{}</mark>', citation.pk, text[start:end]))
        record = citation.record
        if record is not None:
            pieces.append(format_html(' <a class="cite" href="{}">[{}]</a>', explorer_url(record), record))
        at = end
    pieces.append(escape(text[at:]))
    return mark_safe("".join(pieces))  # every piece is escaped above


def supported_records(citations) -> list[tuple]:
    """The records the citations support, each once, in the order first cited: (record, its page, its kind)."""
    seen, records = set(), []
    for citation in citations:
        record = citation.record
        if record is not None and (type(record), record.pk) not in seen:
            seen.add((type(record), record.pk))
            records.append((record, explorer_url(record), record._meta.verbose_name))
    return records
