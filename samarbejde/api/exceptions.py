"""Errors as RFC 9457 problem details with a Danish `detail`."""

from rest_framework.views import exception_handler


def problem_exception_handler(exc, context):
    response = exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    detail = data.get("detail") if isinstance(data, dict) else None
    problem = {
        "type": "about:blank",
        "title": response.status_text,
        "status": response.status_code,
        "detail": str(detail) if detail is not None else "Forespørgslen indeholder fejl.",
    }
    if (isinstance(data, dict) and detail is None) or isinstance(data, list):
        problem["errors"] = data
    response.data = problem
    response["Content-Type"] = "application/problem+json"
    return response
