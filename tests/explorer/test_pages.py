"""The explorer's pages as a reader sees them: what they show, where they link, who may see them."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from cooperation import models as m
from cooperation.explorer.pages import explorer_url
from cooperation.filtering.fields import MAX_TEXT
from tests import factories as f

pytestmark = pytest.mark.django_db


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


# --- Every page -------------------------------------------------------------------------------------------
def test_the_site_root_is_the_explorer_and_the_admin_and_api_stay(client, seed):
    body = page(client, "/")
    assert '<html lang="en">' in body
    assert '<a class="skip" href="#content">' in body and '<main id="content">' in body
    assert '<label for="site-search">' in body and 'id="site-search"' in body
    assert client.get("/admin/").status_code == 302  # to its login
    assert client.get("/api/v1/").status_code == 200


def test_pages_load_nothing_from_another_host_and_run_no_inline_script_or_style(client, seed):
    agreement = m.Agreement.objects.first()
    for url in ["/", "/search/?q=Russia", "/agreements/", explorer_url(agreement)]:
        response = client.get(url)
        body = response.content.decode()
        assert "script-src 'self'" in response["Content-Security-Policy"]
        assert "<script" not in body and "<style" not in body and " style=" not in body
        assert not re.search(r'<link[^>]+href="(https?:)?//', body), "a stylesheet from another host"


def test_headings_go_in_order(client, seed):
    for url in ["/", "/search/?q=Russia", explorer_url(m.Agreement.objects.first())]:
        levels = [int(level) for level in re.findall(r"<h([1-6])", page(client, url))]
        assert levels[0] == 1 and levels.count(1) == 1
        assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), url


# --- Home ---------------------------------------------------------------------------------------------------
def test_home_counts_each_kind_and_lists_the_latest_changes(client, seed):
    f.AgreementFactory(title="Pact of the harbours")
    body = page(client, "/")
    count = m.Agreement.objects.count()
    assert f'<a href="/agreements/">Agreements</a> <span class="count">{count}</span>' in body
    assert '<a href="/training-centres/">' in body
    latest = body.split('id="latest"')[1]
    assert "Pact of the harbours" in latest


# --- Search -------------------------------------------------------------------------------------------------
def test_search_finds_every_kind_grouped_with_links(client, seed):
    agency = f.AgencyFactory(name="Nicaraguan Harbour Police")
    agreement = f.AgreementFactory(title="Nicaraguan harbour pact")
    body = page(client, "/search/?q=harbour+nicaraguan")
    assert "<h2" in body and "Agencies</h2>" in body and "Agreements</h2>" in body
    assert f'<a href="/agencies/{agency.pk}/">Nicaraguan Harbour Police</a>' in body
    assert f'<a href="/agreements/{agreement.pk}/">Nicaraguan harbour pact</a>' in body


def test_search_finds_by_a_quote_like_the_api(client, seed):
    agreement = f.AgreementFactory(title="Pact")  # its citation quotes "signed a memorandum on information ..."
    api = client.get("/api/v1/search/", {"q": "information exchange", "type": "agreement"}).json()["results"]
    assert agreement.pk in [result["id"] for result in api]
    assert f'href="/agreements/{agreement.pk}/"' in page(client, "/search/?q=information+exchange")


def test_search_says_what_is_wrong_with_the_words(client, db):
    assert "At most" in page(client, "/search/?q=" + "a" * (MAX_TEXT + 1), status=400)
    assert "Give words" in page(client, "/search/?q=")


# --- Record pages -------------------------------------------------------------------------------------------
def test_a_record_page_shows_fields_parts_links_and_vague_dates(client, seed):
    agency = f.AgencyFactory(name="Coast Guard", cited=False)
    twin = f.AgencyFactory(name="Coast Guard", cited=False)  # the same name, another agency
    agreement = f.AgreementFactory(title="Coast pact", signed="early 2013", summary="")
    f.AgreementPartyFactory(agreement=agreement, country=None, agency=agency)
    f.AgreementPartyFactory(agreement=agreement, country=None, agency=twin)
    body = page(client, explorer_url(agreement))
    assert "<h1>Coast pact</h1>" in body
    assert "<dt>Signed</dt>" in body and "early 2013" in body and "<code>2013-01/2013-04</code>" in body
    assert "2013-01-01 to 2013-04-30" in body
    assert f'<a href="/agencies/{agency.pk}/">Coast Guard</a>' in body
    assert f'<a href="/agencies/{twin.pk}/">Coast Guard</a>' in body
    assert '<h2 id="part-parties">Parties</h2>' in body
    assert f'<a href="/api/v1/agreements/{agreement.pk}/">API</a>' in body


def test_each_fact_shows_its_support_or_says_none_names_it(client, db):
    agreement = f.AgreementFactory(title="Pact", cited=False)
    source = f.SourceFactory(title="Harbour report")
    f.CitationFactory(record=agreement, source=source, supports="title", locator="p. 4")
    body = page(client, explorer_url(agreement))
    title = body.split("<dt>Title</dt>")[1].split("</dd>")[0]
    assert "<details" in title and "signed a memorandum on information exchange" in title
    assert f'<a href="/sources/{source.pk}/">Harbour report</a>, p. 4' in title
    signed = body.split("<dt>Signed</dt>")[1].split("</dd>")[0]
    assert "no citation names this fact" in signed and "<details" not in signed
    summary = body.split("<dt>Summary</dt>")[1].split("</dd>")[0]
    assert "no citation names" not in summary  # nothing stated, nothing to support


def test_user_text_is_escaped(client, db):
    agreement = f.AgreementFactory(title="<script>alert(1)</script>", summary="<b>bold</b> & more")
    body = page(client, explorer_url(agreement))
    assert "<script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; more" in body
    assert "&lt;script&gt;" in page(client, "/search/?q=<script>")


@pytest.mark.parametrize(
    "url",
    [
        "/nothing-here/",
        "/agreements/999999/",
        "/agreements/abc/",
        "/agreements/99999999999999999999/",
        "/countries/XX/",
    ],
)
def test_unknown_kinds_and_records_are_404_pages(client, db, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_country_by_its_code_or_id(client, db):
    peru = m.Country.objects.get(iso2="PE")
    assert "<h1>Peru</h1>" in page(client, "/countries/PE/")
    assert "<h1>Peru</h1>" in page(client, f"/countries/{peru.pk}/")


def test_edit_link_only_with_the_change_permission(client, editor, viewer, db):
    agreement = f.AgreementFactory()
    edit = reverse("admin:cooperation_agreement_change", args=[agreement.pk])
    assert edit not in page(client, explorer_url(agreement))
    client.force_login(viewer)
    assert edit not in page(client, explorer_url(agreement))
    client.force_login(editor)
    assert f'<a href="{edit}">Edit</a>' in page(client, explorer_url(agreement))


def test_the_admin_change_form_links_to_the_explorer_page(admin_client, db):
    agreement = f.AgreementFactory()
    body = page(admin_client, reverse("admin:cooperation_agreement_change", args=[agreement.pk]))
    assert f'href="/agreements/{agreement.pk}/"' in body and "View on site" in body


# --- Lists --------------------------------------------------------------------------------------------------
def test_a_list_filters_with_the_api_filterset_and_exports_the_same(client, seed):
    peru = m.Country.objects.get(iso2="PE")
    agency = f.AgencyFactory(country=peru, cited=False)
    with_peru = f.AgreementFactory(title="Andean pact")
    f.AgreementPartyFactory(agreement=with_peru, country=None, agency=agency)  # Peru through its agency
    elsewhere = f.AgreementFactory(title="Baltic pact")
    body = page(client, "/agreements/?country=PE")
    assert f'href="/agreements/{with_peru.pk}/"' in body and f'href="/agreements/{elsewhere.pk}/"' not in body
    api = client.get("/api/v1/agreements/", {"country": "PE"}).json()["results"]
    listed = {int(pk) for pk in re.findall(r'<td><a href="/agreements/(\d+)/">', body)}
    assert with_peru.pk in listed and listed == {record["id"] for record in api}
    assert 'href="/api/v1/agreements/?country=PE&amp;format=csv"' in body


def test_a_list_refuses_unknown_and_invalid_filters(client, db):
    assert "Unknown filter" in page(client, "/agreements/?contry=PE", status=400)
    assert "<code>status</code>" in page(client, "/agreements/?status=bogus", status=400)


def test_a_list_pages(client, db):
    f.AgreementFactory.create_batch(55)
    first = page(client, "/agreements/?status=signed")
    assert "Page 1 of 2" in first and 'href="?status=signed&amp;page=2"' in first
    assert "Page 2 of 2" in page(client, "/agreements/?status=signed&page=2")
    assert "Page 2 of 2" in page(client, "/agreements/?status=signed&page=99999999999999999999")


# --- Access -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("url", ["/", "/search/?q=pact", "/agreements/", "/countries/PE/"])
def test_with_login_required_anonymous_visitors_go_to_the_login(client, db, read_requires_login, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=")


def test_with_login_required_a_user_sees_only_the_kinds_they_may_view(
    client, db, read_requires_login, user_who_may_view
):
    agreement = f.AgreementFactory(title="Harbour pact")
    agency = f.AgencyFactory(name="Harbour police", cited=False)
    client.force_login(user_who_may_view("agreement"))
    assert page(client, explorer_url(agreement))
    page(client, explorer_url(agency), status=403)
    page(client, "/agencies/", status=403)
    home = page(client, "/")
    assert 'href="/agreements/"' in home and 'href="/agencies/"' not in home
    found = page(client, "/search/?q=harbour")
    assert "Harbour pact" in found and "Harbour police" not in found


def test_a_search_hides_matches_on_quotes_from_those_who_may_not_read_citations(
    client, db, read_requires_login, user_who_may_view
):
    agreement = f.AgreementFactory(title="Pact")  # quoted: "signed a memorandum on information exchange"
    user = user_who_may_view("agreement")
    client.force_login(user)
    assert f"/agreements/{agreement.pk}/" not in page(client, "/search/?q=memorandum+information")
    user.user_permissions.add(Permission.objects.get(codename="view_citation"))
    assert f"/agreements/{agreement.pk}/" in page(client, "/search/?q=memorandum+information")
