"""Writes about a user's account: login bookkeeping, TOTP two-factor (with its enrolment codes) and the membership
in use.

Each function is one business event with its audit event in one transaction. The session (which membership
is in use, which OTP device verified the login) is request state and stays in the views: these functions
return what the view puts there. Refusals are ValidationErrors with Danish messages (translated where the
page is, see ADR 0005).
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from samarbejde.accounts.models import EnrolmentCode
from samarbejde.audit.services import audit_record
from samarbejde.organisations.models import Membership
from samarbejde.organisations.selectors import memberships_of

OTP_DEVICE_NAME = "Godkendelses-app"
# Enrolment codes: 12 characters from 32 that cannot be mistaken for each other (no 0/O, 1/I), 60 bits,
# shown in groups of four (ABCD-EFGH-JKLM); case, spaces and dashes do not matter when typed.
ENROLMENT_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
ENROLMENT_CODE_LENGTH = 12
ENROLMENT_CODE_SALT = "samarbejde.accounts.EnrolmentCode"

MSG_NOT_YOUR_MEMBERSHIP = _("Du har ikke den tilknytning. Vælg en af dem på listen.")
MSG_OTP_ALREADY_ON = _("Totrinsbekræftelse er allerede slået til. Bekræft med en kode fra din app.")
MSG_OTP_NOT_STARTED = _("Start opsætningen af totrinsbekræftelse forfra.")
MSG_OTP_NO_DEVICE = _("Du har ikke slået totrinsbekræftelse til endnu.")
MSG_OTP_WRONG_SETUP_CODE = _("Koden passer ikke. Tjek, at telefonens ur går rigtigt, og prøv igen.")
MSG_OTP_WRONG_CODE = _("Koden passer ikke. Prøv igen med den nyeste kode.")
MSG_ENROLMENT_CODE_WRONG = _("Tilmeldingskoden passer ikke. Tjek koden, eller bed din administrator om en ny.")
MSG_ENROLMENT_CODE_USED = _("Tilmeldingskoden er allerede brugt. Bed din administrator om en ny.")
MSG_ENROLMENT_CODE_EXPIRED = _("Tilmeldingskoden er udløbet. Bed din administrator om en ny.")
# For administrators (the admin and the command are Danish only).
MSG_ENROLMENT_SERVICE_ACCOUNT = "En servicebruger (API) logger aldrig ind og kan ikke få en tilmeldingskode."
MSG_ENROLMENT_INACTIVE = "Brugeren er deaktiveret. Aktivér brugeren, før du opretter en tilmeldingskode."
MSG_ENROLMENT_OTP_ON = (
    "Brugeren har allerede totrinsbekræftelse. Er telefonen mistet, så slet først brugerens enhed under "
    "TOTP devices i administrationsmodulet, og opret så en ny tilmeldingskode."
)
MSG_OTP_THROTTLED = _("Du har skrevet en forkert kode for mange gange i træk. Vent et øjeblik, og prøv igen.")


@transaction.atomic
def user_login_record(user) -> Membership | None:
    """A password login succeeded: choose the first active membership and audit `accounts.login`.

    Returns the membership now in use (None for a user without one); the view keeps it in the session.
    """
    memberships = memberships_of(user)
    membership = memberships[0] if memberships else None
    if membership is not None:
        user.active_membership = membership
    audit_record("accounts.login", acting_user=user, obj=user)
    return membership


@transaction.atomic
def user_logout_record(user) -> None:
    """Audit `accounts.logout` before the view ends the session."""
    audit_record("accounts.logout", acting_user=user, obj=user)


@transaction.atomic
def membership_switch(membership_id, *, acting_user) -> Membership:
    """Work as another of the user's own active memberships; anything else is refused in Danish.

    `membership_id` is the raw value from the form (any string): it is matched against the user's own
    memberships, never looked up on its own.
    """
    wanted = str(membership_id or "")
    for membership in memberships_of(acting_user):
        if str(membership.pk) == wanted:
            acting_user.active_membership = membership
            audit_record("accounts.switch_membership", acting_user=acting_user, obj=membership)
            return membership
    raise ValidationError(MSG_NOT_YOUR_MEMBERSHIP, code="not_your_membership")


def _normalise_code(raw: str) -> str:
    return "".join(ch for ch in str(raw or "").upper() if ch.isalnum())


def _code_hash(normalised: str) -> str:
    return salted_hmac(ENROLMENT_CODE_SALT, normalised, algorithm="sha256").hexdigest()


def _new_code() -> str:
    body = "".join(secrets.choice(ENROLMENT_CODE_ALPHABET) for _ in range(ENROLMENT_CODE_LENGTH))
    return "-".join(body[i : i + 4] for i in range(0, ENROLMENT_CODE_LENGTH, 4))


@transaction.atomic
def enrolment_code_issue(user, *, acting_user, via: str = "admin") -> tuple[EnrolmentCode, str]:
    """An administrator gives `user` a one-time code to enrol a TOTP app: returns (code, the code in clear).

    The clear code is shown once and never stored (only its HMAC). It expires after ENROLMENT_CODE_HOURS, and
    every earlier code of the user that is still open ends now. Audited `accounts.enrolment_code_issue` (the
    code is never in the audit). Refused for service users, deactivated users and users who already have a
    confirmed device (a lost phone: delete the device first).
    """
    if user.is_service_account:
        raise ValidationError(MSG_ENROLMENT_SERVICE_ACCOUNT, code="service_account")
    if not user.is_active:
        raise ValidationError(MSG_ENROLMENT_INACTIVE, code="inactive")
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise ValidationError(MSG_ENROLMENT_OTP_ON, code="otp_already_on")
    now = timezone.now()
    EnrolmentCode.objects.filter(user=user, used_at=None, expires_at__gt=now).update(expires_at=now)
    raw = _new_code()
    issued_by = acting_user if getattr(acting_user, "is_authenticated", False) else None
    code = EnrolmentCode.objects.create(
        user=user,
        code_hash=_code_hash(_normalise_code(raw)),
        created_at=now,
        created_by=issued_by,
        expires_at=now + timedelta(hours=settings.ENROLMENT_CODE_HOURS),
    )
    audit_record(
        "accounts.enrolment_code_issue",
        acting_user=acting_user,
        obj=user,
        details={"enrolment_code": code.pk, "expires_at": code.expires_at.isoformat(), "via": via},
    )
    return code, raw


@transaction.atomic
def otp_device_start(user, enrolment_code: str) -> TOTPDevice:
    """Begin TOTP enrolment with the one-time enrolment code an administrator gave the user.

    The code is used up, any earlier unconfirmed device is replaced by a new one (a secret shown before is
    never reused), and `accounts.otp_enrol` is audited. A wrong, used or expired code is refused in Danish
    (keyed `enrolment_code`; the view counts it as a failed login attempt). Refused once a confirmed device
    exists: a login with only the password must not add a second factor of its own (an administrator
    resets a lost device in the admin).
    """
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise ValidationError(MSG_OTP_ALREADY_ON, code="otp_already_on")
    normalised = _normalise_code(enrolment_code)
    code = None
    if normalised:
        code = EnrolmentCode.objects.select_for_update().filter(user=user, code_hash=_code_hash(normalised)).first()
    if code is None:
        raise ValidationError({"enrolment_code": MSG_ENROLMENT_CODE_WRONG}, code="enrolment_code_wrong")
    now = timezone.now()
    if code.used_at is not None:
        raise ValidationError({"enrolment_code": MSG_ENROLMENT_CODE_USED}, code="enrolment_code_used")
    if code.expires_at <= now:
        raise ValidationError({"enrolment_code": MSG_ENROLMENT_CODE_EXPIRED}, code="enrolment_code_expired")
    code.used_at = now
    code.save(update_fields=["used_at"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device = TOTPDevice.objects.create(user=user, name=OTP_DEVICE_NAME, confirmed=False)
    audit_record("accounts.otp_enrol", acting_user=user, obj=user, details={"enrolment_code": code.pk})
    return device


def _throttled(device: TOTPDevice) -> bool:
    allowed, _details = device.verify_is_allowed()
    return not allowed


def otp_device_confirm(device: TOTPDevice, token: str, *, acting_user) -> TOTPDevice:
    """Finish enrolment with one code from the app: the device is confirmed, audited `accounts.otp_setup`.

    A wrong code is refused and confirms nothing and audits nothing. django-otp's failure counter on the
    device is kept on purpose (it throttles guessing), so the refusal is raised after the transaction.
    """
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().filter(pk=device.pk, user=acting_user).first()
        if locked is None or locked.confirmed:
            raise ValidationError(MSG_OTP_NOT_STARTED, code="otp_not_started")
        if TOTPDevice.objects.filter(user=acting_user, confirmed=True).exists():
            raise ValidationError(MSG_OTP_ALREADY_ON, code="otp_already_on")
        if _throttled(locked):
            raise ValidationError({"token": MSG_OTP_THROTTLED}, code="otp_throttled")
        if locked.verify_token(token):
            locked.confirmed = True
            locked.save(update_fields=["confirmed"])
            audit_record("accounts.otp_setup", acting_user=acting_user, obj=acting_user)
            return locked
    raise ValidationError({"token": MSG_OTP_WRONG_SETUP_CODE}, code="otp_wrong_code")


def otp_device_verify(user, token: str) -> TOTPDevice:
    """The second step of a login: the confirmed device the code belongs to, audited `accounts.otp_verify`.

    A wrong code is refused (after the transaction, so django-otp's failure counters are kept); a device
    that has had too many failures in a row is not tried until its back-off has passed.
    """
    with transaction.atomic():
        devices = list(TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).order_by("pk"))
        if not devices:
            raise ValidationError(MSG_OTP_NO_DEVICE, code="otp_no_device")
        allowed = [device for device in devices if not _throttled(device)]
        if not allowed:
            raise ValidationError({"token": MSG_OTP_THROTTLED}, code="otp_throttled")
        for device in allowed:
            if device.verify_token(token):
                audit_record("accounts.otp_verify", acting_user=user, obj=user)
                return device
    raise ValidationError({"token": MSG_OTP_WRONG_CODE}, code="otp_wrong_code")
