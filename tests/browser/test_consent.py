"""Consent end to end (issue 11, point 4): a KRFO case worker finds no consent on the episode page, records
one (first forgetting the witness: a Danish error), prints the form, sees it live, and revokes it (Københavns
Kommune is told); a manager's list of disclosures without consent. Every page and state passes axe."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from samarbejde.consent.models import Consent
from samarbejde.consent.services import consent_require
from samarbejde.custody.tests.factories import admit, krfo_case_worker, make_person
from samarbejde.demo.data import DEMO_PERSONS  # noqa: F401 - the demo users are loaded by the conftest
from samarbejde.notifications.models import Notification, NotificationKind
from samarbejde.organisations.models import Organisation
from samarbejde.organisations.roles import Role
from samarbejde.organisations.tests.factories import user_with_role
from tests.browser.helpers import check_page, login, logout, submit, visit


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_record_print_and_revoke_a_consent(page):
    worker = krfo_case_worker()
    person = make_person(acting_user=worker, home="101", first_name="Sune", last_name="Samtykkesen")
    episode = admit(person, acting_user=worker).episode

    login(page, "krfo.sagsbehandler")
    visit(page, f"/klienter/forloeb/{episode.pk}/", "consent-episode-none")
    section = page.locator("#consents")
    expect(section).to_contain_text("Der er ikke registreret samtykker fra borgeren.")
    submit(page, section.get_by_role("link", name="Registrér samtykke"))
    expect(page.locator("h1")).to_have_text("Registrér samtykke")
    check_page(page, "consent-form")

    # The printable form (a PDF with the scope filled in) is served to the user; nothing is saved.
    response = page.request.get(page.base_url + f"/samtykke/person/{person.pk}/erklaering.pdf")
    assert response.status == 200 and response.body().startswith(b"%PDF-")

    page.get_by_label("Formål").fill("Koordinering af handleplan")
    page.get_by_role("group", name="Oplysninger").get_by_label("Bolig").check()
    page.get_by_role("group", name="Oplysninger").get_by_label("Forsørgelse og økonomi").check()
    page.get_by_role("group", name="Hvordan er samtykket givet?").get_by_label(
        "Mundtligt eller personligt fremmøde med vidne"
    ).check()
    submit(page, page.get_by_role("button", name="Registrér samtykke"))
    expect(page.locator("#error-summary")).to_contain_text("Skriv navn og stilling på den, der overværede samtykket.")
    assert not Consent.objects.exists()
    check_page(page, "consent-form-error")

    page.get_by_label("Vidnets navn").fill("Vibeke Vidne")
    page.get_by_label("Vidnets stilling").fill("Fængselsbetjent")
    submit(page, page.get_by_role("button", name="Registrér samtykke"))
    expect(page.get_by_role("status")).to_contain_text("Samtykket er registreret.")
    expect(page.locator("#consent-status")).to_have_text("Gyldigt")
    expect(page.locator("main")).to_contain_text("Københavns Kommune")
    check_page(page, "consent-detail")

    # Revoked: the date in the future is refused; then it stops at once and København is told.
    page.get_by_label("Borgeren tilbagekaldte samtykket den").fill("2099-01-01")
    page.get_by_label("Begrundelse").fill("Borgeren sagde det på mødet")
    submit(page, page.get_by_role("button", name="Tilbagekald samtykket"))
    expect(page.locator("#error-summary")).to_contain_text("Datoen for tilbagekaldelsen ligger i fremtiden.")
    check_page(page, "consent-revoke-error")
    page.get_by_label("Borgeren tilbagekaldte samtykket den").fill(
        __import__("django.utils.timezone", fromlist=["localdate"]).localdate().isoformat()
    )
    submit(page, page.get_by_role("button", name="Tilbagekald samtykket"))
    expect(page.get_by_role("status")).to_contain_text("Samtykket er tilbagekaldt. 1 myndighed har fået besked.")
    expect(page.locator("#consent-status")).to_have_text("Tilbagekaldt")
    check_page(page, "consent-revoked")
    [notice] = Notification.objects.filter(kind=NotificationKind.CONSENT_REVOKED_NOTICE)
    assert notice.recipient_organisation.code == "101"

    visit(page, f"/klienter/forloeb/{episode.pk}/", "consent-episode-revoked")
    expect(page.locator("#consents")).to_contain_text("Tilbagekaldt")

    # København's coordinator reads the notice in the inbox.
    logout(page)
    login(page, "kbh.koordinator")
    visit(page, f"/indbakke/{notice.pk}/", "consent-revoked-notice")
    expect(page.locator("main")).to_contain_text("Meddelelse om tilbagekaldt samtykke")
    expect(page.locator("main")).to_contain_text("Bolig")


def test_the_managers_list_of_disclosures_without_consent(page):
    leader_org = "krfo-storstroem"
    manager = user_with_role(Role.KRFO_MANAGER, leader_org)
    person = make_person(acting_user=manager, home="751", first_name="Olga", last_name="Override")
    consent_require(
        person,
        recipient=Organisation.objects.get(code="751"),
        category="health",
        purpose="Koordinering af handleplan",
        acting_user=manager,
        override_reason="Akut risiko; kommunen skal vide det før løsladelsen",
    )
    login(page, "krfo.leder")
    visit(page, "/samtykke/tilsidesaettelser/", "consent-overrides")
    expect(page.locator("main")).to_contain_text("Akut risiko; kommunen skal vide det før løsladelsen")
    expect(page.locator("main")).to_contain_text("Olga Override")
