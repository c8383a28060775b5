"""Rate limit per API key (setting API_RATE_LIMIT, e.g. "600/min"); 429 problem+json when exceeded."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from samarbejde.api.models import ApiKey

DEFAULT_RATE = "600/min"


class ApiKeyRateThrottle(SimpleRateThrottle):
    scope = "api_key"

    def get_rate(self) -> str:
        return getattr(settings, "API_RATE_LIMIT", DEFAULT_RATE) or DEFAULT_RATE

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiKey):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
