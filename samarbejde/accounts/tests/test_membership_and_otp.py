"""Switching membership, and TOTP two-factor when OTP_REQUIRED is on."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from samarbejde.accounts.services import enrolment_code_issue
from samarbejde.accounts.tests.factories import PASSWORD, UserFactory, user_with_role
from samarbejde.audit.models import AuditEvent
from samarbejde.organisations.models import Organisation
from samarbejde.organisations.roles import Role
from samarbejde.organisations.services import membership_grant

pytestmark = pytest.mark.django_db

SWITCH_URL = "/konto/skift-organisation/"


@pytest.fixture
def two_jobs():
    user = user_with_role(Role.KRFO_CASE_WORKER, "krfo-koebenhavns-faengsler")
    second = membership_grant(
        user, organisation=Organisation.objects.get(code="krfo-kif-hovedstaden"), role=Role.PROBATION_OFFICER
    )
    return user, second


def test_header_offers_the_switch_only_with_two_memberships(client, two_jobs):
    user, _ = two_jobs
    client.force_login(user)
    assert 'id="membership-switch"' in client.get("/start/").content.decode()
    client.force_login(user_with_role(Role.MUNICIPAL_CASE_WORKER))
    assert 'id="membership-switch"' not in client.get("/start/").content.decode()


def test_switch_membership(client, two_jobs):
    user, second = two_jobs
    client.force_login(user)
    first_page = client.get("/start/").content.decode()
    assert "Københavns Fængsler" in first_page.split("</h1>")[0]
    response = client.post(SWITCH_URL, {"membership": str(second.pk)}, follow=True)
    assert response.redirect_chain[-1][0] == "/start/"
    html = response.content.decode()
    assert "Du arbejder nu som" in html
    assert f"<h1>Forside – {second.organisation.display_name}</h1>" in html
    assert client.session["membership_id"] == str(second.pk)
    event = AuditEvent.objects.get(action="accounts.switch_membership")
    assert event.object_id == str(second.pk)
    assert event.actor == user


@pytest.mark.parametrize("forged", ["other-users", "inactive", "00000000-0000-0000-0000-000000000000", "x' OR 1=1", ""])
def test_a_forged_membership_is_refused_in_danish(client, two_jobs, forged):
    user, second = two_jobs
    if forged == "other-users":
        forged = str(user_with_role(Role.ADMINISTRATOR).memberships.get().pk)
    elif forged == "inactive":
        second.is_active = False
        second.save()
        forged = str(second.pk)
    client.force_login(user)
    before = client.session.get("membership_id")
    response = client.post(SWITCH_URL, {"membership": forged, "next": "/kommuner/"}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/kommuner/"
    assert "Du har ikke den tilknytning" in response.content.decode()
    assert client.session.get("membership_id") == before
    assert not AuditEvent.objects.filter(action="accounts.switch_membership").exists()


def test_switch_refuses_an_external_next(client, two_jobs):
    user, _ = two_jobs
    client.force_login(user)
    response = client.post(SWITCH_URL, {"membership": "nope", "next": "https://evil.example/"})
    assert response["Location"] == "/start/"


def test_switch_is_post_only_and_needs_login(client, two_jobs):
    user, second = two_jobs
    assert client.post(SWITCH_URL, {"membership": str(second.pk)}).status_code == 302  # to login
    assert "membership_id" not in client.session
    client.force_login(user)
    assert client.get(SWITCH_URL).status_code == 405


def current_token(device: TOTPDevice) -> str:
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    return f"{value:0{device.digits}d}"


@pytest.fixture
def otp_required(settings):
    settings.OTP_REQUIRED = True


def test_without_otp_required_no_second_factor_is_asked(client):
    client.force_login(user_with_role(Role.MUNICIPAL_CASE_WORKER))
    assert client.get("/start/").status_code == 200


def enrolment_code(user) -> str:
    return enrolment_code_issue(user, acting_user=None)[1]


@pytest.mark.usefixtures("otp_required")
def test_user_without_device_must_set_up_totp_then_gets_through(client):
    user = user_with_role(Role.KRFO_CASE_WORKER)
    code = enrolment_code(user)
    client.force_login(user)
    response = client.get("/start/")
    assert response.status_code == 302
    assert response["Location"] == "/konto/totp/opsaet/?next=/start/"
    # Until the second factor is done, every page but /konto/ sends the half-logged-in user back to set-up.
    assert client.get("/kommuner/")["Location"] == "/konto/totp/opsaet/?next=/kommuner/"
    # First the enrolment code: no secret, no QR code and no device before it.
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "<h1>Slå totrinsbekræftelse til</h1>" in html
    assert "Tilmeldingskode" in html and "gælder i 72 timer" in html
    assert "data:image/svg+xml" not in html
    assert not TOTPDevice.objects.filter(user=user).exists()
    response = client.post("/konto/totp/opsaet/?next=/start/", {"enrolment_code": code})
    assert response["Location"] == "/konto/totp/opsaet/?next=/start/"
    html = client.get(response["Location"]).content.decode()
    assert 'src="data:image/svg+xml;base64,' in html
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    response = client.post("/konto/totp/opsaet/?next=/start/", {"token": current_token(device)})
    assert response.status_code == 302
    assert response["Location"] == "/start/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/start/").status_code == 200
    assert AuditEvent.objects.filter(action="accounts.otp_setup", actor=user).count() == 1


@pytest.mark.usefixtures("otp_required")
def test_a_wrong_setup_code_shows_a_danish_error(client):
    user = user_with_role(Role.KRFO_CASE_WORKER)
    client.force_login(user)
    client.post("/konto/totp/opsaet/", {"enrolment_code": enrolment_code(user)})
    device = TOTPDevice.objects.get(user=user)
    wrong = f"{(int(current_token(device)) + 1) % 1_000_000:06d}"
    response = client.post("/konto/totp/opsaet/", {"token": wrong})
    assert response.status_code == 200
    assert "Koden passer ikke" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get("/start/").status_code == 302
    response = client.post("/konto/totp/opsaet/", {"token": ""})
    assert "Skriv den 6-cifrede kode." in response.content.decode()


@pytest.mark.usefixtures("otp_required")
@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("wrong", "Tilmeldingskoden passer ikke."),
        ("expired", "Tilmeldingskoden er udløbet."),
        ("used", "Tilmeldingskoden er allerede brugt."),
        ("empty", "Skriv tilmeldingskoden."),
        ("long", "Tilmeldingskoden har 12 tegn."),
    ],
)
def test_a_wrong_enrolment_code_shows_a_danish_error_and_no_secret(client, case, message):
    user = user_with_role(Role.KRFO_CASE_WORKER)
    code = enrolment_code(user)
    values = {"wrong": "ABCD-EFGH-JKLM", "empty": "", "long": "A" * 41, "expired": code, "used": code}
    if case == "expired":
        user.enrolment_codes.update(expires_at=timezone.now())
    elif case == "used":
        user.enrolment_codes.update(used_at=timezone.now())
    client.force_login(user)
    response = client.post("/konto/totp/opsaet/", {"enrolment_code": values[case]})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "data:image/svg+xml" not in html
    assert not TOTPDevice.objects.filter(user=user).exists()
    # The token step cannot be skipped to.
    assert "data:image/svg+xml" not in client.post("/konto/totp/opsaet/", {"token": "123456"}).content.decode()


@pytest.mark.usefixtures("otp_required")
def test_repeated_wrong_enrolment_codes_lock_the_user_out_like_wrong_passwords():
    user = user_with_role(Role.KRFO_CASE_WORKER)
    code = enrolment_code(user)
    client = Client(REMOTE_ADDR="198.51.100.7")
    assert client.post("/konto/log-ind/", {"username": user.username, "password": PASSWORD}).status_code == 302
    for _ in range(4):
        response = client.post("/konto/totp/opsaet/", {"enrolment_code": "ABCD-EFGH-JKLM"})
        assert response.status_code == 200
    response = client.post("/konto/totp/opsaet/", {"enrolment_code": "ABCD-EFGH-JKLM"})
    assert response.status_code == 429
    assert "Brugeren er midlertidigt spærret" in response.content.decode()
    assert "_auth_user_id" not in client.session  # logged out
    # Locked at this address: neither the password nor (after it) the right code gets through ...
    assert client.post("/konto/log-ind/", {"username": user.username, "password": PASSWORD}).status_code == 429
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert user.enrolment_codes.get().used_at is None
    # ... while the user, from their own address, logs in and enrols with the code.
    own = Client(REMOTE_ADDR="203.0.113.9")
    assert own.post("/konto/log-ind/", {"username": user.username, "password": PASSWORD}).status_code == 302
    assert own.post("/konto/totp/opsaet/", {"enrolment_code": code}).status_code == 302
    assert TOTPDevice.objects.filter(user=user, confirmed=False).count() == 1


@pytest.mark.usefixtures("otp_required")
def test_a_locked_out_session_is_ended_on_the_enrolment_page():
    """Locked out meanwhile (e.g. wrong passwords in another tab): the half-logged-in session ends."""
    user = user_with_role(Role.KRFO_CASE_WORKER)
    client = Client(REMOTE_ADDR="198.51.100.7")
    client.post("/konto/log-ind/", {"username": user.username, "password": PASSWORD})
    other_tab = Client(REMOTE_ADDR="198.51.100.7")
    for _ in range(5):
        other_tab.post("/konto/log-ind/", {"username": user.username, "password": "forkert-kodeord"})
    response = client.get("/konto/totp/opsaet/")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.usefixtures("otp_required")
def test_user_with_a_device_verifies_with_a_code(client):
    user = user_with_role(Role.ADMINISTRATOR)
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client.force_login(user)
    response = client.get("/start/")
    assert response["Location"] == "/konto/totp/bekraeft/?next=/start/"
    # A confirmed device is not replaced by visiting the set-up page.
    assert client.get("/konto/totp/opsaet/")["Location"] == "/konto/totp/bekraeft/"
    with time_machine.travel(timezone.now(), tick=False):
        response = client.post("/konto/totp/bekraeft/?next=/start/", {"token": current_token(device)})
    assert response["Location"] == "/start/"
    assert client.get("/start/").status_code == 200


@pytest.mark.usefixtures("otp_required")
def test_anonymous_users_are_not_asked_for_otp(client):
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/municipalities/101/").status_code == 200


@pytest.mark.usefixtures("otp_required")
def test_logout_works_before_the_second_factor(client):
    client.force_login(UserFactory())
    assert client.post("/konto/log-ud/").status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.usefixtures("otp_required")
def test_set_up_page_does_not_enrol_a_second_device_after_a_confirmed_one(client):
    """A left-over unconfirmed device must not let a password-only login add its own second factor."""
    user = user_with_role(Role.KRFO_CASE_WORKER)
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    spare = TOTPDevice.objects.create(user=user, name="rest", confirmed=False)
    client.force_login(user)
    assert client.get("/konto/totp/opsaet/")["Location"] == "/konto/totp/bekraeft/"
    assert client.post("/konto/totp/opsaet/", {"token": current_token(spare)})["Location"] == "/konto/totp/bekraeft/"
    spare.refresh_from_db()
    assert not spare.confirmed
    assert client.get("/start/").status_code == 302


@pytest.mark.usefixtures("otp_required")
def test_a_wrong_verification_code_shows_a_danish_error_and_is_not_audited(client):
    user = user_with_role(Role.ADMINISTRATOR)
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client.force_login(user)
    with time_machine.travel(timezone.now(), tick=False):
        wrong = f"{(int(current_token(device)) + 1) % 1_000_000:06d}"
        response = client.post("/konto/totp/bekraeft/?next=/start/", {"token": wrong})
        assert response.status_code == 200
        assert "Koden passer ikke. Prøv igen med den nyeste kode." in response.content.decode()
        response = client.post("/konto/totp/bekraeft/?next=/start/", {"token": current_token(device)})
        assert "for mange gange i træk" in response.content.decode()
    assert client.get("/start/").status_code == 302
    assert not AuditEvent.objects.filter(action="accounts.otp_verify").exists()
    with time_machine.travel(timezone.now() + timedelta(seconds=5), tick=False):
        response = client.post("/konto/totp/bekraeft/?next=/start/", {"token": current_token(device)})
        assert response["Location"] == "/start/"
    assert AuditEvent.objects.filter(action="accounts.otp_verify", actor=user).count() == 1
