"""The test run's log check: no CPR number used by the tests may appear in any log record of the run.

A pytest plugin (enabled in the root conftest.py). At session start it puts one capturing handler on the root
logger (and on `django.server`, which does not propagate), with the same path-redacting filter the configured
handlers have (samarbejde.core.logging), so what it keeps is what a configured handler would write. It keeps
only records that hold a CPR-looking digit run. The CPR numbers the tests use are collected as they appear:
every Person saved (factories, services, demo data, the admin) and every relative's CPR on an inmate form
(post_save signals), and every CPR-looking value in a request's URL (request_started). At session end each
kept record is searched for each number (written `ddmmååxxxx`, `ddmmåå-xxxx` or `ddmmåå xxxx`); any hit fails
the session, and the summary names the record: its logger, level, the test that was running and the text.

Nothing here imports Django at import time, so the plugin also runs in a session without Django (the
checker's own test runs it in a subprocess: tests/privacy/test_log_check.py).
"""

import logging
import re
from dataclasses import dataclass

import pytest

from samarbejde.core.logging import RedactRequestPathFilter

CANDIDATE = re.compile(r"[0-9]{6}[- ]?[0-9]{4}")
CPR_DIGITS = re.compile(r"(?<![0-9])([0-9]{6})-?([0-9]{4})(?![0-9])")

cprs_used: set[str] = set()


def record_cpr(value: str | None) -> None:
    """Remember a CPR number the tests used (10 digits, with or without the dash); other values are ignored."""
    match = CPR_DIGITS.fullmatch((value or "").strip())
    if match:
        cprs_used.add(match.group(1) + match.group(2))


@dataclass(frozen=True)
class KeptRecord:
    logger: str
    level: str
    test: str
    text: str


@dataclass(frozen=True)
class Hit:
    cpr: str
    record: KeptRecord

    def describe(self) -> str:
        masked = f"{self.cpr[:6]}-xxxx"
        return f"CPR {masked} in a log record of {self.record.logger} ({self.record.level}), test {self.record.test}: {self.record.text!r}"


class CapturingHandler(logging.Handler):
    """Keeps the formatted text (message and traceback) of every record that could hold a CPR number."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.addFilter(RedactRequestPathFilter())
        self.setFormatter(logging.Formatter("%(message)s"))
        self.records: list[KeptRecord] = []
        self.current_test = "(outside any test)"

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record)
        except Exception:  # never break a test because a record cannot be formatted
            text = str(record.msg)
        if CANDIDATE.search(text):
            self.records.append(KeptRecord(record.name, record.levelname, self.current_test, text))


def find_hits(records, cprs) -> list[Hit]:
    """Every (CPR, record) pair where the record's text holds the number in one of its written forms."""
    patterns = {
        cpr: re.compile(rf"(?<!\d)(?:{cpr}|{cpr[:6]}[- ]{cpr[6:]})(?!\d)") for cpr in sorted(cprs) if len(cpr) == 10
    }
    return [Hit(cpr, record) for record in records for cpr, pattern in patterns.items() if pattern.search(record.text)]


_handler = CapturingHandler()
_hits: list[Hit] = []


def _install(handler: CapturingHandler) -> None:
    """On the root logger and django.server; again at each test, since Django's dictConfig replaces root's
    handlers when it runs."""
    for name in ("", "django.server"):
        logger = logging.getLogger(name)
        if handler not in logger.handlers:
            logger.addHandler(handler)


def _connect_django_signals() -> None:
    try:
        from django.apps import apps
    except ImportError:
        return
    if not apps.ready:
        return
    from urllib.parse import parse_qsl

    from django.core.signals import request_started
    from django.db.models.signals import post_save

    from samarbejde.documents.models import InmateForm
    from samarbejde.people.models import Person

    def person_saved(sender, instance, **kwargs):
        record_cpr(instance.cpr)

    def inmate_form_saved(sender, instance, **kwargs):
        record_cpr(getattr(instance, "relative_cpr", ""))

    def request_seen(sender, environ=None, **kwargs):
        for _name, value in parse_qsl((environ or {}).get("QUERY_STRING", ""), keep_blank_values=True):
            for match in CPR_DIGITS.finditer(value):
                record_cpr(match.group(0))

    post_save.connect(person_saved, sender=Person, weak=False, dispatch_uid="logcheck-person")
    post_save.connect(inmate_form_saved, sender=InmateForm, weak=False, dispatch_uid="logcheck-inmate-form")
    request_started.connect(request_seen, weak=False, dispatch_uid="logcheck-request")


def pytest_sessionstart(session):
    _install(_handler)


@pytest.fixture(scope="session", autouse=True)
def _log_check_signals():
    """After pytest-django has set Django up: collect the CPR numbers the tests use."""
    _connect_django_signals()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    _install(_handler)
    _handler.current_test = item.nodeid
    try:
        return (yield)
    finally:
        _handler.current_test = "(outside any test)"


def _is_xdist_worker(config) -> bool:
    return hasattr(config, "workerinput")


# With pytest-xdist (make test runs two workers) each worker keeps its own records and numbers; it hands them
# to the controller, which checks the union: a number one worker used is looked for in every worker's logs.
_from_workers: dict = {"records": [], "cprs": set()}


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    output = getattr(node, "workeroutput", {}).get("logcheck")
    if output:
        _from_workers["records"].extend(KeptRecord(*r) for r in output["records"])
        _from_workers["cprs"].update(output["cprs"])


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session, exitstatus):
    config = session.config
    if _is_xdist_worker(config):
        records = [(r.logger, r.level, r.test, r.text) for r in _handler.records]
        config.workeroutput["logcheck"] = {"records": records, "cprs": sorted(cprs_used)}
        return
    _handler.records.extend(_from_workers["records"])
    cprs_used.update(_from_workers["cprs"])
    _hits[:] = find_hits(_handler.records, cprs_used)
    if _hits and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if _hits:
        terminalreporter.section("CPR numbers in the logs", sep="=", red=True, bold=True)
        for hit in _hits:
            terminalreporter.line(hit.describe(), red=True)
        terminalreporter.line(f"{len(_hits)} log record(s) hold a CPR number used by the tests: the session fails.")
    else:
        terminalreporter.line(
            f"Log check: {len(_handler.records)} record(s) with CPR-like digits kept, "
            f"{len(cprs_used)} CPR number(s) used by the tests, no CPR number in the logs."
        )
