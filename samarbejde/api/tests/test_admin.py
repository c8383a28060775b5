"""API keys in the admin: administrators only; the key is shown once on creation; revoke action."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from samarbejde.api.models import ApiKey, ApiScope
from samarbejde.api.services import api_key_check, api_key_create
from samarbejde.audit.models import AuditEvent
from samarbejde.organisations.roles import Role
from samarbejde.organisations.tests.factories import organisation, user_with_role

pytestmark = pytest.mark.django_db
ADD_URL = reverse("admin:api_apikey_add")
LIST_URL = reverse("admin:api_apikey_changelist")


@pytest.mark.parametrize("role", [role for role in Role if role != Role.ADMINISTRATOR])
def test_only_administrators_reach_api_keys(client, role):
    client.force_login(user_with_role(role))
    assert client.get(LIST_URL).status_code in (302, 403)


def test_create_shows_the_key_once_and_revoke_action(client):
    admin_user = user_with_role(Role.ADMINISTRATOR)
    client.force_login(admin_user)
    response = client.post(
        ADD_URL,
        {"organisation": organisation("101").pk, "name": "Nexus", "scopes": [ApiScope.NOTIFICATIONS_READ]},
        follow=True,
    )
    assert response.status_code == 200
    shown = [str(m) for m in get_messages(response.wsgi_request)] or [m.message for m in response.context["messages"]]
    raw = next(word for text in shown for word in text.split() if word.startswith("smb_"))
    key = api_key_check(raw)
    assert key is not None and key.created_by == admin_user and key.scopes == [ApiScope.NOTIFICATIONS_READ]
    change_page = client.get(reverse("admin:api_apikey_change", args=[key.pk])).content.decode()
    assert raw.split("_", 2)[2] not in change_page  # never shown again
    assert AuditEvent.objects.filter(action="api.key_create", actor=admin_user).exists()

    client.post(LIST_URL, {"action": "revoke", "_selected_action": [str(key.pk)]})
    key.refresh_from_db()
    assert key.revoked_at is not None and api_key_check(raw) is None
    assert AuditEvent.objects.filter(action="api.key_revoke", actor=admin_user).exists()


def test_an_unknown_scope_is_a_form_error(client):
    client.force_login(user_with_role(Role.ADMINISTRATOR))
    response = client.post(ADD_URL, {"organisation": organisation("101").pk, "scopes": ["people:read"]})
    assert response.status_code == 200 and not ApiKey.objects.exists()
    api_key_create(organisation("101"), scopes=[ApiScope.NOTIFICATIONS_READ])  # the service still works
