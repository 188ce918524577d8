"""The timeline: records counted by the years their partial dates may fall in, drawn as columns (a known year)
and bars (a range of years, open where a side is unknown), with the same counts as a table and a CSV, chosen
by the API's own filters; the same on a country's dossier, an agency's and an official's page."""

import csv
import io
import re

import pytest

from cooperation import models as m
from tests import factories as f
from tests.explorer.conftest import queries_of

pytestmark = pytest.mark.django_db


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code, response.content[:500])
    return response.content.decode()


def table_rows(body: str) -> list[tuple[str, str, str]]:
    """The timeline table's rows: (kind, when, records)."""
    table = body.split('<table class="timeline-table">')[1].split("</table>")[0]
    return re.findall(r'<tr><td><a href="[^"]*">([^<]+)</a></td><td>([^<]+)</td><td>(\d+)</td></tr>', table)


def csv_rows(client, url: str) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


@pytest.fixture
def peru_pacts(db):
    """Agreements with Peru (two through an agency of Peru's, as a party) dated as vaguely as sources date them,
    and one with Chile only."""
    peru, chile = m.Country.objects.get(iso2="PE"), m.Country.objects.get(iso2="CL")
    police = f.AgencyFactory(name="Policía Nacional", country=peru, cited=False)
    signed = ["2012", "March 2012", "c. 2012", "between 2011 and 2013", "after October 2012", "", "2015-06-01"]
    pacts = []
    for when in signed:
        pact = f.AgreementFactory(signed=when, cited=False)
        f.AgreementPartyFactory(agreement=pact, country=peru)
        pacts.append(pact)
    for pact in pacts[:2]:
        f.AgreementPartyFactory(agreement=pact, country=None, agency=police)  # Peru twice: counted once
    f.AgreementPartyFactory(agreement=f.AgreementFactory(signed="2012", cited=False), country=chile)
    return pacts


def test_a_country_timeline_counts_years_and_ranges_as_the_table_and_csv_say(client, peru_pacts):
    body = page(client, "/timeline/?country=PE&kind=agreements")
    assert table_rows(body) == [
        ("Agreements", "2011 to 2013", "1"),
        ("Agreements", "2012", "3"),  # "2012", "March 2012" and "c. 2012": all within 2012
        ("Agreements", "2012 to …", "1"),  # after October 2012: no latest day
        ("Agreements", "2015", "1"),
        ("Agreements", "date not known", "1"),
    ]
    svg = body.split("<svg")[1].split("</svg>")[0]
    assert svg.count('<rect class="column"') == 2  # 2012 and 2015, however many records each
    assert svg.count('<g class="range">') == 2
    assert svg.count('<path class="open"') == 1  # the open end of "after October 2012"
    assert "Agreements: 1 dated 2011 to 2013" in svg and "Agreements: 3 in 2012" in svg
    assert "7, 1 undated" in svg
    assert 'href="/timeline/?country=PE&amp;kind=agreements&amp;format=csv"' in body
    rows = csv_rows(client, "/timeline/?country=PE&kind=agreements&format=csv")
    assert [(r["kind"], r["earliest_year"], r["latest_year"], r["records"]) for r in rows] == [
        ("agreements", "2011", "2013", "1"),
        ("agreements", "2012", "2012", "3"),
        ("agreements", "2012", "", "1"),
        ("agreements", "2015", "2015", "1"),
        ("agreements", "", "", "1"),
    ]
    # The records behind the counts are the API's list with the same filters.
    assert 'href="/agreements/?country=PE">Agreements</a>' in body
    api = client.get("/api/v1/agreements/", {"country": "PE"}).json()
    assert len(api["results"]) == sum(int(r["records"]) for r in rows)


def test_the_period_filter_is_the_apis_and_bounds_the_axis(client, peru_pacts):
    body = page(client, "/timeline/?country=PE&kind=agreements&date_from=2013&date_to=2014")
    # Overlapping 2013-2014: the 2011-2013 range and the open "after October 2012"; nothing dated within 2012.
    assert table_rows(body) == [("Agreements", "2011 to 2013", "1"), ("Agreements", "2012 to …", "1")]
    assert "Records by year, 2013 to 2014" in body
    svg = body.split("<svg")[1].split("</svg>")[0]
    assert svg.count('<path class="open"') == 3  # both ranges run past the window: drawn open there
    within = page(client, "/timeline/?country=PE&kind=agreements&date_from=2012&date_to=2012&date_match=within")
    assert "<code>status</code>" in page(client, "/timeline/?status=", status=400)  # the API's filters stay strict
    assert table_rows(within) == [("Agreements", "2012", "3")]


def test_every_kind_is_drawn_unless_kinds_are_chosen_and_filters_choose_the_kinds(client, db):
    peru = m.Country.objects.get(iso2="PE")
    f.AgreementPartyFactory(agreement=f.AgreementFactory(signed="2014", cited=False), country=peru)
    f.EventFactory(date="May 2016", country=peru, kind=m.EventKind.STATEMENT, stance="welcomed", cited=False)
    operation = f.OperationFactory(start="2010", end="2013", cited=False)
    f.OperationParticipantFactory(operation=operation, country=peru)
    whole = table_rows(page(client, "/timeline/?country=PE"))
    assert ("Agreements", "2014", "1") in whole and ("Events", "2016", "1") in whole
    assert ("Operations", "2010 to 2013", "1") in whole  # a period: from its start to its end
    only = table_rows(page(client, "/timeline/?country=PE&kind=events&kind=operations"))
    assert {kind for kind, _, _ in only} == {"Events", "Operations"}
    # A filter only some kinds have draws those kinds: events have a stance, agreements do not.
    assert table_rows(page(client, "/timeline/?stance=welcomed")) == [("Events", "2016", "1")]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("kind=treaties", "kind"),
        ("kind=agreements&stance=welcomed", "stance"),  # not a filter of agreements
        ("contry=PE", "contry"),
        ("date_from=2012-13", "date_from"),
        ("kind=agreements&status=bogus", "status"),
        ("country=PE%00", "country"),
        ("format=xml", "format"),
    ],
)
def test_bad_filters_are_a_400_naming_them(client, db, query, field):
    body = page(client, f"/timeline/?{query}", status=400)
    assert f"<code>{field}</code>" in body


def test_a_dossier_an_agency_and_an_official_have_their_timeline(client, db):
    peru = m.Country.objects.get(iso2="PE")
    agency = f.AgencyFactory(name="Policía", country=peru, cited=False)
    official = f.OfficialFactory(name="Ana Ruiz", country=peru, cited=False)
    pact = f.AgreementFactory(signed="spring 2013", cited=False)
    f.AgreementPartyFactory(agreement=pact, country=None, agency=agency)
    f.AgreementSignatoryFactory(agreement=pact, official=official, agency=None)
    f.PostFactory(official=official, agency=agency, start="2009", end="2011", cited=False)
    dossier = page(client, "/countries/PE/")
    assert '<h2 id="timeline">Timeline</h2>' in dossier
    assert ("Agreements", "2013", "1") in table_rows(dossier)
    assert 'href="/timeline/?country=PE">On the timeline page</a>' in dossier
    at_agency = table_rows(page(client, f"/agencies/{agency.pk}/"))
    assert ("Agreements", "2013", "1") in at_agency and ("Posts", "2009 to 2011", "1") in at_agency
    of_official = table_rows(page(client, f"/officials/{official.pk}/"))
    assert ("Agreements", "2013", "1") in of_official and ("Posts", "2009 to 2011", "1") in of_official
    official_page = page(client, f"/officials/{official.pk}/")
    assert 'value="posts"' in official_page and 'value="trafficking-routes"' not in official_page  # no official
    # Its own filters: kind and period, the record's own filter kept.
    assert table_rows(page(client, f"/officials/{official.pk}/?kind=posts")) == [("Posts", "2009 to 2011", "1")]
    later = page(client, "/countries/PE/?date_from=2014&date_to=")  # as the form sends a field left empty
    assert table_rows(later) == []
    assert '<h2 id="involved-agreements">Agreements (1)</h2>' in later  # the dossier's lists are not filtered
    assert "<code>date_to</code>" in page(client, "/countries/PE/?date_to=soon", status=400)


def test_user_text_in_filters_is_escaped(client, db):
    body = page(client, "/timeline/?kind=<b>x</b>", status=400)
    assert "<b>x</b>" not in body and "&lt;b&gt;x&lt;/b&gt;" in body


def test_with_login_required_only_the_kinds_the_user_may_view(client, db, read_requires_login, user_who_may_view):
    f.EventFactory(date="2016", cited=False)
    f.AgreementFactory(signed="2014", cited=False)
    assert client.get("/timeline/").status_code == 302
    client.force_login(user_who_may_view("event"))
    assert {kind for kind, _, _ in table_rows(page(client, "/timeline/"))} == {"Events"}


def test_timelines_cost_the_same_queries_with_ten_times_the_records(client, db):
    peru = m.Country.objects.get(iso2="PE")
    agency = f.AgencyFactory(country=peru, cited=False)
    official = f.OfficialFactory(country=peru, cited=False)

    def add(n: int, year: int):
        for i in range(n):
            pact = f.AgreementFactory(signed=str(year + i % 4), cited=False)
            f.AgreementPartyFactory(agreement=pact, country=None, agency=agency)
            f.AgreementSignatoryFactory(agreement=pact, official=official, agency=None)
            f.EventFactory(date=f"between {year} and {year + i}", country=peru, cited=False)
            f.PostFactory(official=official, agency=agency, start=str(year), cited=False)

    urls = ["/timeline/", "/timeline/?country=PE", "/countries/PE/", f"/agencies/{agency.pk}/"]
    urls += [f"/officials/{official.pk}/", "/timeline/?country=PE&format=csv"]
    add(2, 2010)
    for url in urls:
        queries_of(client, url)  # warms the caches (content types) later pages reuse
    before = {url: queries_of(client, url) for url in urls}
    add(20, 2000)
    assert {url: queries_of(client, url) for url in urls} == before
