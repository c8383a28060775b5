"""The lists' stored key (ADR 0013): it stays what notifications.status says through every step (acknowledge,
answer, withdraw, the deadline sweep, the end of the stay, the dormant tier); the migration's SQL says the same
as the Python rule; the key-based filters and counts give the rows and numbers the computed ones gave; and the
inbox and the unsettled list page through their rows in order, both ways, one query per page, with time frozen."""

import importlib
from datetime import datetime, timedelta

import pytest
import time_machine
from django.apps import apps as django_apps
from django.db import connection
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from samarbejde.custody import services as cs
from samarbejde.custody.models import ReleaseKind
from samarbejde.custody.tests.factories import admit, krfo_case_worker, make_person
from samarbejde.notifications import selectors
from samarbejde.notifications import services as ns
from samarbejde.notifications.access import notifications_visible_to
from samarbejde.notifications.models import Notification, NotificationKind, NotificationStatus
from samarbejde.notifications.status import (
    DORMANT_BASE,
    SETTLED_BASE,
    dormant_after,
    is_settled,
    notification_list_key,
    notification_status_on,
    overdue_q,
    unsettled_q,
)
from samarbejde.organisations.roles import Role
from samarbejde.organisations.tests.factories import user_with_role

pytestmark = pytest.mark.django_db

TZ = timezone.get_current_timezone()
START = datetime(2027, 3, 1, 9, 0, tzinfo=TZ)
INBOX = "/indbakke/"
UNSETTLED = "/klienter/ubesvarede/"


def frozen(moment):
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def worker():
    return krfo_case_worker()


@pytest.fixture
def kbh():
    return user_with_role(Role.MUNICIPAL_CASE_WORKER, "101")


def _admit_many(worker, n, *, step=timedelta(hours=5)):
    """n admissions, one every `step` from START (so due dates and creation times differ and tie)."""
    outcomes = []
    for i in range(n):
        with frozen(START + i * step):
            person = make_person(acting_user=worker, pension="folkepension", benefits=["kontanthjaelp"])
            outcomes.append(admit(person, acting_user=worker))
    return outcomes


def _assert_keys_right(now=None):
    now = now or timezone.now()
    for notice in Notification.objects.all():
        assert notice.list_key == notification_list_key(notice, now), (notice.kind, notice.status)


def _kbh_notice(outcome, kind):
    return next(n for n in outcome.notifications if n.kind == kind and n.recipient_organisation.code == "101")


# --- the key stays right -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "step",
    ["created", "read", "acknowledge", "acknowledge_request", "answer", "withdraw", "sweep", "released", "dormant"],
)
def test_the_stored_key_follows_every_step(worker, kbh, step):
    with frozen(START):
        outcome = admit(
            make_person(acting_user=worker, pension="folkepension", benefits=["kontanthjaelp"]), acting_user=worker
        )
    request = _kbh_notice(outcome, NotificationKind.BENEFITS_DECISION_REQUEST)  # needs an answer
    plain = _kbh_notice(outcome, NotificationKind.PENSION_NOTICE)
    later = START + timedelta(days=1)
    with frozen(later):
        if step == "read":
            ns.notification_mark_read(plain, acting_user=kbh)
        elif step == "acknowledge":
            ns.notification_acknowledge(plain, acting_user=kbh)
        elif step == "acknowledge_request":
            ns.notification_acknowledge(request, acting_user=kbh)
        elif step == "answer":
            ns.notification_answer(
                request,
                decisions={"kontanthjaelp": {"code": "stopped", "text": "", "effective_date": later.date()}},
                acting_user=kbh,
            )
        elif step == "withdraw":
            ns.notification_withdraw(plain, reason="Sendt ved en fejl.", acting_user=worker)
        elif step in ("released", "dormant"):
            cs.episode_release(outcome.episode, released_at=later, release_kind=ReleaseKind.OTHER, acting_user=worker)
    if step == "sweep":
        with frozen(START + timedelta(days=60)):
            assert ns.deadline_sweep().overdue > 0
            assert Notification.objects.filter(status=NotificationStatus.OVERDUE).exists()
            _assert_keys_right()
    if step == "dormant":
        past = later + dormant_after() + timedelta(days=1)
        with frozen(past):
            assert ns.deadline_sweep().dormant == Notification.objects.filter(thread_id=outcome.episode.pk).count()
            assert not Notification.objects.filter(list_key__lt=DORMANT_BASE).exists()
            _assert_keys_right()
            assert ns.notifications_move_dormant() == 0  # idempotent
    if step != "dormant":
        with frozen(later):
            _assert_keys_right()
    settled = Notification.objects.filter(list_key__gte=SETTLED_BASE, list_key__lt=DORMANT_BASE)
    for notice in settled:
        assert is_settled(
            needs_answer=notice.needs_answer,
            acknowledged_at=notice.acknowledged_at,
            answered_at=notice.answered_at,
            withdrawn_at=notice.withdrawn_at,
        )


def test_the_migrations_sql_says_what_the_python_rule_says(worker, kbh):
    outcomes = _admit_many(worker, 4)
    with frozen(START + timedelta(days=2)):
        ns.notification_acknowledge(_kbh_notice(outcomes[0], NotificationKind.PENSION_NOTICE), acting_user=kbh)
        ns.notification_acknowledge(
            _kbh_notice(outcomes[1], NotificationKind.BENEFITS_DECISION_REQUEST), acting_user=kbh
        )
        ns.notification_withdraw(
            _kbh_notice(outcomes[2], NotificationKind.PENSION_NOTICE), reason="Fejl.", acting_user=worker
        )
        cs.episode_release(
            outcomes[3].episode, released_at=timezone.now(), release_kind=ReleaseKind.OTHER, acting_user=worker
        )
    Notification.objects.filter(pk=outcomes[0].notifications[0].pk).update(due_date=None)  # the no-due-date rule
    Notification.objects.filter(thread_id=outcomes[3].episode.pk).update(
        thread_ended_at=timezone.now() - dormant_after() - timedelta(days=1)
    )
    Notification.objects.update(list_key=0)
    migration = importlib.import_module("samarbejde.notifications.migrations.0007_list_key")

    class Editor:  # what fill() uses of a schema editor, inside the test's transaction
        def __init__(self):
            self.connection = connection

        def execute(self, sql, params=()):
            with connection.cursor() as cursor:
                cursor.execute(sql, params)

    migration.fill(django_apps, Editor())
    now = timezone.now()
    notices = list(Notification.objects.all())
    assert {n.list_key >= DORMANT_BASE for n in notices} == {True, False}
    for notice in notices:
        assert notice.list_key == notification_list_key(notice, now), (notice.kind, notice.due_date)


# --- the same rows and numbers as the computed rules ---------------------------------------------------------


def test_key_filters_and_counts_equal_the_computed_ones(worker, kbh):
    outcomes = _admit_many(worker, 6, step=timedelta(days=3))
    with frozen(START + timedelta(days=10)):
        ns.notification_acknowledge(_kbh_notice(outcomes[0], NotificationKind.PENSION_NOTICE), acting_user=kbh)
        ns.notification_acknowledge(
            _kbh_notice(outcomes[1], NotificationKind.BENEFITS_DECISION_REQUEST), acting_user=kbh
        )
        ns.notification_mark_read(_kbh_notice(outcomes[2], NotificationKind.PENSION_NOTICE), acting_user=kbh)
        ns.notification_answer(
            _kbh_notice(outcomes[3], NotificationKind.BENEFITS_DECISION_REQUEST),
            decisions={"kontanthjaelp": {"code": "stopped", "text": "", "effective_date": timezone.localdate()}},
            acting_user=kbh,
        )
    for days in (0, 12, 16, 25, 60):
        moment = START + timedelta(days=days)
        with frozen(moment):
            today = timezone.localdate()
            visible = notifications_visible_to(kbh)
            old = visible.aggregate(
                open=Count("pk", filter=unsettled_q()),
                overdue=Count("pk", filter=overdue_q(today)),
                new=Count("pk", filter=Q(read_at__isnull=True, withdrawn_at__isnull=True)),
            )
            counts = selectors.notification_counts(kbh)
            assert {k: counts[k] for k in old} == old and counts["capped"] == set()
            for status in [*NotificationStatus.values, ""]:
                rows = list(selectors.notifications_inbox(kbh, status=status))
                expected = [n for n in visible if not status or notification_status_on(n, today) == status]
                assert {n.pk for n in rows} == {n.pk for n in expected}, (days, status)
                assert all(n.is_overdue == (notification_status_on(n, today) == "overdue") for n in rows)
            krfo_old = notifications_visible_to(worker).filter(sender_organisation__code="krfo-koebenhavns-faengsler")
            krfo = selectors.krfo_notice_counts(worker)
            assert krfo["open"] == krfo_old.filter(unsettled_q()).count()
            assert krfo["overdue"] == krfo_old.filter(overdue_q(today)).count()


def test_counts_stop_at_the_cap(worker, kbh, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_CAP", 3)
    _admit_many(worker, 3)
    counts = selectors.notification_counts(kbh)
    assert counts["open"] == 3 and "open" in counts["capped"]


# --- keyset pages: in order, both ways --------------------------------------------------------------------


def _inbox_order(user, today):
    """The inbox order as the rule says it: open by due date (oldest first within a day), then settled
    newest first; ties by id."""
    rows = list(notifications_visible_to(user))

    def key(n):
        settled = is_settled(
            needs_answer=n.needs_answer,
            acknowledged_at=n.acknowledged_at,
            answered_at=n.answered_at,
            withdrawn_at=n.withdrawn_at,
        )
        seconds = int(n.created_at.timestamp())
        return (1, -seconds, n.pk) if settled else (0, n.due_date, seconds, n.pk)

    return [n.pk for n in sorted(rows, key=key)]


def _walk(client, url, *, context_rows):
    """Every page forward by `efter`, then back by `foer`: the rows of each page, and queries per page."""
    forward, queries = [], []
    response = client.get(url)
    pages = [response]
    while True:
        page = response.context["page"]
        forward.append([n.pk for n in context_rows(response)])
        if not page.has_next:
            break
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, {"efter": page.next_cursor})
        queries.append(len(captured))
        pages.append(response)
    backward = []
    while True:
        page = response.context["page"]
        backward.insert(0, [n.pk for n in context_rows(response)])
        if not page.has_previous:
            break
        response = client.get(url, {"foer": page.previous_cursor})
    return forward, backward, queries


def test_inbox_pages_walk_the_order_both_ways(client, worker, kbh, monkeypatch):
    from samarbejde.notifications import views

    monkeypatch.setattr(views, "PAGE_SIZE", 4)
    outcomes = _admit_many(worker, 7, step=timedelta(days=2))
    with frozen(START + timedelta(days=15)):
        for outcome in outcomes[:3]:
            ns.notification_acknowledge(_kbh_notice(outcome, NotificationKind.PENSION_NOTICE), acting_user=kbh)
    with frozen(START + timedelta(days=18)):  # some are overdue now
        client.force_login(kbh)
        expected = _inbox_order(kbh, timezone.localdate())
        assert len(expected) > 12
        forward, backward, queries = _walk(client, INBOX, context_rows=lambda r: r.context["notices"])
        assert [pk for page in forward for pk in page] == expected
        assert backward == forward
        assert len(set(queries)) == 1  # the same queries on every page
        first = client.get(INBOX)
        assert first.context["notices"][0].current_status == NotificationStatus.OVERDUE
        html = first.content.decode()
        assert "Næste side" in html and "Mere end 4 underretninger" in html
        # A filter pages too, and a cursor of one filter is only a place in the order for another.
        overdue = client.get(INBOX, {"status": "overdue"})
        assert overdue.context["notices"] and all(n.current_status == "overdue" for n in overdue.context["notices"])
        assert client.get(INBOX, {"efter": "forfalsket"}).status_code == 200


def test_unsettled_list_pages_in_order(client, worker, kbh, monkeypatch):
    from samarbejde.custody import views

    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    outcomes = _admit_many(worker, 4, step=timedelta(days=2))
    with frozen(START + timedelta(days=9)):
        ns.notification_acknowledge(_kbh_notice(outcomes[0], NotificationKind.PENSION_NOTICE), acting_user=kbh)
        client.force_login(worker)
        today = timezone.localdate()
        expected = [
            n.pk
            for n in sorted(
                notifications_visible_to(worker).filter(unsettled_q()),
                key=lambda n: (n.due_date, n.created_at.replace(microsecond=0), n.pk),
            )
        ]
        forward, backward, _ = _walk(client, UNSETTLED, context_rows=lambda r: list(r.context["page"]))
        assert [pk for page in forward for pk in page] == expected
        assert backward == forward
        first = list(client.get(UNSETTLED).context["page"])
        assert first[0].is_overdue == (first[0].due_date < today)
