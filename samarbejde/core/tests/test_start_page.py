"""The start page per role: every role sees its own Danish page; no membership means a clear message."""

import re

import pytest

from samarbejde.accounts.tests.factories import ROLE_ORGANISATION, UserFactory, user_with_role
from samarbejde.core.selectors import INTROS
from samarbejde.organisations.models import Organisation
from samarbejde.organisations.roles import Role

pytestmark = pytest.mark.django_db

# Which sections each role's start page has (by heading).
SECTIONS = {
    Role.KRFO_CASE_WORKER: [
        "Ubesvarede underretninger",
        "Påmindelser og eskaleringer",
        "Dine ændringsforslag til kontaktlisten",
    ],
    Role.KRFO_MANAGER: [
        "Ubesvarede underretninger",
        "Påmindelser og eskaleringer",
        "Videregivelser uden samtykke",  # consent (issue 11)
        "Dine ændringsforslag til kontaktlisten",
    ],
    Role.PROBATION_OFFICER: [
        "Ubesvarede underretninger",
        "Påmindelser og eskaleringer",
        "Personundersøgelser (§ 808)",  # pre_sentence: KiF's investigations
        "Dine ændringsforslag til kontaktlisten",
    ],
    Role.YOUTH_SUPERVISOR: [
        "Ubesvarede underretninger",
        "Påmindelser og eskaleringer",
        "Dine ændringsforslag til kontaktlisten",
    ],
    Role.MUNICIPAL_CASE_WORKER: ["Underretninger i indbakken", "Påmindelser og eskaleringer"],
    Role.MUNICIPAL_COORDINATOR: [
        "Underretninger i indbakken",
        "Påmindelser og eskaleringer",
        "Dine ændringsforslag til kontaktlisten",
    ],
    Role.POLICE_OFFICER: ["Kommunernes kontakter"],
    Role.UDK_OFFICER: ["Underretninger i indbakken", "Påmindelser og eskaleringer"],
    Role.ADMINISTRATOR: [
        "Ændringsforslag til behandling",
        "Levering af underretninger",
        "Revisionsspor",
        "Videregivelser uden samtykke",  # consent (issue 11)
    ],
}


def h2_texts(html: str) -> list[str]:
    headings = re.findall(r"<h2[^>]*>(.*?)</h2>", html)
    return [re.sub(r"<[^>]+>", "", re.sub(r'<span class="count-badge">.*?</span>', "", h)).strip() for h in headings]


@pytest.mark.parametrize("role", list(Role))
def test_every_role_sees_its_danish_start_page(client, role):
    client.force_login(user_with_role(role))
    response = client.get("/start/")
    assert response.status_code == 200
    html = response.content.decode()
    organisation = Organisation.objects.get(code=ROLE_ORGANISATION[role])
    assert f"<h1>Forside – {organisation.display_name}</h1>" in html
    assert INTROS[role] in html
    assert f"Du arbejder som <strong>{role.label}</strong>" in html
    assert [re.sub(r"\s+", " ", t) for t in h2_texts(html)] == SECTIONS[role]


def test_user_without_membership_is_told_so(client):
    client.force_login(UserFactory())
    response = client.get("/start/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Velkommen</h1>" in html
    assert "ikke tilknyttet en organisation" in html


def test_inactive_membership_counts_as_none(client):
    user = user_with_role(Role.MUNICIPAL_CASE_WORKER)
    user.memberships.update(is_active=False)
    client.force_login(user)
    assert "ikke tilknyttet en organisation" in client.get("/start/").content.decode()


def test_anonymous_is_sent_to_login(client):
    response = client.get("/start/")
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/log-ind/?next=/start/")


@pytest.mark.parametrize(
    ("role", "summary"),
    [
        (Role.MUNICIPAL_CASE_WORKER, "0 nye, 0 åbne, 0 med overskredet frist."),
        (Role.UDK_OFFICER, "0 nye, 0 åbne, 0 med overskredet frist."),
        (Role.KRFO_CASE_WORKER, "0 ubesvarede, heraf 0 med overskredet frist."),
    ],
)
def test_notice_sections_show_their_counts(client, role, summary):
    """The counts with notices are tested in samarbejde/notifications/tests/test_views.py."""
    client.force_login(user_with_role(role))
    html = client.get("/start/").content.decode()
    assert summary in html
    assert '<span class="count-badge">0</span>' in html


def test_reminders_and_escalations_are_counted_on_both_sides(client):
    """The demo's overdue notice is escalated to København's coordinator and to the KRFO case worker."""
    from django.contrib.auth import get_user_model

    from samarbejde.demo.data import load_demo_cases, load_demo_directory, load_demo_users

    load_demo_users()
    load_demo_directory()
    load_demo_cases()
    for username in ("kbh.koordinator", "krfo.sagsbehandler"):
        client.force_login(get_user_model().objects.get(username=username))
        html = client.get("/start/").content.decode()
        assert "Påmindelser og eskaleringer" in html
        assert "eskaleringer af overskredne frister" in html, username
        assert "0 eskaleringer" not in html, username


@pytest.mark.parametrize(
    ("role", "later"),
    [
        (Role.PROBATION_OFFICER, "Personundersøgelser"),
        (Role.YOUTH_SUPERVISOR, "Forbedringsforløb"),
        (Role.POLICE_OFFICER, "KSP- og Exit-sager"),
    ],
)
def test_no_start_page_promises_work_that_does_not_exist_yet(client, role, later):
    """Until personundersøgelser, forbedringsforløb, KSP and Exit land, the page says what the role can do today."""
    client.force_login(user_with_role(role))
    html = client.get("/start/").content.decode()
    intro = re.search(r'<p class="font-lead">(.*?)</p>', html, re.S).group(1)
    assert later in intro and "kan endnu ikke føres i Samarbejde" in intro
