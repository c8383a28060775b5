"""The axe/CSP browser harness itself: it must catch a broken page, or a green run means nothing."""

import pytest

from samarbejde.core.tests.browser import axe_check

pytestmark = [pytest.mark.django_db, pytest.mark.browser]


@pytest.mark.urls("samarbejde.core.tests.urls")
def test_harness_reports_axe_and_csp_violations(client):
    report = axe_check(client, ["/test/broken-page/"])
    assert report.statuses == {"/test/broken-page/": 200}
    assert any(line.startswith("label ") for line in report.violations["/test/broken-page/"])
    assert report.csp_violations, "the inline script must be refused by the CSP"
