"""The handleplan: one per custody episode, with areas, goals and actions, shared area by area with the home
municipality (on a legal basis or on the client's consent), versioned on every save.

Change everything only through action_plans.services: each save raises `ActionPlan.version` (optimistic
locking: a save names the version it was made from) and writes a PlanVersion with the whole plan as JSON, so
the diff page can show what changed.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from samarbejde.consent.categories import DataCategory
from samarbejde.core.models import BaseModel

# The areas of a handleplan, in the order the plan shows them: keys of the shared consent vocabulary.
AREAS: tuple[str, ...] = (
    DataCategory.HOUSING,
    DataCategory.FINANCES,
    DataCategory.EMPLOYMENT,
    DataCategory.ADDICTION,
    DataCategory.HEALTH,
    DataCategory.FAMILY,
    DataCategory.LEISURE,
    DataCategory.CRIMINAL_BEHAVIOUR,
)
AREA_CHOICES = [(key, DataCategory(key).label) for key in AREAS]


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Kladde"
    WRITTEN = "written", "Udarbejdet"
    DONE = "done", "Afsluttet"


class ActionPlan(BaseModel):
    """The handleplan of one custody episode.

    `responsible` is the handleplansansvarlig (a KRFO user; Køreplan step 2), None until appointed.
    `intake_on` is the date of the intake interview (step 3), None until held. The stk. 2 facts (BEK 421/2015)
    that are not custody facts are recorded here; None means not assessed. `municipality` is the home
    municipality the plan is shared with (set when an area is first shared). `written_at` is when the plan
    was first marked written (the deadline is met then).
    """

    episode = models.OneToOneField("custody.Episode", on_delete=models.PROTECT, related_name="action_plan")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="action_plans")
    status = models.CharField("status", max_length=8, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    version = models.PositiveIntegerField("version", default=1)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    intake_on = models.DateField("indkomstsamtale", null=True, blank=True)
    non_danish_background = models.BooleanField("anden etnisk baggrund end dansk", null=True, blank=True)
    no_suitable_housing = models.BooleanField("ingen passende bolig", null=True, blank=True)
    no_suitable_income = models.BooleanField("ingen passende forsørgelse", null=True, blank=True)
    children_with_support = models.BooleanField("børn med støtteforanstaltninger", null=True, blank=True)
    other_special_reason = models.TextField("andre særlige grunde", blank=True, max_length=1000)
    written_at = models.DateTimeField("udarbejdet", null=True, blank=True)
    municipality = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    municipal_plan_reference = models.CharField("kommunens handleplan (§ 141)", max_length=200, blank=True)

    class Meta:
        verbose_name = "handleplan"
        verbose_name_plural = "handleplaner"
        indexes = [
            models.Index(fields=["municipality", "status"], name="actionplan_municipality_status"),
            # The list (selectors.PLAN_LIST_ORDERING): a keyset page is a range scan of this index (ADR 0013).
            models.Index(fields=["-created_at", "-id"], name="actionplan_list"),
        ]

    def __str__(self) -> str:
        return f"Handleplan {self.pk} ({self.get_status_display()})"


class ShareBasis(models.TextChoices):
    LEGAL = "legal", "Lovgrundlag (koordineringsbekendtgørelsen §§ 1 og 3)"
    CONSENT = "consent", "Borgerens samtykke"


class PlanArea(BaseModel):
    """One area of the plan: the intake assessment, the goals, and whether it is shared with the municipality
    (`share_basis` "" = not shared)."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="areas")
    category = models.CharField("område", max_length=32, choices=AREA_CHOICES)
    assessment = models.TextField("vurdering ved indkomst", blank=True, max_length=4000)
    goals = models.TextField("mål", blank=True, max_length=4000)
    share_basis = models.CharField("delt på grundlag af", max_length=8, choices=ShareBasis.choices, blank=True)
    shared_at = models.DateTimeField("delt", null=True, blank=True)

    class Meta:
        ordering = ["plan", "created_at"]
        verbose_name = "område i handleplan"
        verbose_name_plural = "områder i handleplan"
        constraints = [models.UniqueConstraint(fields=["plan", "category"], name="planarea_one_per_category")]

    def __str__(self) -> str:
        return self.get_category_display()

    @property
    def is_shared(self) -> bool:
        return bool(self.share_basis)


class ResponsibleKind(models.TextChoices):
    KRFO_UNIT = "krfo_unit", "En enhed i Kriminalforsorgen"
    MUNICIPAL_DEPARTMENT = "municipal_department", "En afdeling i kommunen"
    CLIENT = "client", "Klienten selv"
    OTHER = "other", "En anden navngiven aktør"


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Ikke påbegyndt"
    IN_PROGRESS = "in_progress", "I gang"
    DONE = "done", "Gennemført"
    DECLINED = "declined", "Afslået"


class PlanAction(BaseModel):
    """One action of an area. Exactly one responsible party: a KRFO unit or a municipal department (an
    organisation, optionally its department), the client, or another named body (`responsible_other`).
    `added_by` is the organisation that added it (a municipality adds its own commitments)."""

    area = models.ForeignKey(PlanArea, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField("indsats", max_length=500)
    responsible_kind = models.CharField("ansvarlig", max_length=24, choices=ResponsibleKind.choices)
    responsible_organisation = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responsible_department = models.ForeignKey(
        "organisations.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responsible_other = models.CharField("anden ansvarlig", max_length=200, blank=True)
    due_on = models.DateField("frist")
    status = models.CharField("status", max_length=12, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED)
    decline_reason = models.TextField("begrundelse for afslag", blank=True, max_length=1000)
    notes = models.TextField("noter", blank=True, max_length=2000)
    added_by = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["area", "due_on", "created_at"]
        verbose_name = "indsats"
        verbose_name_plural = "indsatser"
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        responsible_kind__in=["krfo_unit", "municipal_department"],
                        responsible_organisation__isnull=False,
                    )
                    & Q(responsible_other="")
                )
                | (
                    Q(responsible_kind="client", responsible_organisation__isnull=True, responsible_other="")
                    & Q(responsible_department__isnull=True)
                )
                | (
                    Q(responsible_kind="other", responsible_organisation__isnull=True)
                    & Q(responsible_department__isnull=True)
                    & ~Q(responsible_other="")
                ),
                name="planaction_exactly_one_responsible",
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""), name="planaction_declined_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"Indsats {self.pk}"

    @property
    def responsible_label(self) -> str:
        if self.responsible_kind == ResponsibleKind.CLIENT:
            return "Klienten selv"
        if self.responsible_kind == ResponsibleKind.OTHER:
            return self.responsible_other
        name = self.responsible_organisation.display_name if self.responsible_organisation_id else ""
        if self.responsible_department_id:
            return f"{self.responsible_department.name}, {name}"
        return name


class PlanComment(BaseModel):
    """A comment on the plan (by KRFO or the municipality), optionally about one area."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="comments")
    area = models.ForeignKey(PlanArea, null=True, blank=True, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    text = models.TextField("kommentar", max_length=2000)

    class Meta:
        ordering = ["created_at"]
        verbose_name = "kommentar til handleplan"
        verbose_name_plural = "kommentarer til handleplan"


class PlanVersion(BaseModel):
    """The plan as it was after one save (`number` = the plan's version then); `data` is the whole plan as JSON
    (no CPR number), `summary` what the save was (Danish)."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("version")
    data = models.JSONField("indhold", default=dict)
    summary = models.CharField("ændring", max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["plan", "-number"]
        verbose_name = "version af handleplan"
        verbose_name_plural = "versioner af handleplan"
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="planversion_unique_number")]


class DeadlineStep(BaseModel):
    """One follow-up of the plan's deadline sent for an episode (reminder before, escalation after): the
    unique constraint makes the sweep idempotent; the row is the source of the notice it sent."""

    episode = models.ForeignKey("custody.Episode", on_delete=models.PROTECT, related_name="+")
    step = models.CharField("trin", max_length=12)
    due_on = models.DateField("frist")

    class Meta:
        verbose_name = "opfølgning på handleplanens frist"
        verbose_name_plural = "opfølgninger på handleplanens frist"
        constraints = [models.UniqueConstraint(fields=["episode", "step"], name="deadlinestep_one_per_step")]
