"""Writes for inmate forms (prepare, move through the status life cycle, print) and for the public documents
on /dokumenter/ (create, change, upload a new version). Each is audited in the same transaction."""

import contextlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from samarbejde.audit.services import audit_record
from samarbejde.documents.access import may_maintain_public_documents, may_prepare_forms
from samarbejde.documents.models import (
    TRANSITIONS,
    FormKind,
    FormStatus,
    InmateForm,
    InmateFormStatusChange,
    PublicDocument,
    PublicDocumentVersion,
)
from samarbejde.documents.uploads import check_pdf
from samarbejde.organisations.access import active_membership
from samarbejde.people.access import persons_visible_to
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
    if not may_prepare_forms(acting_user) or not persons_visible_to(acting_user).filter(pk=person.pk).exists():
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
    from samarbejde.people.fields import Context, field_view

    # The form identifies the inmate (and the relative) to the authority it goes to: KRFO's case policy.
    pdf = render_inmate_form(form, fields=field_view(acting_user, Context.KRFO_CASE))
    audit_record(
        "documents.print", acting_user=acting_user, person=form.person, obj=form, purpose=form.get_kind_display()
    )
    return pdf


# --- Public documents ----------------------------------------------------------------------------------------

MSG_PUBLIC_NOT_ALLOWED = "Kun administratorer kan vedligeholde de offentlige dokumenter."
PUBLIC_PURPOSE = "Offentlige dokumenter på /dokumenter/"
PUBLIC_FIELDS = ("slug", "title", "description", "availability", "category", "sort_order", "published")


def _require_maintainer(acting_user) -> None:
    if not may_maintain_public_documents(acting_user):
        raise PermissionDenied(MSG_PUBLIC_NOT_ALLOWED)


@transaction.atomic
def public_document_create(
    *,
    slug: str,
    title: str,
    category: str,
    description: str = "",
    availability: str = "",
    sort_order: int = 0,
    published: bool = True,
    acting_user,
) -> PublicDocument:
    """A new title on /dokumenter/ (without content until a version is uploaded)."""
    _require_maintainer(acting_user)
    document = PublicDocument(
        slug=slug.strip(),
        title=title.strip(),
        category=category,
        description=description.strip(),
        availability=availability.strip(),
        sort_order=sort_order,
        published=published,
    )
    document.full_clean()
    document.save()
    audit_record(
        "documents.public_create",
        acting_user=acting_user,
        obj=document,
        purpose=PUBLIC_PURPOSE,
        details={"slug": document.slug},
    )
    return document


@transaction.atomic
def public_document_update(document: PublicDocument, *, acting_user, **changes) -> PublicDocument:
    """Change a document's fields (PUBLIC_FIELDS). Saving the same values again changes and records nothing."""
    _require_maintainer(acting_user)
    unknown = set(changes) - set(PUBLIC_FIELDS)
    if unknown:
        raise TypeError(f"Unknown fields: {sorted(unknown)}")
    locked = PublicDocument.objects.select_for_update().get(pk=document.pk)
    for name in ("slug", "title", "description", "availability"):
        if isinstance(changes.get(name), str):
            changes[name] = changes[name].strip()
    changed = sorted(name for name, value in changes.items() if getattr(locked, name) != value)
    if not changed:
        return locked
    for name in changed:
        setattr(locked, name, changes[name])
    locked.full_clean()
    locked.save(update_fields=[*changed, "updated_at"])
    audit_record(
        "documents.public_update",
        acting_user=acting_user,
        obj=locked,
        purpose=PUBLIC_PURPOSE,
        details={"slug": locked.slug, "fields": changed},
    )
    return locked


def public_document_upload(document: PublicDocument, *, file, note: str = "", acting_user) -> PublicDocumentVersion:
    """Publish `file` as the document's next version (1, 2, ...). Older versions stay as they are: each has its
    own stored file. A file that is not a PDF, empty or too large is refused (ValidationError, Danish) before
    anything is written; a failure after the file was written removes it again."""
    _require_maintainer(acting_user)
    checked = check_pdf(file)
    written: list[str] = []
    try:
        return _public_document_store(document, checked, note=note, acting_user=acting_user, written=written)
    except BaseException:
        for name in written:
            with contextlib.suppress(OSError):
                default_storage.delete(name)
        raise


@transaction.atomic
def _public_document_store(document, checked, *, note: str, acting_user, written: list[str]) -> PublicDocumentVersion:
    locked = PublicDocument.objects.select_for_update().get(pk=document.pk)  # one number per version
    number = (locked.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = PublicDocumentVersion(
        document=locked,
        number=number,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_at=timezone.now(),
        uploaded_by=acting_user,
        note=(note or "").strip()[:300],
    )
    checked.upload.seek(0)
    version.file.save("dokument.pdf", checked.upload, save=False)
    written.append(version.file.name)
    version.save()
    locked.save(update_fields=["updated_at"])
    audit_record(
        "documents.public_upload",
        acting_user=acting_user,
        obj=version,
        purpose=PUBLIC_PURPOSE,
        details={
            "document": str(locked.pk),
            "slug": locked.slug,
            "version": number,
            "size": checked.size,
            "sha256": checked.sha256,
        },
    )
    return version
