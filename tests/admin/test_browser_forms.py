"""Issue 16 in a real browser, on the change forms (Debian's chromium driven by Playwright, as test_browser.py):
inlines that fit 1400 and 390 px (rows stacked into labelled cells when too wide), a record's one history
after a part and a citation are changed in its form, restore from a deletion's page, autocomplete order, and
an agency added from an agreement's party row in a popup that comes with the agreement's citation.

Screenshots of every change form with inlines, at both widths, go to screenshots/form-*.png.
"""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from cooperation import models as m
from tests import factories as f
from tests.admin.test_browser import PASSWORD, SCREENSHOTS, choose, chromium_page, log_in

# The live server answers from another thread: the data must be committed (see test_browser.py).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CITATIONS = "cooperation-citation-content_type-object_id"
LONG_NAME = "Dirección Nacional de Inteligencia Antidrogas y Control de Precursores Químicos del Perú"
LONG_QUOTE = (
    "the Peruvian anti-drug directorate and the Russian Federal Narcotics Service agreed to exchange liaison "
    "officers, train sniffer-dog handlers in Lima and share seizure data every quarter"
)

#: How far each inline group, and the page, reaches past its width (scrollWidth - clientWidth), by group.
SIDEWAYS = """() => Object.fromEntries([
    ["page", document.documentElement.scrollWidth - document.documentElement.clientWidth],
    ...[...document.querySelectorAll(".inline-group")].map((g) => [g.id, g.scrollWidth - g.clientWidth]),
])"""

#: Whether each inline group has its rows stacked (inline-fit.js).
STACKED = "() => [...document.querySelectorAll('.inline-group')].map((g) => g.classList.contains('rows-stacked'))"


@pytest.fixture
def analyst(db):
    return get_user_model().objects.create_superuser("analyst", password=PASSWORD)


def forms_with_inlines() -> dict[str, str]:
    """The change form of a record of every kind whose form has inlines (the add form when there is none yet)."""
    pages = {}
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label != "cooperation" or not model_admin.get_inlines(None, None):
            continue
        record = model._default_manager.order_by("pk").first()
        name = model._meta.model_name
        pages[name] = f"/admin/cooperation/{name}/{record.pk}/change/" if record else f"/admin/cooperation/{name}/add/"
    return pages


def test_every_change_form_s_inlines_fit_1400_and_390_px(live_server, seed, analyst):
    """No inline group scrolls sideways, nor the page, at 1400 px beside the sidebar or on a phone: too wide a
    table (a citation's columns; most on a phone) wraps its rows into labelled cells, and one that fits stays a
    table. With names and quotes longer than the seed's."""
    agreement = m.Agreement.objects.order_by("pk").first()
    agency = f.AgencyFactory(name=LONG_NAME, kind="police", country=m.Country.objects.get(iso2="PE"))
    m.AgreementParty.objects.create(agreement=agreement, agency=agency, role="implementer", note=LONG_NAME)
    source = f.SourceFactory(title=LONG_NAME, text=f"Lima, 2013. {LONG_QUOTE}.")
    f.CitationFactory(record=agreement, source=source, quote=LONG_QUOTE, locator="section 4, second paragraph")
    pages = forms_with_inlines()
    too_wide, stacked = {}, {}
    SCREENSHOTS.mkdir(exist_ok=True)
    with chromium_page() as page:
        log_in(page, live_server.url)
        for width in (1400, 390):
            page.set_viewport_size({"width": width, "height": 900})
            for name, path in pages.items():
                page.goto(live_server.url + path)
                page.wait_for_load_state("load")  # the autocomplete widgets have their width, the rows are fitted
                reach = {where: px for where, px in page.evaluate(SIDEWAYS).items() if px > 0}
                if reach:
                    too_wide[f"{path} at {width} px"] = reach
                stacked[name, width] = page.evaluate(STACKED)
                page.screenshot(path=SCREENSHOTS / f"form-{name}-{width}.png", full_page=True)
    assert {"agreement", "agency", "traffickingroute", "trainingcentre", "event"} <= set(pages)
    assert too_wide == {}
    parties, *_, citations = stacked["agreement", 390]  # (its signatories and links have no rows: they fit)
    assert parties and citations, "on a phone the rows of an agreement's parties and citations are stacked"
    assert stacked["agreement", 1400][-1], "the citations' eleven columns do not fit beside the sidebar"
    assert not stacked["agreement", 1400][0], "the parties' few columns stay a table"


def test_on_a_phone_each_cell_of_a_row_has_its_label_and_a_new_row_stacks_too(live_server, analyst):
    with chromium_page() as page:
        page.set_viewport_size({"width": 390, "height": 844})
        log_in(page, live_server.url)
        page.goto(f"{live_server.url}/admin/cooperation/agreement/add/")
        row = page.locator("#parties-0")
        expect(page.locator("#parties-group")).to_have_class(re.compile(r"\brows-stacked\b"))
        for label in ("Country", "Agency", "Role", "Note"):
            expect(row.locator(".stacked-label", has_text=label)).to_be_visible()
        country, role = row.locator("td.field-country").bounding_box(), row.locator("td.field-role").bounding_box()
        assert role["y"] >= country["y"] + country["height"], "the cells are stacked, not side by side"
        page.click("#parties-group .add-row a")
        added = page.locator("#parties-2")
        expect(added.locator(".stacked-label", has_text="Country")).to_be_visible()
        assert page.evaluate(SIDEWAYS)["parties-group"] <= 0
        page.screenshot(path=SCREENSHOTS / "form-agreement-add-390.png", full_page=True)


def test_a_party_s_role_and_a_citation_s_locator_changed_in_the_form_show_in_the_record_s_one_history(
    live_server, analyst
):
    agreement = f.AgreementFactory(title="Joint river patrols")
    f.AgreementPartyFactory(agreement=agreement, country=m.Country.objects.get(iso2="EC"))
    f.AgreementPartyFactory(agreement=agreement, country=None, agency=f.AgencyFactory(name="Guardia Costera"))
    with chromium_page() as page:
        log_in(page, live_server.url)
        page.goto(f"{live_server.url}/admin/cooperation/agreement/{agreement.pk}/change/")
        agency_row = page.locator("#parties-group tr.form-row", has_text="Guardia Costera")
        agency_row.locator("td.field-role select").select_option(label="Implementer")
        page.fill(f"#id_{CITATIONS}-0-locator", "para. 7")
        page.click("input[name=_continue]")
        expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")
        page.click("a.historylink")
        history = page.locator("#content")
        expect(history).to_contain_text(re.compile(r"Role:\s+Party\s+\u2192\s+Implementer"))
        expect(history).to_contain_text(re.compile(r"Locator:\s+para\. 1\s+\u2192\s+para\. 7"))
        page.screenshot(path=SCREENSHOTS / "history-after-a-part-and-a-citation.png", full_page=True)
    assert agreement.parties.get(agency__name="Guardia Costera").role == "implementer"
    assert agreement.citations.get().locator == "para. 7"


def test_a_deleted_agreement_comes_back_whole_from_its_deletion_s_page(live_server, analyst):
    agreement = f.AgreementFactory(title="Memorandum on precursor chemicals")
    f.AgreementPartyFactory(agreement=agreement, country=m.Country.objects.get(iso2="BO"))
    pk = agreement.pk
    with chromium_page() as page:
        log_in(page, live_server.url)
        page.goto(f"{live_server.url}/admin/cooperation/agreement/{pk}/delete/")
        page.click("input[type=submit]")  # "Yes, I'm sure"
        expect(page.locator(".messagelist .success")).to_contain_text("was deleted successfully")
        page.goto(f"{live_server.url}/admin/cooperation/deletion/")
        row = page.locator("#result_list tbody tr", has_text="Memorandum on precursor chemicals")
        row.locator("th a").click()
        page.click("button.restore-button")
        expect(page.locator(".messagelist .success")).to_be_visible()
    restored = m.Agreement.objects.get(pk=pk)
    assert [party.country.iso2 for party in restored.parties.all()] == ["BO"]
    assert restored.citations.count() == 1


def suggestions(page: Page, select: str, typed: str) -> list[str]:
    """What an autocomplete widget suggests for what is typed, in its order."""
    page.locator(f"{select} + .select2").click()
    with page.expect_response(
        lambda response: "/admin/autocomplete/" in response.url and f"term={typed}" in response.url
    ):
        page.locator(".select2-container--open .select2-search__field").fill(typed)
    results = page.locator(".select2-container--open .select2-results__option")
    expect(results.first).not_to_have_class(re.compile("loading-results"))  # the answer shown, not "Searching…"
    texts = results.all_inner_texts()
    page.keyboard.press("Escape")
    return texts


def test_autocomplete_puts_the_best_match_first(live_server, analyst):
    """ "Rus" lists the Russian Federation before Belarus and Cyprus; an agency's acronym finds it first."""
    peru, us = m.Country.objects.get(iso2="PE"), m.Country.objects.get(iso2="US")
    f.AgencyFactory(name="Agencia Ideal de Seguridad", country=peru)  # "dea" inside a word, first by name
    f.AgencyFactory(name="Drug Enforcement Administration", acronym="DEA", country=us)
    with chromium_page() as page:
        log_in(page, live_server.url)
        page.goto(f"{live_server.url}/admin/cooperation/agreement/add/")
        countries = suggestions(page, "#id_parties-0-country", "Rus")
        agencies = suggestions(page, "#id_parties-0-agency", "dea")
    assert countries[0] == "Russian Federation" and {"Belarus", "Cyprus"} <= set(countries), countries
    assert agencies[0].startswith("Drug Enforcement Administration"), agencies


def test_an_agency_added_from_a_party_row_comes_with_the_agreement_s_citation_and_no_nested_popup(live_server, analyst):
    source = f.SourceFactory(title="Lima and Moscow agree on drug control", text=f"Lima, 2013. {LONG_QUOTE}.")
    with chromium_page() as page:
        log_in(page, live_server.url)
        page.goto(f"{live_server.url}/admin/cooperation/agreement/add/")
        page.fill("#id_title", "Liaison officers and dog handlers")
        page.select_option("#id_kind", label="Memorandum of understanding")
        page.select_option("#id_status", label="Signed")
        choose(page, "#id_parties-0-country", "peru", "Peru")
        choose(page, f"#id_{CITATIONS}-0-source", "moscow", "Lima and Moscow agree on drug control")
        page.fill(f"#id_{CITATIONS}-0-quote", LONG_QUOTE)
        page.fill(f"#id_{CITATIONS}-0-locator", "para. 1")

        with page.expect_popup() as opened:
            page.click("#add_id_parties-1-agency")
        popup = opened.value
        popup.wait_for_load_state("load")
        citation = f"#id_{CITATIONS}-0"
        expect(popup.locator(f"{citation}-quote")).to_have_value(LONG_QUOTE)
        expect(popup.locator(f"{citation}-source")).to_have_value(str(source.pk))
        expect(popup.locator(f"{citation}-locator")).to_have_value("para. 1")
        expect(popup.locator(".related-widget-wrapper-link")).to_have_count(0)  # no popup from the popup
        assert {where: px for where, px in popup.evaluate(SIDEWAYS).items() if px > 0} == {}, "nothing cut off"
        popup.screenshot(path=SCREENSHOTS / "popup-agency-with-the-agreement-s-citation.png", full_page=True)
        popup.fill("#id_name", "Dirección Antidrogas")
        popup.select_option("#id_kind", label="Police")
        with popup.expect_event("close"):
            popup.click("input[name=_save]")

        expect(page.locator("#id_parties-1-agency option:checked")).to_contain_text("Dirección Antidrogas")
        page.click("input[name=_save]")
        expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")

    agency = m.Agency.objects.get(name="Dirección Antidrogas")
    [cited] = agency.citations.all()
    assert (cited.source_id, cited.quote, cited.locator, cited.position) == (
        source.pk,
        LONG_QUOTE,
        "para. 1",
        source.text.index(LONG_QUOTE),
    )
    agreement = m.Agreement.objects.get()
    assert {(p.country_id is not None, p.agency_id) for p in agreement.parties.all()} == {
        (True, None),
        (False, agency.pk),
    }
