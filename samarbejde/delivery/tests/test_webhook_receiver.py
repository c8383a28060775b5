"""Reliability: a real HTTP receiver on loopback that answers 500, times out, drops the connection, then
recovers. Every event arrives; every duplicate carries the same webhook-id, event id and body; the
payload has no personal data; every request's signature verifies on arrival.
"""

import json
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from samarbejde.custody.tests.factories import next_cpr
from samarbejde.delivery.models import Delivery, DeliveryChannel, DeliveryStatus
from samarbejde.delivery.tasks import deliveries_sweep

from .conftest import CPR, NAME
from .receiver import DROP, ERROR, OK, TIMEOUT

pytestmark = pytest.mark.django_db
FAULTS = {1: ERROR, 2: TIMEOUT, 3: DROP}  # by attempt; the 4th attempt of each event is accepted


def test_500_timeout_and_dropped_connection_then_recovery_deliver_every_event(admitted, subscribe, receiver, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
    receiver.sleep = 0.8
    subscriptions = subscribe(receiver.url, "101", "udbetaling-danmark")
    secrets = {s.pk: secret for s, secret in subscriptions}
    notices = admitted().notifications + admitted(cpr=next_cpr()).notifications
    webhooks = Delivery.objects.filter(notification__in=notices, channel=DeliveryChannel.WEBHOOK)
    keys = set(webhooks.values_list("idempotency_key", flat=True))
    assert len(keys) == 6
    # One secret per receiver in real life; here both subscriptions share the receiver, so check each
    # request against its own subscription's secret on arrival (the key names the subscription).
    verified = []

    def behaviour(request, attempt):
        subscription_id = request.webhook_id.rsplit(":", 1)[1]
        secret = next(v for k, v in secrets.items() if str(k) == subscription_id)
        verified.append(Webhook(secret).verify(request.body, request.headers)["id"] == request.webhook_id)
        return FAULTS.get(attempt, OK)

    receiver.behaviour = behaviour
    start = timezone.now()
    errors = {}
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(6):
            deliveries_sweep.enqueue()
            for delivery in webhooks.exclude(status=DeliveryStatus.SENT):
                errors.setdefault(delivery.attempts, set()).add(delivery.last_error)
            if not webhooks.exclude(status=DeliveryStatus.SENT).exists():
                break
            clock.shift(timedelta(hours=1))  # past any backoff of the first attempts

    assert set(webhooks.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert set(webhooks.values_list("attempts", flat=True)) == {4}
    # The error labels say what went wrong without any text from the receiver.
    assert errors[1] == {"HTTP 500"}
    assert errors[2] == {"TimeoutError"}
    assert len(errors[3]) == 1 and errors[3] <= {"RemoteDisconnected", "ConnectionResetError (104)"}

    # Every event arrived; the receiver saw each id 4 times (its own count), all identical but the signature.
    assert receiver.accepted_ids() == keys
    assert all(verified) and len(verified) == 24
    for key, requests in receiver.by_id().items():
        assert [r.action for r in requests] == [ERROR, TIMEOUT, DROP, OK]
        assert {r.headers["webhook-id"] for r in requests} == {key}
        assert {json.loads(r.body)["id"] for r in requests} == {key}
        assert len({r.body for r in requests}) == 1
        assert len({r.headers["webhook-signature"] for r in requests}) == 4  # a fresh timestamp each time

    person = notices[0].person
    for request in receiver.requests:
        text = request.body.decode() + json.dumps(request.headers)
        assert request.headers["content-type"] == "application/cloudevents+json"
        for secret_text in (CPR, CPR[:6] + "-" + CPR[6:], NAME[0], NAME[1], person.address, "Testvej"):
            assert secret_text not in text


def test_a_receiver_that_never_recovers_makes_the_delivery_dead(admitted, subscribe, receiver, settings):
    settings.DELIVERY_MAX_ATTEMPTS = 2
    receiver.behaviour = lambda request, attempt: ERROR
    subscribe(receiver.url, "101")
    notices = admitted().notifications
    webhooks = Delivery.objects.filter(notification__in=notices, channel=DeliveryChannel.WEBHOOK)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        deliveries_sweep.enqueue()
        clock.shift(timedelta(hours=1))
        deliveries_sweep.enqueue()
    assert set(webhooks.values_list("status", "attempts", "last_error")) == {(DeliveryStatus.DEAD, 2, "HTTP 500")}
    assert len(receiver.requests) == 4


def test_refused_connection_is_a_failed_attempt(admitted, subscribe):
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    subscribe(f"http://127.0.0.1:{port}/hook", "101")
    notices = admitted().notifications
    deliveries_sweep.enqueue()
    webhooks = Delivery.objects.filter(notification__in=notices, channel=DeliveryChannel.WEBHOOK)
    assert set(webhooks.values_list("status", "last_error")) == {
        (DeliveryStatus.FAILED, "ConnectionRefusedError (111)")
    }
