from samarbejde.organisations.selectors import resolve_active_membership


class CurrentMembershipMiddleware:
    """Attach the membership in use (chosen in the header, kept in the session) to request.user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            membership = resolve_active_membership(user, request.session.get("membership_id"))
            user.active_membership = membership
            request.membership = membership
        else:
            request.membership = None
        return self.get_response(request)
