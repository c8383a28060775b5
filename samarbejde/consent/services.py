"""Writes of consents, and the one gate every disclosure that rests on consent passes through."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from samarbejde.consent.selectors import consent_live_for

MSG_NO_CONSENT = (
    "Der er ikke et gyldigt samtykke fra borgeren, der dækker denne videregivelse. Registrér samtykket, "
    "eller videregiv på et lovgrundlag."
)


class ConsentMissing(ValidationError):
    """Raised by consent_require: the disclosure rests on consent and no live consent covers it."""


def consent_require(person, *, recipient, category: str, purpose: str = ""):
    """The live consent that covers the disclosure, else ConsentMissing (a Danish message, code no_consent).
    Call it in the disclosing service's transaction, right before the disclosure."""
    consent = consent_live_for(person, recipient=recipient, category=category, purpose=purpose)
    if consent is None:
        raise ConsentMissing(MSG_NO_CONSENT, code="no_consent")
    return consent
