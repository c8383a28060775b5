"""The log check itself (tests/privacy/logcheck.py): it fails a session in which a CPR number used by the tests is
logged, names the record, and lets a session pass whose logs hold the number only in a redacted request path."""

import logging
from pathlib import Path

import pytest

from tests.privacy.logcheck import CapturingHandler, KeptRecord, find_hits

ROOT = Path(__file__).resolve().parents[2]

INNER_CONFTEST = 'pytest_plugins = ["tests.privacy.logcheck"]\n'
INNER_HEADER = """
import logging

from tests.privacy.logcheck import record_cpr
"""
CPR_LOGGED = """

def test_logs_a_cpr_on_purpose():
    record_cpr("010190-1234")
    logging.getLogger("samarbejde.people").warning("Fandt person 0101901234 i registret")
"""
PATH_ONLY = """

def test_logs_only_a_request_path():
    record_cpr("0202851234")
    logging.getLogger("django.server").info('"GET /revision/?cpr=020285-1234 HTTP/1.1" 200 512')
"""


@pytest.fixture
def inner(pytester, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    pytester.makeconftest(INNER_CONFTEST)
    return pytester


def test_a_session_that_logs_a_cpr_fails_and_names_the_record(inner):
    inner.makepyfile(test_inner=INNER_HEADER + CPR_LOGGED + PATH_ONLY)
    result = inner.runpytest_subprocess("-p", "no:django", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.assert_outcomes(passed=2)  # every test passed: the log check alone fails the session
    output = result.stdout.str()
    assert "CPR numbers in the logs" in output
    assert "CPR 010190-xxxx in a log record of samarbejde.people (WARNING)" in output
    assert "test_inner.py::test_logs_a_cpr_on_purpose" in output
    assert "1 log record(s) hold a CPR number used by the tests" in output
    assert "020285" not in output  # the request path was redacted, so that record is no hit


def test_a_session_without_a_cpr_in_its_logs_passes(inner):
    inner.makepyfile(test_inner=INNER_HEADER + PATH_ONLY)
    result = inner.runpytest_subprocess("-p", "no:django", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.OK
    assert "no CPR number in the logs" in result.stdout.str()


USES_A_CPR = """

def test_uses_a_cpr():
    record_cpr("030375-1234")
"""
LOGS_IT_ELSEWHERE = """

def test_logs_the_other_files_cpr():
    logging.getLogger("samarbejde.people").warning("Fandt person 030375-1234")
"""


def test_with_two_xdist_workers_a_number_used_in_one_is_found_in_the_others_logs(inner):
    """make test runs two workers (--dist loadfile: one file per worker here): the controller checks the union."""
    inner.makepyfile(test_uses=INNER_HEADER + USES_A_CPR, test_logs=INNER_HEADER + LOGS_IT_ELSEWHERE)
    result = inner.runpytest_subprocess("-p", "no:django", "-p", "no:cacheprovider", "-n", "2", "--dist", "loadfile")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.assert_outcomes(passed=2)
    output = result.stdout.str()
    assert "CPR 030375-xxxx in a log record of samarbejde.people (WARNING)" in output
    assert "test_logs.py::test_logs_the_other_files_cpr" in output


@pytest.mark.parametrize(
    ("text", "hit"),
    [
        ("person 0101901234", True),
        ("person 010190-1234", True),
        ("person 010190 1234", True),
        ("id 90101901234567", False),  # a longer digit run is another number
        ("person 010190-xxxx", False),
        ("GET /revision/?[...] HTTP/1.1", False),
    ],
)
def test_find_hits_knows_every_written_form_of_a_cpr_number(text, hit):
    record = KeptRecord("samarbejde", "INFO", "t", text)
    assert bool(find_hits([record], {"0101901234"})) is hit


def test_the_capturing_handler_keeps_tracebacks_and_redacts_paths_like_the_configured_handlers():
    handler = CapturingHandler()
    logger = logging.getLogger("tests.privacy.capture")
    logger.addHandler(handler)
    logger.propagate = False  # these records are for this handler only, not for the session's own log check
    try:
        try:
            raise ValueError("cpr 0101901234 afvist")
        except ValueError:
            logger.exception("fejl")
        logger.warning("Not Found: %s", "/x/?cpr=0303031234")
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    texts = [record.text for record in handler.records]
    assert len(texts) == 1 and "0101901234" in texts[0]  # the traceback is kept; the path was redacted
