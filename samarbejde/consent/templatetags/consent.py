"""The consents panel on the custody episode page (one include line there; the episode page audits the read)."""

from django import template

from samarbejde.consent import access, selectors
from samarbejde.consent.views import consent_rows

register = template.Library()


@register.inclusion_tag("consent/partials/consents_panel.html", takes_context=True)
def consents_panel(context, person):
    user = context["request"].user
    if not access.may_see_consents(user):
        return {"may_see": False}
    return {
        "may_see": True,
        "person": person,
        "consents": consent_rows(selectors.consents_of_person(user, person)),
        "may_record": access.may_record_consent(user),
    }


@register.filter
def may_override_consent(user) -> bool:
    """Whether the user may disclose without a live consent, with a reason (KRFO managers)."""
    return access.may_override(user)
