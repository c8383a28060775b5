"""Notifications (underretninger): what one event tells one recipient organisation, on which legal basis.

A notice has a *subject* (the person), a *source* (the record whose event caused it: a custody episode event
today; a request, plan, meeting or case later), a *thread* (the matter it belongs to, e.g. the custody episode:
notices of one thread see each other, so a release tells every party the admission told) and a *sender*
(the organisation that tells). Notices are created only by notifications.services.notices_send, from a
NoticeEvent another app hands over; notifications imports none of those apps. Which notices an event calls
for, and every rule of each kind, is the registry's (notifications.registry): the notice stores the rule id
and version that produced it. `status` is stored for lists and filters; its rule is notifications.status.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from samarbejde.core.models import BaseModel
from samarbejde.notifications.codes import DecisionCode, NotificationKind
from samarbejde.people.models import Benefit, PensionKind

__all__ = ["DecisionCode", "NotificationKind"]  # their home is notifications.codes (the registry reads them too)


class NotificationStatus(models.TextChoices):
    NEW = "new", "Ny"
    READ = "read", "Læst"
    ACKNOWLEDGED = "acknowledged", "Kvitteret"
    ANSWERED = "answered", "Besvaret"
    OVERDUE = "overdue", "Overskredet frist"
    WITHDRAWN = "withdrawn", "Trukket tilbage"


# notifications.status.open_key_q() spelled out (status imports this module): open, live or dormant.
OPEN_KEY = models.Q(list_key__lt=10**17) | models.Q(list_key__gte=2 * 10**17, list_key__lt=3 * 10**17)


class ListKeyField(models.BigIntegerField):
    """The notice's place in the lists (notifications.status.list_key), worked out on every insert and save from
    the fields it depends on, so bulk_create (notices_send) and the services' saves store it without code of
    their own. A save with update_fields must name it (the status-changing services do); a queryset .update()
    of settled/due/created fields must set it too."""

    def pre_save(self, model_instance, add):
        from samarbejde.notifications.status import notification_list_key

        value = notification_list_key(model_instance)
        setattr(model_instance, self.attname, value)
        return value


class Notification(BaseModel):
    """One notice to one recipient organisation (and the unit that handles it, when known).

    `snapshot` holds only what this recipient needs, frozen at creation (a later change of the person's
    data does not rewrite what was sent). `rule`/`rule_version` name the registry entry that produced it;
    `needs_answer` and `due_date` are what that rule said then (every notice has a due date: a handover is
    done when the receiver has acknowledged, or answered, it). `route`/`route_label` say which routing
    entry of the recipient's directory chose the unit (empty route: the default routing). A withdrawn notice
    (`withdrawn_at`) is settled and no longer the recipient's: nothing is deleted.
    """

    recipient_organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="notifications", verbose_name="modtager"
    )
    recipient_department = models.ForeignKey(
        "organisations.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notifications",
        verbose_name="afdeling",
    )
    kind = models.CharField("type", max_length=32, choices=NotificationKind.choices)
    rule = models.CharField("regel", max_length=64, db_index=True)
    rule_version = models.PositiveSmallIntegerField("regelversion", default=1)
    needs_answer = models.BooleanField("skal besvares", default=False)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="notifications")
    # The record whose event caused the notice (custody.EpisodeEvent today).
    source_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    source_id = models.UUIDField()
    source = GenericForeignKey("source_type", "source_id")
    # The matter the notice belongs to (custody.Episode today): the notices of one thread see each other.
    thread_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    thread_id = models.UUIDField()
    thread = GenericForeignKey("thread_type", "thread_id")
    sender_organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="sent_notifications",
        verbose_name="afsender",
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="sendt af",
    )
    occurred_at = models.DateTimeField("hændelsestidspunkt")
    snapshot = models.JSONField("indhold", default=dict)
    legal_basis = models.ForeignKey(
        "legal.Paragraph", on_delete=models.PROTECT, related_name="notifications", verbose_name="retsgrundlag"
    )
    due_date = models.DateField("frist", null=True, blank=True)
    status = models.CharField(
        "status", max_length=16, choices=NotificationStatus.choices, default=NotificationStatus.NEW
    )
    read_at = models.DateTimeField("læst", null=True, blank=True)
    acknowledged_at = models.DateTimeField("kvitteret", null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField("besvaret", null=True, blank=True)
    # Who in the recipient organisation handles it (notifications.services.notification_assign).
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_notifications",
        verbose_name="tildelt",
    )
    route = models.ForeignKey(
        "organisations.NoticeRoute",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
        verbose_name="fordeling",
    )
    route_label = models.CharField("valgt af", max_length=300, blank=True)
    withdrawn_at = models.DateTimeField("trukket tilbage", null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawal_reason = models.TextField("begrundelse for tilbagetrækning", blank=True, max_length=1000)
    # When the notice's matter ended (the release, for a custody episode): from then on the recipient's live
    # link to the person runs out (people.link_rules.link_expiry_after_end).
    thread_ended_at = models.DateTimeField("forløbet afsluttet", null=True, blank=True)
    # The lists' stored sort key (ADR 0013): open first by due date, then settled newest first.
    list_key = ListKeyField("sorteringsnøgle", editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "underretning"
        verbose_name_plural = "underretninger"
        indexes = [
            models.Index(fields=["recipient_organisation", "status"], name="notification_recipient_status"),
            models.Index(fields=["status", "due_date"], name="notification_status_due"),
            models.Index(fields=["thread_type", "thread_id"], name="notification_thread"),
            models.Index(fields=["source_type", "source_id"], name="notification_source"),
            models.Index(fields=["sender_organisation", "status"], name="notification_sender_status"),
            # The lists (ADR 0013): each page is a range scan of one of these, in list order.
            models.Index(fields=["recipient_organisation", "list_key", "id"], name="notification_inbox_key"),
            models.Index(
                fields=["recipient_organisation", "list_key", "id"], name="notification_inbox_open", condition=OPEN_KEY
            ),
            models.Index(
                fields=["sender_organisation", "list_key", "id"],
                name="notification_sender_open",
                condition=OPEN_KEY,
            ),
            models.Index(
                fields=["recipient_organisation", "created_at"],
                name="notification_recipient_open",
                condition=OPEN_KEY,
            ),
            # The sweep's look for notices to move to the dormant tier: the live ones whose matter has ended.
            models.Index(
                fields=["thread_ended_at"],
                name="notification_ended_live",
                condition=models.Q(thread_ended_at__isnull=False, list_key__lt=2 * 10**17),
            ),
            # The API's synchronisation order (api.notification_views.NotificationCursorPagination).
            models.Index(fields=["recipient_organisation", "updated_at", "id"], name="notification_recipient_sync"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def notice_type(self):
        """The registry entry of the rule that sent this notice (None if the rule no longer exists)."""
        from samarbejde.notifications.registry import notice_type_or_none

        return notice_type_or_none(self.rule)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("notifications:detail", kwargs={"pk": self.pk})


class NotificationStatusChange(models.Model):
    """History of a notification's status: one row per change (created with the notice: '' -> new)."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=NotificationStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=NotificationStatus.choices)
    changed_at = models.DateTimeField()
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["changed_at", "id"]
        verbose_name = "statusændring"
        verbose_name_plural = "statusændringer"

    def __str__(self) -> str:
        return f"{self.from_status or '-'} -> {self.to_status}"


# What a decision may be about: the six benefits, or a pension (the municipality's rent decision).
DECISION_SUBJECTS = [*Benefit.choices, *[c for c in PensionKind.choices if c[0] != PensionKind.NONE]]


class NotificationAnswer(BaseModel):
    """The recipient's answer to a notice: one per notice (a second answer returns this one)."""

    notification = models.OneToOneField(Notification, on_delete=models.PROTECT, related_name="answer")
    text = models.TextField("bemærkning", blank=True, max_length=4000)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField("besvaret")

    class Meta:
        verbose_name = "svar på underretning"
        verbose_name_plural = "svar på underretninger"

    def __str__(self) -> str:
        return f"Svar {self.answered_at:%Y-%m-%d}"


class BenefitDecision(models.Model):
    """One decision in an answer, e.g. kontanthjælp standset pr. 1.3., or husleje dækkes til 1.9."""

    answer = models.ForeignKey(NotificationAnswer, on_delete=models.CASCADE, related_name="decisions")
    subject = models.CharField("ydelse", max_length=20, choices=DECISION_SUBJECTS)
    code = models.CharField("afgørelse", max_length=16, choices=DecisionCode.choices)
    text = models.CharField("uddybning", max_length=500, blank=True)
    effective_date = models.DateField("pr./til dato", null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "afgørelse"
        verbose_name_plural = "afgørelser"
        constraints = [models.UniqueConstraint(fields=["answer", "subject"], name="decision_unique_subject")]

    def __str__(self) -> str:
        return f"{self.get_subject_display()}: {self.get_code_display()}"


class ReminderKind(models.TextChoices):
    REMINDER = "reminder", "Påmindelse"
    ESCALATION = "escalation", "Eskalering"
    WITHDRAWAL = "withdrawal", "Tilbagetrækning"


class NotificationReminder(BaseModel):
    """A follow-up message about one notice to one addressee: a reminder before the due date, an escalation
    after it, or the news that the notice is withdrawn.

    Reminders and escalations are written only by the deadline sweep (notifications.services.deadline_sweep),
    withdrawals by notification_withdraw. A row addressed to a user (`recipient_user`) is for that person; a row
    without one is for the organisation (and department, when known). At most one row per notice, kind and
    addressee: running the sweep twice sends nothing twice. Each row is delivered through the outbox like a
    notice (delivery.services.deliveries_create_for_messages): in the inbox, by e-mail and by webhook.
    """

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField("type", max_length=16, choices=ReminderKind.choices)
    recipient_organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name="modtager"
    )
    recipient_department = models.ForeignKey(
        "organisations.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due_date = models.DateField("frist", null=True, blank=True)  # the notice's due date (none for a withdrawal)
    sent_at = models.DateTimeField("sendt")

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = "påmindelse"
        verbose_name_plural = "påmindelser"
        constraints = [
            # Two partial constraints instead of nulls_distinct=False, which SQLite lacks.
            models.UniqueConstraint(
                fields=["notification", "kind", "recipient_user"],
                condition=models.Q(recipient_user__isnull=False),
                name="reminder_unique_per_user",
            ),
            models.UniqueConstraint(
                fields=["notification", "kind", "recipient_organisation"],
                condition=models.Q(recipient_user__isnull=True),
                name="reminder_unique_per_organisation",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient_user", "sent_at"], name="reminder_user_sent"),
            models.Index(fields=["recipient_organisation", "sent_at"], name="reminder_org_sent"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.due_date:%Y-%m-%d})"


def attachment_path(instance: "NotificationAttachment", filename: str) -> str:
    """attachments/<notification id>/<random name>.<extension>: the stored name tells nothing about the
    content and cannot be guessed; the name the user gave is kept in `original_name`."""
    import uuid

    extension = filename.rpartition(".")[2].lower() if "." in filename else "bin"
    return f"attachments/{instance.notification_id}/{uuid.uuid4().hex}.{extension[:10]}"


class NotificationAttachment(BaseModel):
    """A file the recipient attached to its answer (case files for a coordinated handleplan).

    Stored under MEDIA_ROOT (never served as media: only notifications.views.attachment_download, which checks
    access and audits, hands it out). `content_type` is the type the content was checked to be, not what the
    browser said. Written only by notifications.services.notification_answer, with the answer.
    """

    notification = models.ForeignKey(Notification, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField("fil", upload_to=attachment_path, max_length=255)
    original_name = models.CharField("filnavn", max_length=255)
    content_type = models.CharField("filtype", max_length=100)
    size = models.PositiveBigIntegerField("størrelse (bytes)")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("vedhæftet")

    class Meta:
        ordering = ["uploaded_at", "original_name"]
        verbose_name = "bilag"
        verbose_name_plural = "bilag"

    def __str__(self) -> str:
        # No file name: names of case files can contain personal data, and str() ends up in logs.
        return f"Bilag {self.pk} ({self.size} bytes)"
