"""Who may read the audit trail: administrators (the `audit.search` and `audit.subject_report` capabilities).

Administrators do not see case data, so the data-subject report looks the person up here rather than
through people.access (which scopes persons by case relationship).
"""

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404

from samarbejde.audit.models import AuditEvent
from samarbejde.organisations.access import active_membership
from samarbejde.organisations.roles import Cap
from samarbejde.people.models import Person


def audit_events_visible_to(user, *, action: str = "search") -> QuerySet[AuditEvent]:
    """The whole trail for a user with the capability for `action` ("search" or "subject_report"); else none."""
    membership = active_membership(user)
    capability = Cap.AUDIT_SUBJECT_REPORT if action == "subject_report" else Cap.AUDIT_SEARCH
    qs = AuditEvent.objects.select_related("actor", "organisation", "person")
    if membership is None or not membership.can(capability):
        return qs.none()
    return qs


def access_person_for_subject_report(user, pk) -> Person:
    """The person a data-subject report is about; 404 for a missing person and a forbidden user alike."""
    membership = active_membership(user)
    if membership is None or not membership.can(Cap.AUDIT_SUBJECT_REPORT):
        raise Http404
    try:
        return Person.objects.get(pk=pk)
    except (Person.DoesNotExist, ValidationError, ValueError, TypeError):
        raise Http404 from None


def person_by_cpr_for_search(user, cpr: str) -> Person | None:
    """The person with this (normalised) CPR number, for an audit search; None when none or not allowed."""
    membership = active_membership(user)
    if membership is None or not membership.can(Cap.AUDIT_SEARCH):
        return None
    return Person.objects.filter(cpr=cpr).first()
