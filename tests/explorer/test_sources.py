"""A source's page: its text with each quote marked where it occurs and linked to the citing record."""

import pytest

from tests import factories as f
from tests.explorer.conftest import queries_of

pytestmark = pytest.mark.django_db

TEXT = "Officials from both  countries signed a memorandum.\nTraining <starts> in 2013 & goes on."


def test_quotes_are_marked_in_place_and_link_to_the_citing_record(client, db):
    source = f.SourceFactory(title="Harbour report", text=TEXT)
    pact = f.AgreementFactory(title="Harbour pact", cited=False)
    course = f.TrainingCourseFactory(title="Harbour course", cited=False)
    first = f.CitationFactory(record=pact, source=source, quote="both countries signed")  # spaces differ
    second = f.CitationFactory(record=course, source=source, quote="Training <starts> in 2013")
    body = client.get(f"/sources/{source.pk}/").content.decode()
    text = body.split('<div class="source-text">')[1].split("</div>")[0]
    assert f'<mark id="citation-{first.pk}">both  countries signed</mark>' in text
    assert f'<a class="cite" href="/agreements/{pact.pk}/">[Harbour pact]</a>' in text
    assert f'<mark id="citation-{second.pk}">Training &lt;starts&gt; in 2013</mark>' in text
    assert "&amp; goes on." in text and "<starts>" not in body
    supported = body.split('id="supported"')[1].split("</section>")[0]
    assert f'href="/agreements/{pact.pk}/">Harbour pact</a>' in supported
    assert f'href="/training-courses/{course.pk}/">Harbour course</a>' in supported


def test_a_source_page_costs_the_same_however_many_records_it_supports(client, db):
    source = f.SourceFactory(text=TEXT)
    f.CitationFactory(record=f.AgreementFactory(cited=False), source=source, quote="signed a memorandum")
    url = f"/sources/{source.pk}/"
    queries_of(client, url)
    before = queries_of(client, url)
    for _ in range(3):
        f.CitationFactory(record=f.OperationFactory(cited=False), source=source, quote="signed a memorandum")
        f.CitationFactory(record=f.PostFactory(cited=False), source=source, quote="Officials")
    assert queries_of(client, url) == before
