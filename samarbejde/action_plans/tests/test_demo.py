"""The demo's handleplaner: every state, through the services (demo.action_plans, called by load_demo_cases)."""

import pytest

from samarbejde.action_plans.models import ActionPlan, DeadlineStep, PlanAction
from samarbejde.demo.data import DEMO_PERSONS, load_demo_cases, load_demo_directory, load_demo_users

pytestmark = pytest.mark.django_db


def plan_of(key):
    return ActionPlan.objects.filter(person__cpr=DEMO_PERSONS[key].cpr).first()


def test_plans_in_every_state():
    load_demo_users()
    load_demo_directory()
    load_demo_cases()
    assert plan_of("overdue") is None
    assert DeadlineStep.objects.filter(episode__person__cpr=DEMO_PERSONS["overdue"].cpr, step="escalation").exists()
    assert plan_of("remanded").status == "draft" and plan_of("remanded").responsible is not None
    assert plan_of("remanded").areas.get(category="housing").share_basis == "consent"
    shared = plan_of("answered")
    assert shared.status == "written" and shared.municipality.code == "101"
    assert sorted(shared.areas.exclude(share_basis="").values_list("category", flat=True)) == ["finances", "housing"]
    odense = plan_of("transferred")
    assert (
        odense.municipal_plan_reference and PlanAction.objects.filter(area__plan=odense, added_by__code="461").exists()
    )
    assert plan_of("serving").status == "done"
    assert load_demo_cases() == 0
