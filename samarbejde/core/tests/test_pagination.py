"""core.pagination: keyset pages walk the whole list in order both ways; the capped paginator never counts
past its cap; a tampered cursor gives the first page."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from samarbejde.core.pagination import CappedPaginator, keyset_page

pytestmark = pytest.mark.django_db

ORDERING = ["-date_joined", "username"]  # ties on date_joined: the unique username breaks them


@pytest.fixture
def users():
    User = get_user_model()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    # 23 users, three to a timestamp: pages must split ties correctly.
    for i in range(23):
        User.objects.create(username=f"u{i:02d}", date_joined=start + timedelta(hours=i // 3))
    return list(User.objects.filter(username__startswith="u").order_by(*ORDERING))


def _qs():
    return get_user_model().objects.filter(username__startswith="u")


@pytest.mark.parametrize("per_page", [1, 4, 5, 23, 50])
def test_keyset_walks_forward_and_back(users, per_page):
    seen, page = [], keyset_page(_qs(), ORDERING, per_page=per_page)
    pages = [page]
    assert not page.has_previous
    seen += page.object_list
    while page.has_next:
        page = keyset_page(_qs(), ORDERING, after=page.next_cursor, per_page=per_page)
        pages.append(page)
        seen += page.object_list
    assert seen == users
    # and back from the last page to the first
    back = list(page.object_list)
    while page.has_previous:
        page = keyset_page(_qs(), ORDERING, before=page.previous_cursor, per_page=per_page)
        back = page.object_list + back
    assert back == users
    assert page.object_list == pages[0].object_list


def test_one_query_per_page(users):
    first = keyset_page(_qs(), ORDERING, per_page=5)
    with CaptureQueriesContext(connection) as queries:
        keyset_page(_qs(), ORDERING, after=first.next_cursor, per_page=5)
    assert len(queries) == 1
    assert "OFFSET" not in queries[0]["sql"].upper()


@pytest.mark.parametrize("token", ["garbage", "x:y:z", "W10:1abc:def"])
def test_bad_cursor_gives_first_page(users, token):
    page = keyset_page(_qs(), ORDERING, after=token, per_page=5)
    assert page.object_list == users[:5]
    assert not page.has_previous


def test_capped_paginator_counts_at_most_the_cap(users):
    paginator = CappedPaginator(_qs().order_by(*ORDERING), 5, cap=10)
    assert paginator.count == 10 and paginator.count_is_capped
    assert paginator.num_pages == 2
    assert list(paginator.get_page(99).object_list) == users[5:10]  # clamped to the last counted page
    with CaptureQueriesContext(connection) as queries:
        CappedPaginator(_qs().order_by("id"), 5, cap=10).count
    assert "LIMIT" in queries[0]["sql"].upper()
    small = CappedPaginator(_qs().order_by("id"), 5, cap=100)
    assert small.count == 23 and not small.count_is_capped


def test_a_cursor_bounds_the_first_column_so_an_index_scan_starts_there(users):
    """The OR of prefixes alone is no index condition: the page also says first column <= (descending) or >=
    (ascending) the cursor's value, which the planner uses as the scan's start."""
    first = keyset_page(_qs(), ORDERING, per_page=5)
    with CaptureQueriesContext(connection) as queries:
        keyset_page(_qs(), ORDERING, after=first.next_cursor, per_page=5)
        keyset_page(_qs(), ORDERING, before=first.next_cursor, per_page=5)
    forward, backward = (q["sql"] for q in queries.captured_queries)
    assert '"date_joined" <= ' in forward and '"date_joined" >= ' in backward


# --- a list split into parts (keyset_page_split, capped_count) ---------------------------------------------


@pytest.fixture
def mixed_users(users):
    """The 23 users, every third one staff and every fourth one inactive: parts of different sizes."""
    User = get_user_model()
    for i, user in enumerate(users):
        User.objects.filter(pk=user.pk).update(is_staff=i % 3 == 0, is_active=i % 4 != 0)
    return list(_qs().order_by(*ORDERING))


def _walk(ordering, parts, per_page):
    from samarbejde.core.pagination import keyset_page_split

    page = keyset_page_split(_qs(), ordering, parts=parts, per_page=per_page)
    first, seen = page, list(page.object_list)
    assert not page.has_previous
    while page.has_next:
        page = keyset_page_split(_qs(), ordering, parts=parts, after=page.next_cursor, per_page=per_page)
        seen += page.object_list
    back = list(page.object_list)
    while page.has_previous:
        page = keyset_page_split(_qs(), ordering, parts=parts, before=page.previous_cursor, per_page=per_page)
        back = page.object_list + back
    assert page.object_list == first.object_list
    return seen, back


@pytest.mark.parametrize("per_page", [1, 4, 7, 50])
def test_split_pages_walk_the_union_in_order(mixed_users, per_page):
    """Parts that do not fix the order's columns (like one part per action): merged in the list's order."""
    parts = [{"is_staff": True}, {"is_staff": False, "is_active": True}]
    expected = [u for u in mixed_users if u.is_staff or u.is_active]
    seen, back = _walk(ORDERING, parts, per_page)
    assert seen == expected and back == expected


@pytest.mark.parametrize("per_page", [1, 4, 7, 50])
def test_split_pages_with_parts_that_fix_the_leading_column(mixed_users, per_page):
    """Parts that fix the first sort column (like one part per status, the list ordered by status first)."""
    ordering = ["is_active", "-date_joined", "username"]
    expected = sorted(mixed_users, key=lambda u: u.is_active)  # stable: keeps the rest of the order
    seen, back = _walk(ordering, [{"is_active": True}, {"is_active": False}], per_page)
    assert seen == expected and back == expected


def test_split_page_queries(mixed_users):
    from samarbejde.core.pagination import keyset_page_split

    parts = [{"is_staff": True}, {"is_staff": False}]
    first = keyset_page_split(_qs(), ORDERING, parts=parts, per_page=5)
    with CaptureQueriesContext(connection) as queries:
        keyset_page_split(_qs(), ORDERING, parts=parts, after=first.next_cursor, per_page=5)
    assert len(queries) == 2  # the merged keys, then their rows
    assert "UNION ALL" in queries[0]["sql"].upper() and "OFFSET" not in queries[0]["sql"].upper()
    with CaptureQueriesContext(connection) as queries:
        keyset_page_split(_qs(), ORDERING, parts=parts[:1], after=first.next_cursor, per_page=5)
    assert len(queries) == 1


def test_split_page_with_a_bad_cursor_or_no_rows(mixed_users):
    from samarbejde.core.pagination import keyset_page_split

    parts = [{"is_staff": True}, {"is_staff": False}]
    page = keyset_page_split(_qs(), ORDERING, parts=parts, after="garbage", per_page=5)
    assert page.object_list == mixed_users[:5] and not page.has_previous
    empty = keyset_page_split(_qs().none(), ORDERING, parts=parts, per_page=5)
    assert empty.object_list == [] and not empty.has_other_pages()


def test_capped_count_of_parts(mixed_users):
    from samarbejde.core.pagination import capped_count

    parts = [{"is_staff": True}, {"is_staff": False}]
    assert capped_count(_qs(), parts=parts, cap=100) == (23, False)
    assert capped_count(_qs(), parts=parts, cap=10) == (10, True)
    assert capped_count(_qs(), parts=parts[:1], cap=100) == (8, False)
    assert capped_count(_qs().none(), parts=parts) == (0, False)


def test_the_cursor_bounds_the_first_column(users):
    """The OR of prefixes is ANDed with the first column's bound, which an index can range-scan on."""
    first = keyset_page(_qs(), ORDERING, per_page=5)
    with CaptureQueriesContext(connection) as queries:
        keyset_page(_qs(), ORDERING, after=first.next_cursor, per_page=5)
    where = queries[0]["sql"].split("WHERE", 1)[1]
    assert '"date_joined" <= ' in where
