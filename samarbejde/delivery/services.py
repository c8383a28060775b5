"""The outbox: create deliveries with a notice, claim due ones, attempt them, retry dead ones.

At-least-once: a delivery is enqueued after commit (tasks.deliveries_send) AND picked up by the periodic
sweeper (tasks.deliveries_sweep) when due, so a lost enqueue or a crashed worker (a row stuck in
"sending" longer than DELIVERY_STUCK_MINUTES) never loses a delivery. Receivers de-duplicate on the
idempotency key, which every channel carries (the e-mail in an X-Samarbejde-Delivery header).

Log lines and last_error carry ids, counts and error classes only, never personal data.
"""

import logging
import random
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from samarbejde.audit.services import audit_record

from .channels.base import error_label, gateway_for
from .channels.email import mailbox_for
from .models import Delivery, DeliveryChannel, DeliveryStatus

logger = logging.getLogger(__name__)

BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 6 * 3600


def max_attempts() -> int:
    return getattr(settings, "DELIVERY_MAX_ATTEMPTS", 8)


def stuck_after() -> timedelta:
    return timedelta(minutes=getattr(settings, "DELIVERY_STUCK_MINUTES", 10))


def backoff_seconds(
    attempts: int,
    *,
    base: float = BACKOFF_BASE_SECONDS,
    cap: float = BACKOFF_CAP_SECONDS,
    rand: Callable[[], float] = random.random,
) -> float:
    """Seconds to wait after the `attempts`-th failed attempt: exponential, capped, with "equal jitter"
    (half fixed, half random), so retries spread out but never come sooner than half the step."""
    step = min(cap, base * 2 ** max(attempts - 1, 0))
    return step / 2 + rand() * step / 2


def channels_for(notification) -> list[str]:
    channels = [DeliveryChannel.INBOX]
    if mailbox_for(notification):
        channels.append(DeliveryChannel.EMAIL)
    return channels


def _enqueue_on_commit(ids: list) -> None:
    if not ids:
        return
    from .tasks import deliveries_send

    str_ids = [str(pk) for pk in ids]
    transaction.on_commit(lambda: deliveries_send.enqueue(str_ids))


def deliveries_create_for(*notifications) -> list[Delivery]:
    """One delivery per channel for each new notice, in one insert in the caller's transaction (the
    notices' creation, which audits them); sending starts after commit."""
    now = timezone.now()
    deliveries = Delivery.objects.bulk_create(
        [
            Delivery(
                notification=notification,
                channel=channel,
                idempotency_key=Delivery.key_for(notification.pk, channel),
                next_attempt_at=now,
            )
            for notification in notifications
            for channel in channels_for(notification)
        ]
    )
    _enqueue_on_commit([d.pk for d in deliveries])
    return deliveries


def _due_q(now: datetime) -> Q:
    return Q(status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED], next_attempt_at__lte=now) | Q(
        status=DeliveryStatus.SENDING, claimed_at__lt=now - stuck_after()
    )


@transaction.atomic
def deliveries_claim(ids: Iterable | None = None, *, limit: int = 100) -> list:
    """Mark due deliveries (or the due ones among `ids`) as sending and return their ids.

    PostgreSQL: FOR UPDATE SKIP LOCKED, so concurrent workers never claim the same row. SQLite has no row
    locks: the write transaction serialises claims, which is safe for the single worker it supports."""
    now = timezone.now()
    queryset = Delivery.objects.filter(_due_q(now))
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    if connection.features.has_select_for_update_skip_locked:
        queryset = queryset.select_for_update(skip_locked=True)
    claimed = list(queryset.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
    Delivery.objects.filter(pk__in=claimed).update(status=DeliveryStatus.SENDING, claimed_at=now, updated_at=now)
    return claimed


def delivery_attempt(delivery_id) -> str:
    """Send one claimed delivery through its channel and record the outcome; returns the new status."""
    delivery = Delivery.objects.select_related(
        "notification__recipient_organisation", "notification__recipient_department"
    ).get(pk=delivery_id)
    if delivery.status != DeliveryStatus.SENDING:
        return delivery.status
    try:
        result = gateway_for(delivery.channel).send(delivery)
        ok, error = result.ok, result.error
    except Exception as exc:  # any failure of a channel is a failed attempt, retried
        ok, error = False, error_label(exc)
    return _record_outcome(delivery, ok=ok, error=error)


@transaction.atomic
def _record_outcome(delivery: Delivery, *, ok: bool, error: str) -> str:
    now = timezone.now()
    attempts = delivery.attempts + 1
    if ok:
        fields = {"status": DeliveryStatus.SENT, "sent_at": now, "last_error": "", "next_attempt_at": None}
    elif attempts >= max_attempts():
        fields = {"status": DeliveryStatus.DEAD, "last_error": error[:200], "next_attempt_at": None}
    else:
        retry_at = now + timedelta(seconds=backoff_seconds(attempts))
        fields = {"status": DeliveryStatus.FAILED, "last_error": error[:200], "next_attempt_at": retry_at}
    # Only the claim we hold is updated: a row reclaimed meanwhile (stuck) is left to its new owner.
    Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING, claimed_at=delivery.claimed_at).update(
        attempts=F("attempts") + 1, claimed_at=None, updated_at=now, **fields
    )
    if fields["status"] != DeliveryStatus.SENT:
        logger.warning(
            "delivery %s (%s) attempt %s: %s -> %s", delivery.pk, delivery.channel, attempts, error, fields["status"]
        )
    return fields["status"]


def deliveries_process(ids: Iterable | None = None, *, limit: int = 100) -> dict[str, int]:
    """Claim due deliveries and attempt each; returns counts per resulting status."""
    counts: dict[str, int] = {}
    for pk in deliveries_claim(ids, limit=limit):
        status = delivery_attempt(pk)
        counts[status] = counts.get(status, 0) + 1
    return counts


RETRY_PURPOSE = "Ny levering af en opgivet underretning"


@transaction.atomic
def delivery_retry(delivery: Delivery, *, acting_user) -> bool:
    """An administrator sends a dead delivery again from scratch. Returns False when it is not dead."""
    now = timezone.now()
    updated = Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.DEAD).update(
        status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now, claimed_at=None, updated_at=now
    )
    if not updated:
        return False
    audit_record(
        "delivery.retry",
        acting_user=acting_user,
        obj=delivery,
        purpose=RETRY_PURPOSE,
        details={"channel": delivery.channel, "attempts": delivery.attempts},
    )
    _enqueue_on_commit([delivery.pk])
    return True
