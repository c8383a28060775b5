"""Who may propose, see and review change requests: table-driven over every role."""

import pytest
from django.urls import reverse

from samarbejde.organisations.access import (
    access_change_request_by_id,
    change_requests_visible_to,
    may_propose_change_for,
    may_use_change_requests,
)
from samarbejde.organisations.models import ChangeRequestStatus
from samarbejde.organisations.roles import Role
from samarbejde.organisations.tests.factories import ChangeRequestFactory, ContactFactory, municipality, user_with_role

pytestmark = pytest.mark.django_db

# role, organisation, then the expected status codes for:
# create page for København (101), create page for Aarhus (751), list page, detail of a request
# proposed by København's coordinator, and approving that request.
CASES = [
    (Role.KRFO_CASE_WORKER, "krfo-koebenhavns-faengsler", 200, 200, 200, 404, 403),
    (Role.KRFO_MANAGER, "krfo-storstroem", 200, 200, 200, 404, 403),
    (Role.PROBATION_OFFICER, "krfo-kif-hovedstaden", 200, 200, 200, 404, 403),
    (Role.YOUTH_SUPERVISOR, "krfo-ungekriminalforsorgen", 200, 200, 200, 404, 403),
    (Role.MUNICIPAL_CASE_WORKER, "101", 404, 404, 403, 404, 403),
    (Role.MUNICIPAL_COORDINATOR, "101", 200, 404, 200, 200, 403),
    (Role.MUNICIPAL_COORDINATOR, "751", 404, 200, 200, 404, 403),
    (Role.POLICE_OFFICER, "1470", 404, 404, 403, 404, 403),
    (Role.UDK_OFFICER, "udbetaling-danmark", 404, 404, 403, 404, 403),
    (Role.ADMINISTRATOR, "krfo-direktoratet", 200, 200, 200, 200, 302),
]
IDS = [f"{role}-{code}" for role, code, *_ in CASES]


def test_every_role_is_covered_by_the_table():
    assert {case[0] for case in CASES} == set(Role.values)


@pytest.fixture
def kbh_request():
    proposer = user_with_role(Role.MUNICIPAL_COORDINATOR, "101", username="proposer")
    contact = ContactFactory(organisation=municipality("101"))
    return ChangeRequestFactory(contact=contact, proposed_by=proposer, phone="99 99 99 99")


@pytest.mark.parametrize(("role", "code", "create_kbh", "create_aarhus", "listing", "detail", "review"), CASES, ids=IDS)
def test_pages_per_role(client, kbh_request, role, code, create_kbh, create_aarhus, listing, detail, review):
    user = user_with_role(role, code)
    client.force_login(user)
    assert client.get(reverse("organisations:change_request_create", args=["101"])).status_code == create_kbh
    assert client.get(reverse("organisations:change_request_create", args=["751"])).status_code == create_aarhus
    assert client.get(reverse("organisations:change_request_list")).status_code == listing
    assert client.get(reverse("organisations:change_request_detail", args=[kbh_request.pk])).status_code == detail
    response = client.post(
        reverse("organisations:change_request_review", args=[kbh_request.pk]), {"decision": "approve", "reason": ""}
    )
    assert response.status_code == review
    kbh_request.refresh_from_db()
    expected = ChangeRequestStatus.APPROVED if review == 302 else ChangeRequestStatus.PENDING
    assert kbh_request.status == expected


@pytest.mark.parametrize(("role", "code", "create_kbh", "create_aarhus", "listing", "detail", "review"), CASES, ids=IDS)
def test_access_helpers_agree_with_the_pages(
    kbh_request, role, code, create_kbh, create_aarhus, listing, detail, review
):
    user = user_with_role(role, code)
    assert may_propose_change_for(user, municipality("101")) is (create_kbh == 200)
    assert may_propose_change_for(user, municipality("751")) is (create_aarhus == 200)
    assert may_use_change_requests(user) is (listing == 200)
    assert (kbh_request in change_requests_visible_to(user)) is (detail == 200)


def test_anonymous_users_are_sent_to_log_in(client, kbh_request):
    for url in (
        reverse("organisations:change_request_list"),
        reverse("organisations:change_request_create", args=["101"]),
        reverse("organisations:change_request_detail", args=[kbh_request.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/konto/" in response["Location"], url
    response = client.post(
        reverse("organisations:change_request_review", args=[kbh_request.pk]), {"decision": "approve"}
    )
    assert response.status_code == 302
    kbh_request.refresh_from_db()
    assert kbh_request.status == ChangeRequestStatus.PENDING


def test_the_proposers_organisation_sees_its_requests_but_not_others(kbh_request):
    colleague = user_with_role(Role.MUNICIPAL_COORDINATOR, "101", username="colleague")
    other_org = user_with_role(Role.MUNICIPAL_COORDINATOR, "751")
    assert access_change_request_by_id(colleague, kbh_request.pk) == kbh_request
    assert kbh_request not in change_requests_visible_to(other_org)


def test_a_krfo_request_is_seen_by_its_krfo_unit_only(client):
    krfo = user_with_role(Role.KRFO_CASE_WORKER, "krfo-koebenhavns-faengsler")
    request = ChangeRequestFactory(proposed_by=krfo, phone="1")
    assert request.proposed_by_organisation.code == "krfo-koebenhavns-faengsler"
    client.force_login(user_with_role(Role.KRFO_CASE_WORKER, "krfo-koebenhavns-faengsler"))
    assert client.get(reverse("organisations:change_request_detail", args=[request.pk])).status_code == 200
    client.force_login(user_with_role(Role.MUNICIPAL_COORDINATOR, "101"))  # the municipality concerned
    assert client.get(reverse("organisations:change_request_detail", args=[request.pk])).status_code == 404


@pytest.mark.parametrize("code", ["999", "krfo-direktoratet", "1470", "x" * 500])
def test_create_for_an_unknown_or_non_municipal_code_is_404(client, code):
    client.force_login(user_with_role(Role.ADMINISTRATOR))
    assert client.get(reverse("organisations:change_request_create", args=[code])).status_code == 404


def test_missing_request_is_404(client):
    client.force_login(user_with_role(Role.ADMINISTRATOR))
    missing = "00000000-0000-0000-0000-000000000000"
    assert client.get(reverse("organisations:change_request_detail", args=[missing])).status_code == 404
    response = client.post(reverse("organisations:change_request_review", args=[missing]), {"decision": "approve"})
    assert response.status_code == 404
    assert client.get("/organisationer/aendringsforslag/ikke-et-id/").status_code == 404


def test_a_coordinator_posting_for_another_municipality_gets_404_and_nothing_is_saved(client):
    from samarbejde.organisations.models import ContactChangeRequest

    contact = ContactFactory(organisation=municipality("751"))
    client.force_login(user_with_role(Role.MUNICIPAL_COORDINATOR, "101"))
    response = client.post(
        reverse("organisations:change_request_create", args=["751"]),
        {"contact": str(contact.pk), "unit_name": "Kapret", "message": ""},
    )
    assert response.status_code == 404
    assert not ContactChangeRequest.objects.exists()


def test_the_active_membership_decides_not_the_user(client):
    """Working as Aarhus' coordinator, a user who is also København's may not propose for København."""
    from samarbejde.organisations.tests.factories import grant

    user = user_with_role(Role.MUNICIPAL_COORDINATOR, "751", username="two-jobs")
    kbh_membership = grant(user, Role.MUNICIPAL_COORDINATOR, "101")
    aarhus_membership = user.memberships.get(organisation__code="751")
    client.force_login(user)
    session = client.session
    session["membership_id"] = str(aarhus_membership.pk)
    session.save()
    assert client.get(reverse("organisations:change_request_create", args=["101"])).status_code == 404
    session["membership_id"] = str(kbh_membership.pk)
    session.save()
    assert client.get(reverse("organisations:change_request_create", args=["101"])).status_code == 200


def test_a_user_without_membership_gets_nothing(client, kbh_request):
    from samarbejde.organisations.tests.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get(reverse("organisations:change_request_list")).status_code == 403
    assert client.get(reverse("organisations:change_request_create", args=["101"])).status_code == 404
    assert client.get(reverse("organisations:change_request_detail", args=[kbh_request.pk])).status_code == 404
