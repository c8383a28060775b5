"""The demo users as the services see them (shared by every demo module, so none imports another's loader)."""

from django.contrib.auth import get_user_model


def demo_actor(username: str):
    """A demo user with their first active membership in use (as the middleware would pick it)."""
    from samarbejde.organisations.models import Membership

    user = get_user_model().objects.get(username=username)
    user.active_membership = (
        Membership.objects.active().filter(user=user).select_related("organisation", "department").first()
    )
    return user
