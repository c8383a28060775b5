"""/blanketter/ in the browser for KRFO staff: from the menu, a bad and an unknown CPR number (Danish messages), the
inmate found and a form prepared, and the form on the index's list of recent forms. axe-checked at every step."""

from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from samarbejde.custody.tests.factories import admit
from samarbejde.organisations.models import Organisation
from samarbejde.organisations.selectors import memberships_of
from samarbejde.people.services import person_register
from tests.browser.helpers import check_page, login, submit, visit


def test_find_the_inmate_and_see_the_recent_forms(page, django_db_blocker):
    with django_db_blocker.unblock():
        krfo = get_user_model().objects.get(username="krfo.sagsbehandler")
        krfo.active_membership = memberships_of(krfo)[0]
        person = person_register(
            cpr="050565-1234",
            first_name="Bent",
            last_name="Brandt",
            home_municipality=Organisation.objects.get(code="101"),
            acting_user=krfo,
        )
        admit(person, acting_user=krfo)  # Københavns Fængsler holds the person (ADR 0008)
    login(page, "krfo.sagsbehandler")
    submit(page, page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Blanketter"))
    expect(page.locator("h1")).to_have_text("Blanketter til indsatte")
    expect(page.locator("main")).to_contain_text("Der er endnu ikke udfyldt blanketter i Københavns Fængsler.")
    check_page(page, "forms-index-empty")

    cpr = page.get_by_label("Den indsattes CPR-nummer")
    cpr.fill("0505651")
    submit(page, page.get_by_role("button", name="Find den indsatte"))
    expect(page.locator("#error-summary")).to_contain_text("Et CPR-nummer har 10 cifre")
    assert "cpr" not in page.url and "0505651" not in page.url
    check_page(page, "forms-index-cpr-error")

    cpr.fill("060666-1234")
    submit(page, page.get_by_role("button", name="Find den indsatte"))
    expect(page.locator("#error-summary")).to_contain_text("Der er ingen person med det CPR-nummer")
    check_page(page, "forms-index-cpr-unknown")

    cpr.fill("050565-1234")
    submit(page, page.get_by_role("button", name="Find den indsatte"))
    expect(page.locator("h1")).to_have_text("Blanketter til Bent Brandt")
    assert page.url.endswith(f"/blanketter/person/{person.pk}/"), page.url
    submit(page, page.get_by_role("link", name="Udfyld en blanket"))
    page.get_by_label("Ansøgning om fritagelse for Digital Post").check()
    submit(page, page.get_by_role("button", name="Udfyld blanket"))
    expect(page.locator("h1")).to_have_text("Ansøgning om fritagelse for Digital Post")

    visit(page, "/blanketter/", "forms-index-recent")
    expect(page.locator("nav.site-nav a[aria-current=page]")).to_have_text("Blanketter")
    row = page.get_by_role("region", name="Senest udfyldte blanketter (kan rulles vandret)").locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Bent Brandt")
    expect(row).to_contain_text("Udfyldt")
    submit(page, row.get_by_role("link", name="Ansøgning om fritagelse for Digital Post"))
    expect(page.locator("h1")).to_have_text("Ansøgning om fritagelse for Digital Post")


def test_the_index_on_a_small_screen(page):
    page.set_viewport_size({"width": 320, "height": 640})
    login(page, "kif.tilsyn")
    visit(page, "/blanketter/", "mobile-forms-index")
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1"), "horizontal scroll"


def test_other_roles_get_the_not_found_page(page):
    login(page, "kbh.koordinator")
    visit(page, "/blanketter/", "forms-index-not-found", status=404)
    expect(page.locator("h1")).to_have_text("Siden findes ikke")
