from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone


class User(AbstractUser):
    """A person at work. What they may do comes from their memberships (organisation + role).

    `active_membership` is set per request by CurrentMembershipMiddleware (and by commands and API
    authentication); it is not stored on the user.
    """

    title = models.CharField("stillingsbetegnelse", max_length=120, blank=True)
    # An organisation's API service user (api.services.service_membership_for): acts for a machine, so it is
    # never offered as a colleague to assign work to, and never logs in.
    is_service_account = models.BooleanField("servicebruger (API)", default=False)
    phone = models.CharField("telefon", max_length=40, blank=True)

    class Meta:
        verbose_name = "bruger"
        verbose_name_plural = "brugere"

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class EnrolmentCode(models.Model):
    """A one-time code an administrator gives a user to enrol a TOTP app (ADR 0009).

    Only an HMAC of the code is stored; the code itself is shown once, when it is issued. It is used up by the
    first successful enrolment step, and an administrator issuing a new one ends every earlier one.
    """

    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="enrolment_codes", verbose_name="bruger"
    )
    code_hash = models.CharField("kode (HMAC)", max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField("oprettet", default=timezone.now)
    created_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="oprettet af",
    )
    expires_at = models.DateTimeField("udløber")
    used_at = models.DateTimeField("brugt", null=True, blank=True)

    class Meta:
        verbose_name = "tilmeldingskode (totrinsbekræftelse)"
        verbose_name_plural = "tilmeldingskoder (totrinsbekræftelse)"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Tilmeldingskode til {self.user} ({self.created_at:%Y-%m-%d %H:%M})"
