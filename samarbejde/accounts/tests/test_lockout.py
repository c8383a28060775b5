"""Login abuse (ADR 0009): the client address behind trusted proxies, lockout per username + address, and the
per-address limit across usernames (password spraying)."""

import pytest
from axes.models import AccessAttempt
from django.test import Client, RequestFactory

from samarbejde.accounts.client_address import client_ip
from samarbejde.accounts.tests.factories import PASSWORD, user_with_role
from samarbejde.audit.models import AuditEvent
from samarbejde.organisations.roles import Role

pytestmark = pytest.mark.django_db

LOGIN_URL = "/konto/log-ind/"
WRONG = "forkert-kodeord"
X = "198.51.100.7"
Y = "203.0.113.9"
PROXY = "127.0.0.1"


def post_login(client, username, password, **extra):
    return client.post(LOGIN_URL, {"username": username, "password": password}, **extra)


def locked(response) -> bool:
    return response.status_code == 429


@pytest.fixture
def behind_one_proxy(settings):
    """What TRUSTED_PROXY_COUNT=1 sets (config/settings/base.py)."""
    settings.TRUSTED_PROXY_COUNT = 1
    settings.AXES_IPWARE_PROXY_COUNT = 0
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]


# --- The client address ----------------------------------------------------------------------------------------


def address_of(**meta) -> str:
    return client_ip(RequestFactory().get("/", **meta))


def test_without_trusted_proxies_only_remote_addr_counts():
    assert address_of(REMOTE_ADDR=X) == X
    assert address_of(REMOTE_ADDR=X, HTTP_X_FORWARDED_FOR=Y) == X
    assert address_of(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{Y}, {X}") == PROXY


@pytest.mark.usefixtures("behind_one_proxy")
@pytest.mark.parametrize(
    ("forwarded_for", "expected"),
    [
        (X, X),  # nginx: X-Forwarded-For $remote_addr (or $proxy_add_x_forwarded_for without a client header)
        (f"{Y}, {X}", X),  # the client sent "X-Forwarded-For: Y"; nginx appended the address it saw
        (f"10.0.0.1, {Y}, {X}", X),
        (f"nonsense, {X}", X),
        (f"for={Y}, {X}", X),
        (f"{Y},{X}", X),
        ("10.20.30.40", "10.20.30.40"),  # private client addresses (a municipality's network) are kept
    ],
)
def test_behind_one_proxy_the_address_the_proxy_saw_counts(forwarded_for, expected):
    assert address_of(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for) == expected


@pytest.mark.usefixtures("behind_one_proxy")
@pytest.mark.parametrize("forwarded_for", ['"', f'"{Y}, {X}', ""])
def test_behind_one_proxy_an_unusable_header_gives_the_proxy_address_never_a_chosen_one(forwarded_for):
    """A header the client broke (an unclosed quote swallows the entry nginx appended) does not give the address
    the client wrote: the request counts as the proxy's, a bucket no honest user shares."""
    assert address_of(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for) == PROXY


def test_behind_two_proxies_the_second_address_from_the_right_counts(settings):
    settings.AXES_IPWARE_PROXY_COUNT = 1
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    assert address_of(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{Y}, {X}, 192.0.2.1") == X


def test_the_setting_maps_the_proxy_count_onto_ipware(monkeypatch):
    """TRUSTED_PROXY_COUNT from the environment: 0 reads REMOTE_ADDR only; N reads X-Forwarded-For, ipware count N-1."""
    import importlib

    import config.settings.base as base

    try:
        monkeypatch.setenv("TRUSTED_PROXY_COUNT", "1")
        importlib.reload(base)
        assert base.AXES_IPWARE_PROXY_COUNT == 0
        assert base.AXES_IPWARE_META_PRECEDENCE_ORDER == ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
        assert base.IPWARE_STRICT is False
        monkeypatch.setenv("TRUSTED_PROXY_COUNT", "0")
        importlib.reload(base)
        assert base.AXES_IPWARE_PROXY_COUNT is None
        assert base.AXES_IPWARE_META_PRECEDENCE_ORDER == ["REMOTE_ADDR"]
        monkeypatch.setenv("TRUSTED_PROXY_COUNT", "-1")
        with pytest.raises(Exception, match="TRUSTED_PROXY_COUNT"):
            importlib.reload(base)
    finally:
        monkeypatch.delenv("TRUSTED_PROXY_COUNT")
        importlib.reload(base)


def test_no_other_code_reads_the_client_address_itself():
    """One helper (accounts.client_address) and the ipware settings: nothing else reads REMOTE_ADDR or
    X-Forwarded-For, so no second, spoofable idea of the client's address can appear."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    allowed = {root / "config" / "settings" / "base.py", root / "samarbejde" / "accounts" / "client_address.py"}
    pattern = re.compile(r"REMOTE_ADDR|X[_-]FORWARDED[_-]FOR|get_client_ip\b", re.IGNORECASE)
    offenders = [
        str(path.relative_to(root))
        for folder in ("samarbejde", "config")
        for path in (root / folder).rglob("*.py")
        if "tests" not in path.parts and path not in allowed and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


# --- Per username + address ------------------------------------------------------------------------------------


def test_five_failures_from_one_address_do_not_lock_the_user_out_at_another():
    user = user_with_role(Role.MUNICIPAL_CASE_WORKER)
    attacker, owner = Client(REMOTE_ADDR=X), Client(REMOTE_ADDR=Y)
    for _ in range(4):
        assert post_login(attacker, user.username, WRONG).status_code == 200
    assert locked(post_login(attacker, user.username, WRONG))
    assert locked(post_login(attacker, user.username, PASSWORD))
    response = post_login(owner, user.username, PASSWORD)
    assert response.status_code == 302
    assert owner.session["_auth_user_id"] == str(user.pk)
    # The lock at X is still there.
    assert locked(post_login(Client(REMOTE_ADDR=X), user.username, PASSWORD))


@pytest.mark.usefixtures("behind_one_proxy")
def test_behind_the_proxy_users_are_told_apart_by_their_forwarded_address():
    """The finding: behind nginx every client was 127.0.0.1, so anybody's five failures locked the user out."""
    user = user_with_role(Role.MUNICIPAL_CASE_WORKER)
    attacker = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=X)
    for _ in range(5):
        post_login(attacker, user.username, WRONG)
    assert locked(post_login(attacker, user.username, PASSWORD))
    owner = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=Y)
    assert post_login(owner, user.username, PASSWORD).status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {X}


@pytest.mark.usefixtures("behind_one_proxy")
def test_a_forged_forwarded_entry_cannot_choose_the_address():
    """The attacker at X writes the victim's address Y into X-Forwarded-For: nginx appends X, X is what counts,
    so the attacker neither locks the user out at Y nor escapes its own lock at X."""
    user = user_with_role(Role.MUNICIPAL_CASE_WORKER)
    forged = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{Y}, {X}")
    for _ in range(5):
        post_login(forged, user.username, WRONG)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {X}
    assert locked(post_login(Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.50, {X}"), user.username, WRONG))
    assert post_login(Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=Y), user.username, PASSWORD).status_code == 302


def test_the_lockout_page_is_danish_and_names_the_cool_off():
    user = user_with_role(Role.MUNICIPAL_CASE_WORKER)
    client = Client(REMOTE_ADDR=X)
    for _ in range(5):
        response = post_login(client, user.username, WRONG)
    assert response.status_code == 429
    html = response.content.decode()
    assert "<h1>Brugeren er midlertidigt spærret</h1>" in html
    assert "Vent 30 minutter, og prøv igen" in html
    assert not AuditEvent.objects.filter(action="accounts.login").exists()


# --- Per address, across usernames -----------------------------------------------------------------------------


def test_an_address_trying_many_usernames_is_locked_out(settings):
    settings.LOGIN_ADDRESS_USERNAME_LIMIT = 10
    users = [user_with_role(Role.MUNICIPAL_CASE_WORKER) for _ in range(11)]
    sprayer = Client(REMOTE_ADDR=X)
    for user in users[:9]:
        assert post_login(sprayer, user.username, WRONG).status_code == 200  # one password per user
    response = post_login(sprayer, "findes-ikke", WRONG)  # unknown usernames count too
    assert locked(response)
    html = response.content.decode()
    assert "<h1>Log ind er midlertidigt spærret fra din adresse</h1>" in html
    assert "for alle brugere" in html
    # Now even the right password of a user never tried is refused from X ...
    assert locked(post_login(sprayer, users[10].username, PASSWORD))
    # ... while that user (and everyone else) logs in from elsewhere.
    assert post_login(Client(REMOTE_ADDR=Y), users[10].username, PASSWORD).status_code == 302
    assert post_login(Client(REMOTE_ADDR=Y), users[0].username, PASSWORD).status_code == 302


def test_an_address_with_many_failures_over_few_usernames_is_locked_out(settings):
    """Four tries each (under the per-user limit of 5) on a handful of users: the address limit in all."""
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 12
    users = [user_with_role(Role.MUNICIPAL_CASE_WORKER) for _ in range(4)]
    sprayer = Client(REMOTE_ADDR=X)
    results = [post_login(sprayer, user.username, WRONG).status_code for user in users[:3] for _ in range(4)]
    assert results == [200] * 11 + [429]
    assert locked(post_login(sprayer, users[3].username, PASSWORD))


def test_colleagues_behind_one_address_who_mistype_and_then_log_in_do_not_lock_the_office(settings):
    """A municipality's office behind one NAT address: a typo followed by a good login is forgotten."""
    settings.LOGIN_ADDRESS_USERNAME_LIMIT = 3
    office = [user_with_role(Role.MUNICIPAL_CASE_WORKER) for _ in range(5)]
    for user in office:
        client = Client(REMOTE_ADDR=X)
        assert post_login(client, user.username, WRONG).status_code == 200
        assert post_login(client, user.username, PASSWORD).status_code == 302
    assert not AccessAttempt.objects.exists()


def test_the_address_lock_ends_after_the_cool_off(settings):
    import time_machine
    from django.utils import timezone

    settings.LOGIN_ADDRESS_USERNAME_LIMIT = 3
    users = [user_with_role(Role.MUNICIPAL_CASE_WORKER) for _ in range(4)]
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for user in users[:3]:
            post_login(Client(REMOTE_ADDR=X), user.username, WRONG)
        assert locked(post_login(Client(REMOTE_ADDR=X), users[3].username, PASSWORD))
    with time_machine.travel(start + timezone.timedelta(minutes=31), tick=False):
        assert post_login(Client(REMOTE_ADDR=X), users[3].username, PASSWORD).status_code == 302
