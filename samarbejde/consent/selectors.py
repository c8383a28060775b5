"""Reads of consents. The contract other apps code against (action_plans, pre_sentence, custody's case-files
request):

- `consent_live_for(person, *, recipient, category, purpose="", at=None) -> Consent | None`: the live consent
  that covers exchanging `category` (a consent.categories.DataCategory value) with the organisation
  `recipient` (an Organisation or its pk), at `at` (a datetime or a date; default now). Live means: given on or
  before that day, valid through `expires_on` (inclusive), and not revoked (a revocation registered at or
  before `at` ends it at once; for a date, a revocation registered that day counts). One indexed query.
  `purpose` is the caller's purpose of the disclosure: it is not matched against the consent's own purpose
  (free text the client read); the scope is recipients x categories. Call it at read time (e.g. before showing
  a consent-based plan area to the municipality) and through consent.services.consent_require when disclosing.
- `consent_categories_live_for(person, *, recipient, at=None) -> set[str]`: every category live for that
  recipient, in one query (a plan page with several areas asks once).
- Who is the "recipient": see consent.models (the organisation outside KRFO the information is exchanged
  with; for the case files, the home municipality that sends them to KRFO).

The pages' reads (access-scoped, consent.access) are below the contract. These two contract functions are
unscoped: the calling service has already decided who may act; they audit nothing (the caller audits the
disclosure).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from samarbejde.consent.access import consents_visible_to, overrides_visible_to
from samarbejde.consent.models import Consent, ConsentOverride, ConsentScope


def _moment(at) -> tuple[date, datetime]:
    """(the day, the moment a revocation must come after) for `at`: a datetime, a date or None (now)."""
    if at is None:
        at = timezone.now()
    if isinstance(at, datetime):
        if timezone.is_naive(at):
            at = timezone.make_aware(at)
        return timezone.localdate(at), at
    # A date: the consent must be unrevoked through that whole day.
    end = timezone.make_aware(datetime.combine(at + timedelta(days=1), time.min))
    return at, end


def _org_id(recipient):
    return getattr(recipient, "pk", recipient)


def _live_q(day: date, moment: datetime, prefix: str = "") -> Q:
    return Q(**{f"{prefix}given_on__lte": day, f"{prefix}expires_on__gte": day}) & (
        Q(**{f"{prefix}revoked_at__isnull": True}) | Q(**{f"{prefix}revoked_at__gt": moment})
    )


def consent_live_for(person, *, recipient, category: str, purpose: str = "", at=None) -> Consent | None:
    """The live consent of `person` covering `category` with `recipient` at `at`, or None (see the module)."""
    if person is None or recipient is None or not category:
        return None
    day, moment = _moment(at)
    return (
        Consent.objects.filter(
            _live_q(day, moment),
            person_id=person.pk,
            scopes__recipient_id=_org_id(recipient),
            scopes__category=category,
        )
        .order_by("-expires_on", "-recorded_at")
        .first()
    )


def consent_categories_live_for(person, *, recipient, at=None) -> set[str]:
    """The categories a live consent of `person` covers with `recipient` at `at` (one query)."""
    if person is None or recipient is None:
        return set()
    day, moment = _moment(at)
    return set(
        ConsentScope.objects.filter(
            _live_q(day, moment, "consent__"), consent__person_id=person.pk, recipient_id=_org_id(recipient)
        ).values_list("category", flat=True)
    )


# --- the pages (access-scoped) --------------------------------------------------------------------------


def consents_of_person(user, person) -> QuerySet[Consent]:
    """The person's consents the user may see (KRFO with a live link to the person), newest first, each with
    its scope and revocation (three queries whatever their number)."""
    return (
        consents_visible_to(user)
        .filter(person=person)
        .select_related("recorded_by", "recorded_by_organisation", "revocation")
        .prefetch_related(Prefetch("scopes", queryset=ConsentScope.objects.select_related("recipient")))
    )


def overrides_for(user) -> QuerySet[ConsentOverride]:
    return overrides_visible_to(user).select_related("person", "recipient", "acting_user", "organisation")
