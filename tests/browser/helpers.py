"""Helpers for browser tests: visit a page with accessibility checks, log in, switch membership.

Usage (``page`` is the fixture from ``tests/browser/conftest.py``)::

    from playwright.sync_api import expect

    from tests.browser.helpers import check_page, login, submit, visit

    def test_audit_search(page):
        login(page, "admin")                                # the login form; waits for /start/
        visit(page, "/revision/", "audit-search")          # goto + CSP/console + static 404s + axe + screenshot
        page.get_by_label("Handling").fill("accounts.login")
        submit(page, page.get_by_role("button", name="Søg"))  # click and wait for the next page
        expect(page.locator("h1")).to_have_text("Revisionsspor")
        check_page(page, "audit-search-results")            # same checks on the state you are in now

Every page (and every state worth seeing: form errors, htmx results) a test visits should go through
``visit`` or ``check_page``, so that it is checked with axe-core at WCAG 2.1 AA and gets a screenshot in
``test-artifacts/screenshots/<name>.png``. Find elements the way users do: by label
(``get_by_label``) and by role and name (``get_by_role``); labels with "(valgfrit)" need a regex
(``re.compile(r"^Telefon")``). After an htmx update, wait with ``expect(...)``, not with a sleep.
Demo users (``samarbejde.demo.data.DEMO_USERS``) are loaded before every test; their password is the default.
"""

import json
import re
from pathlib import Path

from django.conf import settings

from samarbejde.demo.data import DEMO_PASSWORD

AXE_JS = Path(settings.BASE_DIR) / "samarbejde" / "static" / "vendor" / "axe" / "axe.min.js"
SCREENSHOT_DIR = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def url(page, path: str) -> str:
    """The absolute URL of `path` on the live server."""
    return path if path.startswith("http") else page.base_url + path


def visit(page, path: str, name: str, *, status: int = 200):
    """Go to `path` on the live server and check the page (see `check_page`); returns the response.

    `status` is the HTTP status the page must answer with (e.g. 404 for the not-found page).
    """
    response = page.goto(url(page, path), wait_until="load")
    assert response is not None, f"No response for {path}"
    assert response.status == status, f"{path} answered {response.status}, expected {status}"
    check_page(page, name)
    return response


def check_page(page, name: str) -> None:
    """Check the page as it is now: no CSP or JavaScript errors, no failing static files, 0 axe violations
    at WCAG 2.1 AA; then save a full-page screenshot as test-artifacts/screenshots/<name>.png.

    The screenshot is taken before the assertions, so a failing page is also captured.
    """
    page.wait_for_load_state("load")
    screenshot(page, name)
    assert_no_console_errors(page)
    assert_static_files_ok(page)
    assert_no_axe_violations(page)


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/screenshots/ and return its path."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def console_errors(page) -> list[str]:
    """Console errors and uncaught exceptions seen on the page so far (CSP violations are console errors)."""
    errors = []
    for message in page.console_messages:
        if isinstance(message, Exception):
            errors.append(f"uncaught: {message}")
        elif message.type == "error":
            errors.append(message.text)
    return errors


def assert_no_console_errors(page) -> None:
    """No CSP violation and no JavaScript error since the page fixture was created (or last cleared)."""
    errors = console_errors(page)
    csp = [e for e in errors if "Content Security Policy" in e or "Content-Security-Policy" in e]
    assert not csp, "CSP violations on " + page.url + ":\n  " + "\n  ".join(csp)
    # 4xx/5xx page loads are logged as console errors by Chromium; the status is checked by `visit`.
    other = [e for e in errors if "Failed to load resource" not in e]
    assert not other, "JavaScript errors on " + page.url + ":\n  " + "\n  ".join(other)


def assert_static_files_ok(page) -> None:
    """Every static file (DKFDS CSS/JS, htmx, app.css/app.js, fonts) loaded without a 4xx/5xx."""
    assert not page.failed_requests, "Static files failed to load:\n  " + "\n  ".join(page.failed_requests)


def axe_results(page, tags: list[str] | None = None) -> dict:
    """Run axe-core on the current document and return its results object.

    axe (samarbejde/static/vendor/axe/axe.min.js, from npm axe-core via ``make assets``) is evaluated through
    the DevTools protocol (``page.evaluate``), which the page's CSP does not govern. ``page.add_script_tag``
    would add an inline <script>, which the site's strict CSP (script-src 'self' 'nonce-...') rightly blocks;
    and ``bypass_csp=True`` would switch off the very CSP these tests check. So the CSP stays enforced.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    return page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        tags or WCAG_21_AA,
    )


_AXE_SOURCE: list[str] = []


def _axe_source() -> str:
    """axe-core's source, read once per session."""
    if not _AXE_SOURCE:
        assert AXE_JS.exists(), f"{AXE_JS} is missing: run `make assets`"
        _AXE_SOURCE.append(AXE_JS.read_text(encoding="utf-8"))
    return _AXE_SOURCE[0]


def format_violations(violations: list[dict]) -> str:
    """A readable list: rule id, impact, help text and URL, and the CSS selector of each failing node."""
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"][:10]:
            target = " ".join(json.dumps(t) if not isinstance(t, str) else t for t in node["target"])
            lines.append(f"    {target}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:300]}")
        if len(violation["nodes"]) > 10:
            lines.append(f"    ... and {len(violation['nodes']) - 10} more")
    return "\n".join(lines)


def assert_no_axe_violations(page) -> None:
    """0 axe-core violations at WCAG 2.1 AA (wcag2a, wcag2aa, wcag21a, wcag21aa) on the current page."""
    violations = axe_results(page)["violations"]
    assert not violations, f"axe-core found {len(violations)} WCAG 2.1 AA violation(s) on {page.url}:\n" + (
        format_violations(violations)
    )


def submit(page, button) -> None:
    """Click `button` (a Locator) and wait until the page it leads to has loaded.

    Use it for clicks that load a new page (form posts, links); for htmx updates use ``expect(...)`` instead.
    """
    with page.expect_navigation(wait_until="load"):
        button.click()


def login(page, username: str, password: str = DEMO_PASSWORD, *, check: bool = True) -> None:
    """Log in through the login form as `username` (a demo user; password DEMO_PASSWORD by default).

    With ``check=True`` (default), waits for the start page (/start/) and fails if the login did not succeed.
    """
    page.goto(url(page, "/konto/log-ind/"))
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill(password)
    submit(page, page.get_by_role("button", name="Log ind", exact=True))
    if check:
        assert page.url.endswith("/start/"), f"Login as {username} did not reach /start/ (now at {page.url})"


def logout(page) -> None:
    """Log out with the header's "Log ud" button."""
    submit(page, page.get_by_role("button", name="Log ud"))


def switch_membership(page, label_contains: str) -> None:
    """Choose the membership whose label contains `label_contains` in the header's "Arbejder som" and press Skift."""
    select = page.get_by_label("Arbejder som")
    options = select.locator("option").all_text_contents()
    matches = [o for o in options if label_contains in o]
    assert len(matches) == 1, f"Expected one membership matching {label_contains!r}, options were {options}"
    select.select_option(label=matches[0])
    submit(page, page.get_by_role("button", name="Skift", exact=True))
