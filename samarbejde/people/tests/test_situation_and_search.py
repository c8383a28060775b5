"""Pension and benefits on the person (validated), registration bad input, and the audited CPR search."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from samarbejde.audit.models import AuditEvent
from samarbejde.organisations.models import Organisation
from samarbejde.organisations.roles import Role
from samarbejde.organisations.tests.factories import user_with_role
from samarbejde.people import services
from samarbejde.people.models import MSG_BENEFITS_NOT_LIST, Person, normalize_benefits
from samarbejde.people.selectors import person_search_by_cpr

pytestmark = pytest.mark.django_db


@pytest.fixture
def krfo():
    return user_with_role(Role.KRFO_CASE_WORKER)


def register(krfo, **kw):
    fields = {"cpr": "010190-1234", "first_name": "Test", "last_name": "Person", "acting_user": krfo}
    fields.update(kw)
    return services.person_register(**fields)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, []),
        ([], []),
        (["sygedagpenge", "kontanthjaelp", "kontanthjaelp"], ["kontanthjaelp", "sygedagpenge"]),
        (("fleksydelse",), ["fleksydelse"]),
    ],
)
def test_benefits_are_normalised(value, expected):
    assert normalize_benefits(value) == expected


@pytest.mark.parametrize(
    ("kw", "field", "message"),
    [
        ({"benefits": ["boligstøtte"]}, "benefits", "Ukendt ydelse: boligstøtte."),
        ({"benefits": "kontanthjaelp"}, "benefits", MSG_BENEFITS_NOT_LIST),
        ({"pension": "efterløn"}, "pension", "Vælg ingen pension, folkepension eller førtidspension."),
        ({"cpr": "3213901234"}, "cpr", "De første 6 cifre i CPR-nummeret er ikke en gyldig fødselsdato (ddmmåå)."),
        ({"first_name": " "}, "first_name", services.MSG_NAME_REQUIRED),
        ({"home_municipality": "krfo-storstroem"}, "home_municipality", services.MSG_NOT_A_MUNICIPALITY),
    ],
)
def test_bad_registration_input_gives_a_danish_message_per_field(krfo, kw, field, message):
    if "home_municipality" in kw:
        kw["home_municipality"] = Organisation.objects.get(code=kw["home_municipality"])
    with pytest.raises(ValidationError) as exc:
        register(krfo, **kw)
    assert exc.value.message_dict[field][0].startswith(message)
    assert not Person.objects.exists()


def test_duplicate_cpr_is_a_message_not_a_crash(krfo):
    register(krfo)
    with pytest.raises(ValidationError) as exc:
        register(krfo, cpr="0101901234")
    assert exc.value.message_dict["cpr"] == [services.MSG_CPR_EXISTS]


def test_update_situation_audits_field_names_only(krfo):
    person = register(krfo)
    updated = services.person_update_situation(
        person,
        home_municipality=Organisation.objects.get(code="751"),
        pension="foertidspension",
        benefits=["sygedagpenge", "kontanthjaelp"],
        acting_user=krfo,
    )
    assert (updated.pension, updated.benefits, updated.home_municipality.code) == (
        "foertidspension",
        ["kontanthjaelp", "sygedagpenge"],
        "751",
    )
    assert updated.get_benefits_display() == ["Kontanthjælp", "Sygedagpenge"]
    event = AuditEvent.objects.get(action="people.update")
    assert event.details == {"fields": ["home_municipality", "pension", "benefits"]}
    services.person_update_situation(
        updated,
        home_municipality=updated.home_municipality,
        pension="foertidspension",
        benefits=updated.benefits,
        acting_user=krfo,
    )
    assert AuditEvent.objects.filter(action="people.update").count() == 1  # no change, no event


def test_search_by_cpr_is_exact_and_audited_hit_or_miss(krfo):
    person = register(krfo)
    # Registering (an admission) finds every known person: no duplicates. Viewing needs a live link (ADR 0008).
    assert person_search_by_cpr(krfo, "010190-1234", action="register") == person
    assert person_search_by_cpr(krfo, "0101901235", action="register") is None
    assert person_search_by_cpr(krfo, "010190-1234") is None
    events = list(AuditEvent.objects.filter(action="people.search").order_by("id").values_list("person", "details"))
    assert events == [(person.pk, {"found": True}), (None, {"found": False}), (None, {"found": False})]
    with pytest.raises(ValidationError):
        person_search_by_cpr(krfo, "12345")


@pytest.mark.parametrize(
    "role",
    [Role.MUNICIPAL_CASE_WORKER, Role.MUNICIPAL_COORDINATOR, Role.POLICE_OFFICER, Role.UDK_OFFICER, Role.ADMINISTRATOR],
)
def test_only_krfo_staff_may_search(krfo, role):
    register(krfo)
    with pytest.raises(PermissionDenied):
        person_search_by_cpr(user_with_role(role), "0101901234")
    assert not AuditEvent.objects.filter(action="people.search").exists()
