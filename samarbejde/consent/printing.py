"""The printable consent form (PDF) the client reads and signs: the scope filled in, in plain Danish.

Printed from the "Registrér samtykke" page with the scope chosen there (or the defaults: the home
municipality, the case files, housing and income, the first suggested purpose). Only core.pdf is used.
"""

from django.utils import timezone

from samarbejde.consent.categories import DataCategory
from samarbejde.consent.services import PURPOSES, default_expiry
from samarbejde.core.pdf import render_pdf

DEFAULT_CATEGORIES = (DataCategory.CASE_FILES, DataCategory.HOUSING, DataCategory.FINANCES)


def blank_form_context(
    person, *, recipients=(), categories=(), purpose: str = "", expires_on=None, fields=None
) -> dict:
    """`fields`: the printing user's people.fields.FieldView (KRFO_CASE: the full CPR the client signs under)."""
    labels = dict(DataCategory.choices)
    recipients = list(recipients) or ([person.home_municipality] if person.home_municipality_id else [])
    categories = [c for c in (categories or DEFAULT_CATEGORIES) if c in labels]
    today = timezone.localdate()
    return {
        "person": person,
        "recipients": recipients,
        "categories": [labels[c] for c in categories],
        "purpose": purpose or PURPOSES[0],
        "expires_on": expires_on or default_expiry(today),
        "today": today,
        "fields": fields,
    }


def blank_form_pdf(person, *, fields=None, **scope) -> bytes:
    if fields is None:
        from samarbejde.organisations.roles import Role
        from samarbejde.people.fields import Context, FieldView

        fields = FieldView(Role.KRFO_CASE_WORKER, Context.KRFO_CASE)  # the demo's printout (no request)
    return render_pdf("consent/blank_form_pdf.html", blank_form_context(person, fields=fields, **scope))
