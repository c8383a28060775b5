"""The API key must carry the scope the view declares (`required_scope`, or per method `required_scopes`)."""

from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import BasePermission

from samarbejde.api.models import ApiKey

MSG_NO_KEY = "Angiv en API-nøgle: Authorization: Bearer <API-nøgle>."
MSG_SCOPE = "API-nøglen har ikke rettigheden %(scope)s."


class HasApiKeyScope(BasePermission):
    def has_permission(self, request, view) -> bool:
        key = request.auth
        if not isinstance(key, ApiKey):
            raise NotAuthenticated(MSG_NO_KEY)
        scope = getattr(view, "required_scopes", {}).get(request.method) or getattr(view, "required_scope", None)
        if scope and not key.has_scope(scope):
            self.message = MSG_SCOPE % {"scope": scope}
            return False
        return True
