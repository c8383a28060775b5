"""axe-core (WCAG 2.1 AA) in Chromium on the public pages, the login page, the API docs and start pages."""

import pytest
from django.test import Client

from samarbejde.accounts.tests.factories import user_with_role
from samarbejde.core.tests.browser import axe_check
from samarbejde.organisations.roles import Role

pytestmark = [pytest.mark.django_db, pytest.mark.browser]

ANONYMOUS_PAGES = [
    "/",
    "/kommuner/",
    "/kommuner/?q=aar&region=1082",
    "/kommuner/?q=findes-ikke",
    "/kommuner/101/",
    "/lovgrundlag/",
    "/dokumenter/",
    "/tilgaengelighed/",
    "/personoplysninger/",
    "/api/v1/docs/",
    "/konto/log-ind/",
    "/findes-ikke/",
]


def test_anonymous_pages_pass_axe_without_csp_violations(client):
    report = axe_check(client, ANONYMOUS_PAGES)
    assert report.violations == {}
    assert report.csp_violations == []
    assert report.statuses["/findes-ikke/"] == 404
    assert all(status == 200 for url, status in report.statuses.items() if url != "/findes-ikke/")


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.MUNICIPAL_COORDINATOR, Role.KRFO_CASE_WORKER])
def test_logged_in_pages_pass_axe(role):
    client = Client()
    client.force_login(user_with_role(role))
    report = axe_check(client, ["/start/", "/kommuner/751/", "/api/v1/docs/"])
    assert report.statuses == {"/start/": 200, "/kommuner/751/": 200, "/api/v1/docs/": 200}
    assert report.violations == {}
    assert report.csp_violations == []
