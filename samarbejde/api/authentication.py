"""`Authorization: Bearer smb_<prefix>_<secret>`: the key's organisation's service user, with its membership.

request.user is that user (an ApiKeyUser whose audit label names the key); request.auth is the ApiKey.
`user.active_membership` is set, so the access functions and the audit trail work as for a person.
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from samarbejde.api.models import ApiKeyUser
from samarbejde.api.services import api_key_check, service_membership_for

MSG_BAD_KEY = "API-nøglen er ukendt, udløbet eller tilbagekaldt."
MSG_BAD_HEADER = "Ugyldig Authorization-header. Brug formen: Authorization: Bearer <API-nøgle>."


class ApiKeyAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(MSG_BAD_HEADER)
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed(MSG_BAD_HEADER) from None
        key = api_key_check(raw)
        if key is None:
            raise AuthenticationFailed(MSG_BAD_KEY)
        membership = service_membership_for(key.organisation)
        user = membership.user
        user.__class__ = ApiKeyUser  # a proxy: same row, the audit label names the key
        user.api_key = key
        user.active_membership = membership
        return user, key

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (not 403) when the key is missing or bad.
        return 'Bearer realm="api"'


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "samarbejde.api.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "API-nøgle udstedt til organisationen af en administrator, sendt som "
                "`Authorization: Bearer smb_<præfiks>_<hemmelighed>`."
            ),
        }
