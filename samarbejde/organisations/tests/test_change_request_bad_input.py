"""Bad input: HTML, over-long text, wrong values. Always a Danish message or the right status, never a 500,
output escaped, nothing half-saved."""

import pytest
from django.urls import reverse

from samarbejde.audit.models import AuditEvent
from samarbejde.organisations import services
from samarbejde.organisations.models import ChangeRequestStatus, Contact, ContactChangeRequest

pytestmark = pytest.mark.django_db

CREATE_KBH = reverse("organisations:change_request_create", args=["101"])
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def form_data(contact: Contact, /, **changes) -> dict:
    """The create form as posted for `contact`, with `changes` (which may override "contact" itself)."""
    return {"contact": str(contact.pk), "message": "", **contact.snapshot(), **changes}


def assert_escaped(html: str) -> None:
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_html_is_stored_as_text_and_escaped_everywhere(client, contact, coordinator, admin_user):
    client.force_login(coordinator)
    response = client.post(CREATE_KBH, form_data(contact, unit_name=XSS, notes=XSS, person_name=XSS, message=XSS))
    assert response.status_code == 302
    request = ContactChangeRequest.objects.get()
    assert request.unit_name == XSS and request.message == XSS  # stored as typed

    detail = reverse("organisations:change_request_detail", args=[request.pk])
    assert_escaped(client.get(reverse("organisations:change_request_list")).content.decode())
    assert_escaped(client.get(detail).content.decode())

    client.force_login(admin_user)
    assert_escaped(client.get(reverse("organisations:change_request_list")).content.decode())
    assert_escaped(client.get(detail).content.decode())
    response = client.post(
        reverse("organisations:change_request_review", args=[request.pk]), {"decision": "approve", "reason": XSS}
    )
    assert response.status_code == 302
    assert_escaped(client.get(detail).content.decode())

    client.logout()
    assert_escaped(client.get(reverse("public:municipality_detail", args=["101"])).content.decode())
    assert_escaped(client.get(reverse("organisations:contact_history", args=["101"])).content.decode())


@pytest.mark.parametrize(
    ("field", "length", "limit"),
    [("notes", 4000, 1000), ("message", 4000, 2000), ("unit_name", 4000, 200), ("phone", 41, 40)],
)
def test_over_long_text_gives_a_form_error_and_saves_nothing(client, contact, coordinator, field, length, limit):
    client.force_login(coordinator)
    response = client.post(CREATE_KBH, form_data(contact, **{"phone": "1", field: "æ" * length}))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Teksten må højst være {limit} tegn. Du har skrevet {length}." in html
    assert "Der er fejl i formularen" in html
    assert not ContactChangeRequest.objects.exists()
    assert not AuditEvent.objects.filter(action="organisations.change_request_propose").exists()


def test_exactly_the_limit_is_accepted(client, contact, coordinator):
    client.force_login(coordinator)
    response = client.post(CREATE_KBH, form_data(contact, notes="n" * 1000, message="m" * 2000))
    assert response.status_code == 302
    assert len(ContactChangeRequest.objects.get().notes) == 1000


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"secure_mailbox": "ikke en adresse"}, "Skriv en gyldig e-mailadresse"),
        ({"unit_name": ""}, "Udfyld enhed."),
        ({"unit_name": "   "}, "Udfyld enhed."),
        ({"notes": "a\x00b"}, "ugyldige tegn"),
        ({"contact": "00000000-0000-0000-0000-000000000000"}, "Vælg en af kommunens kontakter"),
        ({"contact": ""}, "Vælg en af kommunens kontakter"),
        ({"contact": "ny", "function": "krfo_contact", "unit_name": "x"}, "Vælg hvilken funktion den nye kontakt har."),
        ({"contact": "ny", "function": "<b>", "unit_name": "x"}, "Vælg hvilken funktion den nye kontakt har."),
    ],
)
def test_invalid_values_give_danish_errors(client, contact, coordinator, changes, message):
    client.force_login(coordinator)
    response = client.post(CREATE_KBH, form_data(contact, **{"phone": "1", **changes}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ContactChangeRequest.objects.exists()


def test_a_contact_of_another_municipality_cannot_be_smuggled_in(client, aarhus, krfo_user):
    from samarbejde.organisations.tests.factories import ContactFactory

    foreign = ContactFactory(organisation=aarhus)
    client.force_login(krfo_user)
    response = client.post(CREATE_KBH, form_data(foreign, phone="1"))
    assert response.status_code == 200
    assert "Vælg en af kommunens kontakter" in response.content.decode()
    assert not ContactChangeRequest.objects.exists()


def test_an_empty_post_gives_errors_not_a_500(client, coordinator):
    client.force_login(coordinator)
    response = client.post(CREATE_KBH, {})
    assert response.status_code == 200
    assert "Vælg en af kommunens kontakter" in response.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"decision": "approve", "reason": "x" * 4000}, "Teksten må højst være 2000 tegn. Du har skrevet 4000."),
        ({"decision": "delete", "reason": ""}, "Vælg Godkend eller Afvis."),
        ({}, "Vælg Godkend eller Afvis."),
        ({"decision": "reject", "reason": ""}, services.MSG_REASON_REQUIRED),
    ],
)
def test_bad_review_input_gives_a_danish_error_and_decides_nothing(client, contact, admin_user, data, message):
    from samarbejde.organisations.tests.factories import ChangeRequestFactory

    request = ChangeRequestFactory(contact=contact, phone="1")
    client.force_login(admin_user)
    response = client.post(reverse("organisations:change_request_review", args=[request.pk]), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    request.refresh_from_db()
    assert request.status == ChangeRequestStatus.PENDING
    assert Contact.objects.get(pk=contact.pk).phone == "33 66 33 66"


def test_a_put_to_the_create_page_is_refused(client, coordinator):
    client.force_login(coordinator)
    assert client.put(CREATE_KBH).status_code == 405
