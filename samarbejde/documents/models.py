from django.conf import settings
from django.db import models

from samarbejde.core.models import BaseModel


class FormKind(models.TextChoices):
    """The two forms KRFO helps an inmate with at admission (the seed page, "Ved fængsling")."""

    DIGITAL_POST_EXEMPTION = "digital_post_exemption", "Ansøgning om fritagelse for Digital Post"
    RELATIVE_READ_ACCESS = "relative_read_access", "Ansøgning om læseadgang til Digital Post for en pårørende"


class FormStatus(models.TextChoices):
    PREPARED = "prepared", "Udfyldt"
    SIGNED = "signed", "Underskrevet af den indsatte"
    SENT = "sent", "Sendt til borgerservice"
    GRANTED = "granted", "Bevilget"
    REFUSED = "refused", "Afslået"


# The guarded life cycle: which status may follow which.
TRANSITIONS: dict[str, frozenset[str]] = {
    FormStatus.PREPARED: frozenset({FormStatus.SIGNED}),
    FormStatus.SIGNED: frozenset({FormStatus.SENT}),
    FormStatus.SENT: frozenset({FormStatus.GRANTED, FormStatus.REFUSED}),
    FormStatus.GRANTED: frozenset(),
    FormStatus.REFUSED: frozenset(),
}


class InmateForm(BaseModel):
    """A prefilled form for an inmate, printed as a PDF, signed on paper and sent to borgerservice.

    `episode` is the custody episode during which it was made (empty when made outside one).
    The relative's name and CPR are only filled for read access for a relative.
    """

    kind = models.CharField("blanket", max_length=40, choices=FormKind.choices)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="inmate_forms")
    episode = models.ForeignKey(
        "custody.Episode", null=True, blank=True, on_delete=models.PROTECT, related_name="inmate_forms"
    )
    home_municipality = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField("begrundelse", max_length=1000, blank=True)
    relative_name = models.CharField("den pårørendes navn", max_length=200, blank=True)
    relative_cpr = models.CharField("den pårørendes CPR-nummer", max_length=10, blank=True)
    relative_relation = models.CharField("relation til den indsatte", max_length=100, blank=True)
    status = models.CharField(max_length=16, choices=FormStatus.choices, default=FormStatus.PREPARED)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    prepared_by_organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "blanket til indsat"
        verbose_name_plural = "blanketter til indsatte"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("documents:form_detail", args=[self.pk])

    @property
    def next_statuses(self) -> list[tuple[str, str]]:
        allowed = TRANSITIONS[self.status]
        return [(value, label) for value, label in FormStatus.choices if value in allowed]


class InmateFormStatusChange(models.Model):
    """History of a form's status: who moved it, when, with an optional note."""

    form = models.ForeignKey(InmateForm, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(max_length=16, choices=FormStatus.choices)
    note = models.CharField("bemærkning", max_length=500, blank=True)
    changed_at = models.DateTimeField(auto_now_add=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_status_display()} ({self.changed_at:%Y-%m-%d %H:%M})"
