"""E-mail alert to the recipient's functional mailbox (Django MAILERS, the default mailer).

The mail says only that a notice waits: its kind, due date and a link. Never the person's name, CPR
or address: the recipient logs in to read the notice.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import formats

from .base import SendResult

SUBJECT = "Ny underretning i Samarbejde"


def mailbox_for(notification) -> str:
    """The functional mailbox of the recipient department, else of the organisation; '' when none."""
    department = notification.recipient_department
    if department is not None and department.email:
        return department.email
    return notification.recipient_organisation.email or ""


def body_for(notification) -> str:
    site = getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/")
    due = formats.date_format(notification.due_date, "j. F Y") if notification.due_date else "ingen frist"
    return (
        "Der er en ny underretning til jer i Samarbejde.\n\n"
        f"Type: {notification.get_kind_display()}\n"
        f"Frist: {due}\n\n"
        f"Læs underretningen her (log ind først):\n{site}{notification.get_absolute_url()}\n\n"
        "Denne e-mail indeholder ingen personoplysninger. Svar ikke på den.\n"
        "Venlig hilsen\nSamarbejde - Kriminalforsorgen og kommunerne\n"
    )


def send(delivery) -> SendResult:
    notification = delivery.notification
    mailbox = mailbox_for(notification)
    if not mailbox:
        return SendResult(ok=False, error="NoMailbox")
    message = EmailMessage(
        subject=SUBJECT,
        body=body_for(notification),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[mailbox],
        headers={"X-Samarbejde-Delivery": delivery.idempotency_key},
    )
    message.send()
    return SendResult(ok=True)
