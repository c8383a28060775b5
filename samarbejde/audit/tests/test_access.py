"""Who may search the audit trail and pull a data-subject report: table-driven over every role."""

import pytest
from django.urls import reverse

from samarbejde.audit.models import AuditEvent
from samarbejde.organisations.roles import Role
from samarbejde.organisations.tests.factories import UserFactory, user_with_role

pytestmark = pytest.mark.django_db

ALLOWED = {Role.ADMINISTRATOR}


@pytest.mark.parametrize("role", list(Role))
def test_search_page_only_for_administrators(client, role):
    client.force_login(user_with_role(role))
    response = client.get(reverse("audit:search"), {"handling": "people"})
    assert response.status_code == (200 if role in ALLOWED else 403)
    searched = AuditEvent.objects.filter(action="audit.search").exists()
    assert searched == (role in ALLOWED)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("report_format", ["", "csv", "pdf"])
def test_subject_report_only_for_administrators(client, role, report_format, person):
    client.force_login(user_with_role(role))
    url = reverse("audit:subject_report", args=[person.pk])
    response = client.get(url, {"format": report_format} if report_format else {})
    assert response.status_code == (200 if role in ALLOWED else 403)
    assert AuditEvent.objects.filter(action="audit.subject_report").exists() == (role in ALLOWED)


@pytest.mark.parametrize("url_name", ["audit:search", "audit:subject_report"])
def test_anonymous_is_sent_to_login(client, url_name, person):
    url = reverse(url_name, args=[person.pk] if url_name == "audit:subject_report" else [])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_user_without_membership_is_refused(client, person):
    client.force_login(UserFactory(username="uden.tilknytning", is_staff=True))
    assert client.get(reverse("audit:search")).status_code == 403
    assert client.get(reverse("audit:subject_report", args=[person.pk])).status_code == 403


def test_inactive_administrator_membership_is_refused(client, admin_user):
    admin_user.memberships.update(is_active=False)
    client.force_login(admin_user)
    assert client.get(reverse("audit:search")).status_code == 403


def test_administrator_of_several_memberships_uses_the_current_one(client, admin_user):
    """With a case-worker membership chosen in the header, the same person may not search."""
    from samarbejde.organisations.services import membership_grant
    from samarbejde.organisations.tests.factories import organisation

    other = membership_grant(admin_user, organisation=organisation("krfo-direktoratet"), role=Role.KRFO_CASE_WORKER)
    client.force_login(admin_user)
    session = client.session
    session["membership_id"] = str(other.pk)
    session.save()
    assert client.get(reverse("audit:search")).status_code == 403


def test_other_methods_are_not_allowed(admin_client):
    assert admin_client.put(reverse("audit:search")).status_code == 405
    assert admin_client.delete(reverse("audit:search")).status_code == 405
