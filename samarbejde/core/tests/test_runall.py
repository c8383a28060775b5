"""`make run` (manage.py runall): web server, task worker and scheduler, each log line printed once.

A real runall in a subprocess with the local settings (DEBUG on, as under `make run`) on a temporary SQLite
file and a free port: the scheduler enqueues the periodic tasks at start, the worker runs them, and every
"Task id=... state=..." line of the worker (django.tasks) and its start line (django_tasks_db) must appear
exactly once. Django's default "django" logger used to print django.* lines itself and pass them on to the
root handler as well: every worker line came out twice.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[3]
TASK_LINE = re.compile(r"Task id=(?P<id>\S+) path=(?P<path>\S+) state=(?P<state>[A-Z_]+)")
HEARTBEAT_DONE = re.compile(r"path=samarbejde\.core\.tasks\.worker_heartbeat state=SUCCESSFUL")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def local_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_", "DATABASE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DEBUG="true",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),  # the attachment clean-up must not look at the developer's files
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    return env


def wait_for(pattern: re.Pattern, log: Path, process: subprocess.Popen, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log.read_text(encoding="utf-8", errors="replace")
        if pattern.search(text):
            return text
        assert process.poll() is None, f"runall stopped early:\n{text}"
        time.sleep(0.2)
    raise AssertionError(f"{pattern.pattern!r} not seen in {timeout} s:\n{log.read_text(errors='replace')}")


def test_every_worker_log_line_appears_once(tmp_path):
    env = local_env(tmp_path)
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"], cwd=BASE_DIR, env=env, capture_output=True, timeout=120
    )
    assert migrate.returncode == 0, migrate.stderr.decode()
    log = tmp_path / "runall.log"
    with log.open("wb") as out:
        runall = subprocess.Popen(
            [sys.executable, "manage.py", "runall", "--port", str(free_port())],
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for(HEARTBEAT_DONE, log, runall)
        time.sleep(0.5)  # let the other periodic tasks of the first round finish too
    finally:
        runall.send_signal(signal.SIGINT)
        try:
            runall.wait(timeout=30)
        except subprocess.TimeoutExpired:
            runall.kill()
            runall.wait()
    text = log.read_text(encoding="utf-8", errors="replace")
    assert runall.returncode == 0, text

    task_lines = Counter(match.group(0) for match in TASK_LINE.finditer(text))
    assert task_lines, text
    assert "samarbejde.core.tasks.worker_heartbeat" in " ".join(task_lines)
    twice = {line: count for line, count in task_lines.items() if count != 1}
    assert twice == {}, text
    assert text.count("Starting worker worker_id=") == 1, text
    assert text.count("Scheduler started with") == 1, text


def test_make_run_passes_host_and_port_through_and_the_readme_says_so():
    makefile = (BASE_DIR / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^HOST \?= 127\.0\.0\.1$", makefile, flags=re.MULTILINE)
    assert re.search(r"^PORT \?= 8000$", makefile, flags=re.MULTILINE)
    assert "manage.py runall --host $(HOST) --port $(PORT)" in makefile
    setup = (BASE_DIR / "README.md").read_text(encoding="utf-8").split("## Set-up", 1)[1].split("\n## ", 1)[0]
    assert "`make run PORT=8001`" in setup
