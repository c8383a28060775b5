"""The consent pages: the panel on the episode page, register (witness, PDF, bad input), the printable form,
the consent with its revocation, the signed form's download, the override list (query count pinned), and
that each page audits the person and refuses everybody else with the same 404."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from samarbejde.audit.models import AuditEvent
from samarbejde.consent.categories import DataCategory
from samarbejde.consent.models import Consent, ConsentOverride, GivenHow
from samarbejde.consent.services import consent_give, consent_require
from samarbejde.consent.tests.factories import ConsentFactory, expired_consent, revoke
from samarbejde.custody.tests.factories import admit, krfo_case_worker, make_person
from samarbejde.notifications.models import Notification, NotificationKind
from samarbejde.organisations.roles import Role
from samarbejde.organisations.tests.factories import organisation, user_with_role

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def worker():
    return krfo_case_worker()


@pytest.fixture
def episode(worker):
    person = make_person(acting_user=worker, first_name="Sigrid", last_name="Samtykke")
    return admit(person, acting_user=worker).episode


@pytest.fixture
def person(episode):
    return episode.person


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def form_data(**overrides):
    data = {
        "purpose": "Koordinering af handleplan",
        "recipients": [str(organisation("101").pk)],
        "categories": ["housing", "finances"],
        "given_how": GivenHow.ORAL,
        "witness_name": "Vibeke Vidne",
        "witness_role": "Fængselsbetjent",
        "given_on": timezone.localdate().isoformat(),
        "expires_on": "",
    }
    data.update(overrides)
    return data


def test_episode_page_lists_the_consents_with_their_status(client, worker, episode, person):
    ConsentFactory(person=person, categories=[DataCategory.HOUSING])
    expired_consent(person, categories=[DataCategory.CASE_FILES])
    revoke(ConsentFactory(person=person, purpose="Indhentning af sagsakter"))
    client.force_login(worker)
    page = text(client.get(f"/klienter/forloeb/{episode.pk}/"))
    assert '<h2 id="consents-heading">Samtykker</h2>' in page
    assert page.count("Gyldigt</td>") == 1 and "Udløbet</td>" in page and "Tilbagekaldt</td>" in page
    assert f'href="/samtykke/person/{person.pk}/ny/"' in page


def test_episode_page_without_consents_says_so(client, worker, episode):
    client.force_login(worker)
    assert "Der er ikke registreret samtykker fra borgeren." in text(client.get(f"/klienter/forloeb/{episode.pk}/"))


def test_register_orally_with_a_witness(client, worker, person):
    client.force_login(worker)
    page = client.get(f"/samtykke/person/{person.pk}/ny/")
    assert page.status_code == 200 and "Registrér samtykke" in text(page)
    assert AuditEvent.objects.filter(action="consent.form_view", person=person).count() == 1
    response = client.post(f"/samtykke/person/{person.pk}/ny/", form_data(), follow=True)
    consent = Consent.objects.get(person=person)
    assert response.redirect_chain[-1][0] == f"/samtykke/{consent.pk}/"
    page = text(response)
    assert "Samtykket er registreret." in page and "Gyldigt" in page
    assert "vidne: Vibeke Vidne, Fængselsbetjent" in page
    assert consent.expires_on == timezone.localdate() + timedelta(days=365)


def test_register_with_a_signed_pdf_and_download_it(client, worker, person):
    client.force_login(worker)
    upload = SimpleUploadedFile("underskrevet.pdf", PDF, content_type="application/pdf")
    client.post(
        f"/samtykke/person/{person.pk}/ny/",
        form_data(given_how=GivenHow.SIGNED_FORM, witness_name="", witness_role="", signed_form=upload),
    )
    consent = Consent.objects.get(person=person)
    response = client.get(f"/samtykke/{consent.pk}/underskrevet.pdf")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Cache-Control"] == "private, no-store"
    assert AuditEvent.objects.filter(action="consent.signed_form_download", person=person).count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"purpose": ""}, "Skriv formålet med samtykket"),
        ({"recipients": []}, "Vælg mindst én myndighed"),
        ({"recipients": ["ikke-et-id"]}, "En af de valgte myndigheder findes ikke"),
        ({"categories": []}, "Vælg mindst én slags oplysninger"),
        ({"given_how": ""}, "Vælg, hvordan samtykket er givet"),
        ({"witness_name": ""}, "Skriv navn og stilling på den, der overværede samtykket."),
        ({"given_how": GivenHow.SIGNED_FORM}, "Vedhæft den underskrevne samtykkeerklæring som PDF."),
        ({"given_on": "31-02-2026"}, "Skriv en gyldig dato"),
        (
            {"given_on": (timezone.localdate() + timedelta(days=3)).isoformat()},
            "Datoen for samtykket ligger i fremtiden",
        ),
        ({"expires_on": timezone.localdate().isoformat()}, "Udløbsdatoen skal ligge efter datoen"),
    ],
)
def test_bad_input_shows_the_danish_message_and_saves_nothing(client, worker, person, overrides, message):
    client.force_login(worker)
    response = client.post(f"/samtykke/person/{person.pk}/ny/", form_data(**overrides))
    assert response.status_code == 200
    assert 'id="error-summary"' in response.content.decode() and message in text(response)
    assert not Consent.objects.exists()


def test_a_fake_pdf_is_refused(client, worker, person):
    client.force_login(worker)
    upload = SimpleUploadedFile("underskrevet.pdf", b"MZ\x90\x00", content_type="application/pdf")
    response = client.post(
        f"/samtykke/person/{person.pk}/ny/", form_data(given_how=GivenHow.SIGNED_FORM, signed_form=upload)
    )
    assert "er ikke en gyldig PDF-fil" in text(response) and not Consent.objects.exists()


def test_the_printable_form_is_a_pdf_with_the_scope_and_saves_nothing(client, worker, person):
    client.force_login(worker)
    response = client.get(f"/samtykke/person/{person.pk}/erklaering.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    response = client.post(f"/samtykke/person/{person.pk}/erklaering.pdf", form_data(recipients=["bad"]))
    assert response.content.startswith(b"%PDF-")
    assert not Consent.objects.exists()
    assert AuditEvent.objects.filter(action="consent.print_form", person=person).count() == 2


def test_the_printable_form_text_names_the_scope(person):
    from django.template.loader import render_to_string

    from samarbejde.consent.printing import blank_form_context

    html = render_to_string(
        "consent/blank_form_pdf.html",
        blank_form_context(person, categories=["housing"], purpose="Koordinering af handleplan"),
    )
    assert "Københavns Kommune" in html and "Bolig" in html and "Koordinering af handleplan" in html
    assert "Du kan til enhver tid trække dit samtykke tilbage" in html


def test_revoke_from_the_consent_page_tells_the_recipients(client, worker, person):
    consent = ConsentFactory(person=person, recipients=[organisation("101"), organisation("751")])
    client.force_login(worker)
    page = client.get(f"/samtykke/{consent.pk}/")
    assert "Tilbagekald samtykket" in text(page)
    assert AuditEvent.objects.filter(action="consent.view", person=person).count() == 1
    response = client.post(
        f"/samtykke/{consent.pk}/tilbagekald/",
        {"revoke-revoked_on": timezone.localdate().isoformat(), "revoke-reason": "Sagt på mødet"},
        follow=True,
    )
    page = text(response)
    assert "Samtykket er tilbagekaldt. 2 myndigheder har fået besked." in page
    assert "Tilbagekaldt" in page and "Begrundelse: Sagt på mødet" in page
    assert "Tilbagekald samtykket</button>" not in page
    assert Notification.objects.filter(kind=NotificationKind.CONSENT_REVOKED_NOTICE).count() == 2


def test_revoke_bad_input_shows_the_message(client, worker, person):
    consent = ConsentFactory(person=person)
    client.force_login(worker)
    response = client.post(
        f"/samtykke/{consent.pk}/tilbagekald/",
        {"revoke-revoked_on": (timezone.localdate() + timedelta(days=2)).isoformat(), "revoke-reason": "x"},
    )
    assert response.status_code == 200 and "Datoen for tilbagekaldelsen ligger i fremtiden." in text(response)
    consent.refresh_from_db()
    assert consent.revoked_at is None


@pytest.mark.parametrize(
    ("role", "code"),
    [
        (Role.MUNICIPAL_COORDINATOR, "101"),
        (Role.MUNICIPAL_CASE_WORKER, "101"),
        (Role.ADMINISTRATOR, "krfo-direktoratet"),
        (Role.KRFO_CASE_WORKER, "krfo-storstroem"),
        (Role.POLICE_OFFICER, "1470"),
    ],
)
def test_everybody_else_gets_404_on_every_consent_page(client, person, role, code):
    consent = ConsentFactory(person=person)
    client.force_login(user_with_role(role, code))
    for url in (
        f"/samtykke/person/{person.pk}/ny/",
        f"/samtykke/person/{person.pk}/erklaering.pdf",
        f"/samtykke/{consent.pk}/",
        f"/samtykke/{consent.pk}/underskrevet.pdf",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/samtykke/{consent.pk}/tilbagekald/", {}).status_code == 404
    consent.refresh_from_db()
    assert consent.revoked_at is None


def test_the_youth_supervisor_sees_no_record_button(client, person):
    # Sees KRFO clients in general, but may not record consents (no Cap.CONSENT_RECORD): 404 on the form.
    client.force_login(user_with_role(Role.YOUTH_SUPERVISOR, "krfo-ungekriminalforsorgen"))
    assert client.get(f"/samtykke/person/{person.pk}/ny/").status_code == 404


# --- the override list ------------------------------------------------------------------------------------


def _overrides(n, manager):
    people = [make_person(acting_user=manager) for _ in range(n)]
    for p in people:
        consent_require(
            p, recipient=organisation("101"), category="health", acting_user=manager, override_reason="Akut"
        )
    return people


OVERRIDE_LIST_QUERIES = 5  # session, user, membership (with its organisation), the joined page of overrides, the audit insert: constant in rows


@pytest.mark.parametrize("rows", [1, 3])
def test_override_list_query_count_is_pinned(client, django_assert_num_queries, rows):
    manager = user_with_role(Role.KRFO_MANAGER, "krfo-koebenhavns-faengsler")
    _overrides(rows, manager)
    client.force_login(manager)
    with django_assert_num_queries(OVERRIDE_LIST_QUERIES):
        response = client.get("/samtykke/tilsidesaettelser/")
    assert text(response).count("Akut</td>") == rows
    assert AuditEvent.objects.filter(action="consent.override_list").count() == rows


def test_override_list_scope_by_role(client):
    kbh_manager = user_with_role(Role.KRFO_MANAGER, "krfo-koebenhavns-faengsler")
    other_manager = user_with_role(Role.KRFO_MANAGER, "krfo-storstroem")
    _overrides(2, kbh_manager)
    client.force_login(other_manager)
    assert "Der er ikke videregivet oplysninger uden samtykke." in text(client.get("/samtykke/tilsidesaettelser/"))
    client.force_login(user_with_role(Role.ADMINISTRATOR, "krfo-direktoratet"))
    page = text(client.get("/samtykke/tilsidesaettelser/"))
    assert (page.count("Akut</td>") == 2 and "xxxx" in page.lower()) or page.count("Akut</td>") == 2
    for role, code in ((Role.KRFO_CASE_WORKER, "krfo-koebenhavns-faengsler"), (Role.MUNICIPAL_COORDINATOR, "101")):
        client.force_login(user_with_role(role, code))
        assert client.get("/samtykke/tilsidesaettelser/").status_code == 403


def test_override_list_pages(client, settings):
    manager = user_with_role(Role.KRFO_MANAGER, "krfo-koebenhavns-faengsler")
    _overrides(3, manager)
    from samarbejde.consent import views

    views.PAGE_SIZE, old = 2, views.PAGE_SIZE
    try:
        client.force_login(manager)
        first = client.get("/samtykke/tilsidesaettelser/")
        assert text(first).count("Akut</td>") == 2 and "Næste side" in text(first)
        cursor = re.search(r'href="\?efter=([^"]+)"', first.content.decode()).group(1)
        second = client.get(f"/samtykke/tilsidesaettelser/?efter={cursor}")
        assert text(second).count("Akut</td>") == 1
    finally:
        views.PAGE_SIZE = old
    assert ConsentOverride.objects.count() == 3


def test_consent_give_via_service_then_page_shows_given_how(client, worker, person):
    consent = consent_give(
        person,
        recipients=[organisation("101")],
        categories=["case_files"],
        purpose="Indhentning af sagsakter",
        given_on=timezone.localdate(),
        given_how=GivenHow.ORAL,
        witness_name="A",
        witness_role="B",
        acting_user=worker,
    )
    client.force_login(worker)
    page = text(client.get(f"/samtykke/{consent.pk}/"))
    assert "Sagsakter fra kommune" in page and "Københavns Kommune" in page


def test_the_revocation_notice_reaches_the_municipality_through_the_api(client, worker, person):
    from samarbejde.api.models import ApiScope
    from samarbejde.api.services import api_key_create
    from samarbejde.consent.services import consent_revoke

    consent = ConsentFactory(person=person, categories=[DataCategory.HOUSING])
    consent_revoke(consent, revoked_on=timezone.localdate(), reason="Sagt på mødet", acting_user=worker)
    key = api_key_create(organisation("101"), scopes=[ApiScope.NOTIFICATIONS_READ], name="Nexus")[1]
    body = client.get("/api/v1/notifications/", headers={"Authorization": f"Bearer {key}"}).json()
    items = body["results"] if isinstance(body, dict) and "results" in body else body
    [notice] = [n for n in items if n["kind"] == "consent_revoked_notice"]
    assert notice["needs_answer"] is False
    detail = client.get(f"/api/v1/notifications/{notice['id']}/", headers={"Authorization": f"Bearer {key}"})
    assert detail.status_code == 200 and "housing" in detail.content.decode()
