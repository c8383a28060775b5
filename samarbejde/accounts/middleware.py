from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

# Paths a logged-in but not yet OTP-verified user may reach (to verify, set up, or leave).
OPEN_PREFIXES = ("/konto/", "/static/", "/healthz", "/i18n/")


class RequireOTPMiddleware:
    """Where OTP_REQUIRED is on (production), a staff login is complete only after a TOTP code."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.OTP_REQUIRED
            and request.user.is_authenticated
            and not request.user.is_verified()
            and not request.path.startswith(OPEN_PREFIXES)
        ):
            from django_otp import user_has_device

            target = "accounts:otp_verify" if user_has_device(request.user) else "accounts:otp_setup"
            return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)
