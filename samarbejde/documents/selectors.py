"""Reads of documents: the public documents (/dokumenter/, open to everyone, never any personal data) and the
forms for inmates (KRFO only, from documents.access.inmate_forms_visible_to)."""

from django.db.models import Prefetch

from samarbejde.documents.access import inmate_forms_visible_to, public_documents_visible
from samarbejde.documents.models import (
    CATEGORY_ORDER,
    InmateForm,
    PublicDocument,
    PublicDocumentCategory,
    PublicDocumentVersion,
)
from samarbejde.organisations.access import active_membership


def public_documents_listed() -> list[PublicDocument]:
    """The published documents in page order (category, sort order, title), in two queries. Each gets `latest`
    (its newest version, or None: not yet published) and `older` (the other versions, newest first)."""
    newest_first = PublicDocumentVersion.objects.order_by("-number")
    documents = list(public_documents_visible().prefetch_related(Prefetch("versions", queryset=newest_first)))
    for document in documents:
        versions = list(document.versions.all())
        document.latest = versions[0] if versions else None
        document.older = versions[1:]
    documents.sort(key=lambda d: (CATEGORY_ORDER.get(d.category, len(CATEGORY_ORDER)), d.sort_order, d.title))
    return documents


def public_documents_by_category() -> list[tuple[str, list[PublicDocument]]]:
    """(category label, documents) for every category that has a published document, in page order."""
    labels = dict(PublicDocumentCategory.choices)
    groups: dict[str, list[PublicDocument]] = {}
    for document in public_documents_listed():
        groups.setdefault(document.category, []).append(document)
    return [(labels.get(category, category), documents) for category, documents in groups.items()]


def public_document_version(slug: str, number: int | None = None) -> PublicDocumentVersion | None:
    """A published document's version `number`, or its newest when None; None when there is none."""
    versions = PublicDocumentVersion.objects.filter(
        document__in=public_documents_visible(), document__slug=slug
    ).select_related("document")
    if number is None:
        return versions.order_by("-number").first()
    return versions.filter(number=number).first()


# --- Forms for inmates ----------------------------------------------------------------------------------------

RECENT_FORMS_LIMIT = 20


def inmate_forms_recent_for_organisation(user, *, limit: int = RECENT_FORMS_LIMIT) -> list[InmateForm]:
    """The forms most recently prepared by the user's organisation (newest first), with person and preparer,
    in one query. Showing them is a read of each person: the caller audits it."""
    membership = active_membership(user)
    if membership is None:
        return []
    return list(
        inmate_forms_visible_to(user)
        .filter(prepared_by_organisation=membership.organisation)
        .order_by("-created_at", "-id")[:limit]
    )
