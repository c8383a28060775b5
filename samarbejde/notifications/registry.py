"""The registry of notice types: one entry per rule, the single home of every rule of a notice kind.

An entry (NoticeType) says, for one rule id such as `admission.benefits`:
- the kind the recipient sees it as, and the routing topic that picks the recipient's unit (organisations.routing);
- the legal basis, by the paragraph's stable key in the catalogue (legal.Paragraph.key), so renaming an act in
  the admin breaks nothing;
- the deadline rule and its source (settings override the numbers: most are product choices or unverified);
- whether it needs an answer (every notice needs an acknowledgement: a handover is done when the receiver
  has taken hold, "ingen slipper nogen løs, før den næste har fat"), and if so the answer's subjects, the
  decision codes offered per subject, which codes need a date or a text, and the window a date must lie in;
- the snapshot fields it carries (data minimisation: only what this recipient needs).

The inbox form, the service and the API all read these entries; nothing else restates a rule. Who receives
which rule on which event is notifications.rules (pure functions over the entries' ids). A notice stores its
rule id and the entry's `version`: bump the version when a circular changes what a rule does, so old notices
still say which rule sent them.

Snapshot fields are described in SNAPSHOT_FIELDS (label and how to show the value); the apps that send
notices register the labels of their own codes (e.g. custody's custody types) with register_choices().
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings

from samarbejde.core.business_days import add_business_days
from samarbejde.notifications.codes import DecisionCode
from samarbejde.notifications.codes import NotificationKind as Kind
from samarbejde.people.models import Benefit, PensionKind

# --- deadlines ------------------------------------------------------------------------------------------


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
class DeadlineRule:
    """How a notice's due date is counted from the event, and where that comes from.

    `setting` (an integer setting) overrides `days`; `business_days_setting` (a boolean) overrides
    `business_days`. `source` is the act and paragraph, or says it is a product choice.
    """

    days: int
    business_days: bool
    source: str
    setting: str = ""
    business_days_setting: str = ""
    # The event's facts may name the due date (ISO text) in this fact: the sender chose it (e.g. a § 808
    # request's answer date, before the hearing). The counted date is the default when the fact is empty.
    due_fact: str = ""

    def resolve(self) -> Deadline:
        days = int(getattr(settings, self.setting, self.days)) if self.setting else self.days
        business = (
            bool(getattr(settings, self.business_days_setting, self.business_days))
            if self.business_days_setting
            else self.business_days
        )
        return Deadline(days, business)

    def due_from(self, start: date) -> date:
        return self.resolve().due_from(start)

    def due_for(self, start: date, facts: Mapping | None = None) -> date:
        """The due date of a notice of an event on `start`: the fact `due_fact` names, else counted."""
        chosen = (facts or {}).get(self.due_fact) if self.due_fact else None
        if chosen:
            return chosen if isinstance(chosen, date) else date.fromisoformat(str(chosen))
        return self.due_from(start)

    def describe(self) -> str:
        deadline = self.resolve()
        unit = "hverdage" if deadline.business_days else "dage"
        return f"{deadline.days} {unit}"


# --- answers --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionOption:
    """One decision a recipient may record, as the inbox offers it."""

    code: str
    label: str
    needs_date: bool = False
    needs_text: bool = False


DECISION_OPTIONS: dict[str, DecisionOption] = {
    option.code: option
    for option in (
        DecisionOption(DecisionCode.STOPPED, "Standset pr. dato", needs_date=True),
        DecisionOption(DecisionCode.REDUCED, "Nedsat pr. dato", needs_date=True),
        DecisionOption(DecisionCode.CONTINUED, "Fortsætter"),
        DecisionOption(DecisionCode.RENT_COVERED, "Husleje dækkes til dato", needs_date=True),
        DecisionOption(DecisionCode.NO_BENEFIT, "Ingen ydelse"),
        DecisionOption(DecisionCode.OTHER, "Anden afgørelse", needs_text=True),
    )
}


def _days_setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


@dataclass(frozen=True)
class AnswerSpec:
    """What an answer to a notice may and must hold.

    `subjects_field` names the snapshot field with what the decisions are about: a list (the benefits) or
    one value (the pension). `codes` are offered for every subject, in that order; `not_for` takes codes away
    for a subject, each with the reason shown when it is sent anyway. `every_subject`: a decision per subject
    is required. `files`: files may be attached (case files). A decision's date must lie from
    ANSWER_DATE_DAYS_BEFORE_EVENT days before the event (the admission) to ANSWER_DATE_DAYS_AHEAD days after
    today (a product choice: a date far outside that window is a typing error, e.g. 2072 for 2027).
    """

    subjects_field: str | None = None
    codes: tuple[str, ...] = ()
    not_for: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    every_subject: bool = True
    files: bool = False
    subject_labels: Mapping[str, str] = field(default_factory=dict)
    code_labels: Mapping[str, str] = field(default_factory=dict)

    def subjects(self, snapshot: Mapping) -> list[str]:
        if not self.subjects_field:
            return []
        value = (snapshot or {}).get(self.subjects_field)
        values = value if isinstance(value, list) else ([value] if value else [])
        return [v for v in values if v in SUBJECT_LABELS]

    def options_for(self, subject: str) -> list[DecisionOption]:
        refused = self.not_for.get(subject, {})
        options = [DECISION_OPTIONS[code] for code in self.codes if code not in refused]
        return [
            DecisionOption(o.code, self.code_labels[o.code], o.needs_date, o.needs_text)
            if o.code in self.code_labels
            else o
            for o in options
        ]

    def refusal_for(self, subject: str, code: str) -> str | None:
        """The reason a known code is not offered for this subject (None: it is offered or unknown)."""
        return self.not_for.get(subject, {}).get(code)

    def subject_label(self, subject: str) -> str:
        return self.subject_labels.get(subject) or SUBJECT_LABELS.get(subject, subject)

    @staticmethod
    def days_before_event() -> int:
        return _days_setting("ANSWER_DATE_DAYS_BEFORE_EVENT", 31)

    @staticmethod
    def days_ahead() -> int:
        return _days_setting("ANSWER_DATE_DAYS_AHEAD", 366)


# What a decision may be about: the six benefits, or a pension.
SUBJECT_LABELS: dict[str, str] = {
    **dict(Benefit.choices),
    **{value: label for value, label in PensionKind.choices if value != PensionKind.NONE},
}

BENEFIT_CODES = (
    DecisionCode.STOPPED,
    DecisionCode.REDUCED,
    DecisionCode.CONTINUED,
    DecisionCode.RENT_COVERED,
    DecisionCode.NO_BENEFIT,
    DecisionCode.OTHER,
)
NOT_PAID_IN_CUSTODY = {
    # Sygedagpenge are not paid during imprisonment (domain brief, process 1), so "continues" is no answer.
    DecisionCode.CONTINUED: "Sygedagpenge udbetales ikke under frihedsberøvelse, så »Fortsætter« kan ikke vælges.",
}

# --- notice types ---------------------------------------------------------------------------------------

# Paragraph keys of the legal catalogue (reference/legal_acts.json).
BASIS_REPORTING = "indberetningscirkulaeret"  # CIS 11319/1994, indberetning om indsættelse og løsladelse
BASIS_CPR_REGISTER = "folkeregistercirkulaeret"  # CIR 87/1985 (amended 1988), unverified
BASIS_PENSION = "social-pension:46"  # pension stops during custody; the institution tells UDK and the municipality
BASIS_COORDINATION = "koordineringsbekendtgoerelsen:3-1"  # BEK 642/2006 § 3, stk. 1
BASIS_CONSENT_REVOKED = "databeskyttelsesloven"  # with the GDPR art. 7, stk. 3 (consent: consent app)

ACK_SOURCE = (
    "Produktvalg: modtageren kvitterer inden for fristen, så Kriminalforsorgen ved, at overdragelsen er sket "
    "(Køreplanen: »ingen slipper nogen løs, før den næste har fat«). Ingen lovbestemt frist."
)
RELEASE_ACK_SOURCE = (
    "Produktvalg: løsladelsen kvitteres hurtigt, fordi borgeren har ret til hjælp fra løsladelsesdagen "
    "(domænebeskrivelsen, proces 4). Ingen lovbestemt frist."
)
ACK = DeadlineRule(5, True, ACK_SOURCE, setting="NOTICE_ACK_DUE_BUSINESS_DAYS")
RELEASE_ACK = DeadlineRule(2, True, RELEASE_ACK_SOURCE, setting="RELEASE_ACK_DUE_BUSINESS_DAYS")
CPR_DEADLINE = DeadlineRule(
    5,
    False,
    "Folkeregistercirkulæret (CIR nr. 87 af 9.8.1985): senest 5 dage efter indsættelsen, i kalenderdage "
    "(cirkulæret siger dage, ikke hverdage). Ikke efterprøvet, om cirkulæret gælder.",
    setting="CPR_NOTICE_DUE_DAYS",
    business_days_setting="CPR_NOTICE_DUE_BUSINESS_DAYS",
)

# The snapshot fields every notice of a custody event carries for a municipal unit.
CUSTODY = ("custody_type", "institution", "admitted_at")
EXPECTED = ("expected_release_date", "release_certainty")
RELEASED = ("released_at", "release_kind", "address_after_release")

CASE_FILES_REQUEST_TEXT = (
    "Kriminalforsorgen koordinerer handleplanen med kommunen og beder om kommunens sagsakter om personen: "
    "kommunens handleplan (serviceloven § 141) og oplysninger om bolig, forsørgelse, beskæftigelse, "
    "misbrugsbehandling og andre indsatser, der er relevante for planen."
)


@dataclass(frozen=True)
class NoticeType:
    """One rule: what one kind of notice to one kind of recipient is, and how it is settled.

    `family` groups a party's notices across events: a release or a new release date goes to each party the
    admission told, by the follow-up rule of that party's family (rules.FOLLOW_UP). `topic` is the routing
    topic (organisations.routing) that chooses a municipality's unit; "" for recipients without units (UDK).
    `group_by` says how recipients of the same rule merge: "unit" (one notice per unit, the subjects joined,
    e.g. kontanthjælp and uddannelseshjælp both to Ydelsesservice) or "party" (one notice per organisation and
    unit, whichever follow-up rule comes first). `occurred_label` names the event in messages ("indsættelsen").
    """

    rule: str
    version: int
    kind: str
    title: str
    family: str
    legal_basis: str
    deadline: DeadlineRule
    topic: str = ""
    needs_answer: bool = False
    answer: AnswerSpec | None = None
    snapshot_fields: tuple[str, ...] = ()
    group_by: str = "unit"
    occurred_label: str = "hændelsen"
    request_text: str = ""

    @property
    def needs_acknowledgement(self) -> bool:
        return True  # every notice: a handover is done when the receiver has acknowledged it

    @property
    def takes_files(self) -> bool:
        return bool(self.answer and self.answer.files)


# --- action_plans ---
BASIS_ACTION_PLAN_REMAND = "handleplanscirkulaeret:1"  # CIR 9741/2022 § 1: a plan as soon as possible
ACTION_PLAN_DEADLINE, ACTION_PLAN, TOPIC_ACTION_PLAN = "action_plan_deadline", "action_plan", "action_plan"
ACTION_PLAN_ACK = DeadlineRule(
    5,
    True,
    "Produktvalg: den handleplansansvarliges enhed kvitterer for påmindelsen inden for 5 hverdage.",
    setting="NOTICE_ACK_DUE_BUSINESS_DAYS",
)
# --- end action_plans ---
# --- pre_sentence ---
PRE_SENTENCE_RULE = "pre_sentence.information_request"
PRE_SENTENCE = "pre_sentence"  # family: the body KiF asks before a judgment
TOPIC_PRE_SENTENCE = "pre_sentence"
BASIS_PRE_SENTENCE = "retsplejeloven:808"  # personundersøgelse forud for dom
# No statutory answer deadline was found (domain brief, process 2: unverified). KiF chooses the answer date
# before the hearing; this is the default counted from the request (a product choice, a setting).
PRE_SENTENCE_DEADLINE = DeadlineRule(
    10,
    True,
    "Produktvalg: ingen lovbestemt svarfrist fundet. KiF vælger svarfristen før retsmødet; standarden er 10 "
    "hverdage efter anmodningen (indstillingen PRE_SENTENCE_ANSWER_DUE_BUSINESS_DAYS).",
    setting="PRE_SENTENCE_ANSWER_DUE_BUSINESS_DAYS",
    due_fact="answer_due",
)
# --- end pre_sentence ---

# Families: which party a notice is to (rules.FOLLOW_UP picks the release rule per family).
BENEFITS, CPR_REGISTER, PENSION_UDK, PENSION_RENT, CASE_FILES = (
    "benefits",
    "cpr_register",
    "pension_udk",
    "pension_rent",
    "case_files",
)

CONSENT = "consent"  # the organisations in a consent's scope (consent app)

# Routing topics (organisations.routing): what a municipality's routing table can route.
TOPIC_BENEFITS, TOPIC_ADMISSION, TOPIC_CPR, TOPIC_PENSION, TOPIC_CASE_FILES = (
    "benefits",
    "admission",
    "cpr_register",
    "pension",
    "case_files",
)


def _types() -> list[NoticeType]:
    benefits_answer = AnswerSpec(
        subjects_field="benefits", codes=BENEFIT_CODES, not_for={Benefit.SYGEDAGPENGE: NOT_PAID_IN_CUSTODY}
    )
    pension_udk_answer = AnswerSpec(
        subjects_field="pension",
        codes=(DecisionCode.STOPPED, DecisionCode.OTHER),
        code_labels={DecisionCode.STOPPED: "Pensionen standset pr. dato"},
    )
    rent_answer = AnswerSpec(
        subjects_field="pension",
        codes=(DecisionCode.RENT_COVERED, DecisionCode.NO_BENEFIT, DecisionCode.OTHER),
        code_labels={DecisionCode.NO_BENEFIT: "Ingen hjælp til husleje"},
        subject_labels={
            PensionKind.FOLKEPENSION: "Husleje af folkepensionen",
            PensionKind.FOERTIDSPENSION: "Husleje af førtidspensionen",
        },
    )
    pension_decision = DeadlineRule(
        10,
        True,
        "Produktvalg: ingen lovbestemt svarfrist fundet (lov om social pension § 46 siger, at pensionen "
        "standser, ikke hvornår der skal svares).",
        setting="PENSION_DECISION_DUE_BUSINESS_DAYS",
    )
    benefits_decision = DeadlineRule(
        10,
        True,
        "Produktvalg: ingen lovbestemt svarfrist fundet; kommunen bedes træffe afgørelse inden for 10 hverdage.",
        setting="BENEFITS_DECISION_DUE_BUSINESS_DAYS",
    )
    case_files = DeadlineRule(
        10,
        True,
        "Produktvalg: handleplanen skal foreligge senest 4 uger efter indsættelsen (Køreplanen, trin 5), så "
        "sagsakterne bedes sendt inden for 2 uger.",
        setting="CASE_FILES_DUE_BUSINESS_DAYS",
    )
    release_fields = (*CUSTODY, *RELEASED)
    return [
        # --- admission ----------------------------------------------------------------------------------
        NoticeType(
            "admission.benefits",
            1,
            Kind.BENEFITS_DECISION_REQUEST,
            "Ved indsættelse: anmodning om afgørelse om de ydelser, borgeren modtager",
            BENEFITS,
            BASIS_REPORTING,
            benefits_decision,
            topic=TOPIC_BENEFITS,
            needs_answer=True,
            answer=benefits_answer,
            snapshot_fields=(*CUSTODY, "benefits", *EXPECTED),
            occurred_label="indsættelsen",
        ),
        NoticeType(
            "admission.no_benefits",
            1,
            Kind.ADMISSION_NOTICE,
            "Ved indsættelse: meddelelse til kommunen, når borgeren ikke modtager ydelser eller pension",
            BENEFITS,
            BASIS_REPORTING,
            ACK,
            topic=TOPIC_ADMISSION,
            snapshot_fields=(*CUSTODY, "benefits", *EXPECTED),
            occurred_label="indsættelsen",
        ),
        NoticeType(
            "admission.cpr_register",
            1,
            Kind.CPR_REGISTER_NOTICE,
            "Ved indsættelse over 3 måneder: meddelelse til folkeregisteret (CPR-nummer, navn og tidspunkt)",
            CPR_REGISTER,
            BASIS_CPR_REGISTER,
            CPR_DEADLINE,
            topic=TOPIC_CPR,
            snapshot_fields=("admitted_at",),
            occurred_label="indsættelsen",
        ),
        NoticeType(
            "admission.pension_udk",
            1,
            Kind.PENSION_NOTICE,
            "Ved indsættelse af en pensionist: meddelelse til Udbetaling Danmark, der standser pensionen",
            PENSION_UDK,
            BASIS_PENSION,
            pension_decision,
            needs_answer=True,
            answer=pension_udk_answer,
            snapshot_fields=(*CUSTODY, "pension", *EXPECTED),
            occurred_label="indsættelsen",
        ),
        NoticeType(
            "admission.pension_rent",
            1,
            Kind.PENSION_NOTICE,
            "Ved indsættelse af en pensionist: meddelelse til kommunen, der kan dække husleje af pensionen",
            PENSION_RENT,
            BASIS_PENSION,
            pension_decision,
            topic=TOPIC_PENSION,
            needs_answer=True,
            answer=rent_answer,
            snapshot_fields=(*CUSTODY, "pension", *EXPECTED),
            occurred_label="indsættelsen",
        ),
        # --- transfer -----------------------------------------------------------------------------------
        NoticeType(
            "transfer.notice",
            1,
            Kind.TRANSFER_NOTICE,
            "Ved overførsel: ny institution og kontaktperson til de enheder i kommunen, der er underrettet",
            BENEFITS,
            BASIS_REPORTING,
            ACK,
            topic=TOPIC_ADMISSION,
            snapshot_fields=(*CUSTODY, "transferred_at", "from_institution", "contact"),
            group_by="party",
            occurred_label="overførslen",
        ),
        # --- new expected release date (every party told before, each on its own basis) -----------------
        *[
            NoticeType(
                f"release_date_change.{family}",
                1,
                Kind.RELEASE_DATE_CHANGE_NOTICE,
                f"Ved ændret forventet løsladelse: meddelelse til {party}",
                family,
                basis,
                ACK,
                topic=topic,
                snapshot_fields=(*CUSTODY, "previous_release_date", *EXPECTED, *extra),
                group_by="party",
                occurred_label="ændringen",
            )
            for family, party, basis, topic, extra in (
                (BENEFITS, "kommunen", BASIS_REPORTING, TOPIC_ADMISSION, ()),
                (CPR_REGISTER, "folkeregisteret", BASIS_CPR_REGISTER, TOPIC_CPR, ()),
                (PENSION_UDK, "Udbetaling Danmark", BASIS_PENSION, "", ("pension",)),
                (PENSION_RENT, "kommunen om pensionen", BASIS_PENSION, TOPIC_PENSION, ("pension",)),
                (CASE_FILES, "kommunens socialforvaltning", BASIS_COORDINATION, TOPIC_CASE_FILES, ()),
            )
        ],
        # --- release (the admission's parties) ----------------------------------------------------------
        *[
            NoticeType(
                f"release.{family}",
                1,
                Kind.RELEASE_NOTICE,
                f"Ved løsladelse: meddelelse til {party}",
                family,
                basis,
                RELEASE_ACK,
                topic=topic,
                snapshot_fields=(*release_fields, *extra),
                group_by="party",
                occurred_label="løsladelsen",
            )
            for family, party, basis, topic, extra in (
                (
                    BENEFITS,
                    "kommunen (borgeren har ret til hjælp fra løsladelsesdagen)",
                    BASIS_REPORTING,
                    TOPIC_ADMISSION,
                    (),
                ),
                (CPR_REGISTER, "folkeregisteret", BASIS_CPR_REGISTER, TOPIC_CPR, ()),
                (PENSION_UDK, "Udbetaling Danmark, der genoptager pensionen", BASIS_PENSION, "", ("pension",)),
                (PENSION_RENT, "kommunen om pensionen", BASIS_PENSION, TOPIC_PENSION, ("pension",)),
            )
        ],
        # --- coordination of the handleplan -------------------------------------------------------------
        NoticeType(
            "coordination.case_files",
            1,
            Kind.CASE_FILES_REQUEST,
            "Ved beslutning om at koordinere handleplanen: anmodning om kommunens sagsakter",
            CASE_FILES,
            BASIS_COORDINATION,
            case_files,
            topic=TOPIC_CASE_FILES,
            needs_answer=True,
            answer=AnswerSpec(files=True, every_subject=False),
            snapshot_fields=(*CUSTODY, *EXPECTED, "request", "requested_by"),
            occurred_label="beslutningen",
            request_text=CASE_FILES_REQUEST_TEXT,
        ),
        # --- action_plans -------------------------------------------------------------------------------
        # The handleplan (samarbejde.action_plans): its deadline followed up with the institution, and the
        # areas shared with the home municipality (BEK 642/2006 §§ 1 and 3; serviceloven §§ 140-141).
        NoticeType(
            "action_plans.due",
            1,
            Kind.ACTION_PLAN_DEADLINE,
            "Handleplanens frist nærmer sig: påmindelse til den handleplansansvarliges enhed",
            ACTION_PLAN_DEADLINE,
            BASIS_ACTION_PLAN_REMAND,
            ACTION_PLAN_ACK,
            snapshot_fields=(*CUSTODY, "plan_due_on", "plan_step"),
            group_by="party",
            occurred_label="påmindelsen",
        ),
        NoticeType(
            "action_plans.overdue",
            1,
            Kind.ACTION_PLAN_DEADLINE,
            "Handleplanens frist er overskredet: rykker til den handleplansansvarliges enhed",
            ACTION_PLAN_DEADLINE,
            BASIS_ACTION_PLAN_REMAND,
            ACTION_PLAN_ACK,
            snapshot_fields=(*CUSTODY, "plan_due_on", "plan_step"),
            group_by="party",
            occurred_label="fristen",
        ),
        NoticeType(
            "action_plans.shared",
            1,
            Kind.ACTION_PLAN_SHARED,
            "Handleplan delt med kommunen til koordinering med kommunens egen plan (serviceloven § 141)",
            ACTION_PLAN,
            BASIS_COORDINATION,
            ACK,
            topic=TOPIC_ACTION_PLAN,
            snapshot_fields=(*CUSTODY, "plan_areas", "plan_link"),
            group_by="party",
            occurred_label="delingen",
        ),
        NoticeType(
            "action_plans.changed",
            1,
            Kind.ACTION_PLAN_CHANGED,
            "Ændring i de dele af handleplanen, der er delt med kommunen",
            ACTION_PLAN,
            BASIS_COORDINATION,
            ACK,
            topic=TOPIC_ACTION_PLAN,
            snapshot_fields=(*CUSTODY, "plan_areas", "plan_change", "plan_link"),
            group_by="party",
            occurred_label="ændringen",
        ),
        # --- end action_plans ---------------------------------------------------------------------------
        # --- pre_sentence -------------------------------------------------------------------------------
        NoticeType(
            PRE_SENTENCE_RULE,
            1,
            Kind.INFORMATION_REQUEST,
            "Før dom: KiF's anmodning om oplysninger til en personundersøgelse (retsplejeloven § 808)",
            PRE_SENTENCE,
            BASIS_PRE_SENTENCE,
            PRE_SENTENCE_DEADLINE,
            topic=TOPIC_PRE_SENTENCE,
            needs_answer=True,
            answer=AnswerSpec(files=True, every_subject=False),
            snapshot_fields=("court", "hearing_date", "questions", "disclosure_basis", "requested_by"),
            group_by="party",
            occurred_label="anmodningen",
        ),
        # --- end pre_sentence ---------------------------------------------------------------------------
        # --- consent --------------------------------------------------------------------------------------
        # The client revoked a consent: every organisation in its scope is told that it no longer covers
        # anything (information only: acknowledged, never answered). The consent is the thread, the
        # revocation record the source (consent.services.consent_revoke).
        NoticeType(
            "consent.revoked",
            1,
            Kind.CONSENT_REVOKED_NOTICE,
            "Ved tilbagekaldt samtykke: meddelelse til de myndigheder, samtykket omfattede",
            CONSENT,
            BASIS_CONSENT_REVOKED,
            ACK,
            snapshot_fields=("consent_purpose", "consent_categories", "consent_given_on", "consent_revoked_on"),
            group_by="party",
            occurred_label="tilbagekaldelsen",
        ),
        # --- end consent ----------------------------------------------------------------------------------
    ]


REGISTRY: dict[str, NoticeType] = {t.rule: t for t in _types()}


class UnknownRule(KeyError):
    pass


def notice_type(rule: str) -> NoticeType:
    try:
        return REGISTRY[rule]
    except KeyError:
        raise UnknownRule(rule) from None


def notice_type_or_none(rule: str) -> NoticeType | None:
    return REGISTRY.get(rule)


def notice_types() -> list[NoticeType]:
    return list(REGISTRY.values())


def rules_needing_answer() -> frozenset[str]:
    return frozenset(t.rule for t in REGISTRY.values() if t.needs_answer)


# --- routing topics (declared to the directory when the app is ready: notifications.apps) --------------

ROUTING_TOPICS = (
    (
        TOPIC_BENEFITS,
        "Ydelser ved indsættelse",
        tuple(Benefit.choices),
        "Anmodningen om afgørelse om en ydelse, borgeren modtager.",
    ),
    (
        TOPIC_ADMISSION,
        "Indsættelse, overførsel og løsladelse",
        (),
        "Meddelelser til kommunen, når borgeren ikke modtager ydelser; også overførsel og løsladelse, hvis ingen "
        "enhed er underrettet før.",
    ),
    (TOPIC_CPR, "Folkeregisteret", (), "Meddelelsen til folkeregisteret ved ophold over 3 måneder."),
    (
        TOPIC_PENSION,
        "Pension (husleje)",
        tuple((v, label) for v, label in PensionKind.choices if v != PensionKind.NONE),
        "Meddelelsen om en pensionist, hvor kommunen kan dække husleje af pensionen.",
    ),
    (
        TOPIC_CASE_FILES,
        "Sagsakter til handleplan",
        (),
        "Anmodningen om kommunens sagsakter, når handleplanen koordineres.",
    ),
    # --- action_plans ---
    (
        "action_plan",
        "Delt handleplan",
        (),
        "Kriminalforsorgens handleplan, når områder deles med kommunen, og ændringer i de delte områder.",
    ),
    # --- end action_plans ---
    # --- pre_sentence ---
    (
        TOPIC_PRE_SENTENCE,
        "Personundersøgelse (§ 808)",
        (),
        "Kriminalforsorgen i Friheds anmodning om oplysninger til en personundersøgelse før dom.",
    ),
    # --- end pre_sentence ---
)


# --- snapshot fields ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SnapshotField:
    """How one snapshot field is shown: its Danish label and the shape of its value.

    shape: "datetime" / "date" (ISO text), "choice" (a code; labels from register_choices), "choices" (a list of
    codes), "text", "organisation" ({name, address, phone, email}), "contact" ({unit_name, person_name, phone,
    secure_mailbox}), "person" ({name, institution}), "link" (a path of this site, shown as a link).
    """

    name: str
    label: str
    shape: str
    empty: str = ""  # shown when the value is empty (None: the row is left out)


SNAPSHOT_FIELDS: dict[str, SnapshotField] = {
    f.name: f
    for f in (
        SnapshotField("custody_type", "Frihedsberøvelse", "choice"),
        SnapshotField("institution", "Institution", "organisation"),
        SnapshotField("admitted_at", "Indsat", "datetime"),
        SnapshotField("benefits", "Ydelser ved indsættelsen", "choices", empty="Ingen"),
        SnapshotField("pension", "Pension", "choice"),
        SnapshotField("transferred_at", "Overført", "datetime"),
        SnapshotField("from_institution", "Fra institution", "organisation"),
        SnapshotField("contact", "Kontakt hos Kriminalforsorgen", "contact"),
        SnapshotField("previous_release_date", "Tidligere forventet løsladelse", "date"),
        SnapshotField("expected_release_date", "Forventet løsladelse", "date", empty="Ukendt"),
        SnapshotField("release_certainty", "Sikkerhed for datoen", "choice"),
        SnapshotField("request", "Anmodning", "text"),
        SnapshotField("requested_by", "Anmodet af", "person"),
        SnapshotField("released_at", "Løsladt", "datetime"),
        SnapshotField("release_kind", "Løsladelsesform", "choice"),
        SnapshotField("address_after_release", "Adresse efter løsladelse", "text", empty="Ikke oplyst"),
        # --- action_plans ---
        SnapshotField("plan_due_on", "Handleplanens frist", "date"),
        SnapshotField("plan_step", "Opfølgning", "text"),
        SnapshotField("plan_areas", "Delte områder", "text"),
        SnapshotField("plan_change", "Ændring", "text"),
        SnapshotField("plan_link", "Handleplanen", "link"),
        # --- end action_plans ---
        # --- pre_sentence ---
        SnapshotField("court", "Ret", "text"),
        SnapshotField("hearing_date", "Retsmøde", "date"),
        SnapshotField("questions", "Spørgsmål", "text"),
        SnapshotField("disclosure_basis", "Grundlag for videregivelsen", "text"),
        # --- end pre_sentence ---
        # --- consent ---
        SnapshotField("consent_purpose", "Samtykkets formål", "text"),
        SnapshotField("consent_categories", "Oplysninger, samtykket omfattede", "choices"),
        SnapshotField("consent_given_on", "Samtykket givet", "date"),
        SnapshotField("consent_revoked_on", "Tilbagekaldt af borgeren", "date"),
    )
}

_CHOICES: dict[str, dict[str, str]] = {
    "benefits": dict(Benefit.choices),
    "pension": dict(PensionKind.choices),
}


def register_choices(field_name: str, choices) -> None:
    """An app that sends notices names the labels of its codes in one snapshot field (its apps.ready)."""
    _CHOICES[field_name] = dict(choices)


def choice_label(field_name: str, value: str) -> str:
    return _CHOICES.get(field_name, {}).get(value, value or "")
