"""The platform issue's "Done when", as one test, tried as a new user would through the pages:

register an admission for a person on førtidspension in København: the notices go to the units København's
routing names; correct the home municipality to Aarhus: København is told and loses access, Aarhus gets its
notices; Udbetaling Danmark records a pension decision in the inbox; a release notice is not acknowledged in time,
and the escalation arrives by e-mail (no personal data) and by a signed webhook at a real receiver.
"""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from samarbejde.delivery import services as delivery_services
from samarbejde.delivery.tests.receiver import Receiver
from samarbejde.demo.data import load_demo_routing
from samarbejde.notifications import services as ns
from samarbejde.notifications.models import Notification, NotificationStatus
from samarbejde.organisations.models import Department, Organisation
from samarbejde.organisations.roles import DepartmentKind, Role
from samarbejde.organisations.tests.factories import user_with_role
from samarbejde.people.access import persons_visible_to

pytestmark = pytest.mark.django_db
TZ = timezone.get_current_timezone()
CPR, FIRST, LAST, ADDRESS = "1208751234", "Birthe", "Brøndsted", "Ryesgade 30, 2200 København N"
ADMITTED = datetime(2027, 3, 1, 9, 0, tzinfo=TZ)


@pytest.fixture
def receiver():
    started = Receiver().start()
    yield started
    started.stop()


def text_of(response) -> str:
    return response.content.decode()


def test_the_platform_done_when(client, receiver):
    load_demo_routing()  # København's units and routing, as `make run` has them
    Department.objects.filter(organisation__code="751", kind=DepartmentKind.SOCIAL).update(
        email="social@aarhus.example"
    )
    Organisation.objects.filter(code="751").update(email="post@aarhus.example")
    (_hook, secret) = delivery_services.webhook_subscription_create(
        Organisation.objects.get(code="751"), receiver.url, "Aarhus' sagssystem", acting_user=None
    )
    receiver.secret = secret
    worker = user_with_role(Role.KRFO_CASE_WORKER, "krfo-koebenhavns-faengsler")
    kbh = user_with_role(Role.MUNICIPAL_COORDINATOR, "101")
    aarhus = user_with_role(Role.MUNICIPAL_COORDINATOR, "751")
    udk = user_with_role(Role.UDK_OFFICER)

    # 1. KRFO registers the admission through the page: notices to the units København's routing names.
    with time_machine.travel(ADMITTED, tick=False):
        client.force_login(worker)
        response = client.post(
            "/klienter/indsaettelse/",
            {
                "lookup_cpr": "",
                "cpr": CPR,
                "first_name": FIRST,
                "last_name": LAST,
                "address": ADDRESS,
                "home_municipality": "101",
                "pension": "foertidspension",
                "institution": "krfo-koebenhavns-faengsler",
                "custody_type": "remand",
                "admitted_at": "2027-03-01T09:00",
                "expected_release": "",
                "certainty": "unknown",
            },
        )
        assert response.status_code == 302, text_of(response)[:3000]
    episode_url = response["Location"]
    notices = {(n.rule, n.recipient_organisation.code): n for n in Notification.objects.filter(person__cpr=CPR)}
    rent = notices[("admission.pension_rent", "101")]
    assert rent.recipient_department.name == "Socialcenter København (ydelser og handleplaner)"
    assert rent.route is not None and rent.route_label.startswith("Københavns Kommunes fordeling")
    assert ("admission.pension_udk", "udbetaling-danmark") in notices
    assert "Københavns Kommunes fordeling" in text_of(client.get(episode_url))

    # 2. The home municipality was wrong: KRFO corrects it to Aarhus on the episode page.
    with time_machine.travel(ADMITTED + timedelta(hours=2), tick=False):
        response = client.post(
            f"{episode_url}rettelse/",
            {
                "correct-home_municipality": "751",
                "correct-pension": "foertidspension",
                "correct-reason": "Bopælskommunen var registreret forkert",
            },
            follow=True,
        )
    assert "Rettelsen er registreret." in text_of(response)
    rent.refresh_from_db()
    assert rent.status == NotificationStatus.WITHDRAWN
    client.force_login(kbh)
    assert client.get(rent.get_absolute_url()).status_code == 404
    assert not persons_visible_to(kbh).filter(cpr=CPR).exists()
    inbox = text_of(client.get("/indbakke/"))
    assert "Bopælskommunen var registreret forkert" in inbox and LAST not in inbox
    aarhus_rent = Notification.objects.get(person__cpr=CPR, rule="admission.pension_rent", withdrawn_at=None)
    assert aarhus_rent.recipient_organisation.code == "751"
    assert persons_visible_to(aarhus).filter(cpr=CPR).exists()

    # 3. Udbetaling Danmark records its pension decision in the inbox.
    udk_notice = notices[("admission.pension_udk", "udbetaling-danmark")]
    client.force_login(udk)
    response = client.post(
        f"{udk_notice.get_absolute_url()}svar/",
        {"foertidspension-code": "stopped", "foertidspension-date": "2027-03-01", "text": "Pensionen er standset."},
        follow=True,
    )
    assert "Svaret er sendt til Kriminalforsorgen." in text_of(response)
    udk_notice.refresh_from_db()
    assert udk_notice.status == NotificationStatus.ANSWERED

    # 4. Released; Aarhus does not acknowledge the release in time: the escalation arrives by e-mail and webhook.
    released_at = ADMITTED + timedelta(days=7)
    with time_machine.travel(released_at, tick=False):
        client.force_login(worker)
        response = client.post(
            f"{episode_url}loesladelse/",
            {
                "release-released_at": "2027-03-08T09:00",
                "release-release_kind": "from_court",
                "release-address_after": "Vestergade 5, 8000 Aarhus C",
            },
            follow=True,
        )
        assert "Løsladelsen er registreret." in text_of(response)
        assert "Løsladelsen er ikke overdraget" in text_of(response)
    release = Notification.objects.get(person__cpr=CPR, rule="release.pension_rent", recipient_organisation__code="751")
    assert release.due_date == date(2027, 3, 10)
    mail.outbox.clear()
    with time_machine.travel(datetime(2027, 3, 11, 8, 0, tzinfo=TZ), tick=False):
        result = ns.deadline_sweep()
        delivery_services.deliveries_process(limit=500)
    assert result.escalated >= 1
    escalations = [m for m in mail.outbox if m.subject == "Frist overskredet for en underretning i Samarbejde"]
    assert "social@aarhus.example" in {address for m in escalations for address in m.to}
    for message in escalations:
        for secret_text in (CPR, FIRST, LAST, "Vestergade", "Ryesgade"):
            assert secret_text not in message.subject + message.body
    events = [r for r in receiver.requests if b"dk.samarbejde.notification.escalation" in r.body]
    assert events and all(r.verified for r in events)
    assert any(str(release.pk).encode() in r.body for r in events)
    for request in receiver.requests:  # thin events: ids, kinds, dates and codes only
        body = request.body.decode()
        assert CPR not in body and LAST not in body and "Br\\u00f8ndsted" not in body
