"""Writes for inmate forms: prepare, move through the status life cycle, print. Each is audited."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from samarbejde.audit.services import audit_record
from samarbejde.documents.access import may_prepare_forms
from samarbejde.documents.models import TRANSITIONS, FormKind, FormStatus, InmateForm, InmateFormStatusChange
from samarbejde.organisations.access import active_membership
from samarbejde.people.cpr import normalize_cpr

MSG_NOT_ALLOWED = "Kun Kriminalforsorgens medarbejdere kan udfylde blanketter til indsatte."
MSG_RELATIVE_REQUIRED = "Skriv den pårørendes navn og CPR-nummer."
MSG_BAD_TRANSITION = "Blanketten kan ikke gå fra %(current)s til %(wanted)s."


@transaction.atomic
def inmate_form_prepare(
    person,
    *,
    kind: str,
    episode=None,
    reason: str = "",
    relative_name: str = "",
    relative_cpr: str = "",
    relative_relation: str = "",
    acting_user,
) -> InmateForm:
    if not may_prepare_forms(acting_user):
        raise PermissionDenied(MSG_NOT_ALLOWED)
    if kind not in FormKind.values:
        raise ValidationError("Vælg en blanket.")
    if kind == FormKind.RELATIVE_READ_ACCESS:
        if not relative_name.strip() or not relative_cpr.strip():
            raise ValidationError(MSG_RELATIVE_REQUIRED, code="relative_required")
        relative_cpr = normalize_cpr(relative_cpr)
    else:
        relative_name = relative_cpr = relative_relation = ""
    membership = active_membership(acting_user)
    form = InmateForm(
        kind=kind,
        person=person,
        episode=episode,
        home_municipality=person.home_municipality,
        reason=reason.strip(),
        relative_name=relative_name.strip(),
        relative_cpr=relative_cpr,
        relative_relation=relative_relation.strip(),
        prepared_by=acting_user,
        prepared_by_organisation=membership.organisation,
    )
    form.full_clean()
    form.save()
    InmateFormStatusChange.objects.create(form=form, status=FormStatus.PREPARED, changed_by=acting_user)
    audit_record("documents.prepare", acting_user=acting_user, person=person, obj=form, purpose=form.get_kind_display())
    return form


@transaction.atomic
def inmate_form_set_status(form: InmateForm, *, status: str, note: str = "", acting_user) -> InmateForm:
    """Move a form one step (prepared -> signed -> sent -> granted/refused). Repeating the current status
    is harmless: a double click changes nothing."""
    if not may_prepare_forms(acting_user):
        raise PermissionDenied(MSG_NOT_ALLOWED)
    locked = InmateForm.objects.select_for_update().get(pk=form.pk)
    if locked.status == status:
        return locked
    if status not in TRANSITIONS.get(locked.status, frozenset()):
        raise ValidationError(
            MSG_BAD_TRANSITION,
            code="bad_transition",
            params={
                "current": locked.get_status_display().lower(),
                "wanted": dict(FormStatus.choices).get(status, status).lower(),
            },
        )
    locked.status = status
    locked.save(update_fields=["status", "updated_at"])
    InmateFormStatusChange.objects.create(form=locked, status=status, note=note.strip()[:500], changed_by=acting_user)
    audit_record(
        "documents.status",
        acting_user=acting_user,
        person=locked.person,
        obj=locked,
        purpose=f"{locked.get_kind_display()}: {locked.get_status_display()}",
    )
    return locked


def inmate_form_print(form: InmateForm, *, acting_user) -> bytes:
    """Render the prefilled form as a Danish A4 PDF; printing it is a read of personal data (audited)."""
    from samarbejde.documents.pdf import render_inmate_form

    pdf = render_inmate_form(form)
    audit_record(
        "documents.print", acting_user=acting_user, person=form.person, obj=form, purpose=form.get_kind_display()
    )
    return pdf
