"""Issue 16: citing a source in seconds. A source keeps its text (pasted, or taken from a saved web page, a PDF
or a text file); its page shows the text with the passages its citations quote marked, and the paragraphs no
citation quotes yet; a passage selected there is cited, with its position, for a record on record or for a new
one whose page opens with the citation filled in. The position is checked against the text."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cooperation import models as m
from tests import factories as f
from tests.admin.formdata import CITATIONS, admin_url, form_data, inline_formset, post_form

pytestmark = pytest.mark.django_db

TEXT = (
    "Bogotá, 3 de mayo de 2021.\n"
    "The National Police and the Guardia Civil signed a memorandum on maritime interdiction.\n"
    "\n"
    "The memorandum covers training. The memorandum covers training of port inspectors too.\n"
    "Officials did not say when the first course would begin."
)
PAGE = """<!DOCTYPE html><html><head><title>Memorandum signed</title></head><body>
<nav><a href="/">Home</a> | <a href="/world">World</a> | Subscribe now</nav>
<article><h1>Memorandum signed</h1>
<p>The National Police and the Guardia Civil signed a memorandum on maritime interdiction in Bogotá on Monday,
according to officials of both forces, who spoke at a press conference after the ceremony.</p>
<p>The memorandum covers the training of port inspectors and the exchange of information on shipping
containers, the officials said, adding that the first course would begin later in the year.</p></article>
<footer>Copyright 2021 Example News. All rights reserved. Cookie settings.</footer></body></html>"""


@pytest.fixture
def source():
    return f.SourceFactory(url="https://news.example.co/2021/05/memorando", text=TEXT)


@pytest.fixture
def memorandum():
    # Two agreements with one title: the page cites by id, or by the key naming one of them.
    first = f.AgreementFactory(title="Maritime interdiction memorandum")
    f.AgreementFactory(title="Maritime interdiction memorandum")
    return first


def test_a_web_page_uploaded_gives_the_sources_text_without_its_menus(admin_client):
    typed = {"title": "Memorandum signed", "kind": "news_article", "language": "en"}
    upload = SimpleUploadedFile("memorando.html", PAGE.encode(), content_type="text/html")
    data = {**form_data(admin_client.get(admin_url(m.Source, "add"))), **typed, "upload": upload}
    response = admin_client.post(admin_url(m.Source, "add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    text = m.Source.objects.get().text
    assert "signed a memorandum on maritime interdiction" in text
    assert "port inspectors" in text
    assert "Subscribe now" not in text and "Cookie settings" not in text


def test_a_file_without_text_is_refused_on_its_field_and_nothing_is_saved(admin_client):
    typed = {"title": "A scan", "kind": "report", "language": "en"}
    for name, content, message in (
        ("scan.pdf", b"%PDF-1.4 not really a pdf", "This PDF cannot be read"),
        ("photo.jpg", b"\xff\xd8\xff\xe0", "Upload a saved web page (.html), a PDF or a text file."),
        ("empty.html", b"<!DOCTYPE html><html><body><script>track()</script></body></html>", "No text was found"),
    ):
        data = {**form_data(admin_client.get(admin_url(m.Source, "add"))), **typed}
        data["upload"] = SimpleUploadedFile(name, content)
        response = admin_client.post(admin_url(m.Source, "add"), data)
        assert response.status_code == 200, name
        assert message in str(response.context["adminform"].form.errors["upload"]), name
    assert not m.Source.objects.exists()


def test_the_source_page_marks_cited_passages_and_paragraphs_not_cited_yet(admin_client, source, memorandum):
    f.CitationFactory(record=memorandum, source=source, quote="signed a memorandum on maritime interdiction")
    page = admin_client.get(admin_url(m.Source, "change", source.pk))
    paragraphs = page.context["reading"]
    assert [p.cited for p in paragraphs] == [False, True, False, False]
    [marked] = [s for p in paragraphs for s in p.segments if s.citations]
    assert marked.text == "signed a memorandum on maritime interdiction"
    html = page.content.decode()
    assert "<mark>signed a memorandum on maritime interdiction</mark>" in html
    assert html.count("Not cited yet") == 3
    assert admin_url(m.Agreement, "change", memorandum.pk) in html


def test_a_selected_passage_is_cited_with_its_position_for_a_record_on_record(admin_client, source, memorandum):
    second = TEXT.index("The memorandum covers training of port inspectors")  # the second of two alike
    quote = "The memorandum covers training"
    response = admin_client.post(
        admin_url(m.Source, "cite", source.pk),
        {"quote": quote, "position": second, "record_type": "agreement", "record": str(memorandum.pk)},
    )
    assert response.status_code == 302
    citation = memorandum.citations.get(quote=quote)
    assert (citation.source, citation.position) == (source, second)
    assert citation.kind == "verbatim"

    page = admin_client.get(admin_url(m.Source, "change", source.pk))
    marked = [(p.start, s.text) for p in page.context["reading"] for s in p.segments if s.citations]
    assert marked == [(TEXT.index("The memorandum covers training."), quote)]
    assert page.context["reading"][2].segments[1].text == quote  # the second one is marked, not the first


def test_a_passage_not_in_the_text_or_not_at_its_position_is_refused_saying_why(admin_client, source, memorandum):
    cite = admin_url(m.Source, "cite", source.pk)
    before = m.Citation.objects.count()
    for posted, said in (
        ({"quote": "signed a treaty", "position": ""}, "does not occur in the source's full text"),
        ({"quote": "The memorandum covers training", "position": "3"}, "at character 3 is not this quote"),
        ({"quote": "Bogotá", "position": "0", "record": "Unknown memorandum"}, "No agreement 'Unknown memorandum'"),
        (
            {"quote": "Bogotá", "position": "0", "record": "Maritime interdiction memorandum"},
            "names several agreements",
        ),
    ):
        data = {"record_type": "agreement", "record": str(memorandum.pk), **posted}
        response = admin_client.post(cite, data, follow=True)
        shown = " ".join(str(message) for message in response.context["messages"])
        assert said in shown, (posted, shown)
    assert m.Citation.objects.count() == before


def test_cite_for_a_new_record_opens_its_page_with_the_citation_filled_in(admin_client, source):
    response = admin_client.post(
        admin_url(m.Source, "cite", source.pk),
        {"quote": "Bogotá, 3 de mayo de 2021.", "position": "0", "record_type": "agreement", "new": ""},
    )
    assert response.status_code == 302
    page = admin_client.get(response["Location"])
    [citation_form] = inline_formset(page, CITATIONS).forms
    assert (citation_form["source"].value(), citation_form["quote"].value()) == (
        source.pk,
        "Bogotá, 3 de mayo de 2021.",
    )
    assert citation_form["position"].value() == 0

    typed = {"title": "Memorandum on maritime interdiction", "kind": "memorandum_of_understanding", "status": "signed"}
    saved = post_form(admin_client, response["Location"], typed)
    assert saved.status_code == 302
    citation = m.Agreement.objects.get(title=typed["title"]).citations.get()
    assert (citation.quote, citation.position, citation.source) == ("Bogotá, 3 de mayo de 2021.", 0, source)


def test_a_viewer_cannot_cite(viewer_client, source, memorandum):
    client = viewer_client
    page = client.get(admin_url(m.Source, "change", source.pk))
    assert page.status_code == 200 and "cite-form" not in page.content.decode()
    refused = client.post(
        admin_url(m.Source, "cite", source.pk),
        {"quote": "Bogotá", "position": "0", "record_type": "agreement", "record": str(memorandum.pk)},
    )
    assert refused.status_code == 403
    assert not memorandum.citations.filter(quote="Bogotá").exists()


def pdf_with_text(*lines: str) -> bytes:
    """A one-page PDF whose text layer holds ``lines`` (written by hand: the smallest valid file)."""
    shown = " ".join(f"({line}) Tj 0 -16 Td" for line in lines)
    stream = f"BT /F1 12 Tf 20 180 Td {shown} ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 400 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-1.4\n")
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def test_a_pdf_gives_the_text_of_its_pages_and_a_scan_gives_none():
    from django.core.exceptions import ValidationError

    from cooperation.extraction import text_of

    text = text_of("report.pdf", pdf_with_text("Joint patrols began in March.", "Nine vessels were inspected."))
    assert "Joint patrols began in March." in text and "Nine vessels were inspected." in text
    scan = pdf_with_text()  # a page without words, as a scanned page has none
    with pytest.raises(ValidationError, match="No text was found"):
        text_of("scan.pdf", scan)
