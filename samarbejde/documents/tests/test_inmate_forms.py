"""Forms for the inmate (issue 3, point 7): prepare, print as PDF, track the status; KRFO only."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from samarbejde.audit.models import AuditEvent
from samarbejde.custody.tests.factories import admit
from samarbejde.documents.models import FormKind, FormStatus, InmateForm
from samarbejde.documents.services import inmate_form_prepare, inmate_form_print, inmate_form_set_status
from samarbejde.organisations.models import Organisation
from samarbejde.organisations.roles import Role
from samarbejde.organisations.tests.factories import user_with_role
from samarbejde.people.services import person_register

pytestmark = pytest.mark.django_db

KRFO_ROLES = {Role.KRFO_CASE_WORKER, Role.KRFO_MANAGER, Role.PROBATION_OFFICER, Role.YOUTH_SUPERVISOR}


@pytest.fixture
def krfo():
    return user_with_role(Role.KRFO_CASE_WORKER, "krfo-koebenhavns-faengsler")


@pytest.fixture
def person(krfo):
    person = person_register(
        cpr="010170-1234",
        first_name="Ole",
        last_name="Olsen",
        home_municipality=Organisation.objects.get(code="101"),
        acting_user=krfo,
    )
    admit(person, acting_user=krfo)  # Københavns Fængsler holds the person: its staff see them (ADR 0008)
    return person


def test_prepare_and_walk_the_life_cycle(krfo, person):
    form = inmate_form_prepare(person, kind=FormKind.DIGITAL_POST_EXEMPTION, reason="Ingen adgang", acting_user=krfo)
    assert form.status == FormStatus.PREPARED
    for status in (FormStatus.SIGNED, FormStatus.SENT, FormStatus.GRANTED):
        form = inmate_form_set_status(form, status=status, acting_user=krfo)
    assert [c.status for c in form.status_changes.all()] == ["prepared", "signed", "sent", "granted"]
    assert form.next_statuses == []
    assert AuditEvent.objects.filter(person=person, action="documents.status").count() == 3


@pytest.mark.parametrize(
    ("path", "wanted"),
    [
        ((), FormStatus.SENT),
        ((), FormStatus.GRANTED),
        ((FormStatus.SIGNED, FormStatus.SENT, FormStatus.REFUSED), FormStatus.SIGNED),
    ],
)
def test_impossible_transitions_give_a_danish_message(krfo, person, path, wanted):
    form = inmate_form_prepare(person, kind=FormKind.DIGITAL_POST_EXEMPTION, acting_user=krfo)
    for status in path:
        form = inmate_form_set_status(form, status=status, acting_user=krfo)
    with pytest.raises(ValidationError) as info:
        inmate_form_set_status(form, status=wanted, acting_user=krfo)
    assert "Blanketten kan ikke gå fra" in info.value.messages[0]


def test_repeating_the_current_status_is_harmless(krfo, person):
    form = inmate_form_prepare(person, kind=FormKind.DIGITAL_POST_EXEMPTION, acting_user=krfo)
    inmate_form_set_status(form, status=FormStatus.SIGNED, acting_user=krfo)
    inmate_form_set_status(form, status=FormStatus.SIGNED, acting_user=krfo)
    assert form.status_changes.count() == 2


def test_read_access_needs_the_relative_and_a_valid_cpr(krfo, person):
    with pytest.raises(ValidationError):
        inmate_form_prepare(person, kind=FormKind.RELATIVE_READ_ACCESS, acting_user=krfo)
    with pytest.raises(ValidationError):
        inmate_form_prepare(
            person, kind=FormKind.RELATIVE_READ_ACCESS, relative_name="Mor", relative_cpr="123", acting_user=krfo
        )
    assert not InmateForm.objects.exists()
    form = inmate_form_prepare(
        person,
        kind=FormKind.RELATIVE_READ_ACCESS,
        relative_name="Anna Olsen",
        relative_cpr="020250-1234",
        relative_relation="mor",
        acting_user=krfo,
    )
    assert form.relative_cpr == "0202501234"


def test_pdf_is_a_pdf_and_printing_is_audited(krfo, person):
    form = inmate_form_prepare(person, kind=FormKind.DIGITAL_POST_EXEMPTION, acting_user=krfo)
    pdf = inmate_form_print(form, acting_user=krfo)
    assert pdf.startswith(b"%PDF")
    assert AuditEvent.objects.filter(person=person, action="documents.print").exists()


@pytest.mark.parametrize("role", list(Role))
def test_only_krfo_roles_prepare_and_see_forms(client, krfo, person, role):
    form = inmate_form_prepare(person, kind=FormKind.DIGITAL_POST_EXEMPTION, acting_user=krfo)
    user = user_with_role(role)
    client.force_login(user)
    urls = [
        reverse("documents:form_detail", args=[form.pk]),
        reverse("documents:form_pdf", args=[form.pk]),
        reverse("documents:forms_for_person", args=[person.pk]),
        reverse("documents:form_create", args=[person.pk]),
    ]
    # Only the holding institution's staff (the case worker's default organisation) see the person's forms;
    # other KRFO units (another prison, KiF, the youth unit) do not (ADR 0008), nor does anyone else.
    allowed = role == Role.KRFO_CASE_WORKER
    expected = 200 if allowed else 404
    assert [client.get(url).status_code for url in urls] == [expected] * 4
    if not allowed:
        with pytest.raises(PermissionDenied):
            inmate_form_prepare(person, kind=FormKind.DIGITAL_POST_EXEMPTION, acting_user=user)


def test_create_view_shows_danish_errors_and_saves_nothing(client, krfo, person):
    client.force_login(krfo)
    url = reverse("documents:form_create", args=[person.pk])
    response = client.post(
        url, {"kind": FormKind.RELATIVE_READ_ACCESS, "relative_name": "Anna", "relative_cpr": "999999-9999"}
    )
    assert response.status_code == 200
    assert "CPR-nummer" in response.content.decode()
    assert not InmateForm.objects.exists()
    response = client.post(url, {"kind": ""})
    assert "Vælg en blanket." in response.content.decode()
    response = client.post(url, {"kind": FormKind.DIGITAL_POST_EXEMPTION, "reason": "<script>x</script>"})
    created = InmateForm.objects.get()
    assert response.status_code == 302 and response["Location"] == created.get_absolute_url()
    page = client.get(created.get_absolute_url()).content.decode()
    assert "&lt;script&gt;x&lt;/script&gt;" in page and "<script>x</script>" not in page


def test_status_view_rejects_a_skipped_step(client, krfo, person):
    client.force_login(krfo)
    form = inmate_form_prepare(person, kind=FormKind.DIGITAL_POST_EXEMPTION, acting_user=krfo)
    response = client.post(
        reverse("documents:form_status", args=[form.pk]), {"status": FormStatus.GRANTED}, follow=True
    )
    assert response.status_code == 200
    form.refresh_from_db()
    assert form.status == FormStatus.PREPARED
    client.post(reverse("documents:form_status", args=[form.pk]), {"status": FormStatus.SIGNED})
    form.refresh_from_db()
    assert form.status == FormStatus.SIGNED
