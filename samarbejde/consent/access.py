"""Who may see and record consents (ADR 0008: live links decide).

- Seeing a person's consents: KRFO users (Cap.PERSON_VIEW_ALL in a KRFO organisation) who see the person
  through a live link (the institution holding the person, as custody; a need-access grant). Municipalities
  and other bodies never see consents: they see only what is shared with them (e.g. a plan area).
  Administrators see no case data.
- Recording and revoking: KRFO users with Cap.CONSENT_RECORD who see the person.
- Overriding (disclosing without a live consent): Cap.CONSENT_OVERRIDE (KRFO managers), with a reason.
- The list of overrides: Cap.CONSENT_OVERRIDE_LIST: a KRFO manager sees those made in the own unit, an
  administrator all of them (an audit list; the person's CPR masked).
Missing and forbidden give the same 404.
"""

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from samarbejde.consent.models import Consent, ConsentOverride
from samarbejde.organisations.access import active_membership
from samarbejde.organisations.roles import Cap, Role
from samarbejde.people.access import live_links_of


def _krfo_viewer(user):
    membership = active_membership(user)
    if membership is None or not membership.organisation.is_krfo or not membership.can(Cap.PERSON_VIEW_ALL):
        return None
    return membership


def may_see_consents(user) -> bool:
    return _krfo_viewer(user) is not None


def may_record_consent(user) -> bool:
    membership = _krfo_viewer(user)
    return membership is not None and membership.can(Cap.CONSENT_RECORD)


def may_override(user) -> bool:
    membership = active_membership(user)
    return membership is not None and membership.organisation.is_krfo and membership.can(Cap.CONSENT_OVERRIDE)


def may_list_overrides(user) -> bool:
    membership = active_membership(user)
    return membership is not None and membership.can(Cap.CONSENT_OVERRIDE_LIST)


def sees_person(user, person) -> bool:
    membership = _krfo_viewer(user)
    return membership is not None and live_links_of(user, membership).filter(person_id=person.pk).exists()


def consents_visible_to(user) -> QuerySet[Consent]:
    membership = _krfo_viewer(user)
    qs = Consent.objects.select_related("person")
    if membership is None:
        return qs.none()
    return qs.filter(Exists(live_links_of(user, membership).filter(person_id=OuterRef("person_id"))))


def access_consent_by_id(user, pk, *, action: str = "view") -> Consent:
    """One consent, or 404 for missing and forbidden alike (also for a malformed id). `action="change"`:
    the user must also be allowed to record consents."""
    if action == "change" and not may_record_consent(user):
        raise Http404
    try:
        return consents_visible_to(user).get(pk=pk)
    except (Consent.DoesNotExist, ValidationError, ValueError, TypeError):
        raise Http404 from None


def overrides_visible_to(user) -> QuerySet[ConsentOverride]:
    membership = active_membership(user)
    qs = ConsentOverride.objects.all()
    if membership is None or not membership.can(Cap.CONSENT_OVERRIDE_LIST):
        return qs.none()
    if membership.role == Role.ADMINISTRATOR:
        return qs
    return qs.filter(organisation_id=membership.organisation_id)
