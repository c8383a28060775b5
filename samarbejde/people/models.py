from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from samarbejde.core.models import BaseModel
from samarbejde.organisations.models import Department, Organisation
from samarbejde.people.cpr import format_cpr, mask_cpr


class PensionKind(models.TextChoices):
    """Social pension the person receives; pension stops during custody (lov om social pension § 46)."""

    NONE = "none", "Ingen pension"
    FOLKEPENSION = "folkepension", "Folkepension"
    FOERTIDSPENSION = "foertidspension", "Førtidspension"


class Benefit(models.TextChoices):
    """The six benefits the municipality decides on at admission (the seed page, process 1)."""

    KONTANTHJAELP = "kontanthjaelp", "Kontanthjælp"
    UDDANNELSESHJAELP = "uddannelseshjaelp", "Uddannelseshjælp"
    REVALIDERING = "revalidering", "Revalidering"
    LEDIGHEDSYDELSE = "ledighedsydelse", "Ledighedsydelse"
    FLEKSYDELSE = "fleksydelse", "Fleksydelse"
    SYGEDAGPENGE = "sygedagpenge", "Sygedagpenge"


MSG_BENEFIT_UNKNOWN = "Ukendt ydelse: %(value)s. Vælg blandt kontanthjælp, uddannelseshjælp, revalidering, ledighedsydelse, fleksydelse og sygedagpenge."
MSG_BENEFITS_NOT_LIST = "Ydelserne skal angives som en liste."
MSG_PENSION_UNKNOWN = "Vælg ingen pension, folkepension eller førtidspension."


def normalize_benefits(values) -> list[str]:
    """Validate a list of Benefit values; return it without duplicates in the canonical order.

    Raises ValidationError with a Danish message naming the unknown value.
    """
    if values is None:
        return []
    if isinstance(values, str) or not isinstance(values, list | tuple | set | frozenset):
        raise ValidationError(MSG_BENEFITS_NOT_LIST, code="benefits_not_list")
    chosen = set()
    for value in values:
        if value not in Benefit.values:
            raise ValidationError(MSG_BENEFIT_UNKNOWN, code="benefit_unknown", params={"value": str(value)[:40]})
        chosen.add(str(value))
    return [value for value in Benefit.values if value in chosen]


def validate_benefits(values) -> None:
    if normalize_benefits(values) != list(values or []):
        raise ValidationError(MSG_BENEFITS_NOT_LIST, code="benefits_not_canonical")


class Person(BaseModel):
    """A citizen the authorities cooperate about. Personal data: every read and write is audited.

    `home_municipality` (bopælskommune) is empty when unknown (e.g. no fixed address).
    `pension` and `benefits` are the person's situation as registered at (the latest) admission: what the
    notification rules need. `benefits` is a list of Benefit values in canonical order (see normalize_benefits);
    a JSON list rather than a related model because it is a small fixed set, read and written as a whole.
    """

    cpr = models.CharField("CPR-nummer", max_length=10, unique=True)
    first_name = models.CharField("fornavn(e)", max_length=120)
    last_name = models.CharField("efternavn", max_length=120)
    address = models.CharField("adresse", max_length=300, blank=True)
    home_municipality = models.ForeignKey(
        Organisation,
        verbose_name="bopælskommune",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="residents",
        limit_choices_to={"kind": "municipality"},
    )
    pension = models.CharField("pension", max_length=20, choices=PensionKind.choices, default=PensionKind.NONE)
    benefits = models.JSONField("ydelser ved indsættelse", default=list, blank=True, validators=[validate_benefits])

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = "person"
        verbose_name_plural = "personer"

    def __str__(self) -> str:
        # Deliberately no CPR: str() ends up in admin lists and log lines.
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_pensioner(self) -> bool:
        return self.pension in (PensionKind.FOLKEPENSION, PensionKind.FOERTIDSPENSION)

    def get_benefits_display(self) -> list[str]:
        labels = dict(Benefit.choices)
        return [labels.get(value, value) for value in self.benefits or []]

    @property
    def cpr_formatted(self) -> str:
        return format_cpr(self.cpr)

    @property
    def cpr_masked(self) -> str:
        return mask_cpr(self.cpr)


class LinkReason(models.TextChoices):
    NOTIFICATION = "notification", "Underretning"
    INFORMATION_REQUEST = "information_request", "Anmodning om oplysninger"
    ACTION_PLAN = "action_plan", "Handleplan"
    RELEASE = "release", "Løsladelse"
    CASE = "case", "Sag"
    # Inside KRFO: the institution that holds (or, for a while, held) the person (custody opens and ends it).
    CUSTODY = "custody", "Indsat i institutionen"
    # A named user's time-boxed, justified access outside their scope ("need access"; listed for the DPO).
    NEED_ACCESS = "need_access", "Begrundet adgang"


class PersonLinkQuerySet(models.QuerySet):
    def live(self, at=None):
        at = at or timezone.now()
        return self.filter(closed_at__isnull=True).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=at))


class PersonLink(BaseModel):
    """A live reason for an organisation to see a person: the only way any organisation does (ADR 0008).

    A flow opens one when it addresses a notice, request, plan or case to an organisation, or when a KRFO
    institution takes a person into custody (`source` points at that record), and closes it when the reason
    ends (people.link_rules). A link with `department` set is still visible to the whole organisation; the
    department says who handles it. A link with `granted_to` is one user's "need access" grant, not the
    organisation's: it carries the user's `justification` and always an expiry.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="links")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="person_links")
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField("grund", max_length=32, choices=LinkReason.choices)
    source_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT)
    # Every source model has a UUID key (core.BaseModel): a UUID column lets access queries join on it.
    source_id = models.UUIDField(null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    granted_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="givet til",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="access_grants",
    )
    justification = models.TextField("begrundelse", blank=True)
    opened_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    close_rule = models.CharField("lukket efter regel", max_length=64, blank=True)

    objects = PersonLinkQuerySet.as_manager()

    class Meta:
        verbose_name = "aktiv henvendelse"
        verbose_name_plural = "aktive henvendelser"
        indexes = [
            models.Index(fields=["organisation", "closed_at"], name="personlink_org_open"),
            models.Index(fields=["person", "organisation"], name="personlink_person_org"),
            models.Index(fields=["source_type", "source_id"], name="personlink_source"),
            # The data-protection officer's list of "need access" grants, newest first, a keyset page (ADR 0014).
            models.Index(
                fields=["-opened_at", "-id"], condition=Q(reason="need_access"), name="personlink_need_access_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} → {self.organisation.display_name}"

    @property
    def is_live(self) -> bool:
        now = timezone.now()
        return self.closed_at is None and (self.expires_at is None or self.expires_at > now)

    @property
    def state_label(self) -> str:
        """Danish: closed, expired (not yet swept) or live; e.g. on the DPO's list of need-access grants."""
        if self.closed_at is not None:
            return "Lukket"
        return "Aktiv" if self.is_live else "Udløbet"
