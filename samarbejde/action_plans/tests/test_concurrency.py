"""Editors saving the same version of a plan at the same moment: exactly one save wins, every other gets the
stale-version message, no update is lost (PostgreSQL row locks; the version check alone would race).

A transactional test (threads need committed data): the reference data is loaded before and after."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from samarbejde.action_plans import services as s
from samarbejde.action_plans.models import ActionPlan, PlanVersion
from samarbejde.action_plans.tests.factories import krfo_case_worker, new_plan
from samarbejde.core.tests.reference import load_reference_data

pytestmark = pytest.mark.usefixtures("restore_reference_data")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_concurrent_saves_of_one_version_one_wins_the_rest_are_stale():
    load_reference_data()
    worker = krfo_case_worker()
    plan = new_plan(worker)
    editors = 4
    barrier = threading.Barrier(editors)
    wins, stale, errors = [], [], []

    def save(n):
        try:
            barrier.wait()
            s.plan_update(
                ActionPlan.objects.get(pk=plan.pk),
                expected_version=1,
                status="draft",
                areas={"housing": {"assessment": f"Redaktør {n}", "goals": ""}},
                acting_user=worker,
            )
            wins.append(n)
        except ValidationError as exc:
            (stale if exc.code == "stale" else errors).append(exc)
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(n,)) for n in range(editors)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(wins) == 1 and len(stale) == editors - 1
    plan.refresh_from_db()
    assert plan.version == 2 and PlanVersion.objects.filter(plan=plan).count() == 2
    assert plan.areas.get(category="housing").assessment == f"Redaktør {wins[0]}"
