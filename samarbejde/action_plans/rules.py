"""The handleplan's rules as pure functions over data (no database access), each citing its source.

- `applicability(facts)`: whether a plan is required, with the reasons and the paragraphs they rest on
  (straffuldbyrdelsesloven § 31, stk. 2; BEK 421/2015 § 1 and § 1, stk. 2; handleplanscirkulæret § 1).
- `plan_deadline(custody_type, admitted_on)`: the day the plan must be in place by (Køreplan step 5: no later
  than 4 weeks after admission; remand clients "as soon as possible", a number of days that is a product
  choice: setting ACTION_PLAN_REMAND_DUE_DAYS).
- `deadline_step(deadline, today)`: which step of the deadline follow-up is due (reminder before, escalation
  after), the reminder's lead time a product choice (ACTION_PLAN_REMINDER_DAYS_BEFORE).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings

REMAND, SENTENCE = "remand", "sentence"

# Paragraph keys of the legal catalogue (reference/legal_acts.json).
BASIS_DUTY = "straffuldbyrdelsesloven:31-2"
BASIS_SHORT = "handleplansbegraensning:1"
BASIS_ANYWAY = "handleplansbegraensning:1-2"
BASIS_REMAND = "handleplanscirkulaeret:1"

SOURCE_DUTY = "Straffuldbyrdelsesloven § 31, stk. 2"
SOURCE_SHORT = "BEK nr. 421 af 9.4.2015 § 1"
SOURCE_ANYWAY = "BEK nr. 421 af 9.4.2015 § 1, stk. 2"
SOURCE_REMAND = "Handleplanscirkulæret (CIR nr. 9741 af 28.6.2022) § 1"
SOURCE_ROADMAP = "Køreplan for God Løsladelse, trin 5 (Rigsrevisionens beretning 10/2010, bilag 1)"
SOURCE_REMAND_DEADLINE = (
    "Handleplanscirkulæret § 1: »hurtigst muligt« efter indsættelsen. Antallet af dage er et produktvalg "
    "(indstillingen ACTION_PLAN_REMAND_DUE_DAYS)."
)

SHORT_SENTENCE_MONTHS = 4  # BEK 421/2015 § 1: sentences of 4 months or less
PLAN_WEEKS = 4  # Køreplan step 5: no later than 4 weeks after admission
UNDER_18, UNDER_26 = 18, 26


@dataclass(frozen=True)
class Reason:
    """One reason of the applicability decision, in Danish, with the paragraph it rests on."""

    text: str
    source: str
    basis: str = ""


@dataclass(frozen=True)
class ApplicabilityFacts:
    """What the rule needs. None means "not known". `age` is the client's age at admission (from the CPR
    number's birth date); the rest of stk. 2's facts are recorded on the plan's intake."""

    custody_type: str
    admitted_on: date
    sentence_days: int | None = None
    parole_with_supervision: bool | None = None
    age: int | None = None
    non_danish_background: bool | None = None
    no_suitable_housing: bool | None = None
    no_suitable_income: bool | None = None
    children_with_support: bool | None = None
    other_special_reason: str = ""


@dataclass(frozen=True)
class Applicability:
    """`required` True/False, or None when the facts do not decide it yet (e.g. the sentence's length is not
    registered). `reasons` say why; `unknown` names the facts that could still make a plan required."""

    required: bool | None
    reasons: tuple[Reason, ...] = ()
    unknown: tuple[str, ...] = field(default_factory=tuple)

    @property
    def label(self) -> str:
        if self.required is None:
            return "Kan ikke afgøres endnu"
        return "Handleplan påkrævet" if self.required else "Handleplan ikke påkrævet"


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def is_short_sentence(admitted_on: date, sentence_days: int) -> bool:
    """4 months or less, counted in calendar months from the admission (BEK 421/2015 § 1)."""
    return admitted_on + timedelta(days=sentence_days) <= add_months(admitted_on, SHORT_SENTENCE_MONTHS)


def _anyway(facts: ApplicabilityFacts) -> tuple[list[Reason], list[str]]:
    """§ 1, stk. 2: the reasons a plan is required anyway, and the facts not known."""
    reasons: list[Reason] = []
    unknown: list[str] = []

    def check(value, text: str, missing: str) -> None:
        if value is True:
            reasons.append(Reason(text, SOURCE_ANYWAY, BASIS_ANYWAY))
        elif value is None:
            unknown.append(missing)

    check(facts.parole_with_supervision, "Prøveløsladelse med tilsyn", "prøveløsladelse med tilsyn")
    if facts.age is None:
        unknown.append("alder")
    elif facts.age < UNDER_18:
        reasons.append(Reason("Under 18 år", SOURCE_ANYWAY, BASIS_ANYWAY))
    elif facts.age < UNDER_26:
        check(facts.non_danish_background, "Under 26 år med anden etnisk baggrund end dansk", "etnisk baggrund")
    check(facts.no_suitable_housing, "Ingen passende bolig", "bolig")
    check(facts.no_suitable_income, "Ingen passende forsørgelse", "forsørgelse")
    check(facts.children_with_support, "Har børn med støtteforanstaltninger", "børn med støtte")
    if (facts.other_special_reason or "").strip():
        reasons.append(Reason(f"Særlige grunde: {facts.other_special_reason.strip()}", SOURCE_ANYWAY, BASIS_ANYWAY))
    return reasons, unknown


def applicability(facts: ApplicabilityFacts) -> Applicability:
    """Whether KRFO must make a handleplan for this client, and why."""
    if facts.custody_type == REMAND:
        return Applicability(
            True,
            (Reason("Varetægtsfængslet: handleplan hurtigst muligt efter indsættelsen", SOURCE_REMAND, BASIS_REMAND),),
        )
    if facts.sentence_days is None:
        return Applicability(None, (), ("straffens længde",))
    if not is_short_sentence(facts.admitted_on, facts.sentence_days):
        return Applicability(
            True, (Reason("Straffen er længere end 4 måneder", f"{SOURCE_DUTY}; {SOURCE_SHORT}", BASIS_DUTY),)
        )
    anyway, unknown = _anyway(facts)
    if anyway:
        return Applicability(True, tuple(anyway), tuple(unknown))
    short = Reason("Straffen er på 4 måneder eller derunder", SOURCE_SHORT, BASIS_SHORT)
    return Applicability(False, (short,), tuple(unknown))


@dataclass(frozen=True)
class PlanDeadline:
    due_on: date
    source: str


def remand_due_days() -> int:
    return int(getattr(settings, "ACTION_PLAN_REMAND_DUE_DAYS", 14))


def reminder_days_before() -> int:
    return int(getattr(settings, "ACTION_PLAN_REMINDER_DAYS_BEFORE", 7))


def plan_deadline(custody_type: str, admitted_on: date) -> PlanDeadline:
    """The day the plan must be written by."""
    if custody_type == REMAND:
        return PlanDeadline(admitted_on + timedelta(days=remand_due_days()), SOURCE_REMAND_DEADLINE)
    return PlanDeadline(
        admitted_on + timedelta(weeks=PLAN_WEEKS), f"Senest 4 uger efter indsættelsen ({SOURCE_ROADMAP})"
    )


REMINDER, ESCALATION = "reminder", "escalation"


def deadline_step(due_on: date, today: date) -> str | None:
    """The follow-up step due today for a plan not yet written: the reminder from `reminder_days_before()` days
    before the deadline, the escalation from the day after it; None before that."""
    if today > due_on:
        return ESCALATION
    if today >= due_on - timedelta(days=reminder_days_before()):
        return REMINDER
    return None


def age_on(birth: date | None, day: date) -> int | None:
    if birth is None:
        return None
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
