"""The admin's index, as an analyst opens it: the lists grouped by what analysts do, records first, the parts
entered with their record and the accounts last, each list with its number of rows; every list in one group."""

import re

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cooperation import admin_site
from cooperation import models as m
from cooperation.admin_site import SECTIONS, section_of
from tests import factories as f

pytestmark = pytest.mark.django_db


def sections(client) -> dict[str, dict[str, str]]:
    """Section caption -> {list name: rows}, in the page's order."""
    response = client.get("/admin/")
    assert response.status_code == 200
    found = {}
    for module in re.findall(r'<div class="app-\w+ module".*?</table>', response.content.decode(), re.S):
        caption = re.search(r'class="section">([^<]+)</a>', module)[1]
        rows = re.findall(r'<a href="/admin/[^"]+/">([^<]+)</a>\s*</th>\s*<td class="row-count">([^<]+)</td>', module)
        found[caption] = dict(rows)
    return found


def test_the_index_groups_the_lists_records_first_with_their_rows(admin_client):
    f.AgreementFactory(title="Memorandum")
    f.AgreementFactory(title="Memorandum")  # one title, two agreements
    page = sections(admin_client)
    assert list(page) == list(SECTIONS)  # every section, in order, for a superuser
    assert page["Records"]["Agreements"] == str(m.Agreement.objects.count())
    assert int(page["Records"]["Agreements"]) >= 2
    assert "Agreement parties" in page["Parts of records (entered with their record)"]
    assert "Countries" in page["Reference data"] and "Sources" in page["Sources and citations"]
    assert "Users" in page["Accounts and security"]


def test_an_editor_sees_the_groups_of_what_they_may_view(editor_client):
    page = sections(editor_client)
    assert "Accounts and security" not in page  # editors do not manage accounts
    assert page["Records"]["Agreements"] == str(m.Agreement.objects.count())


def test_every_list_of_the_admin_is_in_one_group():
    for model in admin.site._registry:
        assert section_of(model) in SECTIONS, model


def test_the_index_counts_in_queries_that_do_not_grow_with_rows(admin_client):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get("/admin/").status_code == 200
        return len(captured)

    before = queries()
    f.AgreementFactory.create_batch(5)
    f.AgencyFactory.create_batch(3)
    assert queries() == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the catalogue's row estimates are PostgreSQL's")
def test_a_large_table_is_counted_from_postgresql_s_estimate(admin_client, monkeypatch):
    """An exact count of a million rows costs a second on every visit: above EXACT_BELOW rows (by PostgreSQL's
    own estimate, kept by ANALYZE) the index says "about N" and sends no COUNT for that table."""
    f.AgreementFactory.create_batch(3)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cooperation_agreement")
    monkeypatch.setattr(admin_site, "EXACT_BELOW", 3)
    with CaptureQueriesContext(connection) as queries:
        page = sections(admin_client)
    assert page["Records"]["Agreements"] == "about 3"
    assert not any('COUNT(*) FROM "cooperation_agreement"' in query["sql"] for query in queries)
    monkeypatch.setattr(admin_site, "EXACT_BELOW", 100_000)
    assert sections(admin_client)["Records"]["Agreements"] == "3"


def test_an_estimate_is_rounded_to_two_significant_digits():
    assert [admin_site.about(rows) for rows in (3.0, 1234567.0, 99_951.0)] == ["3", "1,200,000", "100,000"]
