"""§ 808 personundersøgelse (issue 11, point 5): open, request, answer (text and files), escalate, close.

Through the real services and the notifications pipeline; bad input as a table, each a Danish message with a
code and nothing half-saved; frozen time for the deadlines."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from samarbejde.audit.models import AuditEvent
from samarbejde.custody.tests.factories import krfo_case_worker, make_person, next_cpr
from samarbejde.delivery.models import Delivery
from samarbejde.notifications import rules
from samarbejde.notifications import services as ns
from samarbejde.notifications.models import Notification, NotificationKind, NotificationReminder, ReminderKind
from samarbejde.notifications.registry import (
    PRE_SENTENCE_RULE,
    ROUTING_TOPICS,
    TOPIC_PRE_SENTENCE,
    notice_type,
)
from samarbejde.organisations.models import Organisation
from samarbejde.organisations.roles import DepartmentKind, Role
from samarbejde.organisations.tests.factories import user_with_role
from samarbejde.people.models import LinkReason, Person, PersonLink
from samarbejde.pre_sentence import services
from samarbejde.pre_sentence.models import InformationRequest, Investigation, InvestigationStatus
from samarbejde.pre_sentence.tests.factories import KIF, kif_officer, open_investigation, send_request

TZ = timezone.get_current_timezone()
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def at(day: date, hour: int = 9):
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, 0, tzinfo=TZ), tick=False)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def officer(db):
    return kif_officer()


@pytest.fixture
def coordinator(db):
    return user_with_role(Role.MUNICIPAL_COORDINATOR, "101")


# --- the rule -----------------------------------------------------------------------------------------------


def test_the_registry_entry_needs_an_answer_with_files_a_deadline_setting_and_the_808_basis():
    entry = notice_type(PRE_SENTENCE_RULE)
    assert entry.kind == NotificationKind.INFORMATION_REQUEST
    assert entry.needs_answer and entry.takes_files
    assert entry.legal_basis == "retsplejeloven:808"
    assert entry.deadline.setting == "PRE_SENTENCE_ANSWER_DUE_BUSINESS_DAYS"
    assert "Produktvalg" in entry.deadline.source
    assert entry.topic == TOPIC_PRE_SENTENCE in {topic[0] for topic in ROUTING_TOPICS}
    assert rules.default_unit_kind(TOPIC_PRE_SENTENCE) == DepartmentKind.SOCIAL


@pytest.mark.parametrize(
    ("addressee", "expected"),
    [
        ("101", [(PRE_SENTENCE_RULE, "101", TOPIC_PRE_SENTENCE)]),
        ("1470", [(PRE_SENTENCE_RULE, "1470", TOPIC_PRE_SENTENCE)]),
        (None, [(PRE_SENTENCE_RULE, None, TOPIC_PRE_SENTENCE)]),  # unknown: the service warns, sends nothing
    ],
)
def test_the_request_goes_to_the_one_body_it_is_addressed_to(addressee, expected):
    situation = rules.PersonSituation.from_facts({"addressee": addressee})
    got = rules.recipients_for(rules.PRE_SENTENCE_REQUEST, situation)
    assert [(r.rule, r.organisation_code, r.topic) for r in got] == expected


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        ({}, date(2027, 3, 15)),
        ({"answer_due": "2027-03-05"}, date(2027, 3, 5)),
        ({"answer_due": ""}, date(2027, 3, 15)),
    ],
)
def test_the_due_date_is_the_one_kif_chose_else_counted_from_the_request(settings, facts, expected):
    settings.PRE_SENTENCE_ANSWER_DUE_BUSINESS_DAYS = 10
    assert notice_type(PRE_SENTENCE_RULE).deadline.due_for(date(2027, 3, 1), facts) == expected


@pytest.mark.parametrize(
    ("today", "hearing", "expected"),
    [
        (date(2027, 3, 1), date(2027, 6, 1), date(2027, 3, 15)),  # 10 business days
        (date(2027, 3, 1), date(2027, 3, 10), date(2027, 3, 7)),  # 3 days before the hearing
        (date(2027, 3, 1), date(2027, 3, 2), date(2027, 3, 1)),  # never before today
    ],
)
def test_the_proposed_answer_date_lies_before_the_hearing(settings, today, hearing, expected):
    settings.PRE_SENTENCE_ANSWER_DUE_BUSINESS_DAYS = 10
    settings.PRE_SENTENCE_ANSWER_DAYS_BEFORE_HEARING = 3
    assert services.default_answer_due(hearing, today) == expected


# --- opening ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_opening_gives_the_kif_office_its_live_link_and_audits_the_person(officer):
    investigation = open_investigation(acting_user=officer)
    link = PersonLink.objects.live().get(person=investigation.person, organisation__code=KIF)
    assert link.reason == LinkReason.CASE and link.source_id == investigation.pk
    assert investigation.status == InvestigationStatus.OPEN
    assert AuditEvent.objects.filter(
        action="pre_sentence.open", person=investigation.person, object_id=str(investigation.pk)
    ).exists()


@pytest.mark.django_db
def test_opening_registers_an_unknown_person(officer):
    investigation = services.investigation_open(
        person=None,
        cpr=next_cpr(),
        first_name="Ny",
        last_name="Borger",
        home_municipality=Organisation.objects.get(code="147"),
        court="Retten på Frederiksberg",
        hearing_date=timezone.localdate() + timedelta(days=20),
        acting_user=officer,
    )
    assert Person.objects.filter(pk=investigation.person.pk, first_name="Ny").exists()
    assert Person.objects.get(pk=investigation.person.pk).home_municipality.code == "147"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("days", "court", "field", "code"),
    [
        (-1, "Københavns Byret", "hearing_date", "hearing_in_past"),
        (0, "Københavns Byret", "hearing_date", "hearing_in_past"),
        (None, "Københavns Byret", "hearing_date", "hearing_required"),
        (10, "  ", "court", "court_required"),
        (10, "x" * 121, "court", "court_too_long"),
    ],
)
def test_opening_refuses_bad_input_in_danish_and_saves_nothing(officer, days, court, field, code):
    person = make_person(acting_user=officer)
    with pytest.raises(ValidationError) as caught:
        services.investigation_open(
            person=person,
            court=court,
            hearing_date=None if days is None else timezone.localdate() + timedelta(days=days),
            acting_user=officer,
        )
    assert caught.value.error_dict[field][0].code == code
    assert not Investigation.objects.exists()
    assert not PersonLink.objects.filter(person=person, reason=LinkReason.CASE).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "code"),
    [
        (Role.KRFO_CASE_WORKER, "krfo-koebenhavns-faengsler"),  # an institution, not KiF
        (Role.MUNICIPAL_COORDINATOR, "101"),
        (Role.ADMINISTRATOR, "krfo-direktoratet"),
    ],
)
def test_only_kif_opens_investigations(role, code):
    user = user_with_role(role, code)
    person = make_person(acting_user=krfo_case_worker())
    with pytest.raises(PermissionDenied):
        services.investigation_open(
            person=person,
            court="Københavns Byret",
            hearing_date=timezone.localdate() + timedelta(days=9),
            acting_user=user,
        )


# --- sending ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_request_is_a_notice_to_the_municipalitys_social_services_with_the_chosen_due_date(officer):
    investigation = open_investigation(acting_user=officer)
    outcome = send_request(investigation, acting_user=officer, due_in=7)
    (request,) = outcome.requests
    (notice,) = outcome.notifications
    assert notice.rule == PRE_SENTENCE_RULE and notice.kind == NotificationKind.INFORMATION_REQUEST
    assert notice.needs_answer
    assert notice.due_date == request.answer_due == timezone.localdate() + timedelta(days=7)
    assert (notice.source_id, notice.thread_id) == (request.pk, investigation.pk)
    assert notice.recipient_organisation.code == "101"
    assert notice.recipient_department is None or notice.recipient_department.kind == DepartmentKind.SOCIAL
    assert notice.legal_basis.key == "retsplejeloven:808"
    assert notice.snapshot["court"] == "Københavns Byret"
    assert notice.snapshot["questions"] == "Bolig og forsørgelse?"
    assert notice.snapshot["hearing_date"] == investigation.hearing_date.isoformat()
    assert PersonLink.objects.live().filter(person=investigation.person, organisation__code="101").exists()
    assert Delivery.objects.filter(notification=notice).exists()
    assert AuditEvent.objects.filter(action="pre_sentence.request_send", person=investigation.person).count() == 1


@pytest.mark.django_db
def test_one_request_per_body_also_to_other_bodies_in_the_directory(officer):
    investigation = open_investigation(acting_user=officer)
    police = Organisation.objects.get(code="1470")
    outcome = send_request(
        investigation, acting_user=officer, recipients=[Organisation.objects.get(code="101"), police]
    )
    assert sorted(n.recipient_organisation.code for n in outcome.notifications) == ["101", "1470"]
    assert InformationRequest.objects.filter(investigation=investigation).count() == 2


def _bad(investigation, **overrides):
    kwargs = {
        "recipients": [Organisation.objects.get(code="101")],
        "questions": "Bolig?",
        "basis": services.BASIS_PRE_SENTENCE,
        "answer_due": timezone.localdate() + timedelta(days=5),
    }
    kwargs.update(overrides)
    return kwargs


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"questions": "  "}, "questions", "questions_required"),
        ({"questions": "x" * 4001}, "questions", "questions_too_long"),
        ({"recipients": []}, "recipients", "no_recipients"),
        ({"basis": ""}, "basis", "basis_required"),
        ({"basis": "serviceloven:141"}, "basis", "basis_unknown"),
        ({"basis": "consent"}, "basis", "no_consent"),  # no live consent covers the disclosure
        ({"answer_due": None}, "answer_due", "due_required"),
        ({"answer_due": timezone.localdate() - timedelta(days=1)}, "answer_due", "due_in_past"),
        ({"answer_due": timezone.localdate() + timedelta(days=30)}, "answer_due", "due_after_hearing"),  # = the hearing
        ({"answer_due": timezone.localdate() + timedelta(days=31)}, "answer_due", "due_after_hearing"),
    ],
)
def test_a_bad_request_is_refused_in_danish_and_nothing_is_sent(officer, overrides, field, code):
    investigation = open_investigation(acting_user=officer, days_ahead=30)
    with pytest.raises(ValidationError) as caught:
        services.information_request_send(investigation, acting_user=officer, **_bad(investigation, **overrides))
    assert caught.value.error_dict[field][0].code == code
    assert caught.value.error_dict[field][0].messages[0][0].isupper()  # a Danish sentence, not a code
    assert not InformationRequest.objects.exists()
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_a_request_on_consent_rests_on_a_live_consent_for_that_recipient_and_keeps_its_id(officer):
    from samarbejde.consent.tests.factories import ConsentFactory

    investigation = open_investigation(acting_user=officer)
    consent = ConsentFactory(person=investigation.person, categories=["pre_sentence_information"])
    outcome = services.information_request_send(
        investigation, acting_user=officer, **_bad(investigation, basis="consent")
    )
    (request,) = outcome.requests
    assert request.basis == "consent" and request.consent_ref == str(consent.pk) and request.legal_basis_key == ""
    assert outcome.notifications[0].snapshot["disclosure_basis"].startswith("Borgerens samtykke")


def _no_consent_cases():
    from samarbejde.consent.tests.factories import ConsentFactory, expired_consent, revoke

    return [
        ("another category", lambda p: ConsentFactory(person=p, categories=["case_files"])),
        (
            "another recipient",
            lambda p: ConsentFactory(
                person=p, recipients=[Organisation.objects.get(code="147")], categories=["pre_sentence_information"]
            ),
        ),
        ("revoked", lambda p: revoke(ConsentFactory(person=p, categories=["pre_sentence_information"]))),
        ("expired", lambda p: expired_consent(p, categories=["pre_sentence_information"])),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("case", range(4), ids=["another category", "another recipient", "revoked", "expired"])
def test_a_request_on_consent_without_a_live_consent_covering_it_is_refused_and_nothing_is_sent(officer, case):
    investigation = open_investigation(acting_user=officer)
    _no_consent_cases()[case][1](investigation.person)
    with pytest.raises(ValidationError) as caught:
        services.information_request_send(investigation, acting_user=officer, **_bad(investigation, basis="consent"))
    assert caught.value.error_dict["basis"][0].code == "no_consent"
    assert not InformationRequest.objects.exists() and not Notification.objects.exists()


@pytest.mark.django_db
def test_another_kif_office_cannot_send_on_the_investigation(officer):
    investigation = open_investigation(acting_user=officer)
    other = user_with_role(Role.PROBATION_OFFICER, "krfo-kif-sjaelland")
    with pytest.raises(PermissionDenied):
        send_request(investigation, acting_user=other)


# --- answering, escalating, closing -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_municipality_answers_with_text_and_a_file(officer, coordinator, media):
    investigation = open_investigation(acting_user=officer)
    (notice,) = send_request(investigation, acting_user=officer).notifications
    upload = SimpleUploadedFile("handleplan.pdf", PDF, content_type="application/pdf")
    answer = ns.notification_answer(notice, text="Borgeren har bolig.", files=[upload], acting_user=coordinator)
    assert answer.text == "Borgeren har bolig."
    assert [a.original_name for a in notice.attachments.all()] == ["handleplan.pdf"]


@pytest.mark.django_db
def test_an_overdue_request_is_reminded_and_escalated_by_the_deadline_sweep(coordinator):
    with at(date(2027, 3, 1)):
        officer = kif_officer()
        investigation = open_investigation(acting_user=officer, days_ahead=30)
        (notice,) = send_request(investigation, acting_user=officer, due_in=9).notifications  # due 10 March
    with at(date(2027, 3, 8)):
        assert ns.deadline_sweep().reminded == 1
    with at(date(2027, 3, 11)):
        result = ns.deadline_sweep()
    assert result.escalated == 1
    assert NotificationReminder.objects.filter(notification=notice, kind=ReminderKind.ESCALATION).exists()
    notice.refresh_from_db()
    assert notice.status == "overdue"


@pytest.mark.django_db
def test_closing_withdraws_the_unanswered_requests_and_refuses_later_answers(officer, coordinator, media):
    investigation = open_investigation(acting_user=officer)
    (answered,) = send_request(investigation, acting_user=officer).notifications
    (pending,) = send_request(investigation, acting_user=officer, questions="Misbrug?").notifications
    ns.notification_answer(answered, text="Svar.", acting_user=coordinator)

    closed = services.investigation_close(investigation, note="Erklæringen er sendt.", acting_user=officer)

    assert closed.status == InvestigationStatus.CLOSED
    pending.refresh_from_db()
    answered.refresh_from_db()
    assert Notification.objects.filter(thread_id=investigation.pk).count() == 2  # closing sent no notice
    assert pending.withdrawn_at is not None and answered.withdrawn_at is None
    with pytest.raises(ValidationError) as caught:
        ns.notification_answer(pending, text="For sent.", acting_user=coordinator)
    assert services.MSG_ANSWER_CLOSED in caught.value.messages
    # KiF keeps its link for a while, then not (a product choice, a setting).
    link = PersonLink.objects.get(person=investigation.person, organisation__code=KIF, reason=LinkReason.CASE)
    assert link.expires_at is not None and link.close_rule == "pre_sentence.closed"
    assert AuditEvent.objects.filter(action="pre_sentence.close", person=investigation.person).exists()
    # The thread is over: København keeps its link from the answered request only a while (people.link_rules).
    assert answered.thread_ended_at is not None
    kbh_link = PersonLink.objects.get(person=investigation.person, organisation__code="101", source_id=answered.pk)
    assert kbh_link.expires_at is not None and kbh_link.close_rule == "notice.settled_after_end"
    with at(timezone.localdate() + timedelta(days=60)):
        assert ns.deadline_sweep().escalated == 0


@pytest.mark.django_db
def test_the_answer_guard_refuses_an_answer_to_a_still_live_request_of_a_closed_investigation(officer, coordinator):
    investigation = open_investigation(acting_user=officer)
    (notice,) = send_request(investigation, acting_user=officer).notifications
    Investigation.objects.filter(pk=investigation.pk).update(status=InvestigationStatus.CLOSED)  # e.g. a race
    with pytest.raises(ValidationError) as caught:
        ns.notification_answer(notice, text="Svar.", acting_user=coordinator)
    assert caught.value.error_dict["__all__"][0].code == "answer_refused"
    assert not Notification.objects.filter(pk=notice.pk, answered_at__isnull=False).exists()


@pytest.mark.django_db
def test_a_closed_investigation_takes_no_new_request_and_closes_once(officer):
    investigation = open_investigation(acting_user=officer)
    services.investigation_close(investigation, acting_user=officer)
    with pytest.raises(ValidationError) as caught:
        send_request(investigation, acting_user=officer)
    assert caught.value.code == "investigation_closed"
    with pytest.raises(ValidationError) as caught:
        services.investigation_close(investigation, acting_user=officer)
    assert caught.value.code == "already_closed"
    assert not InformationRequest.objects.exists()


@pytest.mark.django_db
def test_kif_loses_sight_of_a_closed_investigation_by_its_rule_after_the_set_time(settings):
    from samarbejde.people.services import person_links_close_expired
    from samarbejde.pre_sentence.access import investigations_visible_to

    settings.PRE_SENTENCE_ACCESS_DAYS_AFTER_CLOSE = 90
    with at(date(2027, 3, 1)):
        officer = kif_officer()
        investigation = open_investigation(acting_user=officer)
        services.investigation_close(investigation, acting_user=officer)
    with at(date(2027, 5, 29)):
        assert investigations_visible_to(officer).filter(pk=investigation.pk).exists()
    with at(date(2027, 5, 31)):
        assert person_links_close_expired()["pre_sentence.closed"] == 1
        assert not investigations_visible_to(officer).filter(pk=investigation.pk).exists()
