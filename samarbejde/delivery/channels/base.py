"""The channel interface: a gateway module exposes `send(delivery) -> SendResult`.

`send` returns ok=True when the channel accepted the message. It may return ok=False with a short error
or raise; the outbox (delivery.services) records either as a failed attempt and retries with backoff.
Errors never carry personal data: a class name and a protocol code are enough.
"""

from dataclasses import dataclass
from importlib import import_module
from typing import Protocol

GATEWAYS = {
    "inbox": "samarbejde.delivery.channels.inbox",
    "email": "samarbejde.delivery.channels.email",
    "webhook": "samarbejde.delivery.channels.webhook",
}


@dataclass(frozen=True)
class SendResult:
    ok: bool
    error: str = ""
    # Not sent and never to be: the target is gone (a deactivated webhook subscription). Not retried.
    cancelled: bool = False


class Gateway(Protocol):
    def send(self, delivery) -> SendResult: ...


def gateway_for(channel: str) -> Gateway:
    return import_module(GATEWAYS[channel])


def error_label(exc: BaseException) -> str:
    """A log-safe description of an exception: its class and any SMTP/OS code, never its message."""
    code = getattr(exc, "smtp_code", None) or getattr(exc, "errno", None)
    return f"{type(exc).__name__}" + (f" ({code})" if code else "")
