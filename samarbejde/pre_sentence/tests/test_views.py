"""KiF's § 808 pages: open (CPR POSTed, found or registered), the investigation page with requests and answers,
send and close with Danish messages, the court report PDF, the municipality's inbox, audit and query counts."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from samarbejde.audit.models import AuditEvent
from samarbejde.custody.tests.factories import make_person
from samarbejde.notifications import services as ns
from samarbejde.organisations.models import Organisation
from samarbejde.organisations.roles import Role
from samarbejde.organisations.tests.factories import user_with_role
from samarbejde.people.models import Person
from samarbejde.pre_sentence import selectors, services
from samarbejde.pre_sentence.models import InformationRequest, Investigation, InvestigationStatus
from samarbejde.pre_sentence.tests.factories import kif_officer, open_investigation, send_request

pytestmark = pytest.mark.django_db

LIST_URL = reverse("pre_sentence:investigation_list")
CREATE_URL = reverse("pre_sentence:investigation_create")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def url(name, investigation):
    return reverse(f"pre_sentence:{name}", kwargs={"pk": investigation.pk})


@pytest.fixture
def officer():
    return kif_officer()


@pytest.fixture
def coordinator():
    return user_with_role(Role.MUNICIPAL_COORDINATOR, "101")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def future(days=20) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def test_opening_for_an_unknown_person_registers_them_and_the_cpr_is_in_no_url(client, officer):
    client.force_login(officer)
    response = client.post(
        CREATE_URL,
        {
            "cpr": "010150-1234",
            "first_name": "Jens",
            "last_name": "Hansen",
            "home_municipality": "101",
            "court": "Københavns Byret",
            "hearing_date": future(),
        },
    )
    assert response.status_code == 302
    investigation = Investigation.objects.get()
    assert response.url == url("investigation_detail", investigation)
    assert "0101501234" not in response.url and "010150" not in response.url
    assert investigation.person.full_name == "Jens Hansen"
    assert investigation.person.home_municipality.code == "101"


def test_opening_for_a_known_person_uses_the_registered_person_and_other_court_text(client, officer):
    person = make_person(acting_user=officer)
    client.force_login(officer)
    response = client.post(
        CREATE_URL, {"cpr": person.cpr, "court": "", "other_court": "Retten i Tórshavn", "hearing_date": future()}
    )
    assert response.status_code == 302
    investigation = Investigation.objects.get()
    assert investigation.person == person and investigation.court == "Retten i Tórshavn"
    assert Person.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"hearing_date": (timezone.localdate() - timedelta(days=1)).isoformat()}, "Retsmødet skal ligge i fremtiden"),
        ({"hearing_date": ""}, "Angiv dato for retsmødet"),
        ({"court": ""}, services.MSG_COURT_REQUIRED),
        ({"cpr": "123"}, "CPR"),
        ({"first_name": ""}, "fornavn"),
    ],
)
def test_bad_opening_input_gives_a_danish_message_and_saves_nothing(client, officer, data, message):
    client.force_login(officer)
    form = {
        "cpr": "010150-1234",
        "first_name": "Jens",
        "last_name": "Hansen",
        "court": "Københavns Byret",
        "hearing_date": future(),
        **data,
    }
    response = client.post(CREATE_URL, form)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Investigation.objects.exists()
    assert not Person.objects.filter(first_name="Jens").exists()


def test_the_page_sends_a_request_and_shows_the_answer_with_its_file(client, officer, coordinator, media):
    investigation = open_investigation(acting_user=officer, days_ahead=30)
    client.force_login(officer)
    page = client.get(url("investigation_detail", investigation)).content.decode()
    assert "Send en anmodning om oplysninger" in page and investigation.person.cpr_formatted in page
    response = client.post(
        url("request_send", investigation),
        {
            "to_home": "on",
            "questions": "Har borgeren bolig?",
            "basis": services.BASIS_PRE_SENTENCE,
            "answer_due": future(10),
        },
    )
    assert response.status_code == 302
    (request,) = InformationRequest.objects.all()
    notice = selectors.requests_with_notices(officer, investigation)[0].notice
    upload = SimpleUploadedFile("bolig.pdf", PDF, content_type="application/pdf")
    ns.notification_answer(notice, text="Ja, lejebolig.", files=[upload], acting_user=coordinator)
    page = client.get(url("investigation_detail", investigation)).content.decode()
    assert "Ja, lejebolig." in page and "bolig.pdf" in page and "Har borgeren bolig?" in page
    assert request.recipient.code == "101"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"questions": ""}, services.MSG_QUESTIONS_REQUIRED),
        ({"basis": ""}, services.MSG_BASIS_REQUIRED),
        ({"to_home": ""}, services.MSG_NO_RECIPIENTS),
        ({"answer_due": future(40)}, "Svarfristen skal ligge før retsmødet"),
        ({"basis": "consent"}, "gyldigt samtykke"),
    ],
)
def test_a_bad_request_gives_a_danish_message_and_sends_nothing(client, officer, data, message):
    investigation = open_investigation(acting_user=officer, days_ahead=30)
    client.force_login(officer)
    form = {"to_home": "on", "questions": "Q?", "basis": services.BASIS_PRE_SENTENCE, "answer_due": future(10)}
    form.update(data)
    response = client.post(url("request_send", investigation), {k: v for k, v in form.items() if v})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not InformationRequest.objects.exists()


def test_closing_from_the_page_and_an_answer_afterwards_is_refused(client, officer, coordinator):
    investigation = open_investigation(acting_user=officer)
    (notice,) = send_request(investigation, acting_user=officer).notifications
    client.force_login(officer)
    response = client.post(url("investigation_close", investigation), {"note": "Sendt til retten."})
    assert response.status_code == 302
    investigation.refresh_from_db()
    assert investigation.status == InvestigationStatus.CLOSED
    page = client.get(url("investigation_detail", investigation)).content.decode()
    assert "Afsluttet" in page and "Send en anmodning" not in page
    again = client.post(url("investigation_close", investigation), {"note": ""}, follow=True)
    assert services.MSG_ALREADY_CLOSED in again.content.decode()
    # The municipality answers from the page it still had open: told in Danish why nothing was saved (the
    # reason, not the person), back in its inbox; the request is no longer theirs to see.
    client.force_login(coordinator)
    answer = client.post(reverse("notifications:answer", kwargs={"pk": notice.pk}), {"text": "Svar"}, follow=True)
    body = answer.content.decode()
    assert answer.redirect_chain[-1][0] == reverse("notifications:inbox")
    assert "Underretningen blev trukket tilbage, før du sendte: intet er gemt." in body
    assert "Personundersøgelsen er afsluttet" in body
    notice.refresh_from_db()
    assert notice.answered_at is None
    assert client.get(notice.get_absolute_url()).status_code == 404
    # Another organisation (or a made-up id) still gets the same 404.
    client.force_login(user_with_role(Role.MUNICIPAL_COORDINATOR, "751"))
    assert client.post(reverse("notifications:answer", kwargs={"pk": notice.pk}), {"text": "Svar"}).status_code == 404


def test_the_court_report_is_a_pdf_with_the_answers_and_lists_the_files(client, officer, coordinator, media):
    investigation = open_investigation(acting_user=officer)
    (notice,) = send_request(investigation, acting_user=officer).notifications
    upload = SimpleUploadedFile("misbrug.pdf", PDF, content_type="application/pdf")
    ns.notification_answer(notice, text="I behandling på misbrugscentret.", files=[upload], acting_user=coordinator)
    client.force_login(officer)
    response = client.get(url("investigation_report", investigation))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="pre_sentence.report", person=investigation.person).exists()
    html = render_to_string(
        "pre_sentence/report_pdf.html",
        {
            "investigation": investigation,
            "person": investigation.person,
            "requests": selectors.requests_with_notices(officer, investigation),
        },
    )
    assert "I behandling på misbrugscentret." in html and "misbrug.pdf" in html


def test_the_municipality_sees_the_request_in_its_inbox_with_court_and_questions(client, officer, coordinator):
    investigation = open_investigation(acting_user=officer)
    (notice,) = send_request(investigation, acting_user=officer, questions="Sociale indsatser?").notifications
    client.force_login(coordinator)
    page = client.get(reverse("notifications:detail", kwargs={"pk": notice.pk})).content.decode()
    assert "Sociale indsatser?" in page and "Københavns Byret" in page
    assert 'type="file"' in page  # the answer form takes files
    assert client.get(url("investigation_detail", investigation)).status_code in (403, 404)


def test_other_kif_offices_and_institutions_get_the_same_404_or_403(client, officer):
    investigation = open_investigation(acting_user=officer)
    client.force_login(user_with_role(Role.PROBATION_OFFICER, "krfo-kif-sjaelland"))
    assert client.get(url("investigation_detail", investigation)).status_code == 404
    client.force_login(user_with_role(Role.KRFO_CASE_WORKER, "krfo-koebenhavns-faengsler"))
    assert client.get(LIST_URL).status_code == 403
    assert client.get(url("investigation_detail", investigation)).status_code == 404


def test_every_page_audits_the_person(client, officer):
    investigation = open_investigation(acting_user=officer)
    client.force_login(officer)
    client.get(LIST_URL)
    client.get(url("investigation_detail", investigation))
    actions = set(AuditEvent.objects.filter(person=investigation.person).values_list("action", flat=True))
    assert {"pre_sentence.list", "pre_sentence.read", "pre_sentence.open"} <= actions


LIST_QUERIES = 5  # session, user, membership, the page of rows (person joined), the audit insert


def test_list_query_count_is_pinned(client, officer, django_assert_num_queries):
    for days in (10, 20, 30):
        open_investigation(acting_user=officer, days_ahead=days)
    client.force_login(officer)
    client.get(LIST_URL)
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(LIST_URL)
    assert response.content.decode().count("/personundersoegelser/") >= 3
    for days in (40, 50, 60):
        open_investigation(acting_user=officer, days_ahead=days)
    with django_assert_num_queries(LIST_QUERIES):
        client.get(LIST_URL)
    assert Organisation.objects.filter(code="101").exists()


def test_the_start_page_links_kif_to_its_investigations(client, officer):
    open_investigation(acting_user=officer)
    client.force_login(officer)
    page = client.get(reverse("core:start")).content.decode()
    assert "Personundersøgelser (§ 808)" in page and LIST_URL in page
    client.force_login(user_with_role(Role.MUNICIPAL_COORDINATOR, "101"))
    assert "Personundersøgelser (§ 808)" not in client.get(reverse("core:start")).content.decode()


# The list and the open form (no id in their URL, so outside tests/access_matrix): every role.
ROLE_TABLE = [
    (Role.PROBATION_OFFICER, "krfo-kif-hovedstaden", 200),
    (Role.KRFO_CASE_WORKER, "krfo-kif-hovedstaden", 200),  # a case worker at a KiF office
    (Role.KRFO_MANAGER, "krfo-kif-hovedstaden", 200),
    (Role.KRFO_CASE_WORKER, "krfo-koebenhavns-faengsler", 403),  # an institution: custody, not § 808
    (Role.KRFO_MANAGER, "krfo-storstroem", 403),
    (Role.YOUTH_SUPERVISOR, "krfo-ungekriminalforsorgen", 403),
    (Role.MUNICIPAL_CASE_WORKER, "101", 403),
    (Role.MUNICIPAL_COORDINATOR, "101", 403),
    (Role.POLICE_OFFICER, "1470", 403),
    (Role.UDK_OFFICER, "udbetaling-danmark", 403),
    (Role.ADMINISTRATOR, "krfo-direktoratet", 403),
]


@pytest.mark.parametrize(("role", "code", "status"), ROLE_TABLE)
def test_the_list_and_the_open_form_by_every_role(client, role, code, status):
    client.force_login(user_with_role(role, code))
    assert client.get(LIST_URL).status_code == status
    assert client.get(CREATE_URL).status_code == status
    response = client.post(CREATE_URL, {"cpr": "010150-1234", "court": "Københavns Byret", "hearing_date": future()})
    assert response.status_code in ({200} if status == 200 else {403})
    assert not Investigation.objects.exists()  # a known-person-less POST without a name saves nothing


def test_anonymous_is_sent_to_sign_in(client):
    assert client.get(LIST_URL).status_code == 302
    assert client.post(CREATE_URL, {"cpr": "010150-1234"}).status_code == 302


def test_the_investigation_page_costs_the_same_whatever_the_number_of_requests(client, officer, coordinator, media):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    investigation = open_investigation(acting_user=officer)
    (first,) = send_request(investigation, acting_user=officer).notifications
    upload = SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")
    ns.notification_answer(first, text="Svar.", files=[upload], acting_user=coordinator)
    client.force_login(officer)
    client.get(url("investigation_detail", investigation))
    with CaptureQueriesContext(connection) as one:
        client.get(url("investigation_detail", investigation))
    for questions in ("Misbrug?", "Beskæftigelse?", "Børn?"):
        (notice,) = send_request(investigation, acting_user=officer, questions=questions).notifications
        upload = SimpleUploadedFile("b.pdf", PDF, content_type="application/pdf")
        ns.notification_answer(notice, text="Svar.", files=[upload], acting_user=coordinator)
    with CaptureQueriesContext(connection) as four:
        client.get(url("investigation_detail", investigation))
    assert len(four) == len(one)


def test_the_api_schema_describes_answer_files(client):
    schema = client.get(reverse("api:schema"), HTTP_ACCEPT="application/json")
    text = schema.content.decode()
    assert "content_base64" in text and "AnswerFileInput" in text
