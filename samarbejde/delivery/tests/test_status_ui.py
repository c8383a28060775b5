"""Delivery states as people see them: the notice page's "Levering" section and the episode timeline's summary.

The rows and the summary are pure functions of the deliveries (frozen time for the times they show); the pages
show them to whoever may see the notice, never the technical error, in a pinned number of queries.
"""

import re
from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from samarbejde.delivery import selectors
from samarbejde.delivery.models import Delivery, DeliveryStatus
from samarbejde.notifications.models import NotificationKind
from samarbejde.organisations.roles import Role
from samarbejde.organisations.tests.factories import user_with_role

CPH = ZoneInfo("Europe/Copenhagen")
NOW = datetime(2026, 11, 27, 13, 0, tzinfo=CPH)
ERROR = "SMTPRecipientsRefused (550)"


def unsaved(channel="email", status=DeliveryStatus.PENDING, **fields) -> Delivery:
    return Delivery(channel=channel, status=status, **fields)


# --- one delivery as a row (no database) ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "label", "badge", "when", "explanation"),
    [
        ({"status": "pending", "next_attempt_at": NOW}, "Afventer", "badge", "Sendes snarest", ""),
        (
            {"status": "pending", "next_attempt_at": NOW + timedelta(minutes=5)},
            "Afventer",
            "badge",
            "Sendes kl. 13.05",
            "",
        ),
        ({"status": "sending", "attempts": 1}, "Sendes", "badge-info", "Sendes nu", ""),
        (
            {"status": "sent", "attempts": 1, "sent_at": NOW - timedelta(days=1)},
            "Sendt",
            "badge-success",
            "Sendt 26. november kl. 13.00",
            "",
        ),
        (
            {"status": "failed", "attempts": 2, "next_attempt_at": NOW + timedelta(hours=1, minutes=5)},
            "Fejlet (prøves igen)",
            "badge-warning",
            "Næste forsøg kl. 14.05",
            "E-mailen til modtagerens funktionspostkasse kunne ikke afleveres. Der prøves automatisk igen kl. 14.05.",
        ),
        (
            {"status": "dead", "attempts": 8},
            "Opgivet",
            "badge-error",
            "Ingen flere forsøg",
            "E-mailen til modtagerens funktionspostkasse kunne ikke afleveres, og leveringen er opgivet efter 8 forsøg. "
            "En administrator kan sende den igen.",
        ),
    ],
)
def test_a_row_per_state_in_danish(fields, label, badge, when, explanation):
    row = selectors.delivery_row(unsaved(last_error=ERROR, **fields), NOW)
    assert (row.channel_label, row.status_label, row.badge, row.when) == ("E-mail", label, badge, when)
    assert row.explanation.startswith(explanation)
    if fields["status"] in ("failed", "dead"):
        assert row.explanation.endswith(selectors.STILL_IN_INBOX)
    assert row.last_error == ""  # never for case workers


def test_the_technical_error_only_for_administrators():
    delivery = unsaved(status="dead", attempts=8, last_error=ERROR)
    assert selectors.delivery_row(delivery, NOW, show_errors=True).last_error == ERROR
    assert ERROR not in str(selectors.delivery_row(delivery, NOW))


def test_a_failed_inbox_delivery_does_not_point_to_the_inbox():
    row = selectors.delivery_row(unsaved("inbox", "failed", attempts=1, next_attempt_at=NOW), NOW)
    assert row.channel_label == "Indbakke"
    assert row.explanation == (
        "Underretningen kunne ikke lægges i modtagerens indbakke. Der prøves automatisk igen snarest."
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (datetime(2026, 11, 27, 8, 5, tzinfo=CPH), "kl. 08.05"),
        (datetime(2026, 3, 2, 23, 59, tzinfo=CPH), "2. marts kl. 23.59"),
        (datetime(2025, 12, 31, 10, 0, tzinfo=CPH), "31. december 2025 kl. 10.00"),
        # Stored in UTC, shown in Danish time.
        (datetime(2026, 11, 27, 13, 5, tzinfo=ZoneInfo("UTC")), "kl. 14.05"),
    ],
)
def test_times_are_danish_and_local(value, text):
    assert selectors.moment(value, NOW) == text


@pytest.mark.parametrize(
    ("subscription", "target"),
    [
        (
            SimpleNamespace(description="Nexus", url="https://nexus.kk.example.dk/hooks/1"),
            "Nexus (nexus.kk.example.dk)",
        ),
        (SimpleNamespace(description="", url="https://kmd.example.dk/x"), "kmd.example.dk"),
        (SimpleNamespace(description="Sagssystem", url=""), "Sagssystem"),
    ],
)
def test_a_webhook_delivery_names_its_subscription(subscription, target):
    delivery = SimpleNamespace(subscription_id=1, subscription=subscription)
    assert selectors.target_of(delivery) == target
    assert selectors.short_target_of(delivery) == (subscription.description or target)
    assert selectors.target_of(SimpleNamespace(subscription_id=None)) == ""
    assert selectors.target_of(unsaved()) == ""  # also a model without the field


# --- the timeline's summary -------------------------------------------------------------------------------


def test_summary_lists_what_arrived_and_what_did_not():
    summary = selectors.delivery_summary(
        [
            unsaved("email", "failed", attempts=1, next_attempt_at=NOW + timedelta(hours=1, minutes=5)),
            unsaved("inbox", "sent", attempts=1, sent_at=NOW),
        ],
        NOW,
    )
    assert summary.text == "Leveret: indbakke · e-mail fejlet, prøves igen kl. 14.05"
    assert (summary.label, summary.badge) == ("Fejlet", "badge-warning")


@pytest.mark.parametrize(
    ("statuses", "label", "badge", "text"),
    [
        (["sent", "sent"], "Leveret", "badge-success", "Leveret: indbakke, e-mail"),
        (["sent", "pending"], "Undervejs", "badge-info", "Leveret: indbakke · e-mail afventer"),
        (["sending", "sent"], "Undervejs", "badge-info", "Leveret: e-mail · indbakke sendes"),
        (["sent", "dead"], "Opgivet", "badge-error", "Leveret: indbakke · e-mail opgivet efter 8 forsøg"),
        (
            ["failed", "dead"],
            "Opgivet",
            "badge-error",
            "indbakke fejlet, prøves igen snarest · e-mail opgivet efter 8 forsøg",
        ),
    ],
)
def test_summary_worst_state_wins(statuses, label, badge, text):
    deliveries = [
        unsaved(channel, status, attempts=8, next_attempt_at=NOW, sent_at=NOW)
        for channel, status in zip(["inbox", "email"], statuses, strict=True)
    ]
    summary = selectors.delivery_summary(deliveries, NOW)
    assert (summary.label, summary.badge, summary.text) == (label, badge, text)


def test_no_summary_without_deliveries():
    assert selectors.delivery_summary([], NOW) is None


# --- the pages --------------------------------------------------------------------------------------------


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def benefits_notice(outcome):
    return next(
        n
        for n in outcome.notifications
        if n.kind == NotificationKind.BENEFITS_DECISION_REQUEST and n.recipient_organisation.code == "101"
    )


def set_state(notice, channel, **fields):
    assert Delivery.objects.filter(notification=notice, channel=channel).update(**fields) == 1


@pytest.fixture
def states(db, admitted, mailbox):
    """The benefits notice to København: inbox sent, e-mail failed with its next attempt at 14.05 today."""
    with time_machine.travel(NOW, tick=False):
        outcome = admitted()
        notice = benefits_notice(outcome)
        set_state(notice, "inbox", status="sent", attempts=1, sent_at=NOW)
        set_state(
            notice, "email", status="failed", attempts=3, last_error=ERROR, next_attempt_at=NOW + timedelta(minutes=65)
        )
    return outcome, notice


@pytest.mark.parametrize("role", [Role.MUNICIPAL_CASE_WORKER, Role.KRFO_CASE_WORKER])
def test_notice_page_shows_each_delivery_to_recipient_and_sender(client, states, role):
    _outcome, notice = states
    client.force_login(user_with_role(role, "101" if role == Role.MUNICIPAL_CASE_WORKER else None))
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        body = text_of(client.get(notice.get_absolute_url()))
    assert '<h2 id="delivery-heading">Levering</h2>' in body
    assert '<th scope="row">Indbakke</th> <td><span class="badge badge-success">Sendt</span></td> <td>1</td>' in body
    assert "<td>Sendt kl. 13.00</td>" in body
    assert '<span class="badge badge-warning">Fejlet (prøves igen)</span></td> <td>3</td>' in body
    assert "<td>Næste forsøg kl. 14.05</td>" in body
    assert "Der prøves automatisk igen kl. 14.05." in body
    assert ERROR not in body and "SMTP" not in body


def test_notice_page_of_another_municipality_stays_hidden(client, states):
    _outcome, notice = states
    client.force_login(user_with_role(Role.MUNICIPAL_CASE_WORKER, "751"))
    assert client.get(notice.get_absolute_url()).status_code == 404


def test_a_notice_without_deliveries_says_so(client, states):
    _outcome, notice = states
    Delivery.objects.filter(notification=notice).delete()
    client.force_login(user_with_role(Role.MUNICIPAL_CASE_WORKER, "101"))
    assert "Der er ikke registreret nogen levering af underretningen." in text_of(client.get(notice.get_absolute_url()))


# session, user, membership; the notice, read audit (savepoint, insert, release), the notice again; answer,
# assignable members, history; the sender's contact person for the municipality; and one for all deliveries
# (with their subscriptions and follow-ups).
NOTICE_PAGE_QUERIES = 14


def test_notice_page_query_count_is_pinned_and_constant_in_deliveries(client, states, django_assert_num_queries):
    _outcome, notice = states
    client.force_login(user_with_role(Role.MUNICIPAL_CASE_WORKER, "101"))
    client.get(notice.get_absolute_url())  # warm-up: the first opening marks the notice read
    with django_assert_num_queries(NOTICE_PAGE_QUERIES):
        client.get(notice.get_absolute_url())
    Delivery.objects.filter(notification=notice, channel="email").delete()
    with django_assert_num_queries(NOTICE_PAGE_QUERIES):
        assert len(client.get(notice.get_absolute_url()).context["deliveries"]) == 1


def episode_url(outcome) -> str:
    return f"/klienter/forloeb/{outcome.episode.pk}/"


def test_episode_timeline_sums_up_each_notices_deliveries(client, states, worker):
    outcome, _notice = states
    client.force_login(worker)
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        body = text_of(client.get(episode_url(outcome)))
    assert '<th scope="col">Levering</th>' in body
    assert (
        '<span class="badge badge-warning">Fejlet</span><br><span class="muted">'
        "Leveret: indbakke · e-mail fejlet, prøves igen kl. 14.05</span>"
    ) in body
    # The other notices' deliveries are still waiting.
    assert '<span class="badge badge-info">Undervejs</span>' in body
    assert ERROR not in body


# The episode page's own queries (session, episode, events, notices, acknowledgers, status changes, audit,
# the institutions and the municipalities its forms offer) plus one for all deliveries of all its notices.
# 12, +1 the consents panel (consent app; +1 more for their scopes when there are any), +2 the handleplan box
# (the plan, its deadline follow-ups).
EPISODE_PAGE_QUERIES = 15


def test_episode_page_query_count_is_constant_in_notices_and_deliveries(client, states, worker):
    from samarbejde.custody import services as custody_services

    outcome, _notice = states
    client.force_login(worker)
    client.get(episode_url(outcome))
    with CaptureQueriesContext(connection) as few:
        client.get(episode_url(outcome))
    # More notices (a release-date change notifies again) and every delivery in another state.
    custody_services.episode_change_release_date(
        outcome.episode, expected_release=NOW.date() + timedelta(days=300), certainty="decided", acting_user=worker
    )
    Delivery.objects.filter(notification__thread_id=outcome.episode.pk, channel="inbox").update(
        status="dead", attempts=8
    )
    with CaptureQueriesContext(connection) as many:
        body = client.get(episode_url(outcome)).content.decode()
    assert body.count("opgivet efter 8 forsøg") > 2
    assert len(few) == len(many) == EPISODE_PAGE_QUERIES, (len(few), len(many))


@pytest.mark.skipif(not selectors.has_subscription_field(), reason="deliveries have no webhook subscription yet")
def test_a_webhook_delivery_shows_its_subscription_on_both_pages(client, states, worker, django_assert_num_queries):
    from django.apps import apps

    outcome, notice = states
    subscription = apps.get_model("delivery", "WebhookSubscription").objects.create(
        organisation=notice.recipient_organisation,
        url="https://nexus.kk.example.dk/hooks/samarbejde",
        description="Nexus",
        secret="whsec_test",
    )
    Delivery.objects.create(
        notification=notice,
        organisation=notice.recipient_organisation,
        channel="webhook",
        subscription=subscription,
        status="dead",
        attempts=8,
        last_error="HTTPError (500)",
        idempotency_key=Delivery.key_for(notice.pk, "webhook", subscription.pk),
    )
    client.force_login(user_with_role(Role.MUNICIPAL_CASE_WORKER, "101"))
    client.get(notice.get_absolute_url())
    with django_assert_num_queries(NOTICE_PAGE_QUERIES):
        body = text_of(client.get(notice.get_absolute_url()))
    assert '<th scope="row">Webhook: Nexus (nexus.kk.example.dk)</th>' in body
    assert "Modtagerens eget system tog ikke imod beskeden, og leveringen er opgivet efter 8 forsøg." in body
    assert "HTTPError" not in body
    client.force_login(worker)
    body = text_of(client.get(episode_url(outcome)))
    assert "e-mail fejlet, prøves igen" in body and "webhook (Nexus) opgivet efter 8 forsøg" in body
