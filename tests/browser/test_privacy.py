"""No CPR number in a URL, in the browser: the admin's person look-up is a POST that opens the person's page by
id, and an address with a CPR number in it gets the Danish refusal page. Every page passes axe-core (WCAG 2.1 AA)."""

import re

from playwright.sync_api import expect

from samarbejde.audit.tests.factories import PersonFactory
from samarbejde.organisations.models import Organisation
from tests.browser.helpers import check_page, login, submit, visit


def test_the_admin_finds_a_person_by_cpr_without_the_number_in_any_url(page):
    # With a home municipality: the admin's empty autocomplete box has no accessible name (Django's select2).
    home = Organisation.objects.get(code="101")
    person = PersonFactory(cpr="0404741234", first_name="Bodil", last_name="Browser", home_municipality=home)
    login(page, "admin")
    visit(page, "/admin/people/person/", "privacy-admin-person-list")
    page.get_by_role("textbox", name="CPR-nummer").fill("040474-1234")
    submit(page, page.get_by_role("button", name="Find"))
    expect(page).to_have_url(re.compile(rf"/admin/people/person/{person.pk}/change/$"))
    check_page(page, "privacy-admin-person-found")

    visit(page, "/admin/people/person/", "privacy-admin-person-list-again")
    page.get_by_role("textbox", name="CPR-nummer").fill("311299-9999")
    submit(page, page.get_by_role("button", name="Find"))
    expect(page).to_have_url(re.compile(r"/admin/people/person/$"))
    expect(page.locator("ul.messagelist")).to_contain_text("Der findes ingen person med det CPR-nummer.")
    check_page(page, "privacy-admin-person-not-found")


def test_an_address_with_a_cpr_number_gets_the_danish_refusal_page(page):
    login(page, "krfo.sagsbehandler")
    visit(page, "/revision/?cpr=040474-1234", "privacy-cpr-in-url-refused", status=400)
    expect(page.locator("h1")).to_have_text("CPR-nummer i adressen")
    expect(page.locator("main")).not_to_contain_text("040474")
