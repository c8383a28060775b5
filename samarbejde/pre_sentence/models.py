"""§ 808 personundersøgelser: KiF's investigation of a person before a judgment, and its information requests.

An Investigation is the matter (the notices' thread): a person, the court and the hearing date, open until KiF
closes it. Each InformationRequest asks one body (the person's municipality, or another in the directory) its
questions, on a legal basis or the person's consent, with an answer date before the hearing; it is the source of
one notice (notifications), which carries the answer and its files. Change both only through
pre_sentence.services.
"""

from django.conf import settings
from django.db import models

from samarbejde.core.models import BaseModel


class InvestigationStatus(models.TextChoices):
    OPEN = "open", "Åben"
    CLOSED = "closed", "Afsluttet"


class DisclosureBasis(models.TextChoices):
    LEGAL = "legal", "Lovgrundlag"
    CONSENT = "consent", "Samtykke fra borgeren"


class Investigation(BaseModel):
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="pre_sentence_investigations")
    probation_office = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="pre_sentence_investigations",
        verbose_name="KiF-afdeling",
    )
    court = models.CharField("ret", max_length=120)
    hearing_date = models.DateField("retsmøde")
    status = models.CharField(
        "status", max_length=16, choices=InvestigationStatus.choices, default=InvestigationStatus.OPEN
    )
    opened_at = models.DateTimeField("oprettet")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="oprettet af"
    )
    closed_at = models.DateTimeField("afsluttet", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closing_note = models.TextField("bemærkning ved afslutning", blank=True)

    class Meta:
        verbose_name = "personundersøgelse"
        verbose_name_plural = "personundersøgelser"
        indexes = [models.Index(fields=["probation_office", "status", "hearing_date"], name="presentence_list_idx")]

    def __str__(self):
        return f"Personundersøgelse til {self.court}, {self.hearing_date:%d.%m.%Y}"

    @property
    def is_open(self) -> bool:
        return self.status == InvestigationStatus.OPEN


class InformationRequest(BaseModel):
    investigation = models.ForeignKey(Investigation, on_delete=models.PROTECT, related_name="requests")
    recipient = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name="modtager"
    )
    questions = models.TextField("spørgsmål")
    basis = models.CharField("grundlag", max_length=16, choices=DisclosureBasis.choices)
    legal_basis_key = models.CharField("lovgrundlag (nøgle)", max_length=120, blank=True)
    # The consent (consent app) the disclosure rests on, by id: the consent app owns its records.
    consent_ref = models.CharField("samtykke (id)", max_length=64, blank=True)
    answer_due = models.DateField("svarfrist")
    sent_at = models.DateTimeField("sendt")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "anmodning om oplysninger"
        verbose_name_plural = "anmodninger om oplysninger"

    def __str__(self):
        return f"Anmodning om oplysninger til {self.recipient}"
