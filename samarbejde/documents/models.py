from django.conf import settings
from django.db import models
from django.utils.translation import gettext_noop

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


# --- Public documents: guides, analyses and blank forms on /dokumenter/ -----------------------------------


class PublicDocumentCategory(models.TextChoices):
    """The groups on /dokumenter/, in the order shown."""

    # Danish labels, marked for the catalogue: /dokumenter/ shows them translated (public.views.Localised).
    GUIDANCE = "guidance", gettext_noop("Vejledninger")
    ANALYSIS = "analysis", gettext_noop("Analyser")
    FORM = "form", gettext_noop("Blanketter")
    CONTACTS = "contacts", gettext_noop("Kontakter")


CATEGORY_ORDER = {value: index for index, value in enumerate(PublicDocumentCategory.values)}


class PublicDocument(BaseModel):
    """A public document (a title on /dokumenter/); its content is its versions, newest first.

    Administrators maintain it in the admin, written through documents.services. A document without a version
    is listed as not yet published; an unpublished one (`published` off) is neither listed nor served.
    """

    slug = models.SlugField(
        "adresse",
        max_length=100,
        unique=True,
        help_text="Bruges i adressen (fx /dokumenter/guide-afsonere/) og i filnavnet. Små bogstaver, tal og bindestreger.",
    )
    title = models.CharField("titel", max_length=200)
    description = models.TextField("beskrivelse", max_length=1000, blank=True)
    availability = models.CharField(
        "tilgængelighed",
        max_length=300,
        blank=True,
        help_text="Vises under beskrivelsen, fx hvor dokumentet ellers findes, eller hvem der udfylder blanketten.",
    )
    category = models.CharField("kategori", max_length=20, choices=PublicDocumentCategory.choices)
    sort_order = models.PositiveSmallIntegerField("rækkefølge", default=0)
    published = models.BooleanField(
        "vises offentligt", default=True, help_text="Slå fra for at fjerne dokumentet fra /dokumenter/."
    )

    class Meta:
        ordering = ["sort_order", "title"]
        verbose_name = "offentligt dokument"
        verbose_name_plural = "offentlige dokumenter"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("public:document_file", args=[self.slug])


def public_document_path(instance: "PublicDocumentVersion", filename: str) -> str:
    """public_documents/<document id>/v<N>-<random>.pdf: every version has its own file, never overwritten."""
    import uuid

    return f"public_documents/{instance.document_id}/v{instance.number}-{uuid.uuid4().hex}.pdf"


class PublicDocumentVersion(models.Model):
    """One uploaded PDF of a public document. Never changed or deleted once written (a new upload is a new
    version); stored under MEDIA_ROOT and served only by public.views.document_file."""

    document = models.ForeignKey(PublicDocument, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField("version")
    file = models.FileField("fil", upload_to=public_document_path, max_length=255)
    size = models.PositiveBigIntegerField("størrelse (bytes)")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_at = models.DateTimeField("lagt op")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="lagt op af"
    )
    note = models.CharField("bemærkning", max_length=300, blank=True)

    class Meta:
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="public_document_version_unique_number"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="public_document_version_number_positive"),
        ]
        verbose_name = "version af offentligt dokument"
        verbose_name_plural = "versioner af offentlige dokumenter"

    def __str__(self) -> str:
        return f"Version {self.number}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("public:document_version_file", args=[self.document.slug, self.number])

    @property
    def download_name(self) -> str:
        """The file name a browser saves it as: the document's address and the version, no personal data."""
        return f"{self.document.slug}-v{self.number}.pdf"
