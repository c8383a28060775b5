"""`make run` on SQLite under parallel requests: 8 identical custody events and 7 simultaneous answers.

A real `manage.py runall` (web server, task worker and scheduler, as under `make run`) with the local settings
on a temporary SQLite file and a free port. 8 threads post the same admission (same external_id) at once,
then 7 threads answer its benefits notice at once, while 40 tasks that write are enqueued and run by the worker.
Expected: no response >= 500, one episode, one answer; the others get the first result again (200) or a
Danish conflict (409). Without a busy timeout and IMMEDIATE transactions (config.settings.base), SQLite
answered most of them with "database is locked" (500).

Its own processes and database file: it needs no test database and runs the same on PostgreSQL.
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[3]
HANG_GUARD = 300  # seconds; a guard against a hang, not a budget: a busy machine only takes longer
EVENTS, ANSWERS = 8, 7

SETUP = """
import json
from samarbejde.api.models import ApiScope
from samarbejde.api.services import api_key_create
from samarbejde.organisations.models import Organisation
krfo = api_key_create(Organisation.objects.get(code="krfo-koebenhavns-faengsler"), scopes=[ApiScope.CUSTODY_EVENTS_WRITE])
municipality = api_key_create(
    Organisation.objects.get(code="101"), scopes=[ApiScope.NOTIFICATIONS_READ, ApiScope.NOTIFICATIONS_ANSWER]
)
print("KEYS=" + json.dumps({"krfo": krfo[1], "municipality": municipality[1]}))
"""

# Work for the task worker while the requests run: each task writes (heartbeat rows, the deadline sweep).
BUSY_TASKS = 20
ENQUEUE = f"""
from samarbejde.core.tasks import worker_heartbeat
from samarbejde.notifications.tasks import notifications_deadline_sweep
for _ in range({BUSY_TASKS}):
    worker_heartbeat.enqueue()
    notifications_deadline_sweep.enqueue()
"""
TASK_DONE = re.compile(r"path=samarbejde\.(?:core|notifications)\.tasks\.\w+ state=(SUCCESSFUL|FAILED)")

RESULT = """
import json
from samarbejde.custody.models import Episode
from samarbejde.notifications.models import NotificationAnswer
from samarbejde.people.models import Person
from samarbejde.api.models import CustodyEventRecord
print("COUNTS=" + json.dumps({
    "persons": Person.objects.filter(cpr="0101901234").count(),
    "episodes": Episode.objects.filter(person__cpr="0101901234").count(),
    "records": CustodyEventRecord.objects.filter(external_id="klient-sqlite-1").count(),
    "answers": NotificationAnswer.objects.filter(notification__person__cpr="0101901234").count(),
}))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def local_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_", "DATABASE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DEBUG="false",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, timeout=HANG_GUARD
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return done.stdout.decode()


def marked(output: str, marker: str) -> dict:
    return json.loads(next(line for line in output.splitlines() if line.startswith(marker))[len(marker) :])


def call(url: str, key: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=HANG_GUARD) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        text = error.read()
        try:
            return error.code, json.loads(text)
        except ValueError:
            return error.code, {"text": text.decode(errors="replace")[:500]}


def at_once(count: int, action) -> list[tuple[int, dict]]:
    """`count` calls of `action` in threads released together by a barrier."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index: int) -> None:
        barrier.wait(timeout=HANG_GUARD)
        results[index] = action()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=HANG_GUARD)
    assert all(r is not None for r in results), "a request did not come back"
    return results


def wait_until_up(base: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + HANG_GUARD
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text(errors="replace")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=10):
                return
        except urllib.error.HTTPError:
            return  # 503 until the worker's first heartbeat: the server answers
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"the server did not start:\n{log.read_text(errors='replace')}")


def admission_body(occurred_at: str) -> dict:
    return {
        "external_id": "klient-sqlite-1",
        "type": "admission",
        "occurred_at": occurred_at,
        "institution": "krfo-koebenhavns-faengsler",
        "custody_type": "remand",
        "person": {
            "cpr": "0101901234",
            "name": "Hans Peter Jensen",
            "address": "Testvej 1, 2450 København SV",
            "home_municipality": "101",
            "pension": "none",
            "benefits": ["kontanthjaelp"],
        },
    }


def test_parallel_identical_events_and_answers_on_sqlite_give_no_errors_and_one_result(tmp_path):
    env = local_env(tmp_path)
    manage(env, "migrate", "--noinput")
    manage(env, "load_reference_data")
    keys = marked(manage(env, "shell", "-c", SETUP), "KEYS=")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "runall.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runall", "--host", "127.0.0.1", "--port", str(port)],
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until_up(base, server, log)
        done_before = len(TASK_DONE.findall(log.read_text(errors="replace")))
        enqueuer = subprocess.Popen([sys.executable, "manage.py", "shell", "-c", ENQUEUE], cwd=BASE_DIR, env=env)
        occurred_at = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() - 3600))
        body = admission_body(occurred_at)
        events = at_once(EVENTS, lambda: call(f"{base}/api/v1/custody-events/", keys["krfo"], body))
        statuses = sorted(status for status, _ in events)
        assert all(status < 500 for status in statuses), events
        assert statuses.count(201) == 1, events
        assert set(statuses) <= {200, 201, 409}, events
        first = next(result for status, result in events if status == 201)
        for status, result in events:
            if status == 200:
                assert result == first
            elif status == 409:
                assert result["detail"] and result["title"] == "Konflikt", result

        notice = next(n for n in first["notifications"] if n["kind"] == "benefits_decision_request")
        answer = {"decisions": [{"subject": "kontanthjaelp", "code": "continued"}], "text": "Fortsætter."}
        url = f"{base}/api/v1/notifications/{notice['id']}/answers/"
        answers = at_once(ANSWERS, lambda: call(url, keys["municipality"], answer))
        statuses = sorted(status for status, _ in answers)
        assert all(status < 500 for status in statuses), answers
        assert statuses.count(201) == 1 and set(statuses) <= {200, 201}, answers
        assert len({result["id"] for _, result in answers}) == 1, answers

        assert enqueuer.wait(timeout=HANG_GUARD) == 0
        deadline = time.monotonic() + HANG_GUARD
        while len(TASK_DONE.findall(log.read_text(errors="replace"))) < done_before + 2 * BUSY_TASKS:
            assert time.monotonic() < deadline, log.read_text(errors="replace")
            assert server.poll() is None, log.read_text(errors="replace")
            time.sleep(0.3)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=60)

    counts = marked(manage(env, "shell", "-c", RESULT), "COUNTS=")
    assert counts == {"persons": 1, "episodes": 1, "records": 1, "answers": 1}
    text = log.read_text(errors="replace")
    assert "database is locked" not in text, text
    assert "Traceback" not in text, text
    assert "state=FAILED" not in text, text
