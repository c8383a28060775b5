"""bench/scale.py's measurement functions work (`make bench-scale`): not a timing test, no time budget.

In-process on the test database with the demo users and cases: the sessions the harness makes (with a
verified TOTP device) log the demo user in, the notice finder finds a notice from the inbox, and the timing
and query count of two pages (the inbox and the found notice) come back as numbers with status 200.
"""

import pytest

from bench import scale
from samarbejde.demo.data import load_demo_cases, load_demo_users

pytestmark = pytest.mark.django_db


def test_the_harness_measures_two_pages_in_process():
    load_demo_users()
    load_demo_cases()
    headers = scale.credentials({"kbh.sagsbehandler"}, verified=True)
    fetch = scale.ClientFetcher(headers["kbh.sagsbehandler"])
    pages = [p for p in scale.PAGES if p.key in ("inbox", "notice")]
    paths = scale.resolve_paths(pages, {"kbh.sagsbehandler": fetch})
    assert paths["inbox"] == ("/indbakke/", "")
    assert paths["notice"][0].startswith("/indbakke/"), paths["notice"]

    for page in pages:
        path = paths[page.key][0]
        timing = scale.time_requests(fetch, path, requests=2, warmup=1)
        assert timing.ok, (path, timing.error)
        assert timing.requests == 2 and timing.median > 0 and timing.p95 >= timing.median
        status, queries = scale.count_queries(fetch, path)
        assert status == 200 and queries > 0


def test_a_page_that_fails_is_reported_not_raised():
    timing = scale.time_requests(lambda path: (404, b"<h1>Siden findes ikke</h1>"), "/x/", requests=3, warmup=1)
    assert (timing.ok, timing.status, timing.error) == (False, 404, "HTTP 404: Siden findes ikke")
