"""Demo PDFs for `make run`: every published public document without a version gets a small generated PDF,
marked "Demodokument", so that every title on /dokumenter/ opens in the demo. Idempotent: a title that has a
version (a demo one or a real upload) is left alone. Never run in production (load_demo_data refuses there).
"""

from django.core.files.base import ContentFile

from samarbejde.documents.models import PublicDocument
from samarbejde.documents.pdf import render_demo_public_document
from samarbejde.documents.services import public_document_upload
from samarbejde.organisations.models import Membership
from samarbejde.organisations.roles import Role

DEMO_NOTE = "Demodokument dannet af load_demo_data (make run)"


def _demo_administrator():
    """The demo administrator (demo.data's `admin`), working as administrator, or None when not loaded."""
    membership = (
        Membership.objects.active()
        .filter(role=Role.ADMINISTRATOR, user__username="admin")
        .select_related("user", "organisation")
        .first()
    )
    if membership is None:
        return None
    user = membership.user
    user.active_membership = membership
    return user


def load_demo_public_documents(*, acting_user=None) -> int:
    """Upload a demo PDF for each published document without a version; returns how many were uploaded."""
    acting_user = acting_user or _demo_administrator()
    if acting_user is None:
        return 0
    uploaded = 0
    for document in PublicDocument.objects.filter(published=True, versions__isnull=True).order_by("sort_order"):
        pdf = ContentFile(render_demo_public_document(document), name=f"{document.slug}.pdf")
        public_document_upload(document, file=pdf, note=DEMO_NOTE, acting_user=acting_user)
        uploaded += 1
    return uploaded
