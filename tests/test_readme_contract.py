"""The README is a contract: two set-up commands, and every demo login it lists works."""

import re
from pathlib import Path

import pytest

from samarbejde.demo.data import DEMO_PASSWORD, DEMO_USERS, load_demo_users
from samarbejde.organisations.roles import Role

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def readme_usernames() -> list[str]:
    return re.findall(r"^\| `([a-z.]+)` \|", README, flags=re.MULTILINE)


def test_readme_has_exactly_two_setup_commands():
    setup = README.split("## Set-up", 1)[1].split("##", 1)[0]
    block = re.search(r"```sh\n(.*?)```", setup, flags=re.DOTALL).group(1)
    commands = [line.split("#")[0].strip() for line in block.splitlines() if line.split("#")[0].strip()]
    assert commands == ["make run", "make test"]


def test_readme_lists_every_demo_user_and_the_password():
    assert set(readme_usernames()) == {u.username for u in DEMO_USERS}
    assert DEMO_PASSWORD in README


def test_demo_users_cover_every_role():
    roles = {role for user in DEMO_USERS for _, role, _ in user.memberships}
    assert roles == set(Role.values)


@pytest.mark.django_db
def test_every_readme_demo_login_works(client):
    load_demo_users()
    for username in readme_usernames():
        response = client.post("/konto/log-ind/", {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, username
        start = client.get("/start/")
        assert start.status_code == 200, username
        client.post("/konto/log-ud/")
