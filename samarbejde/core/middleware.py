import uuid
from urllib.parse import parse_qsl

from django.conf import settings
from django.http import JsonResponse, QueryDict
from django.shortcuts import render

from samarbejde.core.context import correlation
from samarbejde.core.logging import contains_cpr


class CorrelationIdMiddleware:
    """Give each request one correlation id (or adopt a valid X-Correlation-ID from a trusted proxy)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Correlation-ID", "") if settings.TRUST_CORRELATION_HEADER else ""
        try:
            value = uuid.UUID(incoming)
        except ValueError:
            value = uuid.uuid4()
        with correlation(value) as cid:
            request.correlation_id = cid
            response = self.get_response(request)
        response["X-Correlation-ID"] = str(cid)
        return response


class RefuseCprInQueryMiddleware:
    """Refuse a request whose query string carries something that looks like a CPR number.

    A CPR number in a URL ends up in access logs, browser history and Referer headers, so every look-up by CPR
    is a POST. A request with `?...=010190-1234` (GET or any other method: the URL is logged either way) is
    answered 400 with a Danish page before any view (or the login redirect, whose `next` would repeat it) sees
    it; the value itself is never logged. Placed right after the correlation id, before the session and
    authentication middleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if query_has_cpr(request.META.get("QUERY_STRING", "")):
            return cpr_in_query_refused(request)
        return self.get_response(request)


def query_has_cpr(query_string: str) -> bool:
    """True when any parameter name or value (URL-decoded) holds a CPR-looking run of ASCII digits (6, an
    optional dash, 4). Valid UUIDs are taken out first, so an id in a URL (`?person=<uuid>`) never counts."""
    if not query_string:
        return False
    try:
        pairs = parse_qsl(query_string, keep_blank_values=True, max_num_fields=1000)
    except ValueError:  # more than 1000 fields: judged on the raw string
        return contains_cpr(query_string)
    return any(contains_cpr(name) or contains_cpr(value) for name, value in pairs)


MSG_CPR_IN_URL_TITLE = "CPR-nummer i adressen"
MSG_CPR_IN_URL = (
    "Adressen indeholder noget, der ligner et CPR-nummer. Af hensyn til persondata søger systemet aldrig på "
    "CPR-nummer via adressen. Brug søgefeltet på siden i stedet; forespørgslen er ikke behandlet."
)


def cpr_in_query_refused(request):
    """The refusal (400), Danish; the page is rendered as if the URL had no query string, so nothing on it (e.g.
    the language switcher's `next`) repeats the number."""
    request.META["QUERY_STRING"] = ""
    request.GET = QueryDict()

    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"type": "about:blank", "title": MSG_CPR_IN_URL_TITLE, "status": 400, "detail": MSG_CPR_IN_URL},
            status=400,
        )
        response["Content-Type"] = "application/problem+json"
        return response
    return render(
        request, "core/error.html", {"title": MSG_CPR_IN_URL_TITLE, "code": 400, "text": MSG_CPR_IN_URL}, status=400
    )
