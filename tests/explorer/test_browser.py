"""The explorer in a real browser (Debian's chromium, driven by Playwright, as the admin's browser tests): every
kind of page opens without a script error or a request to another host, passes axe-core's checks with no
serious or critical violation, and fits a phone's width; a reader clicks from a search to a country's dossier,
to a source, and back. Screenshots at 1400 and 390 px wide go to screenshots/."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from cooperation import models as m
from tests import factories as f
from tests.admin.test_browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS

AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js"
WIDTHS = (1400, 390)

# The live server answers from another thread: the data must be committed (see tests/admin/test_browser.py).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def pages_of_every_kind() -> dict[str, str]:
    """A page of every kind the explorer has, on the seed's records: name -> path."""
    source = m.Source.objects.get()
    paths = {
        "home": "/",
        "search": "/search/?q=Nicaragua",
        "dossier": "/countries/RU/",
        "source": f"/sources/{source.pk}/",
        "agreements": "/agreements/?country=PE",
        "timeline": "/timeline/",
        "timeline-filtered": "/timeline/?country=RU&date_from=2000",
    }
    for name, model in (
        ("agreement", m.Agreement),
        ("agency", m.Agency),
        ("official", m.Official),
        ("centre", m.TrainingCentre),
        ("route", m.TraffickingRoute),
        ("assessment", m.Assessment),
        ("event", m.Event),
        ("region", m.Region),
    ):
        record = model.objects.order_by("pk").first()
        paths[name] = f"/{model._meta.verbose_name_plural.replace(' ', '-')}/{record.pk}/"
    return paths


def serious_violations(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page, each with how many elements it concerns."""
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => (await axe.run()).violations
            .filter((v) => v.impact === "serious" || v.impact === "critical")
            .map((v) => `${v.id} (${v.impact}): ${v.nodes.length} element(s): ${v.nodes[0].html}`)"""
    )


def test_every_kind_of_page_is_clean_accessible_and_fits_a_phone(live_server, seed):
    paths = pages_of_every_kind()
    here = urlparse(live_server.url).netloc
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # axe is injected as a script of the page's own, which the Content-Security-Policy would refuse: its
        # context bypasses the policy; the other keeps it and reports every violation as a console error.
        strict = browser.new_page(viewport={"width": 1400, "height": 900})
        checker = browser.new_context(bypass_csp=True, viewport={"width": 1400, "height": 900}).new_page()
        for page in (strict, checker):
            page.set_default_timeout(10_000)
            page.on("console", lambda message: message.type == "error" and problems.append(message.text))
            # (a failed request's console error says no more than its status: the response says which it was)
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.on(
                "response", lambda answer: answer.status >= 400 and problems.append(f"{answer.status} {answer.url}")
            )
            page.on(
                "request",
                lambda request: (
                    urlparse(request.url).netloc not in (here, "")
                    and problems.append(f"request to another host: {request.url}")
                ),
            )
        SCREENSHOTS.mkdir(exist_ok=True)
        for name, path in paths.items():
            for width in WIDTHS:
                strict.set_viewport_size({"width": width, "height": 900})
                response = strict.goto(live_server.url + path)
                assert response.status == 200, (path, response.status)
                wider = strict.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                assert wider <= 0, f"{path} at {width} px scrolls sideways by {wider} px"
                strict.screenshot(path=SCREENSHOTS / f"explorer-{name}-{width}.png", full_page=True)
            checker.goto(live_server.url + path)
            assert serious_violations(checker) == [], path
        browser.close()
    assert problems == []


def test_a_reader_goes_from_a_search_to_a_dossier_to_a_source_and_back(live_server, seed):
    source = m.Source.objects.get()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.set_default_timeout(10_000)
        page.goto(live_server.url + "/")
        page.fill("#site-search", "Russian Federation")
        page.press("#site-search", "Enter")
        page.get_by_role("link", name="Russian Federation", exact=True).first.click()
        expect(page.locator("h1")).to_contain_text("Russian Federation")
        dossier = page.url
        assert dossier.rstrip("/").rsplit("/", 2)[-2] == "countries", dossier
        page.goto(f"{live_server.url}/sources/{source.pk}/")  # a source of its agreements, as its support shows
        marks = page.locator(".source-text mark")
        expect(marks.first).to_be_visible()
        assert marks.count() >= 10  # the article's quoted passages, marked in place
        page.locator(".source-text a.cite").first.click()
        expect(page.locator("h1")).to_be_visible()
        page.go_back()
        expect(page).to_have_url(f"{live_server.url}/sources/{source.pk}/")
        page.go_back()
        expect(page).to_have_url(dossier)
        browser.close()


#: The README's picture of a dossier (tracked, unlike screenshots/).
README_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "dossier.png"


def test_a_dossier_draws_its_timeline_as_columns_and_ranges(live_server, seed):
    """A country with records dated as sources date them: its timeline is drawn (columns for a known year,
    bars for a range) beside its table, at both widths, and its picture is the README's."""
    peru = m.Country.objects.get(iso2="PE")
    police = f.AgencyFactory(name="Policía Nacional del Perú", country=peru, cited=False)
    dates = ["2009", "March 2010", "2010", "c. 2011", "between 2011 and 2013", "after October 2014", "2016-05-02"]
    for i, when in enumerate(dates * 3):
        pact = f.AgreementFactory(title=f"Acuerdo {i}", signed=when if i % 5 else "2012", cited=False)
        f.AgreementPartyFactory(agreement=pact, country=peru)
        f.AgreementPartyFactory(agreement=pact, country=None, agency=police)
    operation = f.OperationFactory(name="Operación Andes", start="2012", end="2014", cited=False)
    f.OperationParticipantFactory(operation=operation, country=peru)
    f.EventFactory(title="Visit to Lima", date="winter 2015", country=peru, cited=False)
    here = urlparse(live_server.url).netloc
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(bypass_csp=True, viewport={"width": 1400, "height": 900}).new_page()
        page.set_default_timeout(10_000)
        page.on("console", lambda message: message.type == "error" and problems.append(message.text))
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on(
            "request",
            lambda request: (
                urlparse(request.url).netloc not in (here, "")
                and problems.append(f"request to another host: {request.url}")
            ),
        )
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(live_server.url + "/countries/PE/")
            picture = page.locator("svg.timeline-picture")
            expect(picture).to_be_visible()
            assert picture.bounding_box()["width"] <= width
            assert page.locator("svg.timeline-picture rect.column").count() >= 5
            assert page.locator("svg.timeline-picture g.range").count() >= 3
            expect(page.locator(".timeline-table")).to_contain_text("2011 to 2013")
            wider = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert wider <= 0, f"the dossier at {width} px scrolls sideways by {wider} px"
            assert serious_violations(page) == []
            if width == 1400:
                README_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
                page.locator("h1").scroll_into_view_if_needed()
                page.screenshot(path=README_SCREENSHOT, clip={"x": 0, "y": 0, "width": 1400, "height": 900})
        # The filters: only operations, from 2013 on; the address is the permalink.
        page.set_viewport_size({"width": 1400, "height": 900})
        page.get_by_role("checkbox", name="Operations").check()
        page.fill("#timeline-from", "2013")
        page.get_by_role("button", name="Draw").click()
        assert "kind=operations" in page.url and "date_from=2013" in page.url
        expect(page.locator(".timeline-table tbody tr")).to_have_count(1)
        expect(page.locator(".timeline-table")).to_contain_text("2012 to 2014")
        browser.close()
    assert problems == []
