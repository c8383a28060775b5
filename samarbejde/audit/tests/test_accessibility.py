"""axe-core (WCAG 2.1 AA) and the CSP on the audit search and the data-subject report page."""

import pytest

from samarbejde.audit.tests.factories import audit_event
from samarbejde.core.tests.browser import axe_check

pytestmark = [pytest.mark.django_db, pytest.mark.browser]


def test_audit_pages_pass_axe_without_csp_violations(admin_client, krfo_user, person):
    for _ in range(3):
        audit_event("people.view", actor=krfo_user, person=person)
    # The CPR search is POSTed and redirected to `?person=<id>` (or `?cpr_ukendt=1`): those are the result pages.
    urls = [
        "/revision/",
        f"/revision/?person={person.pk}",
        "/revision/?bruger=&organisation=&handling=&fra=2026-03-10&til=2026-03-01",
        "/revision/?cpr_ukendt=1",
        f"/revision/person/{person.pk}/",
    ]
    report = axe_check(admin_client, urls)
    assert set(report.statuses.values()) == {200}
    assert report.violations == {}
    assert report.csp_violations == []
