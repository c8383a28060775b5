"""Property-based (hypothesis): no body and no date makes the API answer 500 (issue 9, point 7).

- Any JSON value (nested objects and lists, odd numbers, long and odd strings) posted as a custody event or
  as an answer: < 500, and problem+json when it is an error.
- A well-formed admission whose occurred_at is any datetime (any offset from -23:59 to +23:59, or none)
  and whose expected release is any date: < 500; naive -> 400; 201 only inside the window.
"""

import itertools
import json
from datetime import timedelta
from datetime import timezone as dt_timezone

import pytest
from django.core.cache import cache
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from samarbejde.api.models import ApiScope
from samarbejde.api.parsers import MSG_NUL
from samarbejde.api.services import api_key_create
from samarbejde.custody.tests.factories import INSTITUTION, admit, krfo_case_worker, make_person, next_cpr
from samarbejde.notifications.models import NotificationKind
from samarbejde.organisations.models import Organisation

pytestmark = pytest.mark.django_db
EVENTS = "/api/v1/custody-events/"
SETTINGS = hsettings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
_ids = itertools.count(1)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
    | st.sampled_from(["admission", "release", "0101901234", "101", INSTITUTION, "2027-03-01", "0001-01-01"]),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=6),
    max_leaves=30,
)
# Bodies shaped like an event, with any value in any field.
event_like = st.fixed_dictionaries(
    {},
    optional={
        "external_id": json_values,
        "type": st.sampled_from(["admission", "conversion", "transfer", "release_date_change", "release"])
        | json_values,
        "occurred_at": json_values,
        "institution": json_values,
        "custody_type": json_values,
        "person": st.fixed_dictionaries(
            {}, optional={k: json_values for k in ("cpr", "name", "home_municipality", "pension", "benefits")}
        )
        | json_values,
        "expected_release": st.fixed_dictionaries({}, optional={"date": json_values, "certainty": json_values})
        | json_values,
        "release": json_values,
    },
)
answer_like = st.fixed_dictionaries(
    {},
    optional={
        "decisions": st.lists(
            st.fixed_dictionaries(
                {},
                optional={
                    "subject": st.sampled_from(["kontanthjaelp", "boligstoette"]) | json_values,
                    "code": st.sampled_from(["continued", "stopped", "other"]) | json_values,
                    "text": json_values,
                    "effective_date": st.dates().map(str) | json_values,
                },
            )
            | json_values,
            max_size=3,
        )
        | json_values,
        "text": json_values,
    },
)


@pytest.fixture
def world():
    cache.clear()
    _, krfo = api_key_create(Organisation.objects.get(code=INSTITUTION), scopes=[ApiScope.CUSTODY_EVENTS_WRITE])
    _, municipality = api_key_create(
        Organisation.objects.get(code="101"), scopes=[ApiScope.NOTIFICATIONS_READ, ApiScope.NOTIFICATIONS_ANSWER]
    )
    worker = krfo_case_worker()
    outcome = admit(make_person(acting_user=worker, home="101", benefits=["kontanthjaelp"]), acting_user=worker)
    notice = next(
        n
        for n in outcome.notifications
        if n.kind == NotificationKind.BENEFITS_DECISION_REQUEST and n.recipient_organisation.code == "101"
    )
    yield {"krfo": krfo, "municipality": municipality, "answers": f"/api/v1/notifications/{notice.pk}/answers/"}
    cache.clear()


def post(client, path, key, body):
    return client.post(path, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")


def assert_no_server_error(response):
    assert response.status_code < 500, response.content[:500]
    if response.status_code >= 400:
        assert response["Content-Type"].startswith("application/problem+json")
        assert response.json()["detail"]


@SETTINGS
@given(body=json_values | event_like)
def test_no_custody_event_body_gives_a_500(client, world, settings, body):
    settings.API_RATE_LIMIT = "100000/min"
    assert_no_server_error(post(client, EVENTS, world["krfo"], body))


@SETTINGS
@given(body=json_values | answer_like)
def test_no_answer_body_gives_a_500(client, world, settings, body):
    settings.API_RATE_LIMIT = "100000/min"
    assert_no_server_error(post(client, world["answers"], world["municipality"], body))


offsets = st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1).map(
    lambda minutes: dt_timezone(timedelta(minutes=minutes))
)
# Mostly near today (so that some land inside the window), and anywhere from year 1 to 9999.
near = st.integers(min_value=-4 * 366, max_value=60).map(lambda days: timezone.now() + timedelta(days=days))
moments = st.one_of(
    st.datetimes(timezones=offsets).map(lambda d: d.isoformat()),
    st.datetimes().map(lambda d: d.isoformat()),  # naive
    st.tuples(near, offsets).map(lambda pair: pair[0].astimezone(pair[1]).isoformat()),
)
days = st.one_of(st.none(), st.dates(), near.map(lambda d: d.date())).map(lambda d: d.isoformat() if d else None)


@SETTINGS
@given(occurred_at=moments, expected=days)
def test_no_date_gives_a_500_and_only_plausible_ones_are_registered(client, world, settings, occurred_at, expected):
    settings.API_RATE_LIMIT = "100000/min"
    body = {
        "external_id": f"prop-{next(_ids)}",
        "type": "admission",
        "occurred_at": occurred_at,
        "institution": INSTITUTION,
        "custody_type": "remand",
        "person": {
            "cpr": next_cpr(),
            "name": "Hans Jensen",
            "home_municipality": "101",
            "pension": "none",
            "benefits": [],
        },
        "expected_release": {"date": expected, "certainty": "estimated" if expected else "unknown"},
    }
    response = post(client, EVENTS, world["krfo"], body)
    assert_no_server_error(response)
    parsed = timezone.datetime.fromisoformat(occurred_at)
    if timezone.is_naive(parsed):
        assert response.status_code == 400
        assert "tidszone" in response.json()["errors"]["occurred_at"][0]
    if response.status_code == 201:
        now = timezone.now()
        assert now - timedelta(days=2 * 366) <= parsed <= now + timedelta(days=1)


@pytest.mark.parametrize(
    "body",
    [
        {"type": "admission", "institution": "\x00"},  # found by hypothesis on PostgreSQL: a DataError, a 500
        {"type": "admission", "person": {"home_municipality": "1\x0001", "first_name": "Ann"}},
        {"type\x00": "admission"},
        ["\x00"],
    ],
)
def test_a_nul_character_anywhere_is_a_danish_400_on_every_database(client, world, body):
    for path, key in ((EVENTS, world["krfo"]), (world["answers"], world["municipality"])):
        response = post(client, path, key, body)
        assert response.status_code == 400, response.content[:300]
        assert response.json()["detail"] == MSG_NUL


def test_an_escaped_backslash_before_u0000_is_not_a_nul(client, world):
    """The quick text check only decides whether to look: a literal backslash-u-0000 in a value is no NUL."""
    response = post(client, EVENTS, world["krfo"], {"type": "admission", "institution": "\\u0000"})
    assert response.status_code == 400 and response.json()["detail"] != MSG_NUL
