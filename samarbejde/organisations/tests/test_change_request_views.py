"""The change-request pages end to end: propose, list, review, public page and history."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from samarbejde.audit.models import AuditEvent
from samarbejde.organisations import services, views
from samarbejde.organisations.models import ChangeRequestStatus, Contact, ContactChangeRequest, ContactFunction
from samarbejde.organisations.roles import Role
from samarbejde.organisations.tests.factories import ChangeRequestFactory, ContactFactory, user_with_role

pytestmark = pytest.mark.django_db

CREATE_KBH = reverse("organisations:change_request_create", args=["101"])
LIST = reverse("organisations:change_request_list")


def form_data(contact: Contact | None = None, **changes) -> dict:
    data = {"contact": str(contact.pk) if contact else "ny", "message": ""}
    data.update(contact.snapshot() if contact else {name: "" for name in Contact.EDITABLE_FIELDS})
    data.update(changes)
    return data


def review_url(request) -> str:
    return reverse("organisations:change_request_review", args=[request.pk])


def detail_url(request) -> str:
    return reverse("organisations:change_request_detail", args=[request.pk])


def message_texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- Create -----------------------------------------------------------------------------------------


def test_create_page_lists_the_contacts_by_function_and_a_new_contact_option(client, kbh, contact, coordinator):
    main = ContactFactory(organisation=kbh, function=ContactFunction.MAIN, unit_name="Hovedindgang", sort_order=5)
    client.force_login(coordinator)
    response = client.get(CREATE_KBH)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'value="{main.pk}"' in html and f'value="{contact.pk}"' in html and 'value="ny"' in html
    assert html.index("Hovedkontakt: Hovedindgang") < html.index("Ved løsladelse: Socialcenter")
    assert 'name="unit_name"' not in html  # step 2 appears once a contact is chosen


def test_choosing_a_contact_prefills_its_fields(client, contact, coordinator):
    client.force_login(coordinator)
    response = client.get(CREATE_KBH, {"contact": str(contact.pk)})
    html = response.content.decode()
    assert 'value="Socialcenter, team for løsladte"' in html
    assert 'value="loesladelse@kk.invalid"' in html
    assert 'name="function"' not in html  # an existing contact keeps its function
    assert "checked" in html


def test_choosing_a_new_contact_asks_for_the_function(client, coordinator):
    client.force_login(coordinator)
    html = client.get(CREATE_KBH, {"contact": "ny"}).content.decode()
    assert 'name="function"' in html and "Exit (rocker/bande)" in html
    assert "Kriminalforsorgens kontaktperson" not in html


def test_htmx_swaps_only_the_fields(client, contact, coordinator):
    client.force_login(coordinator)
    response = client.get(CREATE_KBH, {"contact": str(contact.pk)}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html and 'id="proposal"' in html and 'value="Socialcenter, team for løsladte"' in html


@pytest.mark.parametrize("bad", ["00000000-0000-0000-0000-000000000000", "x" * 200, "<b>"])
def test_an_unknown_contact_parameter_is_ignored(client, contact, coordinator, bad):
    client.force_login(coordinator)
    response = client.get(CREATE_KBH, {"contact": bad})
    assert response.status_code == 200
    assert 'name="unit_name"' not in response.content.decode()


def test_proposing_a_change_redirects_to_the_request(client, contact, coordinator):
    client.force_login(coordinator)
    response = client.post(CREATE_KBH, form_data(contact, phone="70 10 20 30", message="Nyt nummer"))
    request = ContactChangeRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(request)
    assert request.contact == contact and request.function == ContactFunction.RELEASE
    assert request.phone == "70 10 20 30" and request.message == "Nyt nummer"
    assert "sendt til behandling" in message_texts(response)[0]
    contact.refresh_from_db()
    assert contact.phone == "33 66 33 66"  # nothing changes before approval


def test_proposing_a_new_contact(client, krfo_user):
    client.force_login(krfo_user)
    response = client.post(
        CREATE_KBH, form_data(None, function=ContactFunction.GANG_EXIT, unit_name="Exit-enheden", phone="1")
    )
    assert response.status_code == 302
    request = ContactChangeRequest.objects.get()
    assert request.contact is None and request.function == ContactFunction.GANG_EXIT
    assert request.proposed_by_organisation.code == "krfo-koebenhavns-faengsler"


def test_a_new_contact_needs_a_function(client, coordinator):
    client.force_login(coordinator)
    response = client.post(CREATE_KBH, form_data(None, unit_name="Exit-enheden"))
    assert response.status_code == 200
    assert "Vælg hvilken funktion den nye kontakt har." in response.content.decode()
    assert not ContactChangeRequest.objects.exists()


def test_a_proposal_that_changes_nothing_gets_a_danish_error(client, contact, coordinator):
    client.force_login(coordinator)
    response = client.post(CREATE_KBH, form_data(contact, message="Bare for at sige hej"))
    assert response.status_code == 200
    assert "Forslaget ændrer ikke noget" in response.content.decode()
    assert not ContactChangeRequest.objects.exists()


def test_the_function_of_an_existing_contact_cannot_be_changed_by_posting_it(client, contact, coordinator):
    client.force_login(coordinator)
    client.post(CREATE_KBH, form_data(contact, function=ContactFunction.MAIN, phone="2"))
    assert ContactChangeRequest.objects.get().function == ContactFunction.RELEASE


def test_the_public_page_links_to_create_and_history(client, kbh, coordinator):
    page = reverse("public:municipality_detail", args=["101"])
    anonymous = client.get(page).content.decode()
    assert reverse("organisations:contact_history", args=["101"]) in anonymous
    assert "Se ændringshistorik" in anonymous
    assert CREATE_KBH not in anonymous
    client.force_login(coordinator)
    assert CREATE_KBH in client.get(page).content.decode()


# --- List ---------------------------------------------------------------------------------------------


def test_reviewers_see_pending_first_and_can_filter(client, kbh, aarhus, admin_user):
    approved = ChangeRequestFactory(status=ChangeRequestStatus.APPROVED, unit_name="Godkendt enhed")
    pending_kbh = ChangeRequestFactory(unit_name="Afventende København")
    pending_aarhus = ChangeRequestFactory(
        contact=ContactFactory(organisation=aarhus),
        proposed_by=user_with_role(Role.MUNICIPAL_COORDINATOR, "751"),
        unit_name="Afventende Aarhus",
    )
    # The approved one is the newest, yet it comes after the pending ones.
    ContactChangeRequest.objects.filter(pk=approved.pk).update(created_at=pending_aarhus.created_at)
    client.force_login(admin_user)
    html = client.get(LIST).content.decode()
    assert html.index("Afventende") < html.index("Godkendt enhed")

    html = client.get(LIST, {"status": "pending", "kommune": "751"}).content.decode()
    assert "Afventende Aarhus" in html and "Afventende København" not in html and "Godkendt enhed" not in html
    html = client.get(LIST, {"status": "approved"}).content.decode()
    assert "Godkendt enhed" in html and "Afventende" not in html
    assert pending_kbh.pk  # used


def test_an_invalid_filter_is_reported_and_ignored(client, admin_user):
    ChangeRequestFactory(unit_name="Synlig")
    client.force_login(admin_user)
    response = client.get(LIST, {"status": "<script>", "kommune": "000", "side": "9999"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Vælg en status fra listen." in html and "Vælg en kommune fra listen." in html
    assert "Synlig" in html


def test_proposers_see_their_own_organisations_requests_with_the_decision_reason(client, coordinator, admin_user):
    mine = ChangeRequestFactory(proposed_by=coordinator, unit_name="Mit forslag")
    services.change_request_reject(mine, reason="Findes allerede", acting_user=admin_user)
    ChangeRequestFactory(
        contact=None,
        proposed_by=user_with_role(Role.KRFO_CASE_WORKER),
        unit_name="KRFO's forslag",
    )
    client.force_login(coordinator)
    html = client.get(LIST).content.decode()
    assert "Mit forslag" in html and "Afvist" in html and "Findes allerede" in html
    assert "KRFO&#x27;s forslag" not in html and "KRFO's forslag" not in html
    assert 'name="kommune"' not in html  # a coordinator has one municipality only
    assert CREATE_KBH in html


# --- Detail and review ----------------------------------------------------------------------------------


def test_detail_shows_current_against_proposed_and_highlights_changes(client, contact, coordinator, admin_user):
    request = services.change_request_propose(
        contact.organisation,
        function=contact.function,
        contact=contact,
        fields={**contact.snapshot(), "phone": "70 10 20 30"},
        message="Nyt nummer",
        acting_user=coordinator,
    )
    client.force_login(admin_user)
    html = client.get(detail_url(request)).content.decode()
    assert '<del class="diff-old">33 66 33 66</del>' in html
    assert '<ins class="diff-new">70 10 20 30</ins>' in html
    assert html.count('class="diff-new"') == 1  # only the changed field
    assert coordinator.display_name in html and "Nyt nummer" in html
    assert "Godkend" in html and "Afvis" in html
    # The proposer sees the same comparison, but no review form.
    client.force_login(coordinator)
    html = client.get(detail_url(request)).content.decode()
    assert 'class="diff-new"' in html and review_url(request) not in html


def test_detail_warns_when_the_contact_changed_after_the_proposal(client, contact, admin_user):
    request = ChangeRequestFactory(contact=contact, phone="1")
    Contact.objects.filter(pk=contact.pk).update(address="Ny adresse 1")
    client.force_login(admin_user)
    assert "Kontakten er ændret, efter forslaget blev sendt." in client.get(detail_url(request)).content.decode()


def test_approving_updates_the_public_page_and_the_history(client, kbh, contact, coordinator, admin_user):
    client.force_login(coordinator)
    client.post(CREATE_KBH, form_data(contact, phone="70 10 20 30", unit_name="Team for løsladte, Nørrebro"))
    request = ContactChangeRequest.objects.get()
    public_page = reverse("public:municipality_detail", args=["101"])
    assert "Team for løsladte, Nørrebro" not in client.get(public_page).content.decode()

    client.force_login(admin_user)
    response = client.post(review_url(request), {"decision": "approve", "reason": ""})
    assert response.status_code == 302 and response["Location"] == detail_url(request)
    assert "godkendt" in message_texts(response)[0]

    client.logout()
    html = client.get(public_page).content.decode()
    assert "Team for løsladte, Nørrebro" in html and "70 10 20 30" in html
    assert "Socialcenter, team for løsladte" not in html

    history = client.get(reverse("organisations:contact_history", args=["101"]))
    assert history.status_code == 200  # public
    html = history.content.decode()
    assert '<del class="diff-old">33 66 33 66</del>' in html and '<ins class="diff-new">70 10 20 30</ins>' in html
    assert "Team for løsladte, Nørrebro" in html
    assert coordinator.display_name not in html  # the proposer is internal


def test_rejecting_needs_a_reason_and_keeps_the_request_pending(client, contact, admin_user):
    request = ChangeRequestFactory(contact=contact, phone="1")
    client.force_login(admin_user)
    response = client.post(review_url(request), {"decision": "reject", "reason": "  "})
    assert response.status_code == 200
    assert services.MSG_REASON_REQUIRED in response.content.decode()
    request.refresh_from_db()
    assert request.status == ChangeRequestStatus.PENDING
    response = client.post(review_url(request), {"decision": "reject", "reason": "Forkert nummer"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == ChangeRequestStatus.REJECTED and request.decision_reason == "Forkert nummer"
    contact.refresh_from_db()
    assert contact.phone == "33 66 33 66"


def test_double_submit_is_harmless(client, contact, admin_user):
    request = ChangeRequestFactory(contact=contact, phone="70 10 20 30")
    client.force_login(admin_user)
    first = client.post(review_url(request), {"decision": "approve", "reason": ""})
    second = client.post(review_url(request), {"decision": "approve", "reason": ""})
    third = client.post(review_url(request), {"decision": "reject", "reason": ""})
    assert first.status_code == second.status_code == third.status_code == 302
    # Messages pile up until a page shows them: the first success, then one refusal per extra submit.
    assert message_texts(third) == [views.MSG_APPROVED, services.MSG_ALREADY_DECIDED, services.MSG_ALREADY_DECIDED]
    assert AuditEvent.objects.filter(action="organisations.change_request_approve").count() == 1
    assert not AuditEvent.objects.filter(action="organisations.change_request_reject").exists()
    request.refresh_from_db()
    assert request.status == ChangeRequestStatus.APPROVED
    # The decided request shows no review form any more.
    assert review_url(request) not in client.get(detail_url(request)).content.decode()


def test_a_race_lost_inside_the_service_shows_the_message(client, contact, admin_user, monkeypatch):
    """Two administrators at once: the page check passes, the locked re-read in the service refuses."""
    from django.core.exceptions import ValidationError

    request = ChangeRequestFactory(contact=contact, phone="1")

    def already_decided(*args, **kwargs):
        raise ValidationError(services.MSG_ALREADY_DECIDED, code="already_decided")

    monkeypatch.setattr(services, "change_request_approve", already_decided)
    client.force_login(admin_user)
    response = client.post(review_url(request), {"decision": "approve"})
    assert response.status_code == 302 and message_texts(response) == [services.MSG_ALREADY_DECIDED]


def test_review_is_post_only(client, contact, admin_user):
    request = ChangeRequestFactory(contact=contact, phone="1")
    client.force_login(admin_user)
    assert client.get(review_url(request)).status_code == 405


def test_the_start_page_links_pending_requests_to_their_detail(client, contact, admin_user):
    request = ChangeRequestFactory(contact=contact, phone="1")
    client.force_login(admin_user)
    assert f'href="{detail_url(request)}"' in client.get(reverse("core:start")).content.decode()


# --- History ----------------------------------------------------------------------------------------------


def test_history_is_newest_first_and_only_approved(client, kbh, contact, admin_user):
    first = ChangeRequestFactory(contact=contact, phone="11 11 11 11")
    services.change_request_approve(first, acting_user=admin_user)
    contact.refresh_from_db()
    second = ChangeRequestFactory(contact=contact, phone="22 22 22 22")
    services.change_request_approve(second, acting_user=admin_user)
    contact.refresh_from_db()
    rejected = ChangeRequestFactory(contact=contact, phone="33 33 33 33")
    services.change_request_reject(rejected, reason="nej", acting_user=admin_user)
    ChangeRequestFactory(contact=contact, phone="44 44 44 44")  # pending

    html = client.get(reverse("organisations:contact_history", args=["101"])).content.decode()
    assert html.index('<ins class="diff-new">22 22 22 22</ins>') < html.index('<ins class="diff-new">11 11 11 11</ins>')
    assert '<del class="diff-old">11 11 11 11</del>' in html
    assert "33 33 33 33" not in html and "44 44 44 44" not in html
    assert "nej" not in html  # decision reasons are internal


def test_history_of_an_unknown_municipality_is_404(client):
    assert client.get(reverse("organisations:contact_history", args=["999"])).status_code == 404
    assert client.get(reverse("organisations:contact_history", args=["krfo-direktoratet"])).status_code == 404


def test_history_without_changes_says_so(client):
    html = client.get(reverse("organisations:contact_history", args=["751"])).content.decode()
    assert "Der er ikke godkendt ændringer" in html


def test_the_list_is_paginated_and_keeps_the_filters(client, admin_user, monkeypatch):
    monkeypatch.setattr(views, "LIST_PAGE_SIZE", 2)
    for i in range(5):
        ChangeRequestFactory(unit_name=f"Enhed nr. {i}")
    client.force_login(admin_user)
    first = client.get(LIST, {"status": "pending"}).content.decode()
    assert "Side 1 af 3" in first and "?status=pending&amp;side=2" in first
    last = client.get(LIST, {"status": "pending", "side": "3"}).content.decode()
    assert "Side 3 af 3" in last and "Enhed nr. 0" in last
    assert client.get(LIST, {"side": "abc"}).status_code == 200


def test_a_pending_new_contact_is_shown_against_empty_values(client, krfo_user, admin_user):
    request = ChangeRequestFactory(contact=None, proposed_by=krfo_user, unit_name="Exit-enheden", phone="12")
    for user in (krfo_user, admin_user):
        client.force_login(user)
        html = client.get(detail_url(request)).content.decode()
        assert "Ny kontakt" in html and '<ins class="diff-new">Exit-enheden</ins>' in html
