"""What every admin shares: partial dates typed as text, errors on the field, all-or-nothing saves with
inlines, required citations, and the history page with who changed what."""

import datetime as dt
import re

import pytest
from django.utils.text import capfirst

from cooperation.models import Agency, Agreement, AgreementParty, Citation, Country, Official
from tests.factories import AgreementFactory, SourceFactory

from .formdata import CITATIONS, admin_url, inline_formset, post_form

pytestmark = pytest.mark.django_db

QUOTE = "signed a memorandum on information exchange"


@pytest.fixture
def source():
    return SourceFactory(text=f"Officials from both countries {QUOTE}. Training starts in 2013.")


def agreement_form(source, **typed) -> dict:
    """A valid new agreement with one citation; ``typed`` adds or overrides fields."""
    return {
        "title": "Memorandum on information exchange",
        "kind": "memorandum_of_understanding",
        "status": "signed",
        f"{CITATIONS}-0-source": source.pk,
        f"{CITATIONS}-0-quote": QUOTE,
        **typed,
    }


def test_a_date_typed_as_text_is_stored_as_edtf_with_its_bounds(admin_client, source):
    response = post_form(admin_client, admin_url(Agreement, "add"), agreement_form(source, signed="October 2012"))

    assert response.status_code == 302
    agreement = Agreement.objects.get()
    assert (agreement.signed, agreement.signed_edtf) == ("October 2012", "2012-10")
    assert (agreement.signed_earliest, agreement.signed_latest) == (dt.date(2012, 10, 1), dt.date(2012, 10, 31))


def test_the_form_shows_the_date_as_written_and_its_edtf_as_inputs_and_the_bounds_read_only(admin_client):
    agreement = AgreementFactory(signed="October 2012")
    response = admin_client.get(admin_url(Agreement, "change", agreement.pk))

    form = response.context["adminform"].form
    assert {"signed", "signed_edtf"} <= set(form.fields)
    assert not {"signed_earliest", "signed_latest", "signed_bounds", "version"} & set(form.fields)
    assert "2012-10-01 \u2013 2012-10-31" in response.text  # the bounds, read-only
    assert 'value="October 2012"' in response.text and 'value="2012-10"' in response.text


def test_an_unreadable_date_is_an_error_on_its_field_and_nothing_is_saved(admin_client, source):
    response = post_form(admin_client, admin_url(Agreement, "add"), agreement_form(source, signed="sometime soon"))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["signed"]
    assert "Cannot read 'sometime soon' as a date" in errors["signed"][0]
    assert not Agreement.objects.exists() and not Citation.objects.exists()


def test_an_invalid_edtf_value_is_an_error_on_the_edtf_field(admin_client, source):
    response = post_form(admin_client, admin_url(Agreement, "add"), agreement_form(source, signed_edtf="2012-13"))

    assert list(response.context["adminform"].form.errors) == ["signed_edtf"]
    assert not Agreement.objects.exists()


def test_an_invalid_inline_row_saves_nothing_not_the_record_nor_its_valid_rows(admin_client, source):
    peru, russia = Country.objects.get(iso2="PE"), Country.objects.get(iso2="RU")
    agency = Agency.objects.create(name="Federal Drug Control Service", kind="drug_control_agency", country=russia)
    typed = agreement_form(
        source,
        **{
            "parties-0-country": peru.pk,  # a valid row
            "parties-1-country": peru.pk,  # a Russian agency given with Peru as its country: invalid
            "parties-1-agency": agency.pk,
        },
    )
    response = post_form(admin_client, admin_url(Agreement, "add"), typed)

    assert response.status_code == 200
    parties = inline_formset(response, "parties")
    message = "Federal Drug Control Service is an agency of Russian Federation: give its country, or none."
    assert parties.forms[1].errors["country"] == [message]
    assert not Agreement.objects.exists()
    assert not AgreementParty.objects.exists()
    assert not Citation.objects.exists()


def test_a_fact_cannot_be_saved_without_a_citation(admin_client, source):
    typed = agreement_form(source, **{f"{CITATIONS}-0-source": "", f"{CITATIONS}-0-quote": ""})
    response = post_form(admin_client, admin_url(Agreement, "add"), typed)

    assert response.status_code == 200
    assert inline_formset(response, CITATIONS).non_form_errors() == ["Cite at least one source: every fact is sourced."]
    assert "Cite at least one source" in response.text
    assert not Agreement.objects.exists()


def test_the_last_citation_cannot_be_deleted(admin_client):
    agreement = AgreementFactory()
    response = post_form(admin_client, admin_url(Agreement, "change", agreement.pk), {f"{CITATIONS}-0-DELETE": "on"})

    assert response.status_code == 200
    assert inline_formset(response, CITATIONS).non_form_errors() == ["Cite at least one source: every fact is sourced."]
    assert agreement.citations.count() == 1


def test_a_quote_that_is_not_in_the_source_is_an_error_on_the_quote(admin_client, source):
    typed = agreement_form(source, **{f"{CITATIONS}-0-quote": "agreed to nothing at all"})
    response = post_form(admin_client, admin_url(Agreement, "add"), typed)

    assert "does not occur in the source" in inline_formset(response, CITATIONS).forms[0].errors["quote"][0]
    assert not Agreement.objects.exists()


def test_the_history_page_shows_who_changed_the_record_and_what_changed(admin_client, source):
    post_form(admin_client, admin_url(Agreement, "add"), agreement_form(source, signed="October 2012"))
    agreement = Agreement.objects.get()
    change = admin_url(Agreement, "change", agreement.pk)
    response = post_form(admin_client, change, {"status": "in_force", "signed": "2013"})
    assert response.status_code == 302

    history = admin_client.get(admin_url(Agreement, "history", agreement.pk))

    assert history.status_code == 200
    latest = history.context["timeline"][0]
    assert (latest.what, latest.action, latest.user.username) == ("Agreement", "Changed", "admin")
    changes = {(capfirst(name), old, new) for name, old, new in latest.changes}
    assert ("Status", "Signed", "In force") in changes
    assert ("Signed (as written)", "October 2012", "2013") in changes
    assert ("Signed (EDTF)", "2012-10", "2013") in changes
    shown = " ".join(history.text.split())
    assert re.search(r"<td>\s*<a [^>]*>admin</a>\s*</td>", history.text)  # changed by
    assert "<strong>Status:</strong> Signed &nbsp;&rarr;&nbsp;&nbsp;In force" in shown
    # When, to the second and in UTC as stored; no "None" for a change given no reason.
    when = latest.when.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    assert f">{when}</time>" in shown
    reasons = re.findall(r"</td>\s*<td>([^<]*)</td>\s*<td>\s*(?:<ul>|</td>)", history.text)
    assert reasons and all(reason.strip() in ("", "deleted") for reason in reasons), reasons


def test_a_relative_date_counts_from_the_source_typed_in_the_citation_inline(admin_client, source):
    source.published = "10 June 2015"
    source.save()
    response = post_form(admin_client, admin_url(Agreement, "add"), agreement_form(source, signed="last month"))

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert (Agreement.objects.get().signed_edtf, Agreement.objects.get().signed_latest) == (
        "2015-05",
        dt.date(2015, 5, 31),
    )


def test_a_relative_date_without_a_dated_source_is_the_apis_error_on_its_field(admin_client, source):
    response = post_form(admin_client, admin_url(Agreement, "add"), agreement_form(source, signed="next month"))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["signed"]
    assert "relative date needs a cited source with a publication date" in errors["signed"][0]
    assert not Agreement.objects.exists()


def test_an_open_ended_date_keeps_its_open_side_empty(admin_client, source):
    response = post_form(admin_client, admin_url(Agreement, "add"), agreement_form(source, signed="by 1 June 2015"))

    assert response.status_code == 302
    agreement = Agreement.objects.get()
    assert (agreement.signed_edtf, agreement.signed_earliest, agreement.signed_latest) == (
        "[..2015-06-01]",
        None,
        dt.date(2015, 6, 1),
    )


def test_a_likely_duplicate_is_an_error_on_the_name_unless_ticked(admin_client, source):
    typed = {"name": "Rubén Aquino Lezcano", "country": Country.objects.get(iso2="PY").pk}
    typed |= {f"{CITATIONS}-0-source": source.pk, f"{CITATIONS}-0-quote": QUOTE}
    assert post_form(admin_client, admin_url(Official, "add"), typed).status_code == 302
    response = post_form(admin_client, admin_url(Official, "add"), {**typed, "name": "RUBÉN  AQUINO LEZCANO"})
    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors["name"]
    assert "likely duplicate" in error and "Save it as another record" in error
    assert Official.objects.count() == 1
    ticked = post_form(admin_client, admin_url(Official, "add"), {**typed, "confirm_duplicate": "on"})
    assert ticked.status_code == 302
    assert Official.objects.count() == 2


def test_a_record_s_page_lists_what_refers_to_it_in_queries_that_do_not_grow(admin_client):
    """A country's page shows its agreement parties, the centres it hosts and those it sponsors (told apart) and
    its agencies, each with how many and a link to their list, which lists just those."""
    import django.db
    from django.test.utils import CaptureQueriesContext

    from cooperation.models import TrainingCentre
    from tests import factories as f

    nicaragua = Country.objects.get(iso2="NI")

    def shown() -> tuple[str, int]:
        with CaptureQueriesContext(django.db.connection) as queries:
            page = admin_client.get(admin_url(Country, "change", nicaragua.pk))
        assert page.status_code == 200
        return " ".join(page.text.split()), len(queries)

    shown()  # the first request also fills per-process caches (content types)
    before, queries = shown()
    for title in ("Memorandum", "Memorandum"):  # one title, two agreements
        f.AgreementPartyFactory(agreement=AgreementFactory(title=title), country=nicaragua)
    f.TrainingCentreFactory(name="Centre", host_country=nicaragua)
    # Its host named: the factory's next country could be Nicaragua, which would make two centres it hosts.
    russia = Country.objects.get(iso2="RU")
    f.TrainingCentreFactory(name="Other centre", host_country=russia, sponsor_country=nicaragua)
    f.AgencyFactory(name="Policía Nacional", country=nicaragua)
    page, queries_after = shown()
    assert queries_after == queries

    parties = admin_url(AgreementParty, "changelist") + f"?country__id__exact={nicaragua.pk}"
    assert f'<a href="{parties}">Agreement parties</a>: 2' in page
    assert "Training centres (as host country)</a>: 1" in page
    assert "Training centres (as sponsoring country)</a>: 1" in page
    assert "Agencies</a>: 1" in page
    listed = admin_client.get(parties).context["cl"].result_list
    assert {party.country_id for party in listed} == {nicaragua.pk} and len(listed) == 2
    assert TrainingCentre.objects.filter(host_country=nicaragua).count() == 1


def test_a_date_is_read_as_it_is_typed_as_the_save_will_read_it(admin_client, client, source):
    """The reading shown beside a date field as the analyst types (admin:read_date) is the one the save makes;
    an unreadable date says why; a relative one is counted on save; only staff may ask."""
    from django.urls import reverse

    url = reverse("admin:read_date")
    post_form(admin_client, admin_url(Agreement, "add"), agreement_form(source, signed="late 2012"))
    saved = Agreement.objects.get()
    assert admin_client.get(url, {"text": "late 2012"}).json() == {
        "edtf": saved.signed_edtf,
        "earliest": saved.signed_earliest.isoformat(),
        "latest": saved.signed_latest.isoformat(),
    }
    assert admin_client.get(url, {"text": "before 2013"}).json()["earliest"] is None  # an open start
    assert admin_client.get(url, {"text": "sometime soonish"}).json()["error"].startswith("Cannot read")
    assert "publication date" in admin_client.get(url, {"text": "next month"}).json()["relative"]
    assert client.get(url, {"text": "2012"}).status_code == 302  # to the login page
