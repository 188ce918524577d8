"""A source's stored text as an analyst reads it: paragraphs, the passages its citations quote marked in
place with what cites them, and the paragraphs no citation quotes yet.

Each paragraph knows where it begins in the text, so a passage selected on the page is cited with its exact
position (``Citation.position``), which the model checks against the text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from cooperation.models import Citation, Source
from cooperation.models.choices import CitationKind


@dataclass(frozen=True)
class Segment:
    text: str
    #: The citations quoting this stretch of text (none: not quoted).
    citations: tuple[Citation, ...] = ()


@dataclass
class Paragraph:
    start: int
    segments: list[Segment] = field(default_factory=list)

    @property
    def cited(self) -> bool:
        return any(segment.citations for segment in self.segments)


def quoted_spans(source: Source, citations: Iterable[Citation]) -> list[tuple[int, int, Citation]]:
    """(start, end, citation) of each verbatim quote in the text: at its position, else where it first is."""
    spans = []
    for citation in citations:
        if citation.kind != CitationKind.VERBATIM:
            continue  # a paraphrase or a translation does not stand in the text word for word
        found = source.find_quote(citation.quote, at=citation.position) if citation.position is not None else None
        found = found or source.find_quote(citation.quote)
        if found:
            spans.append((found.start(), found.end(), citation))
    return spans


def paragraphs(source: Source, citations: Iterable[Citation]) -> list[Paragraph]:
    """The text in paragraphs (its non-empty lines), each cut where a quoted passage begins or ends."""
    text = source.text
    spans = quoted_spans(source, citations)
    result = []
    start = 0
    for line in text.split("\n"):
        end = start + len(line)
        if line.strip():
            inside = [(max(s, start), min(e, end), c) for s, e, c in spans if s < end and e > start]
            cuts = sorted({start, end, *(s for s, _, _ in inside), *(e for _, e, _ in inside)})
            paragraph = Paragraph(start=start)
            for left, right in zip(cuts, cuts[1:], strict=False):
                quoting = tuple(c for s, e, c in inside if s <= left and right <= e)
                paragraph.segments.append(Segment(text[left:right], quoting))
            result.append(paragraph)
        start = end + 1  # the line break
    return result
