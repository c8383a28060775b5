"""Reads about a user's own account."""

from django_otp.plugins.otp_totp.models import TOTPDevice


def otp_is_on(user) -> bool:
    """The user has a confirmed TOTP device (two-factor is set up)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def enrolment_device(user, device_id) -> TOTPDevice | None:
    """The user's own unconfirmed device with this id (from the session), if it still is one."""
    if not str(device_id or "").isdigit():
        return None
    return TOTPDevice.objects.filter(pk=int(device_id), user=user, confirmed=False).first()
