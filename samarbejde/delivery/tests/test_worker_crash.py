"""Reliability: a real `manage.py db_worker` killed with SIGKILL in the middle of a batch of webhooks.

The receiver holds the third request open; the test then kills the worker, so some deliveries are sent,
one is in flight (the receiver got it, the worker never learned) and the rest are claimed ("sending") but
not attempted. A restarted worker (DELIVERY_STUCK_MINUTES made small) reclaims them and delivers every
one; the one in flight arrives twice, with the same webhook-id and body: the duplicate receivers tolerate.

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


# The waits below are hang guards, not budgets: a slow or busy machine only takes longer.
HANG_GUARD = 600
WORKER = ["db_worker", "--queue-name", "*", "--batch", "--no-reload", "--no-startup-delay", "--interval", "0.1"]


def test_a_worker_killed_mid_batch_loses_nothing_after_restart(admitted, subscribe, receiver, monkeypatch, tmp_path):
    load_reference_data()
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
    env = worker_env()
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
    assert len(sent_before) == 2
    assert webhooks.filter(status=DeliveryStatus.SENDING).count() == 7, "claimed in one batch, 1 in flight"

    # Restart with a short "stuck" limit: the claims of the dead worker are taken over after ~1 second.
    time.sleep(1.5)
    env = worker_env(DELIVERY_STUCK_MINUTES="0.02")
    enqueue_sweep(log, env)
    restarted = manage(*WORKER, log=log, env=env)
    assert restarted.wait(timeout=HANG_GUARD) == 0, log.read_text()

    assert set(everything.values_list("status", flat=True)) == {DeliveryStatus.SENT}, log.read_text()
    assert set(everything.filter(pk__in=claimed).values_list("attempts", flat=True)) == {1}
    assert receiver.accepted_ids() == keys
    duplicates = {key: requests for key, requests in receiver.by_id().items() if len(requests) > 1}
    assert len(duplicates) == 1, "only the request in flight at the kill arrives twice"
    for key, requests in duplicates.items():
        assert key not in sent_before
        assert {r.headers["webhook-id"] for r in requests} == {key}
        assert len({r.body for r in requests}) == 1
    assert len(receiver.requests) == 10
