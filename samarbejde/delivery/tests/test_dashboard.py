"""The administrators' delivery dashboard: who may open it (every role), the counts per channel and recipient,
the filters (bad values give a Danish message, never a 500), the list of failing and dead deliveries with links
to the admin, no personal data, pinned queries, and the start page's way in."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from samarbejde.delivery import selectors
from samarbejde.delivery.models import Delivery
from samarbejde.organisations.roles import Role
from samarbejde.organisations.tests.factories import UserFactory, user_with_role

pytestmark = pytest.mark.django_db

URL = reverse("delivery:dashboard")
NOW = datetime(2026, 11, 27, 13, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))
ALLOWED = {Role.ADMINISTRATOR}


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def admin_client(client):
    client.force_login(user_with_role(Role.ADMINISTRATOR))
    return client


@pytest.fixture
def outbox(admitted, mailbox):
    """Three notices (two to København, with e-mail; one to Udbetaling Danmark) with their deliveries in every
    state: København's inbox sent an hour ago and sending, its e-mail dead and failed; UDK's inbox pending."""
    with time_machine.travel(NOW, tick=False):
        outcome = admitted()
    deliveries = Delivery.objects.filter(notification__in=outcome.notifications).select_related(
        "notification__recipient_organisation"
    )
    kbh = sorted(
        (d for d in deliveries if d.notification.recipient_organisation.code == "101"), key=lambda d: d.idempotency_key
    )
    others = [d for d in deliveries if d.notification.recipient_organisation.code != "101"]
    assert len(kbh) == 4 and len(others) == 1
    kbh_inbox = [d for d in kbh if d.channel == "inbox"]
    kbh_email = [d for d in kbh if d.channel == "email"]
    update = Delivery.objects.filter
    update(pk=kbh_inbox[0].pk).update(status="sent", attempts=1, sent_at=NOW - timedelta(hours=1))
    update(pk=kbh_inbox[1].pk).update(status="sending", attempts=1, claimed_at=NOW)
    update(pk=kbh_email[0].pk).update(status="dead", attempts=8, last_error="SMTPRecipientsRefused (550)")
    update(pk=kbh_email[1].pk).update(
        status="failed", attempts=2, last_error="ConnectionRefusedError (111)", next_attempt_at=NOW + timedelta(hours=1)
    )
    update(pk=others[0].pk).update(status="pending", next_attempt_at=NOW)
    return outcome


# --- access: every role -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_only_administrators_see_the_dashboard(client, role):
    client.force_login(user_with_role(role))
    response = client.get(URL)
    assert response.status_code == (200 if role in ALLOWED else 403)


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_user_without_membership_is_refused(client):
    client.force_login(UserFactory(username="uden.tilknytning", is_staff=True))
    assert client.get(URL).status_code == 403


def test_only_get(admin_client):
    assert admin_client.post(URL).status_code == 405


# --- what it shows ----------------------------------------------------------------------------------------


def counts_row(body: str, table: str, label: str) -> list[int]:
    table_html = re.search(rf'<table class="table table--compact" id="{table}">(.*?)</table>', body).group(1)
    cells = re.search(rf'<th scope="row">{re.escape(label)}</th>((?:\s*<td>.*?</td>)+)', table_html).group(1)
    return [int(v) for v in re.findall(r"<td>(?:<strong>)?(\d+)", cells)]


def test_counts_per_channel_and_recipient(admin_client, outbox):
    with time_machine.travel(NOW, tick=False):
        body = text_of(admin_client.get(URL))
    # pending, sending, failed, dead, sent in the last 24 hours
    assert counts_row(body, "per-channel", "Indbakke") == [1, 1, 0, 0, 1]
    assert counts_row(body, "per-channel", "E-mail") == [0, 0, 1, 1, 0]
    assert counts_row(body, "per-channel", "I alt") == [1, 1, 1, 1, 1]
    assert counts_row(body, "per-organisation", "Københavns Kommune") == [0, 1, 1, 1, 1]
    assert counts_row(body, "per-organisation", "Udbetaling Danmark") == [1, 0, 0, 0, 0]
    assert body.index("Københavns Kommune") < body.index("Udbetaling Danmark")  # most dead first
    # A table a screen reader reads well: a caption and headers with scope.
    assert "<caption>Antal leveringer pr. kanal og status (sendte: seneste 24 timer)</caption>" in body
    assert '<th scope="col">Opgivet</th>' in body


def test_sent_counts_only_the_last_24_hours(admin_client, outbox):
    Delivery.objects.filter(status="sent").update(sent_at=NOW - timedelta(hours=24, seconds=1))
    with time_machine.travel(NOW, tick=False):
        body = text_of(admin_client.get(URL))
    assert counts_row(body, "per-channel", "Indbakke") == [1, 1, 0, 0, 0]
    with time_machine.travel(NOW - timedelta(seconds=2), tick=False):
        body = text_of(admin_client.get(URL))
    assert counts_row(body, "per-channel", "Indbakke") == [1, 1, 0, 0, 1]


def test_the_list_has_failing_and_dead_first_with_links_to_the_admin(admin_client, outbox):
    with time_machine.travel(NOW, tick=False):
        response = admin_client.get(URL)
    rows = response.context["rows"]
    assert [r["row"].status for r in rows] == ["dead", "failed"]
    body = text_of(response)
    dead = rows[0]["delivery"]
    assert f'href="/admin/delivery/delivery/{dead.pk}/change/"' in body
    assert 'href="/admin/delivery/delivery/?status__exact=dead"' in body
    assert "<code>SMTPRecipientsRefused (550)</code>" in body  # administrators see the error class
    assert f"<code>{dead.notification_id}</code>" in body
    assert "Anmodning om afgørelse om ydelser" in body or "Meddelelse" in body


def test_no_personal_data(admin_client, outbox):
    from samarbejde.delivery.tests.conftest import CPR, NAME

    body = text_of(admin_client.get(URL))
    for secret in (*NAME, CPR, CPR[:6], "Testvej"):
        assert secret not in body


@pytest.mark.parametrize(
    ("query", "channels", "listed"),
    [
        ({"kanal": "email"}, ["E-mail"], ["dead", "failed"]),
        ({"kanal": "inbox"}, ["Indbakke"], []),
        ({"status": "dead"}, ["E-mail"], ["dead"]),
        ({"status": "pending"}, ["Indbakke"], ["pending"]),
        ({"organisation": "101", "kanal": "inbox"}, ["Indbakke"], []),
        ({"organisation": "udbetaling-danmark"}, ["Indbakke"], []),
    ],
)
def test_filters(admin_client, outbox, query, channels, listed):
    with time_machine.travel(NOW, tick=False):
        response = admin_client.get(URL, query)
    assert response.status_code == 200
    assert [row.label for row in response.context["counts"].per_channel] == channels
    assert [r["row"].status for r in response.context["rows"]] == listed


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"kanal": "brevdue"}, "Vælg en kanal fra listen."),
        ({"status": "<script>"}, "Vælg en status fra listen."),
        ({"organisation": "999"}, "Vælg en modtager fra listen."),
    ],
)
def test_a_bad_filter_gives_a_danish_message_and_is_ignored(admin_client, outbox, query, message):
    response = admin_client.get(URL, query)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert len(response.context["rows"]) == 2  # the unfiltered list


def test_empty_outbox(admin_client):
    body = text_of(admin_client.get(URL))
    assert "Ingen leveringer fejler eller er opgivet." in body
    assert "Ingen leveringer." in body


# session, user, membership; organisations (filter); counts per channel; counts per recipient; list count; list page
DASHBOARD_QUERIES = 8


def test_query_count_is_pinned_and_constant_in_rows(admin_client, outbox, worker, django_assert_num_queries):
    from samarbejde.custody.tests.factories import admit, make_person

    admin_client.get(URL)
    with django_assert_num_queries(DASHBOARD_QUERIES):
        admin_client.get(URL)
    person = make_person(acting_user=worker, pension="folkepension", benefits=["kontanthjaelp"])
    more = admit(person, acting_user=worker).notifications  # three notices, five deliveries more
    Delivery.objects.filter(notification__in=more).update(status="dead", attempts=8)
    with django_assert_num_queries(DASHBOARD_QUERIES):
        assert len(admin_client.get(URL).context["rows"]) == 2 + 5


def test_selectors_see_nothing_for_others(outbox):
    krfo = user_with_role(Role.KRFO_CASE_WORKER)
    assert selectors.problem_counts(user_with_role(Role.ADMINISTRATOR)) == {"pending": 2, "failed": 1, "dead": 1}
    assert selectors.delivery_counts(user_with_role(Role.POLICE_OFFICER)).per_channel == []
    assert selectors.problem_deliveries(user_with_role(Role.POLICE_OFFICER)).count() == 0
    # KRFO may see its notices' deliveries (the notice pages), but the dashboard is not theirs (403 above).
    assert selectors.problem_deliveries(krfo).count() == 2


# --- the way in: the administrators' start page ----------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_start_page_links_administrators_to_the_dashboard(client, role, outbox):
    client.force_login(user_with_role(role))
    body = text_of(client.get(reverse("core:start")))
    assert (f'href="{URL}"' in body) == (role in ALLOWED)
    if role in ALLOWED:
        assert "Levering af underretninger" in body
        assert "1 opgivne, 1 fejlede og 2 ventende leveringer." in body
