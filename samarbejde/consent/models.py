"""Consents: what a client agreed may be exchanged, with whom, for what, from when until when.

- `Consent`: the person, the purpose (free text, printed on the form), how it was given (a signed form
  uploaded as PDF, or orally / in person with a named witness), the date it was given and the last day it is
  valid (`expires_on`, inclusive), who recorded it (user and KRFO unit), and when it was revoked.
- `ConsentScope`: one row per organisation x data category the consent covers (queryable and indexed: a
  disclosure check is one indexed query, never a scan of JSON).
- `ConsentRevocation`: the record of a revocation (the date the client revoked it, the reason, who recorded
  it); the source of the revocation notices (the consent is their thread).
- `ConsentOverride`: a disclosure made without a live consent by a user with Cap.CONSENT_OVERRIDE and a
  reason (Primero's consent-override pattern); listed for managers and administrators.

Who is the scope's organisation ("recipient")? The organisation outside the recording KRFO unit that the
information is exchanged with: for KRFO's own disclosures (a handleplan area shared with the municipality)
the receiver; for KRFO's requests (the case files the municipality sends KRFO, Køreplan step 4) the body that
discloses to KRFO on this consent. Either way: the party KRFO may exchange `category` with, on the client's
consent. Written only by consent.services; read through consent.selectors.
"""

import uuid

from django.conf import settings
from django.db import models

from samarbejde.consent.categories import DataCategory
from samarbejde.core.models import BaseModel


class GivenHow(models.TextChoices):
    SIGNED_FORM = "signed_form", "Underskrevet samtykkeerklæring (PDF)"
    ORAL = "oral", "Mundtligt eller personligt fremmøde med vidne"


def consent_form_path(instance: "Consent", filename: str) -> str:
    """consent_forms/<consent id>/<random>.pdf: the stored name tells nothing and cannot be guessed."""
    return f"consent_forms/{instance.pk}/{uuid.uuid4().hex}.pdf"


class Consent(BaseModel):
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="consents")
    purpose = models.CharField("formål", max_length=300)
    given_how = models.CharField("afgivet", max_length=16, choices=GivenHow.choices)
    # A signed form: stored under MEDIA_ROOT, never served as media (only consent.views.consent_form_download,
    # which checks access and audits, hands it out).
    signed_form = models.FileField("underskrevet erklæring", upload_to=consent_form_path, max_length=255, blank=True)
    signed_form_size = models.PositiveBigIntegerField("størrelse (bytes)", null=True, blank=True)
    witness_name = models.CharField("vidnets navn", max_length=200, blank=True)
    witness_role = models.CharField("vidnets stilling", max_length=200, blank=True)
    given_on = models.DateField("givet den")
    expires_on = models.DateField("gyldigt til og med")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_by_organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name="registreret af enhed"
    )
    recorded_at = models.DateTimeField("registreret")
    # Set with the ConsentRevocation, in its transaction: consent_live_for reads it (no join needed).
    revoked_at = models.DateTimeField("tilbagekaldt (registreret)", null=True, blank=True)

    class Meta:
        ordering = ["-given_on", "-recorded_at"]
        verbose_name = "samtykke"
        verbose_name_plural = "samtykker"
        indexes = [models.Index(fields=["person", "expires_on"], name="consent_person_expires")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__gt=models.F("given_on")), name="consent_expires_after_given"
            ),
        ]

    def __str__(self) -> str:
        # No name, no purpose: str() ends up in logs.
        return f"Samtykke {self.pk}"

    def is_live_on(self, day) -> bool:
        return self.revoked_at is None and self.given_on <= day <= self.expires_on


class ConsentScope(models.Model):
    consent = models.ForeignKey(Consent, on_delete=models.CASCADE, related_name="scopes")
    recipient = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name="myndighed"
    )
    category = models.CharField("oplysninger", max_length=40, choices=DataCategory.choices)

    class Meta:
        ordering = ["recipient__name", "category"]
        verbose_name = "samtykkets omfang"
        verbose_name_plural = "samtykkets omfang"
        constraints = [
            models.UniqueConstraint(fields=["consent", "recipient", "category"], name="consent_scope_unique"),
        ]
        indexes = [models.Index(fields=["recipient", "category"], name="consent_scope_lookup")]

    def __str__(self) -> str:
        return f"{self.recipient_id} / {self.category}"


class ConsentRevocation(BaseModel):
    consent = models.OneToOneField(Consent, on_delete=models.PROTECT, related_name="revocation")
    revoked_on = models.DateField("tilbagekaldt af borgeren den")
    reason = models.TextField("begrundelse", max_length=1000)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_by_organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("registreret")

    class Meta:
        verbose_name = "tilbagekaldelse af samtykke"
        verbose_name_plural = "tilbagekaldelser af samtykke"

    def __str__(self) -> str:
        return f"Tilbagekaldelse {self.pk}"


class ConsentOverride(BaseModel):
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="consent_overrides")
    recipient = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    category = models.CharField("oplysninger", max_length=40, choices=DataCategory.choices)
    purpose = models.CharField("formål", max_length=300, blank=True)
    reason = models.TextField("begrundelse", max_length=1000)
    acting_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("tidspunkt", db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "videregivelse uden samtykke"
        verbose_name_plural = "videregivelser uden samtykke"
        indexes = [models.Index(fields=["organisation", "-at"], name="consent_override_org_at")]

    def __str__(self) -> str:
        return f"Tilsidesættelse {self.pk}"
