"""Webhook subscriptions in the admin (administrators only; the secret shown once; rotate, test, deactivate),
`manage.py create_webhook`, and the production settings that refuse to start without an https SITE_URL."""

import io
import json

import pytest
from django.contrib.messages import get_messages
from django.core.management import CommandError, call_command
from django.urls import reverse
from standardwebhooks.webhooks import Webhook

from samarbejde.accounts.tests.test_security_settings import random_secret, run_manage
from samarbejde.audit.models import AuditEvent
from samarbejde.delivery import services
from samarbejde.delivery.models import Delivery, DeliveryChannel, DeliveryStatus, WebhookSubscription
from samarbejde.organisations.roles import Role
from samarbejde.organisations.tests.factories import organisation, user_with_role

from .receiver import ERROR

ADD_URL = reverse("admin:delivery_webhooksubscription_add")
LIST_URL = reverse("admin:delivery_webhooksubscription_changelist")
URL = "https://sag.kk.example.dk/webhooks/samarbejde"


def shown(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def secret_in(texts) -> str:
    return next(word.rstrip(".") for text in texts for word in text.split() if word.startswith("whsec_"))


@pytest.fixture
def administrator(client, db):
    user = user_with_role(Role.ADMINISTRATOR)
    client.force_login(user)
    return user


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_only_administrators_reach_webhook_subscriptions(client, role):
    subscription, _ = services.webhook_subscription_create(organisation("101"), URL, acting_user=None)
    client.force_login(user_with_role(role))
    pages = [LIST_URL, ADD_URL, reverse("admin:delivery_webhooksubscription_change", args=[subscription.pk])]
    for page in pages:
        status = client.get(page).status_code
        assert status == 200 if role == Role.ADMINISTRATOR else status in (302, 403), (role, page)
    response = client.post(LIST_URL, {"action": "rotate_secret", "_selected_action": [str(subscription.pk)]})
    assert (response.status_code == 302) if role == Role.ADMINISTRATOR else response.status_code in (302, 403)
    subscription_after = WebhookSubscription.objects.get(pk=subscription.pk)
    assert (subscription_after.secret != subscription.secret) == (role == Role.ADMINISTRATOR)


def test_create_shows_the_secret_once(client, administrator):
    response = client.post(
        ADD_URL, {"organisation": organisation("101").pk, "url": URL, "description": "Nexus"}, follow=True
    )
    assert response.status_code == 200
    secret = secret_in(shown(response))
    subscription = WebhookSubscription.objects.get()
    assert subscription.secret == secret and subscription.created_by == administrator
    assert (subscription.url, subscription.description, subscription.active) == (URL, "Nexus", True)
    for page in (LIST_URL, reverse("admin:delivery_webhooksubscription_change", args=[subscription.pk])):
        html = client.get(page).content.decode()
        assert secret not in html and secret[6:] not in html  # never shown again
        assert subscription.secret_hint in html
    assert AuditEvent.objects.filter(action="delivery.webhook_create", actor=administrator).count() == 1


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://sag.kk.example.dk/hook", services.MSG_URL_HTTPS),
        ("sag.kk.example.dk", services.MSG_URL_INVALID),
        ("https://bruger:kode@sag.kk.example.dk/", services.MSG_URL_CREDENTIALS),
    ],
)
def test_a_bad_url_is_a_form_error_in_danish(client, administrator, url, message):
    response = client.post(ADD_URL, {"organisation": organisation("101").pk, "url": url})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not WebhookSubscription.objects.exists()


def test_changing_the_url_is_validated_and_audited(client, administrator):
    subscription, _ = services.webhook_subscription_create(organisation("101"), URL, acting_user=None)
    change = reverse("admin:delivery_webhooksubscription_change", args=[subscription.pk])
    response = client.post(change, {"url": "http://sag.kk.example.dk/", "description": ""})
    assert services.MSG_URL_HTTPS in response.content.decode()
    response = client.post(change, {"url": URL + "/v2", "description": "KMD"})
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert (subscription.url, subscription.description) == (URL + "/v2", "KMD")
    assert AuditEvent.objects.filter(action="admin.change", object_id=str(subscription.pk)).exists()


def test_rotate_action_shows_the_new_secret_once_and_keeps_the_old_for_the_grace(client, administrator):
    subscription, old = services.webhook_subscription_create(organisation("101"), URL, acting_user=None)
    response = client.post(
        LIST_URL, {"action": "rotate_secret", "_selected_action": [str(subscription.pk)]}, follow=True
    )
    new = secret_in(shown(response))
    subscription.refresh_from_db()
    assert new != old and subscription.secret == new and subscription.previous_secret == old
    assert "Den gamle hemmelighed gælder også til" in shown(response)[0]
    assert AuditEvent.objects.filter(action="delivery.webhook_rotate", actor=administrator).count() == 1


def test_send_test_event_action_reports_the_receivers_answer(client, administrator, receiver):
    subscription, secret = services.webhook_subscription_create(organisation("101"), receiver.url, acting_user=None)
    receiver.secret = secret
    post = {"action": "send_test_event", "_selected_action": [str(subscription.pk)]}
    texts = shown(client.post(LIST_URL, post, follow=True))
    assert texts == [f"{receiver.url}: testhændelsen blev modtaget (HTTP 200)."]
    (request,) = receiver.requests
    assert request.verified is True
    event = json.loads(request.body)
    assert event["type"] == "dk.samarbejde.test" and event["specversion"] == "1.0"
    assert event["data"]["subscription_id"] == str(subscription.pk)
    assert request.headers["webhook-id"] == event["id"]

    receiver.behaviour = lambda request, attempt: ERROR
    texts = shown(client.post(LIST_URL, post, follow=True))
    assert texts == [f"{receiver.url}: modtageren afviste testhændelsen (HTTP 500)."]
    events = AuditEvent.objects.filter(action="delivery.webhook_test", actor=administrator).order_by("occurred_at")
    assert [e.details["ok"] for e in events] == [True, False]
    assert not Delivery.objects.filter(channel=DeliveryChannel.WEBHOOK).exists(), "a test event is not a delivery"


def test_send_test_event_to_nobody_says_why(client, administrator, settings):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    subscription, _ = services.webhook_subscription_create(
        organisation("101"), f"http://127.0.0.1:{port}/", acting_user=None
    )
    post = {"action": "send_test_event", "_selected_action": [str(subscription.pk)]}
    texts = shown(client.post(LIST_URL, post, follow=True))
    assert texts == [f"http://127.0.0.1:{port}/: testhændelsen kunne ikke leveres (ConnectionRefusedError (111))."]


def test_deactivate_action_cancels_outstanding_deliveries(client, administrator, admitted, receiver):
    subscription, _ = services.webhook_subscription_create(organisation("101"), receiver.url, acting_user=None)
    notices = admitted().notifications
    response = client.post(LIST_URL, {"action": "deactivate", "_selected_action": [str(subscription.pk)]}, follow=True)
    assert shown(response) == ["1 abonnement(er) deaktiveret; 2 ventende levering(er) annulleret."]
    subscription.refresh_from_db()
    assert not subscription.active
    webhooks = Delivery.objects.filter(notification__in=notices, channel=DeliveryChannel.WEBHOOK)
    assert set(webhooks.values_list("status", flat=True)) == {DeliveryStatus.CANCELLED}


def test_delivery_admin_shows_the_subscription(client, administrator, admitted):
    subscription, _ = services.webhook_subscription_create(organisation("101"), URL, acting_user=None)
    admitted()
    html = client.get(reverse("admin:delivery_delivery_changelist"), {"channel": "webhook"}).content.decode()
    assert str(subscription) in html or URL in html


@pytest.mark.django_db
def test_create_webhook_command_prints_id_and_secret_once():
    out, err = io.StringIO(), io.StringIO()
    call_command("create_webhook", "101", URL, "--description", "Nexus", stdout=out, stderr=err)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("id: ") and lines[1].startswith("secret: whsec_")
    subscription = WebhookSubscription.objects.get(pk=lines[0].removeprefix("id: "))
    secret = lines[1].removeprefix("secret: ")
    assert subscription.secret == secret and subscription.description == "Nexus"
    assert subscription.organisation.code == "101"
    assert "vises kun denne ene gang" in err.getvalue() and secret not in err.getvalue()
    body = b'{"x": 1}'
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    headers = {
        "webhook-id": "a",
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign("a", now, body.decode()),
    }
    Webhook(secret).verify(body, headers)
    assert AuditEvent.objects.filter(action="delivery.webhook_create", actor=None).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["999", URL], "Ukendt organisation: 999"),
        (["101", "http://sag.kk.example.dk/"], services.MSG_URL_HTTPS),
        (["101", "ikke en adresse"], services.MSG_URL_INVALID),
    ],
)
def test_create_webhook_command_refuses_bad_input(args, message):
    with pytest.raises(CommandError, match=message[:30]):
        call_command("create_webhook", *args, stdout=io.StringIO(), stderr=io.StringIO())
    assert not WebhookSubscription.objects.exists()


PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "ALLOWED_HOSTS": "example.org",
    "SMTP_HOST": "smtp.example.org",
}


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SITE_URL": ""}, "SITE_URL must be set to the public https:// address"),
        ({"SITE_URL": "http://samarbejde.example.org"}, "SITE_URL must be set to the public https:// address"),
        ({"SITE_URL": "https://samarbejde.example.org", "WEBHOOK_ALLOW_HTTP": "1"}, "WEBHOOK_ALLOW_HTTP must not"),
    ],
)
def test_production_settings_refuse_to_start_without_webhook_config(env, message):
    result = run_manage("check", **PRODUCTION, SECRET_KEY=random_secret(), **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr


def test_production_settings_start_with_an_https_site_url():
    result = run_manage("check", **PRODUCTION, SECRET_KEY=random_secret(), SITE_URL="https://samarbejde.example.org")
    assert result.returncode == 0, result.stderr
