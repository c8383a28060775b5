"""Who sees and acts on notices (and episodes), table-driven over every role."""

import uuid

import pytest
from django.http import Http404

from samarbejde.custody.access import access_episode_by_id, episodes_visible_to
from samarbejde.custody.tests.factories import admit, krfo_case_worker, make_person
from samarbejde.notifications.access import access_notification_by_id, notifications_visible_to
from samarbejde.organisations.roles import Role
from samarbejde.organisations.tests.factories import user_with_role

pytestmark = pytest.mark.django_db

# (role, organisation code, sees the København notice, may act on it, sees the episode). Københavns Fængsler
# holds the person: only it (its case workers and its leader) sees the episode and its notices (ADR 0008).
CASES = [
    (Role.KRFO_CASE_WORKER, "krfo-koebenhavns-faengsler", True, False, True),
    (Role.KRFO_MANAGER, "krfo-koebenhavns-faengsler", True, False, True),
    (Role.KRFO_CASE_WORKER, "krfo-storstroem", False, False, False),
    (Role.KRFO_MANAGER, "krfo-storstroem", False, False, False),
    (Role.PROBATION_OFFICER, "krfo-kif-hovedstaden", False, False, False),
    (Role.YOUTH_SUPERVISOR, "krfo-ungekriminalforsorgen", False, False, False),
    (Role.MUNICIPAL_CASE_WORKER, "101", True, True, False),
    (Role.MUNICIPAL_COORDINATOR, "101", True, True, False),
    (Role.MUNICIPAL_CASE_WORKER, "751", False, False, False),
    (Role.MUNICIPAL_COORDINATOR, "751", False, False, False),
    (Role.POLICE_OFFICER, "1470", False, False, False),
    (Role.UDK_OFFICER, "udbetaling-danmark", False, False, False),  # sees its own pension notice only
    (Role.ADMINISTRATOR, "krfo-direktoratet", False, False, False),
]


@pytest.fixture
def admission():
    worker = krfo_case_worker()
    person = make_person(acting_user=worker, pension="folkepension", benefits=["kontanthjaelp"])
    return admit(person, acting_user=worker)


def test_every_role_is_covered():
    assert {row[0] for row in CASES} == set(Role)


@pytest.mark.parametrize(
    ("role", "code", "sees", "acts", "sees_episode"), CASES, ids=[f"{r}-{c}" for r, c, *_ in CASES]
)
def test_notice_access_per_role(admission, role, code, sees, acts, sees_episode):
    user = user_with_role(role, code)
    kbh_notice = next(n for n in admission.notifications if n.kind == "benefits_decision_request")
    udk_notice = next(n for n in admission.notifications if n.recipient_organisation.code == "udbetaling-danmark")
    assert (kbh_notice in notifications_visible_to(user)) is sees
    for action, allowed in (("view", sees), ("acknowledge", acts), ("answer", acts)):
        if allowed:
            assert access_notification_by_id(user, kbh_notice.pk, action=action) == kbh_notice
        else:
            with pytest.raises(Http404):
                access_notification_by_id(user, kbh_notice.pk, action=action)
    if role == Role.UDK_OFFICER:
        assert list(notifications_visible_to(user)) == [udk_notice]
        assert access_notification_by_id(user, udk_notice.pk, action="answer") == udk_notice
    assert (admission.episode in episodes_visible_to(user)) is sees_episode
    if not sees_episode:
        with pytest.raises(Http404):
            access_episode_by_id(user, admission.episode.pk)


@pytest.mark.parametrize("bad_id", [uuid.uuid4(), "not-a-uuid", None, 12])
def test_missing_and_malformed_ids_are_404(admission, bad_id):
    user = user_with_role(Role.MUNICIPAL_CASE_WORKER, "101")
    with pytest.raises(Http404):
        access_notification_by_id(user, bad_id)
    with pytest.raises(Http404):
        access_episode_by_id(krfo_case_worker(), bad_id)


def test_the_notice_opens_a_live_link_so_the_municipality_sees_the_person_and_no_other_does(admission):
    from samarbejde.people.access import persons_visible_to

    person = admission.episode.person
    assert person in persons_visible_to(user_with_role(Role.MUNICIPAL_CASE_WORKER, "101"))
    assert person in persons_visible_to(user_with_role(Role.UDK_OFFICER))
    assert person not in persons_visible_to(user_with_role(Role.MUNICIPAL_CASE_WORKER, "751"))


def test_inbox_query_count_is_constant_in_rows(django_assert_num_queries):
    from samarbejde.notifications.selectors import notifications_inbox

    worker = krfo_case_worker()
    kbh = user_with_role(Role.MUNICIPAL_CASE_WORKER, "101")
    for _ in range(2):
        admit(make_person(acting_user=worker, benefits=["kontanthjaelp", "sygedagpenge"]), acting_user=worker)
    with django_assert_num_queries(1):
        few = [
            (n.person.full_name, n.legal_basis.act.short_name, n.recipient_department.kind)
            for n in notifications_inbox(kbh)
        ]
    for _ in range(3):
        admit(make_person(acting_user=worker, benefits=["kontanthjaelp", "sygedagpenge"]), acting_user=worker)
    with django_assert_num_queries(1):
        many = [
            (n.person.full_name, n.legal_basis.act.short_name, n.recipient_department.kind)
            for n in notifications_inbox(kbh)
        ]
    assert (len(few), len(many)) == (4, 10)


def test_a_closed_link_ends_the_recipients_access_to_every_notice_of_the_person(admission):
    """Done when (issue 9): close København's links to the person; its inbox, notice page and API show nothing."""
    from samarbejde.people.models import PersonLink
    from samarbejde.people.services import person_link_close

    user = user_with_role(Role.MUNICIPAL_CASE_WORKER, "101")
    person = admission.episode.person
    assert notifications_visible_to(user).filter(person=person).exists()
    for link in PersonLink.objects.live().filter(person=person, organisation__code="101"):
        person_link_close(link, acting_user=user)
    assert not notifications_visible_to(user).filter(person=person).exists()
    for notice in admission.notifications:
        with pytest.raises(Http404):
            access_notification_by_id(user, notice.pk)
    # Udbetaling Danmark's own link is untouched.
    udk = user_with_role(Role.UDK_OFFICER, "udbetaling-danmark")
    assert notifications_visible_to(udk).filter(person=person).exists()


def test_the_new_holder_sees_the_whole_thread_and_a_grant_shows_a_persons_notices(admission):
    from samarbejde.custody.services import episode_transfer
    from samarbejde.organisations.models import Organisation
    from samarbejde.people.services import person_access_grant

    storstroem = user_with_role(Role.KRFO_CASE_WORKER, "krfo-storstroem")
    kbh_notice = next(n for n in admission.notifications if n.kind == "benefits_decision_request")
    assert kbh_notice not in notifications_visible_to(storstroem)
    episode_transfer(
        admission.episode,
        to_institution=Organisation.objects.get(code="krfo-storstroem"),
        occurred_at=admission.episode.admitted_at,
        acting_user=storstroem,  # the receiving institution may report the transfer
    )
    assert kbh_notice in notifications_visible_to(storstroem)  # the admission's notices come with the person
    officer = user_with_role(Role.PROBATION_OFFICER, "krfo-kif-hovedstaden")
    assert kbh_notice not in notifications_visible_to(officer)
    person_access_grant(admission.episode.person, justification="Tilsyn planlægges nu", hours=4, acting_user=officer)
    assert kbh_notice in notifications_visible_to(officer)
    assert access_episode_by_id(officer, admission.episode.pk) == admission.episode
