"""Query counts are pinned and do not grow with the number of rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from samarbejde.organisations import services
from samarbejde.organisations.roles import Role
from samarbejde.organisations.tests.factories import ChangeRequestFactory, ContactFactory, municipality, user_with_role

pytestmark = pytest.mark.django_db

LIST = reverse("organisations:change_request_list")

# session, user, memberships (middleware); count + page of requests; (+ municipalities for the filter).
LIST_QUERIES_REVIEWER = 6
LIST_QUERIES_COORDINATOR = 5
HISTORY_QUERIES = 3  # municipality, count, page


def make_requests(n: int, proposer, admin=None):
    for i in range(n):
        contact = ContactFactory(organisation=municipality("751" if i % 2 else "101"))
        request = ChangeRequestFactory(contact=contact, proposed_by=proposer, phone=f"{i}")
        if admin is not None and i % 3 == 2:
            services.change_request_reject(request, reason="nej", acting_user=admin)


def count_queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("params", [{}, {"status": "pending", "kommune": "101"}])
def test_reviewer_list_has_a_constant_number_of_queries(client, django_assert_num_queries, params):
    admin = user_with_role(Role.ADMINISTRATOR)
    proposer = user_with_role(Role.KRFO_CASE_WORKER)
    client.force_login(admin)
    make_requests(1, proposer, admin)
    with django_assert_num_queries(LIST_QUERIES_REVIEWER):
        client.get(LIST, params)
    make_requests(12, proposer, admin)
    with django_assert_num_queries(LIST_QUERIES_REVIEWER):
        client.get(LIST, params)


def test_proposer_list_has_a_constant_number_of_queries(client, django_assert_num_queries):
    coordinator = user_with_role(Role.MUNICIPAL_COORDINATOR, "101")
    admin = user_with_role(Role.ADMINISTRATOR)
    client.force_login(coordinator)
    make_requests(1, coordinator, admin)
    with django_assert_num_queries(LIST_QUERIES_COORDINATOR):
        client.get(LIST)
    make_requests(10, coordinator, admin)
    with django_assert_num_queries(LIST_QUERIES_COORDINATOR):
        client.get(LIST)


def test_history_has_a_constant_number_of_queries(client, django_assert_num_queries):
    admin = user_with_role(Role.ADMINISTRATOR)
    contact = ContactFactory(organisation=municipality("101"))

    def approve_one(i):
        contact.refresh_from_db()
        services.change_request_approve(ChangeRequestFactory(contact=contact, phone=f"{i}"), acting_user=admin)

    url = reverse("organisations:contact_history", args=["101"])
    approve_one(0)
    with django_assert_num_queries(HISTORY_QUERIES):
        client.get(url)
    for i in range(1, 8):
        approve_one(i)
    with django_assert_num_queries(HISTORY_QUERIES):
        client.get(url)


def test_detail_page_query_count_is_small(client):
    admin = user_with_role(Role.ADMINISTRATOR)
    request = ChangeRequestFactory(phone="1")
    client.force_login(admin)
    assert count_queries(client, reverse("organisations:change_request_detail", args=[request.pk])) <= 7


def test_lists_count_with_a_cap(client):
    """Both lists count through core.pagination.CappedPaginator: COUNT over LIMIT cap + 1, never the whole table."""
    from samarbejde.core.pagination import CappedPaginator

    admin = user_with_role(Role.ADMINISTRATOR)
    client.force_login(admin)
    make_requests(2, user_with_role(Role.KRFO_CASE_WORKER), admin)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(LIST)
    assert isinstance(response.context["page"].paginator, CappedPaginator)
    counts = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts and all("LIMIT 1001" in sql.upper() for sql in counts)
    history = client.get(reverse("organisations:contact_history", args=["101"]))
    assert isinstance(history.context["page"].paginator, CappedPaginator)
