"""API keys: how machine clients (municipal case systems, KRFO's client system) authenticate.

A key is "smb_<prefix>_<secret>". Only the prefix (public, shown in lists) and a SHA-256 hash of the
secret are stored; the whole key is shown once, when it is created (samarbejde.api.services.api_key_create).
Keys belong to an organisation, carry scopes, may expire and may be revoked.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from samarbejde.accounts.models import User
from samarbejde.core.models import BaseModel


class ApiScope(models.TextChoices):
    CUSTODY_EVENTS_WRITE = "custody-events:write", "Indberette forvaringshændelser"
    NOTIFICATIONS_READ = "notifications:read", "Læse underretninger"
    NOTIFICATIONS_ANSWER = "notifications:answer", "Kvittere for og besvare underretninger"


class ApiKey(BaseModel):
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="api_keys", verbose_name="organisation"
    )
    name = models.CharField("navn", max_length=120, blank=True, help_text="F.eks. systemets navn (Nexus, KMD).")
    prefix = models.CharField("præfiks", max_length=16, unique=True, editable=False)
    secret_hash = models.CharField("hash af hemmelighed", max_length=64, editable=False)
    scopes = models.JSONField("rettigheder", default=list)
    expires_at = models.DateTimeField("udløber", null=True, blank=True)
    revoked_at = models.DateTimeField("tilbagekaldt", null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField("senest brugt", null=True, blank=True, editable=False)
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
        verbose_name = "API-nøgle"
        verbose_name_plural = "API-nøgler"

    def __str__(self) -> str:
        return f"smb_{self.prefix} ({self.name or self.organisation_id})"

    def is_valid_at(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])


class ApiKeyUser(User):
    """The organisation's service user as seen in one API request: its audit label names the key.

    A proxy (no table of its own): `request.user` for a key is this, so audit events record the service
    user as actor and "api:101 (nøgle smb_ab12cd34)" as the actor label.
    """

    api_key: "ApiKey | None" = None

    class Meta:
        proxy = True
        verbose_name = "API-bruger"
        verbose_name_plural = "API-brugere"

    def get_username(self) -> str:
        username = super().get_username()
        return f"{username} (nøgle smb_{self.api_key.prefix})" if self.api_key is not None else username


class CustodyEventRecord(BaseModel):
    """One custody event accepted from a KRFO client system (POST /api/v1/custody-events/): the idempotency key.

    Written in the same transaction as the custody services' writes, so a record exists exactly when the
    event does. `body_hash` is the SHA-256 of the canonical JSON of the validated body; `response` is the
    first answer (JSON text), returned again (status 200) when the same body is posted again. A different body with a
    used `external_id` is refused (409). Unique per sending organisation: the constraint settles races.
    No personal data here: the response names ids, codes and dates only.
    """

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name="afsender"
    )
    api_key = models.ForeignKey(
        ApiKey, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="API-nøgle"
    )
    external_id = models.CharField("eksternt id", max_length=64)
    type = models.CharField("hændelse", max_length=24)
    body_hash = models.CharField("SHA-256 af indholdet", max_length=64)
    status_code = models.PositiveSmallIntegerField("statuskode")
    # The first answer as JSON text, byte for byte: a replay returns exactly this.
    response = models.TextField("svar (JSON)")
    episode = models.ForeignKey(
        "custody.Episode", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="forløb"
    )
    event = models.ForeignKey("custody.EpisodeEvent", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "modtaget hændelse fra klientsystem"
        verbose_name_plural = "modtagne hændelser fra klientsystem"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "external_id"], name="custody_event_record_unique_id")
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.external_id}"
