from samarbejde.organisations.selectors import memberships_of


def current_membership(request):
    membership = getattr(request, "membership", None)
    user = getattr(request, "user", None)
    return {
        "current_membership": membership,
        "current_organisation": membership.organisation if membership else None,
        "user_memberships": memberships_of(user) if user is not None else [],
        "capabilities": membership.capabilities if membership else frozenset(),
    }
