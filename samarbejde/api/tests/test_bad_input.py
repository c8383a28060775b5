"""Bad input never 500s, and every answer to it is Danish problem details (issue 9, point 7).

A list of bad requests to every API endpoint (too deep, too large, not JSON, not UTF-8, wrong types, wrong
method, media type, Accept header, key, unknown ids, throttled), each sent with Accept-Language: en as well:
the answer is < 500, application/problem+json, and neither `detail` nor any message in `errors` is English.
Django's own limit (DATA_UPLOAD_MAX_MEMORY_SIZE) gives 413: problem details on the API, a Danish page on the web.
"""

import json
import re

import pytest
from django.core.cache import cache

from samarbejde.api.models import ApiScope
from samarbejde.api.parsers import nesting_depth, parse_json, size_label
from samarbejde.api.services import api_key_create
from samarbejde.custody.tests.factories import INSTITUTION, admit, krfo_case_worker, make_person, next_cpr
from samarbejde.notifications.models import NotificationKind
from samarbejde.organisations.models import Organisation

pytestmark = pytest.mark.django_db
EVENTS = "/api/v1/custody-events/"
NOTIFICATIONS = "/api/v1/notifications/"
MISSING_ID = "00000000-0000-4000-8000-000000000000"

# Words of DRF's and Django's English messages ("This field is required.", "No data provided", "JSON parse
# error", "Method not allowed", "Expected available in 3 seconds", ...). None is a Danish word.
ENGLISH = re.compile(
    r"\b(the|this|is|not|no|field|required|provided|invalid|must|method|allowed|found|valid|expected|value|"
    r"values|ensure|malformed|credentials|permission|unsupported|parse|error|throttled|available|seconds?|"
    r"request|data|object|string|characters|list|items|got|should|may|only|could|satisfy)\b",
    re.IGNORECASE,
)


@pytest.fixture(autouse=True)
def _clear_throttle_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def keys():
    _, krfo = api_key_create(Organisation.objects.get(code=INSTITUTION), scopes=[ApiScope.CUSTODY_EVENTS_WRITE])
    _, municipality = api_key_create(
        Organisation.objects.get(code="101"), scopes=[ApiScope.NOTIFICATIONS_READ, ApiScope.NOTIFICATIONS_ANSWER]
    )
    return {"krfo": krfo, "municipality": municipality}


@pytest.fixture
def notice_id():
    worker = krfo_case_worker()
    outcome = admit(make_person(acting_user=worker, home="101", benefits=["kontanthjaelp"]), acting_user=worker)
    return str(
        next(
            n.pk
            for n in outcome.notifications
            if n.kind == NotificationKind.BENEFITS_DECISION_REQUEST and n.recipient_organisation.code == "101"
        )
    )


def messages_of(problem: dict) -> list[str]:
    found = [problem["title"], problem["detail"]]

    def walk(value):
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str):
            found.append(value)

    walk(problem.get("errors"))
    return found


def english_in(text: str) -> list[str]:
    # Names a client must send as they are (Content-Type: application/json, Authorization: Bearer) are not prose.
    text = re.sub(r"(Content-Type|Accept|Authorization): [\w/<>\- -]+", "", text)
    return ENGLISH.findall(text)


def assert_danish_problem(response, status: int | None = None) -> dict:
    assert response.status_code < 500, response.content[:500]
    if status is not None:
        assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/problem+json"), response.content[:300]
    problem = response.json()
    assert problem["status"] == response.status_code and problem["detail"]
    for message in messages_of(problem):
        assert not english_in(message), f"English in {message!r}: {english_in(message)}"
    return problem


def _event(**fields) -> dict:
    body = {
        "external_id": "klient-x",
        "type": "admission",
        "occurred_at": "2026-01-01T10:00:00+01:00",
        "institution": INSTITUTION,
        "custody_type": "remand",
        "person": {"cpr": next_cpr(), "name": "Hans Jensen", "home_municipality": "101", "pension": "none"},
    }
    body["person"]["benefits"] = []
    body.update(fields)
    return body


def deep(levels: int, open_="[", close="]") -> str:
    return open_ * levels + close * levels


# (name, method, path (with {notice}), key, body (bytes/str/obj), content type, extra headers, status)
BAD_REQUESTS = [
    ("nested 100000", "post", EVENTS, "krfo", "[" * 100_000, "application/json", {}, 400),
    ("nested 33 closed", "post", EVENTS, "krfo", deep(33), "application/json", {}, 400),
    ("nested objects", "post", EVENTS, "krfo", '{"a":' * 40 + "1" + "}" * 40, "application/json", {}, 400),
    ("not json", "post", EVENTS, "krfo", "{not json", "application/json", {}, 400),
    ("not utf-8", "post", EVENTS, "krfo", b'{"external_id": "\xff\xfe"}', "application/json", {}, 400),
    ("NaN", "post", EVENTS, "krfo", '{"external_id": NaN}', "application/json", {}, 400),
    ("null", "post", EVENTS, "krfo", "null", "application/json", {}, 400),
    ("list", "post", EVENTS, "krfo", "[1, 2]", "application/json", {}, 400),
    ("empty", "post", EVENTS, "krfo", "", "application/json", {}, 400),
    ("empty object", "post", EVENTS, "krfo", {}, "application/json", {}, 400),
    ("wrong types", "post", EVENTS, "krfo", _event(external_id=12, person=[]), "application/json", {}, 400),
    ("person null", "post", EVENTS, "krfo", _event(person=None), "application/json", {}, 400),
    ("benefits text", "post", EVENTS, "krfo", _event(person={"cpr": "x", "benefits": "x"}), None, {}, 400),
    ("bad date", "post", EVENTS, "krfo", _event(occurred_at="i går"), "application/json", {}, 400),
    ("form", "post", EVENTS, "krfo", "external_id=1", "application/x-www-form-urlencoded", {}, 415),
    ("xml", "post", EVENTS, "krfo", "<x/>", "text/xml", {}, 415),
    ("html wanted", "post", EVENTS, "krfo", {}, "application/json", {"HTTP_ACCEPT": "text/html"}, 406),
    ("GET", "get", EVENTS, "krfo", None, None, {}, 405),
    ("PUT", "put", EVENTS, "krfo", {}, "application/json", {}, 405),
    ("no key", "post", EVENTS, None, {}, "application/json", {}, 401),
    ("bad header", "post", EVENTS, None, {}, "application/json", {"HTTP_AUTHORIZATION": "Bearer a b"}, 401),
    ("unknown key", "post", EVENTS, None, {}, "application/json", {"HTTP_AUTHORIZATION": "Bearer smb_x_y"}, 401),
    ("basic auth", "post", EVENTS, None, {}, "application/json", {"HTTP_AUTHORIZATION": "Basic eDp5"}, 401),
    ("wrong scope", "post", EVENTS, "municipality", {}, "application/json", {}, 403),
    ("answer nested", "post", "{answers}", "municipality", deep(50), "application/json", {}, 400),
    ("answer null", "post", "{answers}", "municipality", "null", "application/json", {}, 400),
    ("answer list", "post", "{answers}", "municipality", [], "application/json", {}, 400),
    ("decisions text", "post", "{answers}", "municipality", {"decisions": "x"}, "application/json", {}, 400),
    ("decisions dict", "post", "{answers}", "municipality", {"decisions": {"a": 1}}, "application/json", {}, 400),
    ("decision empty", "post", "{answers}", "municipality", {"decisions": [{}]}, "application/json", {}, 400),
    ("decision number", "post", "{answers}", "municipality", {"decisions": [1]}, "application/json", {}, 400),
    (
        "decision types",
        "post",
        "{answers}",
        "municipality",
        {"decisions": [{"subject": 1, "code": None, "text": [], "effective_date": "x"}], "text": 5},
        "application/json",
        {},
        400,
    ),
    ("text too long", "post", "{answers}", "municipality", {"text": "æ" * 5000}, "application/json", {}, 400),
    ("answer form", "post", "{answers}", "municipality", "text=x", "application/x-www-form-urlencoded", {}, 415),
    ("answer GET", "get", "{answers}", "municipality", None, None, {}, 405),
    ("answer missing", "post", f"{NOTIFICATIONS}{MISSING_ID}/answers/", "municipality", {}, None, {}, 404),
    ("answer not uuid", "post", f"{NOTIFICATIONS}abc/answers/", "municipality", {}, None, {}, 404),
    ("ack missing", "post", f"{NOTIFICATIONS}{MISSING_ID}/acknowledge/", "municipality", None, None, {}, 404),
    ("detail missing", "get", f"{NOTIFICATIONS}{MISSING_ID}/", "municipality", None, None, {}, 404),
    ("list status", "get", f"{NOTIFICATIONS}?status=xyz", "municipality", None, None, {}, 400),
    ("list since", "get", f"{NOTIFICATIONS}?updated_since=xyz", "municipality", None, None, {}, 400),
    ("list since naive", "get", f"{NOTIFICATIONS}?updated_since=2026-01-01T10:00", "municipality", None, None, {}, 400),
    ("list cursor", "get", f"{NOTIFICATIONS}?cursor=xyz", "municipality", None, None, {}, 404),
    ("list POST", "post", NOTIFICATIONS, "municipality", {}, None, {}, 405),
    ("list no key", "get", NOTIFICATIONS, None, None, None, {}, 401),
    ("municipality", "get", "/api/v1/municipalities/999/", None, None, None, {}, 404),
    ("municipalities POST", "post", "/api/v1/municipalities/", None, {}, None, {}, 405),
    ("unknown address", "get", "/api/v1/findes-ikke/", None, None, None, {}, 404),
]


def send(client, keys, notice_id, method, path, key, body, content_type, headers, language=None):
    path = path.replace("{answers}", f"{NOTIFICATIONS}{notice_id}/answers/")
    extra = dict(headers)
    if key:
        extra["HTTP_AUTHORIZATION"] = f"Bearer {keys[key]}"
    if language:
        extra["HTTP_ACCEPT_LANGUAGE"] = language
    if body is None:
        return getattr(client, method)(path, **extra)
    if not isinstance(body, (str, bytes)):
        body = json.dumps(body)
    return getattr(client, method)(path, body, content_type=content_type or "application/json", **extra)


@pytest.mark.parametrize("language", [None, "en"])
@pytest.mark.parametrize(
    ("method", "path", "key", "body", "content_type", "headers", "status"),
    [case[1:] for case in BAD_REQUESTS],
    ids=[case[0] for case in BAD_REQUESTS],
)
def test_bad_requests_get_danish_problem_details(
    client, keys, notice_id, language, method, path, key, body, content_type, headers, status
):
    response = send(client, keys, notice_id, method, path, key, body, content_type, headers, language)
    assert_danish_problem(response, status)
    assert response["Content-Language"] == "da"


def test_deep_nesting_names_the_limit(client, keys):
    response = send(client, keys, "", "post", EVENTS, "krfo", "[" * 100_000, None, {})
    assert "højst have 32 niveauer" in assert_danish_problem(response, 400)["detail"]


@pytest.mark.parametrize("size", [1024 * 1024 + 1, 3 * 1024 * 1024, 30 * 1024 * 1024])
def test_a_body_over_the_limit_is_413_problem_details(client, keys, size):
    """Over API_MAX_BODY_BYTES (1 MB) and over Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) alike."""
    body = json.dumps({"external_id": "x" * size})
    for path in (EVENTS, "/api/v1/notifications/x/answers/", "/api/v1/municipalities/"):
        response = client.post(path, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {keys['krfo']}")
        problem = assert_danish_problem(response, 413)
        assert problem["detail"].startswith("Indholdet fylder for meget: højst 1 MB")


def test_the_size_limit_is_a_setting(client, keys, settings):
    settings.API_MAX_BODY_BYTES = 100
    body = json.dumps(_event(external_id="y" * 200))
    response = client.post(EVENTS, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {keys['krfo']}")
    assert "højst 100 byte" in assert_danish_problem(response, 413)["detail"]


def test_the_depth_limit_is_a_setting(client, keys, settings):
    settings.API_MAX_JSON_DEPTH = 2
    body = json.dumps(_event(person={"cpr": next_cpr(), "benefits": [[1]]}))
    response = client.post(EVENTS, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {keys['krfo']}")
    assert "højst have 2 niveauer" in assert_danish_problem(response, 400)["detail"]


def test_throttled_is_danish_without_drfs_english_tail(client, keys, settings):
    settings.API_RATE_LIMIT = "1/min"
    auth = {"HTTP_AUTHORIZATION": f"Bearer {keys['municipality']}", "HTTP_ACCEPT_LANGUAGE": "en"}
    assert client.get(NOTIFICATIONS, **auth).status_code == 200
    response = client.get(NOTIFICATIONS, **auth)
    problem = assert_danish_problem(response, 429)
    assert "Expected" not in problem["detail"] and response["Retry-After"]


def test_djangos_limit_on_a_web_form_is_a_danish_413_page(client):
    """A form body over DATA_UPLOAD_MAX_MEMORY_SIZE: Django raises RequestDataTooBig when it is read."""
    response = client.post(
        "/konto/log-ind/", "username=" + "x" * 3_000_000, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    html = response.content.decode()
    assert "fylder for meget" in html and "<html" in html


def test_updated_since_takes_a_date_or_a_time_with_a_time_zone(client, keys):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {keys['municipality']}"}
    for value in ("2026-01-01", "2026-01-01T10:00:00Z", "2026-01-01T10:00:00+01:00"):
        assert client.get(NOTIFICATIONS, {"updated_since": value}, **auth).status_code == 200, value
    problem = assert_danish_problem(client.get(NOTIFICATIONS, {"updated_since": "2026-01-01T10:00"}, **auth), 400)
    assert "mangler en tidszone" in problem["detail"]


def test_the_docs_page_keeps_the_sites_language(client):
    response = client.get("/api/v1/docs/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200


# -- The parser itself ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("{}", 1),
        ("[]", 1),
        ("1", 0),
        ('{"a": [1, {"b": []}]}', 4),
        ('"[[[[["', 0),  # brackets in a string do not count
        ('["\\"[[["]', 1),  # nor after an escaped quote
        ("[" * 100_000, 33),  # stops counting above the limit
    ],
)
def test_nesting_depth(text, depth):
    assert nesting_depth(text, 32) == depth


def test_parse_json_accepts_the_limit_exactly():
    assert parse_json(deep(32).encode()) == json.loads(deep(32))


def test_size_label():
    assert size_label(1024 * 1024) == "1 MB"
    assert size_label(1536) == "1,5 kB"
    assert size_label(100) == "100 byte"
