"""Staff log-in: the Danish error on a wrong password, the start page for several roles, the membership
switcher and logging out. Every page visited passes axe-core at WCAG 2.1 AA."""

import pytest
from playwright.sync_api import expect

from samarbejde.organisations.models import Organisation
from samarbejde.organisations.roles import Role
from tests.browser.helpers import check_page, login, logout, switch_membership, visit

# (username, organisation code of the first membership, role): five roles across KRFO, municipality, UDK, police.
STAFF = [
    ("kbh.koordinator", "101", Role.MUNICIPAL_COORDINATOR),
    ("krfo.sagsbehandler", "krfo-koebenhavns-faengsler", Role.KRFO_CASE_WORKER),
    ("admin", "krfo-direktoratet", Role.ADMINISTRATOR),
    ("udk.medarbejder", "udbetaling-danmark", Role.UDK_OFFICER),
    ("politi.kbh", "1470", Role.POLICE_OFFICER),
]


def test_wrong_password_shows_danish_error(page):
    visit(page, "/konto/log-ind/", "login-form")
    login(page, "kbh.koordinator", "forkert-adgangskode", check=False)
    expect(page).to_have_url(page.base_url + "/konto/log-ind/")
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Der er fejl i formularen")
    expect(summary).to_contain_text("Forkert brugernavn eller adgangskode")
    # The error summary takes focus, so screen readers announce it.
    expect(summary).to_be_focused()
    check_page(page, "login-error")


def test_start_page_needs_login(page):
    visit(page, "/start/", "login-redirect")
    expect(page).to_have_url(page.base_url + "/konto/log-ind/?next=/start/")


@pytest.mark.parametrize(("username", "org_code", "role"), STAFF, ids=[s[0] for s in STAFF])
def test_role_start_page(page, username, org_code, role):
    login(page, username)
    organisation = Organisation.objects.get(code=org_code)
    expect(page.locator("h1")).to_have_text(f"Forside – {organisation.display_name}")
    expect(page.locator("main")).to_contain_text(f"Du arbejder som {role.label}.")
    expect(page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Forside")).to_have_attribute(
        "aria-current", "page"
    )
    check_page(page, f"start-{username}")

    logout(page)
    expect(page).to_have_url(page.base_url + "/")
    expect(page.get_by_role("status")).to_contain_text("Du er logget ud.")
    expect(page.get_by_role("link", name="Log ind")).to_be_visible()
    check_page(page, f"logged-out-{username}")


def test_membership_switcher(page):
    """krfo.flere has two memberships (KRFO case worker, KiF probation officer): switch to the other one."""
    login(page, "krfo.flere")
    switcher = page.get_by_label("Arbejder som")
    expect(switcher.locator("option")).to_have_count(2)
    check_page(page, "start-krfo-flere")

    current = switcher.locator("option:checked").text_content().strip()
    other = next(o.strip() for o in switcher.locator("option").all_text_contents() if o.strip() != current)
    switch_membership(page, other)
    expect(page.get_by_role("status")).to_contain_text(f"Du arbejder nu som {other}.")
    expect(switcher.locator("option:checked")).to_have_text(other)
    organisation = "Kriminalforsorgen i Frihed, Hovedstaden" if "KiF" in other else "Københavns Fængsler"
    role = Role.PROBATION_OFFICER if "KiF" in other else Role.KRFO_CASE_WORKER
    heading = page.locator("h1")
    expect(heading).to_contain_text(organisation)
    expect(page.locator("main")).to_contain_text(f"Du arbejder som {role.label}.")
    check_page(page, "start-krfo-flere-switched")

    # The choice sticks for the session.
    visit(page, "/start/", "start-krfo-flere-again")
    expect(heading).to_contain_text(organisation)
    expect(switcher.locator("option:checked")).to_have_text(other)


def test_small_screen_with_membership_switcher(page):
    """The header with the membership switcher reflows at 320 CSS px (WCAG 1.4.10)."""
    page.set_viewport_size({"width": 320, "height": 640})
    login(page, "krfo.flere")
    check_page(page, "mobile-start-krfo-flere")
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1"), "horizontal scroll"
