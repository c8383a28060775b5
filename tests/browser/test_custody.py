"""KRFO registers the admission of a new pensioner on kontanthjælp (CPR first, person created in the same
form), sees the notices with their legal bases on the episode page, then registers the release with an
address and sees the release notices. Every page and state passes axe-core at WCAG 2.1 AA."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.helpers import check_page, login, submit, visit


def test_register_admission_and_release_of_a_new_pensioner(page):
    login(page, "krfo.sagsbehandler")
    visit(page, "/klienter/", "custody-inmates-empty")
    expect(page.locator("h1")).to_have_text("Indsatte – Københavns Fængsler")
    submit(page, page.get_by_role("link", name="Registrér indsættelse"))
    expect(page.locator("h1")).to_have_text("Registrér indsættelse")
    check_page(page, "custody-admission-cpr")

    # A CPR number with an impossible birth date: the Danish message, via htmx.
    page.get_by_label("CPR-nummer").fill("311350-1234")
    page.get_by_role("button", name="Find person").click()
    expect(page.locator("#error-summary")).to_contain_text("ikke en gyldig fødselsdato")
    check_page(page, "custody-admission-cpr-error")

    # Unknown person: the same form creates them.
    page.get_by_label("CPR-nummer").fill("010150-1234")
    page.get_by_role("button", name="Find person").click()
    expect(page.locator("#admission-details")).to_contain_text("Der findes ingen person")
    # The look-up is POSTed: the CPR number is in no URL (browser history, access log, Referer).
    expect(page).to_have_url(re.compile(r"/klienter/indsaettelse/$"))
    expect(page.get_by_label("Institution")).to_have_value("krfo-koebenhavns-faengsler")
    check_page(page, "custody-admission-new-person")

    page.get_by_label("Fornavn(e)").fill("Jens")
    page.get_by_label("Efternavn").fill("Pensionist")
    page.get_by_label(re.compile(r"^Adresse")).fill("Testvej 1, 2450 København SV")
    page.get_by_label(re.compile(r"^Bopælskommune")).select_option(label="Københavns Kommune")
    page.get_by_label("Folkepension").check()
    page.get_by_label("Kontanthjælp").check()
    page.get_by_label("Varetægtsfængsling").check()
    expected = timezone.localdate() + timedelta(days=183)
    page.get_by_label(re.compile(r"^Forventet løsladelse")).fill(expected.isoformat())
    page.get_by_label("Skønnet").check()
    submit(page, page.get_by_role("button", name="Registrér indsættelse"))

    expect(page).to_have_url(re.compile(r"/klienter/forloeb/[0-9a-f-]+/$"))
    expect(page.locator("h1")).to_contain_text("Jens Pensionist")
    status = page.get_by_role("status")
    expect(status).to_contain_text("Indsættelsen er registreret.")
    expect(status).to_contain_text("Udbetaling Danmark: Meddelelse om pension (Lov om social pension § 46)")
    timeline = page.locator(".custody-timeline")
    for text in (
        "Anmodning om afgørelse om ydelser",
        "Meddelelse om pension",
        "Meddelelse til folkeregisteret",
        "Udbetaling Danmark",
        "Københavns Kommune",
        "Lov om social pension § 46",
    ):
        expect(timeline).to_contain_text(text)
    expect(timeline.locator("tbody tr")).to_have_count(4)
    check_page(page, "custody-episode-admitted")

    # The release, with the address after release.
    page.get_by_label("Løsladelsesform").select_option(label="Løsladt direkte fra retten")
    page.get_by_label(re.compile(r"^Adresse efter løsladelse")).fill("Nyvej 2, 2300 København S")
    submit(page, page.get_by_role("button", name="Registrér løsladelse"))
    expect(status).to_contain_text("Løsladelsen er registreret.")
    expect(status).to_contain_text("Meddelelse om løsladelse")
    expect(page.locator(".custody-facts")).to_contain_text("Nyvej 2, 2300 København S")
    expect(timeline).to_contain_text("Meddelelse om løsladelse")
    expect(page.get_by_role("button", name="Registrér løsladelse")).to_have_count(0)
    check_page(page, "custody-episode-released")

    visit(page, "/klienter/ubesvarede/", "custody-unsettled")
    expect(page.locator("main table")).to_contain_text("Jens Pensionist")
