"""Memberships in Django's admin (their own page and the user page's inline) go through organisations.services:
the services' guards (Danish form errors, nothing saved) and the domain audit actions
organisations.membership_grant|update|revoke, next to the generic admin.* events."""

import pytest
from django.contrib.auth import get_user_model

from samarbejde.audit.models import AuditEvent
from samarbejde.core.tests.admin_forms import admin_url, form_data, form_errors
from samarbejde.organisations import admin as organisations_admin
from samarbejde.organisations import services
from samarbejde.organisations.models import Department, Membership
from samarbejde.organisations.roles import Role
from samarbejde.organisations.tests.factories import UserFactory, organisation, user_with_role

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture
def admin_user():
    return user_with_role(Role.ADMINISTRATOR, username="admin")


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def worker():
    return UserFactory(username="sagsbehandler", first_name="Sara")


@pytest.fixture
def membership(worker):
    return services.membership_grant(worker, organisation=organisation("101"), role=Role.MUNICIPAL_CASE_WORKER)


def department(code: str, kind: str = "ydelse") -> Department:
    return Department.objects.get_or_create(
        organisation=organisation(code), kind=kind, defaults={"name": f"{kind} {code}"}
    )[0]


def stored(membership) -> tuple:
    row = Membership.objects.get(pk=membership.pk)
    return row.role, row.department_id, row.is_active


def actions(*names: str):
    return AuditEvent.objects.filter(action__in=names)


# --- The membership page: add -----------------------------------------------------------------------------


def test_adding_a_membership_goes_through_membership_grant(admin_client, admin_user, worker):
    response = admin_client.post(
        admin_url(Membership, "add"),
        {"user": str(worker.pk), "organisation": str(organisation("101").pk), "role": Role.MUNICIPAL_COORDINATOR},
    )
    assert response.status_code == 302
    created = Membership.objects.get(user=worker)
    assert (created.role, created.is_active) == (Role.MUNICIPAL_COORDINATOR, True)
    grant = AuditEvent.objects.get(action="organisations.membership_grant", object_id=str(created.pk))
    assert grant.actor == admin_user
    assert AuditEvent.objects.get(action="admin.add").object_id == str(created.pk)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"organisation": "101", "role": Role.ADMINISTRATOR},
            "role",
            "Rollen kan ikke bruges i denne type organisation.",
        ),
        (
            {"organisation": "101", "role": Role.MUNICIPAL_CASE_WORKER, "department": "751"},
            "department",
            "Afdelingen hører ikke til organisationen.",
        ),
        ({"organisation": "101", "role": Role.MUNICIPAL_CASE_WORKER}, "__all__", services.MSG_MEMBERSHIP_EXISTS),
    ],
)
def test_a_refused_new_membership_shows_the_danish_message_and_saves_nothing(
    admin_client, worker, membership, fields, field, message
):
    data = {
        "user": str(worker.pk),
        "organisation": str(organisation(fields["organisation"]).pk),
        "role": fields["role"],
    }
    if "department" in fields:
        data["department"] = str(department(fields["department"]).pk)
    response = admin_client.post(admin_url(Membership, "add"), data)
    assert response.status_code == 200
    assert message in form_errors(response)[field]
    assert message in response.text
    assert list(Membership.objects.filter(user=worker)) == [membership]
    assert not actions("admin.add").exists()


# --- The membership page: change --------------------------------------------------------------------------


def edit_page(admin_client, membership):
    url = admin_url(Membership, "change", membership.pk)
    page = admin_client.get(url)
    assert page.status_code == 200
    return url, form_data(page)


def test_user_and_organisation_are_fixed_on_an_existing_membership(admin_client, membership):
    url, data = edit_page(admin_client, membership)
    assert "user" not in data and "organisation" not in data
    admin_client.post(url, {**data, "organisation": str(organisation("751").pk)})
    assert Membership.objects.get(pk=membership.pk).organisation == organisation("101")


def test_changing_role_and_department_goes_through_membership_update(admin_client, admin_user, membership):
    url, data = edit_page(admin_client, membership)
    benefits = department("101")
    response = admin_client.post(url, {**data, "role": Role.MUNICIPAL_COORDINATOR, "department": str(benefits.pk)})
    assert response.status_code == 302
    assert stored(membership) == (Role.MUNICIPAL_COORDINATOR, benefits.pk, True)
    event = AuditEvent.objects.get(action="organisations.membership_update")
    assert (event.object_id, event.actor) == (str(membership.pk), admin_user)
    assert event.details["fields"] == ["department", "role"]
    assert AuditEvent.objects.get(action="admin.change").details == {"fields": ["department", "role"]}


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"role": Role.POLICE_OFFICER}, "role", "Rollen kan ikke bruges i denne type organisation."),
        ({"department": "751"}, "department", "Afdelingen hører ikke til organisationen."),
        ({"role": Role.MUNICIPAL_COORDINATOR}, "role", services.MSG_MEMBERSHIP_EXISTS),
    ],
)
def test_a_refused_membership_change_shows_the_danish_message_and_saves_nothing(
    admin_client, worker, membership, change, field, message
):
    services.membership_grant(worker, organisation=organisation("101"), role=Role.MUNICIPAL_COORDINATOR)
    url, data = edit_page(admin_client, membership)
    if "department" in change:
        change = {"department": str(department(change["department"]).pk)}
    # Unticking "aktiv" alongside is rolled back with the refusal.
    data.pop("is_active", None)
    response = admin_client.post(url, {**data, **change})
    assert response.status_code == 200
    assert message in form_errors(response)[field]
    assert stored(membership) == (Role.MUNICIPAL_CASE_WORKER, None, True)
    assert not actions("organisations.membership_update", "organisations.membership_revoke", "admin.change").exists()


def test_unticking_active_revokes_and_ticking_it_grants_again(admin_client, admin_user, membership):
    url, data = edit_page(admin_client, membership)
    data.pop("is_active")
    assert admin_client.post(url, data).status_code == 302
    assert stored(membership)[2] is False
    revoke = AuditEvent.objects.get(action="organisations.membership_revoke")
    assert (revoke.object_id, revoke.actor) == (str(membership.pk), admin_user)
    url, data = edit_page(admin_client, membership)
    assert admin_client.post(url, {**data, "is_active": "on"}).status_code == 302
    assert stored(membership)[2] is True
    regrant = AuditEvent.objects.filter(action="organisations.membership_grant", actor=admin_user).get()
    assert regrant.details == {"reactivated": True}


def test_an_administrator_cannot_revoke_the_membership_they_work_as(admin_client, admin_user):
    own = admin_user.memberships.get()
    url, data = edit_page(admin_client, own)
    data.pop("is_active")
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert form_errors(response)["is_active"] == [services.MSG_MEMBERSHIP_OWN_REVOKE]
    assert stored(own)[2] is True
    assert admin_client.get("/admin/").status_code == 200  # still an administrator


# --- The user page's membership inline --------------------------------------------------------------------


def user_page(admin_client, user):
    url = admin_url(User, "change", user.pk)
    return url, form_data(admin_client.get(url))


def test_inline_changes_go_through_the_services(admin_client, admin_user, worker, membership):
    url, data = user_page(admin_client, worker)
    data.update(
        {
            "memberships-0-role": Role.MUNICIPAL_COORDINATOR,
            "memberships-TOTAL_FORMS": "2",
            "memberships-1-organisation": str(organisation("751").pk),
            "memberships-1-role": Role.MUNICIPAL_CASE_WORKER,
            "memberships-1-is_active": "on",
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, form_errors(response) if response.context else ""
    assert stored(membership) == (Role.MUNICIPAL_COORDINATOR, None, True)
    added = Membership.objects.get(user=worker, organisation=organisation("751"))
    assert actions("organisations.membership_update").get().object_id == str(membership.pk)
    assert actions("organisations.membership_grant").filter(actor=admin_user).get().object_id == str(added.pk)
    assert actions("admin.change").filter(object_id=str(membership.pk)).get().details == {"fields": ["role"]}
    assert actions("admin.add").filter(object_id=str(added.pk)).exists()

    url, data = user_page(admin_client, worker)
    prefix = next(key for key, value in data.items() if key.endswith("-id") and value == str(membership.pk))
    data.pop(prefix.replace("-id", "-is_active"))
    assert admin_client.post(url, data).status_code == 302
    assert stored(membership)[2] is False
    assert actions("organisations.membership_revoke").get().object_id == str(membership.pk)


def test_an_inline_refusal_shows_on_its_row_and_rolls_back_the_whole_page(admin_client, admin_user):
    """The user's own fields are saved before the inline: the refusal must undo them too."""
    original = admin_user.first_name
    url, data = user_page(admin_client, admin_user)
    data.update({"first_name": "Omdøbt"})
    data.pop("memberships-0-is_active")  # revoke the membership the administrator works as
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert form_errors(response) == {"memberships-0": {"is_active": [services.MSG_MEMBERSHIP_OWN_REVOKE]}}
    assert services.MSG_MEMBERSHIP_OWN_REVOKE in response.text
    admin_user.refresh_from_db()
    assert admin_user.first_name == original
    assert stored(admin_user.memberships.get())[2] is True
    assert not actions("admin.change", "organisations.membership_revoke").exists()


def test_the_organisation_of_an_existing_inline_row_is_fixed(admin_client, worker, membership):
    url, data = user_page(admin_client, worker)
    data["memberships-0-organisation"] = str(organisation("751").pk)
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert form_errors(response) == {"memberships-0": {"organisation": [organisations_admin.MSG_ORGANISATION_FIXED]}}
    assert Membership.objects.get(pk=membership.pk).organisation == organisation("101")


def test_a_new_inline_row_must_be_active_and_new(admin_client, worker, membership):
    url, data = user_page(admin_client, worker)
    data.update(
        {
            "memberships-TOTAL_FORMS": "2",
            "memberships-1-organisation": str(organisation("101").pk),
            "memberships-1-role": Role.MUNICIPAL_CASE_WORKER,
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert form_errors(response)["memberships-1"] == {
        "is_active": [organisations_admin.MSG_NEW_INACTIVE],
        "__all__": [services.MSG_MEMBERSHIP_EXISTS],
    }
    assert Membership.objects.filter(user=worker).count() == 1


def test_deleting_an_inline_row_still_works_and_is_audited(admin_client, worker, membership):
    url, data = user_page(admin_client, worker)
    data["memberships-0-DELETE"] = "on"
    assert admin_client.post(url, data).status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert actions("admin.delete").get().object_id == str(membership.pk)
