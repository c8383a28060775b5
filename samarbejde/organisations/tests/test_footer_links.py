"""The footer: every link in it answers 200 for every demo user (and for visitors who are not logged in).

The change-request link is only for roles that may propose or review (the list page's own test); the others
see the central mailbox for changes to the contact list, as visitors do.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from samarbejde.demo.data import DEMO_USERS, load_demo_users
from samarbejde.organisations.roles import CAPABILITIES, Cap
from samarbejde.organisations.selectors import memberships_of

pytestmark = pytest.mark.django_db

MAILBOX = "god.losladelse@krfo.dk"
CHANGE_REQUESTS = "/organisationer/aendringsforslag/"
MAY_USE = {Cap.DIRECTORY_PROPOSE_OWN, Cap.DIRECTORY_PROPOSE_ANY, Cap.DIRECTORY_REVIEW}

# Every demo user with each of their memberships (krfo.flere has two): (username, membership index, role).
CASES = [(demo.username, index, role) for demo in DEMO_USERS for index, (_, role, _) in enumerate(demo.memberships)]


def footer(html: str) -> str:
    match = re.search(r"<footer\b.*?</footer>", html, flags=re.DOTALL)
    assert match, "no footer"
    return match.group(0)


def links(html: str) -> list[str]:
    return re.findall(r'<a\b[^>]*\bhref="([^"]+)"', footer(html))


def client_for(username: str, role: str) -> Client:
    """A client logged in as the demo user, working as `role` (switched to in the header when not the first)."""
    load_demo_users()
    user = get_user_model().objects.get(username=username)
    client = Client()
    client.force_login(user)
    membership = next(m for m in memberships_of(user) if m.role == role)
    if membership != memberships_of(user)[0]:
        switch = reverse("accounts:switch_membership")
        assert client.post(switch, {"membership": membership.pk, "next": "/start/"}).status_code == 302
    assert client.get("/start/").context["current_membership"].role == role
    return client


@pytest.mark.parametrize(("username", "index", "role"), CASES, ids=[f"{u}-{i}" for u, i, _ in CASES])
def test_every_footer_link_answers_200_for_every_demo_role(username, index, role):
    client = client_for(username, role)
    for page in ("/start/", "/", "/kommuner/101/"):
        html = client.get(page).content.decode()
        hrefs = links(html)
        assert hrefs, page
        for href in hrefs:
            if href.startswith("mailto:"):
                continue
            assert client.get(href).status_code == 200, f"{username} ({role}) on {page}: {href}"
        may_use = bool(CAPABILITIES[role] & MAY_USE)
        assert (CHANGE_REQUESTS in hrefs) is may_use, (username, role)
        assert (MAILBOX in footer(html)) is not may_use, (username, role)


def test_visitors_see_the_mailbox_and_no_change_request_link(client):
    html = client.get("/").content.decode()
    assert MAILBOX in footer(html)
    assert CHANGE_REQUESTS not in links(html)
    for href in links(html):
        assert client.get(href).status_code == 200, href


def test_the_menu_and_the_footer_agree_on_the_change_request_link():
    for username, index, role in CASES:
        html = client_for(username, role).get("/start/").content.decode()
        in_menu = CHANGE_REQUESTS in re.search(r'<nav class="site-nav".*?</nav>', html, flags=re.DOTALL).group(0)
        assert in_menu is (CHANGE_REQUESTS in links(html)), username
