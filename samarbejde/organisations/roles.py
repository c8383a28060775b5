"""Job-function roles and what each may do (role capabilities), as data.

Capabilities are the first access layer ("may a KRFO case worker do X at all"); relationship scoping
(which persons and records) is the second and lives in each app's access.py.
"""

from django.db import models


class OrgKind(models.TextChoices):
    KRFO_INSTITUTION = "krfo_institution", "Kriminalforsorgens institution"
    PROBATION_OFFICE = "probation_office", "Kriminalforsorgen i Frihed (KiF)"
    YOUTH_UNIT = "youth_unit", "Ungekriminalforsorgen"
    KRFO_CENTRAL = "krfo_central", "Kriminalforsorgen, centralt"
    MUNICIPALITY = "municipality", "Kommune"
    UDBETALING_DANMARK = "udbetaling_danmark", "Udbetaling Danmark"
    POLICE_DISTRICT = "police_district", "Politikreds"
    YOUTH_CRIME_BOARD = "youth_crime_board", "Ungdomskriminalitetsnævnet"


KRFO_KINDS = frozenset({OrgKind.KRFO_INSTITUTION, OrgKind.PROBATION_OFFICE, OrgKind.YOUTH_UNIT, OrgKind.KRFO_CENTRAL})


class InstitutionType(models.TextChoices):
    PRISON_CLOSED = "prison_closed", "Lukket fængsel"
    PRISON_OPEN = "prison_open", "Åbent fængsel"
    LOCAL_JAIL = "local_jail", "Arresthus"
    HALFWAY_HOUSE = "halfway_house", "Pension"
    OTHER = "other", "Anden institution"


class DepartmentKind(models.TextChoices):
    JOBCENTER = "jobcenter", "Jobcenter"
    BENEFITS = "ydelse", "Ydelse"
    SOCIAL = "socialforvaltning", "Socialforvaltning"
    ADDICTION = "misbrugscenter", "Misbrugscenter"
    FAMILY = "familieafdeling", "Familieafdeling"
    CITIZEN_SERVICE = "borgerservice", "Borgerservice (folkeregister)"


class Role(models.TextChoices):
    KRFO_CASE_WORKER = "krfo_case_worker", "Sagsbehandler, Kriminalforsorgen"
    KRFO_MANAGER = "krfo_manager", "Leder, Kriminalforsorgen"
    PROBATION_OFFICER = "probation_officer", "Tilsynsførende, KiF"
    YOUTH_SUPERVISOR = "youth_supervisor", "Tilsynsførende, Ungekriminalforsorgen"
    MUNICIPAL_CASE_WORKER = "municipal_case_worker", "Kommunal sagsbehandler"
    MUNICIPAL_COORDINATOR = "municipal_coordinator", "Kommunal koordinator (God løsladelse)"
    POLICE_OFFICER = "police_officer", "Politimedarbejder"
    UDK_OFFICER = "udk_officer", "Medarbejder, Udbetaling Danmark"
    ADMINISTRATOR = "administrator", "Administrator"


# Where a role may be held. A membership with a role outside its organisation kind is invalid.
ROLE_ORG_KINDS: dict[str, frozenset[str]] = {
    Role.KRFO_CASE_WORKER: frozenset({OrgKind.KRFO_INSTITUTION, OrgKind.PROBATION_OFFICE, OrgKind.KRFO_CENTRAL}),
    Role.KRFO_MANAGER: frozenset(KRFO_KINDS),
    Role.PROBATION_OFFICER: frozenset({OrgKind.PROBATION_OFFICE}),
    Role.YOUTH_SUPERVISOR: frozenset({OrgKind.YOUTH_UNIT}),
    Role.MUNICIPAL_CASE_WORKER: frozenset({OrgKind.MUNICIPALITY}),
    Role.MUNICIPAL_COORDINATOR: frozenset({OrgKind.MUNICIPALITY}),
    Role.POLICE_OFFICER: frozenset({OrgKind.POLICE_DISTRICT}),
    Role.UDK_OFFICER: frozenset({OrgKind.UDBETALING_DANMARK}),
    Role.ADMINISTRATOR: frozenset({OrgKind.KRFO_CENTRAL}),
}


class Cap(models.TextChoices):
    """Capabilities: what a job function may do. Named `area.verb`."""

    START_PAGE = "core.start", "Se startside"
    DIRECTORY_PROPOSE_OWN = "directory.propose_own", "Foreslå ændringer til egen kommunes kontakter"
    DIRECTORY_PROPOSE_ANY = "directory.propose_any", "Foreslå ændringer til alle kommuners kontakter"
    DIRECTORY_REVIEW = "directory.review", "Godkende eller afvise ændringsforslag"
    PERSON_VIEW_ALL = "people.view_all", "Se Kriminalforsorgens klienter i egen enheds ansvar"
    PERSON_VIEW_LINKED = "people.view_linked", "Se personer via en aktiv henvendelse til egen organisation"
    PERSON_REGISTER = "people.register", "Registrere personer"
    PERSON_MAINTAIN = "people.maintain", "Registrere og rette personer i administrationsmodulet"
    LINK_OPEN = "people.link_open", "Åbne en henvendelse om en person til en anden myndighed"
    NEED_ACCESS = "people.need_access", "Få tidsbegrænset, begrundet adgang til en klient uden for egen enhed"
    AUDIT_SEARCH = "audit.search", "Søge i revisionssporet"
    AUDIT_SUBJECT_REPORT = "audit.subject_report", "Udtrække indsigtsrapport for en person"
    ADMIN_SITE = "admin.site", "Bruge administrationsmodulet"
    LEGAL_MANAGE = "legal.manage", "Vedligeholde retsgrundlag"
    MANAGE_TEAM = "organisations.manage_team", "Se og fordele opgaver i egen enhed"
    # --- consent (issue 11) ---
    CONSENT_RECORD = "consent.record", "Registrere og tilbagekalde samtykker for klienter i egen enheds ansvar"
    CONSENT_OVERRIDE = "consent.override", "Videregive uden samtykke med en begrundelse (tilsidesættelse)"
    CONSENT_OVERRIDE_LIST = "consent.override_list", "Se listen over videregivelser uden samtykke"


_KRFO_COMMON = {
    Cap.START_PAGE,
    Cap.DIRECTORY_PROPOSE_ANY,
    Cap.PERSON_VIEW_ALL,
    Cap.NEED_ACCESS,
}

CAPABILITIES: dict[str, frozenset[str]] = {
    Role.KRFO_CASE_WORKER: frozenset(_KRFO_COMMON | {Cap.PERSON_REGISTER, Cap.LINK_OPEN, Cap.CONSENT_RECORD}),
    Role.KRFO_MANAGER: frozenset(
        _KRFO_COMMON
        | {
            Cap.PERSON_REGISTER,
            Cap.LINK_OPEN,
            Cap.MANAGE_TEAM,
            Cap.CONSENT_RECORD,
            # Primero's consent-override pattern: a named role, never the case worker who asks.
            Cap.CONSENT_OVERRIDE,
            Cap.CONSENT_OVERRIDE_LIST,
        }
    ),
    Role.PROBATION_OFFICER: frozenset(_KRFO_COMMON | {Cap.PERSON_REGISTER, Cap.LINK_OPEN, Cap.CONSENT_RECORD}),
    Role.YOUTH_SUPERVISOR: frozenset(_KRFO_COMMON | {Cap.LINK_OPEN}),
    Role.MUNICIPAL_CASE_WORKER: frozenset({Cap.START_PAGE, Cap.PERSON_VIEW_LINKED}),
    Role.MUNICIPAL_COORDINATOR: frozenset(
        {Cap.START_PAGE, Cap.PERSON_VIEW_LINKED, Cap.DIRECTORY_PROPOSE_OWN, Cap.MANAGE_TEAM}
    ),
    Role.POLICE_OFFICER: frozenset({Cap.START_PAGE, Cap.PERSON_VIEW_LINKED}),
    Role.UDK_OFFICER: frozenset({Cap.START_PAGE, Cap.PERSON_VIEW_LINKED}),
    # Administrators run the directory, catalogue, users and audit. They do not see case data: the
    # subject-access report shows the log about a person, never the person's case.
    Role.ADMINISTRATOR: frozenset(
        {
            Cap.START_PAGE,
            Cap.DIRECTORY_PROPOSE_ANY,
            Cap.DIRECTORY_REVIEW,
            Cap.AUDIT_SEARCH,
            Cap.AUDIT_SUBJECT_REPORT,
            Cap.ADMIN_SITE,
            Cap.LEGAL_MANAGE,
            Cap.PERSON_MAINTAIN,
            Cap.CONSENT_OVERRIDE_LIST,  # the list of overrides is an audit list (persons masked)
        }
    ),
}


def capabilities_of(role: str | None) -> frozenset[str]:
    return CAPABILITIES.get(role or "", frozenset())
