"""Issue 4's "Done when", as one test that follows the README's walk-through (section "Integration").

An administrator issues a municipality key and a KRFO key and registers the municipality's webhook with the
management commands; KRFO's client system posts an admission to /api/v1/custody-events/; the signed
CloudEvent reaches a real receiver on loopback and verifies with the Standard Webhooks reference
implementation; the municipality's system fetches the notice through the API and answers it; the KRFO case
worker sees the answer and the delivery state on the episode timeline.
"""

import io
import json
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from samarbejde.delivery.models import Delivery, DeliveryChannel, DeliveryStatus
from samarbejde.delivery.tests.receiver import Receiver
from samarbejde.organisations.roles import Role
from samarbejde.organisations.tests.factories import user_with_role

pytestmark = pytest.mark.django_db

CPR = "0101901234"
NAME = "Hans Peter Jensen"


def command(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def receiver():
    started = Receiver().start()
    yield started
    started.stop()


def test_new_user_walkthrough(client, receiver, django_capture_on_commit_callbacks):
    cache.clear()  # the per-key rate limit counts in the cache
    municipality_key = command(
        "create_api_key", "101", "--scope", "notifications:read", "--scope", "notifications:answer"
    ).strip()
    krfo_key = command("create_api_key", "krfo-koebenhavns-faengsler", "--scope", "custody-events:write").strip()
    created = command("create_webhook", "101", receiver.url)
    secret = re.search(r"^secret: (whsec_\S+)$", created, re.M).group(1)
    assert re.search(r"^id: [0-9a-f-]{36}$", created, re.M)

    admission = {
        "external_id": "klient-2026-000123",
        "type": "admission",
        "occurred_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        "institution": "krfo-koebenhavns-faengsler",
        "custody_type": "remand",
        "person": {
            "cpr": CPR,
            "name": NAME,
            "address": "Nørregade 1, 1165 København K",
            "home_municipality": "101",
            "pension": "none",
            "benefits": ["kontanthjaelp"],
        },
        "expected_release": {"date": str(timezone.localdate() + timedelta(days=90)), "certainty": "estimated"},
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/custody-events/",
            json.dumps(admission),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {krfo_key}",
        )
    assert response.status_code == 201, response.content
    result = response.json()
    notice = next(n for n in result["notifications"] if n["kind"] == "benefits_decision_request")
    assert notice["recipient"]["code"] == "101"
    assert notice["legal_basis"]["act"] and notice["due_date"]

    # The signed, thin CloudEvent arrived and verifies with the reference implementation.
    events = [r for r in receiver.requests if json.loads(r.body)["data"]["notification_id"] == notice["id"]]
    assert len(events) == 1
    event = Webhook(secret).verify(events[0].body, events[0].headers)
    assert event["specversion"] == "1.0" and event["type"] == "dk.samarbejde.notification.created"
    assert events[0].headers["webhook-id"] == event["id"]
    assert CPR not in events[0].body.decode() and "Jensen" not in events[0].body.decode()

    # The municipality's system fetches the notice (the person's data is there, behind the key) and answers.
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {municipality_key}"}
    fetched = client.get(urlsplit(event["data"]["url"]).path, **bearer)
    assert fetched.status_code == 200
    assert fetched.json()["snapshot"]["cpr"] == CPR
    answered = client.post(
        f"/api/v1/notifications/{notice['id']}/answers/",
        json.dumps(
            {
                "decisions": [
                    {"subject": "kontanthjaelp", "code": "stopped", "effective_date": str(timezone.localdate())}
                ],
                "text": "Kontanthjælpen er standset fra indsættelsesdagen.",
            }
        ),
        content_type="application/json",
        **bearer,
    )
    assert answered.status_code == 201, answered.content

    webhook = Delivery.objects.get(notification_id=notice["id"], channel=DeliveryChannel.WEBHOOK)
    assert webhook.status == DeliveryStatus.SENT

    # The KRFO case worker sees the answer and the delivery on the episode timeline.
    client.force_login(user_with_role(Role.KRFO_CASE_WORKER, "krfo-koebenhavns-faengsler"))
    page = client.get(f"/klienter/forloeb/{result['episode']['id']}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Kontanthjælpen er standset fra indsættelsesdagen." in html
    assert "webhook" in html.lower() and "Leveret" in html
