"""Custody episodes: one stay in Kriminalforsorgen's institutions, from admission to release.

The episode row holds the current state (institution, custody type, expected release); the
append-only EpisodeEvent rows are the timeline, and each event is what notification rules react to.
Change both only through custody.services.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from samarbejde.core.models import BaseModel


class CustodyType(models.TextChoices):
    REMAND = "remand", "Varetægtsfængsling"
    SENTENCE = "sentence", "Afsoning"


class ReleaseCertainty(models.TextChoices):
    UNKNOWN = "unknown", "Ukendt"
    ESTIMATED = "estimated", "Skønnet"
    DECIDED = "decided", "Fastsat"


class ReleaseKind(models.TextChoices):
    FROM_COURT = "from_court", "Løsladt direkte fra retten"
    FROM_LOCAL_JAIL = "from_local_jail", "Løsladt fra arresthus"
    PAROLE = "parole", "Prøveløsladelse"
    END_OF_SENTENCE = "end_of_sentence", "Løsladt ved endt afsoning"
    OTHER = "other", "Anden løsladelse"


class EpisodeStatus(models.TextChoices):
    OPEN = "open", "Indsat"
    CLOSED = "closed", "Løsladt"


class Episode(BaseModel):
    """One custody stay of a person.

    `institution` is the current institution (transfers move it; the timeline keeps the history).
    `expected_release_date` is empty when unknown; `release_certainty` says how firm it is.
    `released_at`, `release_kind` and `address_after_release` are set by the release only.
    Events reported by a client system are idempotent by their own key (api.CustodyEventRecord), not here.
    """

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="episodes")
    institution = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="episodes", verbose_name="institution"
    )
    custody_type = models.CharField("frihedsberøvelse", max_length=16, choices=CustodyType.choices)
    admitted_at = models.DateTimeField("indsat")
    expected_release_date = models.DateField("forventet løsladelse", null=True, blank=True)
    release_certainty = models.CharField(
        "sikkerhed for løsladelsesdato",
        max_length=16,
        choices=ReleaseCertainty.choices,
        default=ReleaseCertainty.UNKNOWN,
    )
    released_at = models.DateTimeField("løsladt", null=True, blank=True)
    release_kind = models.CharField("løsladelsesform", max_length=20, choices=ReleaseKind.choices, blank=True)
    address_after_release = models.CharField("adresse efter løsladelse", max_length=300, blank=True)
    status = models.CharField(
        "status", max_length=8, choices=EpisodeStatus.choices, default=EpisodeStatus.OPEN, db_index=True
    )
    # KRFO's decision whether the handleplan is coordinated with the municipality (BEK 642/2006 § 3):
    # None = not decided yet. Set only by custody.services.episode_decide_coordination (the timeline keeps
    # every decision as a COORDINATION_DECISION event).
    coordinate_action_plan = models.BooleanField("koordinering af handleplan", null=True, blank=True)
    coordination_reason = models.TextField("begrundelse for koordinering", blank=True, max_length=1000)
    coordination_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    coordination_decided_at = models.DateTimeField("koordinering besluttet", null=True, blank=True)
    # The facts the handleplan's applicability rule needs (action_plans.rules, BEK 421/2015 § 1): the length of
    # the sentence in days (None: remand, or not registered) and whether parole is with supervision (None:
    # not known). Set at admission (episode_admit); both optional so every existing caller keeps working.
    sentence_days = models.PositiveIntegerField("straffens længde (dage)", null=True, blank=True)
    parole_with_supervision = models.BooleanField("prøveløsladelse med tilsyn", null=True, blank=True)

    class Meta:
        ordering = ["-admitted_at"]
        verbose_name = "indsættelsesforløb"
        verbose_name_plural = "indsættelsesforløb"
        constraints = [
            # A person is in at most one institution at a time; the service turns a violation into a message.
            models.UniqueConstraint(fields=["person"], condition=Q(status="open"), name="episode_one_open_per_person"),
            models.CheckConstraint(
                condition=Q(status="open", released_at__isnull=True) | Q(status="closed", released_at__isnull=False),
                name="episode_released_iff_closed",
            ),
            models.CheckConstraint(
                condition=Q(released_at__isnull=True) | Q(released_at__gte=F("admitted_at")),
                name="episode_release_after_admission",
            ),
        ]
        indexes = [models.Index(fields=["institution", "status"], name="episode_institution_status")]

    def __str__(self) -> str:
        # No name or CPR: str() ends up in logs.
        return f"Forløb {self.pk} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status == EpisodeStatus.OPEN


class EventKind(models.TextChoices):
    ADMISSION = "admission", "Indsættelse"
    CONVERSION = "conversion", "Varetægt ændret til afsoning"
    TRANSFER = "transfer", "Overførsel"
    RELEASE_DATE_CHANGE = "release_date_change", "Ændret løsladelsesdato"
    RELEASE = "release", "Løsladelse"
    COORDINATION_DECISION = "coordination_decision", "Beslutning om koordinering af handleplan"
    CORRECTION = "correction", "Rettelse af personens forhold"


class AppendOnlyError(RuntimeError):
    pass


class EpisodeEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Forløbets hændelser kan ikke ændres.")

    def delete(self):
        raise AppendOnlyError("Forløbets hændelser kan ikke slettes.")


class EpisodeEvent(BaseModel):
    """One entry of an episode's timeline (append-only): what happened, when, and who registered it.

    `from_institution`/`to_institution` are set for transfers (to_institution also for the admission).
    `payload` holds the facts of the event that notices quote (codes and dates, no names or CPR numbers).
    """

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField("hændelse", max_length=24, choices=EventKind.choices)
    occurred_at = models.DateTimeField("tidspunkt")
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_institution = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_institution = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    payload = models.JSONField("data", default=dict, blank=True)

    objects = EpisodeEventQuerySet.as_manager()

    class Meta:
        ordering = ["occurred_at", "created_at"]
        verbose_name = "hændelse i forløb"
        verbose_name_plural = "hændelser i forløb"
        indexes = [models.Index(fields=["episode", "occurred_at"], name="episodeevent_episode_time")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Forløbets hændelser kan ikke ændres.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Forløbets hændelser kan ikke slettes.")
