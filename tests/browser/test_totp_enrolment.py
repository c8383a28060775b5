"""TOTP enrolment with an administrator's one-time enrolment code (ADR 0009), where OTP_REQUIRED is on: the
code page, a wrong code, the QR page after the right code, confirmation with the app's code, and the lockout
page after repeated wrong codes. Every page passes axe."""

import pytest
from django.contrib.auth import get_user_model
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from samarbejde.accounts.services import enrolment_code_issue
from tests.browser.helpers import check_page, login, submit

USERNAME = "krfo.sagsbehandler"


@pytest.fixture
def otp_required(settings):
    settings.OTP_REQUIRED = True


def issue_code() -> str:
    return enrolment_code_issue(get_user_model().objects.get(username=USERNAME), acting_user=None)[1]


def token(device: TOTPDevice) -> str:
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    return f"{value:0{device.digits}d}"


@pytest.mark.usefixtures("otp_required")
def test_enrolment_asks_for_the_code_before_the_qr_code(page):
    code = issue_code()
    login(page, USERNAME, check=False)
    expect(page).to_have_url(page.base_url + "/konto/totp/opsaet/?next=/start/")
    expect(page.locator("h1")).to_have_text("Slå totrinsbekræftelse til")
    expect(page.get_by_role("img")).to_have_count(0)
    check_page(page, "totp-enrolment-code")

    field = page.get_by_label("Tilmeldingskode")
    field.fill("ABCD-EFGH-JKLM")
    submit(page, page.get_by_role("button", name="Fortsæt"))
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("Tilmeldingskoden passer ikke")
    expect(summary).to_be_focused()
    expect(page.get_by_role("img")).to_have_count(0)
    check_page(page, "totp-enrolment-code-wrong")

    page.get_by_label("Tilmeldingskode").fill(code.lower())
    submit(page, page.get_by_role("button", name="Fortsæt"))
    expect(page.get_by_role("img", name="QR-kode til din godkendelses-app")).to_be_visible()
    check_page(page, "totp-enrolment-qr")

    device = TOTPDevice.objects.get(user__username=USERNAME, confirmed=False)
    page.get_by_label("Engangskode fra din godkendelses-app").fill(token(device))
    submit(page, page.get_by_role("button", name="Bekræft"))
    expect(page).to_have_url(page.base_url + "/start/")
    expect(page.get_by_role("status")).to_contain_text("Totrinsbekræftelse er slået til.")
    check_page(page, "totp-enrolment-done")


@pytest.mark.usefixtures("otp_required")
def test_repeated_wrong_enrolment_codes_show_the_lockout_page(page):
    issue_code()
    login(page, USERNAME, check=False)
    for _ in range(5):
        page.get_by_label("Tilmeldingskode").fill("ABCD-EFGH-JKLM")
        submit(page, page.get_by_role("button", name="Fortsæt"))
    expect(page.locator("h1")).to_have_text("Brugeren er midlertidigt spærret")
    expect(page.locator("main")).to_contain_text("Vent 30 minutter")
    expect(page.get_by_role("link", name="Log ind")).to_be_visible()  # logged out
    check_page(page, "totp-enrolment-locked-out")
