"""Errors as RFC 9457 problem details with a Danish `title` and `detail`.

Every `detail` is Danish, whatever language the client asks for (samarbejde.api.middleware makes the API
Danish): DRF's own messages for its exceptions are replaced by ours below, its field messages are translated
by Django's catalogues (DRF's Danish one, and samarbejde/locale/da for what DRF leaves untranslated), and the
one message DRF never marks for translation ("No data provided") is replaced here.
"""

from django.core.exceptions import RequestDataTooBig
from django.utils import translation
from rest_framework import exceptions as drf
from rest_framework.exceptions import APIException, ErrorDetail, ParseError
from rest_framework.views import exception_handler

from samarbejde.api.parsers import MSG_BAD_JSON, too_large

PROBLEM_CONTENT_TYPE = "application/problem+json"

# Danish titles for the statuses the API can answer with; anything else falls back to the HTTP reason.
TITLES = {
    400: "Forkert forespørgsel",
    401: "Ikke logget ind",
    403: "Ingen adgang",
    404: "Ikke fundet",
    405: "Metoden er ikke tilladt",
    406: "Formatet kan ikke leveres",
    409: "Konflikt",
    413: "Indholdet fylder for meget",
    415: "Formatet understøttes ikke",
    422: "Kan ikke behandles",
    429: "For mange forespørgsler",
    500: "Der opstod en fejl",
}


MSG_NO_DATA = "Indholdet mangler. Send et JSON-objekt med Content-Type: application/json."
MSG_INVALID = "Forespørgslen indeholder fejl."
MSG_METHOD = "Metoden %(method)s kan ikke bruges her. Tilladt: %(allowed)s."
MSG_MEDIA_TYPE = (
    "Indholdstypen »%(media_type)s« understøttes ikke. Send indholdet som JSON (Content-Type: application/json)."
)
MSG_NOT_ACCEPTABLE = "Svaret kan kun leveres som JSON. Angiv Accept: application/json (eller udelad Accept)."
MSG_THROTTLED = "For mange forespørgsler. Prøv igen om %(wait)s sekunder."
# DRF's exceptions raised with their default (English, or DRF's Danish) message: ours instead.
DEFAULT_DETAILS: dict[type, str] = {
    drf.ValidationError: MSG_INVALID,
    ParseError: MSG_BAD_JSON,
    drf.AuthenticationFailed: "Login eller API-nøgle er forkert.",
    drf.NotAuthenticated: "Forespørgslen mangler login eller en API-nøgle (Authorization: Bearer <API-nøgle>).",
    drf.PermissionDenied: "Du har ikke adgang til denne handling.",
    drf.NotFound: "Det, du spørger efter, findes ikke.",
    drf.NotAcceptable: MSG_NOT_ACCEPTABLE,
    APIException: "Der skete en uventet fejl. Prøv igen om lidt.",
}


class Problem(APIException):
    """A problem with a given status, a Danish detail and (optionally) field errors in an `errors` member."""

    def __init__(self, detail: str, *, status: int = 400, errors: dict | None = None, code: str | None = None):
        self.status_code = status
        self.errors = errors
        super().__init__(detail=detail, code=code)


def _first_error(data, path: str = "") -> str:
    """'Forespørgslen indeholder fejl: decisions.0.code: Dette felt er påkrævet.' for field errors."""
    while True:
        if isinstance(data, dict) and data:
            key, data = next(iter(data.items()))
            path = f"{path}.{key}" if path else str(key)
        elif isinstance(data, list) and data:
            if not isinstance(data[0], (dict, list)):
                data = data[0]
                break
            index = next((i for i, item in enumerate(data) if item), 0)
            data = data[index]
            path = f"{path}.{index}" if path and isinstance(data, dict) else path
        else:
            break
    if isinstance(data, (dict, list)) or not str(data):
        return "Forespørgslen indeholder fejl."
    return f"Forespørgslen indeholder fejl: {path}: {data}" if path and path != "non_field_errors" else f"{data}"


def _defaults(message) -> set[str]:
    """A lazily translated DRF message in English and in Danish."""
    found = set()
    for language in ("en", "da"):
        with translation.override(language):
            found.add(str(message))
    return found


def _is_default(exc: APIException) -> bool:
    """Whether `exc` carries its class's default message (in English or in Danish)."""
    return isinstance(exc.detail, str) and str(exc.detail) in _defaults(type(exc).default_detail)


def danish(exc, context):
    """The exception with a Danish detail where DRF would answer with its own message."""
    if isinstance(exc, RequestDataTooBig):  # something read request.body: Django's DATA_UPLOAD_MAX_MEMORY_SIZE
        return too_large()
    if isinstance(exc, ParseError) and exc.get_codes() == "parse_error":
        return ParseError(MSG_BAD_JSON)  # DRF's parser messages quote the (English) JSON decoder error
    if isinstance(exc, drf.MethodNotAllowed):
        request, view = context.get("request"), context.get("view")
        allowed = ", ".join(getattr(view, "allowed_methods", None) or []) or "-"
        method = getattr(request, "method", "") or ""
        return Problem(MSG_METHOD % {"method": method[:20], "allowed": allowed}, status=405)
    if isinstance(exc, drf.UnsupportedMediaType):
        request = context.get("request")
        media_type = (getattr(request, "content_type", "") or "").split(";")[0].strip()[:80] or "(ingen)"
        return Problem(MSG_MEDIA_TYPE % {"media_type": media_type}, status=415)
    if isinstance(exc, drf.Throttled):
        # DRF appends "Expected available in N seconds." in English (formatted before it is translated).
        text = str(exc.detail).split(" Expected available in ", 1)[0]
        if text in _defaults(drf.Throttled.default_detail):
            text = MSG_THROTTLED % {"wait": int(exc.wait or 59) + 1}
        throttled = drf.Throttled(detail=text)
        throttled.wait = exc.wait  # DRF's exception handler sets Retry-After from it
        return throttled
    if isinstance(exc, APIException) and not isinstance(exc, Problem) and _is_default(exc):
        cls = next(cls for cls in type(exc).__mro__ if cls in DEFAULT_DETAILS)
        exc.detail = ErrorDetail(DEFAULT_DETAILS[cls], code=exc.get_codes())
    return exc


def _no_data(data):
    """DRF's untranslated "No data provided" (a JSON null as the body), in Danish."""
    if isinstance(data, dict):
        errors = data.get("non_field_errors")
        if isinstance(errors, list) and any(getattr(e, "code", None) == "null" for e in errors):
            return {**data, "non_field_errors": [ErrorDetail(MSG_NO_DATA, code="null")]}
    return data


def problem_exception_handler(exc, context):
    exc = danish(exc, context)
    if isinstance(exc, drf.ValidationError):
        exc.detail = _no_data(exc.detail)
    response = exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    detail = data.get("detail") if isinstance(data, dict) else None
    problem = {
        "type": "about:blank",
        "title": TITLES.get(response.status_code, response.status_text),
        "status": response.status_code,
        "detail": str(detail) if detail is not None else _first_error(data),
    }
    if (isinstance(data, dict) and detail is None) or isinstance(data, list):
        problem["errors"] = data
    elif getattr(exc, "errors", None):
        problem["errors"] = exc.errors
    response.data = problem
    # Not response["Content-Type"]: DRF overwrites that header when it renders; content_type it keeps.
    response.content_type = PROBLEM_CONTENT_TYPE
    return response
