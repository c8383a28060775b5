from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.urls import reverse

from samarbejde.core.models import BaseModel
from samarbejde.organisations.roles import (
    ROLE_ORG_KINDS,
    DepartmentKind,
    InstitutionType,
    OrgKind,
    Role,
    capabilities_of,
)


class Region(models.Model):
    """One of the 5 Danish regions (reference data; code from DAWA, e.g. 1084)."""

    code = models.CharField("regionskode", max_length=4, unique=True)
    name = models.CharField("navn", max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "region"
        verbose_name_plural = "regioner"

    def __str__(self) -> str:
        return self.name


class Organisation(BaseModel):
    """Any authority that takes part: KRFO units, municipalities, Udbetaling Danmark, police districts.

    `code` is the stable public key: a municipality's 3-digit kommunekode ("101"), a police district's
    DAWA code ("1470"), a slug for the others ("krfo-vestre-faengsel").
    `region` and `police_district` are set for municipalities only.
    """

    kind = models.CharField("type", max_length=32, choices=OrgKind.choices, db_index=True)
    code = models.CharField("kode", max_length=64, unique=True)
    name = models.CharField("navn", max_length=200)
    institution_type = models.CharField("institutionstype", max_length=32, choices=InstitutionType.choices, blank=True)
    region = models.ForeignKey(
        Region, verbose_name="region", null=True, blank=True, on_delete=models.PROTECT, related_name="organisations"
    )
    police_district = models.ForeignKey(
        "self",
        verbose_name="politikreds",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="municipalities",
        limit_choices_to={"kind": OrgKind.POLICE_DISTRICT},
    )
    address = models.CharField("adresse", max_length=300, blank=True)
    phone = models.CharField("telefon", max_length=40, blank=True)
    email = models.EmailField("funktionspostkasse", blank=True)
    website = models.URLField("hjemmeside", blank=True)
    is_active = models.BooleanField("aktiv", default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "organisation"
        verbose_name_plural = "organisationer"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=OrgKind.MUNICIPALITY) | Q(region__isnull=True, police_district__isnull=True),
                name="org_region_only_for_municipalities",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.kind == OrgKind.MUNICIPALITY and not self.name.endswith("Kommune") and "kommune" not in self.name:
            return f"{self.name} Kommune"
        return self.name

    @property
    def is_krfo(self) -> bool:
        from samarbejde.organisations.roles import KRFO_KINDS

        return self.kind in KRFO_KINDS

    @property
    def is_municipality(self) -> bool:
        return self.kind == OrgKind.MUNICIPALITY


class Department(BaseModel):
    """A unit inside an organisation that receives work: a municipality's jobcenter, ydelse, ...

    `kind` is the function that routing rules name; `name` is what the municipality calls it.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="departments")
    kind = models.CharField("funktion", max_length=32, choices=DepartmentKind.choices)
    name = models.CharField("navn", max_length=200)
    email = models.EmailField("funktionspostkasse", blank=True)

    class Meta:
        ordering = ["organisation__name", "kind"]
        verbose_name = "afdeling"
        verbose_name_plural = "afdelinger"
        constraints = [models.UniqueConstraint(fields=["organisation", "kind"], name="department_unique_kind")]

    def __str__(self) -> str:
        return f"{self.name}, {self.organisation.display_name}"


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True, organisation__is_active=True, user__is_active=True)


class Membership(BaseModel):
    """A user's job in one organisation: the organisation, optionally a department, and a role.

    A user may hold several; the one in use is chosen in the header and kept in the session.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships")
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField("rolle", max_length=32, choices=Role.choices)
    is_active = models.BooleanField("aktiv", default=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name", "role"]
        verbose_name = "tilknytning"
        verbose_name_plural = "tilknytninger"
        constraints = [
            # Two partial constraints instead of nulls_distinct=False, which SQLite lacks.
            models.UniqueConstraint(
                fields=["user", "organisation", "department", "role"],
                condition=Q(department__isnull=False),
                name="membership_unique_with_department",
            ),
            models.UniqueConstraint(
                fields=["user", "organisation", "role"],
                condition=Q(department__isnull=True),
                name="membership_unique_without_department",
            ),
        ]

    def __str__(self) -> str:
        where = self.organisation.display_name
        if self.department_id:
            where = f"{self.department.name}, {where}"
        return f"{self.get_role_display()} – {where}"

    def clean(self) -> None:
        allowed = ROLE_ORG_KINDS.get(self.role, frozenset())
        if self.organisation_id and self.organisation.kind not in allowed:
            raise ValidationError({"role": "Rollen kan ikke bruges i denne type organisation."})
        if self.department_id and self.department.organisation_id != self.organisation_id:
            raise ValidationError({"department": "Afdelingen hører ikke til organisationen."})

    @property
    def capabilities(self) -> frozenset[str]:
        return capabilities_of(self.role)

    def can(self, capability: str) -> bool:
        return self.is_active and capability in self.capabilities


class ContactFunction(models.TextChoices):
    """The same five functions on every municipal page, plus KRFO's own contact persons."""

    MAIN = "main", "Hovedkontakt"
    ADMISSION = "admission", "Ved indsættelse"
    RELEASE = "release", "Ved løsladelse"
    REMAND = "remand", "Ved varetægtsfængsling"
    GANG_EXIT = "gang_exit", "Exit (rocker/bande)"
    KRFO_CONTACT = "krfo_contact", "Kriminalforsorgens kontaktperson"


MUNICIPAL_FUNCTIONS = [f for f in ContactFunction if f != ContactFunction.KRFO_CONTACT]


class Contact(BaseModel):
    """A directory entry: which unit of an organisation handles a function, and how to reach it.

    For municipalities this is also the routing table: rules say which *function* must be told;
    the contact says which unit (and department) that is. KRFO contact persons belong to a KRFO unit
    and list the municipalities they cover in `covers`.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="contacts")
    function = models.CharField("funktion", max_length=32, choices=ContactFunction.choices)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts"
    )
    unit_name = models.CharField("enhed", max_length=200)
    person_name = models.CharField("kontaktperson", max_length=200, blank=True)
    address = models.CharField("adresse", max_length=300, blank=True)
    secure_mailbox = models.EmailField("sikker postkasse", blank=True)
    phone = models.CharField("telefon", max_length=40, blank=True)
    opening_hours = models.CharField("åbningstid", max_length=200, blank=True)
    notes = models.TextField("bemærkninger", blank=True, max_length=1000)
    covers = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="krfo_contacts",
        limit_choices_to={"kind": OrgKind.MUNICIPALITY},
        verbose_name="dækker kommuner",
    )
    sort_order = models.PositiveSmallIntegerField(default=0)
    # Made by the demo loader (`make run`): illustrative, not a fact. Shown with a visible "demo data" mark.
    is_demo = models.BooleanField("demodata", default=False)

    class Meta:
        ordering = ["organisation__name", "sort_order", "function", "unit_name"]
        verbose_name = "kontakt"
        verbose_name_plural = "kontakter"

    def __str__(self) -> str:
        return f"{self.get_function_display()}: {self.unit_name}"

    # The fields a change request may propose; also the snapshot kept in the history.
    EDITABLE_FIELDS = ("unit_name", "person_name", "address", "secure_mailbox", "phone", "opening_hours", "notes")

    def snapshot(self) -> dict[str, str]:
        return {field: getattr(self, field) for field in self.EDITABLE_FIELDS}


class NoticeRoute(BaseModel):
    """One line of a municipality's routing table: which of its units receives which notices.

    Notification rules say *what* must be told to *which function* (a routing topic such as "benefits",
    optionally narrowed by a subject such as the benefit "kontanthjaelp"); this says which unit (department,
    with its functional mailbox) that is in this municipality. The most specific line wins (topic and
    subject before topic alone); with no line the default routing of the rules applies. The topics and
    subjects are declared by the notifications app (organisations.routing), so they are plain text here.
    Written only by organisations.services (notice_route_save, notice_route_delete, an approved change request).
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="notice_routes")
    topic = models.CharField("underretning om", max_length=32)
    subject = models.CharField("når borgeren modtager", max_length=32, blank=True)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="notice_routes", verbose_name="modtagende enhed"
    )
    note = models.CharField("bemærkning", max_length=300, blank=True)

    class Meta:
        ordering = ["organisation__name", "topic", "subject"]
        verbose_name = "fordeling af underretninger"
        verbose_name_plural = "fordeling af underretninger"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "topic", "subject"], name="notice_route_unique"),
        ]

    def __str__(self) -> str:
        from samarbejde.organisations.routing import route_condition_label

        return f"{route_condition_label(self.topic, self.subject)} → {self.department.name}"

    EDITABLE_FIELDS = ("topic", "subject", "department_id", "note")

    def snapshot(self) -> dict[str, str]:
        return {
            "topic": self.topic,
            "subject": self.subject,
            "department": str(self.department_id) if self.department_id else "",
            "department_name": self.department.name if self.department_id else "",
            "note": self.note,
        }


class ChangeRequestStatus(models.TextChoices):
    PENDING = "pending", "Afventer behandling"
    APPROVED = "approved", "Godkendt"
    REJECTED = "rejected", "Afvist"


class ChangeTarget(models.TextChoices):
    CONTACT = "contact", "Kontakt"
    ROUTE = "route", "Fordeling af underretninger"


# The reviewers' list order: pending first. One expression for the list (organisations.selectors) and the index
# that serves it, so that PostgreSQL sees the same expression in both.
PENDING_FIRST = Case(When(status="pending", then=Value(0)), default=Value(1), output_field=IntegerField())


class ContactChangeRequest(BaseModel):
    """A proposed change to the directory: a contact (or a new contact when `contact` is empty), or a line of the
    municipality's routing table (`target` "route": which unit receives which notices; `route_department` empty
    means: remove the line, the default routing applies again).

    Replaces "send changes to god.losladelse@krfo.dk": an administrator approves or rejects with a
    reason. Approved requests keep the state before and after: that is the history.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="contact_change_requests", verbose_name="kommune"
    )
    target = models.CharField("ændring af", max_length=16, choices=ChangeTarget.choices, default=ChangeTarget.CONTACT)
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="change_requests"
    )
    route = models.ForeignKey(
        NoticeRoute, null=True, blank=True, on_delete=models.SET_NULL, related_name="change_requests"
    )
    route_topic = models.CharField("underretning om", max_length=32, blank=True)
    route_subject = models.CharField("når borgeren modtager", max_length=32, blank=True)
    route_department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="modtagende enhed",
    )
    function = models.CharField("funktion", max_length=32, choices=ContactFunction.choices, blank=True)
    unit_name = models.CharField("enhed", max_length=200, blank=True)
    person_name = models.CharField("kontaktperson", max_length=200, blank=True)
    address = models.CharField("adresse", max_length=300, blank=True)
    secure_mailbox = models.EmailField("sikker postkasse", blank=True)
    phone = models.CharField("telefon", max_length=40, blank=True)
    opening_hours = models.CharField("åbningstid", max_length=200, blank=True)
    notes = models.TextField("bemærkninger", blank=True, max_length=1000)
    message = models.TextField("begrundelse", blank=True, max_length=2000)
    status = models.CharField(
        max_length=16, choices=ChangeRequestStatus.choices, default=ChangeRequestStatus.PENDING, db_index=True
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="foreslået af"
    )
    proposed_by_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField("begrundelse for afgørelse", blank=True, max_length=2000)
    before = models.JSONField("før", null=True, blank=True)
    after = models.JSONField("efter", null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "ændringsforslag"
        verbose_name_plural = "ændringsforslag"
        indexes = [
            # The public history of one municipality (ADR 0014): its approved changes, newest decision first.
            models.Index(
                fields=["organisation", "-decided_at", "-id"],
                condition=Q(status="approved"),
                name="changerequest_history",
            ),
            # The reviewers' list, pending first then newest first: the expression the list orders by.
            models.Index(
                PENDING_FIRST,
                F("created_at").desc(),
                F("id").desc(),
                name="changerequest_pending_first",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_label} – {self.organisation.display_name} ({self.get_status_display()})"

    @property
    def is_route(self) -> bool:
        return self.target == ChangeTarget.ROUTE

    @property
    def subject_label(self) -> str:
        """What the request is about: the contact's function, or the routing line's topic and subject."""
        if self.is_route:
            from samarbejde.organisations.routing import route_condition_label

            return f"Fordeling: {route_condition_label(self.route_topic, self.route_subject)}"
        return self.get_function_display()

    def proposed(self) -> dict[str, str]:
        if self.is_route:
            return {
                "topic": self.route_topic,
                "subject": self.route_subject,
                "department": str(self.route_department_id) if self.route_department_id else "",
                "department_name": self.route_department.name if self.route_department_id else "",
                "note": self.notes,
            }
        return {field: getattr(self, field) for field in Contact.EDITABLE_FIELDS}

    def get_absolute_url(self) -> str:
        return reverse("organisations:change_request_detail", args=[self.pk])
