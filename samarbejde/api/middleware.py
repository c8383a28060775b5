"""The API's requests: Danish whatever the client's Accept-Language says, and bodies over API_MAX_BODY_BYTES
refused with 413 problem+json before anything reads them (the CSRF check, a parser, django-axes).

Placed right after LocaleMiddleware (which picks the language from Accept-Language for the web pages).
The documentation page (/api/v1/docs/) is a web page: it keeps the language of the site.
"""

from django.http import JsonResponse
from django.urls import reverse
from django.utils import translation

from samarbejde.api.exceptions import PROBLEM_CONTENT_TYPE, TITLES
from samarbejde.api.parsers import max_body_bytes, too_large

API_PREFIX = "/api/"


def is_api_request(request) -> bool:
    return request.path.startswith(API_PREFIX)


def content_length(request) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def problem_response(status: int, detail: str) -> JsonResponse:
    body = {"type": "about:blank", "title": TITLES.get(status, ""), "status": status, "detail": detail}
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = PROBLEM_CONTENT_TYPE
    response["Content-Language"] = "da"
    return response


class ApiRequestMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_api_request(request):
            return self.get_response(request)
        if content_length(request) > max_body_bytes():
            return problem_response(413, str(too_large().detail))
        if request.path == reverse("api:docs"):
            return self.get_response(request)
        with translation.override("da"):
            request.LANGUAGE_CODE = "da"
            response = self.get_response(request)
        response["Content-Language"] = "da"
        return response
