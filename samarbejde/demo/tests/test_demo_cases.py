"""Demo cases: people in every stage through the real services, idempotent, quick, and the command twice."""

from io import StringIO

import pytest
from django.core.management import call_command

from samarbejde.custody.models import CustodyType, Episode, EpisodeStatus, EventKind
from samarbejde.demo.data import DEMO_PERSONS, load_demo_cases, load_demo_users
from samarbejde.notifications.models import Notification, NotificationReminder, NotificationStatus, ReminderKind
from samarbejde.people.cpr import normalize_cpr
from samarbejde.people.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    load_demo_users()
    return {"created": load_demo_cases()}


def episode_of(key):
    return Episode.objects.select_related("institution", "person__home_municipality").get(
        person__cpr=DEMO_PERSONS[key].cpr
    )


def test_demo_cprs_are_valid_and_unique():
    cprs = [normalize_cpr(p.cpr) for p in DEMO_PERSONS.values()]
    assert len(set(cprs)) == len(cprs) >= 6


def test_every_stage_is_present(demo):
    assert demo["created"] == len(DEMO_PERSONS)

    remanded = episode_of("remanded")
    assert (remanded.status, remanded.custody_type, remanded.person.home_municipality.code) == (
        EpisodeStatus.OPEN,
        CustodyType.REMAND,
        "101",
    )
    assert remanded.person.benefits == ["kontanthjaelp"]

    serving = episode_of("serving")
    assert (serving.custody_type, serving.person.pension, serving.person.home_municipality.code) == (
        CustodyType.SENTENCE,
        "folkepension",
        "751",
    )
    assert {"udbetaling-danmark", "751"} <= set(
        Notification.objects.filter(thread_id=serving.pk).values_list("recipient_organisation__code", flat=True)
    )

    transferred = episode_of("transferred")
    assert transferred.institution.code == "krfo-storstroem"
    assert transferred.events.filter(kind=EventKind.TRANSFER).exists()
    assert transferred.person.benefits == ["uddannelseshjaelp"]
    assert transferred.person.home_municipality.code == "461"

    released = episode_of("released")
    assert released.status == EpisodeStatus.CLOSED and released.address_after_release
    assert Notification.objects.filter(
        thread_id=released.pk, kind="release_notice", recipient_organisation__code="101"
    ).exists()


def test_one_notice_is_overdue_and_escalated_and_one_is_answered_by_kbh(demo):
    # The admission's notice (the demo's handleplaner add their own: action_plans.*).
    overdue = Notification.objects.get(person__cpr=DEMO_PERSONS["overdue"].cpr, rule__startswith="admission.")
    assert overdue.status == NotificationStatus.OVERDUE
    escalated_to = set(
        NotificationReminder.objects.filter(notification=overdue, kind=ReminderKind.ESCALATION).values_list(
            "recipient_user__username", flat=True
        )
    )
    # The unit and the sending institution as organisations (None), and by name the coordinator and the case worker.
    assert escalated_to == {None, "kbh.koordinator", "krfo.sagsbehandler"}

    answered = Notification.objects.get(person__cpr=DEMO_PERSONS["answered"].cpr, rule__startswith="admission.")
    assert answered.status == NotificationStatus.ANSWERED
    assert answered.answer.answered_by.username == "kbh.sagsbehandler"
    assert list(answered.answer.decisions.values_list("subject", "code")) == [("kontanthjaelp", "stopped")]
    # the notices' acting users are the demo KRFO users
    actors = set(Episode.objects.values_list("events__acting_user__username", flat=True))
    assert actors == {"krfo.sagsbehandler", "krfo.leder"}


def test_loading_twice_adds_nothing(demo):
    counts = (Person.objects.count(), Episode.objects.count(), Notification.objects.count())
    assert load_demo_cases() == 0
    assert (Person.objects.count(), Episode.objects.count(), Notification.objects.count()) == counts
    assert NotificationReminder.objects.count() > 0


def test_the_command_runs_twice_in_a_row():
    out = StringIO()
    call_command("load_demo_data", "--force", stdout=out)
    call_command("load_demo_data", "--force", stdout=out)
    lines = out.getvalue().splitlines()
    assert f" {len(DEMO_PERSONS)} new demo people," in lines[0]
    assert " 0 new demo people," in lines[1]
    from samarbejde.demo.pre_sentence import DEMO_INVESTIGATIONS  # § 808 demo people (pre_sentence), no custody

    assert Person.objects.count() == len(DEMO_PERSONS) + len(DEMO_INVESTIGATIONS)
