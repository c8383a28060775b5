"""Custody services: the life cycle, every guard's Danish message (nothing saved), rollback, query counts."""

from datetime import UTC, date, datetime, timedelta
from unittest import mock

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from samarbejde.audit.models import AuditEvent
from samarbejde.custody import services as s
from samarbejde.custody.models import CustodyType, Episode, EpisodeEvent, EpisodeStatus, ReleaseCertainty, ReleaseKind
from samarbejde.custody.tests.factories import INSTITUTION, OTHER_INSTITUTION, admit, krfo_case_worker, make_person
from samarbejde.notifications.models import Notification, NotificationKind
from samarbejde.organisations.models import Organisation
from samarbejde.organisations.roles import Role
from samarbejde.organisations.tests.factories import user_with_role
from samarbejde.people.models import PersonLink

pytestmark = pytest.mark.django_db
FROZEN = datetime(2027, 3, 24, 10, 0, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def worker():
    return krfo_case_worker()


def org(code):
    return Organisation.objects.get(code=code)


def counts():
    return (
        Episode.objects.count(),
        EpisodeEvent.objects.count(),
        Notification.objects.count(),
        AuditEvent.objects.count(),
    )


@time_machine.travel(FROZEN, tick=False)
def test_pensioner_with_kontanthjaelp_gets_three_notices_with_legal_bases(worker):
    person = make_person(acting_user=worker, pension="folkepension", benefits=["kontanthjaelp"])
    outcome = admit(person, acting_user=worker)
    assert outcome.warnings == []
    rows = sorted(
        (n.recipient_organisation.code, n.kind, str(n.legal_basis), n.due_date) for n in outcome.notifications
    )
    assert rows == [
        ("101", NotificationKind.BENEFITS_DECISION_REQUEST, "Cirkulæreskrivelse om indberetning", date(2027, 4, 12)),
        ("101", NotificationKind.PENSION_NOTICE, "Lov om social pension § 46", date(2027, 4, 12)),
        ("udbetaling-danmark", NotificationKind.PENSION_NOTICE, "Lov om social pension § 46", date(2027, 4, 12)),
    ]
    live = PersonLink.objects.live().filter(person=person)
    assert sorted(live.values_list("reason", "organisation__code")) == [
        ("custody", INSTITUTION),
        ("notification", "101"),
        ("notification", "101"),
        ("notification", "udbetaling-danmark"),
    ]
    actions = list(AuditEvent.objects.filter(person=person).values_list("action", flat=True))
    assert actions.count("custody.admit") == 1 and actions.count("notifications.create") == 3
    assert outcome.event.kind == "admission" and outcome.episode.status == EpisodeStatus.OPEN


@time_machine.travel(FROZEN, tick=False)
def test_long_stay_sends_cpr_notice_with_only_cpr_name_and_time(worker):
    person = make_person(acting_user=worker, benefits=["kontanthjaelp"])
    outcome = admit(person, acting_user=worker, expected=date(2027, 12, 1))
    cpr = next(n for n in outcome.notifications if n.kind == NotificationKind.CPR_REGISTER_NOTICE)
    assert cpr.recipient_department.kind == "borgerservice"
    assert cpr.due_date == date(2027, 3, 29)  # 5 calendar days
    assert set(cpr.snapshot) == {"cpr", "name", "admitted_at"}
    benefits = next(n for n in outcome.notifications if n.kind == NotificationKind.BENEFITS_DECISION_REQUEST)
    assert benefits.snapshot["benefits"] == ["kontanthjaelp"] and "pension" not in benefits.snapshot


def test_unknown_home_municipality_is_reported_not_raised(worker):
    person = make_person(acting_user=worker, home=None, pension="foertidspension")
    outcome = admit(person, acting_user=worker)
    assert [n.recipient_organisation.code for n in outcome.notifications] == ["udbetaling-danmark"]
    assert outcome.warnings == [
        "Personens bopælskommune er ukendt, så kommunen er ikke underrettet. "
        "Registrér bopælskommunen, og send underretningen, når den kendes."
    ]


def test_full_life_cycle(worker):
    person = make_person(acting_user=worker, benefits=["kontanthjaelp"])
    start = timezone.now() - timedelta(days=10)
    episode = admit(person, acting_user=worker, admitted_at=start).episode
    s.episode_convert_to_sentence(episode, occurred_at=start + timedelta(days=1), acting_user=worker)
    transfer = s.episode_transfer(
        episode, to_institution=org(OTHER_INSTITUTION), occurred_at=start + timedelta(days=2), acting_user=worker
    )
    assert [(n.kind, n.snapshot["institution"]["name"]) for n in transfer.notifications] == [
        (NotificationKind.TRANSFER_NOTICE, "Storstrøm Fængsel")
    ]
    # From now on Storstrøm holds the person: its staff register the events; København no longer may.
    with pytest.raises(PermissionDenied, match="anden institution"):
        s.episode_change_release_date(
            episode, expected_release=date.today() + timedelta(days=200), certainty="decided", acting_user=worker
        )
    worker = user_with_role(Role.KRFO_CASE_WORKER, OTHER_INSTITUTION)
    change = s.episode_change_release_date(
        episode,
        expected_release=date.today() + timedelta(days=200),
        certainty=ReleaseCertainty.DECIDED,
        acting_user=worker,
    )
    assert sorted(n.kind for n in change.notifications) == [
        NotificationKind.CPR_REGISTER_NOTICE,
        NotificationKind.RELEASE_DATE_CHANGE_NOTICE,
    ]
    release = s.episode_release(
        episode,
        released_at=timezone.now(),
        release_kind=ReleaseKind.PAROLE,
        address_after="Nyvej 2",
        acting_user=worker,
    )
    assert sorted((n.recipient_department.kind, n.kind) for n in release.notifications) == [
        ("borgerservice", NotificationKind.RELEASE_NOTICE),
        ("ydelse", NotificationKind.RELEASE_NOTICE),
    ]
    assert all(n.snapshot["address_after_release"] == "Nyvej 2" for n in release.notifications)
    episode.refresh_from_db()
    assert (episode.status, episode.custody_type, episode.institution.code) == ("closed", "sentence", OTHER_INSTITUTION)
    assert list(episode.events.values_list("kind", flat=True)) == [
        "admission",
        "conversion",
        "transfer",
        "release_date_change",
        "release",
    ]
    actions = set(AuditEvent.objects.filter(person=person).values_list("action", flat=True))
    assert {
        "custody.admit",
        "custody.convert",
        "custody.transfer",
        "custody.change_release_date",
        "custody.release",
    } <= actions
    # A second admission after release is fine (Storstrøm admits into its own institution).
    assert admit(person, acting_user=worker, institution=org(OTHER_INSTITUTION)).episode.pk != episode.pk


def _open_episode(worker, **kw):
    person = make_person(acting_user=worker)
    return admit(person, acting_user=worker, admitted_at=timezone.now() - timedelta(days=5), **kw).episode


def _closed_episode(worker):
    episode = _open_episode(worker)
    s.episode_release(episode, released_at=timezone.now(), release_kind=ReleaseKind.OTHER, acting_user=worker)
    return episode


NOW = timezone.now
GUARDS = [
    (
        "second_admission",
        lambda w, e: admit(e.person, acting_user=w),
        s.MSG_ALREADY_IN_CUSTODY,
    ),
    (
        "not_krfo_institution",
        lambda w, e: admit(make_person(acting_user=w), acting_user=w, institution=org("101")),
        s.MSG_NOT_KRFO_INSTITUTION,
    ),
    (
        "probation_office_is_no_institution",
        lambda w, e: admit(make_person(acting_user=w), acting_user=w, institution=org("krfo-kif-hovedstaden")),
        s.MSG_NOT_KRFO_INSTITUTION,
    ),
    (
        "custody_type",
        lambda w, e: admit(make_person(acting_user=w), acting_user=w, custody_type="holiday"),
        s.MSG_CUSTODY_TYPE,
    ),
    (
        "admission_in_future",
        lambda w, e: admit(make_person(acting_user=w), acting_user=w, admitted_at=NOW() + timedelta(days=2)),
        s.MSG_DATE_IN_FUTURE,
    ),
    (
        "expected_before_admission",
        lambda w, e: admit(make_person(acting_user=w), acting_user=w, expected=date.today() - timedelta(days=3)),
        s.MSG_EXPECTED_BEFORE_ADMISSION,
    ),
    (
        "expected_too_far",
        lambda w, e: admit(make_person(acting_user=w), acting_user=w, expected=date.today() + timedelta(days=31 * 365)),
        s.MSG_EXPECTED_TOO_FAR,
    ),
    (
        "date_without_certainty",
        lambda w, e: admit(
            make_person(acting_user=w), acting_user=w, expected=date.today(), certainty=ReleaseCertainty.UNKNOWN
        ),
        s.MSG_CERTAINTY,
    ),
    (
        "certainty_without_date",
        lambda w, e: s.episode_change_release_date(e, expected_release=None, certainty="decided", acting_user=w),
        s.MSG_CERTAINTY_WITHOUT_DATE,
    ),
    (
        "unchanged_release_date",
        lambda w, e: s.episode_change_release_date(e, expected_release=None, certainty=None, acting_user=w),
        s.MSG_NO_DATE_CHANGE,
    ),
    (
        "release_before_admission",
        lambda w, e: s.episode_release(
            e, released_at=e.admitted_at - timedelta(hours=1), release_kind="other", acting_user=w
        ),
        s.MSG_RELEASE_BEFORE_ADMISSION,
    ),
    (
        "release_in_future",
        lambda w, e: s.episode_release(e, released_at=NOW() + timedelta(days=3), release_kind="other", acting_user=w),
        s.MSG_DATE_IN_FUTURE,
    ),
    (
        "release_kind",
        lambda w, e: s.episode_release(e, released_at=NOW(), release_kind="escaped", acting_user=w),
        s.MSG_RELEASE_KIND,
    ),
    (
        "transfer_same_institution",
        lambda w, e: s.episode_transfer(e, to_institution=org(INSTITUTION), occurred_at=NOW(), acting_user=w),
        s.MSG_SAME_INSTITUTION,
    ),
    (
        "transfer_to_municipality",
        lambda w, e: s.episode_transfer(e, to_institution=org("751"), occurred_at=NOW(), acting_user=w),
        s.MSG_NOT_KRFO_INSTITUTION,
    ),
    (
        "transfer_before_admission",
        lambda w, e: s.episode_transfer(
            e, to_institution=org(OTHER_INSTITUTION), occurred_at=e.admitted_at - timedelta(days=1), acting_user=w
        ),
        s.MSG_BEFORE_ADMISSION,
    ),
    (
        "convert_twice",
        lambda w, e: s.episode_convert_to_sentence(
            s.episode_convert_to_sentence(e, occurred_at=NOW(), acting_user=w).episode, occurred_at=NOW(), acting_user=w
        ),
        s.MSG_ALREADY_SENTENCE,
    ),
    (
        "missing_date",
        lambda w, e: s.episode_transfer(e, to_institution=org(OTHER_INSTITUTION), occurred_at=None, acting_user=w),
        s.MSG_DATE_REQUIRED,
    ),
]


@pytest.mark.parametrize(
    ("admitted_at", "code"),
    [
        (lambda: NOW() - timedelta(days=3 * 365), "date_too_old"),
        # The test persons are born 1970-1999 (their CPR numbers): earlier is before birth.
        (lambda: datetime(1960, 1, 1, 10, 0, tzinfo=timezone.get_current_timezone()), "date_before_birth"),
        (lambda: datetime(1, 1, 2, 10, 0, tzinfo=UTC), "date_before_birth"),
    ],
)
def test_the_service_keeps_the_plausible_window_of_forms_and_api(worker, admitted_at, code):
    """core.dates' window holds for every caller of the service (admin, demo, scripts), not only the forms."""
    person = make_person(acting_user=worker)
    before = counts()
    with pytest.raises(ValidationError) as exc, transaction.atomic():
        admit(person, acting_user=worker, admitted_at=admitted_at())
    assert exc.value.error_list[0].code == code and "Kontrollér" in exc.value.messages[0]
    assert counts() == before


@pytest.mark.parametrize(("name", "call", "message"), GUARDS, ids=[g[0] for g in GUARDS])
def test_guard_gives_danish_message_and_saves_nothing(worker, name, call, message):
    episode = _open_episode(worker)
    before = counts()
    # transaction.atomic(): what a view does; everything inside rolls back with the guard.
    with pytest.raises(ValidationError) as exc, transaction.atomic():
        call(worker, episode)
    assert exc.value.messages == [message]
    assert counts() == before


@pytest.mark.parametrize(
    "call",
    [
        lambda w, e: s.episode_release(e, released_at=NOW(), release_kind="other", acting_user=w),
        lambda w, e: s.episode_transfer(e, to_institution=org(OTHER_INSTITUTION), occurred_at=NOW(), acting_user=w),
        lambda w, e: s.episode_change_release_date(
            e, expected_release=date.today(), certainty="decided", acting_user=w
        ),
        lambda w, e: s.episode_convert_to_sentence(e, occurred_at=NOW(), acting_user=w),
    ],
    ids=["release", "transfer", "change_release_date", "convert"],
)
def test_no_event_on_a_closed_episode(worker, call):
    episode = _closed_episode(worker)
    before = counts()
    with pytest.raises(ValidationError) as exc:
        call(worker, episode)
    assert exc.value.messages == [s.MSG_EPISODE_CLOSED]
    assert counts() == before


@pytest.mark.parametrize(
    "role", [r for r in Role if r not in (Role.KRFO_CASE_WORKER, Role.KRFO_MANAGER, Role.PROBATION_OFFICER)]
)
def test_only_krfo_roles_that_register_may_admit(worker, role):
    person = make_person(acting_user=worker)
    with pytest.raises(PermissionDenied):
        admit(person, acting_user=user_with_role(role))
    assert not Episode.objects.filter(person=person).exists()


def test_database_enforces_one_open_episode_per_person(worker):
    episode = _open_episode(worker)
    with pytest.raises(IntegrityError), transaction.atomic():
        Episode.objects.create(
            person=episode.person,
            institution=episode.institution,
            custody_type=CustodyType.REMAND,
            admitted_at=timezone.now(),
        )


def test_race_lost_on_the_constraint_becomes_the_danish_message(worker):
    """If the exists() check passes (a concurrent admission not yet visible), the constraint still wins."""
    episode = _open_episode(worker)
    with mock.patch.object(s.Episode.objects, "filter") as filter_:
        filter_.return_value.exists.return_value = False
        with pytest.raises(ValidationError) as exc:
            admit(episode.person, acting_user=worker)
    assert exc.value.messages == [s.MSG_ALREADY_IN_CUSTODY]


def test_failure_after_the_notices_rolls_everything_back(worker):
    person = make_person(acting_user=worker, pension="folkepension", benefits=["kontanthjaelp"])
    before = (*counts(), PersonLink.objects.count())
    with (
        mock.patch("samarbejde.custody.services.EventOutcome", side_effect=RuntimeError("boom")),
        pytest.raises(RuntimeError),
    ):
        admit(person, acting_user=worker)
    assert (*counts(), PersonLink.objects.count()) == before


def test_missing_legal_basis_is_a_clear_error_and_saves_nothing(worker):
    person = make_person(acting_user=worker, benefits=["kontanthjaelp"])
    before = counts()
    with (
        mock.patch("samarbejde.notifications.services.paragraphs_by_key", return_value={}),
        pytest.raises(ValidationError) as exc,
    ):
        admit(person, acting_user=worker)
    assert "mangler i kataloget" in exc.value.messages[0]
    assert counts() == before


def _admit_queries(worker, benefits, django_assert_num_queries, expected):
    person = make_person(acting_user=worker, pension="folkepension", benefits=benefits)
    institution = org(INSTITUTION)
    for model in (Notification, Episode, EpisodeEvent):  # warm Django's content-type cache, as in a running server
        ContentType.objects.get_for_model(model)
    with django_assert_num_queries(expected):
        outcome = admit(
            person, acting_user=worker, institution=institution, expected=date.today() + timedelta(days=200)
        )
    return outcome


# Outer: savepoint pair 2, person lock 1, open-episode check 1, episode insert + its savepoint pair 3, the
# institution's custody link 1, event 1.
# Notices (joining the admission's transaction, no savepoint of their own: core.transactions): organisations
# not loaded yet 1 (UDK), routing lines 1, departments 1, legal bases 1, notices 1, history 1, the live links 1,
# deliveries 2 (the recipients' webhook subscriptions, one bulk insert). Every audit event (the custody link,
# the admission, the notices) in one insert at the end (audit_batch) 1. Constant in the number of notices and of
# benefits per unit.
ADMIT_QUERIES = 19


@pytest.mark.parametrize(
    "benefits",
    [["kontanthjaelp"], ["kontanthjaelp", "uddannelseshjaelp"]],
    ids=["one_benefit", "two_benefits_same_department"],
)
def test_admission_with_all_its_notices_has_a_pinned_query_count(worker, benefits, django_assert_num_queries):
    outcome = _admit_queries(worker, benefits, django_assert_num_queries, ADMIT_QUERIES)
    assert len(outcome.notifications) == 4  # ydelse, borgerservice, UDK, socialforvaltning


@time_machine.travel(FROZEN, tick=False)
def test_links_follow_custody_and_run_out_after_transfer_and_release(worker):
    """ADR 0008: the holding institution sees the episode; a transfer or release leaves the old holder
    ACCESS_DAYS_AFTER_CUSTODY more days; the release makes every recipient's notice link run out."""
    from datetime import UTC

    from samarbejde.notifications.services import notification_acknowledge
    from samarbejde.people import link_rules
    from samarbejde.people.services import person_links_close_expired

    utc = FROZEN.astimezone(UTC)  # periods are counted in real time, not wall-clock time across DST
    person = make_person(acting_user=worker, benefits=["kontanthjaelp"])
    episode = admit(person, acting_user=worker, admitted_at=timezone.now() - timedelta(days=10)).episode

    def custody_links():
        return sorted(
            PersonLink.objects.filter(person=person, reason="custody").values_list(
                "organisation__code", "expires_at", "close_rule"
            )
        )

    assert custody_links() == [(INSTITUTION, None, "")]
    s.episode_transfer(episode, to_institution=org(OTHER_INSTITUTION), occurred_at=timezone.now(), acting_user=worker)
    later = utc + timedelta(days=30)
    assert custody_links() == [(INSTITUTION, later, "custody.moved_on"), (OTHER_INSTITUTION, None, "")]
    storstroem = user_with_role(Role.KRFO_CASE_WORKER, OTHER_INSTITUTION)
    admission_notice = Notification.objects.filter(person=person, kind=NotificationKind.BENEFITS_DECISION_REQUEST).get()
    municipal = user_with_role(Role.MUNICIPAL_CASE_WORKER, "101")
    notification_acknowledge(Notification.objects.get(person=person, kind="transfer_notice"), acting_user=municipal)
    s.episode_release(
        episode, released_at=timezone.now(), release_kind=ReleaseKind.END_OF_SENTENCE, acting_user=storstroem
    )
    assert custody_links() == [
        (INSTITUTION, later, "custody.moved_on"),
        (OTHER_INSTITUTION, later, "custody.moved_on"),
    ]
    notices = {
        n.kind: PersonLink.objects.get(source_id=n.pk)
        for n in Notification.objects.filter(person=person).exclude(kind=NotificationKind.RELEASE_NOTICE)
    }
    # Settled before the end (the transfer notice, acknowledged): 90 days after the release.
    assert (notices["transfer_notice"].expires_at, notices["transfer_notice"].close_rule) == (
        utc + timedelta(days=90),
        "notice.settled_after_end",
    )
    # Never settled (the benefits request, unanswered): a year after the release at the latest.
    assert notices[NotificationKind.BENEFITS_DECISION_REQUEST].expires_at == utc + timedelta(days=365)
    assert set(Notification.objects.filter(person=person).values_list("thread_ended_at", flat=True)) == {utc}
    # Answered later: from then on 90 days.
    with time_machine.travel(utc + timedelta(days=5), tick=False):
        from samarbejde.notifications.services import notification_answer

        notification_answer(
            admission_notice,
            decisions={"kontanthjaelp": {"code": "stopped", "effective_date": (FROZEN + timedelta(days=1)).date()}},
            acting_user=municipal,
        )
    link = PersonLink.objects.get(source_id=admission_notice.pk)
    assert (link.expires_at, link.close_rule) == (utc + timedelta(days=95), "notice.settled_after_end")
    # Each expiry is audited with the person and the rule.
    assert AuditEvent.objects.filter(person=person, action="people.link_expire").count() >= 5
    # The sweep closes them when their time comes, and says how many per rule.
    with time_machine.travel(utc + timedelta(days=31), tick=False):
        assert person_links_close_expired() == {"custody.moved_on": 2}
        assert not PersonLink.objects.live().filter(person=person, reason="custody").exists()
    with time_machine.travel(utc + timedelta(days=366), tick=False):
        closed = person_links_close_expired()
        assert set(closed) <= {"notice.settled_after_end", "notice.max_after_end"}
        assert not PersonLink.objects.live().filter(person=person).exists()
    assert link_rules.BY_ID["custody.moved_on"].period == timedelta(days=30)
