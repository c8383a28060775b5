"""/healthz and the worker heartbeat: enqueue -> worker -> heartbeat -> health check."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from samarbejde.core.models import WorkerHeartbeat
from samarbejde.core.periodic import schedule

pytestmark = pytest.mark.django_db

NOW = timezone.datetime(2026, 3, 10, 9, 0, tzinfo=timezone.UTC)


def test_healthz_without_any_heartbeat_is_503(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    data = response.json()
    assert data["status"] == "degraded"
    assert data["database"]["ok"] is True
    assert data["worker"] == {"ok": False, "last_heartbeat": None}


@override_settings(WORKER_HEARTBEAT_SECONDS=30)
def test_healthz_ok_with_a_fresh_heartbeat_and_503_when_stale(client):
    with time_machine.travel(NOW, tick=False) as traveller:
        WorkerHeartbeat.objects.create(worker="worker-1", beat_at=timezone.now())
        response = client.get("/healthz")
        assert response.status_code == 200
        data = response.json()
        assert data["status"] == "ok"
        assert data["worker"]["ok"] is True
        assert data["worker"]["stale_after_seconds"] == 90
        assert "no-cache" in response["Cache-Control"]

        traveller.shift(timedelta(seconds=90))  # exactly at the limit: still ok
        assert client.get("/healthz").status_code == 200

        traveller.shift(timedelta(seconds=1))
        response = client.get("/healthz")
        assert response.status_code == 503
        data = response.json()
        assert data["status"] == "degraded"
        assert data["worker"]["ok"] is False
        assert data["worker"]["age_seconds"] == 91.0


def test_healthz_uses_the_newest_heartbeat(client):
    with time_machine.travel(NOW, tick=False):
        WorkerHeartbeat.objects.create(worker="old", beat_at=timezone.now() - timedelta(hours=2))
        WorkerHeartbeat.objects.create(worker="new", beat_at=timezone.now() - timedelta(seconds=5))
        assert client.get("/healthz").status_code == 200


def test_healthz_needs_no_login_even_with_otp_required(client, settings):
    settings.OTP_REQUIRED = True
    WorkerHeartbeat.objects.create(worker="w", beat_at=timezone.now())
    assert client.get("/healthz").status_code == 200


def test_schedule_contains_the_heartbeat_the_link_and_deadline_sweeps_and_the_attachment_cleanup():
    assert [entry.task_path for entry in schedule()] == [
        "samarbejde.core.tasks.worker_heartbeat",
        "samarbejde.people.tasks.links_close_expired",
        # The handleplan's deadline reminders (Køreplan step 5), before the platform's sweep follows them up.
        "samarbejde.action_plans.tasks.action_plans_deadline_sweep",
        "samarbejde.notifications.tasks.notifications_deadline_sweep",
        "samarbejde.notifications.tasks.attachments_cleanup",
        "samarbejde.delivery.tasks.deliveries_sweep",
    ]


def test_every_scheduled_task_can_be_imported_and_enqueued():
    for entry in schedule():
        entry.enqueue()  # ImmediateBackend in tests: runs at once, must not raise


def test_scheduler_once_enqueues_the_heartbeat_which_runs_at_once(client):
    """With the ImmediateBackend of the test settings, enqueueing runs the task there and then."""
    assert not WorkerHeartbeat.objects.exists()
    with time_machine.travel(NOW, tick=False):
        call_command("scheduler", "--once")
        beat = WorkerHeartbeat.objects.get()
        assert beat.beat_at == NOW
        assert client.get("/healthz").status_code == 200
    # A second beat updates the same worker's row rather than adding one.
    call_command("scheduler", "--once")
    assert WorkerHeartbeat.objects.count() == 1
    assert WorkerHeartbeat.objects.get().beat_at > NOW
