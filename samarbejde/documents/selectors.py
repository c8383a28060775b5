"""Reads of the public documents (/dokumenter/): open to everyone, never any personal data."""

from django.db.models import Prefetch

from samarbejde.documents.access import public_documents_visible
from samarbejde.documents.models import CATEGORY_ORDER, PublicDocument, PublicDocumentCategory, PublicDocumentVersion


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
