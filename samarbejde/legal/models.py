import re

from django.db import models

from samarbejde.core.models import BaseModel


def paragraph_key(act_key: str, reference: str) -> str:
    """The stable key of a paragraph: the act's key, plus the reference's numbers for a provision.

    "§ 46" -> "social-pension:46"; "§ 3, stk. 1" -> "koordineringsbekendtgoerelsen:3-1"; "" -> the act's key.
    """
    numbers = re.findall(r"\d+[a-z]?", (reference or "").lower())
    return f"{act_key}:{'-'.join(numbers)}" if numbers else act_key


class ActKind(models.TextChoices):
    CONSOLIDATED_ACT = "LBKG", "Lovbekendtgørelse"
    ACT = "LOV", "Lov"
    EXECUTIVE_ORDER = "BEK", "Bekendtgørelse"
    CIRCULAR = "CIR", "Cirkulære"
    CIRCULAR_LETTER = "CIS", "Cirkulæreskrivelse"
    GUIDANCE = "VEJ", "Vejledning"


class Act(BaseModel):
    """A legal act in the catalogue: what every notification, request and disclosure rests on.

    `key` is the stable identifier that rules and reference data use (e.g. "social-pension"): an
    administrator may rename the act (`short_name`) or correct its number without breaking a rule.
    """

    key = models.SlugField("nøgle", max_length=80, unique=True, help_text="Fast nøgle, som reglerne henviser til.")
    short_name = models.CharField("kort navn", max_length=120, unique=True)
    title = models.CharField("fuld titel", max_length=400)
    kind = models.CharField("type", max_length=8, choices=ActKind.choices)
    number = models.CharField("nummer", max_length=20)
    issued_on = models.DateField("dato")
    url = models.URLField("link til retsinformation", blank=True)
    note = models.TextField("bemærkning", blank=True, help_text="F.eks. at det er uafklaret, om reglen stadig gælder.")
    is_verified = models.BooleanField(
        "gældende og efterprøvet", default=True, help_text="Fjern markeringen, hvis det er uvist, om akten gælder."
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "short_name"]
        verbose_name = "retsakt"
        verbose_name_plural = "retsakter"

    def __str__(self) -> str:
        return self.short_name

    @property
    def citation(self) -> str:
        """E.g. 'LBKG nr. 1333 af 9. december 2019'."""
        from django.utils.formats import date_format

        return f"{self.kind} nr. {self.number} af {date_format(self.issued_on, 'DATE_FORMAT')}"


class Paragraph(BaseModel):
    """A provision of an act that the product cites (e.g. '§ 31, stk. 2').

    Later flows reference a Paragraph (or the act as a whole through a paragraph with reference '').
    """

    act = models.ForeignKey(Act, on_delete=models.PROTECT, related_name="paragraphs")
    # Stable: "<act key>" for the act as a whole, "<act key>:<digits of the reference>" ("social-pension:46").
    # Set once (legal.reference.paragraph_key) and never derived again, so editing `reference` breaks nothing.
    key = models.CharField("nøgle", max_length=120, unique=True, help_text="Fast nøgle, som reglerne henviser til.")
    reference = models.CharField("henvisning", max_length=80, help_text="F.eks. '§ 31, stk. 2'.")
    summary = models.CharField("indhold i kort form", max_length=400, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["act__sort_order", "sort_order", "reference"]
        verbose_name = "bestemmelse"
        verbose_name_plural = "bestemmelser"
        constraints = [models.UniqueConstraint(fields=["act", "reference"], name="paragraph_unique_per_act")]

    def __str__(self) -> str:
        return f"{self.act.short_name} {self.reference}".strip()

    def save(self, *args, **kwargs):
        # A paragraph added in the admin gets its key from its act and reference once, when first saved.
        if not self.key and self.act_id:
            self.key = paragraph_key(self.act.key, self.reference)
        super().save(*args, **kwargs)
