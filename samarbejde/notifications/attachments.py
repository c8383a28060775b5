"""Which files a municipality may attach to an answer (the case files, sagsakter), as data.

A file passes when its extension is allowed AND its first bytes (the "magic bytes") are those of that
type, it is not empty, not larger than ATTACHMENT_MAX_BYTES, and the answer has at most
ATTACHMENT_MAX_FILES files. The browser's content type is never trusted: the stored content type is the
one of the type the content proved to be. Nothing here writes: notifications.services stores what passes.
"""

import re
import unicodedata
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_FILES = 10
HEAD_BYTES = 8192
NAME_MAX = 200

ALLOWED_LABEL = "PDF, Word (DOCX), ODT, tekst, JPEG og PNG"
MSG_TYPE_NOT_ALLOWED = "Filtypen .%(extension)s er ikke tilladt. Tilladte typer: " + ALLOWED_LABEL + "."
MSG_NO_EXTENSION = "Filen %(name)s har ingen filtype. Tilladte typer: " + ALLOWED_LABEL + "."
MSG_CONTENT_MISMATCH = (
    "Filen %(name)s er ikke en gyldig %(label)s-fil: indholdet passer ikke til filtypen .%(extension)s."
)
MSG_TOO_LARGE = "Filen %(name)s er for stor (maks. %(max_mb)s MB)."
MSG_EMPTY = "Filen %(name)s er tom."
MSG_TOO_MANY = "Du kan højst vedhæfte %(max_files)d filer til et svar."
MSG_UNREADABLE = "Filen %(name)s kunne ikke læses. Prøv at vedhæfte den igen."


def max_bytes() -> int:
    return getattr(settings, "ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES)


def max_files() -> int:
    return getattr(settings, "ATTACHMENT_MAX_FILES", DEFAULT_MAX_FILES)


def max_mb_label() -> str:
    """The size limit in MB as people write it: '10', or '0,5'."""
    value = max_bytes() / (1024 * 1024)
    return f"{value:g}".replace(".", ",")


# --- content checks: (file-like positioned anywhere, first bytes) -> bool --------------------------------


def _starts_with(*signatures: bytes) -> Callable:
    return lambda upload, head: any(head.startswith(sig) for sig in signatures)


def _zip_names(upload) -> list[str] | None:
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return None
    finally:
        upload.seek(0)


def _is_docx(upload, head: bytes) -> bool:
    if not head.startswith(b"PK\x03\x04"):
        return False
    names = _zip_names(upload)
    return names is not None and "[Content_Types].xml" in names and "word/document.xml" in names


ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"


def _is_odt(upload, head: bytes) -> bool:
    # OpenDocument: a ZIP whose first entry is the uncompressed file "mimetype" with the type's name.
    if not head.startswith(b"PK\x03\x04") or head[30:38] != b"mimetype":
        return False
    if head[38 : 38 + len(ODT_MIMETYPE)] != ODT_MIMETYPE:
        return False
    return _zip_names(upload) is not None


_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")


def _is_text(upload, head: bytes) -> bool:
    """Plain text: no control bytes (an .exe has NULs from its first bytes on), UTF-8 or Windows-1252."""
    if head.startswith(b"MZ") or _CONTROL.search(head):
        return False
    try:
        head.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        if len(head) == HEAD_BYTES and exc.start >= len(head) - 3:  # a character cut by the 8 KB window
            return True
    try:
        head.decode("cp1252")
        return True
    except UnicodeDecodeError:
        return False


@dataclass(frozen=True)
class FileType:
    label: str
    extensions: tuple[str, ...]
    content_type: str
    matches: Callable


ALLOWED_TYPES: tuple[FileType, ...] = (
    FileType("PDF", ("pdf",), "application/pdf", _starts_with(b"%PDF-")),
    FileType(
        "Word (DOCX)",
        ("docx",),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _is_docx,
    ),
    FileType("ODT", ("odt",), "application/vnd.oasis.opendocument.text", _is_odt),
    FileType("tekst", ("txt",), "text/plain", _is_text),
    FileType("JPEG", ("jpg", "jpeg"), "image/jpeg", _starts_with(b"\xff\xd8\xff")),
    FileType("PNG", ("png",), "image/png", _starts_with(b"\x89PNG\r\n\x1a\n")),
)
TYPE_BY_EXTENSION = {ext: file_type for file_type in ALLOWED_TYPES for ext in file_type.extensions}
ACCEPT = ",".join(f".{ext}" for ext in TYPE_BY_EXTENSION)  # the file input's accept attribute


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed: the file, the name to show and download as, the proven content type, the size."""

    upload: object
    original_name: str
    extension: str
    content_type: str
    size: int


def clean_name(raw: str | None) -> str:
    """The file's own name without any path, control characters or surrounding spaces, at most 200 characters
    (the extension kept)."""
    name = PurePosixPath(str(raw or "").replace("\\", "/")).name
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".")
    if len(name) > NAME_MAX:
        stem, dot, ext = name.rpartition(".")
        name = f"{stem[: NAME_MAX - len(ext) - 1]}.{ext}" if dot and len(ext) <= 10 else name[:NAME_MAX]
    return name or "fil"


def extension_of(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


def check_file(upload) -> CheckedFile:
    """One file, or ValidationError with the Danish message saying what is wrong with it."""
    name = clean_name(getattr(upload, "name", ""))
    extension = extension_of(name)
    if not extension:
        raise ValidationError(MSG_NO_EXTENSION, code="no_extension", params={"name": name})
    file_type = TYPE_BY_EXTENSION.get(extension)
    if file_type is None:
        raise ValidationError(MSG_TYPE_NOT_ALLOWED, code="type_not_allowed", params={"extension": extension})
    size = getattr(upload, "size", None)
    if size is None:
        raise ValidationError(MSG_UNREADABLE, code="unreadable", params={"name": name})
    if size > max_bytes():
        raise ValidationError(MSG_TOO_LARGE, code="too_large", params={"name": name, "max_mb": max_mb_label()})
    if size == 0:
        raise ValidationError(MSG_EMPTY, code="empty", params={"name": name})
    try:
        upload.seek(0)
        head = upload.read(HEAD_BYTES)
        upload.seek(0)
        matches = file_type.matches(upload, head)
    except (OSError, ValueError):
        raise ValidationError(MSG_UNREADABLE, code="unreadable", params={"name": name}) from None
    if not matches:
        raise ValidationError(
            MSG_CONTENT_MISMATCH,
            code="content_mismatch",
            params={"name": name, "label": file_type.label, "extension": extension},
        )
    return CheckedFile(upload, name, extension, file_type.content_type, size)


def check_files(uploads: Sequence) -> list[CheckedFile]:
    """Every file, or one ValidationError listing every problem (keyed "files", the form's field)."""
    uploads = [upload for upload in uploads or () if upload is not None]
    if len(uploads) > max_files():
        raise ValidationError(
            {"files": ValidationError(MSG_TOO_MANY, code="too_many", params={"max_files": max_files()})}
        )
    checked, errors = [], []
    for upload in uploads:
        try:
            checked.append(check_file(upload))
        except ValidationError as exc:
            errors.append(exc)
    if errors:
        raise ValidationError({"files": errors})
    return checked
