"""Routing through the directory: the rules name a topic (and subject), the municipality's routing table names
the unit; the default table where it has no line; every notice says which line chose its unit. Administrators
edit the table in the admin, a municipality's coordinator proposes changes that an administrator approves."""

import pytest
from django.urls import reverse

from samarbejde.audit.models import AuditEvent
from samarbejde.custody.tests.factories import admit, krfo_case_worker, make_person
from samarbejde.notifications.models import Notification
from samarbejde.organisations import services as org_services
from samarbejde.organisations.models import ChangeRequestStatus, ContactChangeRequest, Department, NoticeRoute
from samarbejde.organisations.roles import DepartmentKind, Role
from samarbejde.organisations.tests.factories import organisation, user_with_role

pytestmark = pytest.mark.django_db


def unit(code, kind, name=None):
    department = Department.objects.get(organisation__code=code, kind=kind)
    if name:
        department.name = name
        department.save()
    return department


@pytest.fixture
def admin_user():
    return user_with_role(Role.ADMINISTRATOR)


@pytest.fixture
def copenhagen(admin_user):
    """København's own routing, as in the domain brief."""
    ydelse = unit("101", DepartmentKind.BENEFITS, "Ydelsesservice")
    social = unit("101", DepartmentKind.SOCIAL, "Socialcentrets ydelsesenhed")
    folkeregister = unit("101", DepartmentKind.CITIZEN_SERVICE, "Folkeregisteret")
    kbh = organisation("101")
    for topic, subject, department in (
        ("benefits", "kontanthjaelp", ydelse),
        ("benefits", "uddannelseshjaelp", ydelse),
        ("cpr_register", "", folkeregister),
        ("pension", "foertidspension", social),
    ):
        org_services.notice_route_save(kbh, topic=topic, subject=subject, department=department, acting_user=admin_user)
    return {"ydelse": ydelse, "social": social, "folkeregister": folkeregister}


def admitted(**person):
    worker = krfo_case_worker()
    return admit(make_person(acting_user=worker, **person), acting_user=worker, **person.pop("admit", {}))


def test_a_pensioner_in_copenhagen_is_routed_by_copenhagens_lines(copenhagen):
    notices = {(n.rule, n.recipient_organisation.code): n for n in admitted(pension="foertidspension").notifications}
    rent = notices[("admission.pension_rent", "101")]
    assert rent.recipient_department == copenhagen["social"]
    assert rent.route.topic == "pension"
    assert rent.route_label == "Københavns Kommunes fordeling: Pension (husleje), når borgeren modtager førtidspension"
    assert notices[("admission.pension_udk", "udbetaling-danmark")].recipient_department is None


def test_a_municipality_without_lines_gets_the_default_routing():
    notice = admitted(home="751", benefits=["kontanthjaelp"]).notifications[0]
    assert notice.recipient_department.kind == DepartmentKind.BENEFITS
    assert notice.route is None
    assert (
        notice.route_label
        == f"Standardfordeling: Ydelser ved indsættelse, når borgeren modtager kontanthjælp → {notice.recipient_department.name}"
    )


def test_a_subject_line_beats_the_topic_line_and_benefits_routed_apart_are_asked_apart(admin_user):
    aarhus = organisation("751")
    jobcenter, social = unit("751", DepartmentKind.JOBCENTER), unit("751", DepartmentKind.SOCIAL)
    org_services.notice_route_save(aarhus, topic="benefits", department=social, acting_user=admin_user)
    org_services.notice_route_save(
        aarhus, topic="benefits", subject="kontanthjaelp", department=jobcenter, acting_user=admin_user
    )
    notices = admitted(home="751", benefits=["kontanthjaelp", "uddannelseshjaelp"]).notifications
    by_unit = {n.recipient_department.kind: n.snapshot["benefits"] for n in notices}
    assert by_unit == {DepartmentKind.JOBCENTER: ["kontanthjaelp"], DepartmentKind.SOCIAL: ["uddannelseshjaelp"]}


def test_later_notices_go_to_the_units_the_admission_told(copenhagen, admin_user):
    from samarbejde.custody.services import episode_transfer

    outcome = admitted(benefits=["kontanthjaelp"])
    # The routing changes after the admission: the transfer still goes where the admission went.
    org_services.notice_route_save(
        organisation("101"),
        topic="benefits",
        subject="kontanthjaelp",
        department=copenhagen["social"],
        acting_user=admin_user,
    )
    worker = krfo_case_worker()
    moved = episode_transfer(
        outcome.episode,
        to_institution=organisation("krfo-storstroem"),
        occurred_at=outcome.episode.admitted_at,
        acting_user=worker,
    )
    (transfer,) = moved.notifications
    assert transfer.recipient_department == copenhagen["ydelse"]
    assert transfer.route_label == "Samme enhed som de tidligere underretninger i sagen"


def test_the_notice_page_and_the_public_directory_show_the_routing(client, copenhagen):
    notice = admitted(benefits=["kontanthjaelp"]).notifications[0]
    client.force_login(user_with_role(Role.MUNICIPAL_CASE_WORKER, "101"))
    assert (
        "Valgt af: Københavns Kommunes fordeling: Ydelser ved indsættelse"
        in client.get(notice.get_absolute_url()).content.decode()
    )
    client.logout()
    page = client.get("/kommuner/101/").content.decode()
    assert "Hvem modtager underretningerne" in page
    assert "Folkeregisteret" in page and "(standard)" in page


# --- editing the table -------------------------------------------------------------------------------------


def test_the_service_refuses_bad_lines_in_danish(admin_user):
    kbh = organisation("101")
    other_unit = unit("751", DepartmentKind.BENEFITS)
    cases = [
        ({"topic": "nonsense", "department": unit("101", DepartmentKind.BENEFITS)}, org_services.MSG_ROUTE_TOPIC),
        (
            {"topic": "benefits", "subject": "fleksjob", "department": unit("101", DepartmentKind.BENEFITS)},
            org_services.MSG_ROUTE_SUBJECT,
        ),
        ({"topic": "benefits", "department": other_unit}, org_services.MSG_ROUTE_DEPARTMENT),
    ]
    for kwargs, message in cases:
        with pytest.raises(Exception) as exc:
            org_services.notice_route_save(kbh, acting_user=admin_user, **kwargs)
        assert message in exc.value.messages
    with pytest.raises(Exception) as exc:
        org_services.notice_route_save(
            organisation("krfo-storstroem"), topic="benefits", department=other_unit, acting_user=admin_user
        )
    assert exc.value.messages == [org_services.MSG_ROUTE_NOT_MUNICIPALITY]
    assert not NoticeRoute.objects.exists()


def test_an_administrator_edits_the_table_in_the_admin_and_it_is_audited(client, admin_user):
    client.force_login(admin_user)
    url = reverse("admin:organisations_noticeroute_add")
    kbh, jobcenter = organisation("101"), unit("101", DepartmentKind.JOBCENTER)
    wrong = client.post(
        url, {"organisation": kbh.pk, "topic": "benefits", "subject": "", "department": unit("751", "jobcenter").pk}
    )
    assert wrong.status_code == 200 and org_services.MSG_ROUTE_DEPARTMENT in wrong.content.decode()
    assert not NoticeRoute.objects.exists()
    done = client.post(
        url, {"organisation": kbh.pk, "topic": "benefits", "subject": "sygedagpenge", "department": jobcenter.pk}
    )
    assert done.status_code == 302
    line = NoticeRoute.objects.get()
    assert (line.topic, line.subject, line.department) == ("benefits", "sygedagpenge", jobcenter)
    assert AuditEvent.objects.filter(action="organisations.notice_route_save", actor=admin_user).count() == 1
    client.post(reverse("admin:organisations_noticeroute_delete", args=[line.pk]), {"post": "yes"})
    assert not NoticeRoute.objects.exists()
    assert AuditEvent.objects.filter(action="organisations.notice_route_delete").count() == 1


def test_a_coordinator_proposes_a_change_and_an_administrator_approves_it(client, admin_user):
    coordinator = user_with_role(Role.MUNICIPAL_COORDINATOR, "751")
    social = unit("751", DepartmentKind.SOCIAL)
    url = reverse("organisations:route_change_request_create", args=["751"])
    client.force_login(coordinator)
    assert client.get(url).status_code == 200
    assert client.get(reverse("organisations:route_change_request_create", args=["101"])).status_code == 404
    nothing = client.post(url, {"topic": "cpr_register", "department": "standard"})
    assert "Forslaget ændrer ikke fordelingen." in nothing.content.decode()
    response = client.post(
        url,
        {"topic": "benefits", "subject": "kontanthjaelp", "department": str(social.pk), "message": "Ny organisering"},
    )
    proposal = ContactChangeRequest.objects.get()
    assert response.status_code == 302 and proposal.is_route and proposal.status == ChangeRequestStatus.PENDING
    assert not NoticeRoute.objects.exists()  # nothing changes before the approval

    client.force_login(admin_user)
    detail = client.get(reverse("organisations:change_request_detail", args=[proposal.pk])).content.decode()
    assert "Fordeling: Ydelser ved indsættelse, når borgeren modtager kontanthjælp" in detail
    assert "Standardfordeling" in detail and social.name in detail
    client.post(reverse("organisations:change_request_review", args=[proposal.pk]), {"decision": "approve"})
    line = NoticeRoute.objects.get()
    assert (line.organisation.code, line.topic, line.subject, line.department) == (
        "751",
        "benefits",
        "kontanthjaelp",
        social,
    )
    assert admitted(home="751", benefits=["kontanthjaelp"]).notifications[0].recipient_department == social
    history = client.get(reverse("organisations:contact_history", args=["751"])).content.decode()
    assert "Fordeling: Ydelser ved indsættelse" in history

    # Back to the default: a proposal to remove the line.
    client.force_login(coordinator)
    client.post(url, {"topic": "benefits", "subject": "kontanthjaelp", "department": "standard"})
    removal = ContactChangeRequest.objects.filter(status=ChangeRequestStatus.PENDING).get()
    client.force_login(admin_user)
    client.post(reverse("organisations:change_request_review", args=[removal.pk]), {"decision": "approve"})
    assert not NoticeRoute.objects.exists()
    assert Notification.objects.filter(recipient_department=social).exists()  # what was sent stays where it went
