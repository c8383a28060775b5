"""Who must be told what about a custody event, and on which legal basis: pure functions over data.

No database access here: the service turns a situation into a PersonSituation, asks `recipients_for`,
and resolves organisation codes, departments and legal bases (looked up in the catalogue by
(act short name, reference) with legal.selectors.paragraph_by_citation).

Legal bases chosen (acts in reference/legal_acts.json):
- Municipality, benefits and transfer: "Cirkulæreskrivelse om indberetning" (CIS nr. 11319 af 19.8.1994,
  "om indberetning til de sociale myndigheder m.fl. om indsættelse og løsladelse"): it is the act about
  exactly this notice. BEK nr. 1471/2019 (hjælp til varetægtsfængslede og indsatte) is what the
  municipality decides *under*; it is not the basis for KRFO telling it. The circular is marked unverified.
- CPR register: "Folkeregistercirkulæret" (CIR nr. 87/1985, amended 1988), unverified.
- Pensioners: "Lov om social pension" § 46 (pension stops during custody; the institution tells
  Udbetaling Danmark and the municipality), number/date of the consolidated act unverified.
- A change of release date cites the basis of the notice it updates; a release cites the admission's.
- Case files for a coordinated handleplan: "Koordineringsbekendtgørelsen" (BEK nr. 642 af 15.6.2006) § 3,
  stk. 1: the municipality must coordinate its plan with Kriminalforsorgen's handleplan, which is what
  the request for its case files (sagsakter) serves. Serviceloven § 141 is the municipality's duty to make
  its own plan (what it coordinates), not the basis for KRFO asking, so it is not cited here.

Routing: rules name a *department kind* (ydelse, jobcenter, ...). Per-municipality routing through the
directory (organisations.Contact) can replace BENEFIT_DEPARTMENT later without changing the rules' shape.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings

from samarbejde.core.business_days import add_business_days
from samarbejde.notifications.models import NotificationKind
from samarbejde.organisations.roles import DepartmentKind
from samarbejde.people.models import Benefit, PensionKind

UDBETALING_DANMARK_CODE = "udbetaling-danmark"

LegalBasis = tuple[str, str]  # (act short_name, paragraph reference)

BASIS_REPORTING: LegalBasis = ("Cirkulæreskrivelse om indberetning", "")
BASIS_CPR_REGISTER: LegalBasis = ("Folkeregistercirkulæret", "")
BASIS_PENSION: LegalBasis = ("Lov om social pension", "§ 46")
BASIS_COORDINATION: LegalBasis = ("Koordineringsbekendtgørelsen", "§ 3, stk. 1")

# Which municipal function decides on which benefit (the Københavns Kommune example in the domain brief).
BENEFIT_DEPARTMENT: dict[str, str] = {
    Benefit.KONTANTHJAELP: DepartmentKind.BENEFITS,
    Benefit.UDDANNELSESHJAELP: DepartmentKind.BENEFITS,
    Benefit.REVALIDERING: DepartmentKind.JOBCENTER,
    Benefit.LEDIGHEDSYDELSE: DepartmentKind.JOBCENTER,
    Benefit.FLEKSYDELSE: DepartmentKind.JOBCENTER,
    Benefit.SYGEDAGPENGE: DepartmentKind.JOBCENTER,
}
# A person with no benefits: the benefits unit still hears of the admission (no deadline, nothing to decide).
NO_BENEFITS_DEPARTMENT = DepartmentKind.BENEFITS
PENSION_DEPARTMENT = DepartmentKind.SOCIAL  # decides on rent from the pension (§ 46, stk. 2)
CPR_REGISTER_DEPARTMENT = DepartmentKind.CITIZEN_SERVICE
CASE_FILES_DEPARTMENT = DepartmentKind.SOCIAL  # makes the municipality's plan (serviceloven § 141)

# The notices a release repeats to "the same parties as the admission".
ADMISSION_KINDS = frozenset(
    {
        NotificationKind.BENEFITS_DECISION_REQUEST,
        NotificationKind.CPR_REGISTER_NOTICE,
        NotificationKind.PENSION_NOTICE,
    }
)


@dataclass(frozen=True)
class RuleConfig:
    """The numbers the rules use; settings override the defaults (all unverified or chosen, so data).

    - CPR_NOTICE_MIN_STAY_DAYS: the folkeregister notice is due when the expected stay is at least this
      many days ("more than 3 months" in CIR 87/1985; 92 days covers every 3-month span).
    - CPR_NOTICE_DUE_DAYS: "no later than 5 days after admission". Counted as *calendar* days: the circular
      says days, not business days ("hverdage"); set CPR_NOTICE_DUE_BUSINESS_DAYS = True to count business days.
    - BENEFITS_DECISION_DUE_BUSINESS_DAYS: the deadline we ask the municipality to answer within. No
      statutory deadline was found: a product choice.
    - CASE_FILES_DUE_BUSINESS_DAYS: the deadline for the case files. A product choice too: the handleplan is
      due 4 weeks after admission (handleplanscirkulæret), so the files are asked for within 2 weeks.
    """

    cpr_notice_min_stay_days: int = 92
    cpr_notice_due_days: int = 5
    cpr_notice_due_business_days: bool = False
    benefits_decision_due_business_days: int = 10
    case_files_due_business_days: int = 10

    @classmethod
    def from_settings(cls) -> "RuleConfig":
        return cls(
            cpr_notice_min_stay_days=getattr(settings, "CPR_NOTICE_MIN_STAY_DAYS", cls.cpr_notice_min_stay_days),
            cpr_notice_due_days=getattr(settings, "CPR_NOTICE_DUE_DAYS", cls.cpr_notice_due_days),
            cpr_notice_due_business_days=getattr(
                settings, "CPR_NOTICE_DUE_BUSINESS_DAYS", cls.cpr_notice_due_business_days
            ),
            benefits_decision_due_business_days=getattr(
                settings, "BENEFITS_DECISION_DUE_BUSINESS_DAYS", cls.benefits_decision_due_business_days
            ),
            case_files_due_business_days=getattr(
                settings, "CASE_FILES_DUE_BUSINESS_DAYS", cls.case_files_due_business_days
            ),
        )


@dataclass(frozen=True)
class Deadline:
    days: int
    business_days: bool

    def due_from(self, start: date) -> date:
        """The due date counted from `start` (start itself never counts)."""
        if self.business_days:
            return add_business_days(start, self.days)
        return start + timedelta(days=self.days)


@dataclass(frozen=True)
class PersonSituation:
    """What the rules need to know about the person and the stay.

    `home_municipality_code` is None when unknown. `stay_days` is the expected stay (admission to
    expected release; the actual stay for a release), None when unknown. `coordinate_action_plan` is KRFO's
    decision to coordinate the handleplan with the municipality (None: not decided).
    """

    home_municipality_code: str | None
    pension: str = PensionKind.NONE
    benefits: tuple[str, ...] = ()
    stay_days: int | None = None
    coordinate_action_plan: bool | None = None

    @property
    def is_pensioner(self) -> bool:
        return self.pension in (PensionKind.FOLKEPENSION, PensionKind.FOERTIDSPENSION)


@dataclass(frozen=True)
class Recipient:
    """One notice to send. `organisation_code` None means: the home municipality, which is unknown."""

    organisation_code: str | None
    department_kind: str | None
    notification_kind: str
    legal_basis: LegalBasis
    deadline: Deadline | None = None
    benefits: tuple[str, ...] = field(default=())

    @property
    def party(self) -> tuple[str | None, str | None]:
        return (self.organisation_code, self.department_kind)


@dataclass(frozen=True)
class Notified:
    """A notice already sent in the episode (the service reads these from the database)."""

    organisation_code: str
    department_kind: str | None
    notification_kind: str
    legal_basis: LegalBasis

    @property
    def party(self) -> tuple[str | None, str | None]:
        return (self.organisation_code, self.department_kind)


def admission_recipients(situation: PersonSituation, config: RuleConfig) -> list[Recipient]:
    home = situation.home_municipality_code
    recipients: list[Recipient] = []
    by_department: dict[str, list[str]] = {}
    for benefit in situation.benefits:
        by_department.setdefault(BENEFIT_DEPARTMENT[benefit], []).append(benefit)
    benefits_deadline = Deadline(config.benefits_decision_due_business_days, business_days=True)
    for department, benefits in by_department.items():
        recipients.append(
            Recipient(
                home,
                department,
                NotificationKind.BENEFITS_DECISION_REQUEST,
                BASIS_REPORTING,
                benefits_deadline,
                tuple(benefits),
            )
        )
    if not by_department:
        recipients.append(
            Recipient(home, NO_BENEFITS_DEPARTMENT, NotificationKind.BENEFITS_DECISION_REQUEST, BASIS_REPORTING)
        )
    if situation.stay_days is not None and situation.stay_days >= config.cpr_notice_min_stay_days:
        recipients.append(
            Recipient(
                home,
                CPR_REGISTER_DEPARTMENT,
                NotificationKind.CPR_REGISTER_NOTICE,
                BASIS_CPR_REGISTER,
                Deadline(config.cpr_notice_due_days, business_days=config.cpr_notice_due_business_days),
            )
        )
    if situation.is_pensioner:
        recipients.append(Recipient(UDBETALING_DANMARK_CODE, None, NotificationKind.PENSION_NOTICE, BASIS_PENSION))
        recipients.append(Recipient(home, PENSION_DEPARTMENT, NotificationKind.PENSION_NOTICE, BASIS_PENSION))
    return recipients


def _unique_parties(notified: Iterable[Notified]) -> dict[tuple[str | None, str | None], Notified]:
    """First notice per (organisation, department), in the order sent."""
    parties: dict[tuple[str | None, str | None], Notified] = {}
    for item in notified:
        parties.setdefault(item.party, item)
    return parties


def transfer_recipients(situation: PersonSituation, already_notified: Sequence[Notified]) -> list[Recipient]:
    """The home municipality's departments already told about this episode (not borgerservice);
    its benefits unit when none was (e.g. the municipality became known after admission)."""
    home = situation.home_municipality_code
    departments = [
        party[1]
        for party in _unique_parties(already_notified)
        if home is not None and party[0] == home and party[1] != CPR_REGISTER_DEPARTMENT
    ] or [NO_BENEFITS_DEPARTMENT]
    return [Recipient(home, dept, NotificationKind.TRANSFER_NOTICE, BASIS_REPORTING) for dept in departments]


def release_date_change_recipients(
    situation: PersonSituation, already_notified: Sequence[Notified], config: RuleConfig
) -> list[Recipient]:
    """Every party already notified, on the basis of its first notice; plus the CPR register when the
    new date makes the stay long enough and it has not been told yet."""
    recipients = [
        Recipient(code, dept, NotificationKind.RELEASE_DATE_CHANGE_NOTICE, first.legal_basis)
        for (code, dept), first in _unique_parties(already_notified).items()
    ]
    cpr_told = any(n.notification_kind == NotificationKind.CPR_REGISTER_NOTICE for n in already_notified)
    if not cpr_told:
        recipients += [
            r
            for r in admission_recipients(situation, config)
            if r.notification_kind == NotificationKind.CPR_REGISTER_NOTICE
        ]
    return recipients


def release_recipients(
    situation: PersonSituation, already_notified: Sequence[Notified], config: RuleConfig
) -> list[Recipient]:
    """The admission's parties: those the admission rule names for the person now (with the actual stay)
    and any party told of the admission before, each once, on its admission notice's basis."""
    parties: dict[tuple[str | None, str | None], LegalBasis] = {}
    for recipient in admission_recipients(situation, config):
        parties.setdefault(recipient.party, recipient.legal_basis)
    for item in already_notified:
        if item.notification_kind in ADMISSION_KINDS:
            parties.setdefault(item.party, item.legal_basis)
    return [Recipient(code, dept, NotificationKind.RELEASE_NOTICE, basis) for (code, dept), basis in parties.items()]


def coordination_recipients(
    situation: PersonSituation, already_notified: Sequence[Notified], config: RuleConfig
) -> list[Recipient]:
    """A decision to coordinate the handleplan asks the home municipality's social services for its case
    files, once per episode: a request already sent (a second "yes", or "yes" after "no" after "yes") sends
    nothing. A decision not to coordinate sends nothing."""
    if situation.coordinate_action_plan is not True:
        return []
    if any(n.notification_kind == NotificationKind.CASE_FILES_REQUEST for n in already_notified):
        return []
    return [
        Recipient(
            situation.home_municipality_code,
            CASE_FILES_DEPARTMENT,
            NotificationKind.CASE_FILES_REQUEST,
            BASIS_COORDINATION,
            Deadline(config.case_files_due_business_days, business_days=True),
        )
    ]


def recipients_for(
    event_kind: str,
    situation: PersonSituation,
    *,
    already_notified: Sequence[Notified] = (),
    config: RuleConfig | None = None,
) -> list[Recipient]:
    """The notices one episode event must produce. A conversion from remand to sentence produces none."""
    config = config or RuleConfig.from_settings()
    if event_kind == "admission":
        return admission_recipients(situation, config)
    if event_kind == "transfer":
        return transfer_recipients(situation, already_notified)
    if event_kind == "release_date_change":
        return release_date_change_recipients(situation, already_notified, config)
    if event_kind == "release":
        return release_recipients(situation, already_notified, config)
    if event_kind == "coordination_decision":
        return coordination_recipients(situation, already_notified, config)
    return []
