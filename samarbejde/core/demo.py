"""Demo data for `make run`: a user per role across several organisations, and a directory that has
content on every municipal page. Idempotent: run it on every start. Never load it in production.

The contact details generated here are illustrative (mailboxes end in .invalid), not facts.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.text import slugify

from samarbejde.organisations.models import Contact, ContactFunction, Department, Organisation
from samarbejde.organisations.roles import DepartmentKind, OrgKind, Role
from samarbejde.organisations.services import membership_grant

DEMO_PASSWORD = "Samarbejde-demo-2026"


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    memberships: tuple[tuple[str, str, str], ...]  # (organisation code, role, department kind or "")


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", "Anne", "Administrator", (("krfo-direktoratet", Role.ADMINISTRATOR, ""),)),
    DemoUser("krfo.sagsbehandler", "Karin", "Kofoed", (("krfo-koebenhavns-faengsler", Role.KRFO_CASE_WORKER, ""),)),
    DemoUser("krfo.leder", "Lars", "Lund", (("krfo-storstroem", Role.KRFO_MANAGER, ""),)),
    DemoUser("kif.tilsyn", "Kasper", "Frost", (("krfo-kif-hovedstaden", Role.PROBATION_OFFICER, ""),)),
    DemoUser("unge.tilsyn", "Ulla", "Nygaard", (("krfo-ungekriminalforsorgen", Role.YOUTH_SUPERVISOR, ""),)),
    DemoUser("kbh.sagsbehandler", "Mette", "Holm", (("101", Role.MUNICIPAL_CASE_WORKER, DepartmentKind.BENEFITS),)),
    DemoUser("kbh.koordinator", "Peter", "Krogh", (("101", Role.MUNICIPAL_COORDINATOR, ""),)),
    DemoUser("aarhus.sagsbehandler", "Sofie", "Dam", (("751", Role.MUNICIPAL_CASE_WORKER, DepartmentKind.JOBCENTER),)),
    DemoUser("aarhus.koordinator", "Jens", "Bach", (("751", Role.MUNICIPAL_COORDINATOR, ""),)),
    DemoUser("odense.koordinator", "Hanne", "Friis", (("461", Role.MUNICIPAL_COORDINATOR, ""),)),
    DemoUser("politi.kbh", "Morten", "Vang", (("1470", Role.POLICE_OFFICER, ""),)),
    DemoUser("udk.medarbejder", "Birgit", "Skov", (("udbetaling-danmark", Role.UDK_OFFICER, ""),)),
    DemoUser(
        "krfo.flere",
        "Niels",
        "Mikkelsen",
        (
            ("krfo-koebenhavns-faengsler", Role.KRFO_CASE_WORKER, ""),
            ("krfo-kif-hovedstaden", Role.PROBATION_OFFICER, ""),
        ),
    ),
)

# Which KiF office is KRFO's contact for a municipality: by region, Fyn (codes 4xx) apart.
KIF_BY_REGION = {
    "1084": "krfo-kif-hovedstaden",
    "1085": "krfo-kif-sjaelland",
    "1083": "krfo-kif-syd",
    "1082": "krfo-kif-midt",
    "1081": "krfo-kif-nord",
}

CONTACT_TEMPLATES = {
    ContactFunction.MAIN: (
        "Kommunens koordinator for God løsladelse",
        DepartmentKind.SOCIAL,
        "godloesladelse",
        "Man-fre 9-15",
    ),
    ContactFunction.ADMISSION: ("Ydelsesservice", DepartmentKind.BENEFITS, "indsaettelse", "Man-tor 9-15, fre 9-13"),
    ContactFunction.RELEASE: ("Socialcenter, team for løsladte", DepartmentKind.SOCIAL, "loesladelse", "Man-fre 9-14"),
    ContactFunction.REMAND: (
        "Borgerservice og akut hjælp",
        DepartmentKind.CITIZEN_SERVICE,
        "varetaegt",
        "Man-fre 10-15",
    ),
    ContactFunction.GANG_EXIT: ("Exit-enheden", DepartmentKind.SOCIAL, "exit", "Efter aftale"),
}


def _slug(org: Organisation) -> str:
    return slugify(org.name.replace(" Kommune", "").replace("æ", "ae").replace("ø", "oe").replace("å", "aa"))


@transaction.atomic
def load_demo_users() -> int:
    User = get_user_model()
    for demo in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=demo.username,
            defaults={
                "first_name": demo.first_name,
                "last_name": demo.last_name,
                "email": f"{demo.username}@demo.invalid",
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        for code, role, department_kind in demo.memberships:
            organisation = Organisation.objects.get(code=code)
            department = (
                Department.objects.get(organisation=organisation, kind=department_kind) if department_kind else None
            )
            membership_grant(user, organisation=organisation, role=role, department=department)
    return len(DEMO_USERS)


@transaction.atomic
def load_demo_directory() -> int:
    created = 0
    municipalities = Organisation.objects.filter(kind=OrgKind.MUNICIPALITY).select_related("police_district", "region")
    departments = {
        (d.organisation_id, d.kind): d for d in Department.objects.filter(organisation__kind=OrgKind.MUNICIPALITY)
    }
    has_contacts = set(Contact.objects.values_list("organisation_id", flat=True))
    new_contacts = []
    for municipality in municipalities:
        if municipality.pk in has_contacts:
            continue
        slug = _slug(municipality)
        short = municipality.name  # "Københavns Kommune": the full name reads right in every unit name
        for order, (function, (unit, dept_kind, local, hours)) in enumerate(CONTACT_TEMPLATES.items()):
            unit_name = (
                f"{unit}, {short}"
                if function != ContactFunction.GANG_EXIT
                else f"{unit}, {municipality.police_district.name}"
            )
            notes = ""
            if function == ContactFunction.ADMISSION:
                notes = "Hvis borgeren modtager kontant- eller uddannelseshjælp. Førtidspension: socialcentrets ydelsesenhed og Udbetaling Danmark."
            new_contacts.append(
                Contact(
                    organisation=municipality,
                    function=function,
                    department=departments.get((municipality.pk, dept_kind)),
                    unit_name=unit_name,
                    address=f"Rådhuset, {short}",
                    secure_mailbox=f"{local}@{slug}.kommune.invalid",
                    phone=f"70 {int(municipality.code):03d} {order}00",
                    opening_hours=hours,
                    notes=notes,
                    sort_order=order,
                )
            )
    Contact.objects.bulk_create(new_contacts)
    created += len(new_contacts)
    # KRFO's contact persons, one per KiF office, covering its municipalities.
    for region_code, kif_code in KIF_BY_REGION.items():
        kif = Organisation.objects.get(code=kif_code)
        contact, made = Contact.objects.get_or_create(
            organisation=kif,
            function=ContactFunction.KRFO_CONTACT,
            defaults={
                "unit_name": "Kontaktperson for kommunerne",
                "person_name": f"Kontaktperson i {kif.name.split(', ')[-1]}",
                "secure_mailbox": f"kommunekontakt@{kif_code}.krfo.invalid",
                "phone": "72 55 00 00",
                "opening_hours": "Man-fre 8-15",
            },
        )
        if made:
            covered = municipalities.filter(region__code=region_code)
            if kif_code == "krfo-kif-syd":
                covered = covered.exclude(code__startswith="4")
            contact.covers.set(covered)
            created += 1
    fyn, made = Contact.objects.get_or_create(
        organisation=Organisation.objects.get(code="krfo-kif-fyn"),
        function=ContactFunction.KRFO_CONTACT,
        defaults={
            "unit_name": "Kontaktperson for kommunerne",
            "person_name": "Kontaktperson i Fyn",
            "secure_mailbox": "kommunekontakt@krfo-kif-fyn.krfo.invalid",
            "phone": "72 55 00 00",
            "opening_hours": "Man-fre 8-15",
        },
    )
    if made:
        # Funen's municipalities are Region Syddanmark's 4xx codes (Bornholm, 400, is in Hovedstaden).
        fyn.covers.set(municipalities.filter(region__code="1083", code__startswith="4"))
        created += 1
    return created
