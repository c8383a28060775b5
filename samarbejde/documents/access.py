"""Forms for inmates are KRFO's work: only KRFO roles that see KRFO's clients may see and print them, and only
for the persons they see (a live link of their unit or their own need-access grant, ADR 0008).
Public documents are public to read; administrators (the admin.site capability) maintain them."""

from django.core.exceptions import ValidationError
from django.db.models import OuterRef, QuerySet
from django.http import Http404

from samarbejde.documents.models import InmateForm, PublicDocument
from samarbejde.organisations.access import active_membership, user_can
from samarbejde.organisations.roles import Cap
from samarbejde.people.access import has_live_link, live_links_of


def inmate_forms_visible_to(user) -> QuerySet[InmateForm]:
    membership = active_membership(user)
    qs = InmateForm.objects.select_related("person", "episode", "home_municipality", "prepared_by")
    if membership is None or not membership.can(Cap.PERSON_VIEW_ALL):
        return qs.none()
    return qs.filter(has_live_link(live_links_of(user, membership).filter(person_id=OuterRef("person_id"))))


def may_prepare_forms(user) -> bool:
    membership = active_membership(user)
    return membership is not None and membership.can(Cap.PERSON_VIEW_ALL) and membership.organisation.is_krfo


def access_inmate_form_by_id(user, pk) -> InmateForm:
    try:
        return inmate_forms_visible_to(user).get(pk=pk)
    except (InmateForm.DoesNotExist, ValidationError, ValueError):
        raise Http404 from None


def may_maintain_public_documents(user) -> bool:
    return user_can(user, Cap.ADMIN_SITE)


def public_documents_visible() -> QuerySet[PublicDocument]:
    """What anyone may read on /dokumenter/, without login: the published documents."""
    return PublicDocument.objects.filter(published=True)
