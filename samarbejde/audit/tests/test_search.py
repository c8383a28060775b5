"""The administrator's search: each filter narrows, bad input gives Danish form errors, searching is audited."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from samarbejde.audit.forms import MSG_PERIOD
from samarbejde.audit.models import AuditEvent
from samarbejde.audit.tests.factories import PersonFactory, audit_event
from samarbejde.audit.views import PAGE_SIZE, PURPOSE_SEARCH
from samarbejde.people.cpr import MSG_DATE, MSG_LENGTH

pytestmark = pytest.mark.django_db
URL = "/revision/"


def local(year, month, day, hour=12):
    return timezone.make_aware(datetime(year, month, day, hour, 0), timezone.get_current_timezone())


@pytest.fixture
def events(krfo_user, municipal_user, person, other_person):
    """Five events that differ in person, user, organisation, action and time."""
    return {
        "krfo_view": audit_event("people.view", actor=krfo_user, person=person, occurred_at=local(2026, 3, 1)),
        "krfo_create": audit_event(
            "people.create", actor=krfo_user, person=other_person, occurred_at=local(2026, 3, 5)
        ),
        "kbh_view": audit_event("people.view", actor=municipal_user, person=person, occurred_at=local(2026, 3, 10)),
        "kbh_link": audit_event(
            "people.link_close", actor=municipal_user, person=other_person, occurred_at=local(2026, 3, 20)
        ),
        "system": audit_event("core.heartbeat", occurred_at=local(2026, 4, 1)),
    }


def shown(response) -> set[int]:
    return {event.pk for event in response.context["events"]}


def ids(events, *names) -> set[int]:
    return {events[name].pk for name in names}


def search_params(**params):
    return {"cpr": "", "bruger": "", "organisation": "", "handling": "", "fra": "", "til": "", **params}


def _link(response, label) -> str:
    import html
    import re

    return html.unescape(re.search(rf'<a href="(\?[^"]*)">{label}</a>', response.text).group(1))


def next_link(response) -> str:
    """The pagination's "Næste side" link (a query string with the keyset cursor `efter`)."""
    return _link(response, "Næste side")


def previous_link(response) -> str:
    return _link(response, "Forrige side")


def search(client, **params):
    """A search as the page makes it: POSTed, then the redirect (with the person's id, never the CPR) followed."""
    return client.post(URL, search_params(**params), follow=True)


def test_page_without_a_search_shows_the_form_and_no_results(admin_client, events):
    response = admin_client.get(URL)
    assert response.status_code == 200
    assert response.context["page"] is None
    assert "CPR-nummer" in response.text
    assert not AuditEvent.objects.filter(action="audit.search").exists()


def test_empty_search_lists_everything_newest_first(admin_client, events):
    response = admin_client.get(URL, search_params())
    shown_ids = [event.pk for event in response.context["events"]]
    expected = list(
        AuditEvent.objects.filter(pk__in=shown_ids).order_by("-occurred_at", "-id").values_list("pk", flat=True)
    )
    assert shown_ids == expected
    assert ids(events, "krfo_view", "krfo_create", "kbh_view", "kbh_link", "system") <= set(shown_ids)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"cpr": "010190-1234"}, {"krfo_view", "kbh_view"}),
        ({"cpr": "0101901234"}, {"krfo_view", "kbh_view"}),
        ({"cpr": " 020285 1234 "}, {"krfo_create", "kbh_link"}),
        ({"bruger": "karin"}, {"krfo_view", "krfo_create"}),
        ({"bruger": "KBH"}, {"kbh_view", "kbh_link"}),
        ({"organisation": "101"}, {"kbh_view", "kbh_link"}),
        ({"handling": "people.view"}, {"krfo_view", "kbh_view"}),
        ({"handling": "link_close"}, {"kbh_link"}),
        ({"fra": "2026-03-05", "til": "2026-03-10"}, {"krfo_create", "kbh_view"}),
        ({"fra": "05-03-2026", "til": "10.03.2026"}, {"krfo_create", "kbh_view"}),
        ({"fra": "2026-03-21"}, {"system"}),
        ({"til": "2026-03-01"}, {"krfo_view"}),
        ({"cpr": "010190-1234", "bruger": "mette"}, {"kbh_view"}),
        ({"organisation": "krfo-koebenhavns-faengsler", "handling": "people.create"}, {"krfo_create"}),
    ],
)
def test_each_filter_narrows_the_results(admin_client, events, params, expected):
    response = search(admin_client, **params)
    assert response.status_code == 200
    assert response.context["form"].errors == {}
    # The setup's membership grants (made by membership_grant, "now") are events too; leave them out.
    relevant = {event.pk for event in response.context["events"] if event.action != "organisations.membership_grant"}
    assert relevant == ids(events, *expected)


def test_the_period_includes_the_whole_last_day(admin_client, events):
    late = audit_event("people.view", occurred_at=local(2026, 3, 10, hour=23) + timedelta(minutes=59))
    response = admin_client.get(URL, search_params(fra="2026-03-10", til="2026-03-10"))
    assert shown(response) == {events["kbh_view"].pk, late.pk}


def test_cpr_search_shows_the_person_masked_and_links_the_report(admin_client, events, person):
    response = search(admin_client, cpr="010190-1234")
    results = response.text.split('id="results-heading"', 1)[1].split("</main>", 1)[0]
    assert "010190-xxxx" in results
    assert "Jens Jensen" in results
    assert "010190-1234" not in results
    assert reverse("audit:subject_report", args=[person.pk]) in response.text


def test_cpr_of_no_known_person_gives_no_results_and_says_so(admin_client, events):
    response = search(admin_client, cpr="311299-9999")
    assert response.status_code == 200
    assert response.context["events"] == []
    assert "Der findes ingen person med dette CPR-nummer" in response.text


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"cpr": "123"}, "cpr", MSG_LENGTH % {"count": 3}),
        ({"cpr": "320190-1234"}, "cpr", MSG_DATE),
        ({"cpr": "abcdefghij"}, "cpr", "Et CPR-nummer må kun indeholde cifre"),
        ({"fra": "2026-03-10", "til": "2026-03-01"}, "til", MSG_PERIOD),
        ({"fra": "31-02-2026"}, "fra", "Skriv en gyldig dato"),
        ({"organisation": "findes-ikke"}, "organisation", "Vælg en organisation fra listen."),
        ({"handling": "x" * 65}, "handling", "højst være 64 tegn"),
    ],
)
def test_bad_input_gives_a_danish_form_error_and_no_search(admin_client, events, params, field, message):
    response = admin_client.post(URL, search_params(**params))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert "Der er fejl i formularen" in response.text
    assert response.context["page"] is None
    assert not AuditEvent.objects.filter(action="audit.search").exists()


def test_searching_is_audited_with_the_person(admin_client, admin_user, events, person):
    response = search(admin_client, cpr="0101901234", handling="people")
    event = AuditEvent.objects.get(action="audit.search")
    assert event.actor == admin_user
    assert event.person == person
    assert event.purpose == PURPOSE_SEARCH
    assert event.organisation.code == "krfo-direktoratet"
    assert event.role == "administrator"
    assert str(event.correlation_id) == response["X-Correlation-ID"]
    # Filter names only: never the CPR number in the details.
    assert event.details["filters"] == ["cpr", "handling"]
    assert "0101901234" not in str(event.details)


def test_search_without_cpr_is_audited_without_a_person(admin_client, events):
    admin_client.get(URL, search_params(bruger="karin"))
    event = AuditEvent.objects.get(action="audit.search")
    assert event.person is None
    assert event.purpose == PURPOSE_SEARCH


def test_results_are_paginated_fifty_per_page_in_a_stable_order(admin_client, person):
    same_time = local(2026, 5, 1)
    created = [audit_event("people.view", person=person, occurred_at=same_time) for _ in range(PAGE_SIZE + 7)]
    # "people.view" leaves out the searches themselves (also events about the person), so pages do not shift.
    first = search(admin_client, cpr="0101901234", handling="people.view")
    second = admin_client.get(URL + next_link(first))
    page_one = [event.pk for event in first.context["events"]]
    page_two = [event.pk for event in second.context["events"]]
    assert len(page_one) == PAGE_SIZE
    assert set(page_one) | set(page_two) == {event.pk for event in created}
    assert not set(page_one) & set(page_two)
    assert "Næste side" in first.text and "Næste side" not in second.text
    assert "Forrige side" in second.text
    assert f"{PAGE_SIZE + 7} hændelser" in first.text and f"{PAGE_SIZE + 7} hændelser" in second.text
    # Same time: newest id first, across the page boundary too.
    assert page_one + page_two == sorted(page_one + page_two, reverse=True)
    # and back: the previous page is the first one again
    back = admin_client.get(URL + previous_link(second))
    assert [event.pk for event in back.context["events"]] == page_one


def test_a_bad_page_number_shows_a_page_not_an_error(admin_client, events):
    assert admin_client.get(URL, search_params(side="abc")).status_code == 200
    assert admin_client.get(URL, search_params(side="9999")).status_code == 200


def test_result_rows_show_every_column(admin_client, events):
    response = admin_client.get(URL, search_params(handling="people.create"))
    event = events["krfo_create"]
    for text in (
        "5. marts 2026 kl. 12.00.00",
        "Karin Kofoed (karin.krfo)",
        "Københavns Fængsler",
        "Sagsbehandler, Kriminalforsorgen",
        "Person registreret",
        "people.create",
        "Hanne Hansen",
        "020285-xxxx",
        "people.person",
        "Sagsbehandling",
        str(event.correlation_id),
    ):
        assert text in response.text, text


def _page_queries(django_assert_num_queries, admin_client, expected):
    with django_assert_num_queries(expected):
        response = admin_client.get(URL, search_params(handling="people.view"))
    assert response.status_code == 200
    return response


# session, user, memberships, organisation choices (the select), count, page, audit insert
SEARCH_QUERIES = 7


def test_search_query_count_is_pinned_and_does_not_grow_with_rows(
    admin_client, django_assert_num_queries, krfo_user, person
):
    audit_event("people.view", actor=krfo_user, person=person)
    few = _page_queries(django_assert_num_queries, admin_client, SEARCH_QUERIES)
    assert len(few.context["events"]) == 1
    for index in range(PAGE_SIZE + 5):
        audit_event("people.view", actor=krfo_user, person=PersonFactory() if index % 2 else person)
    many = _page_queries(django_assert_num_queries, admin_client, SEARCH_QUERIES)
    assert len(many.context["events"]) == PAGE_SIZE


def test_page_has_no_inline_styles_or_scripts(admin_client, events):
    response = admin_client.get(URL, search_params())
    assert "style=" not in response.text
    assert "<script>" not in response.text
    assert "script-src" in response["Content-Security-Policy"]


def test_search_form_posts_and_redirects_without_the_cpr_in_the_url(admin_client, events, person):
    """post/redirect/get: the CPR number never lands in a URL, an access log or a Referer header."""
    response = admin_client.post(URL, search_params(cpr="010190-1234", handling="people"))
    assert response.status_code == 302
    location = response["Location"]
    assert "0101901234" not in location and "010190" not in location
    assert "person=" in location
    results = admin_client.get(location)
    assert results.status_code == 200
    body = results.content.decode()
    assert "Jens Jensen" in body
    assert shown(results) == {events["krfo_view"].pk, events["kbh_view"].pk}


def test_post_with_unknown_cpr_redirects_to_an_empty_result(admin_client):
    response = admin_client.post(URL, search_params(cpr="311299-9999"))
    assert response.status_code == 302
    assert "311299" not in response["Location"]
    page = admin_client.get(response["Location"])
    assert page.status_code == 200
    assert page.context["cpr_searched"] is True
    assert list(page.context["events"]) == []
    assert "Der findes ingen person med dette CPR-nummer" in page.text


def test_post_with_invalid_input_shows_errors_and_does_not_redirect(admin_client):
    response = admin_client.post(URL, search_params(cpr="123"))
    assert response.status_code == 200
    assert response.context["form"].errors["cpr"]


@pytest.mark.parametrize("cpr", ["0101901234", "010190-1234", "123", "abc"])
def test_a_cpr_in_the_url_is_refused_and_not_searched(admin_client, events, cpr):
    """A look-up by CPR is a POST: `?cpr=` (a valid number, or anything else) gets a Danish 400 and no search."""
    response = admin_client.get(URL, search_params(cpr=cpr))
    assert response.status_code == 400
    assert "CPR-nummer i adressen" in response.text
    assert not AuditEvent.objects.filter(action="audit.search").exists()


def test_get_with_an_unknown_person_id_is_404(admin_client):
    response = admin_client.get(URL, {"person": "00000000-0000-0000-0000-000000000000"})
    assert response.status_code == 404


def test_every_action_written_by_the_code_has_a_danish_label():
    """The data subject's report must say in Danish what happened: every action name in the code is labelled."""
    import re
    from pathlib import Path

    from samarbejde.audit.selectors import ACTION_LABELS

    root = Path(__file__).resolve().parents[2]
    pattern = re.compile(r'(?:audit_record|audit_read_many)\(\s*"([a-z_]+\.[a-z_]+)"')
    written = set()
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        written |= set(pattern.findall(path.read_text(encoding="utf-8")))
    assert written, "the pattern found no audit calls"
    assert written - set(ACTION_LABELS) == set()


@pytest.mark.parametrize(
    ("fra", "til"), [("0001-01-01", ""), ("", "9999-12-31"), ("0001-01-01", "9999-12-31"), ("31-12-9999", "")]
)
def test_impossible_years_are_a_danish_form_error_not_a_500(admin_client, fra, til):
    response = admin_client.get(URL, search_params(fra=fra, til=til))
    assert response.status_code == 200
    assert "Datoen er ikke mulig. Kontrollér året." in response.content.decode()
