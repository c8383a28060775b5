"""Access building blocks shared by every app: the current membership and role capabilities.

Default deny: no membership, an inactive one, or a role without the capability means no.
Relationship scoping (which persons) lives in samarbejde/people/access.py.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404

from samarbejde.organisations.models import ChangeRequestStatus, ContactChangeRequest, Membership, Organisation
from samarbejde.organisations.roles import Cap, OrgKind


def active_membership(user) -> Membership | None:
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    return getattr(user, "active_membership", None)


def user_can(user, capability: str) -> bool:
    membership = active_membership(user)
    return membership is not None and membership.can(capability)


def require_capability(capability: str, *, hide: bool = False):
    """View decorator: login first; then 403 (or 404 when `hide`, so existence is not revealed)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user_can(request.user, capability):
                if hide:
                    raise Http404
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def may_propose_change_for(user, municipality: Organisation) -> bool:
    """KRFO users and administrators for every municipality; a coordinator for their own only."""
    membership = active_membership(user)
    if membership is None or not municipality.is_municipality:
        return False
    if membership.can(Cap.DIRECTORY_PROPOSE_ANY):
        return True
    return membership.can(Cap.DIRECTORY_PROPOSE_OWN) and membership.organisation_id == municipality.pk


def may_use_change_requests(user) -> bool:
    """Whoever may propose or review sees the change-request pages; everyone else gets 403."""
    membership = active_membership(user)
    return membership is not None and any(
        membership.can(cap) for cap in (Cap.DIRECTORY_REVIEW, Cap.DIRECTORY_PROPOSE_ANY, Cap.DIRECTORY_PROPOSE_OWN)
    )


def access_municipality_for_proposal(user, code: str) -> Organisation:
    """The active municipality with this code if the user may propose changes to it; else 404.

    Unknown, inactive, not a municipality and "not yours" all give the same 404.
    """
    municipality = (
        Organisation.objects.filter(kind=OrgKind.MUNICIPALITY, is_active=True, code=str(code)[:64])
        .select_related("region", "police_district")
        .first()
    )
    if municipality is None or not may_propose_change_for(user, municipality):
        raise Http404
    return municipality


def change_requests_visible_to(user) -> QuerySet[ContactChangeRequest]:
    """Reviewers see all; others see those proposed from their own organisation."""
    membership = active_membership(user)
    qs = ContactChangeRequest.objects.select_related("organisation", "contact", "proposed_by")
    if membership is None:
        return qs.none()
    if membership.can(Cap.DIRECTORY_REVIEW):
        return qs
    if membership.can(Cap.DIRECTORY_PROPOSE_ANY) or membership.can(Cap.DIRECTORY_PROPOSE_OWN):
        return qs.filter(proposed_by_organisation=membership.organisation)
    return qs.none()


def access_change_request_by_id(user, pk, *, action: str = "view") -> ContactChangeRequest:
    """One change request, or 404 for missing and forbidden alike."""
    membership = active_membership(user)
    if membership is None:
        raise Http404
    if action == "review":
        if not membership.can(Cap.DIRECTORY_REVIEW):
            raise Http404
        qs = change_requests_visible_to(user).filter(status=ChangeRequestStatus.PENDING)
    else:
        qs = change_requests_visible_to(user)
    try:
        return qs.get(pk=pk)
    except (ContactChangeRequest.DoesNotExist, ValidationError, ValueError, TypeError):
        # A malformed UUID surfaces as ValidationError: it is as missing as any other id.
        raise Http404 from None
