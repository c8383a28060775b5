"""Headless Chromium (Debian's, driven by Playwright) for axe-core checks, with no server at all.

The pages are rendered first by a Django test client (in the test's thread and transaction, so they see
the test's data), then handed to the browser through route interception with their real headers (CSP
included). Static files are read through the staticfiles finders. Nothing listens on a port.
Skipped when Chromium is absent, unless REQUIRE_BROWSER_TESTS is set (CI): then it fails.
"""

import mimetypes
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

AXE_JS = Path(settings.BASE_DIR) / "samarbejde" / "static" / "vendor" / "axe" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
HOP_BY_HOP = {"connection", "transfer-encoding", "content-length", "content-encoding"}
ORIGIN = "http://testserver"
AXE_RUN = "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})"


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def require_browser() -> str:
    """The Chromium executable, or skip (fail in CI) with the reason."""
    path = chromium_path()
    reason = ""
    if path is None:
        reason = "Chromium is not installed (apt-get install chromium)."
    elif not AXE_JS.exists():
        reason = f"axe-core is missing at {AXE_JS} (make assets)."
    if reason:
        if os.environ.get("REQUIRE_BROWSER_TESTS"):
            pytest.fail(reason)
        pytest.skip(reason)
    return path


@dataclass
class AxeReport:
    violations: dict[str, list[str]] = field(default_factory=dict)  # url -> one line per violation
    csp_violations: list[str] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)


def _rendered(response) -> dict:
    # No response.close(): the test client has closed it already, and a second close would fire
    # request_finished with close_old_connections connected, closing the test's PostgreSQL connection.
    body = b"".join(response.streaming_content) if response.streaming else response.content
    headers = {k: v for k, v in response.items() if k.lower() not in HOP_BY_HOP}
    return {"status": response.status_code, "headers": headers, "body": body}


def _static(path: str) -> dict:
    found = finders.find(path.removeprefix(settings.STATIC_URL))
    if not found:
        return {"status": 404, "body": b""}
    content_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
    return {"status": 200, "headers": {"Content-Type": content_type}, "body": Path(found).read_bytes()}


def axe_check(django_client, urls: list[str]) -> AxeReport:
    """Render each URL with `django_client`, load it in Chromium, run axe-core (WCAG 2.1 A and AA)."""
    from playwright.sync_api import sync_playwright

    executable = require_browser()
    report = AxeReport()
    pages = {url: _rendered(django_client.get(url)) for url in urls}
    report.statuses = {url: page["status"] for url, page in pages.items()}
    axe_source = AXE_JS.read_text(encoding="utf-8")
    current: dict[str, dict] = {}

    def answer(route, request):
        url = urlsplit(request.url)
        path = url.path + (f"?{url.query}" if url.query else "")
        if url.hostname != "testserver":
            route.abort()
        elif path in current:
            route.fulfill(**current.pop(path))
        elif url.path.startswith(settings.STATIC_URL):
            route.fulfill(**_static(url.path))
        else:
            route.fulfill(status=404, body=b"")

    def console(message):
        if "Content Security Policy" in message.text:
            report.csp_violations.append(message.text)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.on("console", console)
            page.route("**/*", answer)
            for url, rendered in pages.items():
                current[url] = rendered
                page.goto(ORIGIN + url, wait_until="load")
                page.evaluate(axe_source)  # through DevTools: not bound by the page's CSP
                result = page.evaluate(AXE_RUN, WCAG_TAGS)
                lines = [
                    f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:5]}"
                    for v in result["violations"]
                ]
                if lines:
                    report.violations[url] = lines
        finally:
            browser.close()
    return report
