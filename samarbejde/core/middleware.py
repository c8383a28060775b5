import uuid

from django.conf import settings

from samarbejde.core.context import correlation


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
