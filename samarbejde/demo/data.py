"""Demo data for `make run`: a user per role across several organisations, and a directory that has
content on every municipal page. Idempotent: run it on every start. Never load it in production.

The contact details generated here are illustrative (mailboxes end in .invalid), not facts.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.text import slugify

from samarbejde.demo.actors import demo_actor
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
                    is_demo=True,
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
                "is_demo": True,
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
            "is_demo": True,
        },
    )
    if made:
        # Funen's municipalities are Region Syddanmark's 4xx codes (Bornholm, 400, is in Hovedstaden).
        fyn.covers.set(municipalities.filter(region__code="1083", code__startswith="4"))
        created += 1
    # Older demo databases: mark what the loader made (its mailboxes end in .invalid).
    Contact.objects.filter(secure_mailbox__endswith=".invalid", is_demo=False).update(is_demo=True)
    load_demo_routing()
    load_demo_krfo_contact_details()
    return created


# København's units and routing as in the domain brief (kriminalforsorgen.dk, Københavns Kommune's page): the
# folkeregister notice to Folkeregisteret; benefit notices to Ydelsesservice for kontant- and uddannelseshjælp;
# førtidspension to the social centre's benefits unit (and Udbetaling Danmark, by the rules). Illustrative names
# and mailboxes (.invalid), so that the demo shows a municipality with routing of its own.
KBH_UNITS = {
    DepartmentKind.BENEFITS: (
        "Ydelsesservice, Beskæftigelses- og Integrationsforvaltningen",
        "ydelsesservice@kk.invalid",
    ),
    DepartmentKind.CITIZEN_SERVICE: ("Folkeregisteret", "folkeregisteret@kk.invalid"),
    DepartmentKind.SOCIAL: ("Socialcenter København (ydelser og handleplaner)", "socialcenter@kk.invalid"),
    DepartmentKind.JOBCENTER: ("Jobcenter København", "jobcenter@kk.invalid"),
}
KBH_ROUTES = (
    # (topic, subject, unit kind, note)
    ("benefits", "kontanthjaelp", DepartmentKind.BENEFITS, "Borgere, der modtager kontanthjælp."),
    ("benefits", "uddannelseshjaelp", DepartmentKind.BENEFITS, "Borgere, der modtager uddannelseshjælp."),
    ("admission", "", DepartmentKind.BENEFITS, "Borgere uden ydelser; overførsel og løsladelse."),
    ("cpr_register", "", DepartmentKind.CITIZEN_SERVICE, "Sikker post med emnet »Att.: Folkeregisteret«."),
    (
        "pension",
        "foertidspension",
        DepartmentKind.SOCIAL,
        "Borgere på førtidspension (Udbetaling Danmark får også besked).",
    ),
)


@transaction.atomic
def load_demo_routing() -> int:
    """København's unit names, mailboxes and routing lines (idempotent; edits made since are kept)."""
    from samarbejde.organisations.models import NoticeRoute

    kbh = Organisation.objects.get(code="101")
    units = {d.kind: d for d in Department.objects.filter(organisation=kbh)}
    for kind, (name, mailbox) in KBH_UNITS.items():
        unit = units.get(kind)
        if unit is not None and unit.name == DepartmentKind(kind).label:  # never renamed since
            unit.name, unit.email = name, unit.email or mailbox
            unit.save(update_fields=["name", "email", "updated_at"])
    created = 0
    for topic, subject, kind, note in KBH_ROUTES:
        _line, made = NoticeRoute.objects.get_or_create(
            organisation=kbh, topic=topic, subject=subject, defaults={"department": units[kind], "note": note}
        )
        created += made
    return created


@transaction.atomic
def load_demo_krfo_contact_details() -> int:
    """Phone numbers and functional mailboxes for KRFO's units that have none (illustrative: the notice pages
    show the sending institution's contact details, and the reference data lists only names and addresses)."""
    updated = 0
    units = Organisation.objects.filter(kind__in=[OrgKind.KRFO_INSTITUTION, OrgKind.PROBATION_OFFICE])
    for number, unit in enumerate(units.order_by("code"), start=10):
        fields = []
        if not unit.phone:
            unit.phone, fields = f"72 55 {number:02d} 00", [*fields, "phone"]
        if not unit.email:
            unit.email, fields = f"{unit.code}@krfo.demo.invalid", [*fields, "email"]
        if fields:
            unit.save(update_fields=[*fields, "updated_at"])
            updated += 1
    return updated


# --- demo cases (issue 3): people in every stage, made through the real services ---------------------


@dataclass(frozen=True)
class DemoPerson:
    cpr: str
    first_name: str
    last_name: str
    address: str
    home: str  # municipality code
    pension: str = "none"
    benefits: tuple[str, ...] = ()


# Fictitious people; the CPR numbers have valid birth dates (stdnum checks the date, not modulus 11).
DEMO_PERSONS = {
    "remanded": DemoPerson(
        "1204851237", "Mads", "Winther", "Amagerbrogade 101, 2300 København S", "101", benefits=("kontanthjaelp",)
    ),
    "serving": DemoPerson(
        "0309521118", "Inger", "Thomsen", "Frederiks Allé 40, 8000 Aarhus C", "751", pension="folkepension"
    ),
    "transferred": DemoPerson(
        "2711992243", "Jonas", "Kjær", "Vesterbro 33, 5000 Odense C", "461", benefits=("uddannelseshjaelp",)
    ),
    "released": DemoPerson(
        "1506781364", "Camilla", "Nørgaard", "Istedgade 80, 1650 København V", "101", benefits=("kontanthjaelp",)
    ),
    "overdue": DemoPerson(
        "0802901455", "Rasmus", "Holt", "Jagtvej 150, 2200 København N", "101", benefits=("kontanthjaelp",)
    ),
    "answered": DemoPerson(
        "2312881526", "Sara", "Lindqvist", "Nørrebrogade 20, 2200 København N", "101", benefits=("kontanthjaelp",)
    ),
}


def _days_ago(days: int, hour: int = 10):
    from datetime import timedelta

    from django.utils import timezone

    local = timezone.localtime()
    return local.replace(hour=hour, minute=0, second=0, microsecond=0) - timedelta(days=days)


@transaction.atomic
def load_demo_cases() -> int:
    """Demo people in every stage, through custody.services and people.services, so the inbox, the
    episode pages and the lists have content. Idempotent: does nothing when the demo persons exist.
    Needs the reference data and load_demo_users(). Returns the number of people created.

    remanded (København, kontanthjælp), serving (Aarhus, folkepension: CPR register and Udbetaling
    Danmark too), transferred (Odense, uddannelseshjælp; new release date), released (København, address
    after release), overdue (København, admitted four weeks ago, unanswered: escalated by the sweep) and
    answered (København: kbh.sagsbehandler has decided on kontanthjælp).
    """
    from samarbejde.custody.models import CustodyType, ReleaseCertainty, ReleaseKind
    from samarbejde.custody.services import (
        episode_admit,
        episode_change_release_date,
        episode_convert_to_sentence,
        episode_release,
        episode_transfer,
    )
    from samarbejde.notifications.services import (
        deadline_sweep,
        notification_acknowledge,
        notification_answer,
        notification_mark_read,
    )
    from samarbejde.people.models import Person
    from samarbejde.people.services import person_register

    if Person.objects.filter(cpr__in=[p.cpr for p in DEMO_PERSONS.values()]).exists():
        return 0
    krfo = demo_actor("krfo.sagsbehandler")  # Københavns Fængsler
    leader = demo_actor("krfo.leder")  # Storstrøm Fængsel
    kbh = demo_actor("kbh.sagsbehandler")  # Københavns Kommune, ydelser
    institutions = {
        o.code: o for o in Organisation.objects.filter(code__in=["krfo-koebenhavns-faengsler", "krfo-storstroem"])
    }
    kbh_prison, storstroem = institutions["krfo-koebenhavns-faengsler"], institutions["krfo-storstroem"]
    municipalities = {o.code: o for o in Organisation.objects.filter(code__in={p.home for p in DEMO_PERSONS.values()})}

    people = {
        key: person_register(
            cpr=p.cpr,
            first_name=p.first_name,
            last_name=p.last_name,
            address=p.address,
            home_municipality=municipalities[p.home],
            pension=p.pension,
            benefits=list(p.benefits),
            acting_user=krfo if p.home != "751" else leader,
        )
        for key, p in DEMO_PERSONS.items()
    }
    today = _days_ago(0).date()

    def benefits_notice(outcome):
        return next(n for n in outcome.notifications if n.rule == "admission.benefits")

    # Remanded yesterday in Københavns Fængsler: a new notice for København.
    episode_admit(
        people["remanded"],
        institution=kbh_prison,
        custody_type=CustodyType.REMAND,
        admitted_at=_days_ago(1, 9),
        acting_user=krfo,
    )

    # Remanded in Storstrøm, judged and now serving about ten months: notices to Aarhus (benefits and
    # pension), the CPR register (stay over 3 months) and Udbetaling Danmark.
    serving = episode_admit(
        people["serving"],
        institution=storstroem,
        custody_type=CustodyType.REMAND,
        admitted_at=_days_ago(4, 11),
        acting_user=leader,
    ).episode
    episode_convert_to_sentence(serving, occurred_at=_days_ago(2, 13), acting_user=leader)
    episode_change_release_date(
        serving,
        expected_release=today.replace(day=1) + _months(10),
        certainty=ReleaseCertainty.DECIDED,
        occurred_at=_days_ago(2, 14),
        acting_user=leader,
    )

    # Admitted in København, moved to Storstrøm: admission and transfer notices for Odense.
    transferred = episode_admit(
        people["transferred"],
        institution=kbh_prison,
        custody_type=CustodyType.SENTENCE,
        admitted_at=_days_ago(7, 10),
        expected_release=today + _months(2),
        certainty=ReleaseCertainty.ESTIMATED,
        acting_user=krfo,
    ).episode
    episode_transfer(transferred, to_institution=storstroem, occurred_at=_days_ago(2, 9), acting_user=krfo)

    # Released three days ago from court, with an address after release; København had answered.
    released = episode_admit(
        people["released"],
        institution=kbh_prison,
        custody_type=CustodyType.REMAND,
        admitted_at=_days_ago(40, 10),
        acting_user=krfo,
    )
    notification_answer(
        benefits_notice(released),
        decisions={"kontanthjaelp": {"code": "stopped", "effective_date": _days_ago(39).date()}},
        text="Kontanthjælpen er standset under varetægtsfængslingen. Borgeren kontakter jobcentret ved løsladelse.",
        acting_user=kbh,
    )
    episode_release(
        released.episode,
        released_at=_days_ago(3, 15),
        release_kind=ReleaseKind.FROM_COURT,
        address_after="Valby Langgade 12, 2. th., 2500 Valby",
        acting_user=krfo,
    )

    # Four weeks ago and still unanswered: overdue, escalated to kbh.koordinator and krfo.sagsbehandler.
    episode_admit(
        people["overdue"],
        institution=kbh_prison,
        custody_type=CustodyType.REMAND,
        admitted_at=_days_ago(28, 8),
        acting_user=krfo,
    )

    # Answered by kbh.sagsbehandler: read, acknowledged and decided.
    answered = episode_admit(
        people["answered"],
        institution=kbh_prison,
        custody_type=CustodyType.REMAND,
        admitted_at=_days_ago(6, 16),
        acting_user=krfo,
    )
    notice = benefits_notice(answered)
    notification_mark_read(notice, acting_user=kbh)
    notification_acknowledge(notice, acting_user=kbh)
    notification_answer(
        notice,
        decisions={"kontanthjaelp": {"code": "stopped", "effective_date": _days_ago(5).date()}},
        text="Husleje dækkes i op til 3 måneder efter aktivlovens § 81. Kontakt ydelseskontoret ved løsladelse.",
        acting_user=kbh,
    )

    from samarbejde.demo.pre_sentence import load_demo_pre_sentence  # --- pre_sentence (issue 11) ---

    load_demo_pre_sentence()
    from samarbejde.demo.consent import load_demo_consents  # --- consent (issue 11) ---

    load_demo_consents(people, krfo=krfo, leader=leader)

    from samarbejde.demo.action_plans import load_demo_action_plans  # --- action_plans (issue 11) ---

    load_demo_action_plans(people, krfo=krfo, leader=leader)

    # Mark overdue, remind and escalate now, as the periodic sweep would.
    deadline_sweep(today)
    return len(people)


def _months(n: int):
    from datetime import timedelta

    return timedelta(days=round(n * 30.4))
