"""accounts.services: each write with its audit event, and every refusal in Danish with nothing stored."""

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from samarbejde.accounts import services
from samarbejde.accounts.tests.factories import UserFactory, user_with_role
from samarbejde.audit.models import AuditEvent
from samarbejde.organisations.models import Organisation
from samarbejde.organisations.roles import Role
from samarbejde.organisations.services import membership_grant

pytestmark = pytest.mark.django_db


def token_for(device: TOTPDevice, *, offset: int = 0) -> str:
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    return f"{(value + offset) % 10**device.digits:0{device.digits}d}"


def events(action: str):
    return AuditEvent.objects.filter(action=action)


@pytest.fixture
def frozen():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


# --- Login and logout --------------------------------------------------------------------------------------


def test_login_record_picks_the_first_membership_and_audits():
    user = user_with_role(Role.MUNICIPAL_COORDINATOR)
    user.active_membership = None
    membership = services.user_login_record(user)
    assert membership == user.memberships.get()
    assert user.active_membership == membership
    event = events("accounts.login").get()
    assert (event.actor, event.object_id, event.organisation) == (user, str(user.pk), membership.organisation)


def test_login_record_for_a_user_without_membership_is_still_audited():
    user = UserFactory()
    assert services.user_login_record(user) is None
    assert events("accounts.login").get().actor == user


def test_logout_record_is_audited():
    user = user_with_role(Role.KRFO_CASE_WORKER)
    services.user_logout_record(user)
    assert events("accounts.logout").get().actor == user


# --- Switching membership ----------------------------------------------------------------------------------


@pytest.fixture
def two_jobs():
    user = user_with_role(Role.KRFO_CASE_WORKER, "krfo-koebenhavns-faengsler")
    first = user.active_membership
    second = membership_grant(
        user, organisation=Organisation.objects.get(code="krfo-kif-hovedstaden"), role=Role.PROBATION_OFFICER
    )
    return user, first, second


def test_switch_to_an_own_membership_is_audited_as_the_new_one(two_jobs):
    user, _first, second = two_jobs
    assert services.membership_switch(str(second.pk), acting_user=user) == second
    assert user.active_membership == second
    event = events("accounts.switch_membership").get()
    assert event.object_id == str(second.pk)
    assert event.organisation == second.organisation
    assert event.role == Role.PROBATION_OFFICER


@pytest.mark.parametrize(
    "forged", ["other-users", "inactive", "inactive-organisation", "not-a-uuid", "", None, "x' OR 1=1"]
)
def test_switch_to_anything_but_an_own_active_membership_is_refused(two_jobs, forged):
    user, first, second = two_jobs
    if forged == "other-users":
        forged = user_with_role(Role.ADMINISTRATOR).memberships.get().pk
    elif forged == "inactive":
        second.is_active = False
        second.save()
        forged = second.pk
    elif forged == "inactive-organisation":
        Organisation.objects.filter(pk=second.organisation_id).update(is_active=False)
        forged = second.pk
    user._memberships_cache = None
    with pytest.raises(ValidationError) as refused:
        services.membership_switch(forged, acting_user=user)
    assert refused.value.messages == ["Du har ikke den tilknytning. Vælg en af dem på listen."]
    assert user.active_membership == first
    assert not events("accounts.switch_membership").exists()


# --- TOTP enrolment ----------------------------------------------------------------------------------------


def enrolment_code(user) -> str:
    return services.enrolment_code_issue(user, acting_user=None)[1]


def started(user) -> TOTPDevice:
    return services.otp_device_start(user, enrolment_code(user))


def test_issue_stores_only_a_hash_expires_after_72_hours_and_audits(frozen):
    admin = user_with_role(Role.ADMINISTRATOR)
    user = user_with_role(Role.KRFO_CASE_WORKER)
    code, raw = services.enrolment_code_issue(user, acting_user=admin)
    assert len(raw) == 14 and raw[4] == raw[9] == "-"
    assert set(raw.replace("-", "")) <= set(services.ENROLMENT_CODE_ALPHABET)
    assert raw not in code.code_hash and raw.replace("-", "") not in code.code_hash and len(code.code_hash) == 64
    assert code.expires_at - code.created_at == timezone.timedelta(hours=72)
    assert code.created_by == admin and code.used_at is None
    event = events("accounts.enrolment_code_issue").get()
    assert event.actor == admin and event.object_id == str(user.pk)
    assert raw not in str(event.details) and event.details["enrolment_code"] == code.pk


def test_a_new_code_ends_the_earlier_ones(frozen):
    user = user_with_role(Role.KRFO_CASE_WORKER)
    first = enrolment_code(user)
    second = enrolment_code(user)
    assert first != second
    with pytest.raises(ValidationError) as refused:
        services.otp_device_start(user, first)
    assert refused.value.message_dict == {
        "enrolment_code": ["Tilmeldingskoden er udløbet. Bed din administrator om en ny."]
    }
    assert services.otp_device_start(user, second).user == user


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("service", "servicebruger"),
        ("inactive", "deaktiveret"),
        ("otp_on", "har allerede totrinsbekræftelse"),
    ],
)
def test_issue_is_refused_for_service_users_inactive_users_and_users_with_a_device(case, message):
    user = user_with_role(Role.KRFO_CASE_WORKER)
    if case == "service":
        user.is_service_account = True
        user.save()
    elif case == "inactive":
        user.is_active = False
        user.save()
    else:
        TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    with pytest.raises(ValidationError, match=message):
        services.enrolment_code_issue(user, acting_user=None)
    assert not user.enrolment_codes.exists()
    assert not events("accounts.enrolment_code_issue").exists()


def test_start_uses_up_the_code_creates_one_unconfirmed_device_and_audits_once(frozen):
    user = user_with_role(Role.KRFO_CASE_WORKER)
    raw = enrolment_code(user)
    # Case, spaces and dashes do not matter.
    device = services.otp_device_start(user, " " + raw.lower().replace("-", " ") + " ")
    assert not device.confirmed and device.user == user
    assert user.enrolment_codes.get().used_at == timezone.now()
    assert TOTPDevice.objects.filter(user=user).count() == 1
    assert events("accounts.otp_enrol").filter(actor=user).count() == 1
    with pytest.raises(ValidationError) as refused:
        services.otp_device_start(user, raw)
    assert refused.value.message_dict == {
        "enrolment_code": ["Tilmeldingskoden er allerede brugt. Bed din administrator om en ny."]
    }
    assert events("accounts.otp_enrol").count() == 1


def test_start_replaces_an_earlier_unconfirmed_device():
    """A secret shown in an earlier session is never confirmed later: a new code gives a new secret."""
    user = user_with_role(Role.KRFO_CASE_WORKER)
    first = started(user)
    second = started(user)
    assert first.key != second.key
    assert list(TOTPDevice.objects.filter(user=user)) == [second]


@pytest.mark.parametrize("wrong", ["", "   ", "ABCD-EFGH-JKLM", "x' OR 1=1 --", "Æøå" * 20, "another user's"])
def test_start_with_a_wrong_code_is_refused_and_stores_nothing(wrong):
    user = user_with_role(Role.KRFO_CASE_WORKER)
    enrolment_code(user)
    if wrong == "another user's":
        wrong = enrolment_code(user_with_role(Role.KRFO_CASE_WORKER))
    with pytest.raises(ValidationError) as refused:
        services.otp_device_start(user, wrong)
    assert refused.value.message_dict == {
        "enrolment_code": ["Tilmeldingskoden passer ikke. Tjek koden, eller bed din administrator om en ny."]
    }
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert user.enrolment_codes.get().used_at is None
    assert not events("accounts.otp_enrol").exists()


def test_start_with_an_expired_code_is_refused():
    user = user_with_role(Role.KRFO_CASE_WORKER)
    issued = timezone.now()
    with time_machine.travel(issued, tick=False):
        raw = enrolment_code(user)
    late = issued + timezone.timedelta(hours=72, seconds=1)
    with time_machine.travel(late, tick=False), pytest.raises(ValidationError, match="udløbet"):
        services.otp_device_start(user, raw)
    with time_machine.travel(issued + timezone.timedelta(hours=71, minutes=59), tick=False):
        assert services.otp_device_start(user, raw).user == user


def test_start_is_refused_once_a_device_is_confirmed():
    """Even with a left-over unconfirmed device and a code: a password alone must not enrol a second factor."""
    user = user_with_role(Role.KRFO_CASE_WORKER)
    raw = enrolment_code(user)
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    TOTPDevice.objects.create(user=user, name="rest", confirmed=False)
    with pytest.raises(ValidationError) as refused:
        services.otp_device_start(user, raw)
    assert "Totrinsbekræftelse er allerede slået til" in refused.value.messages[0]
    assert TOTPDevice.objects.filter(user=user).count() == 2
    assert not events("accounts.otp_enrol").exists()


def test_confirm_with_the_right_code_confirms_and_audits(frozen):
    user = user_with_role(Role.KRFO_CASE_WORKER)
    device = started(user)
    confirmed = services.otp_device_confirm(device, token_for(device), acting_user=user)
    assert confirmed.confirmed
    device.refresh_from_db()
    assert device.confirmed
    assert events("accounts.otp_setup").get().actor == user


def test_confirm_with_a_wrong_code_is_refused_and_confirms_nothing(frozen):
    user = user_with_role(Role.KRFO_CASE_WORKER)
    device = started(user)
    with pytest.raises(ValidationError) as refused:
        services.otp_device_confirm(device, token_for(device, offset=1), acting_user=user)
    assert refused.value.message_dict == {
        "token": ["Koden passer ikke. Tjek, at telefonens ur går rigtigt, og prøv igen."]
    }
    device.refresh_from_db()
    assert not device.confirmed
    assert not events("accounts.otp_setup").exists()
    # django-otp's failure counter is kept (not rolled back with the refusal): it throttles guessing.
    assert device.throttling_failure_count == 1
    # Within the back-off even the right code is refused, with its own message.
    with pytest.raises(ValidationError) as throttled:
        services.otp_device_confirm(device, token_for(device), acting_user=user)
    assert "for mange gange i træk" in throttled.value.message_dict["token"][0]
    frozen.shift(2)
    assert services.otp_device_confirm(device, token_for(device), acting_user=user).confirmed


def test_confirm_refuses_another_users_device_and_a_confirmed_one(frozen):
    owner = user_with_role(Role.KRFO_CASE_WORKER)
    intruder = user_with_role(Role.KRFO_CASE_WORKER)
    device = started(owner)
    with pytest.raises(ValidationError, match="Start opsætningen"):
        services.otp_device_confirm(device, token_for(device), acting_user=intruder)
    device.refresh_from_db()
    assert not device.confirmed
    services.otp_device_confirm(device, token_for(device), acting_user=owner)
    with pytest.raises(ValidationError, match="Start opsætningen"):
        services.otp_device_confirm(device, token_for(device), acting_user=owner)
    assert events("accounts.otp_setup").count() == 1


# --- TOTP verification at login ----------------------------------------------------------------------------


def test_verify_returns_the_device_once_per_code_and_audits(frozen):
    user = user_with_role(Role.ADMINISTRATOR)
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    token = token_for(device)
    assert services.otp_device_verify(user, token) == device
    assert events("accounts.otp_verify").get().actor == user
    with pytest.raises(ValidationError) as replayed:  # the same code twice is a replay
        services.otp_device_verify(user, token)
    assert replayed.value.message_dict == {"token": ["Koden passer ikke. Prøv igen med den nyeste kode."]}
    assert events("accounts.otp_verify").count() == 1


def test_verify_refuses_a_wrong_code_and_a_user_without_device(frozen):
    user = user_with_role(Role.ADMINISTRATOR)
    with pytest.raises(ValidationError, match="ikke slået totrinsbekræftelse til"):
        services.otp_device_verify(user, "123456")
    unconfirmed = TOTPDevice.objects.create(user=user, name="app", confirmed=False)
    with pytest.raises(ValidationError, match="ikke slået totrinsbekræftelse til"):
        services.otp_device_verify(user, token_for(unconfirmed))
    unconfirmed.confirmed = True
    unconfirmed.save()
    with pytest.raises(ValidationError, match="Koden passer ikke"):
        services.otp_device_verify(user, "abcdef")
    assert not events("accounts.otp_verify").exists()
    unconfirmed.refresh_from_db()
    assert unconfirmed.throttling_failure_count == 1
