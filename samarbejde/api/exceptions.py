"""Errors as RFC 9457 problem details with a Danish `title` and `detail`."""

from rest_framework.exceptions import APIException, ParseError
from rest_framework.views import exception_handler

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
    415: "Formatet understøttes ikke",
    422: "Kan ikke behandles",
    429: "For mange forespørgsler",
    500: "Der opstod en fejl",
}


MSG_BAD_JSON = "Indholdet er ikke gyldig JSON. Send et JSON-objekt med Content-Type: application/json."


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


def problem_exception_handler(exc, context):
    if isinstance(exc, ParseError):
        # DRF's parser messages quote the (English) JSON decoder error.
        exc = ParseError(MSG_BAD_JSON)
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
