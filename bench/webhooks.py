"""Outbox throughput to a webhook sink, and the time to accept one custody event: `make bench-webhooks`.

Needs PostgreSQL (several worker processes claim rows with SKIP LOCKED). Uses a throw-away database,
`samarbejde_bench` on 127.0.0.1:5432 unless BENCH_DATABASE_URL says otherwise, and prints:

- the median (and p90) time to accept one admission through POST /api/v1/custody-events/ with a KRFO key:
  validation, person, episode, event, notices, audit and outbox rows in one transaction;
- webhook deliveries per second through the real outbox with 1 and 2 worker processes (claim, build the
  CloudEvent, sign, POST to the sink, record the outcome), each process looping `deliveries_process`
  as the worker's send task and sweeper do;
- a bare loop that POSTs the same signed payloads to the same sink, one connection per POST as the channel
  does, and the outbox/bare ratio: what durability (claim and record round trips) costs per delivery.

The sink is scripts/webhook_receiver.py (verifies nothing, answers 204). BENCH_EVENTS (default 400) sets
the number of admissions; each makes one webhook delivery per notice to a municipality.
"""

import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/samarbejde_bench")
os.environ["DATABASE_URL"] = DB_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ["DEBUG"] = "false"
os.environ["MAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
os.environ["API_RATE_LIMIT"] = "1000000/min"
os.environ["LOG_LEVEL"] = "ERROR"
EVENTS = int(os.environ.get("BENCH_EVENTS", "400"))


def recreate_database() -> None:
    import psycopg

    name = DB_URL.rsplit("/", 1)[1]
    admin_url = DB_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def drain() -> None:
    """Worker mode: set up Django, wait for "go" on stdin, then send until nothing is due."""
    import django

    django.setup()
    from samarbejde.delivery.services import deliveries_process

    deliveries_process(ids=[], limit=1)  # open the connection before the clock starts
    sys.stdin.readline()
    idle = 0
    while idle < 2:
        counts = deliveries_process(limit=50)
        idle = 0 if counts else idle + 1


def main() -> None:
    if not DB_URL.startswith("postgres"):
        sys.exit("bench/webhooks.py needs PostgreSQL (BENCH_DATABASE_URL).")
    recreate_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from samarbejde.api.services import api_key_create
    from samarbejde.delivery.channels import webhook
    from samarbejde.delivery.models import Delivery, DeliveryChannel, DeliveryStatus
    from samarbejde.delivery.services import webhook_subscription_create
    from samarbejde.organisations.models import Organisation
    from samarbejde.organisations.roles import OrgKind

    call_command("migrate", verbosity=0)
    call_command("load_reference_data", verbosity=0)

    port = free_port()
    sink = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "webhook_receiver.py"), "--quiet", "--port", str(port)]
    )
    try:
        for _ in range(50):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        municipalities = list(Organisation.objects.filter(kind=OrgKind.MUNICIPALITY).order_by("code"))
        for municipality in municipalities:
            webhook_subscription_create(municipality, f"http://127.0.0.1:{port}/hook", "bench", acting_user=None)
        prison = Organisation.objects.filter(kind=OrgKind.KRFO_INSTITUTION).order_by("code").first()
        _, key = api_key_create(prison, scopes=["custody-events:write"], name="bench")

        client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {key}")
        accept_ms = []
        now = timezone.localtime()
        for i in range(EVENTS):
            municipality = municipalities[i % len(municipalities)]
            body = {
                "external_id": f"bench-{i:06d}",
                "type": "admission",
                "occurred_at": (now - timedelta(hours=1)).isoformat(),
                "institution": prison.code,
                "custody_type": "remand" if i % 2 else "sentence",
                "person": {
                    "cpr": f"0101{80 + i % 20:02d}{i % 10000:04d}",
                    "name": f"Bench Person {i}",
                    "address": "Testvej 1, 1000 København K",
                    "home_municipality": municipality.code,
                    "pension": "none",
                    "benefits": ["kontanthjaelp"],
                },
                "expected_release": {"date": "2027-06-01", "certainty": "estimated"},
            }
            start = time.perf_counter()
            response = client.post("/api/v1/custody-events/", json.dumps(body), content_type="application/json")
            accept_ms.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 201, (response.status_code, response.content[:500])

        webhooks = Delivery.objects.filter(channel=DeliveryChannel.WEBHOOK)
        total = webhooks.count()
        Delivery.objects.exclude(channel=DeliveryChannel.WEBHOOK).update(status=DeliveryStatus.SENT)
        connection.close()

        rates = {}
        for workers in (1, 2):
            webhooks.update(status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=timezone.now(), claimed_at=None)
            connection.close()
            procs = [
                subprocess.Popen([sys.executable, __file__, "--drain"], stdin=subprocess.PIPE, text=True)
                for _ in range(workers)
            ]
            time.sleep(4)  # Django set-up in each process, outside the measured time
            start = time.perf_counter()
            for proc in procs:
                proc.stdin.write("go\n")
                proc.stdin.flush()
            for proc in procs:
                proc.wait()
            elapsed = time.perf_counter() - start
            sent = webhooks.filter(status=DeliveryStatus.SENT).count()
            assert sent == total, f"{sent} of {total} sent with {workers} worker(s)"
            rates[workers] = total / elapsed
            connection.close()

        payloads = [
            (d.subscription.url, *webhook.signed_request(d.subscription, webhook.notification_event(d)))
            for d in webhooks.select_related("subscription__organisation", "notification__recipient_organisation")
        ]
        start = time.perf_counter()
        for url, body, headers in payloads:
            assert webhook.post(url, body, headers).ok
        bare = len(payloads) / (time.perf_counter() - start)
        sink_counts = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/"))
    finally:
        sink.terminate()
        sink.wait()

    p90 = statistics.quantiles(accept_ms, n=10)[-1]
    print(f"PostgreSQL, {os.cpu_count()} cores; {EVENTS} admissions, {total} webhook deliveries")
    print(
        f"accept one custody event (admission + notices): median {statistics.median(accept_ms):.1f} ms, p90 {p90:.1f} ms"
    )
    print(f"{'':32} {'deliveries/s':>12} {'vs bare loop':>12}")
    for workers, rate in rates.items():
        print(f"{'outbox, ' + str(workers) + ' worker(s)':32} {rate:12.0f} {rate / bare:12.2f}")
    print(f"{'bare loop (same payloads)':32} {bare:12.0f} {1:12.2f}")
    print(f"sink: {sink_counts}")


if __name__ == "__main__":
    drain() if "--drain" in sys.argv else main()
