"""Webhook: a thin CloudEvents 1.0 event (structured JSON mode) signed with the Standard Webhooks scheme.

Thin means ids, kind, due date and a link only: never the person's name, CPR, address or free text. The
receiver fetches the notice itself through the API (GET /api/v1/notifications/{id}/) with its API key,
so access scoping and the audit of the read happen there.

The event id and the `webhook-id` header are the delivery's idempotency key, identical on every redelivery,
and the body is byte-for-byte the same too (`time` is when the notice was created, not when it is sent):
receivers de-duplicate on the id. Only `webhook-timestamp` and `webhook-signature` change per attempt.

HTTP is the standard library's http.client (no extra dependency). Redirects are not followed: a receiver
answering 3xx has not accepted the event, and following it could carry the event to another host.
"""

import http.client
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from .base import SendResult, error_label

EVENT_TYPE = "dk.samarbejde.notification.created"
# A follow-up about a notice: dk.samarbejde.notification.reminder / .escalation / .withdrawal.
MESSAGE_EVENT_TYPES = {
    "reminder": "dk.samarbejde.notification.reminder",
    "escalation": "dk.samarbejde.notification.escalation",
    "withdrawal": "dk.samarbejde.notification.withdrawal",
}
TEST_EVENT_TYPE = "dk.samarbejde.test"
CONTENT_TYPE = JSONFormat.CONTENT_TYPE  # application/cloudevents+json
USER_AGENT = "Samarbejde-Webhook/1.0"
MAX_RESPONSE_BYTES = 64 * 1024  # read (and discard) at most this much of a receiver's answer


def site_url() -> str:
    return getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/")


def event_source() -> str:
    return f"{site_url()}/api/v1"


def timeout_seconds() -> float:
    return float(getattr(settings, "WEBHOOK_TIMEOUT_SECONDS", 10))


def notification_event(delivery) -> CloudEvent:
    """The event of one delivery: a new notice, or a follow-up (its kind, and its own id and time)."""
    notification = delivery.notification
    message = delivery.message if delivery.message_id else None
    data = {
        "notification_id": str(notification.pk),
        "kind": notification.kind,
        "rule": notification.rule,
        "due_date": notification.due_date.isoformat() if notification.due_date else None,
        "recipient_organisation": notification.recipient_organisation.code,
        "url": f"{site_url()}{reverse('api:notification_detail', args=[notification.pk])}",
    }
    if message is not None:
        data["message"] = {
            "id": str(message.pk),
            "kind": message.kind,
            "organisation": message.recipient_organisation.code,
        }
    return CloudEvent(
        {
            "id": delivery.idempotency_key,
            "source": event_source(),
            "type": MESSAGE_EVENT_TYPES.get(message.kind, EVENT_TYPE) if message is not None else EVENT_TYPE,
            "subject": str(notification.pk),
            "time": message.sent_at if message is not None else notification.created_at,
            "datacontenttype": "application/json",
        },
        data,
    )


def ping_event(subscription) -> CloudEvent:
    return CloudEvent(
        {
            "id": f"test:{uuid.uuid4()}",
            "source": event_source(),
            "type": TEST_EVENT_TYPE,
            "subject": str(subscription.pk),
            "time": timezone.now(),
            "datacontenttype": "application/json",
        },
        {
            "subscription_id": str(subscription.pk),
            "recipient_organisation": subscription.organisation.code,
            "message": "Testhændelse fra Samarbejde. Den kræver ingen handling.",
        },
    )


def signature_header(secrets: list[str], msg_id: str, timestamp: datetime, body: str) -> str:
    """'v1,<sig>' per secret, space-separated (Standard Webhooks): the receiver accepts any one that matches."""
    return " ".join(Webhook(secret).sign(msg_id, timestamp, body) for secret in secrets)


def signed_request(subscription, event: CloudEvent, *, now: datetime | None = None) -> tuple[bytes, dict[str, str]]:
    """The body and headers of one attempt."""
    body = JSONFormat().write(event)
    # standardwebhooks' sign() reads the datetime as UTC wall time: hand it UTC.
    now = (now or timezone.now()).astimezone(UTC)
    msg_id = event.get_id()
    headers = {
        "Content-Type": CONTENT_TYPE,
        "User-Agent": USER_AGENT,
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature_header(subscription.secrets_at(now), msg_id, now, body.decode("utf-8")),
    }
    return body, headers


@dataclass(frozen=True)
class PostResult:
    ok: bool
    status: int | None = None
    error: str = ""


def post(url: str, body: bytes, headers: dict[str, str]) -> PostResult:
    """POST once. 2xx is success; another status, a timeout or a dropped connection is a failure whose
    error is a class name or "HTTP <status>": never the receiver's answer, which we do not control."""
    parts = urlsplit(url)
    connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    connection = connection_class(parts.hostname, parts.port, timeout=timeout_seconds())
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(MAX_RESPONSE_BYTES)
        status = response.status
    except Exception as exc:  # timeouts, refused and dropped connections, TLS errors: all a failed attempt
        return PostResult(ok=False, error=error_label(exc))
    finally:
        connection.close()
    if 200 <= status < 300:
        return PostResult(ok=True, status=status)
    return PostResult(ok=False, status=status, error=f"HTTP {status}")


def send(delivery) -> SendResult:
    subscription = delivery.subscription
    if subscription is None or not subscription.active:
        # Deactivating a subscription cancels its outstanding deliveries (services), but one claimed just
        # before may still get here. The administrator asked for no more events to that receiver, so it is
        # not sent, and not retried either: it ends as "cancelled", not "sent", so nobody is misled.
        return SendResult(ok=False, error="SubscriptionInactive", cancelled=True)
    body, headers = signed_request(subscription, notification_event(delivery))
    result = post(subscription.url, body, headers)
    return SendResult(ok=result.ok, error=result.error)


def send_test(subscription) -> PostResult:
    body, headers = signed_request(subscription, ping_event(subscription))
    return post(subscription.url, body, headers)
