"""Webhook: a thin CloudEvents 1.0 event (structured JSON mode) signed with the Standard Webhooks scheme.

Thin means ids, kind, due date and a link only: never the person's name, CPR, address or free text. The
receiver fetches the notice itself through the API (GET /api/v1/notifications/{id}/) with its API key,
so access scoping and the audit of the read happen there.

The event id and the `webhook-id` header are the delivery's idempotency key, identical on every redelivery,
and the body is byte-for-byte the same too (`time` is when the notice was created, not when it is sent):
receivers de-duplicate on the id. Only `webhook-timestamp` and `webhook-signature` change per attempt.

HTTP is the standard library's http.client (no extra dependency), on connections kept alive per receiver
for the process (ConnectionPool; ADR 0012). Redirects are not followed: a receiver answering 3xx has not
accepted the event, and following it could carry the event to another host.
"""

import base64
import functools
import hashlib
import hmac
import http.client
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone

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


_PLACEHOLDER = "00000000-0000-0000-0000-000000000000"


@functools.lru_cache(maxsize=8)
def _notification_path_template(urlconf, script_prefix) -> str:
    return reverse("api:notification_detail", args=[_PLACEHOLDER], urlconf=urlconf)


def notification_path(pk) -> str:
    """reverse("api:notification_detail") without resolving the pattern per event (a worker sends thousands):
    the path is reversed once per URLconf and prefix, with a placeholder id."""
    return _notification_path_template(get_urlconf(), get_script_prefix()).replace(_PLACEHOLDER, str(pk))


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
        "url": f"{site_url()}{notification_path(notification.pk)}",
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


def _secret_bytes(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix("whsec_"))


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """'v1,<base64 HMAC-SHA256 of "id.timestamp.body">', the Standard Webhooks scheme, computed over the exact
    bytes sent (no decode and re-encode of the body); the reference implementation verifies it (tests)."""
    digest = hmac.new(_secret_bytes(secret), f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def signature_header(secrets: list[str], msg_id: str, timestamp: datetime, body: "bytes | str") -> str:
    """'v1,<sig>' per secret, space-separated (Standard Webhooks): the receiver accepts any one that matches."""
    body = body.encode("utf-8") if isinstance(body, str) else body
    return " ".join(sign(secret, msg_id, int(timestamp.timestamp()), body) for secret in secrets)


def signed_request(subscription, event: CloudEvent, *, now: datetime | None = None) -> tuple[bytes, dict[str, str]]:
    """The body and headers of one attempt: the body is serialised once and signed as the bytes sent."""
    body = JSONFormat().write(event)
    now = (now or timezone.now()).astimezone(UTC)
    msg_id = event.get_id()
    headers = {
        "Content-Type": CONTENT_TYPE,
        "User-Agent": USER_AGENT,
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature_header(subscription.secrets_at(now), msg_id, now, body),
    }
    return body, headers


@dataclass(frozen=True)
class PostResult:
    ok: bool
    status: int | None = None
    error: str = ""


class ConnectionPool:
    """Kept-alive HTTP connections per receiver (scheme, host, port), for this process.

    A worker sends batch after batch to the same few receivers; a new TCP (and TLS) connection per event cost
    more than the event. A connection is taken out while in use (so threads never share one) and put back
    after a complete answer that does not ask to close; at most `per_host` idle ones are kept, none longer than
    `idle_seconds` (receivers close idle connections; a reused one they closed is retried once, fresh)."""

    def __init__(self, per_host: int = 4, idle_seconds: float = 30.0):
        self.per_host, self.idle_seconds = per_host, idle_seconds
        self._idle: dict[tuple, list[tuple[float, http.client.HTTPConnection]]] = {}
        self._lock = threading.Lock()
        self.opened = 0  # connections made, for the tests and the benchmark

    def get(
        self, scheme: str, host: str, port: int | None, timeout: float, *, fresh: bool = False
    ) -> tuple[http.client.HTTPConnection, bool]:
        """(connection, reused); `fresh`: a new one, whatever is idle."""
        key = (scheme, host, port)
        now = time.monotonic()
        with self._lock:
            idle = [] if fresh else self._idle.get(key, [])
            while idle:
                since, connection = idle.pop()
                if now - since < self.idle_seconds:
                    connection.timeout = timeout
                    if connection.sock is not None:
                        connection.sock.settimeout(timeout)
                    return connection, True
                connection.close()
            self.opened += 1
        connection_class = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
        return connection_class(host, port, timeout=timeout), False

    def put(self, scheme: str, host: str, port: int | None, connection: http.client.HTTPConnection) -> None:
        with self._lock:
            idle = self._idle.setdefault((scheme, host, port), [])
            if len(idle) < self.per_host:
                idle.append((time.monotonic(), connection))
                return
        connection.close()

    def clear(self) -> None:
        with self._lock:
            idle, self._idle, self.opened = self._idle, {}, 0
        for connections in idle.values():
            for _, connection in connections:
                connection.close()


POOL = ConnectionPool()
# A kept-alive connection the receiver closed meanwhile fails like this before any answer: sent again, fresh.
STALE = (http.client.RemoteDisconnected, http.client.BadStatusLine, BrokenPipeError, ConnectionResetError)


def post(url: str, body: bytes, headers: dict[str, str], *, pool: ConnectionPool | None = POOL) -> PostResult:
    """POST once (on a kept-alive connection from `pool`; pool=None: a new connection, closed after). 2xx is
    success; another status, a timeout or a dropped connection is a failure whose error is a class name or
    "HTTP <status>": never the receiver's answer, which we do not control."""
    parts = urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    scheme, host, port = parts.scheme, parts.hostname, parts.port
    for retry in (False, True):
        if pool is None:
            connection_class = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
            connection, reused = connection_class(host, port, timeout=timeout_seconds()), False
        else:
            # The retry after a stale connection takes a new one: any other idle one may be just as stale.
            connection, reused = pool.get(scheme, host, port, timeout_seconds(), fresh=retry)
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            response.read(MAX_RESPONSE_BYTES)
            status = response.status
        except STALE as exc:
            connection.close()
            if reused:
                continue  # the receiver had closed it: once more on a new connection (at least once anyway)
            return PostResult(ok=False, error=error_label(exc))
        except Exception as exc:  # timeouts, refused and dropped connections, TLS errors: all a failed attempt
            connection.close()
            return PostResult(ok=False, error=error_label(exc))
        # Kept only after a complete answer (an over-long one is left unread) that does not ask to close.
        if pool is not None and response.isclosed() and not response.will_close:
            pool.put(scheme, host, port, connection)
        else:
            connection.close()
        if 200 <= status < 300:
            return PostResult(ok=True, status=status)
        return PostResult(ok=False, status=status, error=f"HTTP {status}")
    raise AssertionError("unreachable: the retry uses a new connection")  # pragma: no cover


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
