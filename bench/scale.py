"""How the lists grow with the data: `make bench-scale` (docs/performance.md is its output).

Every number here is measured against PostgreSQL on 127.0.0.1:5432 (user postgres; BENCH_SCALE_DATABASE_URL
names another server; its database part is ignored), on datasets made by `manage.py generate_dataset`:

- small: `--persons 2000` (~20,000 notices), database `samarbejde_scale_small`;
- big: `--persons 100000` (~1 M notices), database `samarbejde_scale_big`;
- with `--denmark` (or BENCH_SCALE=denmark) also "Denmark x10": `--persons 1000000`, `samarbejde_scale_dk`.

A database is reused when it exists, is migrated, and the generator's bookkeeping (table `dataset_chunk`)
says it holds that many persons; otherwise `migrate` and `generate_dataset --persons N` run against it
(the generator adds only the missing chunks; `--jobs K` worker processes, default the number of cores). A copy
of another generated database (CREATE DATABASE ... TEMPLATE ...; `--template big=samarbejde_big` or
BENCH_SCALE_TEMPLATES makes a missing one so) is reused the same way. Without the generator (an older
checkout) the reference and demo data are loaded instead.

Per size, in a child process pointed at that database (`--measure`):

1. The demo users (samarbejde/demo/data.py) get a session each, made directly with the session store and a
   verified TOTP device (TOTP is required, as in production), and municipality 101 an API key with
   `notifications:read`. A task-worker heartbeat is written, so /healthz answers 200 without a worker.
2. The pages whose address depends on the data are found as a user finds them: the inbox's page
   DEEP_PAGE by following its "Næste side" link, a notice and an episode by the first link to one.
3. Queries per page: one request each through Django's test client with CaptureQueriesContext, after one
   warm-up request (in-process, same database, same sessions).
4. gunicorn serves `config.wsgi` with 2 sync workers and bench/scale_settings.py (the local settings with
   DEBUG off, TOTP required, no mail sent). Each page: `--warmup` requests, then `--requests` sequential
   requests (default 30) over one HTTP/1.1 connection (gunicorn's sync workers close it after each
   response, as they do behind nginx, so the client reconnects); median and p95 in ms. The floor is
   GET /healthz (anonymous: the middleware stack and two small queries), timed the same way before and
   after the pages; the lower median of the two is the floor. ratio = page median / floor median.
5. At the largest size only: `--load-clients` (8) threads, each with its own connection, request the
   inbox's first page for `--load-seconds` (30) seconds as fast as they can; req/s, p50, p95, errors.

Goals (met/missed per row): at the largest size every list is at most 5x the floor and its ratio at most
1.5x its small-size ratio (growth); the inbox under load serves at least 150 req/s with p95 at most 100 ms.
Every page must answer 200: a page that does not is reported as an error in its row, never a crash.

The table is printed and, with the date, the machine, the row counts of the main tables and the goals,
written to docs/performance.md below its marker line (the text above the marker is kept). `--smoke`: one
tiny dataset (`samarbejde_scale_smoke`, --persons 200), 5 requests per page, a 3-second load run, nothing
written. The timings are only as quiet as the machine: on a shared 2-core machine expect noise.
"""

from __future__ import annotations

import argparse
import html
import http.client
import json
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "performance.md"
MARKER = "<!-- Everything below is written by `make bench-scale` (bench/scale.py); edit above this line. -->"
SETTINGS = "bench.scale_settings"
SECRET_KEY = "bench-scale-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz"
GENERATOR = ROOT / "samarbejde" / "demo" / "management" / "commands" / "generate_dataset.py"

SIZES = {"smoke": 200, "small": 2000, "big": 100_000, "dk": 1_000_000}
SIZE_LABELS = {"smoke": "smoke", "small": "small", "big": "big", "dk": "Denmark x10"}
DEEP_PAGE = 20
MAX_RATIO = 5.0
MAX_GROWTH = 1.5
LOAD_MIN_RPS = 150.0
LOAD_MAX_P95_MS = 100.0
API = "api-key"  # the "user" of the API rows: municipality 101's key
ANONYMOUS = ""


@dataclass(frozen=True)
class Page:
    """One row of the table: `path` is fixed, or found by `find` (a function of the in-process fetchers)."""

    key: str
    label: str
    user: str  # a demo username, API, or ANONYMOUS
    path: str = ""
    find: str = ""  # name of a finder in FINDERS
    is_list: bool = True  # lists carry the goals; a single notice or episode is shown for comparison


PAGES: tuple[Page, ...] = (
    Page("inbox", "Inbox, page 1 (municipality)", "kbh.sagsbehandler", "/indbakke/"),
    Page("inbox_deep", f"Inbox, page {DEEP_PAGE} (by Næste side)", "kbh.sagsbehandler", find="inbox_deep"),
    Page("municipal_start", "Start page (municipal coordinator)", "kbh.koordinator", "/start/"),
    Page("unsettled", "Unanswered notices (KRFO)", "krfo.sagsbehandler", "/klienter/ubesvarede/"),
    Page("krfo_start", "Start page (KRFO case worker)", "krfo.sagsbehandler", "/start/"),
    Page("deliveries", "Deliveries (operations)", "admin", "/drift/leveringer/"),
    Page("audit", "Audit search by action custody.admit", "admin", "/revision/?handling=custody.admit"),
    Page("api_notifications", "API GET /api/v1/notifications/", API, "/api/v1/notifications/"),
    Page("notice", "One notice (municipality)", "kbh.sagsbehandler", find="notice", is_list=False),
    Page("episode", "One episode (KRFO)", "krfo.sagsbehandler", find="episode", is_list=False),
    Page("directory", "Directory, one municipality", ANONYMOUS, "/kommuner/101/", is_list=False),
)
FLOOR_PATH = "/healthz"
LOAD_PAGE = "inbox"


# --- timing (no Django needed) ------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation between the closest ranks."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class Timing:
    status: int | None = None
    median: float | None = None
    p95: float | None = None
    requests: int = 0
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status == 200 and not self.error


def time_requests(fetch, path: str, *, requests: int, warmup: int) -> Timing:
    """`warmup` untimed then `requests` timed sequential GETs of `path` through `fetch(path) -> (status, body)`.

    Stops at the first answer that is not 200 and reports it (with the start of the body) instead."""
    timings: list[float] = []
    try:
        for _ in range(warmup):
            status, body = fetch(path)
            if status != 200:
                return Timing(status=status, error=f"HTTP {status}: {_snippet(body)}")
        for _ in range(requests):
            start = time.perf_counter()
            status, body = fetch(path)
            timings.append((time.perf_counter() - start) * 1000)
            if status != 200:
                return Timing(status=status, error=f"HTTP {status}: {_snippet(body)}")
    except Exception as exc:  # a benchmark reports a failing page in its row, never crashes the table
        return Timing(error=f"{exc.__class__.__name__}: {exc}")
    return Timing(status=200, median=statistics.median(timings), p95=percentile(timings, 95), requests=len(timings))


def _snippet(body: bytes) -> str:
    text = re.sub(r"\s+", " ", re.sub(rb"<[^>]+>", b" ", body[:3000]).decode("utf-8", "replace")).strip()
    return text[:160]


class HttpFetcher:
    """GETs over one HTTP/1.1 connection, reconnecting when the server closes it (keep-alive where allowed)."""

    def __init__(self, base_url: str, headers: dict[str, str] | None = None, timeout: float = 120):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.headers = {"Host": f"{self.host}:{self.port}", "Accept-Language": "da", **(headers or {})}
        self.timeout = timeout
        self.conn: http.client.HTTPConnection | None = None

    def __call__(self, path: str) -> tuple[int, bytes]:
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.conn.request("GET", path, headers=self.headers)
                response = self.conn.getresponse()
                body = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if attempt == 2:
                    raise
                continue
            except BaseException:
                self.close()
                raise
            if response.will_close:
                self.close()
            return response.status, body
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


@dataclass
class LoadResult:
    clients: int
    seconds: float
    requests: int = 0
    errors: int = 0
    rps: float = 0.0
    p50: float | None = None
    p95: float | None = None
    first_error: str = ""


def load_run(make_fetch, path: str, *, clients: int, seconds: float) -> LoadResult:
    """`clients` threads, each with its own fetcher, GET `path` back to back for `seconds`."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    first_error: list[str] = []
    start_line = threading.Barrier(clients + 1)
    deadline = [0.0]

    def client(i: int) -> None:
        fetch = make_fetch()
        start_line.wait()
        while time.perf_counter() < deadline[0]:
            started = time.perf_counter()
            try:
                status, body = fetch(path)
            except Exception as exc:
                status, body = None, str(exc).encode()
            if status == 200:
                latencies[i].append((time.perf_counter() - started) * 1000)
            else:
                errors[i] += 1
                if not first_error:
                    first_error.append(f"{status}: {_snippet(body)}")
        if hasattr(fetch, "close"):
            fetch.close()

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    deadline[0] = time.perf_counter() + seconds
    began = time.perf_counter()
    start_line.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    every = [ms for per_client in latencies for ms in per_client]
    return LoadResult(
        clients=clients,
        seconds=round(elapsed, 1),
        requests=len(every),
        errors=sum(errors),
        rps=len(every) / elapsed if elapsed else 0.0,
        p50=statistics.median(every) if every else None,
        p95=percentile(every, 95) if every else None,
        first_error=first_error[0] if first_error else "",
    )


# --- Django side (the child process, and the smoke test) -------------------------------------------------


def session_key_for(user, *, verified: bool) -> str:
    """A logged-in session for `user`, saved in the session store: what a login with password (and, where
    `verified`, a TOTP code) leaves behind. The device is a confirmed TOTP device named "bench-scale"."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if verified:
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.filter(user=user, name="bench-scale", confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="bench-scale", confirmed=True)
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return session.session_key


def api_key_for_101() -> str:
    """A fresh `notifications:read` key of municipality 101; the previous run's bench keys are revoked."""
    from samarbejde.api.models import ApiKey, ApiScope
    from samarbejde.api.services import api_key_create, api_key_revoke
    from samarbejde.organisations.models import Organisation

    organisation = Organisation.objects.get(code="101")
    for old in ApiKey.objects.filter(organisation=organisation, name="bench-scale", revoked_at__isnull=True):
        api_key_revoke(old, acting_user=None)
    return api_key_create(organisation, scopes=[ApiScope.NOTIFICATIONS_READ], name="bench-scale")[1]


def credentials(users: set[str], *, verified: bool) -> dict[str, dict[str, str]]:
    """Request headers per "user" of PAGES: a session cookie per demo user, a Bearer key for API."""
    from django.conf import settings
    from django.contrib.auth import get_user_model

    headers: dict[str, dict[str, str]] = {ANONYMOUS: {}}
    for username in sorted(users - {API, ANONYMOUS}):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            headers[username] = {"X-Bench-Missing-User": username}
            continue
        headers[username] = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session_key_for(user, verified=verified)}"}
    if API in users:
        headers[API] = {"Authorization": f"Bearer {api_key_for_101()}"}
    return headers


def write_heartbeat() -> None:
    from django.utils import timezone

    from samarbejde.core.models import WorkerHeartbeat

    WorkerHeartbeat.objects.update_or_create(worker="bench-scale", defaults={"beat_at": timezone.now()})


class ClientFetcher:
    """GETs through Django's test client with the same request headers the HTTP fetcher sends."""

    def __init__(self, headers: dict[str, str]):
        from django.test import Client

        self.client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_LANGUAGE="da")
        self.extra = {}
        for name, value in headers.items():
            if name == "Cookie":
                cookie_name, _, cookie_value = value.partition("=")
                self.client.cookies[cookie_name] = cookie_value
            else:
                self.extra["HTTP_" + name.upper().replace("-", "_")] = value

    def __call__(self, path: str) -> tuple[int, bytes]:
        response = self.client.get(path, **self.extra)
        return response.status_code, response.content


NEXT_LINK = re.compile(r'<a\s+href="([^"]*)"[^>]*>\s*Næste side\s*</a>')


def find_inbox_deep(fetch, depth: int = DEEP_PAGE) -> tuple[str, str]:
    """Follow the inbox's "Næste side" link until page `depth` (or the last page there is)."""
    path, page = "/indbakke/", 1
    while page < depth:
        status, body = fetch(path)
        if status != 200:
            raise LookupError(f"{path} answered {status}")
        match = NEXT_LINK.search(body.decode("utf-8", "replace"))
        if match is None:
            break
        path = urljoin(path, html.unescape(match.group(1)))
        page += 1
    return path, f"side {page}"


def _first_link(fetch, pages: list[str], pattern: str) -> tuple[str, str]:
    for list_path in pages:
        status, body = fetch(list_path)
        if status == 200:
            match = re.search(pattern, body.decode("utf-8", "replace"))
            if match:
                return match.group(1), f"first link on {list_path}"
    raise LookupError(f"no link like {pattern} on {', '.join(pages)}")


UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def find_notice(fetch) -> tuple[str, str]:
    return _first_link(fetch, ["/indbakke/"], rf'href="(/indbakke/{UUID}/)"')


def find_episode(fetch) -> tuple[str, str]:
    return _first_link(fetch, ["/klienter/", "/klienter/ubesvarede/"], rf'href="(/klienter/forloeb/{UUID}/)"')


FINDERS = {"inbox_deep": find_inbox_deep, "notice": find_notice, "episode": find_episode}


def resolve_paths(pages, fetchers) -> dict[str, tuple[str, str]]:
    """{page key: (path, note)}; a page whose path cannot be found gets ("", the reason)."""
    found = {}
    for page in pages:
        if page.path:
            found[page.key] = (page.path, "")
            continue
        try:
            found[page.key] = FINDERS[page.find](fetchers[page.user])
        except Exception as exc:
            found[page.key] = ("", f"not found: {exc}")
    return found


def count_queries(fetch, path: str) -> tuple[int, int]:
    """(status, number of SQL queries) of one GET of `path`, after one warm-up GET."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fetch(path)
    with CaptureQueriesContext(connection) as queries:
        status, _ = fetch(path)
    return status, len(queries.captured_queries)


ROW_COUNT_MODELS = (
    ("people", "Person"),
    ("custody", "Episode"),
    ("custody", "EpisodeEvent"),
    ("notifications", "Notification"),
    ("notifications", "NotificationStatusChange"),
    ("delivery", "Delivery"),
    ("people", "PersonLink"),
    ("audit", "AuditEvent"),
    ("accounts", "User"),
)


def row_counts() -> dict[str, str]:
    """Rows per main table: exact up to 5 M rows, PostgreSQL's estimate (after ANALYZE) above."""
    from django.apps import apps
    from django.db import connection

    counts = {}
    for app_label, name in ROW_COUNT_MODELS:
        model = apps.get_model(app_label, name)
        estimate = -1
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [model._meta.db_table]
                )
                row = cursor.fetchone()
                estimate = row[0] if row else -1
        counts[model._meta.db_table] = (
            f"~{estimate:,}" if estimate > 5_000_000 else f"{model.objects.count():,}"
        ).replace(",", " ")
    return counts


# --- the child: one size ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def child_env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE=SETTINGS,
        SECRET_KEY=SECRET_KEY,
        DEBUG="false",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
    )
    return env


def start_gunicorn(database_url: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--chdir",
            str(ROOT),
            "--log-level",
            "warning",
            "--timeout",
            "300",
        ],
        env=child_env(database_url),
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    fetch = HttpFetcher(base, timeout=5)
    status = None
    try:
        for _ in range(300):
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {proc.returncode}")
            try:
                status, _ = fetch(FLOOR_PATH)
                if status == 200:
                    fetch.close()
                    return proc, base
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer {FLOOR_PATH} with 200 within 60 s (last: {status})")
    except BaseException:
        proc.terminate()
        proc.wait(timeout=30)
        raise


def measure(args) -> dict:
    """Child mode: everything for one size, against the database in DATABASE_URL; returns the result dict."""
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    pages = [p for p in PAGES if not args.pages or p.key in args.pages]
    users = {p.user for p in pages}
    headers = credentials(users, verified=settings.OTP_REQUIRED)
    write_heartbeat()
    in_process = {user: ClientFetcher(h) for user, h in headers.items()}
    paths = resolve_paths(pages, in_process)
    queries = {}
    for page in pages:
        path = paths[page.key][0]
        if path:
            try:
                queries[page.key] = count_queries(in_process[page.user], path)
            except Exception as exc:
                queries[page.key] = (None, f"{exc.__class__.__name__}: {exc}")
    counts = row_counts()
    connection.close()

    server, base = start_gunicorn(os.environ["DATABASE_URL"])
    try:
        floor_before = time_requests(HttpFetcher(base), FLOOR_PATH, requests=args.requests, warmup=args.warmup)
        timings = {}
        for page in pages:
            path = paths[page.key][0]
            if not path:
                timings[page.key] = Timing(error=paths[page.key][1])
                continue
            fetch = HttpFetcher(base, headers[page.user])
            timings[page.key] = time_requests(fetch, path, requests=args.requests, warmup=args.warmup)
            fetch.close()
            if not timings[page.key].ok:
                print(f"[bench-scale] ERROR {page.label} ({path}): {timings[page.key].error}", file=sys.stderr)
        floor_after = time_requests(HttpFetcher(base), FLOOR_PATH, requests=args.requests, warmup=args.warmup)
        load = None
        if args.load_seconds > 0:
            load_path = paths[LOAD_PAGE][0] or "/indbakke/"
            load = load_run(
                lambda: HttpFetcher(base, headers["kbh.sagsbehandler"]),
                load_path,
                clients=args.load_clients,
                seconds=args.load_seconds,
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
    floors = [t.median for t in (floor_before, floor_after) if t.ok]
    return {
        "pages": {
            page.key: {
                "path": paths[page.key][0],
                "note": paths[page.key][1],
                "timing": asdict(timings[page.key]),
                "queries": queries.get(page.key, (None, None))[1],
                "query_status": queries.get(page.key, (None, None))[0],
            }
            for page in pages
        },
        "floor": min(floors) if floors else None,
        "floor_runs": [asdict(floor_before), asdict(floor_after)],
        "load": asdict(load) if load else None,
        "row_counts": counts,
    }


# --- the parent: datasets, children, the table --------------------------------------------------------------


def server_url() -> str:
    parts = urlsplit(os.environ.get("BENCH_SCALE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432"))
    return f"{parts.scheme}://{parts.netloc}"


def database_url(size: str) -> str:
    return f"{server_url()}/samarbejde_scale_{size}"


def manage(database: str, *command: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *command], env=child_env(database), cwd=ROOT, check=False
    )


def dataset_persons(conn) -> int | None:
    """What the generator's bookkeeping says the database holds; None without bookkeeping."""
    if conn.execute("SELECT to_regclass('dataset_chunk')").fetchone()[0] is None:
        return None
    return int(conn.execute("SELECT COALESCE(SUM(persons), 0) FROM dataset_chunk").fetchone()[0])


def ensure_dataset(size: str, persons: int, template: str = "", jobs: int = 1) -> dict:
    """Reuse the size's database when it holds `persons` (bookkeeping) and is migrated; else make it so.

    A missing database is created empty, or as a copy of `template` (a database generated elsewhere, which
    is only read: CREATE DATABASE ... TEMPLATE needs no other session on it)."""
    import psycopg

    url = database_url(size)
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(f"{server_url()}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None
        if not exists and template:
            print(f"[bench-scale] {name}: copying {template}", flush=True)
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            exists = True
        elif not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(url, autocommit=True) as conn:
        held = dataset_persons(conn)
        has_demo = (
            conn.execute("SELECT to_regclass('accounts_user')").fetchone()[0] is not None
            and conn.execute("SELECT 1 FROM accounts_user WHERE username = 'kbh.koordinator'").fetchone() is not None
        )
    migrated = exists and manage(url, "migrate", "--check", "--noinput", "-v", "0").returncode == 0
    generator = GENERATOR.exists()
    reused = migrated and has_demo and (held is not None and held >= persons if generator else True)
    if not reused:
        print(f"[bench-scale] {name}: building (exists={exists}, migrated={migrated}, persons={held})", flush=True)
        steps = [("migrate", "--noinput", "-v", "0")]
        if generator:
            steps.append(("generate_dataset", "--persons", str(persons), "--jobs", str(jobs)))
        else:
            steps += [("load_reference_data",), ("load_demo_data", "--force")]
        for step in steps:
            if manage(url, *step).returncode != 0:
                raise SystemExit(f"bench-scale: `manage.py {' '.join(step)}` failed on {name}")
    else:
        print(f"[bench-scale] {name}: reused (persons={held})", flush=True)
    held = held if reused and held is not None else persons
    return {"database": name, "reused": reused, "persons": held if generator else None, "generator": generator}


def run_size(size: str, args) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        command = [
            sys.executable,
            __file__,
            "--measure",
            out.name,
            "--requests",
            str(args.requests),
            "--warmup",
            str(args.warmup),
            "--load-clients",
            str(args.load_clients),
            "--load-seconds",
            str(args.load_seconds if size == args.load_size else 0),
        ]
        if args.pages:
            command += ["--pages", ",".join(args.pages)]
        done = subprocess.run(command, env=child_env(database_url(size)), cwd=ROOT, check=False)
        if done.returncode != 0:
            raise SystemExit(f"bench-scale: the measurement of {size} failed ({done.returncode})")
        return json.loads(Path(out.name).read_text())


def _ms(value) -> str:
    return "–" if value is None else f"{value:.1f}"


def _ratio(row: dict, floor) -> float | None:
    median = row["timing"]["median"]
    return median / floor if median is not None and floor else None


def table(sizes: list[str], results: dict[str, dict]) -> tuple[str, list[str]]:
    """The markdown table and the list of missed goals."""
    first, last = sizes[0], sizes[-1]
    head = ["Page", "User"]
    for size in sizes:
        label = SIZE_LABELS[size]
        head += [f"{label} median ms", f"{label} p95 ms", f"{label} ratio", f"{label} queries"]
    if len(sizes) > 1:
        head += [f"growth ({SIZE_LABELS[last]}/{SIZE_LABELS[first]})"]
    head += ["goal"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    floor_cells = ["**GET /healthz (floor)**", "anonymous"]
    for size in sizes:
        floor = results[size]["floor"]
        floor_cells += [_ms(floor), _ms(min((r["p95"] for r in results[size]["floor_runs"] if r["p95"]), default=None))]
        floor_cells += ["1.0", "–"]
    if len(sizes) > 1:
        floor_cells.append("–")
    lines.append("| " + " | ".join([*floor_cells, "–"]) + " |")
    missed = []
    for page in PAGES:
        if page.key not in results[first]["pages"]:
            continue
        cells = [page.label, {API: "API key (101)", ANONYMOUS: "anonymous"}.get(page.user, page.user)]
        errors = []
        ratios = {}
        for size in sizes:
            row = results[size]["pages"][page.key]
            ratios[size] = _ratio(row, results[size]["floor"])
            if row["timing"]["error"]:
                errors.append(f"{SIZE_LABELS[size]}: {row['timing']['error']}")
            queries = row["queries"] if isinstance(row["queries"], int) else "–"
            cells += [_ms(row["timing"]["median"]), _ms(row["timing"]["p95"]), _ms(ratios[size]), str(queries)]
        growth = ratios[last] / ratios[first] if ratios.get(last) and ratios.get(first) else None
        if len(sizes) > 1:
            cells.append("–" if growth is None else f"{growth:.2f}")
        if errors:
            goal = "ERROR: " + "; ".join(errors).replace("|", "/")
            missed.append(f"{page.label}: error")
        elif not page.is_list:
            goal = "(no goal)"
        else:
            problems = []
            if ratios[last] is None or ratios[last] > MAX_RATIO:
                problems.append(f"ratio > {MAX_RATIO:g}")
            if len(sizes) > 1 and (growth is None or growth > MAX_GROWTH):
                problems.append(f"growth > {MAX_GROWTH:g}")
            goal = "missed (" + ", ".join(problems) + ")" if problems else "met"
            if problems:
                missed.append(f"{page.label}: {', '.join(problems)}")
        cells.append(goal)
        lines.append("| " + " | ".join(cells) + " |")
    load = results[last]["load"]
    if load:
        ok = load["rps"] >= LOAD_MIN_RPS and load["p95"] is not None and load["p95"] <= LOAD_MAX_P95_MS
        if not ok:
            missed.append("inbox load")
        lines += [
            "",
            f"Load, {SIZE_LABELS[last]}: {load['clients']} clients for {load['seconds']:.0f} s on the inbox "
            "(page 1, kbh.sagsbehandler)",
            "",
            "| req/s | p50 ms | p95 ms | requests | errors | goal (>= 150 req/s, p95 <= 100 ms) |",
            "|---|---|---|---|---|---|",
            f"| {load['rps']:.1f} | {_ms(load['p50'])} | {_ms(load['p95'])} | {load['requests']} | {load['errors']} | "
            f"{'met' if ok else 'missed'}{' – ' + load['first_error'] if load['first_error'] else ''} |",
        ]
    return "\n".join(lines), missed


def machine() -> str:
    memory = ""
    try:
        with open("/proc/meminfo") as meminfo:
            kb = int(next(line for line in meminfo if line.startswith("MemTotal")).split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, StopIteration, ValueError):
        pass
    return f"{platform.node() or 'host'}: {os.cpu_count()} CPU (nproc){memory}, Python {platform.python_version()}"


def report(sizes, results, datasets, args) -> str:
    body, missed = table(sizes, results)
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    out = [
        f"## Results {now}",
        "",
        f"Machine: {machine()}. gunicorn with 2 sync workers, PostgreSQL on 127.0.0.1. "
        f"{args.requests} sequential requests per page after {args.warmup} warm-up; ratio = median / the floor's "
        "median (GET /healthz); growth = ratio at the largest size / ratio at the smallest; queries: one "
        "request in-process.",
        "",
        f"Goals: every list at most {MAX_RATIO:g}x the floor at the largest size and at most {MAX_GROWTH:g}x its "
        f"ratio at the smallest; the inbox under load at least {LOAD_MIN_RPS:g} req/s with p95 at most "
        f"{LOAD_MAX_P95_MS:g} ms. Single pages (a notice, an episode, the directory) are shown for comparison.",
        "",
        body,
        "",
        "Goals missed: " + ("; ".join(missed) if missed else "none") + ".",
        "",
        "### Datasets",
        "",
    ]
    tables = list(next(iter(results.values()))["row_counts"])
    out.append("| table | " + " | ".join(SIZE_LABELS[s] for s in sizes) + " |")
    out.append("|---|" + "---|" * len(sizes))
    for name in tables:
        out.append(f"| {name} | " + " | ".join(results[s]["row_counts"].get(name, "–") for s in sizes) + " |")
    out.append("")
    for size in sizes:
        info = datasets[size]
        how = "reused" if info["reused"] else "built or extended in this run"
        made = f"generate_dataset --persons {info['persons']}" if info["generator"] else "reference and demo data only"
        out.append(f"- {SIZE_LABELS[size]}: database `{info['database']}`, {made}, {how}.")
    out.append("")
    out.append("Pages and their addresses (the found ones depend on the data):")
    out.append("")
    for page in PAGES:
        row = results[sizes[-1]]["pages"].get(page.key)
        if row:
            note = f" ({row['note']})" if row["note"] else ""
            out.append(f"- {page.label}: `{_redact(row['path'])}`{note}")
    return "\n".join(out) + "\n"


def _redact(path: str) -> str:
    """Cursor and ids differ per dataset: the document shows the shape of the address."""
    path = re.sub(r"(efter|foer)=[^&]+", r"\1=…", path)
    return re.sub(UUID, "<uuid>", path)


DEFAULT_INTRO = """# Performance: the lists and the amount of data

How fast the main pages and API lists answer when the data grows from a small demo to a whole country's worth
(issue 10). `make bench-scale` (bench/scale.py; its docstring says what is measured and how) writes the
numbers below the marker line; this introduction is written by hand and kept.

The ratio (a page's median / the median of GET /healthz in the same run) makes runs on different machines
comparable; the growth (big ratio / small ratio) shows whether a page costs what the page shows or what the
table holds. Timings from a shared machine are noisy: run it again on a quiet one before deciding anything.
"""


def write_doc(text: str) -> None:
    intro = DEFAULT_INTRO
    if DOC.exists():
        current = DOC.read_text(encoding="utf-8")
        if MARKER in current:
            intro = current.split(MARKER, 1)[0].rstrip() + "\n"
    DOC.write_text(f"{intro}\n{MARKER}\n\n{text}", encoding="utf-8")


def parse(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--smoke", action="store_true", help="one tiny dataset, few requests, nothing written")
    parser.add_argument("--denmark", action="store_true", default=os.environ.get("BENCH_SCALE") == "denmark")
    parser.add_argument("--sizes", default="", help="comma-separated subset of small,big,dk")
    parser.add_argument("--persons-small", type=int, default=int(os.environ.get("BENCH_PERSONS_SMALL", SIZES["small"])))
    parser.add_argument("--persons-big", type=int, default=int(os.environ.get("BENCH_PERSONS_BIG", SIZES["big"])))
    parser.add_argument("--persons-dk", type=int, default=int(os.environ.get("BENCH_PERSONS_DK", SIZES["dk"])))
    parser.add_argument(
        "--jobs",
        type=int,
        default=int(os.environ.get("BENCH_SCALE_JOBS", os.cpu_count() or 1)),
        help="generate_dataset --jobs (worker processes) when a dataset is built; default: the cores",
    )
    parser.add_argument("--requests", type=int, default=int(os.environ.get("BENCH_REQUESTS", 30)))
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--load-clients", type=int, default=8)
    parser.add_argument("--load-seconds", type=float, default=float(os.environ.get("BENCH_LOAD_SECONDS", 30)))
    parser.add_argument("--pages", default="", help="comma-separated page keys (default: all)")
    parser.add_argument("--no-write", action="store_true", help="print the table only")
    parser.add_argument(
        "--template",
        action="append",
        default=[t for t in os.environ.get("BENCH_SCALE_TEMPLATES", "").split(",") if t],
        metavar="SIZE=DATABASE",
        help="make a missing size's database as a copy of DATABASE (e.g. big=samarbejde_big)",
    )
    parser.add_argument("--measure", metavar="OUT", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.pages = [p for p in args.pages.split(",") if p]
    if args.smoke:
        args.sizes_list = ["smoke"]
        args.requests, args.warmup = min(args.requests, 5), 1
        args.load_seconds = min(args.load_seconds, 3)
        args.no_write = True
    elif args.sizes:
        args.sizes_list = [s for s in ("small", "big", "dk") if s in args.sizes.split(",")]
    else:
        args.sizes_list = ["small", "big"] + (["dk"] if args.denmark else [])
    args.persons = {
        "smoke": SIZES["smoke"],
        "small": args.persons_small,
        "big": args.persons_big,
        "dk": args.persons_dk,
    }
    args.load_size = args.sizes_list[-1]
    args.templates = dict(t.split("=", 1) for t in args.template if "=" in t)
    return args


def main(argv=None) -> None:
    args = parse(argv)
    if args.measure:
        result = measure(args)
        Path(args.measure).write_text(json.dumps(result))
        return
    import psycopg

    datasets, results = {}, {}
    for size in args.sizes_list:
        try:
            datasets[size] = ensure_dataset(size, args.persons[size], args.templates.get(size, ""), args.jobs)
        except psycopg.OperationalError as exc:
            raise SystemExit(f"bench-scale needs PostgreSQL at {server_url()} (BENCH_SCALE_DATABASE_URL): {exc}")
    for size, info in datasets.items():
        if info["persons"] and info["persons"] != SIZES[size]:  # the column says when a size is not its default
            SIZE_LABELS[size] = f"{SIZE_LABELS[size]} ({info['persons']:,} persons)".replace(",", " ")
    for size in args.sizes_list:
        print(f"[bench-scale] measuring {size} ({datasets[size]['database']})", flush=True)
        results[size] = run_size(size, args)
    text = report(args.sizes_list, results, datasets, args)
    print(text)
    if not args.no_write:
        write_doc(text)
        print(f"[bench-scale] written to {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
