"""Reliability: a real SMTP server (aiosmtpd) on loopback that is down, then up.

The alert arrives exactly once, and its raw bytes carry neither the person's name nor CPR nor address.
"""

import socket
from datetime import timedelta

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.utils import timezone

from samarbejde.delivery.channels.email import SUBJECT
from samarbejde.delivery.models import Delivery, DeliveryChannel, DeliveryStatus
from samarbejde.delivery.tasks import deliveries_sweep

from .conftest import CPR, NAME

pytestmark = pytest.mark.django_db


class Sink:
    def __init__(self):
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content or envelope.content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_port(settings):
    port = free_port()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 60},
        }
    }
    return port


def test_smtp_down_then_up_delivers_the_alert_once_without_personal_data(admitted, mailbox, smtp_port, settings):
    notices = admitted().notifications
    emails = Delivery.objects.filter(notification__in=notices, channel=DeliveryChannel.EMAIL)
    assert emails.count() == 2
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        # Server down: connection refused; each e-mail delivery fails with a retry scheduled.
        deliveries_sweep.enqueue()
        for delivery in emails:
            assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)
            assert delivery.next_attempt_at > start
            assert "ConnectionRefused" in delivery.last_error
        # Still down and not yet due: nothing is attempted.
        deliveries_sweep.enqueue()
        assert set(emails.values_list("attempts", flat=True)) == {1}

        sink = Sink()
        controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
        controller.start()
        try:
            clock.shift(timedelta(minutes=2))
            deliveries_sweep.enqueue()
            deliveries_sweep.enqueue()  # a second sweep sends nothing twice
        finally:
            controller.stop()

    assert set(emails.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert len(sink.messages) == 2  # one per notice to Copenhagen, each exactly once
    keys = set(emails.values_list("idempotency_key", flat=True))
    person = notices[0].person
    for rcpt_tos, raw in sink.messages:
        assert rcpt_tos == [mailbox]
        text = raw.decode("utf-8", errors="replace")
        assert "Ny underretning i Samarbejde" in text or SUBJECT.encode() in raw or "=?utf-8?" in text
        for secret in (CPR, CPR[:6] + "-" + CPR[6:], NAME[0], NAME[1], person.address, "Testvej"):
            assert secret not in text
            assert secret.encode() not in raw
        assert any(f"X-Samarbejde-Delivery: {key}" in text for key in keys)
        assert "http://127.0.0.1:8000/indbakke/" in text


def test_email_body_has_kind_due_date_and_link_only(admitted, mailbox, mailoutbox, settings):
    settings.SITE_URL = "https://samarbejde.example.dk"
    notices = admitted().notifications
    deliveries_sweep.enqueue()
    assert len(mailoutbox) == 2
    for message in mailoutbox:
        assert message.subject == SUBJECT
        notice = next(n for n in notices if n.get_absolute_url() in message.body)
        assert f"https://samarbejde.example.dk{notice.get_absolute_url()}" in message.body
        assert notice.get_kind_display() in message.body
        assert "Frist:" in message.body
        assert NAME[1] not in message.body and CPR not in message.body
