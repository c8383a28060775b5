"""Helpers for handleplan tests: an admitted client, a plan, a municipal user, through the real services."""

from datetime import timedelta

from django.utils import timezone

from samarbejde.action_plans import services
from samarbejde.custody.models import CustodyType
from samarbejde.custody.tests.factories import admit, krfo_case_worker, make_person
from samarbejde.organisations.roles import Role
from samarbejde.organisations.tests.factories import user_with_role

__all__ = ["admit", "krfo_case_worker", "make_person", "municipal_user", "new_episode", "new_plan"]


def municipal_user(code: str = "101", role: str = Role.MUNICIPAL_COORDINATOR):
    return user_with_role(role, code)


def new_episode(worker, *, days_ago: int = 3, custody_type=CustodyType.SENTENCE, sentence_days=365, **kw):
    person = make_person(acting_user=worker, **kw.pop("person", {}))
    return admit(
        person,
        acting_user=worker,
        admitted_at=timezone.now() - timedelta(days=days_ago),
        custody_type=custody_type,
        sentence_days=sentence_days if custody_type == CustodyType.SENTENCE else None,
        **kw,
    ).episode


def new_plan(worker, **kw):
    return services.plan_start(new_episode(worker, **kw), acting_user=worker).plan
