"""E-mail alert to the addressee's mailbox (Django MAILERS, the default mailer).

The mail says only that something waits: a new notice, a reminder, an escalation or a withdrawal, the notice's
kind, due date and a link. Never the person's name, CPR or address: the recipient logs in to read the notice.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import formats

from .base import SendResult

SUBJECT = "Ny underretning i Samarbejde"
SUBJECTS = {
    "reminder": "Påmindelse: en frist i Samarbejde nærmer sig",
    "escalation": "Frist overskredet for en underretning i Samarbejde",
    "withdrawal": "En underretning i Samarbejde er trukket tilbage",
}
OPENINGS = {
    None: "Der er en ny underretning til jer i Samarbejde.",
    "reminder": "Fristen for en underretning til jer i Samarbejde nærmer sig, og den er ikke afsluttet endnu.",
    "escalation": (
        "Fristen for en underretning i Samarbejde er overskredet, og modtageren har ikke kvitteret for eller "
        "besvaret den. I får besked, fordi I har sendt eller skal følge op på den."
    ),
    "withdrawal": (
        "Kriminalforsorgen har trukket en underretning til jer tilbage. I kan ikke længere se personen i "
        "Samarbejde; begrundelsen står i indbakken."
    ),
}


def mailbox_for(notification, message=None) -> str:
    """Where the mail goes: a follow-up addressed to a person, their address; else the functional mailbox of
    the unit, else of the organisation; '' when none."""
    if message is not None:
        if message.recipient_user_id is not None:
            return message.recipient_user.email or ""
        department = message.recipient_department
        if department is not None and department.email:
            return department.email
        return message.recipient_organisation.email or ""
    department = notification.recipient_department
    if department is not None and department.email:
        return department.email
    return notification.recipient_organisation.email or ""


def body_for(notification, message=None) -> str:
    site = getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/")
    kind = message.kind if message is not None else None
    due = formats.date_format(notification.due_date, "DATE_FORMAT") if notification.due_date else "ingen frist"
    if kind == "withdrawal":
        link_text, link = "Se jeres indbakke her (log ind først)", reverse("notifications:inbox")
    else:
        link_text, link = "Læs underretningen her (log ind først)", notification.get_absolute_url()
    return (
        f"{OPENINGS.get(kind, OPENINGS[None])}\n\n"
        f"Type: {notification.get_kind_display()}\n"
        f"Frist: {due}\n\n"
        f"{link_text}:\n{site}{link}\n\n"
        "Denne e-mail indeholder ingen personoplysninger. Svar ikke på den.\n"
        "Venlig hilsen\nSamarbejde - Kriminalforsorgen og kommunerne\n"
    )


def send(delivery) -> SendResult:
    notification = delivery.notification
    message = delivery.message if delivery.message_id else None
    mailbox = mailbox_for(notification, message)
    if not mailbox:
        return SendResult(ok=False, error="NoMailbox")
    email = EmailMessage(
        subject=SUBJECTS.get(message.kind, SUBJECT) if message is not None else SUBJECT,
        body=body_for(notification, message),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[mailbox],
        headers={"X-Samarbejde-Delivery": delivery.idempotency_key},
    )
    email.send()
    return SendResult(ok=True)
