"""The § 808 demo data (issue 11, point 7): a pending request to København, one answered with a file, one closed."""

import pytest

from samarbejde.demo.data import load_demo_cases, load_demo_users
from samarbejde.demo.pre_sentence import DEMO_INVESTIGATIONS, load_demo_pre_sentence
from samarbejde.notifications.models import Notification, NotificationAttachment
from samarbejde.pre_sentence.models import Investigation, InvestigationStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _notice(key):
    investigation = Investigation.objects.get(person__cpr=DEMO_INVESTIGATIONS[key].cpr)
    return investigation, Notification.objects.get(thread_id=investigation.pk)


def test_the_demo_has_a_pending_an_answered_and_a_closed_investigation_and_loads_once(media):
    load_demo_users()
    load_demo_cases()  # calls load_demo_pre_sentence
    investigation, pending = _notice("pending")
    assert investigation.is_open and pending.answered_at is None and pending.withdrawn_at is None
    assert pending.recipient_organisation.code == "101" and pending.due_date < investigation.hearing_date
    investigation, answered = _notice("answered")
    assert answered.answered_at is not None
    assert NotificationAttachment.objects.filter(notification=answered).count() == 1
    investigation, closed = _notice("closed")
    assert investigation.status == InvestigationStatus.CLOSED and closed.answered_at is not None
    assert load_demo_pre_sentence() == 0
    assert Investigation.objects.count() == 3
