"""Enrolment codes given out by administrators: the admin action and `manage.py enrolment_code USERNAME`."""

import re
from io import StringIO

import pytest
from django.contrib.messages import get_messages
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from samarbejde.accounts import services
from samarbejde.accounts.models import EnrolmentCode
from samarbejde.accounts.tests.factories import user_with_role
from samarbejde.audit.models import AuditEvent
from samarbejde.organisations.roles import Role

pytestmark = pytest.mark.django_db

USERS_URL = "/admin/accounts/user/"
CODE = re.compile(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}\b")


def shown(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_command_prints_the_code_once_and_stores_its_hash():
    user = user_with_role(Role.KRFO_CASE_WORKER)
    out, err = StringIO(), StringIO()
    call_command("enrolment_code", user.username, stdout=out, stderr=err)
    raw = out.getvalue().strip()
    assert CODE.fullmatch(raw)
    assert "kan bruges én gang" in err.getvalue() and "vises kun nu" in err.getvalue()
    code = EnrolmentCode.objects.get(user=user)
    assert code.created_by is None and raw.replace("-", "") not in code.code_hash
    event = AuditEvent.objects.get(action="accounts.enrolment_code_issue")
    assert event.actor is None and event.actor_label == "system"
    assert event.details["via"] == "manage.py enrolment_code"
    assert services.otp_device_start(user, raw).user == user


def test_the_command_refuses_unknown_users_and_users_with_a_device_in_danish():
    with pytest.raises(CommandError, match="Ukendt bruger: findes-ikke"):
        call_command("enrolment_code", "findes-ikke", stdout=StringIO(), stderr=StringIO())
    user = user_with_role(Role.KRFO_CASE_WORKER)
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    with pytest.raises(CommandError, match="har allerede totrinsbekræftelse"):
        call_command("enrolment_code", user.username, stdout=StringIO(), stderr=StringIO())
    assert not EnrolmentCode.objects.exists()


def test_the_admin_action_shows_each_code_once_and_audits_the_administrator(client):
    administrator = user_with_role(Role.ADMINISTRATOR)
    client.force_login(administrator)
    first, second = user_with_role(Role.KRFO_CASE_WORKER), user_with_role(Role.MUNICIPAL_CASE_WORKER)
    refused = user_with_role(Role.KRFO_CASE_WORKER)
    TOTPDevice.objects.create(user=refused, name="app", confirmed=True)
    response = client.post(
        USERS_URL,
        {"action": "issue_enrolment_code", "_selected_action": [str(u.pk) for u in (first, second, refused)]},
        follow=True,
    )
    assert response.status_code == 200
    texts = shown(response)
    codes = {
        user.username: CODE.search(text).group() for text in texts for user in (first, second) if user.username in text
    }
    assert set(codes) == {first.username, second.username}
    assert any(refused.username in text and "har allerede totrinsbekræftelse" in text for text in texts)
    for user in (first, second):
        assert EnrolmentCode.objects.get(user=user).created_by == administrator
        assert services.otp_device_start(user, codes[user.username]).user == user
    assert not EnrolmentCode.objects.filter(user=refused).exists()
    events = AuditEvent.objects.filter(action="accounts.enrolment_code_issue")
    assert set(events.values_list("actor", flat=True)) == {administrator.pk}
    assert events.count() == 2
    # The code is never on a later page.
    html = client.get(USERS_URL).content.decode()
    assert not any(code in html for code in codes.values())


def test_only_administrators_can_issue_codes_in_the_admin(client):
    target = user_with_role(Role.KRFO_CASE_WORKER)
    client.force_login(user_with_role(Role.KRFO_MANAGER))
    response = client.post(USERS_URL, {"action": "issue_enrolment_code", "_selected_action": [str(target.pk)]})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not EnrolmentCode.objects.exists()


def test_codes_expire_after_the_configured_hours(settings):
    settings.ENROLMENT_CODE_HOURS = 1
    code, _raw = services.enrolment_code_issue(user_with_role(Role.KRFO_CASE_WORKER), acting_user=None)
    assert code.expires_at - code.created_at == timezone.timedelta(hours=1)


def test_the_enrolment_and_lockout_pages_are_translated_to_english():
    from django.test import Client

    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    client.force_login(user_with_role(Role.KRFO_CASE_WORKER))
    html = client.get("/konto/totp/opsaet/").content.decode()
    assert "valid for 72 hours" in html and ">Enrolment code</label>" in html and "Continue" in html
    assert (
        "The enrolment code is not right"
        in client.post("/konto/totp/opsaet/", {"enrolment_code": "x"}).content.decode()
    )
    for _ in range(4):
        response = client.post("/konto/totp/opsaet/", {"enrolment_code": "x"})
    assert response.status_code == 429
    assert "Wait 30 minutes and try again" in response.content.decode()
