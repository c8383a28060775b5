"""The audit lists page by keyset (issue 10, ADR 0014): the search by an action, an app prefix, a word or a user
walks every matching event newest first across pages, with no row twice or left out; the count stops at its cap;
a tampered cursor gives the first page and an unknown action or user a Danish form error, never a 500; the
queries per page are pinned and do not grow with the rows. The subject report and the DPO's list of need-access
grants page the same way."""

import html
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from samarbejde.audit import selectors
from samarbejde.audit.forms import MSG_UNKNOWN_ACTION, MSG_UNKNOWN_USER
from samarbejde.audit.models import AuditEvent
from samarbejde.audit.tests.factories import audit_event

pytestmark = pytest.mark.django_db
URL = "/revision/"
NOW = datetime(2026, 11, 27, 13, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))


def search_params(**params):
    return {"cpr": "", "bruger": "", "organisation": "", "handling": "", "fra": "", "til": "", **params}


def link(response, label) -> str | None:
    found = re.search(rf'<a href="(\?[^"]*)">{label}</a>', response.content.decode())
    return html.unescape(found.group(1)) if found else None


def walk(client, url, params, *, page_size):
    """Every page from the first by "Næste side", then back by "Forrige side": (forward ids, backward ids)."""
    response = client.get(url, params)
    assert response.status_code == 200
    pages = [[e.pk for e in response.context["events"]]]
    while (following := link(response, "Næste side")) is not None:
        response = client.get(url + following)
        assert response.status_code == 200
        pages.append([e.pk for e in response.context["events"]])
    assert all(len(p) == page_size for p in pages[:-1])
    back = list(pages[-1])
    while (previous := link(response, "Forrige side")) is not None:
        response = client.get(url + previous)
        back = [e.pk for e in response.context["events"]] + back
    return [pk for p in pages for pk in p], back


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr("samarbejde.audit.views.PAGE_SIZE", 4)
    return 4


@pytest.fixture
def trail(krfo_user, municipal_user, person, other_person):
    """Events of three notice actions, a person action and system events, some at the same instant (ties broken by
    id), spread over two days."""
    events = []
    for i in range(23):
        action = ("notifications.read", "notifications.create", "notifications.answer", "people.view")[i % 4]
        at = NOW - timedelta(minutes=10 * (i // 3))  # three to a timestamp
        actor = krfo_user if i % 2 else municipal_user
        events.append(audit_event(action, actor=actor, person=person if i % 3 else other_person, occurred_at=at))
    for i in range(3):
        events.append(audit_event("notifications.mark_overdue", occurred_at=NOW - timedelta(days=1, minutes=i)))
    return events


def expected(**filters):
    return list(AuditEvent.objects.filter(**filters).order_by("-occurred_at", "-id").values_list("pk", flat=True))


@pytest.mark.parametrize(
    ("handling", "filters"),
    [
        ("notifications", {"action__startswith": "notifications."}),  # an app: one part per known action
        ("notifications.", {"action__startswith": "notifications."}),
        ("notifications.read", {"action": "notifications.read"}),  # a code: one part
        ("besvaret", {"action": "notifications.answer"}),  # a word of the Danish label
    ],
)
def test_search_by_action_walks_every_event_in_order(admin_client, trail, small_pages, handling, filters):
    with time_machine.travel(NOW, tick=False):
        forward, back = walk(admin_client, URL, search_params(handling=handling), page_size=small_pages)
    wanted = expected(**filters)
    assert forward == wanted and back == wanted
    assert len(wanted) > small_pages  # more than one page


def test_search_by_user_and_action_walks_in_order(admin_client, trail, small_pages, krfo_user):
    forward, back = walk(admin_client, URL, search_params(handling="notifications", bruger="krfo"), page_size=4)
    wanted = expected(action__startswith="notifications.", actor=krfo_user)
    assert forward == wanted and back == wanted


def test_system_finds_the_events_without_a_user(admin_client, trail, small_pages):
    forward, _ = walk(admin_client, URL, search_params(bruger="system", handling="mark_overdue"), page_size=4)
    assert forward == expected(action="notifications.mark_overdue", actor__isnull=True)


def test_search_by_person_and_period_walks_in_order(admin_client, trail, small_pages, person):
    day = NOW.date().isoformat()
    response = admin_client.post(URL, search_params(cpr="0101901234", fra=day, til=day))
    forward, back = walk(admin_client, response["Location"], {}, page_size=4)
    wanted = expected(person=person, occurred_at__date=NOW.date())
    # The searches themselves are events about the person too (newer than the trail): leave them out.
    assert [pk for pk in forward if pk in set(wanted)] == wanted
    assert [pk for pk in back if pk in set(wanted)] == wanted


@pytest.mark.parametrize("cursor", ["garbage", "W10:1abc:def", "", "x" * 500])
def test_a_tampered_cursor_gives_the_first_page(admin_client, trail, small_pages, cursor):
    first = admin_client.get(URL, search_params(handling="notifications"))
    for name in ("efter", "foer"):
        response = admin_client.get(URL, search_params(handling="notifications", **{name: cursor}))
        assert response.status_code == 200
        assert [e.pk for e in response.context["events"]] == [e.pk for e in first.context["events"]]
        assert "Forrige side" not in response.content.decode()


def test_a_cursor_of_another_list_gives_the_first_page(admin_client, trail, small_pages):
    """A signed cursor of the grants list (another key) in the search: not a key of this list, page one."""
    from samarbejde.core.pagination import encode_cursor

    cursor = encode_cursor(["not a time", "not an id"])
    response = admin_client.get(URL, search_params(efter=cursor))
    assert response.status_code == 200 and len(response.context["events"]) == 4


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"handling": "brevdue"}, "handling", MSG_UNKNOWN_ACTION % {"text": "brevdue"}),
        ({"handling": "<script>"}, "handling", "Ingen handling passer til"),
        ({"bruger": "findes.ikke"}, "bruger", MSG_UNKNOWN_USER % {"text": "findes.ikke"}),
        ({"handling": "e"}, "handling", "Skriv mere præcist"),  # a letter of nearly every action
        ({"fra": "2026-13-01"}, "fra", "Skriv en gyldig dato"),
    ],
)
def test_bad_filters_give_a_danish_form_error(admin_client, trail, params, field, message):
    for response in (admin_client.get(URL, search_params(**params)), admin_client.post(URL, search_params(**params))):
        assert response.status_code == 200
        assert message in " ".join(response.context["form"].errors[field])
        assert response.context["page"] is None
    assert not AuditEvent.objects.filter(action="audit.search").exists()


def test_an_unknown_action_code_is_searched_as_given(admin_client):
    """An action the code no longer writes (or not yet labels) is still found by its code."""
    old = audit_event("core.heartbeat")
    response = admin_client.get(URL, search_params(handling="core.heartbeat"))
    assert [e.pk for e in response.context["events"]] == [old.pk]


def test_actions_matching():
    assert selectors.actions_matching("people.view") == ["people.view"]
    assert selectors.actions_matching(" People.VIEW ") == ["people.view"]
    assert set(selectors.actions_matching("audit")) == {"audit.access_grants", "audit.search", "audit.subject_report"}
    assert selectors.actions_matching("audit.") == selectors.actions_matching("audit")
    assert selectors.actions_matching("link_close") == ["people.link_close"]
    assert selectors.actions_matching("organisations.change_request") == [
        "organisations.change_request_propose",
        "organisations.change_request_approve",
        "organisations.change_request_reject",
    ]
    assert selectors.actions_matching("people.view") == ["people.view"]  # not people.view_list too
    assert selectors.actions_matching("core.heartbeat") == ["core.heartbeat"]
    assert selectors.actions_matching("indsættelse") == ["custody.admit"]
    assert selectors.actions_matching("brevdue") == []
    assert selectors.actions_matching("") == []


def test_the_count_stops_at_its_cap(admin_client, monkeypatch, person):
    monkeypatch.setattr(selectors, "COUNT_CAP", 5)
    for _ in range(7):
        audit_event("people.view", person=person)
    response = admin_client.get(URL, search_params(handling="people.view"))
    body = response.content.decode()
    assert "Mere end 5 hændelser" in body and "Indsnævr søgningen" in body
    event = AuditEvent.objects.get(action="audit.search")
    assert event.details["results"] == 5 and event.details["results_capped"] is True
    assert event.details["first_page"] is True


def test_the_action_list_is_offered(admin_client):
    body = admin_client.get(URL).content.decode()
    assert 'list="handlinger"' in body and '<datalist id="handlinger">' in body
    assert '<option value="custody.admit">Indsættelse registreret</option>' in body


# session, user, membership, organisation choices (the select), count, page, audit insert
ONE_PART_QUERIES = 7
# the same with several parts: the page is the merged keys, then their rows
PARTS_QUERIES = 8
# and the user filter looks the users up
PARTS_AND_USER_QUERIES = 9


@pytest.mark.parametrize(
    ("params", "queries"),
    [
        ({"handling": "notifications.read"}, ONE_PART_QUERIES),
        ({"handling": "notifications"}, PARTS_QUERIES),
        ({"handling": "notifications", "bruger": "krfo"}, PARTS_AND_USER_QUERIES),
        ({}, ONE_PART_QUERIES),
    ],
)
def test_queries_per_page_are_pinned_and_constant_in_rows(
    admin_client, django_assert_num_queries, krfo_user, person, small_pages, params, queries
):
    def pages():
        with django_assert_num_queries(queries):
            first = admin_client.get(URL, search_params(**params))
        with django_assert_num_queries(queries):
            admin_client.get(URL + link(first, "Næste side"))

    for i in range(10):
        audit_event(("notifications.read", "notifications.answer")[i % 2], actor=krfo_user, person=person)
    admin_client.get(URL, search_params(**params))  # warm the session and the like
    pages()
    for i in range(120):
        audit_event(("notifications.read", "notifications.answer")[i % 2], actor=krfo_user, person=person)
    pages()


# --- the subject report's page and the DPO's list of need-access grants ----------------------------------


def test_subject_report_pages_by_keyset(admin_client, person, small_pages, django_assert_num_queries):
    for i in range(11):
        audit_event("people.view", person=person, occurred_at=NOW - timedelta(minutes=i // 2))
    url = reverse("audit:subject_report", args=[person.pk])
    forward, back = walk(admin_client, url, {}, page_size=4)
    wanted = expected(person=person, action="people.view")
    assert [pk for pk in forward if pk in set(wanted)] == wanted
    assert [pk for pk in back if pk in set(wanted)] == wanted
    assert admin_client.get(url, {"efter": "garbage"}).status_code == 200


@pytest.fixture
def grants(krfo_user):
    """Nine need-access grants by one KRFO worker, three to an instant."""
    from samarbejde.audit.tests.factories import PersonFactory
    from samarbejde.people.models import LinkReason, PersonLink

    organisation = krfo_user.active_membership.organisation
    return [
        PersonLink.objects.create(
            person=PersonFactory(),
            organisation=organisation,
            reason=LinkReason.NEED_ACCESS,
            granted_to=krfo_user,
            justification="Opfølgning",
            opened_at=NOW - timedelta(hours=i // 3),
            expires_at=NOW + timedelta(days=1),
        )
        for i in range(9)
    ]


def _grant_pages(client):
    url = reverse("audit:access_grants")
    response = client.get(url)
    pages = [response.context["grants"]]
    while (following := link(response, "Næste side")) is not None:
        response = client.get(url + following)
        pages.append(response.context["grants"])
    return pages


def test_access_grants_page_by_keyset_and_each_page_is_audited(admin_client, grants, small_pages):
    from samarbejde.people.models import PersonLink

    pages = _grant_pages(admin_client)
    wanted = list(PersonLink.objects.filter(pk__in=[g.pk for g in grants]).order_by("-opened_at", "-id"))
    assert [g for page in pages for g in page] == wanted
    assert [len(p) for p in pages] == [4, 4, 1]
    read = AuditEvent.objects.filter(action="audit.access_grants")
    assert sorted(str(e.person_id) for e in read) == sorted(str(g.person_id) for g in grants)
    bad = admin_client.get(reverse("audit:access_grants"), {"foer": "garbage"})
    assert bad.status_code == 200 and bad.context["grants"] == pages[0]


# session, user, membership, the page, the audited reads (one insert)
GRANTS_QUERIES = 5


def test_access_grants_queries_are_pinned(admin_client, grants, small_pages, django_assert_num_queries):
    url = reverse("audit:access_grants")
    first = admin_client.get(url)
    with django_assert_num_queries(GRANTS_QUERIES):
        admin_client.get(url)
    with django_assert_num_queries(GRANTS_QUERIES):
        admin_client.get(url + link(first, "Næste side"))


def test_the_readme_search_for_change_requests_finds_both_steps(admin_client, krfo_user):
    """README, step 5: the action `organisations.change_request` shows the proposal and the decision."""
    proposed = audit_event("organisations.change_request_propose", actor=krfo_user)
    approved = audit_event("organisations.change_request_approve", actor=krfo_user)
    response = admin_client.get(URL, search_params(handling="organisations.change_request"))
    assert [e.pk for e in response.context["events"]] == [approved.pk, proposed.pk]
