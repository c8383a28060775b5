"""Public pages (no login): every page passes axe-core at WCAG 2.1 AA, the municipality search updates with
htmx without reloading the page, and the language switch works both ways."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import check_page, visit

PUBLIC_PAGES = [
    ("/", "public-home", "Samarbejde"),
    ("/kommuner/", "public-municipalities", "Kontakter i kommunerne"),
    ("/kommuner/101/", "public-municipality-101", "Københavns Kommune"),
    ("/lovgrundlag/", "public-legal-basis", None),
    ("/dokumenter/", "public-documents", None),
    ("/tilgaengelighed/", "public-accessibility", None),
    ("/personoplysninger/", "public-privacy", None),
    ("/konto/log-ind/", "login", "Log ind"),
    ("/api/v1/docs/", "api-docs", "API-dokumentation"),
]


@pytest.mark.parametrize(("path", "name", "heading"), PUBLIC_PAGES, ids=[p[0] for p in PUBLIC_PAGES])
def test_public_page_is_accessible(page, path, name, heading):
    visit(page, path, name)
    h1 = page.locator("h1")
    expect(h1).to_have_count(1)
    if heading:
        expect(h1).to_contain_text(heading)
    expect(page.locator("html")).to_have_attribute("lang", "da")


def test_static_files_are_served(page):
    """DKFDS CSS and JS, htmx and the app's own files load under the live server (no 404s)."""
    statics = []
    page.on("response", lambda r: statics.append((r.url, r.status)) if "/static/" in r.url else None)
    visit(page, "/kommuner/", "public-municipalities-static")
    names = {u.rsplit("/", 1)[-1]: status for u, status in statics}
    for required in ("dkfds-virkdk.min.css", "dkfds.min.js", "htmx.min.js", "app.css", "app.js"):
        assert names.get(required) == 200, f"{required} not served: {statics}"
    # DKFDS's own styles are applied (not just downloaded): the primary button is styled.
    background = page.get_by_role("button", name="Søg", exact=True).evaluate(
        "el => getComputedStyle(el).backgroundColor"
    )
    assert background not in ("rgba(0, 0, 0, 0)", "rgb(239, 239, 239)"), background
    assert page.evaluate("() => typeof window.htmx") == "object"


@pytest.mark.parametrize(
    ("path", "name"), [("/findes-ikke/", "error-404"), ("/kommuner/9999/", "error-404-municipality")]
)
def test_not_found_page_is_accessible(page, path, name):
    visit(page, path, name, status=404)
    expect(page.locator("h1")).to_have_text("Siden findes ikke")


def test_municipality_search_updates_without_reload(page):
    visit(page, "/kommuner/", "municipality-search")
    # A marker on window survives htmx swaps but not a page load.
    page.evaluate("() => { window.__noReload = true; }")
    rows = page.locator("#municipality-results tbody tr")
    expect(rows).to_have_count(98)

    page.get_by_label("Søg efter kommune").press_sequentially("Aar", delay=30)
    expect(rows.first).to_contain_text("Aarhus")
    expect(page.locator("#municipality-results")).to_contain_text("matcher din søgning")
    assert rows.count() < 98
    expect(page).to_have_url(re.compile(r"[?&]q=Aar"))
    assert page.evaluate("() => window.__noReload") is True, "the page was reloaded"
    check_page(page, "municipality-search-aar")

    page.get_by_label("Søg efter kommune").fill("")
    page.get_by_label("Region").select_option(label="Region Nordjylland")
    expect(page.locator("#municipality-results")).to_contain_text("Aalborg")
    expect(page.locator("#municipality-results")).not_to_contain_text("Aarhus")
    expect(page).to_have_url(re.compile(r"[?&]region=\d+"))
    assert page.evaluate("() => window.__noReload") is True, "the page was reloaded"
    check_page(page, "municipality-search-region")

    # The search result leads on to the municipality's page.
    page.get_by_role("link", name="Aalborg Kommune").click()
    expect(page.locator("h1")).to_contain_text("Aalborg Kommune")
    check_page(page, "municipality-851")


def test_municipality_search_without_javascript_result(page):
    """The filter form is a plain GET form too: a shared link with ?q= shows the filtered list."""
    visit(page, "/kommuner/?q=Aar", "municipality-search-link")
    expect(page.locator("#municipality-results tbody tr").first).to_contain_text("Aarhus")
    expect(page.get_by_label("Søg efter kommune")).to_have_value("Aar")


def test_language_switch_to_english_and_back(page):
    visit(page, "/kommuner/", "language-da")
    # Each language is named in itself.
    expect(page.get_by_label("Sprog").locator("option")).to_have_text(["Dansk", "English"])
    page.get_by_label("Sprog").select_option("en")
    page.get_by_role("button", name="Skift sprog").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/kommuner/$"))
    check_page(page, "language-en")

    page.locator("#language-select").select_option("da")
    page.locator(".site-footer__language button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", "da")
    expect(page.get_by_label("Sprog")).to_have_value("da")
    check_page(page, "language-da-again")


@pytest.mark.parametrize(("path", "name"), [("/", "mobile-home"), ("/kommuner/101/", "mobile-municipality-101")])
def test_small_screen(page, path, name):
    """On a phone-sized screen (WCAG 1.4.10 reflow at 320 CSS px) the page passes axe and does not scroll sideways."""
    page.set_viewport_size({"width": 320, "height": 640})
    visit(page, path, name)
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1"), "horizontal scroll"
