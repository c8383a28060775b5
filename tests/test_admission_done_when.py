"""Issue 3's "Done when", as one integration test through the services and the pages.

KRFO admits a pensioner who receives kontanthjælp; three notices (benefits, UDK pension, municipal pension)
go out with their legal bases; København answers; KRFO releases with an address; the audit trail holds every
step; a second municipality cannot find the person or the notice.
"""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from samarbejde.audit.models import AuditEvent
from samarbejde.custody.services import episode_admit, episode_release
from samarbejde.notifications.models import Notification, NotificationKind
from samarbejde.notifications.services import notification_answer
from samarbejde.organisations.models import Organisation
from samarbejde.organisations.roles import Role
from samarbejde.organisations.tests.factories import user_with_role
from samarbejde.people.services import person_register

pytestmark = pytest.mark.django_db


def test_admission_to_release_end_to_end(client):
    krfo = user_with_role(Role.KRFO_CASE_WORKER, "krfo-koebenhavns-faengsler")
    kbh = user_with_role(Role.MUNICIPAL_CASE_WORKER, "101")
    aarhus = user_with_role(Role.MUNICIPAL_CASE_WORKER, "751")
    person = person_register(
        cpr="010145-1234",
        first_name="Poul",
        last_name="Pensionist",
        home_municipality=Organisation.objects.get(code="101"),
        pension="folkepension",
        benefits=["kontanthjaelp"],
        acting_user=krfo,
    )
    # A short expected stay (under 3 months): no CPR-register notice, so exactly three notices.
    outcome = episode_admit(
        person,
        institution=Organisation.objects.get(code="krfo-koebenhavns-faengsler"),
        custody_type="remand",
        admitted_at=timezone.now() - timedelta(hours=1),
        expected_release=date.today() + timedelta(days=30),
        certainty="estimated",
        acting_user=krfo,
    )
    notices = outcome.notifications
    assert len(notices) == 3
    kinds = sorted((n.recipient_organisation.code, n.kind) for n in notices)
    assert kinds == sorted(
        [
            ("101", NotificationKind.BENEFITS_DECISION_REQUEST),
            ("101", NotificationKind.PENSION_NOTICE),
            ("udbetaling-danmark", NotificationKind.PENSION_NOTICE),
        ]
    )
    assert all(n.legal_basis_id for n in notices)

    benefits_notice = next(n for n in notices if n.kind == NotificationKind.BENEFITS_DECISION_REQUEST)
    client.force_login(kbh)
    assert client.get(reverse("notifications:detail", args=[benefits_notice.pk])).status_code == 200
    kbh.active_membership = kbh.memberships.get()
    notification_answer(
        benefits_notice,
        decisions={"kontanthjaelp": {"code": "stopped", "text": "", "effective_date": date.today()}},
        text="Kontanthjælp standset.",
        acting_user=kbh,
    )

    # A second municipality finds neither the notice nor the person.
    client.force_login(aarhus)
    assert client.get(reverse("notifications:detail", args=[benefits_notice.pk])).status_code == 404
    assert client.get(reverse("custody:episode_detail", args=[outcome.episode.pk])).status_code in (403, 404)

    release = episode_release(
        outcome.episode,
        released_at=timezone.now(),
        release_kind="from_court",
        address_after="Nørregade 1, 1165 København K",
        acting_user=krfo,
    )
    assert {n.recipient_organisation.code for n in release.notifications} == {"101", "udbetaling-danmark"}
    assert Notification.objects.filter(person=person).count() == 3 + len(release.notifications)

    steps = set(AuditEvent.objects.filter(person=person).values_list("action", flat=True))
    assert {
        "people.create",
        "custody.admit",
        "notifications.create",
        "notifications.read",
        "notifications.answer",
        "custody.release",
    } <= steps
