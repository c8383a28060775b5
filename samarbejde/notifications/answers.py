"""Checking an answer to a notice against its rule (notifications.registry AnswerSpec): one function that the
service, the inbox form and the API all use, so they accept and refuse the same answers.

check_answer() raises ValidationError with a dict of Danish messages keyed like the inbox form's fields
(`<subject>-code`, `<subject>-date`, `<subject>-text`, `text`, `files`, and NON_FIELD_ERRORS for the answer as a
whole); the API joins the messages into its problem `detail`.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.formats import date_format

from samarbejde.notifications import attachments
from samarbejde.notifications.codes import NotificationKind
from samarbejde.notifications.models import BenefitDecision, DecisionCode
from samarbejde.notifications.registry import SUBJECT_LABELS, notice_type_or_none

ANSWER_TEXT_MAX = 4000
DECISION_TEXT_MAX = 500

MSG_NOT_ANSWERABLE = "Denne type underretning besvares ikke; kvittér for modtagelsen i stedet."
MSG_WITHDRAWN = "Underretningen er trukket tilbage og kan ikke besvares."
MSG_DECISIONS_FORMAT = "Afgørelserne skal angives pr. ydelse."
MSG_UNKNOWN_SUBJECT = "Underretningen handler ikke om %(subject)s."
MSG_DECISION_CODE = "Vælg en afgørelse for %(subject)s."
MSG_DECISION_CODE_NOT_OFFERED = "»%(choice)s« kan ikke vælges for %(subject)s. Vælg en af de viste afgørelser."
MSG_DECISION_TEXT_REQUIRED = "Uddyb afgørelsen for %(subject)s, når du vælger »Anden afgørelse«."
MSG_DECISION_TEXT_TOO_LONG = "Uddybningen for %(subject)s må højst være 500 tegn."
MSG_DECISION_DATE = "Datoen for %(subject)s er ikke en gyldig dato. Skriv fx 01.04.2027."
MSG_DECISION_DATE_REQUIRED = "Angiv datoen for afgørelsen om %(subject)s."
MSG_DATE_TOO_EARLY = (
    "Datoen for %(subject)s ligger mere end %(days)d dage før %(event)s (%(reference)s). Kontrollér datoen."
)
MSG_DATE_TOO_LATE = "Datoen for %(subject)s ligger mere end %(days)d dage ude i fremtiden. Kontrollér datoen."
MSG_ANSWER_EMPTY = "Skriv en afgørelse eller en bemærkning, før du sender svaret."
MSG_ANSWER_TOO_LONG = "Bemærkningen må højst være 4000 tegn."
MSG_FILES_NOT_ALLOWED = (
    "Der kan kun vedhæftes filer til svar på en anmodning om sagsakter eller om oplysninger til en personundersøgelse."
)
MSG_CASE_FILES_ANSWER_EMPTY = "Skriv et svar, eller vedhæft sagsakterne, før du sender svaret."
MSG_FILES_ANSWER_EMPTY = "Skriv et svar, eller vedhæft filerne, før du sender svaret."  # other rules that take files


# Answer guards: an app whose notices may stop taking answers (e.g. a § 808 request once KiF has closed the
# investigation) registers a check per rule from its AppConfig.ready; notifications never imports the app.
# A guard gets the notice and returns a Danish message (the answer is refused) or None.
_ANSWER_GUARDS: dict[str, list[Callable]] = {}


def register_answer_guard(rule: str, guard: Callable) -> None:
    """Refuse answers to notices of `rule` while `guard(notification)` returns a message (its apps.ready)."""
    guards = _ANSWER_GUARDS.setdefault(rule, [])
    if guard not in guards:
        guards.append(guard)


def answer_refusal(notification) -> str | None:
    """The first registered guard's message refusing an answer to `notification`, or None."""
    for guard in _ANSWER_GUARDS.get(notification.rule, ()):
        message = guard(notification)
        if message:
            return message
    return None


@dataclass
class CheckedAnswer:
    """An answer that passed: its decisions (unsaved, in canonical order), its text and its checked files."""

    decisions: list[BenefitDecision] = field(default_factory=list)
    text: str = ""
    files: list = field(default_factory=list)


class _Errors:
    def __init__(self):
        self.by_key: dict[str, list[ValidationError]] = {}

    def add(self, key: str, message: str, code: str, **params) -> None:
        self.by_key.setdefault(key, []).append(ValidationError(message, code=code, params=params or None))

    def raise_if_any(self) -> None:
        if self.by_key:
            raise ValidationError(self.by_key)


def _parse_date(value) -> date | bool | None:
    """A date, None for no date, False for text that is not a date."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        return False


def reference_date(notification) -> date:
    """The date decisions are measured against: the event's (e.g. the admission's) day in Danish time."""
    moment = notification.occurred_at or notification.created_at
    return timezone.localtime(moment).date() if moment else timezone.localdate()


def check_answer(
    notification, *, decisions: Mapping | None, text: str = "", files: Sequence = (), today: date | None = None
) -> CheckedAnswer:
    """Check an answer to `notification` by its rule. Returns what passed; raises ValidationError otherwise."""
    today = today or timezone.localdate()
    errors = _Errors()
    notice_type = notice_type_or_none(notification.rule)
    refusal = answer_refusal(notification)
    if refusal:
        errors.add(NON_FIELD_ERRORS, refusal, "answer_refused")
        errors.raise_if_any()
    if notification.withdrawn_at is not None:
        errors.add(NON_FIELD_ERRORS, MSG_WITHDRAWN, "withdrawn")
        errors.raise_if_any()
    if notice_type is None or not notice_type.needs_answer or notice_type.answer is None:
        errors.add(NON_FIELD_ERRORS, MSG_NOT_ANSWERABLE, "not_answerable")
        errors.raise_if_any()
    spec = notice_type.answer
    text = (text or "").strip()
    if len(text) > ANSWER_TEXT_MAX:
        errors.add("text", MSG_ANSWER_TOO_LONG, "answer_too_long")
    files = [f for f in files or () if f is not None]
    checked_files: list = []
    if files and not spec.files:
        errors.add("files", MSG_FILES_NOT_ALLOWED, "files_not_allowed")
    elif files:
        try:
            checked_files = attachments.check_files(files)
        except ValidationError as exc:
            for message in exc.messages:
                errors.add("files", message, "files")
    cleaned = _check_decisions(notification, notice_type, spec, decisions, errors, today)
    if not cleaned and not text and not files and not errors.by_key:
        if spec.files:
            message = (
                MSG_CASE_FILES_ANSWER_EMPTY
                if notification.kind == NotificationKind.CASE_FILES_REQUEST
                else MSG_FILES_ANSWER_EMPTY
            )
            errors.add("text", message, "answer_empty")
        else:
            errors.add("text", MSG_ANSWER_EMPTY, "answer_empty")
    errors.raise_if_any()
    return CheckedAnswer(decisions=cleaned, text=text, files=checked_files)


def _check_decisions(notification, notice_type, spec, decisions, errors: _Errors, today: date) -> list:
    if decisions is None:
        decisions = {}
    if not isinstance(decisions, Mapping):
        errors.add(NON_FIELD_ERRORS, MSG_DECISIONS_FORMAT, "decisions_format")
        return []
    allowed = spec.subjects(notification.snapshot)
    reference = reference_date(notification)
    earliest = reference - timedelta(days=spec.days_before_event())
    latest = today + timedelta(days=spec.days_ahead())
    cleaned: list[BenefitDecision] = []
    for subject, decision in decisions.items():
        label = spec.subject_label(subject).lower() if subject in SUBJECT_LABELS else str(subject)[:40]
        if subject not in allowed:
            errors.add(NON_FIELD_ERRORS, MSG_UNKNOWN_SUBJECT, "unknown_subject", subject=label)
            continue
        if not isinstance(decision, Mapping):
            errors.add(NON_FIELD_ERRORS, MSG_DECISIONS_FORMAT, "decisions_format")
            continue
        code = decision.get("code")
        options = {option.code: option for option in spec.options_for(subject)}
        option = options.get(code)
        if option is None:
            refusal = spec.refusal_for(subject, code) if isinstance(code, str) else None
            if refusal:
                errors.add(f"{subject}-code", refusal, "decision_code_refused")
            elif code in DecisionCode.values:
                errors.add(
                    f"{subject}-code",
                    MSG_DECISION_CODE_NOT_OFFERED,
                    "decision_code_not_offered",
                    choice=DecisionCode(code).label,
                    subject=label,
                )
            else:
                errors.add(f"{subject}-code", MSG_DECISION_CODE, "decision_code", subject=label)
            continue
        decision_text = str(decision.get("text") or "").strip()
        if len(decision_text) > DECISION_TEXT_MAX:
            errors.add(f"{subject}-text", MSG_DECISION_TEXT_TOO_LONG, "decision_text_long", subject=label)
        elif option.needs_text and not decision_text:
            errors.add(f"{subject}-text", MSG_DECISION_TEXT_REQUIRED, "decision_text", subject=label)
        effective = _parse_date(decision.get("effective_date"))
        if effective is False:
            errors.add(f"{subject}-date", MSG_DECISION_DATE, "decision_date", subject=label)
            continue
        if effective is None and option.needs_date:
            errors.add(f"{subject}-date", MSG_DECISION_DATE_REQUIRED, "decision_date_required", subject=label)
            continue
        if effective is not None and effective < earliest:
            errors.add(
                f"{subject}-date",
                MSG_DATE_TOO_EARLY,
                "decision_date_too_early",
                subject=label,
                days=spec.days_before_event(),
                event=notice_type.occurred_label,
                reference=date_format(reference, "DATE_FORMAT"),
            )
            continue
        if effective is not None and effective > latest:
            errors.add(
                f"{subject}-date", MSG_DATE_TOO_LATE, "decision_date_too_late", subject=label, days=spec.days_ahead()
            )
            continue
        cleaned.append(BenefitDecision(subject=subject, code=code, text=decision_text, effective_date=effective))
    if spec.every_subject:
        for subject in allowed:
            if subject not in decisions:
                label = spec.subject_label(subject).lower()
                errors.add(f"{subject}-code", MSG_DECISION_CODE, "decision_missing", subject=label)
    order = {value: index for index, value in enumerate(SUBJECT_LABELS)}
    return sorted(cleaned, key=lambda d: order.get(d.subject, 99))
