"""Reliability: a real `manage.py db_worker` killed with SIGKILL in the middle of a batch of webhooks.

The receiver holds the third request open; the test then kills the worker, so two deliveries are sent, one
is in flight (the receiver got it, the worker never learned) and the rest are claimed ("sending") but not
attempted. Outcomes are written in batches (ADR 0012): with the default DELIVERY_FLUSH_SECONDS the two sent
ones are not recorded yet either; with 0 each is recorded at once. A restarted worker (DELIVERY_STUCK_MINUTES
made small: the claim lease runs out) reclaims every unrecorded row and delivers it: nothing is lost, and
what the receiver got but the database did not record arrives twice, with the same webhook-id and body: the
duplicate receivers tolerate (at least once).

Two processes share the database, so this runs on PostgreSQL only (a transactional test: the data must
be committed for the worker to see it; the flush afterwards removes the reference data, reloaded below).
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from samarbejde.core.tests.reference import load_reference_data
from samarbejde.custody.tests.factories import next_cpr
from samarbejde.delivery import services
from samarbejde.delivery.models import Delivery, DeliveryChannel, DeliveryStatus

from .conftest import CPR
from .receiver import BLOCK, OK

BASE_DIR = Path(__file__).resolve().parents[3]
pytestmark = [
    pytest.mark.usefixtures("restore_reference_data"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs a database shared by two processes (PostgreSQL); the SQLite test database is in memory",
    ),
]


def database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def worker_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",  # the database task backend, as in production
        DATABASE_URL=database_url(),
        WEBHOOK_TIMEOUT_SECONDS="10",
        LOG_LEVEL="WARNING",
        **extra,
    )
    return env


def manage(*args: str, log: Path, env: dict[str, str]) -> subprocess.Popen:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT
        )


def enqueue_sweep(log: Path, env: dict[str, str]) -> None:
    code = "from samarbejde.delivery.tasks import deliveries_sweep; deliveries_sweep.enqueue()"
    assert manage("shell", "-c", code, log=log, env=env).wait(timeout=HANG_GUARD) == 0, log.read_text()


@pytest.fixture(autouse=True)
def reference_data(transactional_db):
    """Before the other fixtures: the flush after each transactional test removed what the session loaded."""
    load_reference_data()


# The waits below are hang guards, not budgets: a slow or busy machine only takes longer.
HANG_GUARD = 600
WORKER = ["db_worker", "--queue-name", "*", "--batch", "--no-reload", "--no-startup-delay", "--interval", "0.1"]


@pytest.mark.parametrize("flush", ["1", "0"], ids=["outcomes-per-batch", "outcomes-at-once"])
def test_a_worker_killed_mid_batch_loses_nothing_after_restart(
    flush, admitted, subscribe, receiver, monkeypatch, tmp_path
):
    # Nothing is sent from the test process: the worker process alone picks the deliveries up.
    monkeypatch.setattr(services, "_enqueue_on_commit", lambda ids: None)
    subscribe(receiver.url, "101", "udbetaling-danmark")
    notices = []
    for cpr in (CPR, next_cpr(), next_cpr()):
        notices += admitted(cpr=cpr).notifications
    webhooks = Delivery.objects.filter(notification__in=notices, channel=DeliveryChannel.WEBHOOK)
    everything = Delivery.objects.filter(notification__in=notices)
    keys = set(webhooks.values_list("idempotency_key", flat=True))
    assert len(keys) == 9

    def behaviour(request, attempt):
        return BLOCK if len(receiver.requests) == 2 else OK  # hold the third request to arrive

    receiver.behaviour = behaviour
    log = tmp_path / "worker.log"
    env = worker_env(DELIVERY_FLUSH_SECONDS=flush)
    enqueue_sweep(log, env)
    worker = manage(*WORKER, log=log, env=env)
    try:
        assert receiver.blocked.wait(HANG_GUARD), log.read_text()
        os.kill(worker.pid, signal.SIGKILL)
        assert worker.wait(timeout=HANG_GUARD) == -signal.SIGKILL
    finally:
        if worker.poll() is None:
            worker.kill()
    receiver.release.set()

    claimed = set(everything.filter(status=DeliveryStatus.SENDING).values_list("pk", flat=True))
    sent_before = set(webhooks.filter(status=DeliveryStatus.SENT).values_list("idempotency_key", flat=True))
    received_before = {r.webhook_id for r in receiver.requests}
    assert len(received_before) == 3, "two answered, one in flight"
    if flush == "0":
        assert len(sent_before) == 2, "each outcome recorded right after its POST"
    else:
        # Recorded at the end of the batch or a second after the attempt: on a slow machine the first ones may
        # have been flushed before the third was sent; either way nothing not sent is recorded as sent.
        assert len(sent_before) <= 2
    assert sent_before <= received_before
    assert webhooks.filter(status=DeliveryStatus.SENDING).count() == 9 - len(sent_before), "claimed in one batch"

    # Restart with a short lease: the claims of the dead worker are taken over after ~1 second.
    time.sleep(1.5)
    env = worker_env(DELIVERY_STUCK_MINUTES="0.02", DELIVERY_FLUSH_SECONDS=flush)
    enqueue_sweep(log, env)
    restarted = manage(*WORKER, log=log, env=env)
    assert restarted.wait(timeout=HANG_GUARD) == 0, log.read_text()

    assert set(everything.values_list("status", flat=True)) == {DeliveryStatus.SENT}, log.read_text()
    assert set(everything.filter(pk__in=claimed).values_list("attempts", flat=True)) == {1}
    assert receiver.accepted_ids() == keys, "nothing lost"
    duplicates = {key: requests for key, requests in receiver.by_id().items() if len(requests) > 1}
    assert set(duplicates) == received_before - sent_before, "exactly what was received but not recorded"
    for key, requests in duplicates.items():
        assert {r.headers["webhook-id"] for r in requests} == {key}
        assert len({r.body for r in requests}) == 1, "the same event, byte for byte"
    assert len(receiver.requests) == 9 + len(duplicates)
