"""The send path near the wire (ADR 0012): a batch is claimed, loaded and recorded in a number of queries
that does not grow with its size; connections to a receiver are kept alive and a stale one is replaced; the
body is signed as the exact bytes sent; outcomes are written after the attempts, in batches."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from standardwebhooks.webhooks import Webhook

from samarbejde.custody.tests.factories import next_cpr
from samarbejde.delivery import services
from samarbejde.delivery.channels import webhook
from samarbejde.delivery.models import Delivery, DeliveryChannel, DeliveryStatus

from .receiver import OK, OK_THEN_CLOSE, Receiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def keep_alive_receiver():
    started = Receiver(keep_alive=True).start()
    yield started
    started.stop()


@pytest.fixture(autouse=True)
def fresh_pool():
    webhook.POOL.clear()
    yield
    webhook.POOL.clear()


def webhooks_for(admitted, persons: int) -> list[Delivery]:
    notices = []
    for i in range(persons):
        notices += admitted(cpr=next_cpr()).notifications
    Delivery.objects.filter(notification__in=notices).exclude(channel=DeliveryChannel.WEBHOOK).update(
        status=DeliveryStatus.SENT
    )
    return list(Delivery.objects.filter(notification__in=notices, channel=DeliveryChannel.WEBHOOK))


def process_counting_queries(**kwargs) -> tuple[dict, int]:
    with CaptureQueriesContext(connection) as captured:
        counts = services.deliveries_process(**kwargs)
    return counts, len(captured.captured_queries)


# Claim (transaction, locking SELECT of ids, UPDATE), load (deliveries with their subscriptions, then their
# notices with recipient and unit; follow-ups only when there are any) and record (transaction, one UPDATE for
# the sent ones): the same for 1 delivery and for 100.
SEND_PATH_QUERIES = 9


@pytest.fixture
def one_flush(settings):
    """The outcomes of a batch in one write, however slow this machine is today."""
    settings.DELIVERY_FLUSH_SECONDS = 600


@pytest.mark.usefixtures("one_flush")
def test_the_send_path_costs_the_same_queries_for_any_batch_size(admitted, subscribe, keep_alive_receiver):
    subscribe(keep_alive_receiver.url, "101", "udbetaling-danmark")
    small = webhooks_for(admitted, 1)
    counts, small_queries = process_counting_queries()
    assert counts == {DeliveryStatus.SENT: len(small)}
    large = webhooks_for(admitted, 6)
    counts, large_queries = process_counting_queries()
    assert counts == {DeliveryStatus.SENT: len(large)} and len(large) == 6 * len(small) > len(small)
    assert small_queries == large_queries == SEND_PATH_QUERIES
    assert set(Delivery.objects.filter(channel=DeliveryChannel.WEBHOOK).values_list("status", "attempts")) == {
        (DeliveryStatus.SENT, 1)
    }


@pytest.mark.usefixtures("one_flush")
def test_follow_ups_add_one_query_per_batch_not_per_delivery(admitted, subscribe, receiver):
    from samarbejde.notifications.services import notification_withdraw

    subscribe(receiver.url, "101")
    notices = []
    for _ in range(3):
        notices += admitted(cpr=next_cpr()).notifications
    services.deliveries_process(limit=500)
    from samarbejde.custody.tests.factories import krfo_case_worker

    worker = krfo_case_worker()
    for notice in notices:
        notification_withdraw(notice, reason="Sendt ved en fejl.", acting_user=worker)
    counts, queries = process_counting_queries(limit=500)
    assert counts and set(counts) == {DeliveryStatus.SENT}
    assert queries == SEND_PATH_QUERIES + 1  # the follow-ups with their addressees, in one query


def test_one_kept_alive_connection_carries_a_whole_batch(admitted, subscribe, keep_alive_receiver):
    subscribe(keep_alive_receiver.url, "101", "udbetaling-danmark")
    rows = webhooks_for(admitted, 3)
    assert services.deliveries_process() == {DeliveryStatus.SENT: len(rows)}
    assert len(keep_alive_receiver.requests) == len(rows) > 1
    assert keep_alive_receiver.connections() == 1
    assert webhook.POOL.opened == 1
    # The next batch reuses it too.
    more = webhooks_for(admitted, 1)
    assert services.deliveries_process() == {DeliveryStatus.SENT: len(more)}
    assert keep_alive_receiver.connections() == 1


def test_a_receiver_that_closes_each_connection_gets_a_new_one_each_time(admitted, subscribe, receiver):
    subscribe(receiver.url, "101")  # HTTP/1.0: the receiver closes after every answer
    rows = webhooks_for(admitted, 2)
    assert services.deliveries_process() == {DeliveryStatus.SENT: len(rows)}
    assert receiver.connections() == len(rows)


def test_a_connection_the_receiver_closed_is_replaced_and_the_event_sent(admitted, subscribe, keep_alive_receiver):
    keep_alive_receiver.behaviour = lambda request, attempt: (
        OK_THEN_CLOSE if len(keep_alive_receiver.requests) == 0 else OK
    )
    subscribe(keep_alive_receiver.url, "101")
    rows = webhooks_for(admitted, 2)
    assert services.deliveries_process() == {DeliveryStatus.SENT: len(rows)}
    assert keep_alive_receiver.accepted_ids() == {d.idempotency_key for d in rows}
    assert len(keep_alive_receiver.requests) == len(rows), "the stale connection failed before the receiver read"
    assert keep_alive_receiver.connections() == 2


def test_after_a_stale_connection_the_retry_takes_a_new_one_not_another_idle_one(keep_alive_receiver):
    pool = webhook.ConnectionPool()
    body, headers = b"{}", {"Content-Type": "application/json", "webhook-id": "x"}
    keep_alive_receiver.behaviour = lambda request, attempt: OK_THEN_CLOSE
    # Two idle connections, both closed by the receiver after their answer.
    first, _ = pool.get("http", "127.0.0.1", keep_alive_receiver.server.server_address[1], 5)
    second, _ = pool.get("http", "127.0.0.1", keep_alive_receiver.server.server_address[1], 5)
    for kept in (first, second):
        kept.request("POST", "/", body=body, headers=headers)
        kept.getresponse().read()
        pool.put("http", "127.0.0.1", keep_alive_receiver.server.server_address[1], kept)
    time.sleep(0.1)
    keep_alive_receiver.behaviour = None
    assert webhook.post(keep_alive_receiver.url, body, headers, pool=pool).ok
    assert pool.opened == 3


def test_idle_connections_expire(keep_alive_receiver):
    pool = webhook.ConnectionPool(idle_seconds=0.05)
    body, headers = b"{}", {"Content-Type": "application/json", "webhook-id": "x"}
    assert webhook.post(keep_alive_receiver.url, body, headers, pool=pool).ok
    assert webhook.post(keep_alive_receiver.url, body, headers, pool=pool).ok
    assert pool.opened == 1
    time.sleep(0.1)
    assert webhook.post(keep_alive_receiver.url, body, headers, pool=pool).ok
    assert pool.opened == 2


def test_the_signature_is_over_the_exact_bytes_sent(admitted, subscribe, keep_alive_receiver):
    ((_, secret),) = subscribe(keep_alive_receiver.url, "101")
    keep_alive_receiver.secret = secret
    body = "Æblegrød og ø".encode()  # not ASCII: a decode/re-encode would be visible here
    now = webhook.timezone.now()
    header = webhook.signature_header([secret], "id-1", now, body)
    assert header == Webhook(secret).sign("id-1", now, body.decode())
    rows = webhooks_for(admitted, 1)
    assert services.deliveries_process() == {DeliveryStatus.SENT: len(rows)}
    assert all(r.verified for r in keep_alive_receiver.requests)


def test_outcomes_are_written_after_the_attempts_in_one_statement(
    admitted, subscribe, keep_alive_receiver, settings, monkeypatch
):
    """Nothing is recorded before its POST: every event reaches the receiver before the batch's outcomes are
    written, together (DELIVERY_FLUSH_SECONDS apart at most), in one UPDATE for the sent ones."""
    settings.DELIVERY_FLUSH_SECONDS = 600
    order = []
    keep_alive_receiver.behaviour = lambda request, attempt: order.append("POST") or OK
    real_record = services._record_outcomes

    def record(outcomes):
        order.append(f"record {len(outcomes)}")
        return real_record(outcomes)

    monkeypatch.setattr(services, "_record_outcomes", record)
    subscribe(keep_alive_receiver.url, "101", "udbetaling-danmark")
    rows = webhooks_for(admitted, 2)
    with CaptureQueriesContext(connection) as captured:
        assert services.deliveries_process() == {DeliveryStatus.SENT: len(rows)}
    assert order == ["POST"] * len(rows) + [f"record {len(rows)}"]
    updates = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 2, updates  # the claim, and all the outcomes


def test_with_flush_zero_each_outcome_is_written_at_once(admitted, subscribe, receiver, settings, monkeypatch):
    settings.DELIVERY_FLUSH_SECONDS = 0
    subscribe(receiver.url, "101", "udbetaling-danmark")
    rows = webhooks_for(admitted, 1)
    with CaptureQueriesContext(connection) as captured:
        assert services.deliveries_process() == {DeliveryStatus.SENT: len(rows)}
    updates = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1 + len(rows)


def test_a_batch_running_past_half_the_lease_gives_the_rest_back(admitted, subscribe, receiver, settings, monkeypatch):
    subscribe(receiver.url, "101", "udbetaling-danmark")
    rows = webhooks_for(admitted, 2)
    settings.DELIVERY_STUCK_MINUTES = 0.001  # 60 ms lease: the first attempt already takes longer than half
    real_send = services._send

    def slow_send(delivery):
        time.sleep(0.05)
        return real_send(delivery)

    monkeypatch.setattr(services, "_send", slow_send)
    counts = services.deliveries_process()
    assert counts == {DeliveryStatus.SENT: 1}
    statuses = sorted(Delivery.objects.filter(pk__in=[r.pk for r in rows]).values_list("status", "claimed_at"))
    assert statuses.count((DeliveryStatus.SENT, None)) == 1
    assert statuses.count((DeliveryStatus.PENDING, None)) == len(rows) - 1
