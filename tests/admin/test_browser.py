"""An analyst's session in a real browser: Debian's chromium, driven by Playwright, against the live server.

Playwright's own browser downloads are not used: ``scripts/ensure-chromium`` installs chromium, which
``make test`` and CI run first.
"""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect, sync_playwright

from cooperation.models import Agreement, Drug
from tests.factories import SourceFactory
from tests.servers import stop, worker

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
PASSWORD = "a long browser test password"
QUOTE = "Russia and Peru signed a memorandum on information exchange"

# The live server answers from another thread, so what the test writes must be committed: the test runs
# outside a transaction and the database is flushed after it. serialized_rollback reloads what the
# migrations loaded (countries, groups, permissions) when the test starts, whatever ran before; pytest-django
# runs such transactional tests after all the others, which so still see the migrated data.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@contextmanager
def chromium_page() -> Iterator[Page]:
    """A browser tab. While it is open Playwright runs an event loop in this thread, and Django refuses
    database queries from it: query before and after, not inside. Every page it shows must work under the
    Content-Security-Policy: a violation (the console reports each) or a script error fails the test."""
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.set_default_timeout(10_000)
        page.on("console", lambda message: "Content Security Policy" in message.text and problems.append(message.text))
        page.on("pageerror", lambda error: problems.append(str(error)))
        try:
            yield page
        finally:
            browser.close()
    assert not problems, problems


def choose(page: Page, select: str, typed: str, option: str) -> None:
    """Pick a value in an autocomplete widget as a user does: open it, type, click the suggestion."""
    page.locator(f"{select} + .select2").click()
    page.locator(".select2-container--open .select2-search__field").fill(typed)
    page.locator(".select2-results__option:not(.loading-results)", has_text=option).click()


def test_an_analyst_enters_an_agreement_between_two_countries_with_its_source(live_server):
    get_user_model().objects.create_superuser("analyst", password=PASSWORD)
    SourceFactory(title="Russia courts Latin America", text=f"In October 2012, {QUOTE}. More followed.")
    with chromium_page() as page:
        enter_agreement(page, live_server.url)

    agreement = Agreement.objects.get()
    assert {party.country.iso2 for party in agreement.parties.all()} == {"RU", "PE"}
    assert (agreement.signed_earliest, agreement.signed_latest) == (dt.date(2012, 10, 1), dt.date(2012, 10, 31))
    assert [citation.quote for citation in agreement.citations.all()] == [QUOTE]


def test_the_api_docs_load_from_this_site_only_under_the_content_security_policy(live_server):
    with chromium_page() as page:
        hosts: set[str] = set()
        page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
        response = page.goto(f"{live_server.url}/api/docs/")
        assert "script-src 'self'" in response.headers["content-security-policy"]
        # The page then fetches the schema, generated for the whole API: slow on a busy machine.
        expect(page.locator(".swagger-ui .info .title")).to_contain_text("Cooperation Tracker API", timeout=120_000)
        expect(page.locator(".opblock-tag").first).to_be_visible()
    assert hosts == {live_server.url.split("/")[2]}, "nothing from another host"


def log_in(page: Page, site: str) -> None:
    page.goto(f"{site}/admin/")
    page.fill("#id_username", "analyst")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_have_text("Cooperation Tracker")


def enter_agreement(page: Page, site: str) -> None:
    log_in(page, site)

    page.goto(f"{site}/admin/cooperation/agreement/add/")
    page.fill("#id_title", "Memorandum on drug control between Russia and Peru")
    page.select_option("#id_kind", label="Memorandum of understanding")
    page.select_option("#id_status", label="Signed")
    # The date is read as it is typed: an unreadable one says so, then the reading the save will make.
    page.fill("#id_signed", "sometime soonish")
    expect(page.locator("#id_signed + .date-reading")).to_contain_text("Cannot read 'sometime soonish' as a date")
    page.fill("#id_signed", "October 2012")
    expect(page.locator("#id_signed + .date-reading")).to_have_text("Read as 2012-10: 2012-10-01 to 2012-10-31")
    choose(page, "#id_parties-0-country", "russia", "Russian Federation")
    choose(page, "#id_parties-1-country", "peru", "Peru")
    citation = "#id_cooperation-citation-content_type-object_id-0"
    choose(page, f"{citation}-source", "courts", "Russia courts Latin America")
    page.fill(f"{citation}-quote", QUOTE)
    page.fill(f"{citation}-locator", "para. 1")
    page.click("input[name=_save]")

    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")
    page.fill("#searchbar", "peru")
    page.press("#searchbar", "Enter")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Memorandum on drug control between Russia and Peru")
    expect(rows.first).to_contain_text("Russian Federation, Peru")

    rows.first.locator("th a").click()
    expect(page.locator("#id_signed_edtf")).to_have_value("2012-10")
    expect(page.locator(".fieldBox.field-signed_bounds .readonly")).to_have_text("2012-10-01 \u2013 2012-10-31")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "agreement-change-form.png", full_page=True)


def test_a_large_import_shows_its_progress_bar_then_its_outcome(live_server, settings):
    """The admin's import page sends a large file to a background job; the job's page (its script polls the
    job) shows the bar moving while a real worker process imports, then the outcome."""
    settings.CSV_IMPORT_BACKGROUND_BYTES = 10_000
    get_user_model().objects.create_superuser("analyst", password=PASSWORD)
    rows = 30_000  # batched, a few seconds of work: long enough for the bar, which moves every second, to move
    body = "name,group\n" + "".join(f"Carfentanil lot {n:05d},opioids\n" for n in range(rows))
    bar_values: set[str] = set()
    with chromium_page() as page:
        log_in(page, live_server.url)
        page.goto(f"{live_server.url}/admin/cooperation/drug/import-csv/")
        page.set_input_files("#id_file", files=[{"name": "drugs.csv", "mimeType": "text/csv", "buffer": body.encode()}])
        page.uncheck("#id_dry_run")
        page.click("input[type=submit]")
        expect(page.locator("#job-status")).to_have_text("Queued")

        importer = worker(JOB_HEARTBEAT_SECONDS="1")
        try:
            outcome = page.locator("p.success")
            for _ in range(1200):  # the script moves the bar every second, then reloads the page
                if outcome.count():
                    break
                try:  # one read of the page as it is now: the script may reload it between two locator calls
                    value = page.evaluate("document.querySelector('#job-bar')?.getAttribute('value') ?? null")
                except PlaywrightError:  # the page was being reloaded: read the next one
                    value = None
                if value is not None:
                    bar_values.add(value)
                page.wait_for_timeout(100)
            expect(outcome).to_have_text(f"Imported: {rows} created, 0 updated, 0 unchanged.")
        finally:
            stop(importer)
    assert {value for value in bar_values if 0 < int(value) < rows}, f"the bar moved: {sorted(bar_values)}"
    assert Drug.objects.filter(name__startswith="Carfentanil lot").count() == rows


class Counted:
    """An analyst's actions on a page, counted as the issue counts them: clicks (a selection dragged counts as
    one) and fields typed into or chosen."""

    def __init__(self, page: Page):
        self.page, self.clicks, self.fields = page, 0, 0

    def click(self, selector: str) -> None:
        self.clicks += 1
        self.page.click(selector)

    def fill(self, selector: str, text: str) -> None:
        self.fields += 1
        self.page.fill(selector, text)

    def select(self, selector: str, label: str) -> None:
        self.fields += 1
        self.page.select_option(selector, label=label)

    def choose(self, select: str, typed: str, option: str) -> None:
        self.clicks += 2  # open the list, pick the suggestion
        self.fields += 1  # what is typed to find it
        choose(self.page, select, typed, option)

    def select_passage(self, passage: str) -> None:
        """Drag over the passage in the source's text (a selection made in the page, then the mouse let go)."""
        self.clicks += 1
        self.page.evaluate(
            """(passage) => {
                const walker = document.createTreeWalker(document.getElementById("source-text"), NodeFilter.SHOW_TEXT);
                while (walker.nextNode()) {
                    const at = walker.currentNode.textContent.indexOf(passage);
                    if (at < 0) continue;
                    const range = document.createRange();
                    range.setStart(walker.currentNode, at);
                    range.setEnd(walker.currentNode, at + passage.length);
                    getSelection().removeAllRanges();
                    getSelection().addRange(range);
                    walker.currentNode.parentElement.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
                    return;
                }
                throw new Error("passage not in the text: " + passage);
            }""",
            passage,
        )


def test_an_analyst_cites_a_selected_passage_for_a_new_agreement_with_two_parties(live_server):
    """Issue 16: from a stored source to a cited agreement with two parties, in far fewer than the 24 clicks and
    20 fields it took before: select the passage, cite it for a new agreement, say what it is, save."""
    get_user_model().objects.create_superuser("analyst", password=PASSWORD)
    passage = "the Bolivian and Paraguayan police signed a memorandum on river patrols"
    text = f"Asunción, March 2019.\nOn Monday {passage}.\nThe memorandum also covers training."
    source = SourceFactory(title="River patrols agreed", text=text)
    with chromium_page() as page:
        log_in(page, live_server.url)
        analyst = Counted(page)
        page.goto(f"{live_server.url}/admin/cooperation/source/{source.pk}/change/")
        analyst.clicks += 1  # the source, opened from its list
        expect(page.locator("#source-text .not-cited-note")).to_have_count(3)
        for width, name in ((1400, "source-read-and-cite"), (390, "source-read-and-cite-narrow")):
            page.set_viewport_size({"width": width, "height": 900})
            SCREENSHOTS.mkdir(exist_ok=True)
            page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
        page.set_viewport_size({"width": 1400, "height": 900})

        analyst.select_passage(passage)
        expect(page.locator("#cite-quote")).to_have_value(passage)
        expect(page.locator("#cite-position")).to_have_value(str(text.index(passage)))
        analyst.select("#cite-record-type", "Agreement")
        analyst.click("button[name=new]")

        citation = "#id_cooperation-citation-content_type-object_id-0"
        expect(page.locator(f"{citation}-quote")).to_have_value(passage)
        analyst.fill("#id_title", "Memorandum on river patrols")
        analyst.select("#id_kind", "Memorandum of understanding")
        analyst.select("#id_status", "Signed")
        analyst.choose("#id_parties-0-country", "bolivia", "Bolivia")
        analyst.choose("#id_parties-1-country", "paragu", "Paraguay")
        analyst.click("input[name=_save]")
        expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")

    assert analyst.clicks <= 8 and analyst.fields <= 7, (analyst.clicks, analyst.fields)
    agreement = Agreement.objects.get()
    assert sorted(party.country.iso2 for party in agreement.parties.all()) == ["BO", "PY"]
    [cited] = agreement.citations.all()
    assert (cited.source_id, cited.quote, cited.position) == (source.pk, passage, text.index(passage))


def test_every_list_fits_1400_px_beside_its_filters(live_server, seed):
    """Issue 16: no list scrolls sideways at 1400 px, with the seed and with names longer than its own."""
    from django.contrib import admin

    from cooperation.models import Agency, AgreementParty, Country

    get_user_model().objects.create_superuser("analyst", password=PASSWORD)
    peru = Country.objects.get(iso2="PE")
    long_name = "Dirección Nacional de Inteligencia Antidrogas y Control de Precursores Químicos del Perú"
    agency = Agency.objects.create(name=long_name, kind="police", country=peru)
    AgreementParty.objects.create(agreement=Agreement.objects.order_by("pk").first(), agency=agency, role="implementer")
    lists = sorted(
        f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        for model in admin.site._registry
        if model._meta.app_label == "cooperation"
    )
    too_wide = {}
    with chromium_page() as page:
        log_in(page, live_server.url)
        for path in lists:
            page.goto(live_server.url + path)
            sideways = page.evaluate(
                """() => Math.max(
                    document.documentElement.scrollWidth - window.innerWidth,
                    ...[...document.querySelectorAll("#changelist .results")].map((e) => e.scrollWidth - e.clientWidth),
                )"""
            )
            if sideways > 0:
                too_wide[path] = sideways
        page.goto(live_server.url + "/admin/cooperation/agreementparty/")
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=SCREENSHOTS / "list-agreement-parties-1400.png", full_page=True)
    assert len(lists) > 20
    assert too_wide == {}
