"""Tasks run in their own correlation scope and carry the id of the request that enqueued them: one user action
is one correlation id across web and worker (the audit trail's correlation search finds all of it)."""

import uuid

import pytest
from django.core.management import call_command
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from samarbejde.audit.models import AuditEvent
from samarbejde.core.context import correlation, get_correlation_id
from samarbejde.core.tasks import enqueue_correlated
from samarbejde.core.tests.tasks_for_tests import record_correlation
from samarbejde.custody.tests.factories import INSTITUTION
from samarbejde.organisations.roles import Role
from samarbejde.organisations.tests.factories import user_with_role

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "periodic"]}}


@pytest.mark.django_db
def test_a_task_runs_under_the_id_it_was_given_and_otherwise_under_its_own():
    given = uuid.uuid4()
    assert record_correlation.func("given", correlation_id=str(given)) == str(given)
    first = record_correlation.func("first")
    second = record_correlation.func("second")
    assert len({first, second, str(given)}) == 3  # each run its own scope
    with correlation(uuid.uuid4()) as outer:
        record_correlation.func("inside", correlation_id=str(given))
        assert get_correlation_id() == outer  # the task's scope ends with it
    assert record_correlation.func("bad id", correlation_id="not-a-uuid") not in (str(given), first, second)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("restore_reference_data")
@override_settings(TASKS=DATABASE_TASKS)
def test_the_worker_runs_an_enqueued_task_under_the_enqueuing_id():
    request_id = uuid.uuid4()
    with correlation(request_id):
        result = enqueue_correlated(record_correlation, "from a request")
    stored = DBTaskResult.objects.get(pk=result.id)
    assert stored.args_kwargs["kwargs"]["correlation_id"] == str(request_id)
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", "--queue-name", "*", verbosity=0)
    event = AuditEvent.objects.get(action="core.test_task")
    assert event.correlation_id == request_id


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("restore_reference_data")
@override_settings(TASKS=DATABASE_TASKS)
def test_one_admission_is_one_correlation_id_from_the_request_to_the_deliveries_task(client):
    from samarbejde.core.tests.reference import load_reference_data

    load_reference_data()
    worker = user_with_role(Role.KRFO_CASE_WORKER, INSTITUTION)
    client.force_login(worker)
    response = client.post(
        "/klienter/indsaettelse/",
        {
            "lookup_cpr": "",
            "cpr": "0101801111",
            "first_name": "Ét",
            "last_name": "Id",
            "address": "",
            "home_municipality": "101",
            "pension": "none",
            "benefits": ["kontanthjaelp"],
            "institution": INSTITUTION,
            "custody_type": "remand",
            "admitted_at": "2026-12-01T10:00",
            "expected_release": "",
            "certainty": "unknown",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    request_id = uuid.UUID(response["X-Correlation-ID"])
    assert AuditEvent.objects.filter(action="custody.admit", correlation_id=request_id).exists()
    sends = DBTaskResult.objects.filter(task_path="samarbejde.delivery.tasks.deliveries_send")
    assert sends.exists()
    assert {r.args_kwargs["kwargs"]["correlation_id"] for r in sends} == {str(request_id)}
