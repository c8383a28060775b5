"""The demo consents (samarbejde.demo.consent): a live one the case-files request rests on, an expired one, a
revoked one (Odense told), one override; idempotent with the rest of the demo."""

import pytest

from samarbejde.consent.models import Consent, ConsentOverride
from samarbejde.consent.views import status_of
from samarbejde.demo.data import DEMO_PERSONS, load_demo_cases, load_demo_users
from samarbejde.notifications.models import Notification, NotificationKind

pytestmark = pytest.mark.django_db


def test_demo_consents(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    load_demo_users()
    load_demo_cases()
    by_person = {c.person.cpr: c for c in Consent.objects.select_related("person")}
    assert status_of(by_person[DEMO_PERSONS["remanded"].cpr])[0] == "Gyldigt"
    assert status_of(by_person[DEMO_PERSONS["overdue"].cpr])[0] == "Udløbet"
    revoked = by_person[DEMO_PERSONS["transferred"].cpr]
    assert status_of(revoked)[0] == "Tilbagekaldt" and revoked.signed_form
    [told] = Notification.objects.filter(kind=NotificationKind.CONSENT_REVOKED_NOTICE)
    assert told.recipient_organisation.code == "461"
    assert Notification.objects.filter(
        kind=NotificationKind.CASE_FILES_REQUEST, person__cpr=DEMO_PERSONS["remanded"].cpr
    ).exists()
    assert ConsentOverride.objects.count() == 1
    load_demo_cases()
    assert Consent.objects.count() == 3 and ConsentOverride.objects.count() == 1
