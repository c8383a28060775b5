"""The client's address: the one helper for every place that needs it (login lockout, enrolment codes).

django-axes resolves it through django-ipware with the AXES_IPWARE_* settings, which follow
TRUSTED_PROXY_COUNT (config/settings/base.py, ADR 0009): REMOTE_ADDR only by default; behind N trusted
reverse proxies the N-th address from the right of X-Forwarded-For, so nothing a client writes into the
header itself picks its address. Never read REMOTE_ADDR or X-Forwarded-For anywhere else.
"""

from axes.helpers import get_client_ip_address


def client_ip(request) -> str:
    """The address the request came from (as resolved once per request by django-axes); "" if none."""
    address = getattr(request, "axes_ip_address", None)
    if address is None:
        address = get_client_ip_address(request)
    return address or ""
