"""Outbox throughput to a webhook sink, and the time to accept one custody event: `make bench-webhooks`.

Needs PostgreSQL (several worker processes claim rows with SKIP LOCKED). Uses a throw-away database on
127.0.0.1:5432, named by BENCH_DATABASE_NAME (default `samarbejde_bench`), or BENCH_DATABASE_URL whole, and
prints:

- the median (and p90) time and the number of SQL statements (CaptureQueriesContext, in process) to accept
  one admission through POST /api/v1/custody-events/ with a KRFO key: validation, person, episode, event,
  notices, audit and outbox rows in one transaction;
- webhook deliveries per second through the real outbox with 1 and 2 worker processes (claim a batch, build
  the CloudEvents, sign, POST to the sink on kept-alive connections, record the outcomes), each process
  looping `deliveries_process` as the worker's send task and sweeper do;
- a bare loop that POSTs the same signed payloads to the same sink, kept alive as the channel does (and, for
  comparison, with a new connection per POST), and the outbox/bare ratio: what durability (claim and record
  round trips) costs per delivery.

The sink is scripts/webhook_receiver.py (verifies nothing, answers 204, counts by webhook-id); its counters
are reset before each run, so its "duplicates" are redeliveries within that run. BENCH_EVENTS (default 400)
sets the number of admissions; each makes one webhook delivery per notice to a municipality.

`--scale-out` (make bench-webhooks SCALE_OUT=1): two gunicorn processes on two ports (two nodes) accept
BENCH_SCALE_EVENTS (200) admissions from four concurrent clients, then 1, 2 or 3 `manage.py db_worker
--queue-name '*'` processes deliver them (the send tasks queued after each commit); per worker count it prints
the events accepted per second and the webhooks delivered per second, and checks 0 lost and 0 duplicated at
the sink (by event id) and in the database (every row sent, once). It runs once against an instant sink and once
against one that answers after BENCH_SINK_DELAY_MS (default 20) ms, a receiver doing some work: with that,
more workers overlap their waiting, which a machine with few cores shows better than raw CPU throughput.
"""

import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_NAME = os.environ.get("BENCH_DATABASE_NAME") or "samarbejde_bench"
DB_URL = os.environ.get("BENCH_DATABASE_URL") or f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
os.environ["DATABASE_URL"] = DB_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ["DEBUG"] = "false"
os.environ["MAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
os.environ["API_RATE_LIMIT"] = "1000000/min"
os.environ["LOG_LEVEL"] = "ERROR"
EVENTS = int(os.environ.get("BENCH_EVENTS", "400"))
SCALE_EVENTS = int(os.environ.get("BENCH_SCALE_EVENTS", "200"))
SINK_DELAY_MS = float(os.environ.get("BENCH_SINK_DELAY_MS", "20"))
BATCH = int(os.environ.get("BENCH_BATCH", "100"))


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


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=1)  # noqa: S310 (a loopback http URL this script made)
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


class Sink:
    """scripts/webhook_receiver.py in its own process."""

    def __init__(self, delay_ms: float = 0.0):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        args = [sys.executable, str(ROOT / "scripts" / "webhook_receiver.py"), "--quiet", "--port", str(self.port)]
        self.proc = subprocess.Popen([*args, "--delay-ms", str(delay_ms)])
        wait_for(self.url)

    def counts(self) -> dict:
        return json.load(urllib.request.urlopen(self.url))  # noqa: S310 (the loopback sink)

    def reset(self) -> None:
        urllib.request.urlopen(urllib.request.Request(self.url, method="DELETE"))  # noqa: S310 (the loopback sink)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait()


def drain() -> None:
    """Worker mode: set up Django, wait for "go" on stdin, then send until nothing is due."""
    import django

    django.setup()
    from samarbejde.delivery.channels.webhook import notification_path
    from samarbejde.delivery.services import deliveries_process

    # Before the clock starts, what a long-running worker has done long ago: open the database connection and
    # import the URLconf (the events carry the notice's API address; the first reverse() imports every app's URLs).
    deliveries_process(ids=[], limit=1)
    notification_path("warm-up")
    sys.stdin.readline()
    idle = 0
    while idle < 2:
        counts = deliveries_process(limit=BATCH)
        idle = 0 if counts else idle + 1


def admission_body(i: int, prison, municipality, now) -> dict:
    return {
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


def set_up(sink_url: str):
    import django

    django.setup()
    from django.core.management import call_command

    from samarbejde.api.services import api_key_create
    from samarbejde.delivery.services import webhook_subscription_create
    from samarbejde.organisations.models import Organisation
    from samarbejde.organisations.roles import OrgKind

    call_command("migrate", verbosity=0)
    call_command("load_reference_data", verbosity=0)
    municipalities = list(Organisation.objects.filter(kind=OrgKind.MUNICIPALITY).order_by("code"))
    for municipality in municipalities:
        webhook_subscription_create(municipality, f"{sink_url}hook", "bench", acting_user=None)
    prison = Organisation.objects.filter(kind=OrgKind.KRFO_INSTITUTION).order_by("code").first()
    _, key = api_key_create(prison, scopes=["custody-events:write"], name="bench")
    return municipalities, prison, key


def main() -> None:
    if not DB_URL.startswith("postgres"):
        sys.exit("bench/webhooks.py needs PostgreSQL (BENCH_DATABASE_URL).")
    recreate_database()
    sink = Sink()
    try:
        municipalities, prison, key = set_up(sink.url)
        if "--scale-out" in sys.argv:
            return scale_out(municipalities, prison, key)
        outbox(sink, municipalities, prison, key)
    finally:
        sink.stop()


def outbox(sink: Sink, municipalities, prison, key) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from samarbejde.delivery.channels import webhook
    from samarbejde.delivery.models import Delivery, DeliveryChannel, DeliveryStatus

    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {key}")
    accept_ms, queries = [], []
    now = timezone.localtime()
    for i in range(EVENTS):
        body = json.dumps(admission_body(i, prison, municipalities[i % len(municipalities)], now))
        connection.queries_log.clear()  # a full log (9,000 entries) would make the count below 0
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.post("/api/v1/custody-events/", body, content_type="application/json")
            accept_ms.append((time.perf_counter() - start) * 1000)
        queries.append(len(captured.captured_queries))
        assert response.status_code == 201, (response.status_code, response.content[:500])

    webhooks = Delivery.objects.filter(channel=DeliveryChannel.WEBHOOK)
    total = webhooks.count()
    Delivery.objects.exclude(channel=DeliveryChannel.WEBHOOK).update(status=DeliveryStatus.SENT)
    connection.close()

    rates, sink_counts = {}, {}
    for workers in (1, 2):
        webhooks.update(status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=timezone.now(), claimed_at=None)
        connection.close()
        sink.reset()
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
        sent = webhooks.filter(status=DeliveryStatus.SENT, attempts=1).count()
        assert sent == total, f"{sent} of {total} sent once with {workers} worker(s)"
        rates[workers] = total / elapsed
        sink_counts[workers] = sink.counts()
        connection.close()

    payloads = [
        (d.subscription.url, *webhook.signed_request(d.subscription, webhook.notification_event(d)))
        for d in webhooks.select_related("subscription__organisation", "notification__recipient_organisation")
    ]
    bare = {}
    for label, pool in (("kept alive", webhook.ConnectionPool()), ("new connection per POST", None)):
        sink.reset()
        start = time.perf_counter()
        for url, body, headers in payloads:
            assert webhook.post(url, body, headers, pool=pool).ok
        bare[label] = len(payloads) / (time.perf_counter() - start)

    p90 = statistics.quantiles(accept_ms, n=10)[-1]
    load = os.getloadavg()[0]
    print(f"PostgreSQL, {os.cpu_count()} cores (load {load:.1f}); {EVENTS} admissions, {total} webhook deliveries")
    print(
        f"accept one custody event (admission + notices): median {statistics.median(accept_ms):.1f} ms, "
        f"p90 {p90:.1f} ms, {statistics.median(queries):.0f} SQL statements (median; min {min(queries)}, "
        f"max {max(queries)})"
    )
    reference = bare["kept alive"]
    print(f"{'':40} {'deliveries/s':>12} {'vs bare loop':>12}")
    for workers, rate in rates.items():
        print(
            f"{'outbox, ' + str(workers) + ' worker(s), batch ' + str(BATCH):40} {rate:12.0f} {rate / reference:12.2f}"
        )
    for label, rate in bare.items():
        print(f"{'bare loop, ' + label:40} {rate:12.0f} {rate / reference:12.2f}")
    for workers, counts in sink_counts.items():
        print(f"sink, {workers} worker(s): {counts}")


# -- Scale-out: two web nodes, 1-3 db_worker processes ---------------------------------------------------


def web_node(port: int, env: dict, log) -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )


def post_events(urls: list[str], key: str, bodies: list[str], clients: int = 4) -> None:
    """`clients` threads, each with a kept-alive connection to one node in turn, POST the bodies."""
    import http.client
    from urllib.parse import urlsplit

    errors, lock, queue = [], threading.Lock(), list(reversed(bodies))

    def run(n: int):
        parts = urlsplit(urls[n % len(urls)])
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json", "Host": "127.0.0.1"}
        while True:
            with lock:
                if not queue:
                    break
                body = queue.pop()
            conn.request("POST", "/api/v1/custody-events/", body=body.encode(), headers=headers)
            response = conn.getresponse()
            text = response.read()
            if response.status != 201:
                errors.append((response.status, text[:300]))

    threads = [threading.Thread(target=run, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[:3]


def scale_out(municipalities, prison, key) -> None:
    import tempfile

    from django.db import connection
    from django.db.models import Max, Min
    from django.utils import timezone

    from samarbejde.delivery.models import Delivery, DeliveryChannel, DeliveryStatus, WebhookSubscription

    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    log = tempfile.NamedTemporaryFile("w+b", prefix="bench-scale-out-", suffix=".log", delete=False)  # noqa: SIM115
    ports = [free_port(), free_port()]
    nodes = [web_node(port, env, log) for port in ports]
    urls = [f"http://127.0.0.1:{port}/" for port in ports]
    results = []
    serial = 0
    try:
        for url in urls:
            wait_for(url + "healthz", 60)
        for delay in (0.0, SINK_DELAY_MS):
            sink = Sink(delay)
            WebhookSubscription.objects.update(url=f"{sink.url}hook")
            try:
                for workers in (1, 2, 3):
                    now = timezone.localtime()
                    bodies = [
                        json.dumps(admission_body(serial + i, prison, municipalities[(serial + i) % 98], now))
                        for i in range(SCALE_EVENTS)
                    ]
                    serial += SCALE_EVENTS
                    Delivery.objects.all().delete()  # the previous run's rows: counted below from zero
                    connection.close()
                    sink.reset()
                    # 1. The two nodes accept the events (no worker yet: the send tasks queue up).
                    start = time.perf_counter()
                    post_events(urls, key, bodies)
                    accepted = time.perf_counter() - start
                    # 2. The workers drain the queue: timed by the deliveries' own sent_at (first to last), so
                    # the workers' start-up is not counted.
                    procs = [
                        subprocess.Popen(
                            [sys.executable, "manage.py", "db_worker", "--queue-name", "*", "--interval", "0.05"],
                            cwd=ROOT,
                            env=env,
                            stdout=log,
                            stderr=log,
                        )
                        for _ in range(workers)
                    ]
                    webhooks = Delivery.objects.filter(channel=DeliveryChannel.WEBHOOK)
                    total = len(bodies) * 2  # two notices to the municipality per admission (benefits, CPR)
                    deadline = time.perf_counter() + 900
                    while Delivery.objects.exclude(status=DeliveryStatus.SENT).exists() or webhooks.count() < total:
                        time.sleep(0.1)
                        if time.perf_counter() > deadline:
                            raise SystemExit(f"scale-out: not delivered within 15 minutes (log: {log.name})")
                    for proc in procs:
                        proc.terminate()
                    for proc in procs:
                        proc.wait()
                    span = Delivery.objects.aggregate(first=Min("sent_at"), last=Max("sent_at"))
                    drained = max((span["last"] - span["first"]).total_seconds(), 1e-3)
                    counts = sink.counts()
                    once = webhooks.filter(status=DeliveryStatus.SENT, attempts=1).count()
                    results.append(
                        {
                            "delay": delay,
                            "workers": workers,
                            "events/s": len(bodies) / accepted,
                            "deliveries/s": total / drained,
                            "webhooks": total,
                            "lost": total - counts["unique"],
                            "duplicates": counts["duplicates"],
                            "db sent once": once,
                        }
                    )
                    connection.close()
            finally:
                sink.stop()
    finally:
        for node in nodes:
            node.terminate()
        for node in nodes:
            node.wait()

    load = os.getloadavg()[0]
    print(f"Scale-out on PostgreSQL, {os.cpu_count()} cores (load {load:.1f}): 2 gunicorn nodes (2 workers each)")
    print(f"accept {SCALE_EVENTS} admissions per run from 4 clients (2 webhooks each); then db_worker processes")
    print("drain the queued send tasks (deliveries/s from the first to the last sent_at). Logs:", log.name)
    print(
        f"{'sink delay':>10} {'workers':>7} {'accepted/s':>10} {'webhooks/s':>10} {'webhooks':>8} {'lost':>5} "
        f"{'dupl.':>5} {'db sent once':>12}"
    )
    for r in results:
        print(
            f"{r['delay']:8.0f}ms {r['workers']:7} {r['events/s']:10.1f} {r['deliveries/s']:10.1f} "
            f"{r['webhooks']:8} {r['lost']:5} {r['duplicates']:5} {r['db sent once']:12}"
        )
    bad = [r for r in results if r["lost"] or r["duplicates"] or r["db sent once"] != r["webhooks"]]
    assert not bad, bad


if __name__ == "__main__":
    drain() if "--drain" in sys.argv else main()
