"""The plan's deadline follow-up: a reminder before the deadline and an escalation after it, to the institution
(the handleplansansvarlig's unit), once per episode and step; none once the plan is written."""

from datetime import datetime

import pytest
import time_machine
from django.utils import timezone

from samarbejde.action_plans import services as s
from samarbejde.action_plans.models import DeadlineStep
from samarbejde.action_plans.tests.factories import krfo_case_worker, new_episode
from samarbejde.audit.models import AuditEvent
from samarbejde.custody.models import CustodyType
from samarbejde.notifications.models import Notification
from samarbejde.organisations.models import Department, Organisation
from samarbejde.organisations.tests.factories import grant

pytestmark = pytest.mark.django_db

ADMITTED = datetime(2027, 3, 1, 10, 0)


def at(day: str):
    return time_machine.travel(timezone.make_aware(datetime.fromisoformat(f"{day}T12:00")), tick=False)


@pytest.fixture
def worker():
    return krfo_case_worker()


@pytest.fixture
def episode(worker):
    with at("2027-03-01"):
        return new_episode(worker, days_ago=0)


def notices(rule):
    return list(Notification.objects.filter(rule=rule))


def test_reminder_then_escalation_once_each(worker, episode):
    with at("2027-03-21"):  # 8 days before 29 March: nothing yet
        assert s.deadline_sweep() == 0
    with at("2027-03-22"):  # 7 days before
        assert s.deadline_sweep() == 1
        assert s.deadline_sweep() == 0  # idempotent
    [reminder] = notices("action_plans.due")
    assert reminder.recipient_organisation == episode.institution
    assert reminder.snapshot["plan_due_on"] == "2027-03-29"
    assert reminder.thread_id == episode.pk
    with at("2027-03-29"):
        assert s.deadline_sweep() == 0
    with at("2027-03-30"):
        assert s.deadline_sweep() == 1
    with at("2027-04-15"):
        assert s.deadline_sweep() == 0
    [escalation] = notices("action_plans.overdue")
    assert escalation.legal_basis.act.short_name == "Handleplanscirkulæret"
    assert DeadlineStep.objects.filter(episode=episode).count() == 2
    assert AuditEvent.objects.filter(action="action_plans.deadline", person=episode.person).count() == 2


def test_the_reminder_goes_to_the_responsibles_unit(worker, episode):
    institution = Organisation.objects.get(pk=episode.institution_id)
    unit = Department.objects.create(organisation=institution, kind="socialforvaltning", name="Afdeling B")
    grant(worker, "krfo_case_worker", institution.code, department=unit)
    grant(worker, "krfo_case_worker", institution.code)
    with at("2027-03-02"):
        plan = s.plan_start(episode, acting_user=worker).plan
        s.plan_update(plan, expected_version=1, status="draft", responsible=worker, acting_user=worker)
    with at("2027-03-23"):
        assert s.deadline_sweep() == 1
    [reminder] = notices("action_plans.due")
    assert reminder.recipient_department == unit


def test_no_follow_up_once_the_plan_is_written(worker, episode):
    with at("2027-03-10"):
        plan = s.plan_start(episode, acting_user=worker).plan
        s.plan_update(plan, expected_version=1, status="written", acting_user=worker)
    with at("2027-04-30"):
        assert s.deadline_sweep() == 0


def test_remand_deadline_is_the_product_choice(worker, settings):
    settings.ACTION_PLAN_REMAND_DUE_DAYS = 10
    with at("2027-03-01"):
        new_episode(worker, days_ago=0, custody_type=CustodyType.REMAND)
    with at("2027-03-03"):  # 8 days before 11 March
        assert s.deadline_sweep() == 0
    with at("2027-03-04"):
        assert s.deadline_sweep() == 1
    with at("2027-03-12"):
        assert s.deadline_sweep() == 1
    assert len(notices("action_plans.overdue")) == 1


def test_the_episode_page_lists_the_follow_ups(client, worker, episode):
    from django.urls import reverse

    with at("2027-03-30"):
        s.deadline_sweep()
        client.force_login(worker)
        page = client.get(reverse("custody:episode_detail", kwargs={"pk": episode.pk})).content.decode()
    assert "Rykker for overskredet frist sendt" in page and "Overskredet" in page


def test_the_institution_takes_hold_of_the_reminder_on_the_notice_page_so_the_platform_does_not_escalate_it(
    client, worker, episode
):
    """The reminder is addressed to the institution itself: its case worker acknowledges it like any recipient;
    a municipality's user cannot."""
    from samarbejde.notifications import services as ns
    from samarbejde.notifications.models import NotificationReminder, NotificationStatus
    from samarbejde.organisations.roles import Role
    from samarbejde.organisations.tests.factories import user_with_role

    with at("2027-03-22"):
        s.deadline_sweep()
    [reminder] = notices("action_plans.due")
    with at("2027-03-23"):
        client.force_login(worker)
        page = client.get(reminder.get_absolute_url()).content.decode()
        assert reminder.get_absolute_url() + "kvitter/" in page  # the acknowledge button is offered
        response = client.post(f"{reminder.get_absolute_url()}kvitter/", follow=True)
    assert "Du har kvitteret for underretningen." in response.content.decode()
    reminder.refresh_from_db()
    assert reminder.acknowledged_at is not None and reminder.status == NotificationStatus.ACKNOWLEDGED
    with at("2027-04-15"):
        ns.deadline_sweep()
    assert not NotificationReminder.objects.filter(notification=reminder).exists()
    with at("2027-04-15"):
        client.force_login(user_with_role(Role.MUNICIPAL_COORDINATOR, "101"))
        assert client.post(f"{reminder.get_absolute_url()}kvitter/").status_code == 404
