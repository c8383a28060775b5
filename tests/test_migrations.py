"""The migration to notices with a subject, a source and a sender (notifications 0005, delivery 0003, legal 0002),
run on a populated database: every notice, answer, reminder and delivery is still there and says the same.

The database is taken back to the migrations before the change, filled through the historical models (as the
product wrote it then: a custody episode with admission, transfer, new release date and release, and the notices
each event sent), and migrated forward again.
"""

from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("restore_reference_data")]

BEFORE = [
    ("accounts", "0001_initial"),
    ("organisations", "0001_initial"),
    ("legal", "0001_initial"),
    ("people", "0002_person_benefits_person_pension"),
    ("custody", "0002_coordination_decision"),
    ("notifications", "0004_notificationattachment"),
    ("delivery", "0002_webhook_subscriptions"),
]
TZ = timezone.get_current_timezone()


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def _populate(apps):
    """What the product wrote before the change, through the historical models."""
    Organisation = apps.get_model("organisations", "Organisation")
    Department = apps.get_model("organisations", "Department")
    User = apps.get_model("accounts", "User")
    Person = apps.get_model("people", "Person")
    Episode = apps.get_model("custody", "Episode")
    EpisodeEvent = apps.get_model("custody", "EpisodeEvent")
    Notification = apps.get_model("notifications", "Notification")
    NotificationAnswer = apps.get_model("notifications", "NotificationAnswer")
    BenefitDecision = apps.get_model("notifications", "BenefitDecision")
    NotificationReminder = apps.get_model("notifications", "NotificationReminder")
    Delivery = apps.get_model("delivery", "Delivery")
    Paragraph = apps.get_model("legal", "Paragraph")

    kbh_prison = Organisation.objects.get(code="krfo-koebenhavns-faengsler")
    storstroem = Organisation.objects.get(code="krfo-storstroem")
    kbh = Organisation.objects.get(code="101")
    udk = Organisation.objects.get(code="udbetaling-danmark")
    unit = {kind: Department.objects.get(organisation=kbh, kind=kind) for kind in ("ydelse", "socialforvaltning")}
    worker = User.objects.create(username="krfo.migration")
    answerer = User.objects.create(username="kbh.migration")
    basis = {
        "reporting": Paragraph.objects.get(act__short_name="Cirkulæreskrivelse om indberetning", reference=""),
        "pension": Paragraph.objects.get(act__short_name="Lov om social pension", reference="§ 46"),
    }
    person = Person.objects.create(
        cpr="0101701234",
        first_name="Migra",
        last_name="Tion",
        home_municipality=kbh,
        pension="folkepension",
        benefits=["kontanthjaelp"],
    )
    admitted = datetime(2026, 10, 1, 9, 0, tzinfo=TZ)
    episode = Episode.objects.create(
        person=person,
        institution=storstroem,
        custody_type="remand",
        admitted_at=admitted,
        status="closed",
        released_at=admitted + timedelta(days=40),
        release_kind="from_court",
    )

    def event(kind, days, **extra):
        return EpisodeEvent.objects.create(
            episode=episode, kind=kind, occurred_at=admitted + timedelta(days=days), acting_user=worker, **extra
        )

    admission = event("admission", 0, to_institution=kbh_prison)
    transfer = event("transfer", 10, from_institution=kbh_prison, to_institution=storstroem)
    release = event("release", 40)

    def notice(ev, kind, org, dept, paragraph, **fields):
        return Notification.objects.create(
            event=ev,
            episode=episode,
            person=person,
            kind=kind,
            recipient_organisation=org,
            recipient_department=dept,
            legal_basis=paragraph,
            snapshot=fields.pop("snapshot", {"cpr": person.cpr}),
            **fields,
        )

    benefits = notice(
        admission,
        "benefits_decision_request",
        kbh,
        unit["ydelse"],
        basis["reporting"],
        due_date=date(2026, 10, 15),
        snapshot={"benefits": ["kontanthjaelp"]},
        answered_at=admitted,
        status="answered",
    )
    pension_udk = notice(admission, "pension_notice", udk, None, basis["pension"])
    jobcenter = Department.objects.get(organisation=kbh, kind="jobcenter")
    # A benefits request that listed no benefits: a plain admission notice in all but name.
    nothing_to_decide = notice(
        admission, "benefits_decision_request", kbh, jobcenter, basis["reporting"], snapshot={"benefits": []}
    )
    pension_rent = notice(admission, "pension_notice", kbh, unit["socialforvaltning"], basis["pension"])
    moved = notice(transfer, "transfer_notice", kbh, unit["ydelse"], basis["reporting"], acknowledged_at=admitted)
    released = [
        notice(release, "release_notice", kbh, unit["ydelse"], basis["reporting"]),
        notice(release, "release_notice", udk, None, basis["pension"]),
        notice(release, "release_notice", kbh, unit["socialforvaltning"], basis["pension"]),
    ]
    answer = NotificationAnswer.objects.create(notification=benefits, answered_by=answerer, answered_at=admitted)
    BenefitDecision.objects.create(
        answer=answer, subject="kontanthjaelp", code="stopped", effective_date=admitted.date()
    )
    NotificationReminder.objects.create(
        notification=benefits,
        kind="reminder",
        recipient_organisation=kbh,
        due_date=date(2026, 10, 15),
        sent_at=admitted,
    )
    for n in (benefits, pension_udk, moved, *released):
        Delivery.objects.create(notification=n, channel="inbox", idempotency_key=f"{n.pk}:inbox", status="sent")
    return {
        "benefits": benefits.pk,
        "pension_udk": pension_udk.pk,
        "nothing_to_decide": nothing_to_decide.pk,
        "pension_rent": pension_rent.pk,
        "moved": moved.pk,
        "released": [n.pk for n in released],
        "admission": admission.pk,
        "transfer": transfer.pk,
        "release": release.pk,
        "episode": episode.pk,
        "kbh_prison": kbh_prison.pk,
        "storstroem": storstroem.pk,
        "worker": worker.pk,
    }


def _populate_custody_and_links(apps, ids):
    """For the access migrations (people 0003, notifications 0006, custody 0005): an open episode, one released
    a few days ago, and the benefits notice's live link as the product opened it (source id as text)."""
    Organisation = apps.get_model("organisations", "Organisation")
    Person = apps.get_model("people", "Person")
    PersonLink = apps.get_model("people", "PersonLink")
    Episode = apps.get_model("custody", "Episode")
    ContentType = apps.get_model("contenttypes", "ContentType")
    kbh_prison, storstroem = (
        Organisation.objects.get(pk=ids["kbh_prison"]),
        Organisation.objects.get(pk=ids["storstroem"]),
    )
    now = timezone.now()
    held = Episode.objects.create(
        person=Person.objects.create(cpr="0202701234", first_name="Inde", last_name="Siddende"),
        institution=kbh_prison,
        custody_type="remand",
        admitted_at=now - timedelta(days=3),
    )
    let_go = Episode.objects.create(
        person=Person.objects.create(cpr="0303701234", first_name="Lige", last_name="Løsladt"),
        institution=storstroem,
        custody_type="sentence",
        admitted_at=now - timedelta(days=60),
        status="closed",
        released_at=now - timedelta(days=5),
        release_kind="parole",
    )
    notification_type, _ = ContentType.objects.get_or_create(app_label="notifications", model="notification")
    link = PersonLink.objects.create(
        person_id=Episode.objects.get(pk=ids["episode"]).person_id,
        organisation=Organisation.objects.get(code="101"),
        reason="notification",
        source_type=notification_type,
        source_id=str(ids["benefits"]),
    )
    return {"held": held.pk, "let_go": let_go.pk, "let_go_released": let_go.released_at, "link": link.pk}


def test_the_notice_migration_keeps_every_notice_and_gives_it_a_source_a_thread_a_sender_and_a_rule():
    from samarbejde.core.tests.reference import load_reference_data

    load_reference_data()  # a transactional test before this one may have flushed it
    old = _migrate(BEFORE)
    ids = _populate(old)
    ids.update(_populate_custody_and_links(old, ids))
    _migrate(_latest())

    from django.contrib.contenttypes.models import ContentType

    from samarbejde.custody.models import Episode, EpisodeEvent
    from samarbejde.delivery.models import Delivery
    from samarbejde.legal.models import Act, Paragraph
    from samarbejde.notifications.models import Notification, NotificationReminder

    notices = {n.pk: n for n in Notification.objects.select_related("recipient_organisation")}
    assert len(notices) == 8
    event_type, episode_type = (
        ContentType.objects.get_for_model(EpisodeEvent),
        ContentType.objects.get_for_model(Episode),
    )
    assert {(n.source_type_id, n.thread_type_id, n.thread_id) for n in notices.values()} == {
        (event_type.pk, episode_type.pk, ids["episode"])
    }
    expected = {
        ids["benefits"]: ("admission.benefits", True, ids["admission"], ids["kbh_prison"]),
        ids["pension_udk"]: ("admission.pension_udk", True, ids["admission"], ids["kbh_prison"]),
        ids["nothing_to_decide"]: ("admission.no_benefits", False, ids["admission"], ids["kbh_prison"]),
        ids["pension_rent"]: ("admission.pension_rent", True, ids["admission"], ids["kbh_prison"]),
        ids["moved"]: ("transfer.notice", False, ids["transfer"], ids["storstroem"]),
        ids["released"][0]: ("release.benefits", False, ids["release"], ids["storstroem"]),
        ids["released"][1]: ("release.pension_udk", False, ids["release"], ids["storstroem"]),
        ids["released"][2]: ("release.pension_rent", False, ids["release"], ids["storstroem"]),
    }
    for pk, (rule, needs_answer, source, sender) in expected.items():
        n = notices[pk]
        assert (n.rule, n.rule_version, n.needs_answer, n.source_id, n.sender_organisation_id) == (
            rule,
            1,
            needs_answer,
            source,
            sender,
        ), pk
        assert n.sent_by_id == ids["worker"] and n.occurred_at is not None
        assert n.due_date is not None  # every notice has a deadline now
    benefits = notices[ids["benefits"]]
    assert benefits.status == "answered" and benefits.answer.decisions.get().code == "stopped"
    assert notices[ids["moved"]].status == "acknowledged"
    assert notices[ids["nothing_to_decide"]].kind == "admission_notice"
    assert NotificationReminder.objects.get().notification_id == ids["benefits"]
    assert set(Delivery.objects.values_list("organisation__code", flat=True)) == {"101", "udbetaling-danmark"}
    assert all(d.organisation_id == d.notification.recipient_organisation_id for d in Delivery.objects.all())
    assert Act.objects.filter(key="social-pension").exists() and not Paragraph.objects.filter(key__isnull=True).exists()
    assert benefits.legal_basis.key == "indberetningscirkulaeret"

    # The access migrations (ADR 0008): the threads that ended say so, their links run out by the rules, and
    # KRFO's institutions get custody links for the episodes they hold or let go of less than 30 days ago.
    from samarbejde.people.models import PersonLink

    released_at = Episode.objects.get(pk=ids["episode"]).released_at
    assert {n.thread_ended_at for n in Notification.objects.all()} == {released_at}
    link = PersonLink.objects.get(pk=ids["link"])
    assert link.source_id == ids["benefits"] and link.closed_at is None
    # Answered before the release: 90 days after the release.
    assert (link.expires_at, link.close_rule) == (released_at + timedelta(days=90), "notice.settled_after_end")
    custody = {
        (row.source_id, row.organisation_id): (row.expires_at, row.close_rule)
        for row in PersonLink.objects.filter(reason="custody")
    }
    recent = released_at > timezone.now() - timedelta(days=30)  # the first episode's release is a fixed date
    assert set(custody) == {(ids["held"], ids["kbh_prison"]), (ids["let_go"], ids["storstroem"])} | (
        {(ids["episode"], ids["storstroem"])} if recent else set()
    )
    assert custody[(ids["held"], ids["kbh_prison"])] == (None, "")
    expires, rule = custody[(ids["let_go"], ids["storstroem"])]
    # Released 5 days ago: 30 days from the migration (the later of the release and now).
    assert rule == "custody.moved_on"
    assert timedelta(days=29) < expires - timezone.now() <= timedelta(days=30)
