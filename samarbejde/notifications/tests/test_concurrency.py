"""Two or more recipients answering the same notice at once: one answer, no error (PostgreSQL row locks).

A transactional test (threads need committed data): the flush afterwards also removes the reference data
the session loaded once, so this module loads it before the test and again after.
"""

import threading

import pytest
from django.db import connection, connections

from samarbejde.core.tests.reference import load_reference_data
from samarbejde.custody.tests.factories import krfo_case_worker
from samarbejde.notifications import services as ns
from samarbejde.notifications.models import Notification, NotificationAnswer
from samarbejde.notifications.tests.test_services import benefits_notice
from samarbejde.organisations.roles import Role
from samarbejde.organisations.tests.factories import user_with_role

pytestmark = pytest.mark.usefixtures("restore_reference_data")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_concurrent_answers_give_one_answer_and_no_error():
    load_reference_data()
    worker = krfo_case_worker()
    notice = benefits_notice(worker, benefits=("kontanthjaelp",))
    users = [user_with_role(Role.MUNICIPAL_CASE_WORKER, "101") for _ in range(4)]
    results, errors = [], []
    barrier = threading.Barrier(len(users))

    def answer(user):
        try:
            barrier.wait()
            results.append(
                ns.notification_answer(notice, decisions={"kontanthjaelp": {"code": "no_benefit"}}, acting_user=user).pk
            )
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=answer, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(set(results)) == 1 and NotificationAnswer.objects.filter(notification=notice).count() == 1
    assert Notification.objects.get(pk=notice.pk).status_changes.filter(to_status="answered").count() == 1
