"""Reliability at volume, on PostgreSQL: 10,000 custody events, two concurrent workers, a receiver with
random faults (500, dropped connections, timeouts). 0 lost, and every duplicate carries the same event id.

The events go through the real custody services (per person: admission, new expected release dates,
transfers, release), which create the notices and their deliveries in the outbox (deliveries_create_for);
the home municipality's case system subscribes to webhooks. Backoff is set to zero (it is tested on its
own in test_outbox.py) so failed attempts are retried at once. The workers are threads claiming with
FOR UPDATE SKIP LOCKED: PostgreSQL only.
"""

import json
import multiprocessing
import random
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection, connections
from django.utils import timezone

from samarbejde.core.tests.reference import load_reference_data
from samarbejde.custody.models import EpisodeEvent
from samarbejde.custody.services import episode_admit, episode_change_release_date, episode_release, episode_transfer
from samarbejde.custody.tests.factories import INSTITUTION, OTHER_INSTITUTION, krfo_case_worker
from samarbejde.delivery import services
from samarbejde.delivery.models import Delivery, DeliveryChannel, DeliveryStatus
from samarbejde.organisations.models import Organisation
from samarbejde.organisations.roles import Role
from samarbejde.organisations.tests.factories import user_with_role
from samarbejde.people.services import person_register

from .receiver import DROP, ERROR, OK, TIMEOUT, Receiver

EVENTS = 10_000
pytestmark = [
    pytest.mark.usefixtures("restore_reference_data"),
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent workers need row locks (SKIP LOCKED) and a database shared by threads: PostgreSQL",
    ),
]


EVENTS_PER_PERSON = 10  # admission, five new expected release dates, three transfers, release
HANG_GUARD_SECONDS = 300  # no progress at all for five minutes: stuck (a slow machine still makes progress)


def custody_events(workers, persons: range) -> int:
    """Ten custody events per person through the services; returns how many were registered. `workers`: a case
    worker of each institution, for only the institution that holds a person registers its events (ADR 0008)."""
    home = Organisation.objects.get(code="101")
    institutions = [Organisation.objects.get(code=INSTITUTION), Organisation.objects.get(code=OTHER_INSTITUTION)]
    base = timezone.now() - timedelta(days=40)
    events = 0
    for i in persons:
        person = person_register(
            cpr=f"0303{60 + i // 1000:02d}{5000 + i % 1000:04d}",
            first_name="Volumen",
            last_name=f"Person {i}",
            address="Testvej 1, 2450 København SV",
            home_municipality=home,
            # No benefits and no pension: one or two notices per event (the municipality's), which keeps
            # the run to a few minutes (about 17,000 webhook events).
            pension="none",
            benefits=[],
            acting_user=workers[i % 2],
        )
        admitted = base + timedelta(minutes=i)
        episode = episode_admit(
            person,
            institution=institutions[i % 2],
            custody_type="remand" if i % 2 else "sentence",
            admitted_at=admitted,
            expected_release=(admitted + timedelta(days=200)).date(),
            certainty="estimated",
            acting_user=workers[i % 2],
        ).episode
        here = i % 2
        for step in range(1, 9):
            at = admitted + timedelta(hours=step)
            if step in (2, 5, 7):
                episode_transfer(
                    episode, to_institution=institutions[1 - here], occurred_at=at, acting_user=workers[here]
                )
                here = 1 - here
            else:
                episode_change_release_date(
                    episode,
                    expected_release=(admitted + timedelta(days=100 + step)).date(),
                    certainty="decided" if step % 2 else "estimated",
                    occurred_at=at,
                    acting_user=workers[here],
                )
        episode_release(
            episode,
            released_at=admitted + timedelta(days=1),
            release_kind="end_of_sentence",
            address_after="Nyvej 2, 2450 København SV",
            acting_user=workers[here],
        )
        events += EVENTS_PER_PERSON
    return events


def register_in_parallel(workers, count: int) -> int:
    """Two threads (each with its own connection): the database work of one overlaps the Python of the other."""
    persons = count // EVENTS_PER_PERSON
    halves = [range(0, persons // 2), range(persons // 2, persons)]
    results, errors = [], []

    def run(part):
        try:
            results.append(custody_events(workers, part))
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(part,)) for part in halves]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return sum(results)


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


def test_ten_thousand_events_with_random_faults_lose_nothing(subscribe, settings, monkeypatch, tmp_path):
    load_reference_data()
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
        workers = (krfo_case_worker(), user_with_role(Role.KRFO_CASE_WORKER, OTHER_INSTITUTION))
        _run(url, workers, subscribe, stop, process, log_path)
    finally:
        stop.set()
        process.join(timeout=30)
        if process.is_alive():
            process.kill()


def _run(url, workers, subscribe, stop, process, log_path):
    subscriptions = [subscription for subscription, _ in subscribe(url, "101")]
    assert register_in_parallel(workers, EVENTS) == EVENTS
    assert EpisodeEvent.objects.count() == EVENTS
    webhooks = Delivery.objects.filter(channel=DeliveryChannel.WEBHOOK, subscription__in=subscriptions)
    keys = set(webhooks.values_list("idempotency_key", flat=True))
    # Every event tells the home municipality something (benefits, new date, transfer, release).
    assert len(keys) >= EVENTS

    errors, progress = [], {"last": time.monotonic(), "attempted": 0}
    gave_up = threading.Event()

    def work():
        # Until the outbox is drained, however long this machine takes: speed is the benchmark's business
        # (make bench-webhooks). The only limit is the hang guard below.
        try:
            while not gave_up.is_set():
                counts = services.deliveries_process(limit=100)
                if counts:
                    progress["last"], progress["attempted"] = (
                        time.monotonic(),
                        progress["attempted"] + sum(counts.values()),
                    )
                elif not Delivery.objects.exclude(status__in=[DeliveryStatus.SENT, DeliveryStatus.DEAD]).exists():
                    return
                else:
                    time.sleep(0.05)
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    started = time.monotonic()
    workers = [threading.Thread(target=work) for _ in range(2)]
    for worker in workers:
        worker.start()
    while any(worker.is_alive() for worker in workers):
        for worker in workers:
            worker.join(timeout=5)
        # Hang guard: no delivery attempted for HANG_GUARD_SECONDS means something is stuck, not slow.
        if time.monotonic() - progress["last"] > HANG_GUARD_SECONDS:
            gave_up.set()
    for worker in workers:
        worker.join()
    elapsed = time.monotonic() - started
    if gave_up.is_set():
        left = webhooks.exclude(status=DeliveryStatus.SENT).count()
        pytest.fail(
            f"Hang guard: no delivery attempted for {HANG_GUARD_SECONDS} s; {len(keys) - left} of {len(keys)} "
            f"webhook events delivered after {elapsed:.0f} s ({progress['attempted']} attempts)."
        )
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
        f"\n{EVENTS} custody events, {len(keys)} webhook events, {len(requests)} requests, {faults_seen} faults, {duplicates} ids seen more "
        f"than once, {elapsed:.1f} s with 2 workers"
    )
