"""The outbox: one Delivery per message per channel (per subscription for webhooks), moved through its
states by delivery.services only. A message is a new notice (`message` empty) or a follow-up about one: a
reminder, an escalation or a withdrawal (notifications.NotificationReminder, `message` set), each to its
addressee organisation (`organisation`: the notice's recipient, or the sender for an escalation).

pending -> sending -> sent
                   -> failed (next_attempt_at set by backoff) -> sending -> ...
                   -> dead (after DELIVERY_MAX_ATTEMPTS; an administrator may retry: -> pending)
                   -> cancelled (webhook only: the subscription was deactivated; never sent again)
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from samarbejde.core.models import BaseModel


class DeliveryChannel(models.TextChoices):
    INBOX = "inbox", "Indbakke"
    EMAIL = "email", "E-mail"
    WEBHOOK = "webhook", "Webhook"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Afventer"
    SENDING = "sending", "Sendes"
    SENT = "sent", "Sendt"
    FAILED = "failed", "Fejlet (prøves igen)"
    DEAD = "dead", "Opgivet"
    CANCELLED = "cancelled", "Annulleret"


# Every status but sent (the dashboard's partial index on them; their rows are few next to the sent ones).
UNSENT_STATUSES = [status for status in DeliveryStatus.values if status != DeliveryStatus.SENT]


class WebhookSubscription(BaseModel):
    """An organisation's case system that is told about new notices by signed CloudEvents.

    The signing secret ("whsec_" + base64 of 32 random bytes, the Standard Webhooks format) is stored as
    is, because HMAC signing needs it; it is shown once, when created or rotated, and the admin shows only
    a short prefix. After a rotation the previous secret also signs until previous_secret_expires_at, so the
    receiver can switch secrets without losing events.
    """

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="webhook_subscriptions",
        verbose_name="organisation",
    )
    url = models.CharField("adresse", max_length=500, help_text="Modtagerens HTTPS-adresse.")
    description = models.CharField("beskrivelse", max_length=200, blank=True)
    active = models.BooleanField("aktiv", default=True)
    secret = models.CharField("hemmelighed", max_length=100, editable=False)
    previous_secret = models.CharField("forrige hemmelighed", max_length=100, blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(
        "forrige hemmelighed gælder til", null=True, blank=True, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name="oprettet af",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "webhook-abonnement"
        verbose_name_plural = "webhook-abonnementer"

    def __str__(self) -> str:
        return f"{self.url} ({self.organisation_id})"

    @property
    def secret_hint(self) -> str:
        """Enough to tell secrets apart, too little to sign with."""
        return f"{self.secret[:10]}…" if self.secret else ""

    def secrets_at(self, now) -> list[str]:
        """The secrets that sign now: the current one, and the previous one during its grace period."""
        secrets = [self.secret]
        if self.previous_secret and self.previous_secret_expires_at and self.previous_secret_expires_at > now:
            secrets.append(self.previous_secret)
        return secrets


class Delivery(BaseModel):
    notification = models.ForeignKey(
        "notifications.Notification", on_delete=models.PROTECT, related_name="deliveries", verbose_name="underretning"
    )
    # A follow-up about the notice (reminder, escalation, withdrawal); empty: the notice itself.
    message = models.ForeignKey(
        "notifications.NotificationReminder",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deliveries",
        verbose_name="opfølgning",
    )
    # Who it is delivered to: the notice's recipient, or for a follow-up its addressee's organisation.
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name="modtager"
    )
    channel = models.CharField("kanal", max_length=16, choices=DeliveryChannel.choices)
    status = models.CharField("status", max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField("forsøg", default=0)
    next_attempt_at = models.DateTimeField("næste forsøg", null=True, blank=True)
    # When a worker claimed the row (status sending); a claim older than DELIVERY_STUCK_MINUTES is reclaimed.
    claimed_at = models.DateTimeField("taget af arbejder", null=True, blank=True)
    # Exception class and protocol code only: never a message text that could carry personal data.
    last_error = models.CharField("seneste fejl", max_length=200, blank=True)
    idempotency_key = models.CharField("idempotensnøgle", max_length=100, unique=True)
    sent_at = models.DateTimeField("sendt", null=True, blank=True)
    # Webhook deliveries only: the subscription (receiver URL and secret) this copy goes to.
    subscription = models.ForeignKey(
        WebhookSubscription,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deliveries",
        verbose_name="webhook-abonnement",
    )

    class Meta:
        verbose_name = "levering"
        verbose_name_plural = "leveringer"
        ordering = ["-created_at"]
        constraints = [
            # Inbox and e-mail: one per message and channel. Webhooks: one per message and subscription.
            models.UniqueConstraint(
                fields=["notification", "channel"],
                condition=Q(subscription__isnull=True, message__isnull=True),
                name="delivery_one_per_notice_and_channel",
            ),
            models.UniqueConstraint(
                fields=["notification", "subscription"],
                condition=Q(subscription__isnull=False, message__isnull=True),
                name="delivery_one_per_notice_and_subscription",
            ),
            models.UniqueConstraint(
                fields=["message", "channel"],
                condition=Q(subscription__isnull=True, message__isnull=False),
                name="delivery_one_per_message_and_channel",
            ),
            models.UniqueConstraint(
                fields=["message", "subscription"],
                condition=Q(subscription__isnull=False, message__isnull=False),
                name="delivery_one_per_message_and_subscription",
            ),
            models.CheckConstraint(
                condition=Q(channel="webhook", subscription__isnull=False)
                | (~Q(channel="webhook") & Q(subscription__isnull=True)),
                name="delivery_subscription_only_for_webhooks",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx"),
            models.Index(fields=["organisation", "status"], name="delivery_organisation_status"),
            # The dashboard (ADR 0014), two partial indexes that split the table: every row is in exactly one.
            # Not yet sent, by status and last change: the list of one status (or of dead, then failed) is an
            # index range scan of a page, and the open counts are an index-only scan of the open rows.
            models.Index(
                # channel and organisation last (not INCLUDE: SQLite warns on it): the counts read the index only.
                fields=["status", "-updated_at", "-id", "channel", "organisation"],
                condition=Q(status__in=UNSENT_STATUSES),
                name="delivery_unsent_by_change",
            ),
            # Sent, by time: "sent in the last 24 hours" is a range of it (index-only), the sent list a page.
            models.Index(
                fields=["-sent_at", "-id", "channel", "organisation"],
                condition=Q(status=DeliveryStatus.SENT),
                name="delivery_sent_by_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.get_status_display()}"

    @staticmethod
    def key_for(notification_id, channel: str, subscription_id=None, message_id=None) -> str:
        """Stable across retries: receivers de-duplicate on it (a webhook's event id and webhook-id). A
        follow-up's key starts with its message id instead of the notice's."""
        first = message_id if message_id is not None else notification_id
        if subscription_id is not None:
            return f"{first}:{channel}:{subscription_id}"
        return f"{first}:{channel}"
