"""A source's text from a file an analyst uploads: a saved web page (HTML), a PDF or plain text.

The article's own words are what citations quote, so a web page is reduced to its main text by
``trafilatura`` (menus, footers, comments and advertising left out), with one paragraph per line; a PDF gives
the text of its pages (``pypdf``), which is only as good as the PDF's text layer (a scan has none).
"""

from __future__ import annotations

import io

from django.core.exceptions import ValidationError

#: Files larger than this are refused before they are read (a long report as a PDF is a few megabytes).
MAX_BYTES = 20 * 1024 * 1024
KINDS = "a saved web page (.html), a PDF or a text file"


def _html(data: bytes) -> str:
    import trafilatura

    text = trafilatura.extract(
        data, include_comments=False, include_tables=True, include_links=False, favor_recall=True, deduplicate=True
    )
    return text or ""


def _pdf(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        return "\n\n".join((page.extract_text() or "").strip() for page in reader.pages).strip()
    except (PdfReadError, ValueError, KeyError, TypeError) as error:
        raise ValidationError(f"This PDF cannot be read ({error}).", code="unreadable") from None


def _plain(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError("A text file must be UTF-8.", code="unreadable") from None


def text_of(name: str, data: bytes) -> str:
    """The text of an uploaded file, by its kind (its name's ending, else its first bytes). Raises
    ValidationError saying why when there is no text to take."""
    if len(data) > MAX_BYTES:
        raise ValidationError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.", code="too_large")
    lowered = name.lower()
    head = data[:1024].lstrip().lower()
    if lowered.endswith(".pdf") or data.startswith(b"%PDF"):
        text = _pdf(data)
    elif lowered.endswith((".html", ".htm", ".xhtml")) or head.startswith((b"<!doctype html", b"<html")):
        text = _html(data)
    elif lowered.endswith((".txt", ".text", ".md")):
        text = _plain(data)
    else:
        raise ValidationError(f"Upload {KINDS}.", code="unknown_kind")
    text = "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").split("\n")).strip()
    if not text:
        raise ValidationError("No text was found in this file (a scanned PDF has none).", code="no_text")
    return text
