"""Login lockout (django-axes, ADR 0009): per username + address, plus a limit per address across usernames.

django-axes counts failures per (username, address) (AXES_LOCKOUT_PARAMETERS), so five wrong passwords from
one address do not lock the user out at another. Axes has one failure limit for all its parameters, so a
per-address limit with a higher threshold is added here, in the handler: an address is locked once it has
failed, within the cool-off time, for LOGIN_ADDRESS_USERNAME_LIMIT different usernames or
LOGIN_ADDRESS_FAILURE_LIMIT times in all (password spraying). It reads axes' own AccessAttempt rows, so a user
who logs in after a few typos (AXES_RESET_ON_SUCCESS) no longer counts against the address.

`record_failed_attempt` lets other steps of a login (a wrong TOTP enrolment code) count as a failure, and
`lockout_response` is the Danish lockout page (AXES_LOCKOUT_CALLABLE).
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db.models import Count, Sum
from django.shortcuts import render

SCOPE_ATTR = "login_lockout_scope"
SCOPE_USER = "user"
SCOPE_ADDRESS = "address"


def address_failures(ip_address: str, request=None) -> tuple[int, int]:
    """(different usernames, failures in all) that failed from `ip_address` within the cool-off time."""
    if not ip_address:
        return 0, 0
    attempts = AccessAttempt.objects.filter(ip_address=ip_address)
    if settings.AXES_COOLOFF_TIME is not None:
        attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
    totals = attempts.aggregate(usernames=Count("username", distinct=True), failures=Sum("failures_since_start"))
    return totals["usernames"] or 0, totals["failures"] or 0


def address_is_locked(ip_address: str, request=None) -> bool:
    usernames, failures = address_failures(ip_address, request)
    return usernames >= settings.LOGIN_ADDRESS_USERNAME_LIMIT or failures >= settings.LOGIN_ADDRESS_FAILURE_LIMIT


class LoginLockoutHandler(AxesDatabaseHandler):
    """Axes' database handler, plus the per-address limit across usernames."""

    def is_locked(self, request, credentials=None) -> bool:
        if super().is_locked(request, credentials):
            setattr(request, SCOPE_ATTR, SCOPE_USER)
            return True
        if address_is_locked(request.axes_ip_address, request):
            setattr(request, SCOPE_ATTR, SCOPE_ADDRESS)
            return True
        return False

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None:
            return
        if request.axes_locked_out:
            if not getattr(request, SCOPE_ATTR, None):
                setattr(request, SCOPE_ATTR, SCOPE_USER)
            return
        if address_is_locked(request.axes_ip_address, request):
            setattr(request, SCOPE_ATTR, SCOPE_ADDRESS)
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
            )


def record_failed_attempt(request, username: str) -> bool:
    """Count a failed step of `username`'s login (e.g. a wrong enrolment code) as a failed login attempt.

    Returns True when the user (at this address) or the address is now locked out.
    """
    credentials = {settings.AXES_USERNAME_FORM_FIELD: username}
    user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    return bool(getattr(request, "axes_locked_out", False))


def is_locked_out(request, username: str) -> bool:
    """Whether `username` at the request's address (or the address itself) is locked out now."""
    credentials = {settings.AXES_USERNAME_FORM_FIELD: username}
    if AxesProxyHandler.is_allowed(request, credentials):
        return False
    request.axes_locked_out = True
    return True


def lockout_response(request, original_response=None, credentials=None):
    """The Danish lockout page (HTTP 429), saying whether the user or the whole address is locked."""
    cool_off = get_cool_off(request)
    minutes = int(cool_off.total_seconds() // 60) if cool_off else None
    context = {
        "scope": getattr(request, SCOPE_ATTR, SCOPE_USER),
        "minutes": minutes,
        "failure_limit": settings.AXES_FAILURE_LIMIT,
    }
    return render(request, "accounts/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
