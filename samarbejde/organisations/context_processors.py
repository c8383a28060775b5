from samarbejde.organisations.access import may_use_change_requests
from samarbejde.organisations.selectors import memberships_of


def current_membership(request):
    membership = getattr(request, "membership", None)
    user = getattr(request, "user", None)
    return {
        "current_membership": membership,
        "current_organisation": membership.organisation if membership else None,
        "user_memberships": memberships_of(user) if user is not None else [],
        "capabilities": membership.capabilities if membership else frozenset(),
        # The same test the change-request pages make: the menu and the footer link only where they answer 200.
        "may_use_change_requests": membership is not None and may_use_change_requests(user),
    }
