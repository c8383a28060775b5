"""Login, logout, membership switching and TOTP set-up/verification: parse, call accounts.services, render.

The writes and their audit events are in samarbejde/accounts/services.py; the views keep the session.
"""

import base64
import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from samarbejde.accounts import lockout, selectors, services
from samarbejde.accounts.forms import EnrolmentCodeForm, LoginForm, OTPTokenForm
from samarbejde.core.forms import add_service_errors

MEMBERSHIP_SESSION_KEY = "membership_id"
# The unconfirmed TOTP device this session may confirm: set once an enrolment code is accepted.
ENROLMENT_SESSION_KEY = "otp_enrolment_device"


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        membership = services.user_login_record(form.get_user())
        if membership is not None:
            self.request.session[MEMBERSHIP_SESSION_KEY] = str(membership.pk)
        return response


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        services.user_logout_record(request.user)
    logout(request)
    messages.info(request, _("Du er logget ud."))
    return redirect("public:home")


def _safe_next(request, default: str = "core:start"):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


@login_required
@require_POST
def switch_membership(request):
    try:
        membership = services.membership_switch(request.POST.get("membership", ""), acting_user=request.user)
    except ValidationError as refused:
        messages.error(request, refused.messages[0])
        return redirect(_safe_next(request))
    request.session[MEMBERSHIP_SESSION_KEY] = str(membership.pk)
    messages.success(request, _("Du arbejder nu som %(membership)s.") % {"membership": membership})
    return redirect("core:start")


def _qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@login_required
def otp_setup(request):
    """Register a TOTP app in two steps: the one-time enrolment code from an administrator, then the QR code
    (shown only after the code) and one code from the app, which confirms the device.

    A wrong, used or expired enrolment code counts as a failed login attempt (accounts.lockout): once the user
    (at this address) or the address is locked out, the user is logged out and sees the lockout page.
    """
    user = request.user
    if selectors.otp_is_on(user):
        return redirect("accounts:otp_verify")
    if lockout.is_locked_out(request, user.get_username()):
        logout(request)
        return lockout.lockout_response(request)
    device = selectors.enrolment_device(user, request.session.get(ENROLMENT_SESSION_KEY))
    if device is None:
        return _otp_enrolment_code(request)
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.otp_device_confirm(device, form.cleaned_data["token"], acting_user=user)
        except ValidationError as refused:
            add_service_errors(form, refused)
        else:
            request.session.pop(ENROLMENT_SESSION_KEY, None)
            otp_login(request, device)
            messages.success(request, _("Totrinsbekræftelse er slået til."))
            return redirect(_safe_next(request))
    return render(request, "accounts/otp_setup.html", {"form": form, "qr": _qr_svg(device.config_url)})


def _otp_enrolment_code(request):
    """The first step of otp_setup: ask for the enrolment code before any secret is shown."""
    user = request.user
    form = EnrolmentCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.otp_device_start(user, form.cleaned_data["enrolment_code"])
        except ValidationError as refused:
            if selectors.otp_is_on(user):
                return redirect("accounts:otp_verify")
            add_service_errors(form, refused)
            if lockout.record_failed_attempt(request, user.get_username()):
                logout(request)
                return lockout.lockout_response(request)
        else:
            request.session[ENROLMENT_SESSION_KEY] = str(device.pk)
            return redirect(request.get_full_path())
    return render(
        request,
        "accounts/otp_enrolment_code.html",
        {"form": form, "hours": settings.ENROLMENT_CODE_HOURS},
    )


@login_required
def otp_verify(request):
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.otp_device_verify(request.user, form.cleaned_data["token"])
        except ValidationError as refused:
            add_service_errors(form, refused)
        else:
            otp_login(request, device)
            return redirect(_safe_next(request))
    return render(request, "accounts/otp_verify.html", {"form": form})
