"""person_update, person_link_extend and person_link_close: guards in Danish, nothing half-saved, audited."""

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from samarbejde.audit.models import AuditEvent
from samarbejde.organisations.models import Organisation
from samarbejde.organisations.roles import Role
from samarbejde.organisations.tests.factories import municipality, user_with_role
from samarbejde.people import services
from samarbejde.people.models import LinkReason, Person, PersonLink

pytestmark = pytest.mark.django_db


@pytest.fixture
def krfo():
    return user_with_role(Role.KRFO_CASE_WORKER)


@pytest.fixture
def administrator():
    return user_with_role(Role.ADMINISTRATOR)


@pytest.fixture
def person(krfo):
    return services.person_register(
        cpr="010190-1234",
        first_name="Jens",
        last_name="Jensen",
        address="Vej 1",
        home_municipality=municipality("101"),
        acting_user=krfo,
    )


def edit(person, acting_user, **changes):
    fields = {
        "cpr": person.cpr,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "address": person.address,
        "home_municipality": person.home_municipality,
    }
    fields.update(changes)
    return services.person_update(person, acting_user=acting_user, **fields)


def stored(person) -> tuple:
    person = Person.objects.get(pk=person.pk)
    return person.cpr, person.first_name, person.last_name, person.address, person.home_municipality_id


# --- person_update -------------------------------------------------------------------------------------


def test_update_normalises_and_audits_the_changed_field_names_only(person, administrator):
    updated = edit(
        person, administrator, cpr="010190-1235", first_name=" Jens Peter ", home_municipality=municipality("751")
    )
    assert stored(person) == ("0101901235", "Jens Peter", "Jensen", "Vej 1", municipality("751").pk)
    assert updated.first_name == "Jens Peter"
    event = AuditEvent.objects.get(action="people.update")
    assert event.person == person
    assert event.actor == administrator
    assert event.details == {"fields": ["cpr", "first_name", "home_municipality"]}
    assert "0101901235" not in str(event.details) and "Peter" not in str(event.details)


def test_update_without_a_change_writes_nothing(person, krfo):
    edit(person, krfo, cpr="010190-1234", first_name=" Jens ")
    assert not AuditEvent.objects.filter(action="people.update").exists()


def test_update_may_clear_the_home_municipality(person, krfo):
    edit(person, krfo, home_municipality=None)
    assert stored(person)[4] is None
    assert AuditEvent.objects.get(action="people.update").details == {"fields": ["home_municipality"]}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"cpr": "123"}, "cpr", "Et CPR-nummer har 10 cifre (ddmmåå-xxxx). Du har skrevet 3 cifre."),
        ({"cpr": "3213901234"}, "cpr", "De første 6 cifre i CPR-nummeret er ikke en gyldig fødselsdato (ddmmåå)."),
        ({"cpr": "020285-1234"}, "cpr", services.MSG_CPR_EXISTS),
        ({"first_name": "  "}, "first_name", services.MSG_NAME_REQUIRED),
        ({"last_name": ""}, "last_name", services.MSG_NAME_REQUIRED),
        ({"home_municipality": "krfo-storstroem"}, "home_municipality", services.MSG_NOT_A_MUNICIPALITY),
        ({"home_municipality": "inactive-101"}, "home_municipality", services.MSG_NOT_A_MUNICIPALITY),
        ({"address": "x" * 301}, "address", "Denne værdi må højst have 300 tegn (den har 301)."),
    ],
)
def test_update_refuses_bad_input_in_danish_and_changes_nothing(person, krfo, changes, field, message):
    Person.objects.create(cpr="0202851234", first_name="Hanne", last_name="Hansen")
    changes = dict(changes)
    if changes.get("home_municipality") == "krfo-storstroem":
        changes["home_municipality"] = Organisation.objects.get(code="krfo-storstroem")
    elif changes.get("home_municipality") == "inactive-101":
        Organisation.objects.filter(code="101").update(is_active=False)
        changes["home_municipality"] = Organisation.objects.get(code="101")
    before = stored(person)
    with pytest.raises(ValidationError) as refused:
        edit(person, krfo, **{"address": "Ny vej 2", **changes})
    assert refused.value.message_dict[field] == [message]
    assert stored(person) == before
    assert not AuditEvent.objects.filter(action="people.update").exists()


@pytest.mark.parametrize("role", [Role.MUNICIPAL_CASE_WORKER, Role.POLICE_OFFICER, Role.YOUTH_SUPERVISOR])
def test_update_needs_a_person_capability(person, role):
    with pytest.raises(PermissionDenied):
        edit(person, user_with_role(role), address="Ny vej 2")
    assert stored(person)[3] == "Vej 1"


def test_administrators_may_register_persons_in_the_admin_but_not_see_them(administrator):
    from samarbejde.people.access import persons_visible_to

    created = services.person_register(
        cpr="030303-1234", first_name="Ny", last_name="Person", acting_user=administrator
    )
    assert AuditEvent.objects.get(action="people.create").person == created
    assert not persons_visible_to(administrator).exists()


# --- person links -------------------------------------------------------------------------------------


@pytest.fixture
def link(person, krfo):
    return services.person_link_open(
        person,
        organisation=municipality("101"),
        reason=LinkReason.NOTIFICATION,
        expires_at=timezone.now() + timedelta(days=10),
        acting_user=krfo,
    )


def test_links_opened_together_are_each_live_and_each_audited_with_the_person(person, krfo, django_assert_num_queries):
    kbh, aarhus = municipality("101"), municipality("751")
    openings = [
        services.LinkOpening(organisation=kbh, reason=LinkReason.NOTIFICATION, source=person),
        services.LinkOpening(organisation=aarhus, reason=LinkReason.NOTIFICATION, expires_at=timezone.now()),
    ]
    # One insert for the links and one for their audit events, however many (plus the content type, cached).
    services.person_links_open(person, openings[:1], acting_user=krfo)
    with django_assert_num_queries(2):
        links = services.person_links_open(person, openings, acting_user=krfo)
    assert [link.organisation for link in links] == [kbh, aarhus]
    assert links[0].is_live and not links[1].is_live  # the second expired at once
    assert (links[0].source_type.model, links[0].source_id) == ("person", person.pk)
    events = AuditEvent.objects.filter(action="people.link_open").order_by("pk")
    assert [(e.person, e.object_id, e.actor) for e in events][-2:] == [
        (person, str(links[0].pk), krfo),
        (person, str(links[1].pk), krfo),
    ]
    assert events.last().purpose.endswith(aarhus.display_name)


def test_extend_moves_the_expiry_and_audits_old_and_new(link, administrator):
    new = (timezone.now() + timedelta(days=60)).replace(microsecond=0)
    previous = link.expires_at
    extended = services.person_link_extend(link, expires_at=new, acting_user=administrator)
    assert extended.expires_at == new
    assert PersonLink.objects.get(pk=link.pk).expires_at == new
    event = AuditEvent.objects.get(action="people.link_extend")
    assert (event.person, event.object_id, event.actor) == (link.person, str(link.pk), administrator)
    assert event.details == {"expires_at": new.isoformat(), "previous_expires_at": previous.isoformat()}
    services.person_link_extend(link, expires_at=new, acting_user=administrator)  # the same date: nothing
    assert AuditEvent.objects.filter(action="people.link_extend").count() == 1


def test_extend_may_revive_an_expired_link_and_accepts_a_naive_datetime(link, administrator):
    PersonLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(days=1))
    naive = datetime.now() + timedelta(days=3)  # what a form without a time zone gives
    extended = services.person_link_extend(link, expires_at=naive, acting_user=administrator)
    assert extended.is_live
    assert timezone.is_aware(extended.expires_at)


@pytest.mark.parametrize(
    ("expires_at", "message"),
    [
        (None, services.MSG_LINK_EXPIRY_REQUIRED),
        ("past", services.MSG_LINK_EXPIRY_PAST),
        ("now", services.MSG_LINK_EXPIRY_PAST),
        ("closed", services.MSG_LINK_CLOSED),
    ],
)
def test_extend_refuses_in_danish_and_changes_nothing(link, administrator, expires_at, message):
    before = link.expires_at
    if expires_at == "past":
        expires_at = timezone.now() - timedelta(minutes=1)
    elif expires_at == "now":
        expires_at = timezone.now()
    elif expires_at == "closed":
        services.person_link_close(link, acting_user=administrator)
        expires_at = timezone.now() + timedelta(days=30)
    with pytest.raises(ValidationError) as refused:
        services.person_link_extend(link, expires_at=expires_at, acting_user=administrator)
    assert refused.value.message_dict == {"expires_at": [message]}
    assert PersonLink.objects.get(pk=link.pk).expires_at == before
    assert not AuditEvent.objects.filter(action="people.link_extend").exists()


def test_close_decides_on_the_stored_row_not_a_stale_copy(link, administrator):
    stale = PersonLink.objects.get(pk=link.pk)
    services.person_link_close(link, acting_user=administrator)
    closed = services.person_link_close(stale, acting_user=administrator)  # stale copy still says "open"
    assert closed.closed_at is not None and stale.closed_at == closed.closed_at
    event = AuditEvent.objects.get(action="people.link_close")
    assert event.person == link.person and event.actor == administrator
