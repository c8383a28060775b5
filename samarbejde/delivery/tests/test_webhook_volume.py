"""Reliability at volume, on PostgreSQL: 10,000 webhook events, two concurrent workers, a receiver with
random faults (500, dropped connections, timeouts). 0 lost, and every duplicate carries the same event id.

The notices are cloned from one real admission (episode_admit through the custody services) and their
deliveries created by the real outbox code (deliveries_create_for); 10,000 admissions through the
services would take minutes of set-up without testing anything more of the outbox. Backoff is set to
zero (it is tested on its own in test_outbox.py) so failed attempts are retried at once. The workers are
threads claiming with FOR UPDATE SKIP LOCKED: PostgreSQL only.
"""

import json
import multiprocessing
import random
import threading
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection, connections
from django.forms.models import model_to_dict

from samarbejde.delivery import services
from samarbejde.delivery.models import Delivery, DeliveryChannel, DeliveryStatus
from samarbejde.notifications.models import Notification

from .receiver import DROP, ERROR, OK, TIMEOUT, Receiver
from .test_worker_crash import _load_reference_data, _restore_reference_data  # noqa: F401 (module fixture)

EVENTS = 10_000
pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent workers need row locks (SKIP LOCKED) and a database shared by threads: PostgreSQL",
    ),
]


def clone_notices(template: Notification, count: int) -> list[Notification]:
    fields = model_to_dict(template, exclude=["id"])
    fk = {f.name: getattr(template, f.attname) for f in Notification._meta.concrete_fields if f.is_relation}
    plain = {k: v for k, v in fields.items() if k not in fk}
    rows = [
        Notification(id=uuid.uuid4(), **plain, **{f"{name}_id": value for name, value in fk.items()})
        for _ in range(count)
    ]
    return Notification.objects.bulk_create(rows, batch_size=1000)


def faulty(seed: int):
    faults = random.Random(seed)

    def behaviour(request, attempt):
        roll = faults.random()  # called under the receiver's lock
        if roll < 0.05:
            return ERROR
        if roll < 0.09:
            return DROP
        if roll < 0.095:
            return TIMEOUT
        return OK

    return behaviour


def serve(urls, stop, log_path):
    """The receiver in its own process, so it does not share the workers' GIL; its log goes to a file."""
    receiver = Receiver(behaviour=faulty(20261127), sleep=0.4).start()
    urls.put(receiver.url)
    stop.wait()
    receiver.stop()
    records = [(r.webhook_id, r.body.decode(), r.action) for r in receiver.requests]
    Path(log_path).write_text(json.dumps(records))


def test_ten_thousand_events_with_random_faults_lose_nothing(admitted, subscribe, settings, monkeypatch, tmp_path):
    _load_reference_data()
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.2
    settings.DELIVERY_MAX_ATTEMPTS = 50  # with a 10% fault rate nothing comes near it
    monkeypatch.setattr(services, "backoff_seconds", lambda attempts, **kw: 0)
    monkeypatch.setattr(services, "_enqueue_on_commit", lambda ids: None)
    context = multiprocessing.get_context("fork")
    urls, stop, log_path = context.Queue(), context.Event(), tmp_path / "receiver.json"
    process = context.Process(target=serve, args=(urls, stop, str(log_path)), daemon=True)
    process.start()
    try:
        url = urls.get(timeout=30)
        _run(url, admitted, subscribe, stop, process, log_path)
    finally:
        stop.set()
        process.join(timeout=30)
        if process.is_alive():
            process.kill()


def _run(url, admitted, subscribe, stop, process, log_path):
    (subscription, _) = subscribe(url, "udbetaling-danmark")[0]
    template = next(n for n in admitted().notifications if n.recipient_organisation.code == "udbetaling-danmark")
    Delivery.objects.filter(notification=template).delete()
    notices = clone_notices(template, EVENTS)
    for start in range(0, EVENTS, 1000):
        services.deliveries_create_for(*notices[start : start + 1000])
    webhooks = Delivery.objects.filter(channel=DeliveryChannel.WEBHOOK, subscription=subscription)
    keys = set(webhooks.values_list("idempotency_key", flat=True))
    assert len(keys) == EVENTS

    deadline = time.monotonic() + 240
    errors = []

    def work():
        try:
            while time.monotonic() < deadline:
                if not services.deliveries_process(limit=100):
                    if not Delivery.objects.exclude(status__in=[DeliveryStatus.SENT, DeliveryStatus.DEAD]).exists():
                        return
                    time.sleep(0.05)
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    started = time.monotonic()
    workers = [threading.Thread(target=work) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.monotonic() - started
    stop.set()
    process.join(timeout=30)
    requests = json.loads(log_path.read_text())

    assert errors == []
    assert webhooks.exclude(status=DeliveryStatus.SENT).count() == 0, "0 lost, 0 dead"
    assert {key for key, _, action in requests if action != DROP and action != ERROR} == keys
    by_id: dict[str, list[tuple[str, str]]] = {}
    for key, body, action in requests:
        by_id.setdefault(key, []).append((body, action))
    assert set(by_id) == keys, "no event the outbox did not send"
    duplicates = 0
    for key, seen in by_id.items():
        if len(seen) > 1:
            duplicates += 1
            assert {json.loads(body)["id"] for body, _ in seen} == {key}
            assert len({body for body, _ in seen}) == 1
    faults_seen = sum(1 for _, _, action in requests if action != OK)
    assert sum(webhooks.values_list("attempts", flat=True)) == len(requests), "every attempt reached the receiver"
    assert duplicates > 0 and faults_seen > 0
    print(
        f"\n{EVENTS} events, {len(requests)} requests, {faults_seen} faults, {duplicates} ids seen more "
        f"than once, {elapsed:.1f} s with 2 workers"
    )
