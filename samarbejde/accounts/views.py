import base64
import io

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from samarbejde.accounts.forms import LoginForm, OTPTokenForm
from samarbejde.audit.services import audit_record
from samarbejde.organisations.selectors import memberships_of


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        memberships = memberships_of(user)
        if memberships:
            self.request.session["membership_id"] = str(memberships[0].pk)
            user.active_membership = memberships[0]
        audit_record("accounts.login", acting_user=user, obj=user)
        return response


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        audit_record("accounts.logout", acting_user=request.user, obj=request.user)
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
    wanted = request.POST.get("membership", "")
    for membership in memberships_of(request.user):
        if str(membership.pk) == wanted:
            request.session["membership_id"] = str(membership.pk)
            request.user.active_membership = membership
            audit_record("accounts.switch_membership", acting_user=request.user, obj=membership)
            messages.success(request, _("Du arbejder nu som %(membership)s.") % {"membership": membership})
            return redirect("core:start")
    messages.error(request, _("Du har ikke den tilknytning. Vælg en af dem på listen."))
    return redirect(_safe_next(request))


def _qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@login_required
def otp_setup(request):
    """Register a TOTP app: show the QR code, confirm with one code, then the device is confirmed."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
            return redirect("accounts:otp_verify")
        device = TOTPDevice.objects.create(user=request.user, name="Godkendelses-app", confirmed=False)
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            audit_record("accounts.otp_setup", acting_user=request.user, obj=request.user)
            messages.success(request, _("Totrinsbekræftelse er slået til."))
            return redirect(_safe_next(request))
        form.add_error("token", _("Koden passer ikke. Tjek, at telefonens ur går rigtigt, og prøv igen."))
    return render(request, "accounts/otp_setup.html", {"form": form, "qr": _qr_svg(device.config_url)})


@login_required
def otp_verify(request):
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        for device in TOTPDevice.objects.filter(user=request.user, confirmed=True):
            if device.verify_token(form.cleaned_data["token"]):
                otp_login(request, device)
                return redirect(_safe_next(request))
        form.add_error("token", _("Koden passer ikke. Prøv igen med den nyeste kode."))
    return render(request, "accounts/otp_verify.html", {"form": form})
