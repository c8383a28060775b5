"""Who must be told what when something happens, as pure functions over data (no database access).

The service (notifications.services.notices_send) turns a NoticeEvent's facts into a PersonSituation, asks
`recipients_for(trigger, ...)`, routes each recipient to a unit (notifications.routing: the recipient
municipality's routing table, else DEFAULT_UNIT_KIND here), and merges them (`merge`). Every rule named
here is an entry of notifications.registry, which holds its legal basis, deadline and answer rules.

Triggers (the `kind` of a NoticeEvent) and their rules:
- custody.admission: the home municipality's benefits unit per benefit (admission.benefits), or a plain
  admission notice when the person receives neither benefits nor pension (admission.no_benefits); the CPR
  register when the expected stay is long (admission.cpr_register); for pensioners Udbetaling Danmark
  (admission.pension_udk) and the municipality, which may cover rent (admission.pension_rent).
- custody.transfer: the home municipality's units told before (not the CPR register), else its admission unit.
- custody.release_date_change: every party told before, by the rule of its family; plus the CPR register when
  the new date makes the stay long enough and it was not told.
- custody.release: the admission's parties as the admission rule names them now (with the actual stay) and
  every party told of the admission before, each once.
- custody.coordination_decision: "yes" asks for the case files, once per thread.
- consent.revocation: every organisation in the revoked consent's scope (consent.revoked).
- custody.conversion: nothing.
- custody.correction: see `expected_for_correction` (the admission's and coordination's notices as the rules
  name them now; notifications.services reconciles them with what was sent).
- pre_sentence.information_request: the body KiF asks (the facts' `addressee`), routed to its § 808 unit.
- pre_sentence.closed: nothing (the event ends the investigation's thread: the recipients' links run out).
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from django.conf import settings

from samarbejde.notifications import registry as R
from samarbejde.organisations.roles import DepartmentKind
from samarbejde.people.models import Benefit, PensionKind

UDBETALING_DANMARK_CODE = "udbetaling-danmark"

ADMISSION, CONVERSION, TRANSFER, RELEASE_DATE_CHANGE, RELEASE, COORDINATION, CORRECTION = (
    "custody.admission",
    "custody.conversion",
    "custody.transfer",
    "custody.release_date_change",
    "custody.release",
    "custody.coordination_decision",
    "custody.correction",
)

# The default routing: which unit kind of a municipality handles a topic (and subject) when its routing table
# has no line for it. The Københavns Kommune example of the domain brief, as the fixed table it was before
# routing per municipality: kontant- and uddannelseshjælp to the benefits unit, the jobcenter's benefits to the
# jobcenter, the pension (rent) and the case files to the social services, the CPR register to borgerservice.
BENEFIT_UNIT_KIND: dict[str, str] = {
    Benefit.KONTANTHJAELP: DepartmentKind.BENEFITS,
    Benefit.UDDANNELSESHJAELP: DepartmentKind.BENEFITS,
    Benefit.REVALIDERING: DepartmentKind.JOBCENTER,
    Benefit.LEDIGHEDSYDELSE: DepartmentKind.JOBCENTER,
    Benefit.FLEKSYDELSE: DepartmentKind.JOBCENTER,
    Benefit.SYGEDAGPENGE: DepartmentKind.JOBCENTER,
}
TOPIC_UNIT_KIND: dict[str, str] = {
    R.TOPIC_ADMISSION: DepartmentKind.BENEFITS,
    R.TOPIC_CPR: DepartmentKind.CITIZEN_SERVICE,
    R.TOPIC_PENSION: DepartmentKind.SOCIAL,  # decides on rent from the pension (§ 46, stk. 2)
    R.TOPIC_CASE_FILES: DepartmentKind.SOCIAL,  # makes the municipality's plan (serviceloven § 141)
    R.TOPIC_ACTION_PLAN: DepartmentKind.SOCIAL,  # action_plans: coordinates its § 141 plan with KRFO's
    R.TOPIC_PRE_SENTENCE: DepartmentKind.SOCIAL,  # --- pre_sentence --- holds the citizen's social case
}

# The families an admission tells; a release repeats the notice to each of these parties.
ADMISSION_FAMILIES = frozenset({R.BENEFITS, R.CPR_REGISTER, R.PENSION_UDK, R.PENSION_RENT})


def default_unit_kind(topic: str, subjects: Sequence[str] = ()) -> str | None:
    """The unit kind the default routing names for a topic (and its first subject), or None."""
    if topic == R.TOPIC_BENEFITS and subjects:
        return BENEFIT_UNIT_KIND.get(subjects[0])
    return TOPIC_UNIT_KIND.get(topic)


@dataclass(frozen=True)
class RuleConfig:
    """The numbers the rules use that are not deadlines (those are the registry's).

    CPR_NOTICE_MIN_STAY_DAYS: the folkeregister notice is due when the expected stay is at least this many
    days ("more than 3 months" in CIR 87/1985, unverified; 92 days covers every 3-month span).
    """

    cpr_notice_min_stay_days: int = 92

    @classmethod
    def from_settings(cls) -> "RuleConfig":
        return cls(cpr_notice_min_stay_days=getattr(settings, "CPR_NOTICE_MIN_STAY_DAYS", cls.cpr_notice_min_stay_days))


@dataclass(frozen=True)
class PersonSituation:
    """What the rules need to know about the person and the stay.

    `home_municipality_code` is None when unknown. `stay_days` is the expected stay (admission to expected
    release; the actual stay for a release), None when unknown. `coordinate_action_plan` is KRFO's decision to
    coordinate the handleplan with the municipality (None: not decided).
    """

    home_municipality_code: str | None
    pension: str = PensionKind.NONE
    benefits: tuple[str, ...] = ()
    stay_days: int | None = None
    coordinate_action_plan: bool | None = None
    # The event's facts as sent, for rules of process apps that need more than the above (e.g. action_plans
    # names the institution and the unit of the handleplansansvarlig).
    facts: Mapping = field(default_factory=dict, compare=False, hash=False, repr=False)
    # Whether the case-files request rests on the client's consent or a manager's override (the sender checks it;
    # None: not said, as in events from before consent gated the request).
    case_files_covered: bool | None = None
    addressee: str | None = None  # pre_sentence: the organisation (code) an information request is to
    # --- consent ---: the organisations (codes) in a revoked consent's scope.
    consent_recipients: tuple[str, ...] = ()

    @property
    def is_pensioner(self) -> bool:
        return self.pension in (PensionKind.FOLKEPENSION, PensionKind.FOERTIDSPENSION)

    @classmethod
    def from_facts(cls, facts) -> "PersonSituation":
        return cls(
            home_municipality_code=facts.get("home_municipality") or None,
            pension=facts.get("pension") or PensionKind.NONE,
            benefits=tuple(facts.get("benefits") or ()),
            stay_days=facts.get("stay_days"),
            coordinate_action_plan=facts.get("coordinate_action_plan"),
            facts=dict(facts),
            case_files_covered=facts.get("case_files_covered"),
            addressee=facts.get("addressee") or None,
            consent_recipients=tuple(facts.get("consent_recipients") or ()),
        )


@dataclass(frozen=True)
class Recipient:
    """One notice to send: a rule, an organisation and what routes it to a unit.

    `organisation_code` None means: the home municipality, which is unknown. `topic` and `subjects` route it
    (the subjects are also what the notice is about, e.g. the benefits it asks a decision on). `unit` is the
    recipient's unit (department id) once routed, or from the start when the notice goes to a unit told before.
    `route` and `route_label` say which routing line chose the unit (set by notifications.routing).
    """

    rule: str
    organisation_code: str | None
    topic: str = ""
    subjects: tuple[str, ...] = ()
    unit: object = None
    route: object = None
    route_label: str = ""
    routed: bool = field(default=False, compare=False)
    # The unit itself (organisations.Department), set by the routing so that nothing fetches it again.
    department: object = field(default=None, compare=False, repr=False)

    @property
    def notice_type(self) -> R.NoticeType:
        return R.notice_type(self.rule)

    @property
    def party(self) -> tuple[str | None, object]:
        return (self.organisation_code, self.unit)


@dataclass(frozen=True)
class Notified:
    """A notice already sent in the thread (the service reads these from the database, withdrawn ones left out)."""

    organisation_code: str
    unit: object
    rule: str

    @property
    def family(self) -> str:
        found = R.notice_type_or_none(self.rule)
        return found.family if found else ""

    @property
    def party(self) -> tuple[str, object]:
        return (self.organisation_code, self.unit)


def _first_per_party(notified: Iterable[Notified]) -> dict[tuple, Notified]:
    parties: dict[tuple, Notified] = {}
    for item in notified:
        parties.setdefault(item.party, item)
    return parties


def admission_recipients(situation: PersonSituation, config: RuleConfig) -> list[Recipient]:
    home = situation.home_municipality_code
    recipients = [Recipient("admission.benefits", home, R.TOPIC_BENEFITS, (benefit,)) for benefit in situation.benefits]
    if not situation.benefits and not situation.is_pensioner:
        # Nothing to decide, but the municipality must know (it may pay help from the day of release).
        recipients.append(Recipient("admission.no_benefits", home, R.TOPIC_ADMISSION))
    if situation.stay_days is not None and situation.stay_days >= config.cpr_notice_min_stay_days:
        recipients.append(Recipient("admission.cpr_register", home, R.TOPIC_CPR))
    if situation.is_pensioner:
        recipients.append(Recipient("admission.pension_udk", UDBETALING_DANMARK_CODE, "", (situation.pension,)))
        recipients.append(Recipient("admission.pension_rent", home, R.TOPIC_PENSION, (situation.pension,)))
    return recipients


def transfer_recipients(situation: PersonSituation, already: Sequence[Notified]) -> list[Recipient]:
    home = situation.home_municipality_code
    units = [
        party[1]
        for party, first in _first_per_party(already).items()
        if home is not None and party[0] == home and first.family != R.CPR_REGISTER
    ]
    if units:
        return [Recipient("transfer.notice", home, R.TOPIC_ADMISSION, unit=unit, routed=True) for unit in units]
    return [Recipient("transfer.notice", home, R.TOPIC_ADMISSION)]


def release_date_change_recipients(
    situation: PersonSituation, already: Sequence[Notified], config: RuleConfig
) -> list[Recipient]:
    recipients = [
        Recipient(f"release_date_change.{first.family}", code, unit=unit, routed=True)
        for (code, unit), first in _first_per_party(already).items()
        if R.notice_type_or_none(f"release_date_change.{first.family}")
    ]
    if not any(n.family == R.CPR_REGISTER for n in already):
        recipients += [r for r in admission_recipients(situation, config) if r.rule == "admission.cpr_register"]
    return recipients


def release_recipients(situation: PersonSituation, already: Sequence[Notified], config: RuleConfig) -> list[Recipient]:
    recipients = [replace(r, rule=f"release.{r.notice_type.family}") for r in admission_recipients(situation, config)]
    recipients += [
        Recipient(f"release.{first.family}", code, unit=unit, routed=True)
        for (code, unit), first in _first_per_party(n for n in already if n.family in ADMISSION_FAMILIES).items()
    ]
    return recipients


def coordination_recipients(situation: PersonSituation, already: Sequence[Notified]) -> list[Recipient]:
    if situation.coordinate_action_plan is not True or situation.case_files_covered is False:
        return []
    if any(n.family == R.CASE_FILES for n in already):
        return []
    return [Recipient("coordination.case_files", situation.home_municipality_code, R.TOPIC_CASE_FILES)]


# --- pre_sentence ---------------------------------------------------------------------------------------

PRE_SENTENCE_REQUEST = "pre_sentence.information_request"


def pre_sentence_recipients(situation: PersonSituation) -> list[Recipient]:
    """A § 808 information request goes to the one body it is addressed to (its own notice, its own answer)."""
    return [Recipient(R.PRE_SENTENCE_RULE, situation.addressee, R.TOPIC_PRE_SENTENCE)]


# --- end pre_sentence -----------------------------------------------------------------------------------
# --- consent -------------------------------------------------------------------------------------------

CONSENT_REVOCATION = "consent.revocation"


def consent_revocation_recipients(situation: PersonSituation) -> list[Recipient]:
    """Each organisation the revoked consent covered, once (no unit: the organisation as a whole)."""
    return [Recipient("consent.revoked", code) for code in dict.fromkeys(situation.consent_recipients)]


# --- end consent ---------------------------------------------------------------------------------------


def expected_for_correction(situation: PersonSituation, config: RuleConfig) -> list[Recipient]:
    """What the admission and the coordination decision would have sent, had the facts been right."""
    return admission_recipients(situation, config) + coordination_recipients(situation, ())


def recipients_for(
    trigger: str,
    situation: PersonSituation,
    *,
    already_notified: Sequence[Notified] = (),
    config: RuleConfig | None = None,
) -> list[Recipient]:
    """The notices one event must produce (before routing). Unknown triggers and a conversion produce none."""
    config = config or RuleConfig.from_settings()
    if trigger == ADMISSION:
        return admission_recipients(situation, config)
    if trigger == TRANSFER:
        return transfer_recipients(situation, already_notified)
    if trigger == RELEASE_DATE_CHANGE:
        return release_date_change_recipients(situation, already_notified, config)
    if trigger == RELEASE:
        return release_recipients(situation, already_notified, config)
    if trigger == COORDINATION:
        return coordination_recipients(situation, already_notified)
    if trigger == CORRECTION:
        return expected_for_correction(situation, config)
    if trigger in ACTION_PLAN_TRIGGERS:
        return action_plan_recipients(trigger, situation)
    if trigger == PRE_SENTENCE_REQUEST:  # --- pre_sentence ---
        return pre_sentence_recipients(situation)
    if trigger == CONSENT_REVOCATION:  # --- consent ---
        return consent_revocation_recipients(situation)
    return []


# --- action_plans ---------------------------------------------------------------------------------------
# action_plans.due / action_plans.overdue: the plan's deadline (reminder before, escalation after) to the
# institution that holds the person, to the handleplansansvarlig's unit when known (facts "institution_code",
# "responsible_unit"). action_plans.shared / action_plans.changed: the municipality the plan is shared with
# (facts "municipality_code"), its unit for the handleplan topic.
PLAN_DUE, PLAN_OVERDUE, PLAN_SHARED, PLAN_CHANGED = (
    "action_plans.due",
    "action_plans.overdue",
    "action_plans.shared",
    "action_plans.changed",
)
ACTION_PLAN_TRIGGERS = frozenset({PLAN_DUE, PLAN_OVERDUE, PLAN_SHARED, PLAN_CHANGED})


def action_plan_recipients(trigger: str, situation: PersonSituation) -> list[Recipient]:
    facts = situation.facts
    if trigger in (PLAN_DUE, PLAN_OVERDUE):
        code = facts.get("institution_code")
        if not code:
            return []
        unit = facts.get("responsible_unit")
        if unit:
            return [Recipient(trigger, code, unit=unit, routed=True, route_label="Den handleplansansvarliges enhed")]
        return [Recipient(trigger, code)]
    code = facts.get("municipality_code") or situation.home_municipality_code
    return [Recipient(trigger, code, R.TOPIC_ACTION_PLAN)]


# --- end action_plans -----------------------------------------------------------------------------------


def merge(routed: Sequence[Recipient]) -> list[Recipient]:
    """One notice per rule and unit, the subjects joined ("unit" rules: kontant- and uddannelseshjælp to the
    same unit are one request); one notice per party ("party" rules: a release tells each unit once, by the
    first rule that names it). Order is kept."""
    merged: dict[tuple, Recipient] = {}
    for recipient in routed:
        notice_type = recipient.notice_type
        if notice_type.group_by == "party":
            key = ("party", recipient.organisation_code, recipient.unit)
            merged.setdefault(key, recipient)
            continue
        key = (recipient.rule, recipient.organisation_code, recipient.unit)
        if key in merged:
            first = merged[key]
            subjects = first.subjects + tuple(s for s in recipient.subjects if s not in first.subjects)
            merged[key] = replace(first, subjects=subjects)
        else:
            merged[key] = recipient
    return list(merged.values())


@dataclass(frozen=True)
class Sent:
    """A live notice of the thread, as reconcile() compares it: its id, rule, party and subjects."""

    id: object
    rule: str
    organisation_code: str
    unit: object
    subjects: tuple[str, ...] = ()
    answered: bool = False


def reconcile(expected: Sequence[Recipient], sent: Sequence[Sent]) -> tuple[list[object], list[Recipient]]:
    """A correction of the person's facts: (ids of notices to withdraw, recipients to send to now).

    A live notice of an admission or coordination rule stays when the rules name the same rule, party and
    subjects now; otherwise it is withdrawn and the right one sent. Every other live notice (transfer, new
    release date, release) to an organisation the rules no longer name is withdrawn: that organisation loses
    its reason to see the person.
    """
    initial_families = ADMISSION_FAMILIES | {R.CASE_FILES}
    expected_keys = {(r.rule, r.organisation_code, r.unit, tuple(r.subjects)): r for r in expected}
    expected_orgs = {r.organisation_code for r in expected}
    kept: set[tuple] = set()
    withdraw: list[object] = []
    for notice in sent:
        notice_type = R.notice_type_or_none(notice.rule)
        initial = notice_type is not None and notice_type.rule.split(".")[0] in ("admission", "coordination")
        if initial and notice_type.family in initial_families:
            key = (notice.rule, notice.organisation_code, notice.unit, tuple(notice.subjects))
            if key in expected_keys and key not in kept:
                kept.add(key)
            else:
                withdraw.append(notice.id)
        elif notice.organisation_code not in expected_orgs:
            withdraw.append(notice.id)
    send = [r for key, r in expected_keys.items() if key not in kept]
    return withdraw, send
