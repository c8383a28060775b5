"""KRFO's decision to coordinate the handleplan (issue 3, point 8): the service (yes, no, idempotent, guards),
the request for case files it sends (recipient, department, deadline, legal basis) and the episode page form."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from samarbejde.audit.models import AuditEvent
from samarbejde.consent.categories import DataCategory
from samarbejde.consent.models import ConsentOverride
from samarbejde.consent.services import MSG_NO_CONSENT, MSG_OVERRIDE_NOT_ALLOWED
from samarbejde.consent.tests.factories import ConsentFactory, expired_consent, revoke
from samarbejde.core.business_days import add_business_days
from samarbejde.custody import services as s
from samarbejde.custody.models import EpisodeEvent, EventKind
from samarbejde.custody.tests.factories import admit, krfo_case_worker, make_person
from samarbejde.notifications.models import Notification, NotificationKind
from samarbejde.organisations.models import Organisation
from samarbejde.organisations.roles import Role
from samarbejde.organisations.tests.factories import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker():
    return krfo_case_worker()


@pytest.fixture
def episode(worker):
    person = make_person(acting_user=worker, benefits=["kontanthjaelp"])
    # The case-files request rests on the client's consent (Køreplan step 3-4).
    ConsentFactory(person=person, categories=[DataCategory.CASE_FILES])
    return admit(person, acting_user=worker).episode


def case_file_requests(episode):
    return list(Notification.objects.filter(thread_id=episode.pk, kind=NotificationKind.CASE_FILES_REQUEST))


def coordination_events(episode):
    return list(EpisodeEvent.objects.filter(episode=episode, kind=EventKind.COORDINATION_DECISION))


# --- the service ------------------------------------------------------------------------------------------


def test_yes_sends_one_case_files_request_to_social_services_with_deadline_and_legal_basis(worker, episode):
    outcome = s.episode_decide_coordination(episode, coordinate=True, reason="Lang dom", acting_user=worker)

    episode.refresh_from_db()
    assert episode.coordinate_action_plan is True
    assert episode.coordination_reason == "Lang dom"
    assert episode.coordination_decided_by == worker and episode.coordination_decided_at is not None
    assert outcome.event.kind == EventKind.COORDINATION_DECISION
    assert outcome.event.payload == {"coordinate": True, "reason": "Lang dom"}
    [notice] = outcome.notifications
    assert notice == outcome.case_files_request
    assert notice.kind == NotificationKind.CASE_FILES_REQUEST
    assert notice.recipient_organisation.code == "101"
    assert notice.recipient_department.kind == "socialforvaltning"
    assert (notice.legal_basis.act.short_name, notice.legal_basis.reference) == (
        "Koordineringsbekendtgørelsen",
        "§ 3, stk. 1",
    )
    assert notice.due_date == add_business_days(timezone.localdate(), 10)
    assert notice.needs_answer
    # Data minimisation: who and where, what is asked and by whom; no benefits, no pension.
    assert set(notice.snapshot) == {
        "cpr",
        "name",
        "custody_type",
        "institution",
        "admitted_at",
        "expected_release_date",
        "release_certainty",
        "request",
        "requested_by",
    }
    assert notice.snapshot["requested_by"]["name"] == worker.display_name
    assert AuditEvent.objects.filter(action="custody.decide_coordination", person=episode.person).count() == 1
    assert AuditEvent.objects.filter(action="notifications.create", object_id=str(notice.pk)).count() == 1


def test_deadline_is_a_setting(worker, episode, settings):
    settings.CASE_FILES_DUE_BUSINESS_DAYS = 3
    outcome = s.episode_decide_coordination(episode, coordinate=True, acting_user=worker)
    assert outcome.case_files_request.due_date == add_business_days(timezone.localdate(), 3)


def test_no_records_the_decision_and_sends_nothing(worker, episode):
    outcome = s.episode_decide_coordination(episode, coordinate=False, reason="Dom under 4 måneder", acting_user=worker)
    episode.refresh_from_db()
    assert episode.coordinate_action_plan is False
    assert outcome.notifications == [] and outcome.case_files_request is None
    assert case_file_requests(episode) == []
    assert len(coordination_events(episode)) == 1


def test_a_second_yes_sends_no_second_request_and_writes_nothing(worker, episode):
    first = s.episode_decide_coordination(episode, coordinate=True, acting_user=worker)
    audits = AuditEvent.objects.count()
    second = s.episode_decide_coordination(episode, coordinate=True, reason="Igen", acting_user=worker)
    assert second.unchanged and second.event is None and second.notifications == []
    assert second.case_files_request == first.case_files_request
    assert len(case_file_requests(episode)) == 1 and len(coordination_events(episode)) == 1
    assert AuditEvent.objects.count() == audits
    episode.refresh_from_db()
    assert episode.coordination_reason == ""  # the first decision stands


def test_yes_no_yes_changes_the_decision_but_asks_for_the_files_once(worker, episode):
    s.episode_decide_coordination(episode, coordinate=True, acting_user=worker)
    s.episode_decide_coordination(episode, coordinate=False, reason="Fortrudt", acting_user=worker)
    third = s.episode_decide_coordination(episode, coordinate=True, acting_user=worker)
    assert not third.unchanged and third.notifications == []
    assert third.case_files_request is not None
    assert len(case_file_requests(episode)) == 1 and len(coordination_events(episode)) == 3


def test_a_repeated_no_is_unchanged(worker, episode):
    s.episode_decide_coordination(episode, coordinate=False, reason="Kort dom", acting_user=worker)
    again = s.episode_decide_coordination(episode, coordinate=False, reason="Kort dom", acting_user=worker)
    assert again.unchanged and again.case_files_request is None
    assert len(coordination_events(episode)) == 1


def test_unknown_home_municipality_warns_and_a_later_yes_sends_the_request(worker):
    person = make_person(acting_user=worker, home=None)
    episode = admit(person, acting_user=worker).episode
    outcome = s.episode_decide_coordination(episode, coordinate=True, acting_user=worker)
    assert outcome.notifications == [] and outcome.warnings
    from samarbejde.organisations.models import Organisation
    from samarbejde.people.services import person_update_situation

    aarhus = Organisation.objects.get(code="751")
    ConsentFactory(person=person, recipients=[aarhus], categories=[DataCategory.CASE_FILES])
    person_update_situation(
        person,
        home_municipality=aarhus,
        pension=person.pension,
        benefits=[],
        address=person.address,
        acting_user=worker,
    )
    again = s.episode_decide_coordination(episode, coordinate=True, acting_user=worker)
    assert not again.unchanged
    [notice] = again.notifications
    assert notice.recipient_organisation.code == "751"


@pytest.mark.parametrize(
    ("coordinate", "reason", "message"),
    [
        (False, "", s.MSG_COORDINATION_REASON_REQUIRED),
        (False, "   ", s.MSG_COORDINATION_REASON_REQUIRED),
        (True, "x" * 1001, s.MSG_COORDINATION_REASON_TOO_LONG),
        ("ja", "", s.MSG_COORDINATION_CHOICE),
        (None, "", s.MSG_COORDINATION_CHOICE),
    ],
)
def test_bad_input_gives_a_danish_message_and_writes_nothing(worker, episode, coordinate, reason, message):
    with pytest.raises(ValidationError) as exc:
        s.episode_decide_coordination(episode, coordinate=coordinate, reason=reason, acting_user=worker)
    assert exc.value.messages == [message]
    assert coordination_events(episode) == [] and case_file_requests(episode) == []


def test_closed_episode_and_non_krfo_users_are_refused(worker, episode):
    with pytest.raises(PermissionDenied):
        s.episode_decide_coordination(
            episode, coordinate=True, acting_user=user_with_role(Role.MUNICIPAL_COORDINATOR, "101")
        )
    s.episode_release(episode, released_at=timezone.now(), release_kind="from_court", acting_user=worker)
    with pytest.raises(ValidationError) as exc:
        s.episode_decide_coordination(episode, coordinate=True, acting_user=worker)
    assert exc.value.messages == [s.MSG_EPISODE_CLOSED]
    assert case_file_requests(episode) == []


# --- the consent the request rests on (issue 11, point 4; Køreplan step 3-4) ------------------------------


def _bare_episode(worker, consent=None):
    person = make_person(acting_user=worker)
    if consent == "expired":
        expired_consent(person, categories=[DataCategory.CASE_FILES])
    elif consent == "revoked":
        revoke(ConsentFactory(person=person, categories=[DataCategory.CASE_FILES]))
    elif consent == "other_municipality":
        ConsentFactory(
            person=person,
            recipients=[Organisation.objects.get(code="751")],
            categories=[DataCategory.CASE_FILES],
        )
    elif consent == "other_category":
        ConsentFactory(person=person, categories=[DataCategory.HOUSING])
    return admit(person, acting_user=worker).episode


@pytest.mark.parametrize("consent", [None, "expired", "revoked", "other_municipality", "other_category"])
def test_yes_without_a_live_consent_for_the_case_files_is_refused_and_writes_nothing(worker, consent):
    episode = _bare_episode(worker, consent)
    with pytest.raises(ValidationError) as exc:
        s.episode_decide_coordination(episode, coordinate=True, acting_user=worker)
    assert exc.value.messages == [MSG_NO_CONSENT]
    episode.refresh_from_db()
    assert episode.coordinate_action_plan is None
    assert coordination_events(episode) == [] and case_file_requests(episode) == []


def test_a_case_worker_cannot_override_but_a_manager_can_with_a_reason(worker):
    episode = _bare_episode(worker)
    with pytest.raises(ValidationError) as exc:
        s.episode_decide_coordination(episode, coordinate=True, override_reason="Haster", acting_user=worker)
    assert exc.value.messages == [MSG_OVERRIDE_NOT_ALLOWED]
    manager = user_with_role(Role.KRFO_MANAGER, "krfo-koebenhavns-faengsler")
    outcome = s.episode_decide_coordination(
        episode,
        coordinate=True,
        override_reason="Løsladelse om 3 dage, borgeren kan ikke kontaktes",
        acting_user=manager,
    )
    assert outcome.case_files_request is not None
    [override] = ConsentOverride.objects.all()
    assert (override.person, override.recipient.code, override.category) == (episode.person, "101", "case_files")
    assert override.purpose == s.CASE_FILES_PURPOSE and override.acting_user == manager


def test_no_needs_no_consent_and_an_unknown_home_municipality_asks_nobody(worker):
    assert not s.episode_decide_coordination(
        _bare_episode(worker), coordinate=False, reason="Kort dom", acting_user=worker
    ).unchanged
    person = make_person(acting_user=worker, home=None)
    outcome = s.episode_decide_coordination(
        admit(person, acting_user=worker).episode, coordinate=True, acting_user=worker
    )
    assert outcome.notifications == [] and outcome.warnings


# --- the episode page -------------------------------------------------------------------------------------


def page_text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def url(episode, suffix=""):
    return f"/klienter/forloeb/{episode.pk}/{suffix}"


def test_episode_page_shows_the_form_and_the_decision_on_the_timeline(client, worker, episode):
    client.force_login(worker)
    text = page_text(client.get(url(episode)))
    assert "Koordinering af handleplan" in text and "Der er ikke taget stilling" in text
    assert '<legend class="form-label">Skal handleplanen koordineres med kommunen?</legend>' in text

    response = client.post(url(episode, "koordinering/"), {"coordination-coordinate": "ja"}, follow=True)
    text = page_text(response)
    assert "Beslutningen om koordinering af handleplanen er registreret. 1 underretning er sendt" in text
    assert "Anmodning om sagsakter" in text and "Koordineringsbekendtgørelsen § 3, stk. 1" in text
    assert "Handleplanen skal koordineres med kommunen." in text  # the timeline

    response = client.post(url(episode, "koordinering/"), {"coordination-coordinate": "ja"}, follow=True)
    text = page_text(response)
    assert "Handleplanen koordineres allerede med kommunen. Anmodningen om sagsakter blev sendt til" in text
    assert "Der er ikke sendt en ny anmodning." in text
    assert len(case_file_requests(episode)) == 1


def test_episode_page_refuses_yes_without_consent_with_the_danish_message(client, worker):
    episode = _bare_episode(worker)
    client.force_login(worker)
    response = client.post(url(episode, "koordinering/"), {"coordination-coordinate": "ja"})
    assert response.status_code == 200
    assert "Der er ikke et gyldigt samtykke fra borgeren" in page_text(response)
    assert coordination_events(episode) == []


def test_a_manager_overrides_the_missing_consent_on_the_episode_page(client, worker):
    episode = _bare_episode(worker)
    client.force_login(worker)
    assert "Begrundelse for at anmode om sagsakter uden samtykke" not in page_text(client.get(url(episode)))
    manager = user_with_role(Role.KRFO_MANAGER, "krfo-koebenhavns-faengsler")
    client.force_login(manager)
    assert "Begrundelse for at anmode om sagsakter uden samtykke" in page_text(client.get(url(episode)))
    response = client.post(
        url(episode, "koordinering/"),
        {"coordination-coordinate": "ja", "coordination-override_reason": "Løsladelse om 3 dage"},
        follow=True,
    )
    assert "1 underretning er sendt" in page_text(response)
    [override] = ConsentOverride.objects.all()
    assert override.reason == "Løsladelse om 3 dage" and override.acting_user == manager


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Vælg, om handleplanen skal koordineres med kommunen."),
        ({"coordination-coordinate": "måske"}, "Vælg, om handleplanen skal koordineres med kommunen."),
        ({"coordination-coordinate": "nej"}, "Skriv en begrundelse, når handleplanen ikke skal koordineres"),
        ({"coordination-coordinate": "nej", "coordination-reason": "x" * 1001}, "Teksten må højst være 1000 tegn"),
    ],
)
def test_bad_form_input_shows_danish_errors_and_saves_nothing(client, worker, episode, data, message):
    client.force_login(worker)
    response = client.post(url(episode, "koordinering/"), data)
    assert response.status_code == 200
    assert 'id="error-summary"' in response.content.decode() and message in page_text(response)
    assert coordination_events(episode) == []


@pytest.mark.parametrize(
    ("role", "code"),
    [
        (Role.YOUTH_SUPERVISOR, "krfo-ungekriminalforsorgen"),  # sees episodes, may not change them
        (Role.MUNICIPAL_COORDINATOR, "101"),
        (Role.ADMINISTRATOR, "krfo-direktoratet"),
    ],
)
def test_others_cannot_decide(client, episode, role, code):
    client.force_login(user_with_role(role, code))
    response = client.post(url(episode, "koordinering/"), {"coordination-coordinate": "ja"})
    assert response.status_code in (403, 404)
    assert coordination_events(episode) == []


# --- a correction of the home municipality and the consent (Køreplan step 3-4) ----------------------------


def _correct_home(episode, worker, code, *, pension=None):
    person = episode.person
    return s.episode_correct_person(
        episode,
        home_municipality=Organisation.objects.get(code=code),
        pension=pension or person.pension,
        benefits=list(person.benefits or ()),
        reason="Bopælskommunen var registreret forkert",
        acting_user=worker,
    )


def test_a_corrected_home_municipality_gets_no_case_files_request_without_a_consent_with_it(worker, episode):
    s.episode_decide_coordination(episode, coordinate=True, acting_user=worker)
    [first] = case_file_requests(episode)

    _correct_home(episode, worker, "751")

    first.refresh_from_db()
    assert first.withdrawn_at is not None  # København no longer holds the case
    assert [n for n in case_file_requests(episode) if n.withdrawn_at is None] == []  # Aarhus not asked: no consent
    # Once the consent with Aarhus is recorded, repeating "yes" asks Aarhus.
    ConsentFactory(
        person=episode.person, recipients=[Organisation.objects.get(code="751")], categories=[DataCategory.CASE_FILES]
    )
    outcome = s.episode_decide_coordination(episode, coordinate=True, acting_user=worker)
    assert outcome.case_files_request.recipient_organisation.code == "751"


def test_a_corrected_home_municipality_with_a_consent_gets_the_request(worker, episode):
    ConsentFactory(
        person=episode.person, recipients=[Organisation.objects.get(code="751")], categories=[DataCategory.CASE_FILES]
    )
    s.episode_decide_coordination(episode, coordinate=True, acting_user=worker)

    _correct_home(episode, worker, "751")

    [live] = [n for n in case_file_requests(episode) if n.withdrawn_at is None]
    assert live.recipient_organisation.code == "751"


def test_a_correction_that_keeps_the_municipality_keeps_the_request_sent_even_after_the_consent_lapsed(worker, episode):
    s.episode_decide_coordination(episode, coordinate=True, acting_user=worker)
    [request] = case_file_requests(episode)
    for consent in episode.person.consents.all():
        revoke(consent)

    _correct_home(episode, worker, "101", pension="folkepension")

    request.refresh_from_db()
    assert request.withdrawn_at is None  # nothing new is disclosed: the request already sent stands
