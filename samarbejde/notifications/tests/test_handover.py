"""The handover rule and its follow-ups: every notice needs an acknowledgement with a deadline; reminders,
escalations and withdrawals go through the outbox (inbox, e-mail without personal data, webhook) like notices;
a release not acknowledged shows on the episode; KRFO corrects a person's facts or withdraws a notice, and the
recipients that are no longer right are told and lose access. Nothing is deleted."""

from datetime import date, datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from samarbejde.audit.models import AuditEvent
from samarbejde.custody import services as custody
from samarbejde.custody.models import ReleaseKind
from samarbejde.custody.tests.factories import admit, krfo_case_worker, make_person
from samarbejde.delivery import services as delivery_services
from samarbejde.delivery.channels import webhook
from samarbejde.delivery.models import Delivery
from samarbejde.notifications import services as ns
from samarbejde.notifications.access import notifications_visible_to
from samarbejde.notifications.models import Notification, NotificationReminder, NotificationStatus, ReminderKind
from samarbejde.notifications.registry import notice_types
from samarbejde.organisations.models import Organisation
from samarbejde.organisations.roles import Role
from samarbejde.organisations.tests.factories import user_with_role
from samarbejde.people.access import persons_visible_to
from samarbejde.people.models import PersonLink

pytestmark = pytest.mark.django_db
TZ = timezone.get_current_timezone()
NAME, CPR = ("Hanne", "Overdragen"), "0202801234"


def at(day: date, hour: int = 9):
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, 0, tzinfo=TZ), tick=False)


def organisation(code):
    return Organisation.objects.get(code=code)


@pytest.fixture
def worker():
    return krfo_case_worker()


@pytest.fixture
def subscribe():
    from samarbejde.delivery.services import webhook_subscription_create

    def _subscribe(url, *codes):
        return [
            webhook_subscription_create(organisation(code), url, f"Test {code}", acting_user=None) for code in codes
        ]

    return _subscribe


@pytest.fixture
def mailboxes():
    Organisation.objects.filter(code__in=["101", "751", "krfo-koebenhavns-faengsler"]).update(
        email="postkasse@example.dk"
    )


def admitted(worker, **person):
    person.setdefault("first_name", NAME[0])
    person.setdefault("last_name", NAME[1])
    return admit(make_person(acting_user=worker, **person), acting_user=worker)


def test_every_notice_kind_needs_an_acknowledgement_with_a_deadline(worker):
    assert all(t.needs_acknowledgement and t.deadline.resolve().days > 0 for t in notice_types())
    outcome = admitted(worker, pension="foertidspension", benefits=["kontanthjaelp"])
    released = custody.episode_release(
        outcome.episode, released_at=timezone.now(), release_kind=ReleaseKind.FROM_COURT, acting_user=worker
    )
    for notice in [*outcome.notifications, *released.notifications]:
        assert notice.due_date is not None, notice.rule
    assert {n.rule for n in released.notifications} == {
        "release.benefits",
        "release.pension_udk",
        "release.pension_rent",
    }


# --- a release not handed over, escalated through the outbox ----------------------------------------------


def test_a_release_not_acknowledged_in_time_is_escalated_by_email_and_webhook(client, worker, mailboxes, subscribe):
    (kbh_hook, _), (krfo_hook, _) = subscribe("https://kk.example.dk/hook", "101", "krfo-koebenhavns-faengsler")
    leader = user_with_role(Role.KRFO_MANAGER, "krfo-koebenhavns-faengsler", email="leder@krfo.example.dk")
    with at(date(2027, 3, 1)):
        outcome = admitted(worker, benefits=["kontanthjaelp"], cpr=CPR)
        release = custody.episode_release(
            outcome.episode,
            released_at=timezone.now(),
            release_kind=ReleaseKind.FROM_COURT,
            address_after="Valby Langgade 1, 2500 Valby",
            acting_user=worker,
        )
    (notice,) = release.notifications
    assert notice.due_date == date(2027, 3, 3)  # 2 business days

    client.force_login(worker)
    body = client.get(f"/klienter/forloeb/{outcome.episode.pk}/").content.decode()
    assert "Løsladelsen er ikke overdraget" in body

    with at(date(2027, 3, 4)):
        result = ns.deadline_sweep()
        delivery_services.deliveries_process()
    assert result.escalated >= 1
    rows = NotificationReminder.objects.filter(notification=notice, kind=ReminderKind.ESCALATION)
    assert {(r.recipient_organisation.code, r.recipient_user_id) for r in rows} >= {
        ("101", None),
        ("krfo-koebenhavns-faengsler", None),
        ("krfo-koebenhavns-faengsler", leader.pk),
        ("krfo-koebenhavns-faengsler", worker.pk),
    }
    escalation_mails = [m for m in mail.outbox if m.subject == "Frist overskredet for en underretning i Samarbejde"]
    assert {address for m in escalation_mails for address in m.to} >= {"postkasse@example.dk", "leder@krfo.example.dk"}
    for message in escalation_mails:
        text = message.subject + message.body
        assert NAME[1] not in text and CPR not in text and "Valby" not in text
        assert f"/indbakke/{notice.pk}/" in message.body
    hooks = Delivery.objects.filter(notification=notice, message__kind=ReminderKind.ESCALATION, channel="webhook")
    assert {d.subscription_id for d in hooks} == {kbh_hook.pk, krfo_hook.pk}
    event = webhook.notification_event(hooks.select_related("message__recipient_organisation").first())
    assert event.get_type() == "dk.samarbejde.notification.escalation"
    assert event.get_data()["message"]["kind"] == "escalation"
    assert NAME[1] not in str(event.get_data()) and CPR not in str(event.get_data())

    # Acknowledged: handed over, no longer on the episode as not handed over.
    ns.notification_acknowledge(notice, acting_user=user_with_role(Role.MUNICIPAL_CASE_WORKER, "101"))
    body = client.get(f"/klienter/forloeb/{outcome.episode.pk}/").content.decode()
    assert "Løsladelsen er ikke overdraget" not in body


def test_a_reminder_is_delivered_to_the_unit_with_its_own_idempotency_key(worker, mailboxes):
    with at(date(2027, 3, 1)):
        (notice,) = admitted(worker, benefits=["kontanthjaelp"]).notifications
    with at(date(2027, 3, 11)):  # due 15 March: two business days ahead
        assert ns.deadline_sweep().reminded == 1
    message = NotificationReminder.objects.get(notification=notice, kind=ReminderKind.REMINDER)
    delivery = Delivery.objects.get(message=message, channel="email")
    assert delivery.idempotency_key == f"{message.pk}:email"
    assert delivery.organisation.code == "101"
    with at(date(2027, 3, 11)):
        assert ns.deadline_sweep().reminded == 0  # nothing twice
    assert Delivery.objects.filter(message__notification=notice).count() == 2  # inbox and e-mail


# --- withdrawing ------------------------------------------------------------------------------------------


def test_krfo_withdraws_a_notice_with_a_reason_and_the_recipient_is_told_and_loses_access(client, worker, mailboxes):
    (notice,) = admitted(worker, benefits=["kontanthjaelp"], cpr=CPR).notifications
    kbh = user_with_role(Role.MUNICIPAL_CASE_WORKER, "101")
    assert persons_visible_to(kbh).filter(pk=notice.person_id).exists()
    ns.notification_withdraw(notice, reason="Sendt til den forkerte kommune", acting_user=worker)

    notice.refresh_from_db()
    assert (
        notice.status == NotificationStatus.WITHDRAWN and notice.withdrawal_reason == "Sendt til den forkerte kommune"
    )
    assert Notification.objects.filter(pk=notice.pk).exists()  # nothing is deleted
    assert not notifications_visible_to(kbh).filter(pk=notice.pk).exists()
    assert not persons_visible_to(kbh).filter(pk=notice.person_id).exists()
    assert not PersonLink.objects.live().filter(person=notice.person, organisation__code="101").exists()
    assert NotificationReminder.objects.get(notification=notice).kind == ReminderKind.WITHDRAWAL
    assert AuditEvent.objects.filter(action="notifications.withdraw", person=notice.person).count() == 1
    delivery_services.deliveries_process()
    (message,) = [m for m in mail.outbox if m.subject == "En underretning i Samarbejde er trukket tilbage"]
    assert NAME[1] not in message.body and CPR not in message.body

    client.force_login(kbh)
    assert client.get(notice.get_absolute_url()).status_code == 404
    inbox = client.get("/indbakke/").content.decode()
    assert "Trukket tilbage de seneste 30 dage" in inbox and "Sendt til den forkerte kommune" in inbox
    assert NAME[1] not in inbox

    # The sender still sees it, withdrawn, on the episode.
    client.force_login(worker)
    body = client.get(f"/klienter/forloeb/{notice.thread_id}/").content.decode()
    assert "Trukket tilbage" in body and "Sendt til den forkerte kommune" in body
    # Withdrawing twice changes nothing.
    assert ns.notification_withdraw(notice, reason="igen", acting_user=worker).withdrawal_reason.startswith("Sendt")


def test_withdrawal_bad_input_is_refused_in_danish_and_nothing_changes(client, worker):
    (notice,) = admitted(worker, benefits=["kontanthjaelp"]).notifications
    kbh = user_with_role(Role.MUNICIPAL_CASE_WORKER, "101")
    with pytest.raises(ValidationError) as exc:
        ns.notification_withdraw(notice, reason="  ", acting_user=worker)
    assert exc.value.messages == [ns.MSG_WITHDRAW_REASON_REQUIRED]
    with pytest.raises(PermissionDenied):
        ns.notification_withdraw(notice, reason="fejl", acting_user=kbh)
    ns.notification_answer(
        notice,
        decisions={"kontanthjaelp": {"code": "stopped", "effective_date": timezone.localdate()}},
        acting_user=kbh,
    )
    with pytest.raises(ValidationError) as exc:
        ns.notification_withdraw(notice, reason="Sendt ved en fejl", acting_user=worker)
    assert exc.value.messages == [ns.MSG_WITHDRAW_ANSWERED]
    notice.refresh_from_db()
    assert notice.withdrawn_at is None and notice.status == NotificationStatus.ANSWERED

    # Through the page: the answered notice offers no withdrawal, a post gets the message, nothing changes.
    client.force_login(worker)
    assert "Træk underretningen tilbage" not in client.get(notice.get_absolute_url()).content.decode()
    response = client.post(f"/indbakke/{notice.pk}/traek-tilbage/", {"reason": "Sendt ved en fejl"})
    assert response.status_code == 400 and "kan ikke trækkes tilbage" in response.content.decode()
    notice.refresh_from_db()
    assert notice.withdrawn_at is None


def test_the_withdraw_form_on_the_notice_page(client, worker):
    (notice,) = admitted(worker, benefits=["kontanthjaelp"]).notifications
    client.force_login(worker)
    assert "Træk underretningen tilbage" in client.get(notice.get_absolute_url()).content.decode()
    empty = client.post(f"/indbakke/{notice.pk}/traek-tilbage/", {"reason": ""})
    assert empty.status_code == 400 and "Skriv en begrundelse" in empty.content.decode()
    done = client.post(f"/indbakke/{notice.pk}/traek-tilbage/", {"reason": "Fejl i registreringen"}, follow=True)
    assert "Underretningen er trukket tilbage." in done.content.decode()
    # Only KRFO may: the recipient gets the same 404 as for a notice it cannot see.
    client.force_login(user_with_role(Role.MUNICIPAL_CASE_WORKER, "101"))
    assert client.post(f"/indbakke/{notice.pk}/traek-tilbage/", {"reason": "x"}).status_code == 404


# --- correcting the person's facts ------------------------------------------------------------------------


def test_correcting_the_home_municipality_moves_the_notices(client, worker, mailboxes):
    outcome = admitted(worker, pension="foertidspension", benefits=["kontanthjaelp"], cpr=CPR)
    episode = outcome.episode
    before = {(n.rule, n.recipient_organisation.code) for n in outcome.notifications}
    assert ("admission.benefits", "101") in before and ("admission.pension_rent", "101") in before
    kbh = user_with_role(Role.MUNICIPAL_CASE_WORKER, "101")

    corrected = custody.episode_correct_person(
        episode,
        home_municipality=organisation("751"),
        pension="foertidspension",
        benefits=["kontanthjaelp"],
        reason="Bopælskommunen var registreret forkert",
        acting_user=worker,
    )
    assert {(n.rule, n.recipient_organisation.code) for n in corrected.notifications} == {
        ("admission.benefits", "751"),
        ("admission.pension_rent", "751"),
    }
    assert {(n.rule, n.recipient_organisation.code) for n in corrected.withdrawn} == {
        ("admission.benefits", "101"),
        ("admission.pension_rent", "101"),
    }
    # Udbetaling Danmark's notice is still right: untouched.
    udk = Notification.objects.get(thread_id=episode.pk, rule="admission.pension_udk")
    assert udk.withdrawn_at is None
    assert not persons_visible_to(kbh).filter(pk=episode.person_id).exists()
    assert persons_visible_to(user_with_role(Role.MUNICIPAL_CASE_WORKER, "751")).filter(pk=episode.person_id).exists()
    assert (
        NotificationReminder.objects.filter(kind=ReminderKind.WITHDRAWAL, recipient_organisation__code="101").count()
        == 2
    )
    assert corrected.event.kind == "correction" and corrected.event.payload["fields"] == ["home_municipality"]

    # The timeline shows the correction, what moved and what was withdrawn.
    client.force_login(worker)
    body = client.get(f"/klienter/forloeb/{episode.pk}/").content.decode()
    assert "Rettelse af personens forhold" in body
    assert "bopælskommune fra Københavns Kommune til Aarhus Kommune" in body
    assert "Bopælskommunen var registreret forkert" in body


def test_correcting_benefits_replaces_only_what_changed(worker):
    outcome = admitted(worker, benefits=["kontanthjaelp", "sygedagpenge"])
    corrected = custody.episode_correct_person(
        outcome.episode,
        home_municipality=organisation("101"),
        pension="none",
        benefits=["kontanthjaelp"],
        reason="Sygedagpenge var registreret ved en fejl",
        acting_user=worker,
    )
    assert corrected.notifications == []
    assert [(n.rule, n.recipient_department.kind) for n in corrected.withdrawn] == [("admission.benefits", "jobcenter")]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"reason": ""}, custody.MSG_CORRECTION_REASON_REQUIRED),
        ({"reason": "x" * 1001}, custody.MSG_CORRECTION_REASON_TOO_LONG),
        ({"reason": "Ingen ændring", "change": False}, custody.MSG_NOTHING_CORRECTED),
        (
            {"reason": "Forkert", "home_municipality": "krfo-storstroem"},
            "Bopælskommunen skal være en af de 98 kommuner.",
        ),
        ({"reason": "Forkert", "pension": "tjenestemand"}, "Vælg ingen pension, folkepension eller førtidspension."),
    ],
)
def test_correction_bad_input_is_refused_in_danish_and_nothing_is_sent(worker, fields, message):
    outcome = admitted(worker, benefits=["kontanthjaelp"])
    notices, audits = Notification.objects.count(), AuditEvent.objects.count()
    change = fields.pop("change", True)
    kwargs = {
        "home_municipality": organisation(fields.pop("home_municipality", "751" if change else "101")),
        "pension": fields.pop("pension", "none"),
        "benefits": ["kontanthjaelp"],
        **fields,
    }
    with pytest.raises(ValidationError) as exc:
        custody.episode_correct_person(outcome.episode, acting_user=worker, **kwargs)
    assert message in " ".join(exc.value.messages)
    assert (Notification.objects.count(), AuditEvent.objects.count()) == (notices, audits)
    assert Notification.objects.filter(withdrawn_at__isnull=False).count() == 0


def test_the_correction_form_on_the_episode_page(client, worker):
    outcome = admitted(worker, benefits=["kontanthjaelp"])
    url = f"/klienter/forloeb/{outcome.episode.pk}/"
    client.force_login(worker)
    assert "Ret bopælskommune, pension eller ydelser" in client.get(url).content.decode()
    data = {"correct-home_municipality": "751", "correct-pension": "none", "correct-benefits": ["kontanthjaelp"]}
    missing = client.post(f"{url}rettelse/", data)
    assert missing.status_code == 200 and "Skriv, hvad der er rettet og hvorfor." in missing.content.decode()
    unknown = client.post(f"{url}rettelse/", {**data, "correct-home_municipality": "999", "correct-reason": "x"})
    assert "Vælg en af de 98 kommuner." in unknown.content.decode()
    assert not Notification.objects.filter(recipient_organisation__code="751").exists()
    done = client.post(f"{url}rettelse/", {**data, "correct-reason": "Forkert kommune"}, follow=True)
    body = done.content.decode()
    assert "Rettelsen er registreret." in body and "Trukket tilbage, og modtageren har fået besked" in body
    assert Notification.objects.filter(recipient_organisation__code="751", withdrawn_at__isnull=True).exists()
