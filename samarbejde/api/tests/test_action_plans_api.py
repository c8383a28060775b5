"""GET /api/v1/action-plans/<id>/: the municipality's key reads the shared areas only, audited; other keys 404."""

import pytest
from django.core.cache import cache

from samarbejde.action_plans import services as s
from samarbejde.action_plans.tests.factories import krfo_case_worker, new_plan
from samarbejde.api.models import ApiScope
from samarbejde.api.services import api_key_create
from samarbejde.audit.models import AuditEvent
from samarbejde.organisations.tests.factories import organisation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_throttle_cache():
    cache.clear()
    yield
    cache.clear()


def key_for(code, scopes=(ApiScope.NOTIFICATIONS_READ,)) -> dict:
    raw = api_key_create(organisation(code), scopes=list(scopes))[1]
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def shared_plan():
    worker = krfo_case_worker()
    plan = new_plan(worker)
    s.plan_update(
        plan,
        expected_version=1,
        status="written",
        areas={
            "housing": {"assessment": "A", "goals": "Egen bolig"},
            "health": {"assessment": "Hemmelig", "goals": ""},
        },
        acting_user=worker,
    )
    plan.refresh_from_db()
    return s.plan_share(plan, expected_version=plan.version, shares={"housing": "legal"}, acting_user=worker).plan


def test_the_municipality_reads_the_shared_areas_only_and_the_read_is_audited(client, shared_plan):
    response = client.get(f"/api/v1/action-plans/{shared_plan.pk}/", **key_for("101"))
    assert response.status_code == 200, response.content
    body = response.json()
    assert [a["category"] for a in body["areas"]] == ["housing"]
    assert body["areas"][0]["goals"] == "Egen bolig" and "Hemmelig" not in response.content.decode()
    assert body["person"]["cpr"] == shared_plan.person.cpr
    assert AuditEvent.objects.filter(action="action_plans.api_read", person=shared_plan.person).exists()


@pytest.mark.parametrize("code", ["147", "krfo-koebenhavns-faengsler"])
def test_other_keys_get_404(client, shared_plan, code):
    response = client.get(f"/api/v1/action-plans/{shared_plan.pk}/", **key_for(code))
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")


def test_no_key_401_and_malformed_id_404(client, shared_plan):
    assert client.get(f"/api/v1/action-plans/{shared_plan.pk}/").status_code == 401
    assert client.get("/api/v1/action-plans/nope/", **key_for("101")).status_code == 404


def test_in_the_schema(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    assert "/api/v1/action-plans/{id}/" in schema["paths"]
