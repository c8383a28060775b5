"""Who may see and change handleplaner (ADR 0008). Missing and forbidden give the same 404.

- KRFO: a plan is seen by whoever sees its custody episode (custody.access: a live link to the episode, or a
  need-access grant); it is written (areas, actions, sharing) by the institution that holds the person
  (custody.access.may_change_at, with Cap.PERSON_REGISTER).
- A municipality: the plans shared with it (`municipality`), while it has a live link to the person (the
  sharing notice opens one), and only the shared areas (action_plans.selectors.visible_areas: a consent-based
  area disappears the moment the consent is no longer live). It adds its own commitments, its § 141 plan
  reference and comments.
- Everybody else (police, Udbetaling Danmark, administrators): none.
"""

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from samarbejde.action_plans.models import ActionPlan, PlanArea
from samarbejde.custody.access import episodes_visible_to, may_change_at
from samarbejde.organisations.access import active_membership
from samarbejde.organisations.roles import Cap, OrgKind
from samarbejde.people.access import has_live_link, live_links_of

KRFO, MUNICIPAL = "krfo", "municipal"


def side_of(user) -> str | None:
    """ "krfo" for KRFO staff who see clients, "municipal" for a municipality's staff, else None."""
    membership = active_membership(user)
    if membership is None:
        return None
    if membership.organisation.is_krfo and membership.can(Cap.PERSON_VIEW_ALL):
        return KRFO
    if membership.organisation.kind == OrgKind.MUNICIPALITY and membership.can(Cap.PERSON_VIEW_LINKED):
        return MUNICIPAL
    return None


def plans_visible_to(user, action: str = "view") -> QuerySet[ActionPlan]:
    qs = ActionPlan.objects.select_related(
        "episode__institution", "person__home_municipality", "responsible", "municipality"
    )
    side = side_of(user)
    if side == KRFO:
        episodes = episodes_visible_to(user, "change" if action == "change" else "view")
        return qs.filter(episode__in=episodes.values("pk"))
    if side == MUNICIPAL:
        membership = active_membership(user)
        links = live_links_of(user, membership)
        return qs.filter(
            has_live_link(links.filter(person_id=OuterRef("person_id"))),
            Exists(PlanArea.objects.filter(plan=OuterRef("pk")).exclude(share_basis="")),
            municipality_id=membership.organisation_id,
        )
    return qs.none()


def access_plan_by_id(user, pk, *, action: str = "view") -> ActionPlan:
    """One plan, or 404 for missing and forbidden alike (also for a malformed id)."""
    try:
        return plans_visible_to(user, action).get(pk=pk)
    except (ActionPlan.DoesNotExist, ValidationError, ValueError, TypeError):
        raise Http404 from None


def may_change_plan(user, plan: ActionPlan) -> bool:
    """The institution that holds the person writes the plan (only while the episode is open)."""
    membership = active_membership(user)
    return (
        membership is not None
        and membership.can(Cap.PERSON_REGISTER)
        and plan.episode.is_open
        and may_change_at(user, plan.episode.institution)
    )


def is_plan_municipality(user, plan: ActionPlan) -> bool:
    membership = active_membership(user)
    return (
        membership is not None
        and side_of(user) == MUNICIPAL
        and plan.municipality_id is not None
        and membership.organisation_id == plan.municipality_id
    )
