"""schemathesis against the live schema (/api/v1/schema/) over every operation, with valid keys: no 500, and
every response (status, media type, headers, body) matches the schema.

In-process through the Django WSGI app, inside the test's transaction (so it runs on SQLite and PostgreSQL
alike and leaves nothing behind). The KRFO key (custody-events:write) posts custody events; the municipality
key (notifications:read and :answer) reads and answers notices. Some generated cases use the id of a real
notice, so the 200 paths are exercised and not only the 404s.
"""

import hashlib

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from samarbejde.api.models import ApiScope
from samarbejde.api.services import api_key_create
from samarbejde.custody.tests.factories import INSTITUTION, admit, krfo_case_worker, make_person
from samarbejde.notifications.models import NotificationKind
from samarbejde.organisations.models import Organisation

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


# Loaded at collection, through the app (the schema view reads no database). Not schemathesis.pytest.from_fixture:
# its lazy loader fails on pytest 9 (it sets the removed Function._nodeid).
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application())


@pytest.fixture(autouse=True)
def _in_process(settings):
    settings.API_RATE_LIMIT = "100000/min"  # hundreds of requests per key within seconds
    # A WSGI request ends with close_old_connections, which would close the test's connection mid-transaction
    # (Django's own test client disconnects it the same way).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    cache.clear()
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        cache.clear()


@pytest.fixture
def world(db):
    """Keys for both kinds of client, and a notice to Københavns Kommune (101) to read and answer."""
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
    # action_plans: a handleplan shared with 101 on a legal basis, for GET /action-plans/{id}/.
    from samarbejde.action_plans import services as plan_services

    plan = plan_services.plan_start(outcome.episode, acting_user=worker).plan
    plan_services.plan_share(plan, expected_version=plan.version, shares={"housing": "legal"}, acting_user=worker)
    return {"krfo": krfo, "municipality": municipality, "notice_id": str(notice.pk), "plan_id": str(plan.pk)}


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_every_operation_with_valid_keys(case, world):
    path = case.operation.path
    if path.startswith("/api/v1/custody-events/"):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {world['krfo']}"}
    elif path.startswith(("/api/v1/notifications/", "/api/v1/action-plans/")):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {world['municipality']}"}
    if case.path_parameters and "id" in case.path_parameters:
        # About half the cases address the real notice (deterministic, so a failure replays).
        digest = hashlib.sha256(repr(sorted(case.path_parameters.items())).encode()).digest()
        if digest[0] % 2 == 0:
            real = "plan_id" if path.startswith("/api/v1/action-plans/") else "notice_id"
            case.path_parameters["id"] = world[real]
    case.call_and_validate(checks=CHECKS)
