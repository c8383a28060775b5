from django.conf import settings
from django.db import models
from django.utils import timezone


class AppendOnlyError(RuntimeError):
    pass


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Revisionsspor kan ikke ændres.")

    def delete(self):
        raise AppendOnlyError("Revisionsspor kan ikke slettes.")


class AuditEvent(models.Model):
    """One append-only entry in the audit trail: who did what to which record, about whom, and why.

    Enforced three ways: no update/delete through the model or queryset, a read-only admin, and on
    PostgreSQL a trigger that rejects UPDATE and DELETE (see migration 0002).

    `person` is the data subject concerned, if any; `object_type`/`object_id` name the record.
    `actor_label`/`organisation_label` keep what the names were at the time.
    """

    occurred_at = models.DateTimeField("tidspunkt", default=timezone.now)
    # The foreign keys have no index of their own: the (column, occurred_at, id) indexes below lead with them and
    # serve every look-up by them (the lists, PROTECT's checks), and each index is one more write per event.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        db_index=False,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="bruger",
    )
    actor_label = models.CharField("bruger (navn)", max_length=200, blank=True)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        db_index=False,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="organisation",
    )
    organisation_label = models.CharField("organisation (navn)", max_length=200, blank=True)
    role = models.CharField("rolle", max_length=32, blank=True)
    action = models.CharField("handling", max_length=64)
    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        db_index=False,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="person",
    )
    object_type = models.CharField("objekttype", max_length=100, blank=True)
    object_id = models.CharField("objekt-id", max_length=64, blank=True)
    purpose = models.CharField("formål", max_length=300, blank=True)
    correlation_id = models.UUIDField("korrelations-id", db_index=True)
    details = models.JSONField("detaljer", default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = "revisionshændelse"
        verbose_name_plural = "revisionsspor"
        # Every list of the trail is newest first with the id as tie-breaker, paged by keyset (ADR 0014): each
        # filter the search drives by has an index ending in (occurred_at, id), so a page is an index range
        # scan of one page whatever the trail holds. The action's index also serves equality on the action
        # alone (its leading column); an action prefix is resolved to the known actions (one part each), so
        # no LIKE needs a pattern-ops index.
        indexes = [
            models.Index(fields=["-occurred_at", "-id"], name="audit_time_id"),
            models.Index(fields=["action", "-occurred_at", "-id"], name="audit_action_time_id"),
            models.Index(fields=["person", "-occurred_at", "-id"], name="audit_person_time_id"),
            models.Index(fields=["actor", "-occurred_at", "-id"], name="audit_actor_time_id"),
            models.Index(fields=["organisation", "-occurred_at", "-id"], name="audit_org_time_id"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Revisionsspor kan ikke ændres.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Revisionsspor kan ikke slettes.")
