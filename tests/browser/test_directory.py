"""The directory and its change-request flow in the browser: a municipal coordinator proposes a change
(with a form error first), the administrator approves it, and the public page and history show it.
Every page and state on the way passes axe-core at WCAG 2.1 AA."""

import re

from playwright.sync_api import expect

from tests.browser.helpers import check_page, login, logout, visit

NEW_PHONE = "33 66 33 66"


def test_propose_and_approve_a_contact_change(page):
    # 1. The coordinator finds their municipality in the directory and proposes a change.
    login(page, "kbh.koordinator")
    visit(page, "/kommuner/101/", "directory-101-coordinator")
    page.get_by_role("link", name="Foreslå en ændring til kontakterne").click()
    expect(page.locator("h1")).to_have_text("Foreslå en ændring – Københavns Kommune")
    check_page(page, "change-request-choose")

    # Choosing a contact loads its fields with htmx, prefilled.
    page.locator("input[name=contact][type=radio]").first.check()
    phone = page.get_by_label(re.compile(r"^Telefon"))
    expect(phone).to_be_visible()
    expect(phone).not_to_have_value("")
    check_page(page, "change-request-fields")

    # A required field left empty: a Danish error summary, nothing sent.
    page.get_by_label(re.compile(r"^Enhed")).fill("")
    page.get_by_role("button", name="Send forslag").click()
    expect(page.locator("#error-summary")).to_contain_text("Udfyld enhed.")
    check_page(page, "change-request-error")

    page.get_by_label(re.compile(r"^Enhed")).fill("Socialcenter, team for løsladte")
    page.get_by_label(re.compile(r"^Telefon")).fill(NEW_PHONE)
    page.get_by_label(re.compile(r"^Begrundelse for forslaget")).fill("Nyt direkte nummer fra 1. marts.")
    page.get_by_role("button", name="Send forslag").click()
    expect(page.get_by_role("status").first).to_contain_text("Dit forslag er sendt til behandling")
    expect(page.locator("main")).to_contain_text(NEW_PHONE)
    check_page(page, "change-request-sent")
    logout(page)

    # 2. The administrator sees it on the start page and approves it.
    login(page, "admin")
    expect(page.locator("main")).to_contain_text("Ændringsforslag til behandling")
    page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Ændringsforslag").click()
    expect(page.locator("h1")).to_have_text("Ændringsforslag til kontaktlisten")
    check_page(page, "change-request-list-admin")
    page.locator("tbody").get_by_role("link").first.click()
    expect(page.locator("h1")).to_contain_text("Københavns Kommune")
    check_page(page, "change-request-detail-pending")
    page.get_by_label(re.compile(r"^Begrundelse for afgørelsen")).fill("Bekræftet med kommunen.")
    page.get_by_role("button", name="Godkend").click()
    expect(page.get_by_role("status").first).to_contain_text("Forslaget er godkendt")
    check_page(page, "change-request-approved")
    logout(page)

    # 3. The public sees the new number and the change in the history.
    visit(page, "/kommuner/101/", "directory-101-after")
    expect(page.locator("main")).to_contain_text(NEW_PHONE)
    page.get_by_role("link", name="Se ændringshistorik").click()
    expect(page).to_have_url(re.compile(r"/organisationer/kommuner/101/historik/$"))
    expect(page.locator("main")).to_contain_text(NEW_PHONE)
    check_page(page, "directory-101-history")

    # 4. The administrator finds both steps in the audit search.
    login(page, "admin")
    page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Revisionsspor").click()
    check_page(page, "audit-search")
    page.get_by_label(re.compile(r"^Handling")).fill("organisations.change_request")
    page.get_by_role("button", name="Søg").click()
    results = page.locator("main table")
    expect(results).to_contain_text("kbh.koordinator")
    expect(results).to_contain_text("admin")
    check_page(page, "audit-search-results")
    assert "0101" not in page.url  # no CPR in URLs (post/redirect/get)
    actions = page.locator("main table tbody tr").all_inner_texts()
    joined = " ".join(actions)
    assert "kbh.koordinator" in joined and len(actions) >= 2


def test_police_cannot_propose_changes(page):
    """A role without the directory capabilities sees no propose button and no change-request menu item."""
    login(page, "politi.kbh")
    visit(page, "/kommuner/101/", "directory-101-police")
    expect(page.get_by_role("link", name="Foreslå en ændring til kontakterne")).to_have_count(0)
    expect(page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Ændringsforslag")).to_have_count(
        0
    )
    # Going there anyway gives the Danish "Ingen adgang" page (403), which is accessible too.
    visit(page, "/organisationer/aendringsforslag/", "error-403", status=403)
    expect(page.locator("h1")).to_have_text("Ingen adgang")
