"""The episode page's handleplan box: {% episode_action_plan episode as box %} (custody includes the partial
with one line; custody never imports action_plans)."""

from django import template

from samarbejde.action_plans import selectors
from samarbejde.action_plans.access import may_change_plan

register = template.Library()


@register.simple_tag(takes_context=True)
def episode_action_plan(context, episode) -> dict:
    """The plan of an episode the page already shows (custody.access checked it), its applicability and
    deadline, and whether the user may open a plan."""
    plan = selectors.plan_of_episode(episode)
    if plan is not None:
        plan.episode = episode
    request = context.get("request")
    user = getattr(request, "user", None)
    may_start = False
    if plan is None and user is not None and context.get("may_change"):
        may_start = True
    elif plan is not None and user is not None:
        may_start = may_change_plan(user, plan)
    return {
        "plan": plan,
        "applicability": selectors.applicability_of(episode, plan),
        "deadline": selectors.deadline_of(episode),
        "deadline_state": selectors.deadline_state(episode, plan),
        "may_start": may_start,
        "follow_ups": selectors.follow_ups_of(episode),
    }
