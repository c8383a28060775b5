"""The outbox: one Delivery per notice per channel, moved through its states by delivery.services only.

pending -> sending -> sent
                   -> failed (next_attempt_at set by backoff) -> sending -> ...
                   -> dead (after DELIVERY_MAX_ATTEMPTS; an administrator may retry: -> pending)
"""

from django.db import models

from samarbejde.core.models import BaseModel


class DeliveryChannel(models.TextChoices):
    INBOX = "inbox", "Indbakke"
    EMAIL = "email", "E-mail"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Afventer"
    SENDING = "sending", "Sendes"
    SENT = "sent", "Sendt"
    FAILED = "failed", "Fejlet (prøves igen)"
    DEAD = "dead", "Opgivet"


class Delivery(BaseModel):
    notification = models.ForeignKey(
        "notifications.Notification", on_delete=models.PROTECT, related_name="deliveries", verbose_name="underretning"
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

    class Meta:
        verbose_name = "levering"
        verbose_name_plural = "leveringer"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="delivery_one_per_notice_and_channel")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.get_status_display()}"

    @staticmethod
    def key_for(notification_id, channel: str) -> str:
        return f"{notification_id}:{channel}"
