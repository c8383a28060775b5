"""Django's admin: administrators only; the audit trail (and other read-only models) cannot be changed there;
administrators maintain organisations, users, memberships and the legal catalogue, and those writes are audited."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse

from samarbejde.audit.models import AuditEvent
from samarbejde.audit.tests.factories import PersonFactory, audit_event
from samarbejde.core.models import WorkerHeartbeat
from samarbejde.core.tests.admin_forms import admin_url, form_data
from samarbejde.legal.models import Act, Paragraph
from samarbejde.organisations.models import ContactChangeRequest, Membership, Region
from samarbejde.organisations.roles import Role
from samarbejde.organisations.tests.factories import UserFactory, organisation, user_with_role
from samarbejde.people.models import Person, PersonLink

pytestmark = pytest.mark.django_db

NON_ADMIN_ROLES = [role for role in Role if role != Role.ADMINISTRATOR]
ADMIN_CONTENT = "Samarbejde – administration"


def assert_refused(response):
    """A redirect to the admin login or a 403, never admin content."""
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("admin:login"))


# --- Who reaches the admin --------------------------------------------------------------------------


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
def test_non_administrators_are_refused_the_admin(client, role):
    user = user_with_role(role)
    user.is_staff = True  # even with Django's staff flag: the capability decides
    user.save()
    client.force_login(user)
    for url in ("/admin/", admin_url(AuditEvent, "changelist"), admin_url(Person, "changelist")):
        response = client.get(url)
        assert_refused(response)
        assert ADMIN_CONTENT not in response.text or response.status_code == 302


def test_user_without_membership_is_refused_even_as_superuser(client):
    client.force_login(UserFactory(username="super", is_staff=True, is_superuser=True))
    assert_refused(client.get("/admin/"))


def test_administrator_without_staff_flag_is_refused(client):
    user = user_with_role(Role.ADMINISTRATOR)
    get_user_model().objects.filter(pk=user.pk).update(is_staff=False)
    client.force_login(user)
    assert_refused(client.get("/admin/"))


def test_anonymous_is_sent_to_the_admin_login(client):
    assert_refused(client.get("/admin/"))


def test_administrator_reaches_the_admin_and_sees_every_registered_model(admin_client):
    response = admin_client.get("/admin/")
    assert response.status_code == 200
    assert ADMIN_CONTENT in response.text
    for model in (AuditEvent, Person, PersonLink, Act, Membership, get_user_model(), Region, WorkerHeartbeat):
        assert admin_url(model, "changelist") in response.text, model


@pytest.mark.parametrize("model", [model for model in admin.site._registry], ids=lambda m: m._meta.label)
def test_every_changelist_and_add_page_renders_for_an_administrator(admin_client, model):
    model_admin = admin.site._registry[model]
    response = admin_client.get(admin_url(model, "changelist"))
    assert response.status_code == 200
    add = admin_client.get(admin_url(model, "add"))
    assert add.status_code == (200 if model_admin.has_add_permission(add.wsgi_request) else 403)


# --- The audit trail is read-only in the admin -----------------------------------------------------


@pytest.fixture
def event(person, krfo_user):
    return audit_event("people.view", actor=krfo_user, person=person, purpose="Oprindeligt formål")


def test_audit_admin_has_no_add_change_or_delete_permission(admin_client, event):
    request = admin_client.get("/admin/").wsgi_request
    model_admin = admin.site._registry[AuditEvent]
    assert model_admin.has_view_permission(request, event)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, event)
    assert not model_admin.has_delete_permission(request, event)
    assert "delete_selected" not in model_admin.get_actions(request)


def test_audit_rows_cannot_be_changed_or_deleted_through_the_admin(admin_client, event):
    change = admin_url(AuditEvent, "change", event.pk)
    assert admin_client.get(change).status_code == 200  # view only
    response = admin_client.post(change, {"purpose": "Ændret", "action": "people.view"})
    assert response.status_code == 403
    assert admin_client.post(admin_url(AuditEvent, "delete", event.pk), {"post": "yes"}).status_code == 403
    assert admin_client.get(admin_url(AuditEvent, "add")).status_code == 403
    bulk = admin_client.post(
        admin_url(AuditEvent, "changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    event.refresh_from_db()
    assert event.purpose == "Oprindeligt formål"


def test_audit_changelist_filters_and_searches(admin_client, event, person, other_person):
    other = audit_event("people.create", person=other_person)
    changelist = admin_url(AuditEvent, "changelist")

    def shown(params):
        response = admin_client.get(changelist, params)
        assert response.status_code == 200
        return {row.pk for row in response.context["cl"].result_list}

    assert shown({"action": "people.view"}) == {event.pk}
    about_person = shown({"person__id__exact": str(person.pk)})
    assert event.pk in about_person
    assert set(AuditEvent.objects.filter(pk__in=about_person).values_list("person", flat=True)) == {person.pk}
    assert shown({"q": str(other.correlation_id)}) >= {other.pk}
    assert shown({"q": "Oprindeligt"}) == {event.pk}
    assert shown({"role": "krfo_case_worker"}) >= {event.pk}
    assert other.pk not in shown({"role": "krfo_case_worker"})
    # The list shows the person masked.
    response = admin_client.get(changelist, {"person__id__exact": str(person.pk)})
    assert "Jens Jensen (010190-xxxx)" in response.text


def test_audit_admin_cpr_lookup_is_a_post_that_lists_the_persons_events_by_id(admin_client, event, person):
    changelist = admin_url(AuditEvent, "changelist")
    lookup = changelist + "cpr-opslag/"
    assert 'action="' + lookup + '"' in admin_client.get(changelist).text
    assert admin_client.get(lookup).status_code == 405
    response = admin_client.post(lookup, {"cpr": "010190-1234"})
    assert response.status_code == 302
    assert response["Location"] == f"{changelist}?person__id__exact={person.pk}"
    found = AuditEvent.objects.filter(action="people.search").latest("id")
    assert (found.person, found.details) == (person, {"found": True, "source": "admin"})
    rows = admin_client.get(response["Location"]).context["cl"].result_list
    assert event.pk in {row.pk for row in rows} and {row.person_id for row in rows} == {person.pk}
    # The search box never takes a CPR number: a GET carrying one is refused, not searched.
    assert admin_client.get(changelist, {"q": "010190-1234"}).status_code == 400


def test_audit_admin_reads_are_audited(admin_client, event, person, other_person):
    audit_event("people.create", person=other_person)
    admin_client.get(admin_url(AuditEvent, "changelist"), {"person__id__exact": str(person.pk)})
    search = AuditEvent.objects.filter(action="audit.search").latest("id")
    assert search.person == person
    # The unfiltered list names every person shown, each in a read event of their own.
    admin_client.get(admin_url(AuditEvent, "changelist"))
    assert AuditEvent.objects.filter(action="admin.view", person=other_person).count() == 1
    admin_client.get(admin_url(AuditEvent, "change", event.pk))
    view = AuditEvent.objects.filter(action="admin.view").latest("id")
    assert view.person == person
    assert view.object_id == str(event.pk)


# --- Other read-only and no-delete models ----------------------------------------------------------


def test_worker_heartbeat_and_regions_are_read_only(admin_client):
    from django.utils import timezone

    beat = WorkerHeartbeat.objects.create(worker="w1", beat_at=timezone.now())
    assert admin_client.post(admin_url(WorkerHeartbeat, "change", beat.pk), {"worker": "x"}).status_code == 403
    region = Region.objects.first()
    assert admin_client.post(admin_url(Region, "change", region.pk), {"name": "x", "code": "1"}).status_code == 403


def test_change_requests_are_shown_not_changed(admin_client, admin_user):
    request = ContactChangeRequest.objects.create(
        organisation=organisation("101"),
        function="main",
        unit_name="Ny enhed",
        proposed_by=admin_user,
        proposed_by_organisation=organisation("krfo-direktoratet"),
    )
    assert admin_client.get(admin_url(ContactChangeRequest, "change", request.pk)).status_code == 200
    assert admin_client.post(admin_url(ContactChangeRequest, "change", request.pk), {}).status_code == 403
    assert admin_client.post(admin_url(ContactChangeRequest, "delete", request.pk), {"post": "yes"}).status_code == 403


def test_persons_cannot_be_deleted_and_reads_are_audited(admin_client, person):
    assert admin_client.post(admin_url(Person, "delete", person.pk), {"post": "yes"}).status_code == 403
    assert Person.objects.filter(pk=person.pk).exists()
    response = admin_client.get(admin_url(Person, "changelist"), {"q": "Jensen"})
    assert [p.pk for p in response.context["cl"].result_list] == [person.pk]
    assert "010190-xxxx" in response.text
    assert AuditEvent.objects.filter(action="admin.view", person=person).count() == 1
    admin_client.get(admin_url(Person, "change", person.pk))
    assert AuditEvent.objects.filter(action="admin.view", person=person).count() == 2


def test_person_change_validates_the_cpr_in_danish_and_is_audited(admin_client, person):
    url = admin_url(Person, "change", person.pk)
    data = form_data(admin_client.get(url))
    bad = admin_client.post(url, {**data, "cpr": "123"})
    assert bad.status_code == 200
    assert "Et CPR-nummer har 10 cifre" in bad.text
    ok = admin_client.post(url, {**data, "cpr": "010190-1234", "address": "Ny adresse 1"})
    assert ok.status_code == 302
    person.refresh_from_db()
    assert person.address == "Ny adresse 1"
    change = AuditEvent.objects.get(action="admin.change", person=person)
    assert change.details == {"fields": ["address"]}


# --- Administrators maintain the catalogue, organisations and users --------------------------------


def test_administrator_adds_an_act_with_paragraphs(admin_client, admin_user):
    url = admin_url(Act, "add")
    data = form_data(admin_client.get(url))
    data.update(
        {
            "key": "testloven",
            "short_name": "Testloven",
            "title": "Lov om afprøvning",
            "kind": "LOV",
            "number": "42",
            "issued_on": "2026-01-02",
            "is_verified": "on",
            "sort_order": "99",
            "paragraphs-0-reference": "§ 1",
            "paragraphs-0-summary": "Formål",
            "paragraphs-0-sort_order": "0",
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    act = Act.objects.get(short_name="Testloven")
    assert list(act.paragraphs.values_list("reference", flat=True)) == ["§ 1"]
    assert AuditEvent.objects.filter(action="admin.add", object_id=str(act.pk), actor=admin_user).exists()
    paragraph = Paragraph.objects.get(act=act)
    assert paragraph.key == "testloven:1"  # derived once from the act's key and the reference
    assert AuditEvent.objects.filter(action="admin.add", object_id=str(paragraph.pk)).exists()


def test_administrator_edits_a_krfo_unit(admin_client):
    unit = organisation("krfo-koebenhavns-faengsler")
    url = admin_url(type(unit), "change", unit.pk)
    data = form_data(admin_client.get(url))
    response = admin_client.post(url, {**data, "phone": "72 55 00 00"})
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.phone == "72 55 00 00"
    event = AuditEvent.objects.get(action="admin.change", object_id=str(unit.pk))
    assert event.details == {"fields": ["phone"]} and event.person is None


def test_administrator_gives_a_user_an_administrator_membership_inline(admin_client):
    user = UserFactory(username="ny.admin")
    url = admin_url(get_user_model(), "change", user.pk)
    data = form_data(admin_client.get(url))
    data.update(
        {
            "memberships-TOTAL_FORMS": "1",
            "memberships-0-organisation": str(organisation("krfo-direktoratet").pk),
            "memberships-0-role": Role.ADMINISTRATOR,
            "memberships-0-is_active": "on",
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302
    membership = Membership.objects.get(user=user)
    assert membership.role == Role.ADMINISTRATOR
    user.refresh_from_db()
    assert user.is_staff
    assert AuditEvent.objects.filter(action="admin.add", object_id=str(membership.pk)).exists()


def test_a_membership_in_the_wrong_kind_of_organisation_is_refused_in_danish(admin_client):
    user = UserFactory(username="forkert.rolle")
    url = admin_url(get_user_model(), "change", user.pk)
    data = form_data(admin_client.get(url))
    data.update(
        {
            "memberships-TOTAL_FORMS": "1",
            "memberships-0-organisation": str(organisation("101").pk),
            "memberships-0-role": Role.ADMINISTRATOR,
            "memberships-0-is_active": "on",
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "Rollen kan ikke bruges i denne type organisation." in response.text
    assert not Membership.objects.filter(user=user).exists()


def test_groups_are_not_in_the_admin():
    from django.contrib.auth.models import Group

    assert not admin.site.is_registered(Group)


def test_administrator_creates_a_user(admin_client):
    response = admin_client.post(
        admin_url(get_user_model(), "add"),
        {
            "username": "ny.bruger",
            "first_name": "Ny",
            "last_name": "Bruger",
            "email": "ny@test.invalid",
            "usable_password": "true",
            "password1": "Et-langt-kodeord-2026",
            "password2": "Et-langt-kodeord-2026",
        },
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(username="ny.bruger")
    assert user.check_password("Et-langt-kodeord-2026")
    assert AuditEvent.objects.filter(action="admin.add", object_id=str(user.pk)).exists()


def test_person_links_are_listed_but_neither_added_nor_deleted(admin_client, person):
    link = PersonLink.objects.create(person=person, organisation=organisation("101"), reason="case")
    request = admin_client.get("/admin/").wsgi_request
    model_admin = admin.site._registry[PersonLink]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_delete_permission(request, link)
    response = admin_client.get(admin_url(PersonLink, "changelist"))
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="admin.view", person=person).count() == 1


def test_new_person_in_the_admin_is_audited_with_the_person(admin_client):
    url = admin_url(Person, "add")
    response = admin_client.post(url, {"cpr": "030303-1234", "first_name": "Ny", "last_name": "Person", "address": ""})
    assert response.status_code == 302
    created = Person.objects.get(cpr="0303031234")
    assert AuditEvent.objects.get(action="admin.add", person=created).object_id == str(created.pk)


def test_many_persons_in_the_admin_list(admin_client):
    for _ in range(5):
        PersonFactory()
    response = admin_client.get(admin_url(Person, "changelist"))
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="admin.view").count() == 5
