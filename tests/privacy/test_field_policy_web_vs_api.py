"""One field policy for the web and the API (ADR 0011): for every role, the notice page and the API's detail
show the same person fields (full or masked CPR, address, custody type) for the same notice, and both are
what people.fields says; the API list shows each notice as its detail does, the web inbox row masks the CPR.

The API is called as the role's user (force_authenticate with a key of the user's organisation): an API
key's own service user has one role per organisation kind, so this is how every role is compared.
"""

import re

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from samarbejde.api.models import ApiScope
from samarbejde.api.services import api_key_create
from samarbejde.custody.models import ReleaseKind
from samarbejde.custody.services import episode_release
from samarbejde.custody.tests.factories import INSTITUTION, admit, krfo_case_worker, make_person
from samarbejde.notifications.models import NotificationKind
from samarbejde.organisations.roles import Role
from samarbejde.organisations.tests.factories import user_with_role
from samarbejde.people.cpr import mask_cpr
from samarbejde.people.fields import Context, Field, Show, show_for
from samarbejde.people.models import PensionKind
from samarbejde.people.services import person_access_grant

pytestmark = pytest.mark.django_db

ADDRESS_AFTER = "Frigivelsesvej 9, 2450 København SV"
CUSTODY_LABEL = "<dt>Frihedsberøvelse</dt>"

# Where each role's user sits: the recipient's organisation for the recipients, the releasing institution
# for the KRFO roles that may be held there; the others get a need-access grant (see _viewer).
ROLE_CODE = {
    Role.KRFO_CASE_WORKER: INSTITUTION,
    Role.KRFO_MANAGER: INSTITUTION,
    Role.PROBATION_OFFICER: "krfo-kif-hovedstaden",
    Role.YOUTH_SUPERVISOR: "krfo-ungekriminalforsorgen",
    Role.MUNICIPAL_CASE_WORKER: "101",
    Role.MUNICIPAL_COORDINATOR: "101",
    Role.POLICE_OFFICER: "1470",
    Role.UDK_OFFICER: "udbetaling-danmark",
    Role.ADMINISTRATOR: "krfo-direktoratet",
}
NEED_ACCESS_ROLES = {Role.PROBATION_OFFICER, Role.YOUTH_SUPERVISOR}


@pytest.fixture(autouse=True)
def _clear_throttle_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def released():
    """A pensioner admitted and released with an address: release notices to municipality 101 and to UDK."""
    worker = krfo_case_worker()
    person = make_person(acting_user=worker, home="101", pension=PensionKind.FOLKEPENSION, benefits=("kontanthjaelp",))
    outcome = admit(person, acting_user=worker)
    release = episode_release(
        outcome.episode,
        released_at=timezone.now(),
        release_kind=ReleaseKind.PAROLE,
        address_after=ADDRESS_AFTER,
        acting_user=worker,
    )
    notices = [n for n in release.notifications if n.kind == NotificationKind.RELEASE_NOTICE]
    assert {n.recipient_organisation.code for n in notices} >= {"101", "udbetaling-danmark"}
    return person, notices


def _notice_for(role, notices):
    """The notice the role's organisation got (a KRFO role: the municipality's; nobody's: the first)."""
    code = ROLE_CODE[role]
    return next((n for n in notices if n.recipient_organisation.code == code), notices[0])


def _viewer(role, person):
    user = user_with_role(role, ROLE_CODE[role])
    if role in NEED_ACCESS_ROLES:
        person_access_grant(person, justification="Test af feltpolitikken", hours=8, acting_user=user)
    return user


def _api(user):
    key, _raw = api_key_create(
        user.active_membership.organisation, scopes=[ApiScope.NOTIFICATIONS_READ, ApiScope.NOTIFICATIONS_ANSWER]
    )
    client = APIClient()
    client.force_authenticate(user=user, token=key)
    return client


def _cpr_shown_in_text(text: str, person) -> Show:
    if person.cpr_formatted in text or re.search(rf"\b{person.cpr}\b", text):
        return Show.FULL
    if mask_cpr(person.cpr) in text:
        return Show.MASKED
    return Show.HIDDEN


def _web(client, user, notice, person) -> dict | None:
    client.force_login(user)
    response = client.get(f"/indbakke/{notice.pk}/")
    if response.status_code == 404:
        return None
    assert response.status_code == 200
    html = response.content.decode()
    return {
        Field.CPR: _cpr_shown_in_text(html, person),
        Field.NAME: Show.FULL if person.full_name in html else Show.HIDDEN,
        Field.ADDRESS: Show.FULL if ADDRESS_AFTER in html else Show.HIDDEN,
        Field.CUSTODY_TYPE: Show.FULL if CUSTODY_LABEL in html else Show.HIDDEN,
    }


def _snapshot_shows(snapshot: dict, person) -> dict:
    cpr = snapshot.get("cpr")
    return {
        Field.CPR: Show.FULL if cpr == person.cpr else (Show.MASKED if cpr == mask_cpr(person.cpr) else Show.HIDDEN),
        Field.NAME: Show.FULL if snapshot.get("name") == person.full_name else Show.HIDDEN,
        Field.ADDRESS: Show.FULL if snapshot.get("address_after_release") == ADDRESS_AFTER else Show.HIDDEN,
        Field.CUSTODY_TYPE: Show.FULL if snapshot.get("custody_type") else Show.HIDDEN,
    }


def _api_detail(api, notice, person) -> dict | None:
    response = api.get(f"/api/v1/notifications/{notice.pk}/")
    if response.status_code == 404:
        return None
    assert response.status_code == 200, response.content
    return _snapshot_shows(response.json()["snapshot"], person)


def _expected(role, context) -> dict:
    return {
        field: show_for(role, context, field) for field in (Field.CPR, Field.NAME, Field.ADDRESS, Field.CUSTODY_TYPE)
    }


@pytest.mark.parametrize("role", list(Role))
def test_notice_page_and_api_detail_show_the_same_fields_for_every_role(client, released, role):
    person, notices = released
    notice = _notice_for(role, notices)
    user = _viewer(role, person)
    web = _web(client, user, notice, person)
    api = _api_detail(_api(user), notice, person)
    assert web == api  # both 404, or the same fields shown the same way
    if web is not None:
        assert web == _expected(role, Context.NOTICE)


def test_every_role_is_compared_and_the_addressed_recipients_see_the_full_cpr(client, released):
    """Guards the table above: the recipients and KRFO roles really see the notice (a 404 on both sides
    would compare nothing), and the addressed recipient gets the full CPR number on the notice."""
    person, notices = released
    seen = set()
    for role in Role:
        user = _viewer(role, person)
        if _web(client, user, _notice_for(role, notices), person) is not None:
            seen.add(role)
    assert seen == set(Role) - {Role.POLICE_OFFICER, Role.ADMINISTRATOR}  # police get no release notice
    for role in (Role.MUNICIPAL_CASE_WORKER, Role.MUNICIPAL_COORDINATOR, Role.UDK_OFFICER):
        assert show_for(role, Context.NOTICE, Field.CPR) == Show.FULL


@pytest.mark.parametrize("role", [Role.MUNICIPAL_CASE_WORKER, Role.MUNICIPAL_COORDINATOR, Role.UDK_OFFICER])
def test_api_list_item_is_the_detail_and_the_inbox_row_masks_the_cpr(client, released, role):
    person, notices = released
    notice = _notice_for(role, notices)
    user = _viewer(role, person)
    api = _api(user)
    listed = api.get("/api/v1/notifications/", {"page_size": 200})
    assert listed.status_code == 200
    item = next(i for i in listed.json()["results"] if i["id"] == str(notice.pk))
    detail = api.get(f"/api/v1/notifications/{notice.pk}/").json()
    assert item["snapshot"] == detail["snapshot"]
    assert _snapshot_shows(item["snapshot"], person) == _expected(role, Context.NOTICE)

    client.force_login(user)
    html = client.get("/indbakke/").content.decode()
    row = re.search(r"<tr>(?:(?!</tr>).)*" + re.escape(person.full_name) + r".*?</tr>", html, re.S).group(0)
    assert _cpr_shown_in_text(row, person) == show_for(role, Context.INBOX_ROW, Field.CPR) == Show.MASKED
    assert ADDRESS_AFTER not in row


def test_the_api_key_service_users_get_what_their_staff_see_on_the_notice_page(client, released):
    """End to end with real keys: the municipality's and UDK's service users (an API key's own user)."""
    person, notices = released
    for notice in notices:
        code = notice.recipient_organisation.code
        if code not in ("101", "udbetaling-danmark"):
            continue
        _key, raw = api_key_create(notice.recipient_organisation, scopes=[ApiScope.NOTIFICATIONS_READ])
        response = client.get(f"/api/v1/notifications/{notice.pk}/", HTTP_AUTHORIZATION=f"Bearer {raw}")
        assert response.status_code == 200
        staff = user_with_role(Role.MUNICIPAL_CASE_WORKER if code == "101" else Role.UDK_OFFICER, code)
        assert _snapshot_shows(response.json()["snapshot"], person) == _web(client, staff, notice, person)
