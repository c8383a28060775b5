"""Browser tests: Playwright for Python driving Debian's Chromium (/usr/bin/chromium), headless.

Every test in this folder is marked ``browser``. When Chromium is missing the tests are *skipped* with a
reason that ``pytest -ra`` reports, never silently; with ``REQUIRE_BROWSER_TESTS=1`` (set by ``.ci/run``)
they *fail* instead, so CI can never pass without running them. Playwright's own browser download
(``playwright install``) is never used.

Fixtures for test authors:

- ``page``: a fresh Playwright page (own context: no cookies shared between tests) whose
  ``page.base_url`` is the live server's URL. Use with the helpers in ``tests/browser/helpers.py``::

      from tests.browser.helpers import login, visit

      def test_something(page):
          login(page, "kbh.koordinator")
          visit(page, "/start/", "start-kbh-koordinator")   # navigates, checks CSP + axe, screenshots

- ``browser_data``: autouse; reference data (98 municipalities, KRFO units, acts) and the demo users and
  directory are (re)loaded before every test. live_server tests are transactional: pytest-django flushes
  every table after each of them, so nothing may be assumed to survive from one test to the next.
  (pytest-django runs transactional tests after all ``db`` tests, so the flush never hurts the rest of
  the suite.)
"""

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
SKIP_REASON = f"Chromium ({CHROMIUM}) not installed: browser tests skipped"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HERE = Path(__file__).resolve().parent

# Playwright's sync API runs an event loop in the test thread; Django's ORM would otherwise refuse to run there.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


def chromium_available() -> bool:
    return os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)


def browser_tests_required() -> bool:
    return os.environ.get("REQUIRE_BROWSER_TESTS", "") == "1"


def pytest_collection_modifyitems(config, items):
    """Mark every test in this folder `browser`; skip them (visibly) when Chromium is absent."""
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if HERE not in Path(str(item.path)).resolve().parents:
            continue
        item.add_marker(pytest.mark.browser)
        if not chromium_available() and not browser_tests_required():
            item.add_marker(skip)


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per test file (starting it is the slow part).

    Not per session: while Playwright's sync API runs, its event loop counts as running in this thread, so
    Django keeps connections per async context instead of per thread and a later non-browser test's
    transaction breaks ("The rollback flag doesn't work outside of an 'atomic' block", "table is locked").
    In one process pytest-django runs the browser tests last, but with pytest-xdist a worker may run other
    files after a browser file; the driver must stop when the file ends. It also lets the axe checks
    (samarbejde.core.tests.browser) start their own driver."""
    if not chromium_available():
        # Only reached with REQUIRE_BROWSER_TESTS=1 (otherwise the tests are skipped at collection).
        pytest.fail(f"Chromium ({CHROMIUM}) not installed, and REQUIRE_BROWSER_TESTS=1: browser tests must run.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_data(django_db_blocker):
    """Reference + demo data, loaded idempotently (the live server's tables are flushed after each test)."""
    from samarbejde.demo.data import load_demo_directory, load_demo_users
    from samarbejde.documents.reference import load_public_documents
    from samarbejde.legal.reference import load_acts
    from samarbejde.organisations.reference import load_municipalities, load_other_organisations

    with django_db_blocker.unblock():
        load_municipalities()
        load_other_organisations()
        load_acts()
        load_public_documents()
        load_demo_users()
        load_demo_directory()


HANG_GUARD_MS = 60_000


@pytest.fixture(autouse=True, scope="session")
def _patient_expectations():
    from playwright.sync_api import expect

    expect.set_options(timeout=HANG_GUARD_MS)


@pytest.fixture
def context(browser, live_server, browser_data):
    """A fresh browser context per test (own cookies and storage), Danish locale, fixed viewport."""
    context = browser.new_context(
        base_url=live_server.url,
        locale="da-DK",
        viewport={"width": 1280, "height": 900},
    )
    # A hang guard, not a budget: a busy machine only takes longer (expect() waits as long, set below).
    context.set_default_timeout(HANG_GUARD_MS)
    yield context
    context.close()


@pytest.fixture
def page(context, live_server):
    """A page that records console messages and failed requests; the helpers check them on every visit.

    ``page.base_url`` is the live server's URL; ``page.console_messages`` and ``page.failed_requests``
    are lists that grow while the test runs.
    """
    page = context.new_page()
    page.base_url = live_server.url
    page.console_messages = []
    page.failed_requests = []
    page.on("console", lambda message: page.console_messages.append(message))
    page.on("pageerror", lambda error: page.console_messages.append(error))
    page.on(
        "response",
        lambda response: (
            page.failed_requests.append(f"{response.status} {response.url}")
            if response.status >= 400 and "/static/" in response.url
            else None
        ),
    )
    # A download (e.g. a PDF) ends its navigation request as "failed" (net::ERR_ABORTED): not a fault.
    page.on(
        "requestfailed",
        lambda request: (
            page.failed_requests.append(f"failed {request.url}")
            if "/static/" in request.url or request.failure != "net::ERR_ABORTED"
            else None
        ),
    )
    yield page
    page.close()
