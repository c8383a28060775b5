"""The webhook channel: subscriptions, the thin CloudEvent, Standard Webhooks signatures, rotation, URL rules."""

import json
from datetime import timedelta

import pytest
import time_machine
from cloudevents.core.formats.json import JSONFormat
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from samarbejde.audit.models import AuditEvent
from samarbejde.delivery import services
from samarbejde.delivery.channels import webhook
from samarbejde.delivery.models import Delivery, DeliveryChannel, DeliveryStatus
from samarbejde.organisations.models import Organisation

from .conftest import CPR, NAME

pytestmark = pytest.mark.django_db
URL = "https://sag.kk.example.dk/webhooks/samarbejde"


def webhook_deliveries(notices):
    return Delivery.objects.filter(notification__in=notices, channel=DeliveryChannel.WEBHOOK).select_related(
        "notification__recipient_organisation", "subscription"
    )


def test_every_active_subscription_of_the_recipient_gets_its_own_delivery(admitted, subscribe):
    (first, _), (second, _), (udk, _) = subscribe(URL, "101", "101", "udbetaling-danmark")
    (inactive, _) = subscribe(URL, "101")[0]
    services.webhook_subscription_deactivate(inactive, acting_user=None)
    subscribe(URL, "860")  # another municipality: none of its notices here
    notices = admitted().notifications
    for notice in notices:
        rows = webhook_deliveries([notice])
        expected = {first.pk, second.pk} if notice.recipient_organisation.code == "101" else {udk.pk}
        assert {d.subscription_id for d in rows} == expected
        for delivery in rows:
            assert delivery.status == DeliveryStatus.PENDING
            assert delivery.idempotency_key == f"{notice.pk}:webhook:{delivery.subscription_id}"
        # Inbox (and e-mail) stay one per notice and channel.
        assert notice.deliveries.filter(channel=DeliveryChannel.INBOX).count() == 1


def test_one_webhook_delivery_per_notice_and_subscription_and_none_without_one(admitted, subscribe):
    (subscription, _) = subscribe(URL)[0]
    delivery = webhook_deliveries(admitted().notifications).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(
            notification=delivery.notification, channel="webhook", subscription=subscription, idempotency_key="x"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(notification=delivery.notification, channel="webhook", idempotency_key="y")
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(
            notification=delivery.notification, channel="inbox", subscription=subscription, idempotency_key="z"
        )


def test_the_event_is_a_thin_cloudevent_without_personal_data(admitted, subscribe, settings):
    settings.SITE_URL = "https://samarbejde.example.dk"
    (subscription, secret) = subscribe(URL)[0]
    notices = admitted().notifications
    for delivery in webhook_deliveries(notices):
        body, headers = webhook.signed_request(subscription, webhook.notification_event(delivery))
        notice = delivery.notification
        assert headers["Content-Type"] == "application/cloudevents+json"
        assert headers["webhook-id"] == delivery.idempotency_key
        event = JSONFormat().read(None, body)  # the CloudEvents SDK reads it back
        assert event.get_specversion() == "1.0"
        assert event.get_id() == delivery.idempotency_key
        assert event.get_source() == "https://samarbejde.example.dk/api/v1"
        assert event.get_type() == "dk.samarbejde.notification.created"
        assert event.get_subject() == str(notice.pk)
        assert event.get_time() == notice.created_at
        assert event.get_datacontenttype() == "application/json"
        assert event.get_data() == {
            "notification_id": str(notice.pk),
            "kind": notice.kind,
            "rule": notice.rule,
            "due_date": notice.due_date.isoformat() if notice.due_date else None,
            "recipient_organisation": "101",
            "url": f"https://samarbejde.example.dk/api/v1/notifications/{notice.pk}/",
        }
        assert set(json.loads(body)) == {
            "specversion",
            "id",
            "source",
            "type",
            "subject",
            "time",
            "datacontenttype",
            "data",
        }
        text = body.decode() + json.dumps(headers)
        person = notice.person
        for secret_text in (CPR, CPR[:6], NAME[0], NAME[1], person.address, "Testvej"):
            assert secret_text not in text
        assert secret not in text


def test_signature_round_trip_with_the_reference_implementation(admitted, subscribe):
    (subscription, secret) = subscribe(URL)[0]
    assert secret.startswith("whsec_") and len(secret) == len("whsec_") + 44
    delivery = webhook_deliveries(admitted().notifications).first()
    body, headers = webhook.signed_request(subscription, webhook.notification_event(delivery))
    assert headers["webhook-signature"].startswith("v1,") and " " not in headers["webhook-signature"]
    assert Webhook(secret).verify(body, headers)["id"] == delivery.idempotency_key

    tampered = body.replace(delivery.notification.kind.encode(), b"release_notice")
    assert tampered != body
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(tampered, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body, {**headers, "webhook-id": "another-id"})
    with pytest.raises(WebhookVerificationError):
        Webhook(services.new_webhook_secret()).verify(body, headers)


def test_an_old_timestamp_is_rejected(admitted, subscribe):
    (subscription, secret) = subscribe(URL)[0]
    delivery = webhook_deliveries(admitted().notifications).first()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        body, headers = webhook.signed_request(subscription, webhook.notification_event(delivery))
    with time_machine.travel(start + timedelta(minutes=4), tick=False):
        Webhook(secret).verify(body, headers)  # within the 5 minutes' tolerance
    with time_machine.travel(start + timedelta(minutes=6), tick=False), pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body, headers)
    # A redelivery carries a fresh timestamp and signature, the same id and the same body.
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        body_again, headers_again = webhook.signed_request(subscription, webhook.notification_event(delivery))
        Webhook(secret).verify(body_again, headers_again)
    assert body_again == body and headers_again["webhook-id"] == headers["webhook-id"]
    assert headers_again["webhook-timestamp"] != headers["webhook-timestamp"]


def test_during_rotation_both_secrets_verify_and_after_the_grace_only_the_new(admitted, subscribe, settings):
    settings.WEBHOOK_ROTATION_GRACE_HOURS = 24
    (subscription, old) = subscribe(URL)[0]
    delivery = webhook_deliveries(admitted().notifications).first()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        new = services.webhook_subscription_rotate_secret(subscription, acting_user=None)
    assert new != old and new.startswith("whsec_")
    subscription.refresh_from_db()
    assert (subscription.secret, subscription.previous_secret) == (new, old)
    assert subscription.previous_secret_expires_at == start + timedelta(hours=24)
    delivery.subscription = subscription

    with time_machine.travel(start + timedelta(hours=23), tick=False):
        body, headers = webhook.signed_request(subscription, webhook.notification_event(delivery))
        assert len(headers["webhook-signature"].split(" ")) == 2
        Webhook(old).verify(body, headers)
        Webhook(new).verify(body, headers)
    with time_machine.travel(start + timedelta(hours=24, seconds=1), tick=False):
        body, headers = webhook.signed_request(subscription, webhook.notification_event(delivery))
        assert len(headers["webhook-signature"].split(" ")) == 1
        Webhook(new).verify(body, headers)
        with pytest.raises(WebhookVerificationError):
            Webhook(old).verify(body, headers)
    event = AuditEvent.objects.get(action="delivery.webhook_rotate")
    assert old not in json.dumps(event.details) and new not in json.dumps(event.details)


def test_rotation_without_grace_drops_the_old_secret_at_once(subscribe):
    (subscription, _) = subscribe(URL)[0]
    new = services.webhook_subscription_rotate_secret(subscription, acting_user=None, grace=timedelta(0))
    subscription.refresh_from_db()
    assert subscription.secrets_at(timezone.now()) == [new]
    assert subscription.previous_secret == "" and subscription.previous_secret_expires_at is None


def test_deactivating_cancels_what_is_not_sent_and_a_claimed_one_is_not_sent(admitted, subscribe, receiver):
    (subscription, _) = subscribe(receiver.url, "101")[0]
    rows = list(webhook_deliveries(admitted().notifications).order_by("pk"))
    claimed, waiting = rows
    services.deliveries_claim([claimed.pk])  # a worker holds it
    assert services.webhook_subscription_deactivate(subscription, acting_user=None) == 1
    waiting.refresh_from_db()
    assert (waiting.status, waiting.next_attempt_at) == (DeliveryStatus.CANCELLED, None)
    assert services.delivery_attempt(claimed.pk) == DeliveryStatus.CANCELLED
    assert receiver.requests == []
    assert services.deliveries_process() == {DeliveryStatus.SENT: 3}, "the inbox only: cancelled ones stay"
    assert receiver.requests == []
    assert not Delivery.objects.filter(subscription=subscription).exclude(status=DeliveryStatus.CANCELLED).exists()
    assert services.webhook_subscription_deactivate(subscription, acting_user=None) == 0
    assert AuditEvent.objects.filter(action="delivery.webhook_deactivate").count() == 1


VALID = [
    "https://sag.kk.example.dk/webhooks/samarbejde",
    "https://sag.kk.example.dk:8443/hook?kilde=samarbejde",
    "  https://sag.kk.example.dk/hook  ",
    "http://127.0.0.1:8081/hook",
    "http://localhost:8081/hook",
    "http://[::1]:8081/hook",
]


@pytest.mark.parametrize("url", VALID)
def test_valid_urls(url):
    assert services.clean_webhook_url(url) == url.strip()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", services.MSG_URL_INVALID),
        ("sag.kk.example.dk/hook", services.MSG_URL_INVALID),
        ("ftp://sag.kk.example.dk/hook", services.MSG_URL_INVALID),
        ("https:///hook", services.MSG_URL_INVALID),
        ("https://sag kk.example.dk/hook", services.MSG_URL_INVALID),
        ("https://sag.kk.example.dk:99999/hook", services.MSG_URL_INVALID),
        ("https://sag.kk.example.dk/" + "a" * 500, services.MSG_URL_TOO_LONG),
        ("https://bruger:kode@sag.kk.example.dk/hook", services.MSG_URL_CREDENTIALS),
        ("http://sag.kk.example.dk/hook", services.MSG_URL_HTTPS),
        ("http://10.0.0.5/hook", services.MSG_URL_HTTPS),
    ],
)
def test_invalid_urls_get_a_danish_message(url, message):
    with pytest.raises(ValidationError) as error:
        services.clean_webhook_url(url)
    assert error.value.messages == [message]


@pytest.mark.parametrize(
    ("debug", "allow_http", "allowed"), [(False, False, False), (True, False, True), (False, True, True)]
)
def test_http_to_loopback_only_in_development(settings, debug, allow_http, allowed):
    settings.DEBUG, settings.WEBHOOK_ALLOW_HTTP = debug, allow_http
    if allowed:
        assert services.clean_webhook_url("http://127.0.0.1:9000/") == "http://127.0.0.1:9000/"
    else:
        with pytest.raises(ValidationError, match="https://"):
            services.clean_webhook_url("http://127.0.0.1:9000/")
    assert services.clean_webhook_url("https://127.0.0.1:9000/") == "https://127.0.0.1:9000/"


def test_create_validates_and_audits_without_the_secret(subscribe):
    organisation = Organisation.objects.get(code="101")
    with pytest.raises(ValidationError):
        services.webhook_subscription_create(organisation, "http://sag.kk.example.dk/", acting_user=None)
    (subscription, secret) = subscribe(URL)[0]
    event = AuditEvent.objects.get(action="delivery.webhook_create")
    assert event.object_id == str(subscription.pk)
    assert secret not in json.dumps(event.details) and event.details["secret_hint"] == secret[:10] + "…"
    organisation.is_active = False
    organisation.save()
    with pytest.raises(ValidationError, match="ikke aktiv"):
        services.webhook_subscription_create(organisation, URL, acting_user=None)
