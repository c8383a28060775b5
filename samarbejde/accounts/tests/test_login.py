"""Login, lockout, logout and the audit of each."""

import pytest
from django.test import Client

from samarbejde.accounts.tests.factories import PASSWORD, UserFactory, user_with_role
from samarbejde.audit.models import AuditEvent
from samarbejde.organisations.roles import Role

pytestmark = pytest.mark.django_db

LOGIN_URL = "/konto/log-ind/"


def post_login(client, username, password):
    return client.post(LOGIN_URL, {"username": username, "password": password})


def test_login_page_is_danish(client):
    response = client.get(LOGIN_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Log ind</h1>" in html
    assert "Brugernavn" in html
    assert "Adgangskode" in html


@pytest.mark.parametrize(
    ("username", "password"),
    [("rigtig", "forkert-kodeord"), ("findes-ikke", PASSWORD), ("rigtig", ""), ("", "")],
)
def test_wrong_credentials_show_a_danish_error_and_no_session(client, username, password):
    user_with_role(Role.MUNICIPAL_CASE_WORKER, username="rigtig")
    response = post_login(client, username, password)
    assert response.status_code == 200
    html = response.content.decode()
    if username and password:
        assert "Forkert brugernavn eller adgangskode" in html
    else:
        assert "Dette felt er påkrævet." in html or "skal udfyldes" in html
    assert "_auth_user_id" not in client.session
    assert not AuditEvent.objects.filter(action="accounts.login").exists()


def test_inactive_user_cannot_log_in(client):
    user = user_with_role(Role.MUNICIPAL_CASE_WORKER)
    user.is_active = False
    user.save()
    response = post_login(client, user.username, PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_successful_login_writes_an_audit_event_and_picks_the_first_membership(client):
    user = user_with_role(Role.MUNICIPAL_COORDINATOR)
    response = post_login(client, user.username, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/start/"
    assert client.session["_auth_user_id"] == str(user.pk)
    membership = user.memberships.get()
    assert client.session["membership_id"] == str(membership.pk)
    event = AuditEvent.objects.get(action="accounts.login")
    assert event.actor == user
    assert event.organisation == membership.organisation
    assert event.role == Role.MUNICIPAL_COORDINATOR
    assert event.object_id == str(user.pk)


def test_login_follows_a_safe_next_but_not_an_external_one(client):
    user = user_with_role(Role.MUNICIPAL_COORDINATOR)
    response = client.post(LOGIN_URL, {"username": user.username, "password": PASSWORD, "next": "/kommuner/"})
    assert response["Location"] == "/kommuner/"
    client.logout()
    response = client.post(
        LOGIN_URL, {"username": user.username, "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/start/"


def test_lockout_after_five_failures_shows_the_danish_page():
    client = Client()
    user = user_with_role(Role.MUNICIPAL_CASE_WORKER)
    for _ in range(4):
        response = post_login(client, user.username, "forkert-kodeord")
        assert response.status_code == 200
    response = post_login(client, user.username, "forkert-kodeord")
    assert response.status_code in (403, 429)
    assert "Brugeren er midlertidigt spærret" in response.content.decode()
    # Locked: even the right password is refused now.
    response = post_login(client, user.username, PASSWORD)
    assert response.status_code in (403, 429)
    assert "Brugeren er midlertidigt spærret" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not AuditEvent.objects.filter(action="accounts.login").exists()


def test_lockout_is_per_username_and_address(client):
    locked = user_with_role(Role.MUNICIPAL_CASE_WORKER)
    other = user_with_role(Role.MUNICIPAL_CASE_WORKER)
    for _ in range(5):
        post_login(client, locked.username, "forkert-kodeord")
    response = post_login(client, other.username, PASSWORD)
    assert response.status_code == 302


def test_a_success_resets_the_failure_count(client):
    user = user_with_role(Role.MUNICIPAL_CASE_WORKER)
    for _ in range(4):
        post_login(client, user.username, "forkert-kodeord")
    assert post_login(client, user.username, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert post_login(client, user.username, "forkert-kodeord").status_code == 200
    assert post_login(client, user.username, PASSWORD).status_code == 302


def test_logout_is_post_only(client):
    user = user_with_role(Role.MUNICIPAL_CASE_WORKER)
    client.force_login(user)
    assert client.get("/konto/log-ud/").status_code == 405
    assert client.session["_auth_user_id"] == str(user.pk)
    response = client.post("/konto/log-ud/", follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert "Du er logget ud." in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="accounts.logout", actor=user).count() == 1


def test_logout_needs_the_csrf_token():
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())
    assert client.post("/konto/log-ud/").status_code == 403
    assert "_auth_user_id" in client.session
