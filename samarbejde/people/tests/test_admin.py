"""Persons and person links in Django's admin go through people.services: the services' guards (Danish form
errors, nothing saved) and their domain audit actions, next to the generic admin.* events."""

from datetime import timedelta

import pytest
from django.utils import timezone

from samarbejde.audit.models import AuditEvent
from samarbejde.core.admin import ADMIN_PURPOSE
from samarbejde.core.tests.admin_forms import admin_url, form_data, form_errors
from samarbejde.organisations.models import Organisation
from samarbejde.organisations.roles import Role
from samarbejde.organisations.tests.factories import municipality, organisation, user_with_role
from samarbejde.people import services
from samarbejde.people.models import LinkReason, Person, PersonLink

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user():
    return user_with_role(Role.ADMINISTRATOR, username="admin")


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def person():
    return Person.objects.create(
        cpr="0101901234", first_name="Jens", last_name="Jensen", address="Vej 1", home_municipality=municipality("101")
    )


def stored(person) -> tuple:
    row = Person.objects.get(pk=person.pk)
    return row.cpr, row.first_name, row.last_name, row.address, row.home_municipality_id


def edit_page(admin_client, person):
    url = admin_url(Person, "change", person.pk)
    return url, form_data(admin_client.get(url))


# --- Persons ------------------------------------------------------------------------------------------


def test_editing_a_person_is_audited_as_people_update_with_field_names(admin_client, admin_user, person):
    url, data = edit_page(admin_client, person)
    data.update(first_name="Jens Peter", address="Ny vej 2", home_municipality=str(municipality("751").pk))
    response = admin_client.post(url, data)
    assert response.status_code == 302
    assert stored(person) == ("0101901234", "Jens Peter", "Jensen", "Ny vej 2", municipality("751").pk)
    event = AuditEvent.objects.get(action="people.update")
    assert event.person == person
    assert event.actor == admin_user
    assert event.purpose == ADMIN_PURPOSE
    assert event.details == {"fields": ["address", "first_name", "home_municipality"]}
    assert "Peter" not in str(event.details) and "Ny vej" not in str(event.details)
    # The generic admin event is still written, with the same person.
    assert AuditEvent.objects.get(action="admin.change", person=person).details == {
        "fields": ["address", "first_name", "home_municipality"]
    }


def test_an_unchanged_resubmit_writes_no_people_update(admin_client, person):
    url, data = edit_page(admin_client, person)
    assert admin_client.post(url, data).status_code == 302
    assert not AuditEvent.objects.filter(action="people.update").exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"cpr": "020285-1234"}, "cpr", services.MSG_CPR_EXISTS),
        ({"home_municipality": "inactive"}, "home_municipality", services.MSG_NOT_A_MUNICIPALITY),
        ({"cpr": "123"}, "cpr", "Et CPR-nummer har 10 cifre (ddmmåå-xxxx). Du har skrevet 3 cifre."),
        ({"first_name": "   "}, "first_name", "Dette felt er påkrævet."),
    ],
)
def test_a_refused_person_edit_shows_the_danish_message_and_saves_nothing(admin_client, person, change, field, message):
    Person.objects.create(cpr="0202851234", first_name="Hanne", last_name="Hansen")
    url, data = edit_page(admin_client, person)
    if change.get("home_municipality") == "inactive":
        aarhus = municipality("751")
        Organisation.objects.filter(pk=aarhus.pk).update(is_active=False)
        change = {"home_municipality": str(aarhus.pk)}
    before = stored(person)
    response = admin_client.post(url, {**data, "address": "Ny vej 2", **change})
    assert response.status_code == 200
    assert form_errors(response)[field] == [message]
    assert message in response.text
    assert stored(person) == before  # the address typed alongside is not saved either
    assert not AuditEvent.objects.filter(action__in=["people.update", "admin.change"]).exists()


def test_adding_a_person_goes_through_person_register(admin_client, admin_user):
    response = admin_client.post(
        admin_url(Person, "add"),
        {"cpr": "030303-1234", "first_name": " Ny ", "last_name": "Person", "address": "", "home_municipality": ""},
    )
    assert response.status_code == 302
    created = Person.objects.get(cpr="0303031234")
    assert created.first_name == "Ny"
    event = AuditEvent.objects.get(action="people.create")
    assert (event.person, event.actor, event.purpose) == (created, admin_user, ADMIN_PURPOSE)
    assert AuditEvent.objects.get(action="admin.add", person=created).object_id == str(created.pk)
    assert response["Location"] == admin_url(Person, "changelist")


def test_adding_a_person_with_a_known_cpr_is_refused_in_danish(admin_client, person):
    response = admin_client.post(
        admin_url(Person, "add"), {"cpr": "010190-1234", "first_name": "Dublet", "last_name": "Person"}
    )
    assert response.status_code == 200
    assert form_errors(response)["cpr"] == [services.MSG_CPR_EXISTS]
    assert Person.objects.count() == 1
    assert not AuditEvent.objects.filter(action__in=["people.create", "admin.add"]).exists()


def test_the_home_municipality_must_be_a_municipality(admin_client, person):
    """The autocomplete offers municipalities only; a forged KRFO unit is refused by the form."""
    url, data = edit_page(admin_client, person)
    response = admin_client.post(url, {**data, "home_municipality": str(organisation("krfo-storstroem").pk)})
    assert response.status_code == 200
    assert "home_municipality" in form_errors(response)
    assert stored(person)[4] == municipality("101").pk


# --- Person links -------------------------------------------------------------------------------------


@pytest.fixture
def link(person):
    return PersonLink.objects.create(
        person=person,
        organisation=municipality("101"),
        reason=LinkReason.NOTIFICATION,
        expires_at=(timezone.now() + timedelta(days=10)).replace(microsecond=0),
    )


def link_page(admin_client, link):
    url = admin_url(PersonLink, "change", link.pk)
    return url, form_data(admin_client.get(url))


def expiry(moment) -> dict:
    local = timezone.localtime(moment)
    return {"expires_at_0": local.strftime("%Y-%m-%d"), "expires_at_1": local.strftime("%H:%M:%S")}


def test_changing_a_links_expiry_goes_through_person_link_extend(admin_client, admin_user, link):
    url, data = link_page(admin_client, link)
    new = (timezone.now() + timedelta(days=60)).replace(microsecond=0)
    response = admin_client.post(url, {**data, **expiry(new)})
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.expires_at == new
    event = AuditEvent.objects.get(action="people.link_extend")
    assert (event.person, event.object_id, event.actor) == (link.person, str(link.pk), admin_user)
    assert event.details["expires_at"] == new.isoformat()
    assert AuditEvent.objects.get(action="admin.change", object_id=str(link.pk)).details == {"fields": ["expires_at"]}


@pytest.mark.parametrize(
    ("value", "message"),
    [(timedelta(days=-1), services.MSG_LINK_EXPIRY_PAST), (None, services.MSG_LINK_EXPIRY_REQUIRED)],
)
def test_a_past_or_empty_expiry_is_refused_in_danish(admin_client, link, value, message):
    url, data = link_page(admin_client, link)
    before = link.expires_at
    change = expiry(timezone.now() + value) if value else {"expires_at_0": "", "expires_at_1": ""}
    # Ticking "close" in the same submit is rolled back with the refusal.
    response = admin_client.post(url, {**data, **change, "close": "on"})
    assert response.status_code == 200
    assert form_errors(response) == {"expires_at": [message]}
    assert message in response.text
    link.refresh_from_db()
    assert (link.expires_at, link.closed_at) == (before, None)
    assert not AuditEvent.objects.filter(
        action__in=["people.link_extend", "people.link_close", "admin.change"]
    ).exists()


def test_closing_a_link_goes_through_person_link_close(admin_client, admin_user, link):
    url, data = link_page(admin_client, link)
    response = admin_client.post(url, {**data, "close": "on"})
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.closed_at is not None and not link.is_live
    assert link.expires_at is not None  # unchanged
    event = AuditEvent.objects.get(action="people.link_close")
    assert (event.person, event.actor, event.purpose) == (link.person, admin_user, ADMIN_PURPOSE)
    assert not AuditEvent.objects.filter(action="people.link_extend").exists()


def test_an_expired_link_resubmitted_unchanged_is_not_refused(admin_client, link):
    PersonLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(days=2))
    url, data = link_page(admin_client, link)
    assert admin_client.post(url, data).status_code == 302
    assert not AuditEvent.objects.filter(action="people.link_extend").exists()
    # And it can be closed without touching the (past) expiry.
    assert admin_client.post(url, {**data, "close": "on"}).status_code == 302
    assert AuditEvent.objects.filter(action="people.link_close").count() == 1


def test_a_closed_link_is_shown_not_changed(admin_client, link, admin_user):
    services.person_link_close(link, acting_user=admin_user)
    url = admin_url(PersonLink, "change", link.pk)
    page = admin_client.get(url)
    assert page.status_code == 200
    assert 'name="close"' not in page.text and 'name="expires_at_0"' not in page.text
    response = admin_client.post(url, {**expiry(timezone.now() + timedelta(days=5))})
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="people.link_extend").exists()
