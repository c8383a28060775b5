"""Who may see and work on § 808 investigations (ADR 0008: live links decide access).

- Opening, sending requests and closing: staff of a KiF office (org kind PROBATION_OFFICE) whose role may
  register persons and open links to other authorities (Cap.PERSON_REGISTER and Cap.LINK_OPEN: the probation
  officer, KRFO's case worker and manager there).
- Seeing an investigation: its own KiF office, while the office has the live link the investigation opened
  (it runs out a while after closing: pre_sentence.services.ACCESS_AFTER_CLOSE).
- Municipalities and other bodies see the request addressed to them only, in their inbox (notifications.access):
  never the investigation. Administrators see no case data. Missing and forbidden give the same 404.
"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from samarbejde.organisations.access import active_membership
from samarbejde.organisations.roles import Cap, OrgKind
from samarbejde.people.access import live_links_of
from samarbejde.pre_sentence.models import Investigation


def works_on_investigations(user) -> bool:
    """Whether `user` acts for a KiF office with a role that opens investigations and sends requests."""
    membership = active_membership(user)
    return (
        membership is not None
        and membership.organisation.kind == OrgKind.PROBATION_OFFICE
        and membership.organisation.is_active
        and membership.can(Cap.PERSON_REGISTER)
        and membership.can(Cap.LINK_OPEN)
    )


def investigations_visible_to(user) -> QuerySet[Investigation]:
    qs = Investigation.objects.select_related("person", "probation_office")
    if not works_on_investigations(user):
        return qs.none()
    membership = active_membership(user)
    links = live_links_of(user, membership)
    investigation_type = ContentType.objects.get_for_model(Investigation)
    return qs.filter(
        Exists(links.filter(source_type=investigation_type, source_id=OuterRef("pk"))),
        probation_office_id=membership.organisation_id,
    )


def access_investigation_by_id(user, pk) -> Investigation:
    try:
        return investigations_visible_to(user).select_related("opened_by", "closed_by").get(pk=pk)
    except (Investigation.DoesNotExist, ValidationError, ValueError, TypeError):
        raise Http404 from None
