"""The § 808 request in the API and webhooks (issue 11, point 6): generic, verified here. A municipal case system
lists and reads the request (court, hearing, questions in the snapshot), answers it with a file, and gets a
thin CloudEvent for it; another municipality's key sees nothing."""

import base64
import json

import pytest
from django.core.cache import cache

from samarbejde.api.models import ApiScope
from samarbejde.api.services import api_key_create
from samarbejde.delivery.channels import webhook
from samarbejde.delivery.models import Delivery, DeliveryChannel
from samarbejde.delivery.services import webhook_subscription_create
from samarbejde.notifications.models import NotificationAttachment
from samarbejde.organisations.tests.factories import organisation
from samarbejde.pre_sentence.tests.factories import kif_officer, open_investigation, send_request

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _clear_throttle_cache():
    cache.clear()
    yield
    cache.clear()


def key_for(code):
    return api_key_create(organisation(code), scopes=[ApiScope.NOTIFICATIONS_READ, ApiScope.NOTIFICATIONS_ANSWER])[1]


@pytest.fixture
def request_notice():
    officer = kif_officer()
    (notice,) = send_request(open_investigation(acting_user=officer), acting_user=officer).notifications
    return notice


def test_the_request_is_listed_and_read_with_its_snapshot(client, request_notice):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key_for('101')}"}
    listed = client.get("/api/v1/notifications/", **auth).json()
    assert [n["id"] for n in listed["results"]] == [str(request_notice.pk)]
    body = client.get(f"/api/v1/notifications/{request_notice.pk}/", **auth).json()
    assert body["kind"] == "information_request" and body["needs_answer"] is True
    assert body["rule"]["id"] == "pre_sentence.information_request"
    assert "Produktvalg" in body["rule"]["deadline_source"]
    assert body["thread"]["type"] == "pre_sentence.investigation"
    assert body["source"]["type"] == "pre_sentence.informationrequest"
    assert body["snapshot"]["court"] == "Københavns Byret"
    assert body["snapshot"]["questions"] == "Bolig og forsørgelse?"
    assert body["due_date"] == request_notice.due_date.isoformat()
    assert body["legal_basis"]


def test_another_municipality_does_not_see_the_request(client, request_notice):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key_for('147')}"}
    assert client.get(f"/api/v1/notifications/{request_notice.pk}/", **auth).status_code == 404
    assert client.get("/api/v1/notifications/", **auth).json()["results"] == []


def test_the_api_answer_with_a_file_is_stored_and_listed(client, request_notice, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    response = client.post(
        f"/api/v1/notifications/{request_notice.pk}/answers/",
        {"text": "Se vedhæftede.", "files": [{"name": "plan.pdf", "content_base64": base64.b64encode(PDF).decode()}]},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key_for('101')}",
    )
    assert response.status_code == 201, response.content
    assert response.json()["files"] == [{"name": "plan.pdf", "content_type": "application/pdf", "size": len(PDF)}]
    assert NotificationAttachment.objects.get(notification=request_notice).original_name == "plan.pdf"


def test_a_webhook_subscriber_gets_a_thin_cloudevent_for_the_request():
    subscription, _secret = webhook_subscription_create(
        organisation("101"), "https://sag.kk.example.dk/webhooks/samarbejde", "Test", acting_user=None
    )
    officer = kif_officer()
    (notice,) = send_request(open_investigation(acting_user=officer), acting_user=officer).notifications
    delivery = Delivery.objects.select_related("notification__recipient_organisation", "subscription").get(
        notification=notice, channel=DeliveryChannel.WEBHOOK
    )
    body, _headers = webhook.signed_request(subscription, webhook.notification_event(delivery))
    event = json.loads(body)
    assert event["type"] == "dk.samarbejde.notification.created"
    assert event["data"]["kind"] == "information_request"
    assert event["data"]["rule"] == "pre_sentence.information_request"
    assert notice.person.cpr not in body.decode() and notice.person.last_name not in body.decode()
