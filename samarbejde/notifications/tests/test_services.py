"""Recipient steps: read, acknowledge, answer (idempotent, validated), overdue status and its history."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from samarbejde.audit.models import AuditEvent
from samarbejde.custody.tests.factories import admit, krfo_case_worker, make_person
from samarbejde.notifications import services as ns
from samarbejde.notifications.models import (
    BenefitDecision,
    NotificationAnswer,
    NotificationKind,
    NotificationStatus,
)
from samarbejde.notifications.selectors import notification_counts, notification_status, notifications_inbox
from samarbejde.organisations.roles import Role
from samarbejde.organisations.tests.factories import user_with_role

pytestmark = pytest.mark.django_db
TZ = timezone.get_current_timezone()


@pytest.fixture
def worker():
    return krfo_case_worker()


@pytest.fixture
def kbh_user():
    return user_with_role(Role.MUNICIPAL_CASE_WORKER, "101")


def benefits_notice(
    worker, benefits=("kontanthjaelp", "uddannelseshjaelp"), kind=NotificationKind.BENEFITS_DECISION_REQUEST
):
    person = make_person(acting_user=worker, pension="folkepension", benefits=benefits)
    outcome = admit(person, acting_user=worker)
    return next(n for n in outcome.notifications if n.kind == kind and n.recipient_organisation.code == "101")


def history(notification):
    return list(notification.status_changes.order_by("id").values_list("from_status", "to_status"))


def test_read_acknowledge_answer_walk_the_status_and_keep_history(worker, kbh_user):
    notice = benefits_notice(worker, benefits=("kontanthjaelp",))
    ns.notification_mark_read(notice, acting_user=kbh_user)
    ns.notification_acknowledge(notice, acting_user=kbh_user)
    answer = ns.notification_answer(
        notice,
        decisions={"kontanthjaelp": {"code": "stopped", "effective_date": "2027-04-01"}},
        text="Husleje dækkes i 3 måneder.",
        acting_user=kbh_user,
    )
    notice.refresh_from_db()
    assert notice.status == NotificationStatus.ANSWERED
    assert history(notice) == [("", "new"), ("new", "read"), ("read", "acknowledged"), ("acknowledged", "answered")]
    assert list(answer.decisions.values_list("subject", "code", "effective_date")) == [
        ("kontanthjaelp", "stopped", date(2027, 4, 1))
    ]
    actions = list(AuditEvent.objects.filter(object_id=str(notice.pk)).values_list("action", flat=True))
    assert {"notifications.read", "notifications.acknowledge", "notifications.answer"} <= set(actions)


def test_a_krfo_reader_is_audited_but_does_not_mark_the_notice_read(worker):
    notice = benefits_notice(worker)
    ns.notification_mark_read(notice, acting_user=worker)
    notice.refresh_from_db()
    assert notice.read_at is None and notice.status == "new"
    assert AuditEvent.objects.filter(action="notifications.read", object_id=str(notice.pk)).count() == 1


def test_acknowledge_and_answer_twice_change_nothing_and_raise_nothing(worker, kbh_user):
    notice = benefits_notice(worker)
    colleague = user_with_role(Role.MUNICIPAL_COORDINATOR, "101")
    first = ns.notification_acknowledge(notice, acting_user=kbh_user)
    second = ns.notification_acknowledge(notice, acting_user=colleague)
    assert second.acknowledged_by == kbh_user and second.acknowledged_at == first.acknowledged_at
    today = timezone.localdate()
    decisions = {
        "kontanthjaelp": {"code": "stopped", "effective_date": today},
        "uddannelseshjaelp": {"code": "no_benefit"},
    }
    answer = ns.notification_answer(notice, decisions=decisions, acting_user=kbh_user)
    again = ns.notification_answer(notice, decisions={}, text="andet svar", acting_user=colleague)
    assert again.pk == answer.pk and again.text == ""
    assert NotificationAnswer.objects.filter(notification=notice).count() == 1
    assert BenefitDecision.objects.filter(answer=answer).count() == 2
    assert AuditEvent.objects.filter(action="notifications.answer", object_id=str(notice.pk)).count() == 1


TODAY = "{today}"  # replaced by today's date: decisions are checked against the admission and today
STOPPED = {"code": "stopped", "effective_date": TODAY}
ANSWER_ERRORS = [
    ("missing_decision", {"kontanthjaelp": STOPPED}, "", "Vælg en afgørelse for uddannelseshjælp."),
    ("unknown_subject", {"fleksydelse": STOPPED}, "", "Underretningen handler ikke om fleksydelse."),
    (
        "bad_code",
        {"kontanthjaelp": {"code": "maybe"}, "uddannelseshjaelp": STOPPED},
        "",
        "Vælg en afgørelse for kontanthjælp.",
    ),
    (
        "other_needs_text",
        {"kontanthjaelp": {"code": "other"}, "uddannelseshjaelp": STOPPED},
        "",
        "Uddyb afgørelsen for kontanthjælp, når du vælger »Anden afgørelse«.",
    ),
    (
        "stopped_needs_a_date",
        {"kontanthjaelp": {"code": "stopped"}, "uddannelseshjaelp": STOPPED},
        "",
        "Angiv datoen for afgørelsen om kontanthjælp.",
    ),
    (
        "rent_covered_needs_a_date",
        {"kontanthjaelp": {"code": "rent_covered"}, "uddannelseshjaelp": STOPPED},
        "",
        "Angiv datoen for afgørelsen om kontanthjælp.",
    ),
    (
        "bad_date",
        {"kontanthjaelp": {"code": "stopped", "effective_date": "31-02-2027"}, "uddannelseshjaelp": STOPPED},
        "",
        "Datoen for kontanthjælp er ikke en gyldig dato. Skriv fx 01.04.2027.",
    ),
    (
        "years_ahead",
        {"kontanthjaelp": {"code": "stopped", "effective_date": "3027-01-01"}, "uddannelseshjaelp": STOPPED},
        "",
        "Datoen for kontanthjælp ligger mere end 366 dage ude i fremtiden. Kontrollér datoen.",
    ),
    (
        "long_before_the_admission",
        {"kontanthjaelp": {"code": "stopped", "effective_date": "2001-01-01"}, "uddannelseshjaelp": STOPPED},
        "",
        "Datoen for kontanthjælp ligger mere end 31 dage før indsættelsen",
    ),
    ("not_a_dict", ["kontanthjaelp"], "", ns.MSG_DECISIONS_FORMAT),
    ("text_too_long", {"kontanthjaelp": STOPPED, "uddannelseshjaelp": STOPPED}, "x" * 4001, ns.MSG_ANSWER_TOO_LONG),
]


def _dated(decisions):
    if not isinstance(decisions, dict):
        return decisions
    today = timezone.localdate().isoformat()
    return {
        subject: {k: (today if v == TODAY else v) for k, v in decision.items()}
        if isinstance(decision, dict)
        else decision
        for subject, decision in decisions.items()
    }


@pytest.mark.parametrize(("name", "decisions", "text", "message"), ANSWER_ERRORS, ids=[e[0] for e in ANSWER_ERRORS])
def test_bad_answers_give_danish_messages_and_save_nothing(worker, kbh_user, name, decisions, text, message):
    notice = benefits_notice(worker)
    with pytest.raises(ValidationError) as exc:
        ns.notification_answer(notice, decisions=_dated(decisions), text=text, acting_user=kbh_user)
    assert any(m.startswith(message) for m in exc.value.messages), exc.value.messages
    assert not NotificationAnswer.objects.exists()
    notice.refresh_from_db()
    assert notice.answered_at is None and notice.status == "new"


def test_continues_is_no_answer_for_sygedagpenge(worker, kbh_user):
    jobcenter = user_with_role(Role.MUNICIPAL_CASE_WORKER, "101")
    notice = benefits_notice(worker, benefits=("sygedagpenge",))
    with pytest.raises(ValidationError) as exc:
        ns.notification_answer(notice, decisions={"sygedagpenge": {"code": "continued"}}, acting_user=jobcenter)
    assert exc.value.messages == [
        "Sygedagpenge udbetales ikke under frihedsberøvelse, så »Fortsætter« kan ikke vælges."
    ]
    answer = ns.notification_answer(
        notice, decisions={"sygedagpenge": {"code": "stopped", "effective_date": date.today()}}, acting_user=jobcenter
    )
    assert answer.decisions.get().code == "stopped"


def test_a_notice_without_benefits_is_acknowledged_not_answered(worker, kbh_user):
    person = make_person(acting_user=worker)
    notice = admit(person, acting_user=worker).notifications[0]
    assert (notice.rule, notice.kind, notice.needs_answer) == ("admission.no_benefits", "admission_notice", False)
    with pytest.raises(ValidationError) as exc:
        ns.notification_answer(notice, text="Ingen ydelser hos os.", acting_user=kbh_user)
    assert exc.value.messages == [ns.MSG_NOT_ANSWERABLE]
    assert ns.notification_acknowledge(notice, acting_user=kbh_user).status == "acknowledged"


def test_pension_notices_take_the_municipalitys_rent_decision_and_udks_pension_decision(worker, kbh_user):
    notice = benefits_notice(worker, kind=NotificationKind.PENSION_NOTICE)
    assert notice.rule == "admission.pension_rent"
    with pytest.raises(ValidationError) as exc:  # the municipality does not stop the pension: UDK does
        ns.notification_answer(notice, decisions={"folkepension": {"code": "stopped"}}, acting_user=kbh_user)
    assert exc.value.messages == [
        "»Standset« kan ikke vælges for husleje af folkepensionen. Vælg en af de viste afgørelser."
    ]
    answer = ns.notification_answer(
        notice,
        decisions={"folkepension": {"code": "rent_covered", "effective_date": date.today() + timedelta(days=90)}},
        acting_user=kbh_user,
    )
    assert answer.decisions.get().get_code_display() == "Husleje dækkes"
    udk_notice = notice.person.notifications.get(rule="admission.pension_udk")
    udk = user_with_role(Role.UDK_OFFICER)
    answer = ns.notification_answer(
        udk_notice, decisions={"folkepension": {"code": "stopped", "effective_date": date.today()}}, acting_user=udk
    )
    assert answer.decisions.get().code == "stopped"


def test_only_the_recipient_may_acknowledge_or_answer(worker):
    notice = benefits_notice(worker)
    for user in (worker, user_with_role(Role.MUNICIPAL_CASE_WORKER, "751"), user_with_role(Role.UDK_OFFICER)):
        with pytest.raises(PermissionDenied):
            ns.notification_acknowledge(notice, acting_user=user)
        with pytest.raises(PermissionDenied):
            ns.notification_answer(notice, text="x", acting_user=user)


def test_cpr_notice_is_not_answered_but_acknowledged(worker):
    person = make_person(acting_user=worker)
    outcome = admit(person, acting_user=worker, expected=date.today() + timedelta(days=120))
    notice = next(n for n in outcome.notifications if n.kind == NotificationKind.CPR_REGISTER_NOTICE)
    borgerservice = user_with_role(Role.MUNICIPAL_CASE_WORKER, "101")
    with pytest.raises(ValidationError) as exc:
        ns.notification_answer(notice, text="ok", acting_user=borgerservice)
    assert exc.value.messages == [ns.MSG_NOT_ANSWERABLE]
    assert ns.notification_acknowledge(notice, acting_user=borgerservice).status == "acknowledged"


def test_overdue_is_computed_and_stored_across_easter(worker, kbh_user):
    with time_machine.travel(datetime(2027, 3, 24, 9, 0, tzinfo=TZ), tick=False):
        notice = benefits_notice(worker)
        person = make_person(acting_user=worker)
        cpr = next(
            n
            for n in admit(person, acting_user=worker, expected=date(2027, 9, 1)).notifications
            if n.kind == NotificationKind.CPR_REGISTER_NOTICE
        )
    assert (notice.due_date, cpr.due_date) == (date(2027, 4, 12), date(2027, 3, 29))
    ns.notification_acknowledge(notice, acting_user=kbh_user)  # acknowledging does not settle a request
    notice.refresh_from_db()
    assert notification_status(notice, date(2027, 4, 12)) == "acknowledged"  # the due date itself is on time
    assert notification_status(notice, date(2027, 4, 13)) == "overdue"
    assert ns.notifications_mark_overdue(date(2027, 3, 29)) == 0
    # The CPR notice (5 calendar days); the second person's admission notice (5 business days, over Easter) is not.
    assert ns.notifications_mark_overdue(date(2027, 3, 30)) == 1
    assert ns.notifications_mark_overdue(date(2027, 4, 13)) == 4  # the benefits request, both pension notices, ...
    assert ns.notifications_mark_overdue(date(2027, 4, 13)) == 0  # idempotent
    notice.refresh_from_db()
    assert history(notice)[-1] == ("acknowledged", "overdue")
    with time_machine.travel(datetime(2027, 4, 14, 9, 0, tzinfo=TZ), tick=False):
        assert notification_counts(kbh_user)["overdue"] == 4  # København's four (not UDK's)
        assert next(iter(notifications_inbox(kbh_user))).is_overdue
        ns.notification_answer(
            notice,
            decisions={
                "kontanthjaelp": {"code": "stopped", "effective_date": date(2027, 3, 24)},
                "uddannelseshjaelp": {"code": "stopped", "effective_date": date(2027, 3, 24)},
            },
            acting_user=kbh_user,
        )
    notice.refresh_from_db()
    assert notice.status == "answered" and history(notice)[-1] == ("overdue", "answered")


def test_admission_registered_after_its_deadline_is_overdue_at_once(worker):
    person = make_person(acting_user=worker)
    outcome = admit(
        person,
        acting_user=worker,
        admitted_at=timezone.now() - timedelta(days=20),
        expected=date.today() + timedelta(days=200),
    )
    cpr = next(n for n in outcome.notifications if n.kind == NotificationKind.CPR_REGISTER_NOTICE)
    assert cpr.status == "overdue"
