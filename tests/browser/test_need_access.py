"""Need-to-know in the browser (ADR 0008): another prison's leader does not see København's inmate; the KiF
officer asks for need access with a reason (errors first) and the episode opens; the administrator sees the
grant in the list for the data-protection officer. Every page passes axe (WCAG 2.1 AA)."""

from playwright.sync_api import expect

from samarbejde.custody.tests.factories import admit, krfo_case_worker, make_person
from tests.browser.helpers import check_page, login, logout, submit, visit


def test_need_access_from_request_to_the_dpo_list(page):
    worker = krfo_case_worker()
    person = make_person(acting_user=worker, cpr="150375-1237", first_name="Sigurd", last_name="Sandgaard")
    episode = admit(person, acting_user=worker).episode
    episode_url = f"/klienter/forloeb/{episode.pk}/"

    login(page, "krfo.leder")  # Storstrøm Fængsel: not its inmate
    visit(page, episode_url, "need-access-other-prison-404", status=404)
    visit(page, "/klienter/?institution=krfo-koebenhavns-faengsler", "need-access-other-prison-list")
    expect(page.locator("main")).not_to_contain_text("Sandgaard")

    logout(page)
    login(page, "kif.tilsyn")
    visit(page, "/klienter/adgang/", "need-access-form")
    page.get_by_label("CPR-nummer").fill("150375-1237")
    page.get_by_label("Begrundelse").fill("kort")
    submit(page, page.get_by_role("button", name="Giv mig adgang"))
    expect(page.locator("#error-summary")).to_contain_text("mindst 10 tegn")
    check_page(page, "need-access-form-error")
    page.get_by_label("Begrundelse").fill("Tilsyn efter prøveløsladelse skal planlægges")
    page.get_by_label("8 timer").check()
    submit(page, page.get_by_role("button", name="Giv mig adgang"))
    expect(page.get_by_role("status")).to_contain_text("Du har adgang til klienten til")
    expect(page.locator("main")).to_contain_text("Sigurd Sandgaard")
    expect(page.locator("main")).not_to_contain_text("Registrér løsladelse")  # seeing is not acting
    check_page(page, "need-access-episode")
    visit(page, "/klienter/adgang/", "need-access-own-grants")
    expect(page.locator("main")).to_contain_text("Tilsyn efter prøveløsladelse skal planlægges")

    logout(page)
    login(page, "admin")
    visit(page, "/revision/", "need-access-audit-search")
    submit(page, page.get_by_role("link", name="Begrundede adgange"))
    expect(page.get_by_role("heading", name="Begrundede adgange", level=1)).to_be_visible()
    expect(page.locator("main")).to_contain_text("Tilsyn efter prøveløsladelse skal planlægges")
    expect(page.locator("main")).to_contain_text("150375-xxxx")
    check_page(page, "need-access-dpo-list")
