"""The network and the map in a real browser (Debian's chromium through Playwright, as tests/explorer/
test_browser.py): with the seed and with synthetic data, each draws its picture at 1400 and 390 px wide without
scrolling sideways, a script error or a request to another host, and passes axe-core with no serious or
critical violation; clicking a node of the network opens its page. Screenshots go to screenshots/."""

from __future__ import annotations

import io
from urllib.parse import urlparse

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect, sync_playwright

from cooperation import models as m
from tests.admin.test_browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS
from tests.explorer.test_browser import WIDTHS, serious_violations

# The live server answers from another thread: the data must be committed (see tests/admin/test_browser.py).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

#: Each picture's page, and what its script marks once the picture is drawn.
PICTURES = {"network": ("/network/", "#network[data-ready]"), "map": ("/map/", "#world-map[data-ready]")}


def watch(page: Page, here: str, problems: list[str]) -> None:
    """Collect the page's script errors, failed responses and requests to any other host in ``problems``."""
    page.set_default_timeout(20_000)
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("response", lambda answer: answer.status >= 400 and problems.append(f"{answer.status} {answer.url}"))
    page.on(
        "request",
        lambda request: (
            urlparse(request.url).netloc not in (here, "")
            and problems.append(f"request to another host: {request.url}")
        ),
    )


def check_pictures(site: str, data: str) -> list[str]:
    """Open each picture at each width under the Content-Security-Policy, then run axe-core on it (in a context
    that bypasses the policy to inject axe, as test_browser.py does); return the problems seen."""
    here = urlparse(site).netloc
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        strict = browser.new_page(viewport={"width": 1400, "height": 900})
        checker = browser.new_context(bypass_csp=True, viewport={"width": 1400, "height": 900}).new_page()
        for page in (strict, checker):
            watch(page, here, problems)
        SCREENSHOTS.mkdir(exist_ok=True)
        for name, (path, drawn) in PICTURES.items():
            for width in WIDTHS:
                strict.set_viewport_size({"width": width, "height": 900})
                response = strict.goto(site + path)
                assert response.status == 200, (path, response.status)
                strict.wait_for_selector(drawn, state="attached")
                wider = strict.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                assert wider <= 0, f"{path} at {width} px scrolls sideways by {wider} px"
                strict.screenshot(path=SCREENSHOTS / f"explorer-{name}-{data}-{width}.png", full_page=True)
            checker.goto(site + path)
            checker.wait_for_selector(drawn, state="attached")
            assert serious_violations(checker) == [], path
        browser.close()
    return problems


def test_the_network_and_the_map_draw_the_seed_cleanly_at_both_widths(live_server, seed):
    assert check_pictures(live_server.url, "seed") == []


def test_the_network_and_the_map_draw_synthetic_data_cleanly_at_both_widths(live_server, seed):
    call_command("generate_data", scale=60, verbosity=0, stdout=io.StringIO())
    assert m.Agreement.objects.count() > 60
    assert check_pictures(live_server.url, "synthetic") == []


def test_clicking_a_node_of_the_network_opens_its_page(live_server, seed):
    peru = m.Country.objects.get(iso2="PE")
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        watch(page, urlparse(live_server.url).netloc, problems)
        page.goto(live_server.url + "/network/")
        page.wait_for_selector("#network[data-ready]", state="attached")
        page.locator("#network").scroll_into_view_if_needed()
        # Where Peru's node is on the screen, asked once the scroll is over: Cytoscape is told its container
        # may have moved (resize), and the answer waits for the next frame, when the drawing is where it says.
        x, y = page.evaluate(
            """(id) => new Promise((done) => {
                const cy = window.cooperationNetwork;
                cy.resize();
                requestAnimationFrame(() => {
                    const box = document.getElementById("network").getBoundingClientRect();
                    const at = cy.getElementById(id).renderedPosition();
                    done([box.left + at.x, box.top + at.y]);
                });
            })""",
            f"country-{peru.pk}",
        )
        page.mouse.click(x, y)
        expect(page).to_have_url(f"{live_server.url}/countries/{peru.pk}/")
        expect(page.locator("h1")).to_contain_text("Peru")
        browser.close()
    assert problems == []
