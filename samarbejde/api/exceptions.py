"""Errors as RFC 9457 problem details with a Danish `title` and `detail`."""

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
    415: "Formatet understøttes ikke",
    429: "For mange forespørgsler",
    500: "Der opstod en fejl",
}


def problem_exception_handler(exc, context):
    response = exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    detail = data.get("detail") if isinstance(data, dict) else None
    problem = {
        "type": "about:blank",
        "title": TITLES.get(response.status_code, response.status_text),
        "status": response.status_code,
        "detail": str(detail) if detail is not None else "Forespørgslen indeholder fejl.",
    }
    if (isinstance(data, dict) and detail is None) or isinstance(data, list):
        problem["errors"] = data
    response.data = problem
    # Not response["Content-Type"]: DRF overwrites that header when it renders; content_type it keeps.
    response.content_type = PROBLEM_CONTENT_TYPE
    return response
