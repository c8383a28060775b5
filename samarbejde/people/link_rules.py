"""When a live link ends: the rules, as data, each with its source (ADR 0008).

A link is an organisation's live reason to see a person (people.models.PersonLink). Every rule below says
when one kind of link closes, and why: a legal source where there is one, otherwise "Produktvalg" (a product
choice, with the setting that changes it). The flows apply them: notifications (withdrawal, correction, the
sweep of settled notices), custody (transfer and release) and people (expiry, need access). The rule's id is
stored on the closed link (`close_rule`) and named in its audit event, so the data-protection officer and the
data subject's report can tell why access ended.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings

from samarbejde.people.models import LinkReason

# GDPR art. 5(1)(c) and (e): data minimisation and storage limitation. For KRFO's own processing the same
# principles are in retshåndhævelsesloven § 4 (lov nr. 410 af 27. april 2017); domain.md, "Data protection".
MINIMISATION = (
    "Databeskyttelsesforordningen art. 5, stk. 1, litra c og e (dataminimering, opbevaringsbegrænsning); "
    "for Kriminalforsorgen retshåndhævelsesloven § 4"
)
PRODUCT_CHOICE = "Produktvalg"


@dataclass(frozen=True)
class LinkRule:
    id: str
    summary: str  # Danish: shown in the sweep's report and in the closing audit event
    reasons: frozenset[str]
    source: str
    setting: str = ""  # the setting that holds the period, for a product choice
    default_days: float | None = None  # None: at once

    @property
    def period(self) -> timedelta | None:
        if self.default_days is None:
            return None
        return timedelta(days=float(getattr(settings, self.setting, self.default_days)))


WITHDRAWN = LinkRule(
    "notice.withdrawn",
    "Underretningen er trukket tilbage: modtageren har ikke længere grund til at se personen.",
    frozenset({LinkReason.NOTIFICATION}),
    MINIMISATION,
)
CORRECTED = LinkRule(
    "notice.corrected",
    "Personens oplysninger er rettet (f.eks. bopælskommunen): underretningen gik til den forkerte.",
    frozenset({LinkReason.NOTIFICATION}),
    MINIMISATION,
)
SETTLED_AFTER_END = LinkRule(
    "notice.settled_after_end",
    "Underretningen er kvitteret eller besvaret, og opholdet er slut: adgangen lukker efter en frist.",
    frozenset({LinkReason.NOTIFICATION}),
    PRODUCT_CHOICE,
    setting="LINK_DAYS_AFTER_SETTLED_AND_ENDED",
    default_days=90,
)
MAX_AFTER_END = LinkRule(
    "notice.max_after_end",
    "Opholdet er slut for længe siden: adgangen lukker, også for en underretning, der aldrig blev besvaret.",
    frozenset({LinkReason.NOTIFICATION}),
    PRODUCT_CHOICE,
    setting="LINK_MAX_DAYS_AFTER_END",
    default_days=365,
)
CUSTODY_MOVED_ON = LinkRule(
    "custody.moved_on",
    "Den indsatte er overført eller løsladt: institutionen ser forløbet en tid endnu og derefter ikke.",
    frozenset({LinkReason.CUSTODY}),
    PRODUCT_CHOICE,
    setting="ACCESS_DAYS_AFTER_CUSTODY",
    default_days=30,
)
NEED_ACCESS_ENDED = LinkRule(
    "need_access.ended",
    "Den begrundede adgang er udløbet.",
    frozenset({LinkReason.NEED_ACCESS}),
    PRODUCT_CHOICE,
    setting="NEED_ACCESS_MAX_HOURS",  # the user picks the length, up to this many hours
)
# --- pre_sentence ---
PRE_SENTENCE_CLOSED = LinkRule(
    "pre_sentence.closed",
    "Personundersøgelsen (§ 808) er afsluttet: KiF ser den en tid endnu og derefter ikke.",
    frozenset({LinkReason.CASE}),
    PRODUCT_CHOICE,
    setting="PRE_SENTENCE_ACCESS_DAYS_AFTER_CLOSE",
    default_days=90,
)
# --- end pre_sentence ---
EXPIRED = LinkRule(
    "expired",
    "Henvendelsens udløbstidspunkt er passeret.",
    frozenset(LinkReason.values),
    PRODUCT_CHOICE,
)
BY_HAND = LinkRule(
    "by_hand",
    "Lukket af en bruger (med begrundelse).",
    frozenset(LinkReason.values),
    MINIMISATION,
)

RULES: tuple[LinkRule, ...] = (
    WITHDRAWN,
    CORRECTED,
    SETTLED_AFTER_END,
    MAX_AFTER_END,
    CUSTODY_MOVED_ON,
    NEED_ACCESS_ENDED,
    PRE_SENTENCE_CLOSED,
    EXPIRED,
    BY_HAND,
)
BY_ID = {rule.id: rule for rule in RULES}

# Links that let their holder see all of a person's records in KRFO (not just the record that opened them).
PERSON_WIDE_REASONS = frozenset({LinkReason.NEED_ACCESS})


def link_expiry_after_end(*, ended_at, settled_at=None):
    """When a recipient's link from a notice runs out once its matter has ended (e.g. the person is released):
    SETTLED_AFTER_END's period after the later of settling and the end, but never later than MAX_AFTER_END's
    period after the end (a notice nobody answers does not keep the person visible for ever).
    Returns (moment, rule)."""
    latest = ended_at + MAX_AFTER_END.period
    if settled_at is None:
        return latest, MAX_AFTER_END
    settled = max(settled_at, ended_at) + SETTLED_AFTER_END.period
    return (settled, SETTLED_AFTER_END) if settled < latest else (latest, MAX_AFTER_END)


def need_access_hours_allowed() -> tuple[int, ...]:
    """The lengths a user may choose for a need-access grant (hours), up to NEED_ACCESS_MAX_HOURS."""
    longest = int(getattr(settings, "NEED_ACCESS_MAX_HOURS", 72))
    return tuple(h for h in (4, 8, 24, 72, 168) if h <= longest) or (longest,)
