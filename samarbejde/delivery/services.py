"""The outbox: create deliveries with a notice, claim due ones, attempt them, retry dead ones; and the
webhook subscriptions administrators manage (create, rotate the secret, deactivate, send a test event).

At-least-once: a delivery is enqueued after commit (tasks.deliveries_send) AND picked up by the periodic
sweeper (tasks.deliveries_sweep) when due, so a lost enqueue or a crashed worker (a row stuck in
"sending" longer than DELIVERY_STUCK_MINUTES) never loses a delivery. Receivers de-duplicate on the
idempotency key, which every channel carries (the e-mail in an X-Samarbejde-Delivery header).

Log lines and last_error carry ids, counts and error classes only, never personal data.
"""

import base64
import ipaddress
import logging
import random
import secrets
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Case, F, Prefetch, Q, Value, When
from django.utils import timezone

from samarbejde.audit.services import audit_record
from samarbejde.core.context import get_correlation_id

from .channels import webhook
from .channels.base import error_label, gateway_for
from .channels.email import mailbox_for
from .models import Delivery, DeliveryChannel, DeliveryStatus, WebhookSubscription

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


def channels_for(notification, message=None) -> list[str]:
    """The channels with one delivery per message; webhooks add one per active subscription (below)."""
    channels = [DeliveryChannel.INBOX]
    if mailbox_for(notification, message):
        channels.append(DeliveryChannel.EMAIL)
    return channels


def webhook_subscriptions_for(notifications=(), *, organisation_ids=None) -> dict:
    """Active subscriptions by organisation id (the notices' recipients, or the given ids), in one query."""
    by_organisation = defaultdict(list)
    if organisation_ids is None:
        organisation_ids = {n.recipient_organisation_id for n in notifications}
    if organisation_ids:
        for subscription in WebhookSubscription.objects.filter(
            organisation_id__in=organisation_ids, active=True
        ).order_by("created_at"):
            by_organisation[subscription.organisation_id].append(subscription)
    return by_organisation


def _enqueue_on_commit(ids: list) -> None:
    if not ids:
        return
    from .tasks import deliveries_send

    str_ids = [str(pk) for pk in ids]
    # The request's correlation id travels with the task (taken now: on_commit may run outside the request).
    correlation_id = get_correlation_id()
    transaction.on_commit(lambda: _enqueue_in(correlation_id, deliveries_send, str_ids))


def _enqueue_in(correlation_id, task_, *args):
    from samarbejde.core.context import correlation
    from samarbejde.core.tasks import enqueue_correlated

    with correlation(correlation_id):
        enqueue_correlated(task_, *args)


def deliveries_create_for(*notifications) -> list[Delivery]:
    """One delivery per channel for each new notice, and one per active webhook subscription of its
    recipient organisation, in one insert in the caller's transaction (the notices' creation, which
    audits them); sending starts after commit."""
    now = timezone.now()
    subscriptions = webhook_subscriptions_for(notifications)
    rows = []
    for notification in notifications:
        rows += [
            Delivery(
                notification=notification,
                organisation_id=notification.recipient_organisation_id,
                channel=channel,
                idempotency_key=Delivery.key_for(notification.pk, channel),
                next_attempt_at=now,
            )
            for channel in channels_for(notification)
        ]
        rows += [
            Delivery(
                notification=notification,
                organisation_id=notification.recipient_organisation_id,
                channel=DeliveryChannel.WEBHOOK,
                subscription=subscription,
                idempotency_key=Delivery.key_for(notification.pk, DeliveryChannel.WEBHOOK, subscription.pk),
                next_attempt_at=now,
            )
            for subscription in subscriptions.get(notification.recipient_organisation_id, [])
        ]
    deliveries = Delivery.objects.bulk_create(rows)
    _enqueue_on_commit([d.pk for d in deliveries])
    return deliveries


def deliveries_create_for_messages(messages) -> list[Delivery]:
    """The deliveries of follow-up messages (notifications.NotificationReminder rows: reminders, escalations,
    withdrawals), in the caller's transaction: in the inbox (the row itself) and by e-mail to the addressee's
    mailbox (the user's address for a row addressed to a person; the unit's or organisation's functional mailbox
    otherwise); by webhook to every active subscription of the addressee organisation, for rows addressed to the
    organisation (not to a person in it, so one escalation is one event per receiving system)."""
    messages = list(messages)
    if not messages:
        return []
    from samarbejde.notifications.models import NotificationReminder

    loaded = {
        m.pk: m
        for m in NotificationReminder.objects.filter(pk__in=[m.pk for m in messages])
        .select_related(
            "notification__recipient_organisation",
            "notification__recipient_department",
            "recipient_organisation",
            "recipient_department",
            "recipient_user",
        )
        .defer("notification__snapshot")
    }
    now = timezone.now()
    subscriptions = webhook_subscriptions_for(
        organisation_ids={m.recipient_organisation_id for m in loaded.values() if m.recipient_user_id is None}
    )
    rows = []
    for message in loaded.values():
        notice = message.notification
        common = {"notification": notice, "message": message, "organisation_id": message.recipient_organisation_id}
        rows += [
            Delivery(
                **common,
                channel=channel,
                idempotency_key=Delivery.key_for(notice.pk, channel, message_id=message.pk),
                next_attempt_at=now,
            )
            for channel in channels_for(notice, message)
        ]
        if message.recipient_user_id is None:
            rows += [
                Delivery(
                    **common,
                    channel=DeliveryChannel.WEBHOOK,
                    subscription=subscription,
                    idempotency_key=Delivery.key_for(
                        notice.pk, DeliveryChannel.WEBHOOK, subscription.pk, message_id=message.pk
                    ),
                    next_attempt_at=now,
                )
                for subscription in subscriptions.get(message.recipient_organisation_id, [])
            ]
    deliveries = Delivery.objects.bulk_create(rows)
    _enqueue_on_commit([d.pk for d in deliveries])
    return deliveries


def _due_q(now: datetime) -> Q:
    return Q(status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED], next_attempt_at__lte=now) | Q(
        status=DeliveryStatus.SENDING, claimed_at__lt=now - stuck_after()
    )


def _claim_q(ids: Iterable | None, now: datetime):
    queryset = Delivery.objects.filter(_due_q(now))
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    return queryset.order_by("next_attempt_at", "pk")


def _lock(queryset):
    # PostgreSQL: FOR UPDATE SKIP LOCKED on the delivery rows only (not the joined notice, subscription...), so
    # concurrent workers never claim the same row and never wait for each other. SQLite has no row locks: the
    # write transaction serialises claims, which is safe for the single worker it supports.
    if connection.features.has_select_for_update_skip_locked:
        return queryset.select_for_update(skip_locked=True, of=("self",))
    return queryset


@transaction.atomic
def _claim(ids: Iterable | None, *, limit: int) -> tuple[list, datetime]:
    now = timezone.now()
    claimed = list(_lock(_claim_q(ids, now)).values_list("pk", flat=True)[:limit])
    Delivery.objects.filter(pk__in=claimed).update(status=DeliveryStatus.SENDING, claimed_at=now, updated_at=now)
    return claimed, now


def deliveries_claim(ids: Iterable | None = None, *, limit: int = 100) -> list:
    """Mark due deliveries (or the due ones among `ids`) as sending and return their ids: one locking SELECT of
    ids and one UPDATE, whatever the batch size. The claim time is the lease: a claim older than
    DELIVERY_STUCK_MINUTES is taken over by the next sweep."""
    return _claim(ids, limit=limit)[0]


def _claim_batch(ids: Iterable | None, *, limit: int) -> list[Delivery]:
    """Claim a batch and load what its channels read, in a constant number of queries. The rows are locked by
    their ids alone: a locking SELECT joined to the notices sorted every due row's join before its LIMIT (and
    took longer to plan than to run), so the data is loaded after, by id."""
    claimed, claimed_at = _claim(ids, limit=limit)
    loaded = _with_channel_data().in_bulk(claimed)
    batch = [loaded[pk] for pk in claimed if pk in loaded]
    for delivery in batch:
        delivery.status, delivery.claimed_at = DeliveryStatus.SENDING, claimed_at
    return batch


# The notice's fields the channels read (webhook.notification_event, email.mailbox_for and body_for): loading
# only these keeps a batch's load cheap, and keeps the snapshot with the person's data in the database. A channel
# reading another field would cost a query per delivery; the pinned query counts of the send path catch that.
NOTICE_FIELDS = (
    "id",
    "kind",
    "rule",
    "due_date",
    "created_at",
    "recipient_organisation__id",
    "recipient_organisation__code",
    "recipient_organisation__kind",
    "recipient_organisation__name",
    "recipient_organisation__email",
    "recipient_department__id",
    "recipient_department__email",
)


def _with_channel_data(queryset=None):
    """What the channels read (kind, due date, recipient, the follow-up and its addressee, subscription), in
    one query per model (not one per delivery, and not one 9-table join). The snapshot, which holds the
    person's data, is left in the database: no channel sends it, so the worker never loads it."""
    from samarbejde.notifications.models import Notification, NotificationReminder

    queryset = Delivery.objects.all() if queryset is None else queryset
    return queryset.select_related("subscription").prefetch_related(
        Prefetch(
            "notification",
            queryset=Notification.objects.select_related("recipient_organisation", "recipient_department").only(
                *NOTICE_FIELDS
            ),
        ),
        Prefetch(
            "message",
            queryset=NotificationReminder.objects.select_related(
                "recipient_organisation", "recipient_department", "recipient_user"
            ),
        ),
    )


def _send(delivery: Delivery) -> tuple[bool, str, bool]:
    """Attempt one claimed delivery through its channel: (ok, error, cancelled). Records nothing."""
    try:
        result = gateway_for(delivery.channel).send(delivery)
        return result.ok, result.error, result.cancelled
    except Exception as exc:  # any failure of a channel is a failed attempt, retried
        return False, error_label(exc), False


def delivery_attempt(delivery: "Delivery | str") -> str:
    """Send one claimed delivery (an instance, or its id) through its channel and record the outcome; returns
    the new status."""
    if not isinstance(delivery, Delivery):
        delivery = _with_channel_data().get(pk=delivery)
    if delivery.status != DeliveryStatus.SENDING:
        return delivery.status
    ok, error, cancelled = _send(delivery)
    return _record_outcome(delivery, ok=ok, error=error, cancelled=cancelled)


def _outcome_fields(attempts: int, *, ok: bool, error: str, cancelled: bool, now: datetime) -> dict:
    if ok:
        return {"status": DeliveryStatus.SENT, "sent_at": now, "last_error": "", "next_attempt_at": None}
    if cancelled:
        return {"status": DeliveryStatus.CANCELLED, "last_error": error[:200], "next_attempt_at": None}
    if attempts >= max_attempts():
        return {"status": DeliveryStatus.DEAD, "last_error": error[:200], "next_attempt_at": None}
    retry_at = now + timedelta(seconds=backoff_seconds(attempts))
    return {"status": DeliveryStatus.FAILED, "last_error": error[:200], "next_attempt_at": retry_at}


def _log_failure(delivery: Delivery, attempts: int, error: str, status: str) -> None:
    if status not in (DeliveryStatus.SENT, DeliveryStatus.CANCELLED):
        logger.warning("delivery %s (%s) attempt %s: %s -> %s", delivery.pk, delivery.channel, attempts, error, status)


@transaction.atomic
def _record_outcome(delivery: Delivery, *, ok: bool, error: str, cancelled: bool = False) -> str:
    now = timezone.now()
    attempts = delivery.attempts + 1
    fields = _outcome_fields(attempts, ok=ok, error=error, cancelled=cancelled, now=now)
    # Only the claim we hold is updated: a row reclaimed meanwhile (stuck) is left to its new owner.
    Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING, claimed_at=delivery.claimed_at).update(
        attempts=F("attempts") + 1, claimed_at=None, updated_at=now, **fields
    )
    _log_failure(delivery, attempts, error, fields["status"])
    return fields["status"]


@transaction.atomic
def _record_outcomes(outcomes: list[tuple[Delivery, bool, str, bool]]) -> dict[str, int]:
    """Record the outcomes of attempts already made, in one transaction: one UPDATE for all the sent ones (the
    common case), one per other outcome. Each row is written only while it still holds this batch's claim."""
    now = timezone.now()
    counts: dict[str, int] = {}
    sent_by_claim: dict = defaultdict(list)
    for delivery, ok, error, cancelled in outcomes:
        if ok:
            sent_by_claim[delivery.claimed_at].append(delivery.pk)
            counts[DeliveryStatus.SENT] = counts.get(DeliveryStatus.SENT, 0) + 1
            continue
        status = _record_outcome(delivery, ok=ok, error=error, cancelled=cancelled)
        counts[status] = counts.get(status, 0) + 1
    for claimed_at, pks in sent_by_claim.items():
        Delivery.objects.filter(pk__in=pks, status=DeliveryStatus.SENDING, claimed_at=claimed_at).update(
            attempts=F("attempts") + 1,
            claimed_at=None,
            updated_at=now,
            **_outcome_fields(0, ok=True, error="", cancelled=False, now=now),
        )
    return counts


def _release(deliveries: list[Delivery]) -> None:
    """Give back claims not attempted (the batch ran long): due again now, for this or another worker."""
    now = timezone.now()
    for claimed_at in {d.claimed_at for d in deliveries}:
        Delivery.objects.filter(
            pk__in=[d.pk for d in deliveries if d.claimed_at == claimed_at],
            status=DeliveryStatus.SENDING,
            claimed_at=claimed_at,
        ).update(
            status=Case(When(attempts=0, then=Value(DeliveryStatus.PENDING)), default=Value(DeliveryStatus.FAILED)),
            claimed_at=None,
            next_attempt_at=now,
            updated_at=now,
        )


def _merge(counts: dict[str, int], more: dict[str, int]) -> None:
    for status, n in more.items():
        counts[status] = counts.get(status, 0) + n


def flush_seconds() -> float:
    """Outcomes are written at the latest this long after their attempt (or at the end of the batch): few
    writes per batch when receivers answer fast, and a slow receiver does not leave sent rows unrecorded (so
    redelivered after a crash) for long. 0 writes each outcome at once."""
    return float(getattr(settings, "DELIVERY_FLUSH_SECONDS", 1.0))


def deliveries_process(ids: Iterable | None = None, *, limit: int = 100) -> dict[str, int]:
    """Claim a batch of due deliveries, attempt each, and record the outcomes in batches; returns counts per
    resulting status.

    Durability: an outcome is written only after its attempt, so a worker killed mid-batch loses nothing. Its
    claimed rows stay "sending" until the lease (DELIVERY_STUCK_MINUTES) runs out, and the next sweep attempts
    them again: a receiver may get an event twice (the one in flight, and the ones sent but not yet recorded),
    always with the same webhook-id and body. A batch that runs past half the lease gives its unattempted rows
    back, so no claim expires while its worker still holds it."""
    counts: dict[str, int] = {}
    batch = _claim_batch(ids, limit=limit)
    started = time.monotonic()
    give_back_at = started + stuck_after().total_seconds() / 2
    flush_every = flush_seconds()
    flush_at = started + flush_every
    outcomes = []
    for i, delivery in enumerate(batch):
        if time.monotonic() >= give_back_at:
            _release(batch[i:])
            break
        outcomes.append((delivery, *_send(delivery)))
        if time.monotonic() >= flush_at:
            _merge(counts, _record_outcomes(outcomes))
            outcomes, flush_at = [], time.monotonic() + flush_every
    if outcomes:
        _merge(counts, _record_outcomes(outcomes))
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


# Webhook subscriptions ----------------------------------------------------------------------------------

SECRET_PREFIX = "whsec_"
MSG_URL_INVALID = (
    "Angiv en gyldig adresse, der begynder med https://, f.eks. https://sag.kommune.dk/webhooks/samarbejde."
)
MSG_URL_TOO_LONG = "Adressen må højst være 500 tegn."
MSG_URL_HTTPS = (
    "Adressen skal begynde med https://, så hændelserne sendes krypteret. "
    "Kun en modtager på samme maskine (localhost) må bruge http://, og kun i et udviklingsmiljø."
)
MSG_URL_CREDENTIALS = (
    "Adressen må ikke indeholde brugernavn eller adgangskode. Modtageren genkender Samarbejde på signaturen."
)
MSG_ORGANISATION_INACTIVE = "Organisationen er ikke aktiv."


def new_webhook_secret() -> str:
    """The Standard Webhooks format: whsec_ + base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def _http_allowed() -> bool:
    return bool(settings.DEBUG or getattr(settings, "WEBHOOK_ALLOW_HTTP", False))


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def clean_webhook_url(url: str) -> str:
    """The receiver address, or a ValidationError with a Danish message. https only; http only to a
    loopback receiver, and only in development (DEBUG or WEBHOOK_ALLOW_HTTP): events are signed but
    not encrypted, and a test receiver on this machine is the one place plain http is harmless."""
    url = (url or "").strip()
    if len(url) > 500:
        raise ValidationError(MSG_URL_TOO_LONG, code="url_too_long")
    if not url or any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise ValidationError(MSG_URL_INVALID, code="url_invalid")
    try:
        parts = urlsplit(url)
        host, _port = parts.hostname, parts.port  # .port raises ValueError on a bad port
    except ValueError:
        raise ValidationError(MSG_URL_INVALID, code="url_invalid") from None
    if parts.scheme not in ("http", "https") or not host:
        raise ValidationError(MSG_URL_INVALID, code="url_invalid")
    if parts.username or parts.password:
        raise ValidationError(MSG_URL_CREDENTIALS, code="url_credentials")
    if parts.scheme == "http" and not (_http_allowed() and _is_loopback(host)):
        raise ValidationError(MSG_URL_HTTPS, code="url_https")
    return url


@transaction.atomic
def webhook_subscription_create(
    organisation, url: str, description: str = "", *, acting_user
) -> tuple[WebhookSubscription, str]:
    """Register a receiver; returns (subscription, signing secret). Show the secret once."""
    url = clean_webhook_url(url)
    if not organisation.is_active:
        raise ValidationError(MSG_ORGANISATION_INACTIVE, code="organisation_inactive")
    secret = new_webhook_secret()
    subscription = WebhookSubscription.objects.create(
        organisation=organisation,
        url=url,
        description=(description or "").strip()[:200],
        secret=secret,
        created_by=acting_user if getattr(acting_user, "pk", None) else None,
    )
    audit_record(
        "delivery.webhook_create",
        acting_user=acting_user,
        obj=subscription,
        organisation=organisation,
        purpose="Webhook-abonnement oprettet",
        details={"url": url, "secret_hint": subscription.secret_hint},
    )
    return subscription, secret


def rotation_grace() -> timedelta:
    return timedelta(hours=getattr(settings, "WEBHOOK_ROTATION_GRACE_HOURS", 24))


@transaction.atomic
def webhook_subscription_rotate_secret(
    subscription: WebhookSubscription, *, acting_user, grace: timedelta | None = None
) -> str:
    """A new signing secret (returned: show it once). Events are signed with both secrets until the grace
    period ends, so the receiver can switch without rejecting any; a secret rotated before its grace
    ended is dropped at once (only the newest previous secret is kept)."""
    grace = rotation_grace() if grace is None else grace
    locked = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    now = timezone.now()
    secret = new_webhook_secret()
    locked.previous_secret = locked.secret if grace > timedelta(0) else ""
    locked.previous_secret_expires_at = now + grace if grace > timedelta(0) else None
    locked.secret = secret
    locked.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at", "updated_at"])
    audit_record(
        "delivery.webhook_rotate",
        acting_user=acting_user,
        obj=locked,
        organisation=locked.organisation,
        purpose="Hemmelighed for webhook-abonnement udskiftet",
        details={"secret_hint": locked.secret_hint, "grace_hours": grace.total_seconds() / 3600},
    )
    for field in ("secret", "previous_secret", "previous_secret_expires_at", "updated_at"):
        setattr(subscription, field, getattr(locked, field))
    return secret


@transaction.atomic
def webhook_subscription_deactivate(subscription: WebhookSubscription, *, acting_user) -> int:
    """Stop sending to the receiver. Its deliveries not yet sent (pending, failed, dead) are cancelled;
    one being sent right now finishes or is cancelled by the channel. Returns the number cancelled."""
    locked = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    if not locked.active:
        return 0
    now = timezone.now()
    locked.active = False
    locked.save(update_fields=["active", "updated_at"])
    cancelled = Delivery.objects.filter(
        subscription=locked, status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED, DeliveryStatus.DEAD]
    ).update(status=DeliveryStatus.CANCELLED, next_attempt_at=None, last_error="SubscriptionInactive", updated_at=now)
    audit_record(
        "delivery.webhook_deactivate",
        acting_user=acting_user,
        obj=locked,
        organisation=locked.organisation,
        purpose="Webhook-abonnement deaktiveret",
        details={"cancelled": cancelled},
    )
    subscription.active = False
    return cancelled


def webhook_send_test_event(subscription: WebhookSubscription, *, acting_user) -> webhook.PostResult:
    """POST a signed "dk.samarbejde.test" event now (no outbox, no retry) and return the outcome. No
    transaction is held while waiting for the receiver; the audit event is written after."""
    if not subscription.active:
        result = webhook.PostResult(ok=False, error="SubscriptionInactive")
    else:
        result = webhook.send_test(subscription)
    audit_record(
        "delivery.webhook_test",
        acting_user=acting_user,
        obj=subscription,
        organisation=subscription.organisation,
        purpose="Testhændelse sendt til webhook-abonnement",
        details={"ok": result.ok, "status": result.status, "error": result.error},
    )
    return result
