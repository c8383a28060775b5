"""The delivery dashboard's list pages by keyset (issue 10, ADR 0014): dead first, then failed, the most recently
changed first, across pages with no row twice or left out (also with a filter, and the sent list by time); a
tampered cursor gives the first page; the counts come from two index-served queries; the queries per page are
pinned and do not grow with the rows."""

import html
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from samarbejde.delivery import selectors
from samarbejde.delivery.models import Delivery
from samarbejde.organisations.roles import Role
from samarbejde.organisations.tests.factories import user_with_role

pytestmark = pytest.mark.django_db

URL = reverse("delivery:dashboard")
NOW = datetime(2026, 11, 27, 13, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))
PAGE = 3


@pytest.fixture
def admin_client(client):
    client.force_login(user_with_role(Role.ADMINISTRATOR))
    return client


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr("samarbejde.delivery.views.PAGE_SIZE", PAGE)


@pytest.fixture
def outbox(worker, mailbox):
    """Three admissions (fifteen deliveries): dead, failed and sent in turn, changed two to a minute (ties are
    broken by id), the sent ones sent when changed."""
    from samarbejde.custody.tests.factories import admit, make_person

    with time_machine.travel(NOW, tick=False):
        for _ in range(3):
            person = make_person(acting_user=worker, pension="folkepension", benefits=["kontanthjaelp"])
            admit(person, acting_user=worker)
    deliveries = list(Delivery.objects.order_by("idempotency_key"))
    assert len(deliveries) == 15
    for i, delivery in enumerate(deliveries):
        status = ("dead", "failed", "sent")[i % 3]
        changed = NOW - timedelta(minutes=i // 2)
        Delivery.objects.filter(pk=delivery.pk).update(
            status=status, updated_at=changed, sent_at=changed if status == "sent" else None, attempts=1
        )
    return deliveries


def link(response, label) -> str | None:
    found = re.search(rf'<a href="(\?[^"]*)">{label}</a>', response.content.decode())
    return html.unescape(found.group(1)) if found else None


def walk(client, params):
    with time_machine.travel(NOW, tick=False):
        response = client.get(URL, params)
        pages = [[r["delivery"].pk for r in response.context["rows"]]]
        while (following := link(response, "Næste side")) is not None:
            response = client.get(URL + following)
            pages.append([r["delivery"].pk for r in response.context["rows"]])
        back = list(pages[-1])
        while (previous := link(response, "Forrige side")) is not None:
            response = client.get(URL + previous)
            back = [r["delivery"].pk for r in response.context["rows"]] + back
    assert all(len(p) == PAGE for p in pages[:-1])
    return [pk for p in pages for pk in p], back, len(pages)


@pytest.mark.parametrize(
    ("params", "filters", "ordering"),
    [
        ({}, {"status__in": ["dead", "failed"]}, ["status", "-updated_at", "-id"]),
        ({"status": "failed"}, {"status": "failed"}, ["-updated_at", "-id"]),
        ({"kanal": "inbox"}, {"status__in": ["dead", "failed"], "channel": "inbox"}, ["status", "-updated_at", "-id"]),
        ({"status": "sent"}, {"status": "sent"}, ["-sent_at", "-id"]),
    ],
)
def test_the_list_walks_every_row_in_order(admin_client, outbox, small_pages, params, filters, ordering):
    forward, back, pages = walk(admin_client, params)
    wanted = list(Delivery.objects.filter(**filters).order_by(*ordering).values_list("pk", flat=True))
    assert forward == wanted and back == wanted
    assert pages > 1


def test_dead_come_before_failed(admin_client, outbox, small_pages):
    forward, _, _ = walk(admin_client, {})
    statuses = [Delivery.objects.get(pk=pk).status for pk in forward]
    assert statuses == sorted(statuses) and statuses[0] == "dead" and statuses[-1] == "failed"


@pytest.mark.parametrize("cursor", ["garbage", "W10:1abc:def", "x" * 300])
def test_a_tampered_cursor_gives_the_first_page(admin_client, outbox, small_pages, cursor):
    first = admin_client.get(URL)
    for name in ("efter", "foer"):
        response = admin_client.get(URL, {name: cursor})
        assert response.status_code == 200
        assert [r["delivery"].pk for r in response.context["rows"]] == [r["delivery"].pk for r in first.context["rows"]]


def test_the_list_count_comes_from_the_counts(admin_client, outbox):
    with time_machine.travel(NOW, tick=False):
        body = admin_client.get(URL).content.decode()
        assert 'Fejlede og opgivne leveringer <span class="count-badge">10</span>' in body
        body = admin_client.get(URL, {"status": "dead"}).content.decode()
        assert '<span class="count-badge">5</span>' in body
        body = admin_client.get(URL, {"status": "sent"}).content.decode()
        assert "count-badge" not in body  # only the last 24 hours are counted: no total for the sent list


def test_counts_split_open_and_sent(outbox):
    admin = user_with_role(Role.ADMINISTRATOR)
    counts = selectors.delivery_counts(admin, now=NOW)
    assert counts.totals.counts == {"pending": 0, "sending": 0, "failed": 5, "dead": 5, "sent_24h": 5}
    counts = selectors.delivery_counts(admin, now=NOW + timedelta(hours=24) - timedelta(minutes=3))
    assert counts.totals.counts["sent_24h"] == 2  # those sent in the last 3 minutes of the window
    assert selectors.delivery_counts(admin, status="sent", now=NOW).totals.counts["dead"] == 0
    assert selectors.delivery_counts(admin, status="cancelled", now=NOW).per_channel == []


# session, user, membership; organisations (filter); open counts; sent counts; list keys; list rows
DASHBOARD_QUERIES = 8
# one status: one part, so the list is one query; the other half of the counts is not asked for
ONE_STATUS_QUERIES = 6


@pytest.mark.parametrize(("params", "queries"), [({}, DASHBOARD_QUERIES), ({"status": "dead"}, ONE_STATUS_QUERIES)])
def test_queries_per_page_are_pinned_and_constant_in_rows(
    admin_client, outbox, small_pages, django_assert_num_queries, worker, params, queries
):
    from samarbejde.custody.tests.factories import admit, make_person

    def pages():
        with time_machine.travel(NOW, tick=False):
            with django_assert_num_queries(queries):
                first = admin_client.get(URL, params)
            with django_assert_num_queries(queries):
                admin_client.get(URL + link(first, "Næste side"))

    admin_client.get(URL)
    pages()
    person = make_person(acting_user=worker, pension="folkepension", benefits=["kontanthjaelp"])
    more = admit(person, acting_user=worker).notifications
    Delivery.objects.filter(notification__in=more).update(status="dead", attempts=8, updated_at=NOW)
    pages()
