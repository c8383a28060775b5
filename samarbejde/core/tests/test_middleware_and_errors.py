"""Correlation id per request, and the Danish error pages."""

import uuid

import pytest
from django.test import Client

from samarbejde.accounts.tests.factories import user_with_role
from samarbejde.audit.models import AuditEvent
from samarbejde.core.context import correlation, get_correlation_id
from samarbejde.organisations.roles import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/", "/kommuner/", "/healthz", "/api/v1/municipalities/101/", "/findes-ikke/"])
def test_every_response_has_a_correlation_id(client, url):
    response = client.get(url)
    assert uuid.UUID(response["X-Correlation-ID"])


def test_each_request_gets_its_own_correlation_id(client):
    first = client.get("/")["X-Correlation-ID"]
    second = client.get("/")["X-Correlation-ID"]
    assert first != second


def test_an_incoming_correlation_id_is_ignored_unless_a_proxy_is_trusted(client, settings):
    incoming = str(uuid.uuid4())
    assert client.get("/", headers={"X-Correlation-ID": incoming})["X-Correlation-ID"] != incoming


def test_a_valid_incoming_correlation_id_is_kept_and_an_invalid_one_replaced(client, settings):
    settings.TRUST_CORRELATION_HEADER = True
    incoming = str(uuid.uuid4())
    assert client.get("/", headers={"X-Correlation-ID": incoming})["X-Correlation-ID"] == incoming
    replaced = client.get("/", headers={"X-Correlation-ID": "not-a-uuid; DROP TABLE"})["X-Correlation-ID"]
    assert replaced != "not-a-uuid; DROP TABLE"
    assert uuid.UUID(replaced)


@pytest.mark.urls("samarbejde.core.tests.urls")
def test_all_audit_events_of_one_request_share_its_correlation_id(client):
    client.force_login(user_with_role(Role.KRFO_CASE_WORKER))
    response = client.get("/test/two-events/")
    cid = uuid.UUID(response["X-Correlation-ID"])
    events = AuditEvent.objects.filter(action__startswith="test.")
    assert {e.action for e in events} == {"test.first", "test.second"}
    assert {e.correlation_id for e in events} == {cid}
    other = uuid.UUID(client.get("/test/two-events/")["X-Correlation-ID"])
    assert other != cid
    assert AuditEvent.objects.filter(correlation_id=other).count() == 2


@pytest.mark.urls("samarbejde.core.tests.urls")
def test_login_audit_event_carries_the_request_correlation_id(client):
    from samarbejde.accounts.tests.factories import PASSWORD

    user = user_with_role(Role.MUNICIPAL_CASE_WORKER)
    response = client.post("/konto/log-ind/", {"username": user.username, "password": PASSWORD})
    event = AuditEvent.objects.get(action="accounts.login")
    assert str(event.correlation_id) == response["X-Correlation-ID"]


def test_correlation_context_restores_the_outer_id():
    with correlation() as outer:
        with correlation() as inner:
            assert get_correlation_id() == inner
        assert get_correlation_id() == outer
        assert inner != outer


def test_404_is_a_danish_page(client):
    response = client.get("/findes-ikke/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="da">' in html
    assert "<h1>Siden findes ikke</h1>" in html
    assert "Gå til forsiden" in html


@pytest.mark.urls("samarbejde.core.tests.urls")
def test_403_is_a_danish_page(client):
    response = client.get("/test/refuse/")
    assert response.status_code == 403
    assert "<h1>Ingen adgang</h1>" in response.content.decode()


@pytest.mark.urls("samarbejde.core.tests.urls")
def test_500_is_a_danish_page():
    client = Client(raise_request_exception=False)
    response = client.get("/test/crash/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "<h1>Der opstod en fejl</h1>" in html
    assert "Intet er gemt halvt" in html


def test_unmatched_api_paths_answer_problem_json(client):
    response = client.get("/api/v1/does-not-exist/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == "Adressen findes ikke i API'et."


def test_csrf_failure_page_is_danish():
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    response = csrf_client.post("/konto/log-ind/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "Formularen er udløbet" in response.content.decode()
