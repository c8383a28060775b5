"""The OpenAPI schema validates without warnings, and the docs page shows it as plain Danish HTML."""

import itertools
import json
import re

import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse

from samarbejde.api.views import api_operations

pytestmark = pytest.mark.django_db

PATHS = {"/api/v1/municipalities/", "/api/v1/municipalities/{code}/"}  # public, no key
KEY_OPERATIONS = {
    ("GET", "/api/v1/notifications/"),
    ("GET", "/api/v1/notifications/{id}/"),
    ("POST", "/api/v1/notifications/{id}/acknowledge/"),
    ("POST", "/api/v1/notifications/{id}/answers/"),
    ("GET", "/api/v1/action-plans/{id}/"),  # action_plans: a shared handleplan
}
CUSTODY_EVENTS = ("POST", "/api/v1/custody-events/")
ALL_PATHS = PATHS | {path for _, path in KEY_OPERATIONS} | {CUSTODY_EVENTS[1]}


def test_spectacular_validate_fail_on_warn_passes(tmp_path):
    """`manage.py spectacular --validate --fail-on-warn` (raises CommandError on any warning or error)."""
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == ALL_PATHS
    assert schema["components"]["securitySchemes"]["apiKey"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schema["components"]["securitySchemes"]["apiKey"]["description"],
    }
    for method, path in KEY_OPERATIONS:
        operation = schema["paths"][path][method.lower()]
        assert operation["security"] == [{"apiKey": []}]
        tag = "Handleplaner" if path.startswith("/api/v1/action-plans/") else "Underretninger"
        assert operation["tags"] == [tag] and operation["summary"]
        for code in ("401", "403", "429"):
            assert "application/problem+json" in operation["responses"][code]["content"]
    custody = schema["paths"][CUSTODY_EVENTS[1]]["post"]
    assert custody["security"] == [{"apiKey": []}] and custody["tags"] == ["Frihedsberøvelse"]
    assert set(custody["responses"]) == {"200", "201", "400", "401", "403", "404", "409", "413", "415", "422", "429"}
    for code in ("400", "401", "403", "404", "409", "413", "415", "422", "429"):
        assert list(custody["responses"][code]["content"]) == ["application/problem+json"]
    body = custody["requestBody"]["content"]["application/json"]
    assert body["schema"] == {"$ref": "#/components/schemas/CustodyEventInput"}
    assert {example["value"]["type"] for example in body["examples"].values()} == {
        "admission",
        "conversion",
        "transfer",
        "release_date_change",
        "release",
    }
    # The names partners integrate against (issue 4): keep them stable.
    components = schema["components"]["schemas"]
    assert set(components["CustodyEventInput"]["properties"]) >= {
        "external_id",
        "type",
        "occurred_at",
        "institution",
        "custody_type",
        "person",
        "expected_release",
        "release",
    }
    assert set(components["PersonInput"]["properties"]) >= {
        "cpr",
        "name",
        "address",
        "home_municipality",
        "pension",
        "benefits",
    }
    assert set(components["ExpectedRelease"]["properties"]) == {"date", "certainty"}
    assert set(components["ReleaseInput"]["properties"]) == {"kind", "address_after"}
    assert set(components["CustodyEventResult"]["properties"]) == {
        "external_id",
        "type",
        "episode",
        "event",
        "notifications",
        "warnings",
    }


def test_schema_url_names():
    assert reverse("api:schema") == "/api/v1/schema/"
    assert reverse("api:docs") == "/api/v1/docs/"


@pytest.mark.parametrize(
    ("query", "content_type"),
    [("", "application/vnd.oai.openapi"), ("?format=json", "application/vnd.oai.openapi+json")],
)
def test_schema_is_served_without_login(client, query, content_type):
    response = client.get(reverse("api:schema") + query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    body = response.content.decode()
    schema = json.loads(body) if "json" in content_type else yaml.safe_load(body)
    assert set(schema["paths"]) == ALL_PATHS
    for path in PATHS:
        operation = schema["paths"][path]["get"]
        assert operation["summary"]  # Danish summary on every operation
        assert operation["tags"] == ["Kommuner"]
    not_found = schema["paths"]["/api/v1/municipalities/{code}/"]["get"]["responses"]["404"]
    assert "application/problem+json" in not_found["content"]


def test_api_operations_lists_every_method_with_parameters_and_responses():
    api_operations.cache_clear()
    info, operations = api_operations()
    assert info["title"] == "Samarbejde API"
    by_path = {(op["method"], op["path"]): op for op in operations}
    assert set(by_path) == {("GET", path) for path in PATHS} | KEY_OPERATIONS | {CUSTODY_EVENTS}
    custody = by_path[CUSTODY_EVENTS]
    assert custody["parameters"] == [] and custody["request"]["media_type"] == "application/json"
    fields = {f["name"]: f for f in custody["request"]["fields"]}
    assert fields["person.cpr"]["required"] and fields["external_id"]["required"]
    assert fields["person.benefits"]["values"][0] == "kontanthjaelp"
    assert fields["expected_release.certainty"]["values"] == ["unknown", "estimated", "decided"]
    assert "* `" not in fields["type"]["description"]
    assert len(custody["request"]["examples"]) == 5
    assert {example["code"] for example in custody["response_examples"]} >= {"201", "400", "404", "409", "422"}
    detail = by_path[("GET", "/api/v1/municipalities/{code}/")]
    assert detail["summary"] == "Én kommune med kontakter"
    assert [(p["name"], p["location"], p["required"]) for p in detail["parameters"]] == [("code", "sti", True)]
    # 400: a CPR-looking query value is refused on every operation (samarbejde/api/schema.py).
    assert [r["code"] for r in detail["responses"]] == ["200", "404", "400"]
    listing = by_path[("GET", "/api/v1/municipalities/")]
    assert {p["name"] for p in listing["parameters"]} == {"q", "region", "police_district"}


def test_docs_page_is_danish_html_listing_every_operation(client):
    response = client.get(reverse("api:docs"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert '<html lang="da">' in html
    assert len(re.findall(r"<h1[ >]", html)) == 1
    assert "<h1>API-dokumentation</h1>" in html
    assert "Sådan bruger du API&#x27;et" in html or "Sådan bruger du API'et" in html
    assert 'href="/api/v1/schema/"' in html
    assert 'href="/api/v1/schema/?format=json"' in html
    for path in PATHS:
        assert f"GET {path}" in html
    for text in ["Alle kommuner", "Én kommune med kontakter", "Kommunen findes ikke", "application/problem+json"]:
        assert text in html
    # Headings in order: h1, then h2, then h3 (never a skipped level).
    levels = [int(level) for level in re.findall(r"<h([1-6])[ >]", html)]
    assert levels[0] == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels))
    # Strict CSP: no inline script, no style attributes, no Swagger UI.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert "style=" not in html
    assert "swagger" not in html.lower()
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def test_every_docs_table_has_caption_and_column_headers(client):
    html = client.get(reverse("api:docs")).content.decode()
    tables = re.findall(r"<table.*?</table>", html, flags=re.DOTALL)
    # Parameters and responses for each operation; a body table for the two with a body (the answer, which
    # also has a parameter, and the custody event, which has none).
    assert len(tables) == 2 * (len(PATHS) + len(KEY_OPERATIONS) + 1) + 1
    for table in tables:
        assert "<caption>" in table
        assert '<th scope="col">' in table


def test_docs_page_explains_webhooks_for_receivers(client, settings):
    """Partners build receivers from this page: format, signature headers, retries and de-duplication."""
    settings.SITE_URL = "https://samarbejde.example.dk"
    html = client.get(reverse("api:docs")).content.decode()
    for text in [
        'id="webhooks"',
        "application/cloudevents+json",
        "dk.samarbejde.notification.created",
        "webhook-id",
        "webhook-timestamp",
        "webhook-signature",
        "manage.py create_webhook",
        "https://samarbejde.example.dk/api/v1/notifications/",
        'Webhook("whsec_…").verify',
    ]:
        assert text in html, text
