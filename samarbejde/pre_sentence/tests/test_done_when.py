"""Issue 11, "done when" for § 808, through the pages only: a KiF user opens an investigation and sends a request;
København answers in its inbox with a file; the court report (PDF) includes the answer and lists the file."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from samarbejde.notifications.models import Notification
from samarbejde.organisations.roles import Role
from samarbejde.organisations.tests.factories import user_with_role
from samarbejde.pre_sentence import views
from samarbejde.pre_sentence.models import Investigation
from samarbejde.pre_sentence.tests.factories import kif_officer

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_a_request_answered_with_a_file_in_the_inbox_is_in_the_court_report(client, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    officer, coordinator = kif_officer(), user_with_role(Role.MUNICIPAL_COORDINATOR, "101")
    today = timezone.localdate()

    client.force_login(officer)
    client.post(
        reverse("pre_sentence:investigation_create"),
        {
            "cpr": "010150-1234",
            "first_name": "Rune",
            "last_name": "Rapport",
            "home_municipality": "101",
            "court": "Københavns Byret",
            "hearing_date": (today + timedelta(days=20)).isoformat(),
        },
    )
    investigation = Investigation.objects.get()
    client.post(
        reverse("pre_sentence:request_send", kwargs={"pk": investigation.pk}),
        {
            "to_home": "on",
            "questions": "Bolig og forsørgelse?",
            "basis": "retsplejeloven:808",
            "answer_due": (today + timedelta(days=10)).isoformat(),
        },
    )
    notice = Notification.objects.get(thread_id=investigation.pk)

    client.force_login(coordinator)
    response = client.post(
        reverse("notifications:answer", kwargs={"pk": notice.pk}),
        {"text": "Lejebolig, kontanthjælp.", "files": [SimpleUploadedFile("bolig.pdf", PDF, "application/pdf")]},
    )
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.answered_at is not None

    rendered = {}

    def capture(template, context):
        rendered["html"] = render_to_string(template, context)
        return b"%PDF-1.7 test"

    monkeypatch.setattr(views, "render_pdf", capture)
    client.force_login(officer)
    report = client.get(reverse("pre_sentence:investigation_report", kwargs={"pk": investigation.pk}))
    assert report.status_code == 200 and report["Content-Type"] == "application/pdf"
    assert "Lejebolig, kontanthjælp." in rendered["html"] and "bolig.pdf" in rendered["html"]
    assert "Rune Rapport" in rendered["html"] and "Københavns Byret" in rendered["html"]
