"""Which person fields a viewer sees, and how: one policy for pages, PDFs, CSV and the API (ADR 0011).

The policy is data (RULES): for a context (where the fields are rendered) and the viewer's role (its active
membership), each person field is shown in full, masked (CPR as ddmmyy-xxxx) or hidden; every rule names its
reason. Anything a rule does not name is hidden. Access (may the viewer see this person or notice at all) is
decided elsewhere (each app's access.py, ADR 0008): this module only says how much of a visible person is
shown.

Use:
    view = field_view(request.user, Context.NOTICE)
    view.cpr(person)               # "010190-1234", "010190-xxxx" or ""
    view.shows(Field.ADDRESS)      # bool
    view.snapshot(notice.snapshot) # the notice's snapshot with the policy applied (web and API alike)
In templates: `{{ person|cpr_for:fields }}` (people.templatetags.person_fields) and `{% if fields.address %}`.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from samarbejde.organisations.access import active_membership
from samarbejde.organisations.roles import Role
from samarbejde.people.cpr import format_cpr, mask_cpr


class Field(StrEnum):
    """The person fields the policy covers. HEALTH and ADDICTION have no data yet (a later action-plan
    issue adds them): they are named now so that whatever renders them asks this policy first."""

    NAME = "name"
    CPR = "cpr"
    ADDRESS = "address"
    CUSTODY_TYPE = "custody_type"
    HEALTH = "health"
    ADDICTION = "addiction"


class Context(StrEnum):
    # One notice, to a party that may see it: the notice page, the API's detail and each item of the API's
    # list (the list is the synchronisation feed of whole notices into the recipient's own system).
    NOTICE = "notice"
    # A row of the web inbox: it only has to tell the notices apart until one is opened.
    INBOX_ROW = "inbox_row"
    # KRFO's own work with its clients: episode pages and lists, admission look-up, need-access list,
    # the inmate forms (pages and PDFs).
    KRFO_CASE = "krfo_case"
    # The audit trail's search, its rows and the data-protection officer's list of need-access grants.
    AUDIT = "audit"
    # The subject-access report (HTML, CSV, PDF): a copy of the log for the person it is about.
    SUBJECT_REPORT = "subject_report"


class Show(StrEnum):
    FULL = "full"
    MASKED = "masked"  # only for the CPR number: ddmmyy-xxxx (the birth date, not the serial number)
    HIDDEN = "hidden"


RECIPIENTS = frozenset({Role.MUNICIPAL_CASE_WORKER, Role.MUNICIPAL_COORDINATOR, Role.POLICE_OFFICER, Role.UDK_OFFICER})
KRFO_ROLES = frozenset({Role.KRFO_CASE_WORKER, Role.KRFO_MANAGER, Role.PROBATION_OFFICER, Role.YOUTH_SUPERVISOR})
# The KRFO roles that work a client's case (and later its action plan) themselves; a manager distributes it.
KRFO_CASE_WORKERS = frozenset({Role.KRFO_CASE_WORKER, Role.PROBATION_OFFICER, Role.YOUTH_SUPERVISOR})
AUDITORS = frozenset({Role.ADMINISTRATOR})

# Legal sources quoted by the rules.
IDENTIFY = (
    "Modtageren skal kunne finde borgeren entydigt i sit eget system for at handle på underretningen: "
    "offentlige myndigheder må behandle CPR-nummeret til entydig identifikation (databeskyttelsesloven § 11, "
    "stk. 1); videregivelsen hviler på underretningens retsgrundlag."
)
MINIMISE = "Dataminimering (databeskyttelsesforordningen art. 5, stk. 1, litra c): kun det, formålet kræver."
SPECIAL = (
    "Helbred og misbrug er følsomme oplysninger (databeskyttelsesforordningen art. 9): kun de sagsbehandlere i "
    "Kriminalforsorgen, der arbejder med klientens sag; aldrig i underretninger, lister eller revisionsspor."
)


@dataclass(frozen=True)
class Rule:
    context: Context
    fields: frozenset[Field]
    roles: frozenset[str]
    show: Show
    reason: str


def _f(*fields: Field) -> frozenset[Field]:
    return frozenset(fields)


RULES: tuple[Rule, ...] = (
    # -- one notice: what the rule's snapshot carries, for the recipient and for KRFO (web and API alike)
    Rule(Context.NOTICE, _f(Field.NAME, Field.CPR), RECIPIENTS, Show.FULL, IDENTIFY),
    Rule(
        Context.NOTICE,
        _f(Field.ADDRESS, Field.CUSTODY_TYPE),
        RECIPIENTS,
        Show.FULL,
        "Feltet er i underretningen, fordi dens regel siger, at modtageren har brug for det "
        "(notifications.registry: snapshot-felterne pr. regel).",
    ),
    Rule(
        Context.NOTICE,
        _f(Field.NAME, Field.CPR, Field.ADDRESS, Field.CUSTODY_TYPE),
        KRFO_ROLES,
        Show.FULL,
        "Afsenderens egen klient: Kriminalforsorgen har oplysningerne i sagen i forvejen.",
    ),
    # -- a row of the inbox: the name and the birth date tell the rows apart; the notice shows the rest
    Rule(Context.INBOX_ROW, _f(Field.NAME), RECIPIENTS, Show.FULL, "Rækken skal kunne genkendes. " + MINIMISE),
    Rule(
        Context.INBOX_ROW,
        _f(Field.CPR),
        RECIPIENTS,
        Show.MASKED,
        "En liste viser mange borgere på én gang; det fulde nummer står på underretningen. " + MINIMISE,
    ),
    # -- KRFO's own clients
    Rule(
        Context.KRFO_CASE,
        _f(Field.NAME, Field.CPR, Field.ADDRESS, Field.CUSTODY_TYPE),
        KRFO_ROLES,
        Show.FULL,
        "Kriminalforsorgens egen klient: indsættelse, overførsel og løsladelse registreres på CPR-nummeret, og "
        "blanketterne til den indsatte skal identificere den indsatte (databeskyttelsesloven § 11, stk. 1).",
    ),
    Rule(Context.KRFO_CASE, _f(Field.HEALTH, Field.ADDICTION), KRFO_CASE_WORKERS, Show.FULL, SPECIAL),
    # -- the audit trail: who did what about whom, not the person's case
    Rule(
        Context.AUDIT,
        _f(Field.NAME),
        AUDITORS,
        Show.FULL,
        "Revisionssporet skal vise, hvem en hændelse handler om. " + MINIMISE,
    ),
    Rule(
        Context.AUDIT,
        _f(Field.CPR),
        AUDITORS,
        Show.MASKED,
        "Administratorer ser ikke sagsdata; søgningen sker på CPR-nummeret i en formular, rækkerne viser "
        "fødselsdatoen. " + MINIMISE,
    ),
    # -- the subject-access report: the data subject's own copy
    Rule(
        Context.SUBJECT_REPORT,
        _f(Field.NAME, Field.CPR),
        AUDITORS,
        Show.FULL,
        "Rapporten er den registreredes kopi (databeskyttelsesforordningen art. 15, stk. 3) og skal entydigt "
        "vise, hvem den handler om; den gives til personen selv. Ingen sagsoplysninger: kun loggen.",
    ),
)


def _table(rules: tuple[Rule, ...]) -> dict[tuple[Context, str, Field], Rule]:
    table: dict[tuple[Context, str, Field], Rule] = {}
    for rule in rules:
        if rule.show == Show.MASKED and rule.fields - {Field.CPR}:
            raise ValueError(f"Only the CPR number can be masked: {rule}")
        for role in rule.roles:
            for field in rule.fields:
                key = (rule.context, role, field)
                if key in table:
                    raise ValueError(f"Two rules for {key}")
                table[key] = rule
    return table


POLICY: dict[tuple[Context, str, Field], Rule] = _table(RULES)


def show_for(role: str | None, context: Context, field: Field) -> Show:
    """How `field` is shown to `role` in `context`: hidden unless a rule says otherwise."""
    rule = POLICY.get((context, role or "", field))
    return rule.show if rule is not None else Show.HIDDEN


def reason_for(role: str | None, context: Context, field: Field) -> str:
    rule = POLICY.get((context, role or "", field))
    return rule.reason if rule is not None else "Ingen regel viser feltet: skjult."


# Snapshot keys (notifications.registry) that are person fields of this policy. Other snapshot fields
# (institution, dates, benefits, pension, contact) are chosen per rule by the registry (data minimisation
# there) and shown to whoever may see the notice.
SNAPSHOT_KEYS: dict[str, Field] = {
    "name": Field.NAME,
    "cpr": Field.CPR,
    "address_after_release": Field.ADDRESS,
    "custody_type": Field.CUSTODY_TYPE,
    "health": Field.HEALTH,
    "addiction": Field.ADDICTION,
}


@dataclass(frozen=True)
class FieldView:
    """The policy for one viewer in one context. Templates read the booleans (`fields.address`)."""

    role: str | None
    context: Context

    def show(self, field: Field) -> Show:
        return show_for(self.role, self.context, field)

    def shows(self, field: Field) -> bool:
        return self.show(field) != Show.HIDDEN

    def cpr(self, person) -> str:
        """The person's CPR number as this viewer sees it here ("" when hidden)."""
        return self.cpr_value(person.cpr, formatted=True)

    def cpr_value(self, cpr: str, *, formatted: bool) -> str:
        show = self.show(Field.CPR)
        if show == Show.FULL:
            return format_cpr(cpr) if formatted else cpr
        if show == Show.MASKED:
            return mask_cpr(cpr)
        return ""

    def snapshot(self, data: Mapping | None) -> dict:
        """A notice's snapshot with the policy applied: hidden person fields left out, a masked CPR masked.
        The CPR stays unformatted when shown in full (the API's format: 10 digits)."""
        shown: dict = {}
        for key, value in (data or {}).items():
            field = SNAPSHOT_KEYS.get(key)
            if field is None:
                shown[key] = value
            elif field == Field.CPR and value:
                cpr = self.cpr_value(str(value), formatted=False)
                if cpr:
                    shown[key] = cpr
            elif self.shows(field):
                shown[key] = value
        return shown

    # For templates: {% if fields.address %} ...
    @property
    def name(self) -> bool:
        return self.shows(Field.NAME)

    @property
    def address(self) -> bool:
        return self.shows(Field.ADDRESS)

    @property
    def custody_type(self) -> bool:
        return self.shows(Field.CUSTODY_TYPE)

    @property
    def health(self) -> bool:
        return self.shows(Field.HEALTH)

    @property
    def addiction(self) -> bool:
        return self.shows(Field.ADDICTION)


def field_view(user, context: Context) -> FieldView:
    """The policy for `user` (its active membership's role) in `context`. No membership: everything hidden."""
    membership = active_membership(user)
    return FieldView(role=membership.role if membership is not None else None, context=context)
