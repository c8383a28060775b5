"""Deadline reminders and escalations: the pure rules (table-driven, across Danish holidays), the sweep
with frozen time (time-machine), idempotency, the escalation's recipients and who sees which row."""

from datetime import date, datetime

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from samarbejde.audit.models import AuditEvent
from samarbejde.core.periodic import schedule
from samarbejde.custody.tests.factories import INSTITUTION, admit, krfo_case_worker, make_person
from samarbejde.notifications import reminders
from samarbejde.notifications import services as ns
from samarbejde.notifications.models import (
    Notification,
    NotificationKind,
    NotificationReminder,
    NotificationStatus,
    ReminderKind,
)
from samarbejde.notifications.services import deadline_sweep
from samarbejde.notifications.tasks import notifications_deadline_sweep
from samarbejde.organisations.models import Department, Membership, Organisation
from samarbejde.organisations.roles import DepartmentKind, Role
from samarbejde.organisations.tests.factories import UserFactory, grant, user_with_role

TZ = timezone.get_current_timezone()
REMIND, ESCALATE = ReminderKind.REMINDER.value, ReminderKind.ESCALATION.value
EASTER_DUE = date(2027, 3, 30)  # the Tuesday after 2. påskedag 2027 (29 March)


def at(day: date, hour: int = 9):
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, 0, tzinfo=TZ), tick=False)


# --- pure rules ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "expected", "label"),
    [
        (date(2027, 3, 22), date(2027, 3, 24), "mandag før påske: tirsdag, onsdag"),
        (date(2027, 3, 23), date(2027, 3, 30), "tirsdag før påske: onsdag, så springes skærtorsdag-2. påskedag over"),
        (date(2027, 3, 24), date(2027, 3, 31), "onsdag før påske"),
        (date(2027, 5, 5), date(2027, 5, 10), "onsdag før Kristi himmelfart (fredag tæller)"),
        (date(2027, 5, 14), date(2027, 5, 19), "fredag før pinse: 2. pinsedag springes over"),
        (date(2026, 12, 22), date(2026, 12, 28), "jul: 24., 25. og weekenden springes over"),
        (date(2026, 6, 3), date(2026, 6, 8), "grundlovsdag fredag 5. juni 2026"),
        (date(2026, 3, 6), date(2026, 3, 10), "fredag: mandag og tirsdag"),
    ],
)
def test_reminder_window_counts_business_days(today, expected, label):
    assert reminders.reminder_window_end(today, 2) == expected, label


NOW = datetime(2027, 3, 1, 12, 0, tzinfo=TZ)
ANSWERABLE = True  # needs_answer
ACK_ONLY = False


@pytest.mark.parametrize(
    ("today", "kind", "acknowledged", "answered", "sent", "expected"),
    [
        # before the window: nothing
        (date(2027, 3, 22), ANSWERABLE, False, False, set(), []),
        # in the window (Easter makes the window a week long)
        (date(2027, 3, 23), ANSWERABLE, False, False, set(), [REMIND]),
        (date(2027, 3, 26), ANSWERABLE, False, False, set(), [REMIND]),  # langfredag: still in the window
        (EASTER_DUE, ANSWERABLE, False, False, set(), [REMIND]),  # the due date itself is on time
        # already reminded: nothing more until overdue
        (date(2027, 3, 24), ANSWERABLE, False, False, {REMIND}, []),
        # overdue: escalate once, never a late reminder
        (date(2027, 3, 31), ANSWERABLE, False, False, set(), [ESCALATE]),
        (date(2027, 3, 31), ANSWERABLE, False, False, {REMIND}, [ESCALATE]),
        (date(2027, 4, 20), ANSWERABLE, False, False, {REMIND, ESCALATE}, []),
        # acknowledged is not settled for a notice that expects an answer
        (date(2027, 3, 31), ANSWERABLE, True, False, {REMIND}, [ESCALATE]),
        (date(2027, 3, 23), ANSWERABLE, True, False, set(), [REMIND]),
        # ... but it settles one that needs only an acknowledgement
        (date(2027, 3, 23), ACK_ONLY, True, False, set(), []),
        (date(2027, 3, 31), ACK_ONLY, True, False, set(), []),
        (date(2027, 3, 31), ACK_ONLY, False, False, set(), [ESCALATE]),
        # answered: nothing, before or after the due date
        (date(2027, 3, 23), ANSWERABLE, True, True, set(), []),
        (date(2027, 3, 31), ANSWERABLE, True, True, set(), []),
    ],
)
def test_actions_due(today, kind, acknowledged, answered, sent, expected):
    actions = reminders.actions_due(
        today,
        needs_answer=kind,
        due_date=EASTER_DUE,
        acknowledged_at=NOW if acknowledged else None,
        answered_at=NOW if answered else None,
        already_sent=sent,
        business_days=2,
    )
    assert actions == expected


def test_no_due_date_means_no_reminder_and_no_escalation():
    assert reminders.actions_due(date(2027, 3, 31), needs_answer=True, due_date=None, business_days=2) == []


def test_escalation_goes_to_the_recipient_and_the_sender_with_its_leaders():
    rows = reminders.escalation_addressees(recipient_organisation_id="m", sender_organisation_id="k")
    assert rows == [reminders.Addressee("m"), reminders.Addressee("k")]
    rows = reminders.escalation_addressees(
        recipient_organisation_id="m",
        recipient_department_id="d",
        coordinator_user_ids=[2, 1, 2],
        sender_organisation_id="k",
        leader_user_ids=[8, 8],
        sender_user_id=7,
    )
    assert rows == [
        reminders.Addressee("m", "d"),
        reminders.Addressee("m", None, 1),
        reminders.Addressee("m", None, 2),
        reminders.Addressee("k"),
        reminders.Addressee("k", None, 8),
        reminders.Addressee("k", None, 7),
    ]
    # A leader who sent it is addressed once.
    rows = reminders.escalation_addressees(
        recipient_organisation_id="m", sender_organisation_id="k", leader_user_ids=[7], sender_user_id=7
    )
    assert rows == [reminders.Addressee("m"), reminders.Addressee("k"), reminders.Addressee("k", None, 7)]


@override_settings(NOTIFICATION_SWEEP_SECONDS=60)
def test_the_sweep_is_scheduled_with_its_setting():
    entry = next(e for e in schedule() if e.task_path.endswith("notifications_deadline_sweep"))
    assert entry.every_seconds == 60


# --- the sweep ----------------------------------------------------------------------------------------


@pytest.fixture
def easter(db):
    """A benefits notice to Københavns Kommune (benefits department) due the day after 2. påskedag 2027,
    registered on 11 March 2027 by a KRFO case worker; two coordinators and a case worker in 101."""
    with at(date(2027, 3, 11), 10):
        worker = krfo_case_worker()
        person = make_person(acting_user=worker, benefits=("kontanthjaelp",))
        outcome = admit(person, acting_user=worker)
    (notice,) = outcome.notifications
    assert notice.kind == NotificationKind.BENEFITS_DECISION_REQUEST
    assert notice.due_date == EASTER_DUE
    coordinators = [user_with_role(Role.MUNICIPAL_COORDINATOR, "101") for _ in range(2)]
    kbh_worker = user_with_role(Role.MUNICIPAL_CASE_WORKER, "101")
    return {"notice": notice, "worker": worker, "coordinators": coordinators, "kbh_worker": kbh_worker}


def rows_of(notice, kind):
    return set(
        NotificationReminder.objects.filter(notification=notice, kind=kind).values_list(
            "recipient_organisation__code", "recipient_department__kind", "recipient_user__username"
        )
    )


def audits(action, notice):
    return AuditEvent.objects.filter(action=action, object_id=str(notice.pk)).count()


@pytest.mark.django_db
def test_easter_walk_reminds_once_in_the_window_and_escalates_once_when_overdue(easter):
    notice, worker, coordinators = easter["notice"], easter["worker"], easter["coordinators"]
    seen = {}
    for day in [date(2027, 3, d) for d in (22, 23, 24, 25, 26, 29, 30, 31)] + [date(2027, 4, 1), date(2027, 4, 6)]:
        with at(day):
            result = notifications_deadline_sweep.enqueue().return_value
        seen[day] = (result["reminded"], result["escalated"])
    assert seen[date(2027, 3, 22)] == (0, 0)  # 30 March is 6 business days away (Easter)
    assert seen[date(2027, 3, 23)] == (1, 0)  # ... and 2 business days away the next day
    assert all(seen[d] == (0, 0) for d in seen if date(2027, 3, 23) < d < date(2027, 3, 31))
    assert seen[date(2027, 3, 31)] == (0, 1)
    assert seen[date(2027, 4, 1)] == seen[date(2027, 4, 6)] == (0, 0)

    assert rows_of(notice, REMIND) == {("101", DepartmentKind.BENEFITS, None)}
    assert rows_of(notice, ESCALATE) == {
        ("101", DepartmentKind.BENEFITS, None),
        ("101", None, coordinators[0].username),
        ("101", None, coordinators[1].username),
        (INSTITUTION, None, None),
        (INSTITUTION, None, worker.username),
    }
    assert audits("notifications.remind", notice) == 1
    assert audits("notifications.escalate", notice) == 1
    notice.refresh_from_db()
    assert notice.status == NotificationStatus.OVERDUE  # the sweep also marks overdue


@pytest.mark.django_db
def test_running_the_sweep_twice_on_the_same_day_sends_nothing_twice(easter):
    notice = easter["notice"]
    with at(date(2027, 3, 23)):
        first = deadline_sweep()
        second = deadline_sweep()
    assert (first.reminded, first.rows) == (1, 1)
    assert (second.reminded, second.escalated, second.rows) == (0, 0, 0)
    with at(date(2027, 4, 2)):
        first = deadline_sweep()
        second = deadline_sweep()
    assert (first.overdue, first.escalated, first.rows) == (1, 1, 5)
    assert (second.overdue, second.escalated, second.rows) == (0, 0, 0)
    assert NotificationReminder.objects.filter(notification=notice).count() == 6
    assert audits("notifications.escalate", notice) == 1


@pytest.mark.django_db
def test_a_notice_first_seen_overdue_is_escalated_without_a_late_reminder(easter):
    notice = easter["notice"]
    with at(date(2027, 4, 12)):
        result = deadline_sweep()
    assert (result.reminded, result.escalated) == (0, 1)
    assert not rows_of(notice, REMIND)


@pytest.mark.django_db
def test_an_answered_notice_is_neither_reminded_nor_escalated(easter):
    notice, kbh_worker = easter["notice"], easter["kbh_worker"]
    with at(date(2027, 3, 15)):
        ns.notification_answer(
            notice,
            decisions={"kontanthjaelp": {"code": "stopped", "effective_date": date(2027, 3, 11)}},
            acting_user=kbh_worker,
        )
    for day in (date(2027, 3, 23), date(2027, 4, 6)):
        with at(day):
            result = deadline_sweep()
        assert (result.reminded, result.escalated) == (0, 0)
    assert not NotificationReminder.objects.exists()


@pytest.mark.django_db
def test_acknowledging_does_not_stop_the_escalation_of_a_notice_that_needs_an_answer(easter):
    notice, kbh_worker = easter["notice"], easter["kbh_worker"]
    with at(date(2027, 3, 15)):
        ns.notification_acknowledge(notice, acting_user=kbh_worker)
    with at(date(2027, 3, 31)):
        assert deadline_sweep().escalated == 1


@pytest.mark.django_db
def test_escalation_without_coordinators_goes_to_the_organisations_and_not_to_a_case_worker_who_left(easter):
    notice, worker = easter["notice"], easter["worker"]
    Membership.objects.filter(organisation__code="101", role=Role.MUNICIPAL_COORDINATOR).update(is_active=False)
    Membership.objects.filter(user=worker).update(is_active=False)  # the case worker has left the institution
    grant(worker, Role.KRFO_CASE_WORKER, "krfo-storstroem")  # ... for another one: it is not theirs there
    with at(date(2027, 3, 31)):
        deadline_sweep()
    assert rows_of(notice, ESCALATE) == {("101", DepartmentKind.BENEFITS, None), (INSTITUTION, None, None)}


@pytest.mark.django_db
def test_escalation_reaches_the_sending_organisations_leaders(easter):
    """ "Ingen slipper nogen løs, før den næste har fat": the sender's leader hears of a handover not taken."""
    notice = easter["notice"]
    leader = user_with_role(Role.KRFO_MANAGER, INSTITUTION)
    elsewhere = user_with_role(Role.KRFO_MANAGER, "krfo-storstroem")
    with at(date(2027, 3, 31)):
        deadline_sweep()
    escalated = rows_of(notice, ESCALATE)
    assert (INSTITUTION, None, leader.username) in escalated
    assert all(username != elsewhere.username for _, _, username in escalated)
    assert [r.kind for r in reminders.reminders_for(leader)] == [ESCALATE]


@pytest.mark.django_db
def test_every_due_notice_of_one_admission_is_handled_in_one_run(db):
    """A pensioner with a long stay: benefits request, CPR register notice (5 calendar days) and pension
    notices (10 business days); the sweep escalates only the ones with a passed due date."""
    with at(date(2027, 3, 1), 10):
        worker = krfo_case_worker()
        person = make_person(acting_user=worker, pension="folkepension", benefits=("kontanthjaelp",))
        outcome = admit(person, acting_user=worker, expected=date(2028, 3, 1))
    due = {n.kind: n.due_date for n in outcome.notifications}
    assert due[NotificationKind.CPR_REGISTER_NOTICE] == date(2027, 3, 6)
    assert due[NotificationKind.PENSION_NOTICE] == date(2027, 3, 15)
    with at(date(2027, 3, 8)):
        result = deadline_sweep()
    assert (result.reminded, result.escalated) == (0, 1)  # benefits due 15 March: outside the window
    escalated = set(NotificationReminder.objects.filter(kind=ESCALATE).values_list("notification__kind", flat=True))
    assert escalated == {NotificationKind.CPR_REGISTER_NOTICE}


# --- who sees what ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_reminders_for_scopes_rows_to_the_user_and_their_organisation(easter):
    notice, worker, coordinators = easter["notice"], easter["worker"], easter["coordinators"]
    benefits = Department.objects.get(organisation__code="101", kind=DepartmentKind.BENEFITS)
    social_worker = UserFactory()
    social = Department.objects.get(organisation__code="101", kind=DepartmentKind.SOCIAL)
    grant(social_worker, Role.MUNICIPAL_CASE_WORKER, "101", department=social)
    benefits_worker = UserFactory()
    grant(benefits_worker, Role.MUNICIPAL_CASE_WORKER, "101", department=benefits)
    aarhus = user_with_role(Role.MUNICIPAL_COORDINATOR, "751")
    other_krfo = krfo_case_worker()
    with at(date(2027, 3, 23)):
        deadline_sweep()
    with at(date(2027, 3, 31)):
        deadline_sweep()

    def kinds(user):
        return sorted(reminders.reminders_for(user).values_list("kind", flat=True))

    assert kinds(benefits_worker) == [ESCALATE, REMIND]  # the unit's rows
    assert kinds(social_worker) == []  # the rows are for the benefits department
    assert kinds(coordinators[0]) == [ESCALATE, REMIND]  # their own escalation stands for the unit's
    assert kinds(worker) == [ESCALATE]
    assert kinds(other_krfo) == [ESCALATE]  # the sending institution follows up
    assert kinds(aarhus) == []
    assert kinds(UserFactory()) == []  # no membership
    assert reminders.reminder_counts(coordinators[0]) == {"reminder": 1, "escalation": 1}
    assert [r.kind for r in reminders.reminders_of(notice)] == [REMIND, *[ESCALATE] * 5]

    with at(date(2027, 4, 1)):
        ns.notification_answer(
            notice,
            decisions={"kontanthjaelp": {"code": "stopped", "effective_date": date(2027, 3, 11)}},
            acting_user=easter["kbh_worker"],
        )
    assert kinds(coordinators[0]) == [] and kinds(worker) == []  # settled: no longer open
    assert len(reminders.reminders_for(worker, open_only=False)) == 1


@pytest.mark.django_db
def test_reminders_for_reads_in_constant_queries(easter, django_assert_num_queries):
    with at(date(2027, 3, 31)):
        deadline_sweep()
    coordinator = easter["coordinators"][0]
    with django_assert_num_queries(1):
        rows = list(reminders.reminders_for(coordinator))
        [(r.notification.person.full_name, r.notification.recipient_organisation.name) for r in rows]
    assert Notification.objects.count() == 1 and Organisation.objects.filter(code="101").exists()
