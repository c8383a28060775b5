"""The data-subject access report as files: CSV for Danish Excel and PDF (WeasyPrint, A4).

Rendering only: the view checks access, fetches the events (selectors) and records the audit event.
"""

import csv
import io
from datetime import datetime

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

from samarbejde.audit.models import AuditEvent
from samarbejde.people.models import Person

REPORT_TITLE = "Indsigtsrapport – logning af opslag"
CSV_HEADERS = [
    "Tidspunkt",
    "Bruger",
    "Organisation",
    "Rolle",
    "Handling",
    "Handlingskode",
    "Formål",
    "Objekt",
    "Korrelations-id",
]
# Cells starting with these are formulas in spreadsheet programs; prefix them so they stay text.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def local_time(value: datetime) -> str:
    return timezone.localtime(value).strftime("%d-%m-%Y %H:%M:%S")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_PREFIXES) else text


def _object(event: AuditEvent) -> str:
    return f"{event.object_type} {event.object_id}".strip()


def report_filename(person: Person, extension: str, generated_at: datetime) -> str:
    """No name or CPR in the file name: it ends up in download folders and proxy logs."""
    return f"indsigtsrapport-{timezone.localtime(generated_at):%Y%m%d-%H%M}.{extension}"


def subject_report_csv(person: Person, events: list[AuditEvent], *, generated_at: datetime) -> HttpResponse:
    """UTF-8 with BOM and `;` as separator, so Danish Excel opens it with the right columns and letters."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(CSV_HEADERS)
    for event in events:
        writer.writerow(
            [
                _cell(local_time(event.occurred_at)),
                _cell(event.actor_display),
                _cell(event.organisation_label),
                _cell(event.role_label),
                _cell(event.action_label),
                _cell(event.action),
                _cell(event.purpose),
                _cell(_object(event)),
                _cell(event.correlation_id),
            ]
        )
    response = HttpResponse(("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{report_filename(person, "csv", generated_at)}"'
    return response


def subject_report_pdf(person: Person, events: list[AuditEvent], *, generated_at: datetime, fields) -> HttpResponse:
    """An A4 PDF in Danish: title, the person's name and full CPR, when it was made, and the events."""
    from weasyprint import HTML  # imported here: loading WeasyPrint is slow and only this needs it

    html = render_to_string(
        "audit/subject_report_pdf.html",
        {
            "title": REPORT_TITLE,
            "person": person,
            "fields": fields,  # people.fields, Context.SUBJECT_REPORT
            "events": events,
            "generated_at": timezone.localtime(generated_at),
        },
    )
    # base_url is a local folder: the template's CSS is inline, and nothing is ever fetched over HTTP.
    base_url = str(settings.BASE_DIR / "samarbejde" / "static")
    pdf = HTML(string=html, base_url=base_url).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report_filename(person, "pdf", generated_at)}"'
    return response
