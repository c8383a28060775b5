"""The outbox: backoff, the state machine, idempotency keys, the sweeper and the admin retry."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib import admin
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from samarbejde.audit.models import AuditEvent
from samarbejde.delivery import services
from samarbejde.delivery.admin import DeliveryAdmin
from samarbejde.delivery.channels.base import SendResult
from samarbejde.delivery.models import Delivery, DeliveryChannel, DeliveryStatus
from samarbejde.organisations.roles import Role
from samarbejde.organisations.tests.factories import user_with_role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("attempts", "low", "high"),
    [
        (1, 15, 30),
        (2, 30, 60),
        (3, 60, 120),
        (5, 240, 480),
        (8, 1920, 3840),
        (10, 7680, 15360),
        (11, 10800, 21600),  # capped at 6 hours
        (50, 10800, 21600),
    ],
)
def test_backoff_doubles_with_jitter_and_a_cap(attempts, low, high):
    assert services.backoff_seconds(attempts, rand=lambda: 0.0) == low
    assert services.backoff_seconds(attempts, rand=lambda: 1.0) == high
    assert low <= services.backoff_seconds(attempts) <= high


def test_a_notice_gets_an_inbox_delivery_and_email_only_with_a_mailbox(admitted, mailbox):
    outcome = admitted()
    for notice in outcome.notifications:
        channels = set(notice.deliveries.values_list("channel", flat=True))
        expected = {"inbox", "email"} if notice.recipient_organisation.code == "101" else {"inbox"}
        assert channels == expected
        for delivery in notice.deliveries.all():
            assert delivery.status == DeliveryStatus.PENDING
            assert delivery.idempotency_key == f"{notice.pk}:{delivery.channel}"


def test_department_mailbox_wins_over_the_organisation_mailbox(admitted, mailbox):
    from samarbejde.delivery.channels.email import mailbox_for

    notice = next(n for n in admitted().notifications if n.recipient_department is not None)
    assert mailbox_for(notice) == mailbox
    notice.recipient_department.email = "afdeling@kk.example.dk"
    assert mailbox_for(notice) == "afdeling@kk.example.dk"


def test_idempotency_key_and_channel_are_unique(admitted):
    delivery = Delivery.objects.filter(notification__in=admitted().notifications).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(
            notification=delivery.notification, channel=delivery.channel, idempotency_key=delivery.idempotency_key
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(notification=delivery.notification, channel=delivery.channel, idempotency_key="x")


def test_after_commit_the_task_delivers_the_inbox_and_the_email_once(
    admitted, mailbox, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        outcome = admitted()
    deliveries = Delivery.objects.filter(notification__in=outcome.notifications)
    assert set(deliveries.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert all(d.attempts == 1 and d.sent_at for d in deliveries)
    emails = deliveries.filter(channel=DeliveryChannel.EMAIL).count()
    assert emails == 2 and len(mailoutbox) == 2
    assert {m.to[0] for m in mailoutbox} == {mailbox}
    # A second sweep sends nothing again.
    assert services.deliveries_process() == {}
    assert len(mailoutbox) == 2


def fail(delivery):
    return SendResult(ok=False, error="ConnectionRefusedError (111)")


def test_failures_back_off_then_die_after_max_attempts(admitted, settings, monkeypatch):
    settings.DELIVERY_MAX_ATTEMPTS = 3
    monkeypatch.setattr("samarbejde.delivery.channels.inbox.send", fail)
    notices = admitted().notifications
    n = len(notices)
    delivery = Delivery.objects.filter(notification__in=notices).first()
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for attempt in (1, 2):
            assert services.deliveries_process() == {"failed": n}
            delivery.refresh_from_db()
            assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, attempt)
            assert delivery.last_error == "ConnectionRefusedError (111)"
            wait = delivery.next_attempt_at - timezone.now()
            low = services.backoff_seconds(attempt, rand=lambda: 0.0)
            assert timedelta(seconds=low) <= wait <= timedelta(seconds=2 * low)
            assert services.deliveries_process() == {}, "not due yet"
            clock.shift(timedelta(seconds=2 * low + 1))  # past the longest jittered wait
        assert services.deliveries_process() == {"dead": n}
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (DeliveryStatus.DEAD, 3, None)
    with time_machine.travel(start + timedelta(days=30)):
        assert services.deliveries_process() == {}, "dead stays dead"


def test_sweeper_claims_due_and_stuck_rows_but_not_future_or_fresh_claims(admitted, mailbox, settings):
    settings.DELIVERY_STUCK_MINUTES = 10
    now = timezone.now()
    rows = list(Delivery.objects.filter(notification__in=admitted().notifications).order_by("pk"))
    due, future, stuck, fresh_claim = rows[:4]
    Delivery.objects.filter(pk__in=[r.pk for r in rows[4:]]).update(next_attempt_at=now + timedelta(hours=1))
    Delivery.objects.filter(pk=due.pk).update(status=DeliveryStatus.FAILED, next_attempt_at=now - timedelta(seconds=1))
    Delivery.objects.filter(pk=future.pk).update(next_attempt_at=now + timedelta(minutes=5))
    Delivery.objects.filter(pk=stuck.pk).update(status=DeliveryStatus.SENDING, claimed_at=now - timedelta(minutes=11))
    Delivery.objects.filter(pk=fresh_claim.pk).update(
        status=DeliveryStatus.SENDING, claimed_at=now - timedelta(minutes=2)
    )
    with time_machine.travel(now, tick=False):
        claimed = services.deliveries_claim()
    assert set(claimed) == {due.pk, stuck.pk}
    assert set(Delivery.objects.filter(pk__in=claimed).values_list("status", flat=True)) == {DeliveryStatus.SENDING}


def test_sweep_task_delivers_what_a_lost_enqueue_left_behind(admitted):
    from samarbejde.delivery.tasks import deliveries_sweep

    notices = admitted().notifications  # on_commit never ran: the enqueue is "lost"
    result = deliveries_sweep.enqueue()
    assert result.return_value == {"sent": len(notices)}
    assert set(Delivery.objects.filter(notification__in=notices).values_list("status", flat=True)) == {"sent"}


def test_a_stale_worker_cannot_overwrite_a_reclaimed_delivery(admitted, settings):
    """A crashed-then-revived worker records its outcome only if it still holds the claim."""
    delivery = Delivery.objects.filter(notification__in=admitted().notifications).first()
    now = timezone.now()
    services.deliveries_claim([delivery.pk])
    stale = Delivery.objects.get(pk=delivery.pk)
    with time_machine.travel(now + timedelta(minutes=settings.DELIVERY_STUCK_MINUTES + 1)):
        assert services.deliveries_process([delivery.pk]) == {"sent": 1}
    services._record_outcome(stale, ok=False, error="late")
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (DeliveryStatus.SENT, 1, "")


def test_admin_lists_deliveries_and_retries_dead_ones(client, admitted):
    notices = admitted().notifications
    dead, sent = Delivery.objects.filter(notification__in=notices).order_by("pk")[:2]
    Delivery.objects.filter(pk=dead.pk).update(status=DeliveryStatus.DEAD, attempts=8, last_error="X")
    Delivery.objects.filter(pk=sent.pk).update(status=DeliveryStatus.SENT)
    administrator = user_with_role(Role.ADMINISTRATOR)
    client.force_login(administrator)
    url = reverse("admin:delivery_delivery_changelist")
    response = client.get(url, {"status": "dead"})
    assert response.status_code == 200
    assert dead.idempotency_key in response.content.decode()
    assert sent.idempotency_key not in response.content.decode()

    response = client.post(url, {"action": "retry_dead", "_selected_action": [str(dead.pk), str(sent.pk)]}, follow=True)
    assert response.status_code == 200
    dead.refresh_from_db()
    sent.refresh_from_db()
    assert (dead.status, dead.attempts) == (DeliveryStatus.PENDING, 0)
    assert sent.status == DeliveryStatus.SENT
    event = AuditEvent.objects.get(action="delivery.retry")
    assert event.object_id == str(dead.pk) and event.actor == administrator


@pytest.mark.parametrize("role", [role for role in Role if role != Role.ADMINISTRATOR])
def test_only_administrators_see_deliveries_in_the_admin(client, role):
    user = user_with_role(role)
    client.force_login(user)
    response = client.get(reverse("admin:delivery_delivery_changelist"))
    assert response.status_code in (302, 403)
    request = type("R", (), {"user": user})()
    assert not DeliveryAdmin(Delivery, admin.site).has_view_permission(request)
