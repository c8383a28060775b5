"""The data-subject access report: every event about one person, as a page, CSV and PDF; itself audited."""

import csv
import io
import uuid
from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from samarbejde.audit.models import AuditEvent
from samarbejde.audit.reports import CSV_HEADERS, REPORT_TITLE
from samarbejde.audit.tests.factories import audit_event
from samarbejde.audit.views import PAGE_SIZE, PURPOSE_REPORT
from samarbejde.organisations.roles import Role
from samarbejde.people.fields import Context, FieldView

pytestmark = pytest.mark.django_db


def local(year, month, day, hour=12):
    return timezone.make_aware(datetime(year, month, day, hour, 0), timezone.get_current_timezone())


@pytest.fixture
def events(krfo_user, municipal_user, person, other_person):
    return {
        "krfo_view": audit_event(
            "people.view", actor=krfo_user, person=person, occurred_at=local(2026, 3, 1), purpose="Visitation"
        ),
        "kbh_view": audit_event(
            "people.view", actor=municipal_user, person=person, occurred_at=local(2026, 3, 10), purpose="Løsladelse"
        ),
        "formula": audit_event("people.update", actor=krfo_user, person=person, purpose="=HYPERLINK(1)"),
        "other": audit_event("people.view", actor=krfo_user, person=other_person, purpose="Andet formål"),
    }


def report_url(person, report_format=""):
    url = reverse("audit:subject_report", args=[person.pk])
    return f"{url}?format={report_format}" if report_format else url


def test_page_shows_every_event_about_the_person_and_only_those(admin_client, events, person):
    response = admin_client.get(report_url(person))
    assert response.status_code == 200
    assert {e.pk for e in response.context["events"]} == {
        events["krfo_view"].pk,
        events["kbh_view"].pk,
        events["formula"].pk,
    }
    text = response.text
    for expected in (
        REPORT_TITLE,
        "Jens Jensen",
        "010190-1234",
        "1. marts 2026 kl. 12.00.00",
        "Karin Kofoed (karin.krfo)",
        "Københavns Fængsler",
        "Københavns Kommune",
        "Opslag på person",
        "Visitation",
    ):
        assert expected in text, expected
    assert "Andet formål" not in text
    assert "?format=csv" in text and "?format=pdf" in text
    assert "style=" not in text


def test_back_to_the_search_names_the_person_by_id_not_by_cpr(admin_client, events, person):
    """ADR 0010: a `?cpr=` link would be refused (400); the search takes `?person=<id>` (and shows the
    person's CPR number masked there, ADR 0011)."""
    text = admin_client.get(report_url(person)).text
    assert f"/revision/?person={person.pk}" in text and "?cpr=" not in text
    search = admin_client.get(f"/revision/?person={person.pk}")
    assert search.status_code == 200
    assert "010190-xxxx" in search.text and "010190-1234" not in search.text


def test_missing_person_is_404(admin_client):
    assert admin_client.get(reverse("audit:subject_report", args=[uuid.uuid4()])).status_code == 404
    assert not AuditEvent.objects.filter(action="audit.subject_report").exists()


def test_not_a_uuid_is_404(admin_client):
    assert admin_client.get("/revision/person/123/").status_code == 404


def test_unknown_format_falls_back_to_the_page(admin_client, events, person):
    response = admin_client.get(report_url(person, "xml"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("report_format", ["html", "csv", "pdf"])
def test_generating_a_report_is_audited(admin_client, admin_user, events, person, report_format):
    response = admin_client.get(report_url(person, report_format))
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="audit.subject_report")
    assert event.actor == admin_user
    assert event.person == person
    assert event.object_type == "people.person" and event.object_id == str(person.pk)
    assert event.purpose == PURPOSE_REPORT
    assert event.details == {"format": report_format, "events": 3}
    assert str(event.correlation_id) == response["X-Correlation-ID"]


def test_csv_is_utf8_with_bom_semicolons_and_danish_headers(admin_client, events, person):
    response = admin_client.get(report_url(person, "csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="indsigtsrapport-')
    assert "0101901234" not in response["Content-Disposition"]
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == CSV_HEADERS
    assert rows[0][:5] == ["Tidspunkt", "Bruger", "Organisation", "Rolle", "Handling"]
    body = rows[1:]
    assert len(body) == 3
    by_purpose = {row[6]: row for row in body}
    krfo = by_purpose["Visitation"]
    assert krfo[0] == "01-03-2026 12:00:00"
    assert krfo[1] == "Karin Kofoed (karin.krfo)"
    assert krfo[2] == "Københavns Fængsler"
    assert krfo[3] == "Sagsbehandler, Kriminalforsorgen"
    assert krfo[4] == "Opslag på person"
    assert krfo[5] == "people.view"
    assert krfo[8] == str(events["krfo_view"].correlation_id)
    assert by_purpose["Løsladelse"][2] == "Københavns Kommune"
    # A purpose that looks like a spreadsheet formula stays text.
    assert "'=HYPERLINK(1)" in by_purpose
    assert "Andet formål" not in raw.decode("utf-8-sig")


def test_csv_of_a_person_without_events_has_the_headers_only(admin_client, other_person):
    response = admin_client.get(report_url(other_person, "csv"))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows == [CSV_HEADERS]


def test_pdf_is_a_pdf_download(admin_client, events, person):
    response = admin_client.get(report_url(person, "pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="indsigtsrapport-')
    assert response.content.startswith(b"%PDF")
    assert len(response.content) > 1000


def test_pdf_template_has_title_name_full_cpr_time_and_events(events, person):
    """The HTML WeasyPrint renders (the PDF's text is compressed, so the template is checked)."""
    from django.template.loader import render_to_string

    from samarbejde.audit.selectors import with_labels

    html = render_to_string(
        "audit/subject_report_pdf.html",
        {
            "title": REPORT_TITLE,
            "person": person,
            "fields": FieldView(role=Role.ADMINISTRATOR, context=Context.SUBJECT_REPORT),
            "events": with_labels(AuditEvent.objects.filter(person=person).select_related("actor")),
            "generated_at": local(2026, 6, 1, 9),
        },
    )
    assert '<html lang="da">' in html
    assert "size: A4" in html
    for expected in (
        "Indsigtsrapport – logning af opslag",
        "Jens Jensen",
        "010190-1234",
        "1. juni 2026 kl. 09.00",
        "Visitation",
        "Karin Kofoed",
    ):
        assert expected in html, expected


def test_report_page_is_paginated_and_its_query_count_does_not_grow(
    admin_client, django_assert_num_queries, krfo_user, person
):
    audit_event("people.view", actor=krfo_user, person=person)
    # session, user, memberships, person, count, page, audit insert
    with django_assert_num_queries(7):
        assert admin_client.get(report_url(person)).status_code == 200
    for _ in range(PAGE_SIZE + 3):
        audit_event("people.view", actor=krfo_user, person=person)
    with django_assert_num_queries(7):
        response = admin_client.get(report_url(person))
    assert len(response.context["events"]) == PAGE_SIZE
    assert "Næste side" in response.text


def test_csv_query_count_does_not_grow_with_events(admin_client, django_assert_num_queries, krfo_user, person):
    for _ in range(3):
        audit_event("people.view", actor=krfo_user, person=person)
    # session, user, memberships, person, events, audit insert
    with django_assert_num_queries(6):
        admin_client.get(report_url(person, "csv"))
    for _ in range(30):
        audit_event("people.view", actor=krfo_user, person=person)
    with django_assert_num_queries(6):
        admin_client.get(report_url(person, "csv"))
