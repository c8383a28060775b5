"""Which files an administrator may publish as a public document: PDF only.

A file passes when its name ends in .pdf AND its first bytes are the PDF header `%PDF-` (a renamed .exe or
Word file does not), it is not empty and not larger than PUBLIC_DOCUMENT_MAX_BYTES. The browser's content
type is never trusted. Nothing here writes: documents.services.public_document_upload stores what passes.
"""

import hashlib
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
PDF_MAGIC = b"%PDF-"
NAME_MAX = 200

MSG_REQUIRED = "Vælg en PDF-fil."
MSG_NOT_PDF = "Filen %(name)s er ikke en PDF-fil. Kun PDF-filer (.pdf) kan offentliggøres."
MSG_NOT_PDF_CONTENT = (
    "Filen %(name)s er ikke en gyldig PDF-fil: indholdet er ikke en PDF, selv om navnet ender på .pdf. "
    "Gem dokumentet som PDF, og prøv igen."
)
MSG_EMPTY = "Filen %(name)s er tom."
MSG_TOO_LARGE = "Filen %(name)s er for stor (%(size)s). Den må højst være %(max_size)s."
MSG_UNREADABLE = "Filen %(name)s kunne ikke læses. Prøv at vælge den igen."


def max_bytes() -> int:
    return getattr(settings, "PUBLIC_DOCUMENT_MAX_BYTES", DEFAULT_MAX_BYTES)


def size_label(size: int) -> str:
    """A size as the pages show it, in the current language: '20,0 MB', '120,6 KB'."""
    return filesizeformat(size)


def clean_name(raw: str | None) -> str:
    """The file's own name for messages: no path, no control characters, at most 200 characters."""
    name = PurePosixPath(str(raw or "").replace("\\", "/")).name
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    return name[:NAME_MAX] or "fil"


@dataclass(frozen=True)
class CheckedPdf:
    """An upload that passed, with its size and SHA-256 (hex)."""

    upload: object
    size: int
    sha256: str


def check_pdf(upload) -> CheckedPdf:
    """The upload as a CheckedPdf, or ValidationError with the Danish message saying what is wrong."""
    if upload is None:
        raise ValidationError(MSG_REQUIRED, code="required")
    name = clean_name(getattr(upload, "name", ""))
    if not name.lower().endswith(".pdf") or name.lower() == ".pdf":
        raise ValidationError(MSG_NOT_PDF, code="not_pdf", params={"name": name})
    size = getattr(upload, "size", None)
    if size is None:
        raise ValidationError(MSG_UNREADABLE, code="unreadable", params={"name": name})
    if size == 0:
        raise ValidationError(MSG_EMPTY, code="empty", params={"name": name})
    if size > max_bytes():
        raise ValidationError(
            MSG_TOO_LARGE,
            code="too_large",
            params={"name": name, "size": size_label(size), "max_size": size_label(max_bytes())},
        )
    digest = hashlib.sha256()
    try:
        upload.seek(0)
        head = upload.read(len(PDF_MAGIC))
        upload.seek(0)
        if head != PDF_MAGIC:
            raise ValidationError(MSG_NOT_PDF_CONTENT, code="not_pdf_content", params={"name": name})
        for chunk in upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(65536), b""):
            digest.update(chunk)
        upload.seek(0)
    except (OSError, ValueError):
        raise ValidationError(MSG_UNREADABLE, code="unreadable", params={"name": name}) from None
    return CheckedPdf(upload, size, digest.hexdigest())
