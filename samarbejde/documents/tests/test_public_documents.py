"""Public documents (/dokumenter/): administrator-uploaded, versioned PDFs that anyone can open.

The upload check (PDF by extension and magic bytes, size limit, Danish messages), the services (audited,
a new upload never overwrites an older version), the admin, the seeded titles, the public list and the PDF
download with its headers, and the demo PDFs of `make run`.
"""

import hashlib
import re
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from samarbejde.audit.models import AuditEvent
from samarbejde.documents import uploads
from samarbejde.documents.demo import load_demo_public_documents
from samarbejde.documents.models import PublicDocument, PublicDocumentCategory, PublicDocumentVersion
from samarbejde.documents.reference import SEED_DOCUMENTS, load_public_documents
from samarbejde.documents.services import public_document_create, public_document_update, public_document_upload
from samarbejde.organisations.roles import Role
from samarbejde.organisations.tests.factories import user_with_role

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PDF_2 = b"%PDF-1.7\n% version two\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
ADD_URL = reverse("admin:documents_publicdocument_add")
CONTACT_FORM_SLUG = "blanket-kontaktoplysninger-foer-loesladelse"


def pdf_upload(content: bytes = PDF, name: str = "guide.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media: Path) -> list[Path]:
    return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []


@pytest.fixture
def administrator():
    return user_with_role(Role.ADMINISTRATOR)


@pytest.fixture
def guide(administrator) -> PublicDocument:
    return PublicDocument.objects.get(slug="guide-afsonere")


# --- The upload check ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "code", "message"),
    [
        (
            "program.exe",
            EXE,
            "not_pdf",
            "Filen program.exe er ikke en PDF-fil. Kun PDF-filer (.pdf) kan offentliggøres.",
        ),
        ("program.pdf", EXE, "not_pdf_content", "Filen program.pdf er ikke en gyldig PDF-fil"),
        ("notat.docx", b"PK\x03\x04rest", "not_pdf", "er ikke en PDF-fil"),
        ("notat.txt", b"%PDF-1.4 but a text file", "not_pdf", "er ikke en PDF-fil"),
        ("tekst.pdf", b"Hej, jeg er tekst", "not_pdf_content", "indholdet er ikke en PDF"),
        ("bom.pdf", b"\xef\xbb\xbf%PDF-1.4", "not_pdf_content", "indholdet er ikke en PDF"),
        ("uden-filtype", PDF, "not_pdf", "er ikke en PDF-fil"),
        (".pdf", PDF, "not_pdf", "er ikke en PDF-fil"),
        ("tom.pdf", b"", "empty", "Filen tom.pdf er tom."),
        ("../../etc/passwd.pdf", b"root:x:0:0", "not_pdf_content", "Filen passwd.pdf er ikke en gyldig PDF-fil"),
    ],
)
def test_only_real_pdfs_pass_with_a_danish_message(name, content, code, message):
    with pytest.raises(ValidationError) as info:
        uploads.check_pdf(SimpleUploadedFile(name, content))
    assert info.value.code == code
    assert message in info.value.messages[0]


def test_the_size_limit_comes_from_the_setting(settings):
    settings.PUBLIC_DOCUMENT_MAX_BYTES = 1024
    assert uploads.check_pdf(pdf_upload(PDF + b" " * (1024 - len(PDF)))).size == 1024
    with pytest.raises(ValidationError) as info:
        uploads.check_pdf(pdf_upload(PDF + b" " * 1024))
    assert info.value.code == "too_large"
    assert info.value.messages[0].startswith("Filen guide.pdf er for stor (")
    assert "Den må højst være 1,0\xa0KB." in info.value.messages[0]


def test_a_passing_pdf_has_its_size_and_sha256_and_can_be_read_again():
    upload = pdf_upload(name="Guide.PDF")
    checked = uploads.check_pdf(upload)
    assert (checked.size, checked.sha256) == (len(PDF), hashlib.sha256(PDF).hexdigest())
    assert upload.read() == PDF


def test_no_file_is_a_danish_message():
    with pytest.raises(ValidationError, match=r"Vælg en PDF-fil\."):
        uploads.check_pdf(None)


# --- Services ------------------------------------------------------------------------------------------------


def test_upload_makes_numbered_versions_and_never_overwrites_an_older_one(media, administrator, guide):
    first = public_document_upload(guide, file=pdf_upload(PDF), note="Første udgave", acting_user=administrator)
    second = public_document_upload(guide, file=pdf_upload(PDF_2), acting_user=administrator)
    assert (first.number, second.number) == (1, 2)
    assert first.file.name != second.file.name
    first.refresh_from_db()
    assert first.file.open("rb").read() == PDF
    assert second.file.open("rb").read() == PDF_2
    assert (second.size, second.sha256) == (len(PDF_2), hashlib.sha256(PDF_2).hexdigest())
    assert second.uploaded_by == administrator
    assert len(stored_files(media)) == 2
    events = AuditEvent.objects.filter(action="documents.public_upload").order_by("occurred_at", "id")
    assert [e.details["version"] for e in events] == [1, 2]
    assert events[0].object_id == str(first.pk) and events[0].person is None
    assert events[1].details["sha256"] == second.sha256 and events[1].actor == administrator


def test_a_bad_upload_stores_nothing(media, administrator, guide):
    for name, content in (("virus.exe", EXE), ("virus.pdf", EXE), ("tom.pdf", b"")):
        with pytest.raises(ValidationError):
            public_document_upload(guide, file=SimpleUploadedFile(name, content), acting_user=administrator)
    assert not PublicDocumentVersion.objects.exists()
    assert stored_files(media) == []
    assert not AuditEvent.objects.filter(action="documents.public_upload").exists()


def test_a_failure_after_the_file_was_written_removes_it(media, administrator, guide, monkeypatch):
    from samarbejde.documents import services

    def broken(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(services, "audit_record", broken)
    with pytest.raises(RuntimeError):
        public_document_upload(guide, file=pdf_upload(), acting_user=administrator)
    assert not PublicDocumentVersion.objects.exists()
    assert stored_files(media) == []


@pytest.mark.parametrize("role", [role for role in Role if role != Role.ADMINISTRATOR])
def test_only_administrators_maintain_public_documents(media, guide, role):
    user = user_with_role(role)
    with pytest.raises(PermissionDenied):
        public_document_upload(guide, file=pdf_upload(), acting_user=user)
    with pytest.raises(PermissionDenied):
        public_document_create(slug="x", title="X", category=PublicDocumentCategory.GUIDANCE, acting_user=user)
    with pytest.raises(PermissionDenied):
        public_document_update(guide, title="Y", acting_user=user)
    assert stored_files(media) == []


def test_create_and_update_are_audited_and_a_repeat_changes_nothing(administrator):
    document = public_document_create(
        slug="ny-vejledning",
        title=" Ny vejledning ",
        category=PublicDocumentCategory.GUIDANCE,
        acting_user=administrator,
    )
    assert document.title == "Ny vejledning"
    public_document_update(document, title="Ny vejledning (2027)", published=False, acting_user=administrator)
    public_document_update(document, title="Ny vejledning (2027)", published=False, acting_user=administrator)
    document.refresh_from_db()
    assert (document.title, document.published) == ("Ny vejledning (2027)", False)
    assert AuditEvent.objects.filter(action="documents.public_create", object_id=str(document.pk)).count() == 1
    updates = AuditEvent.objects.filter(action="documents.public_update", object_id=str(document.pk))
    assert [e.details["fields"] for e in updates] == [["published", "title"]]
    with pytest.raises(ValidationError):
        public_document_create(
            slug="ny-vejledning", title="Igen", category=PublicDocumentCategory.GUIDANCE, acting_user=administrator
        )
    with pytest.raises(ValidationError):
        public_document_create(slug="Ikke en adresse!", title="X", category="guidance", acting_user=administrator)


# --- The seeded titles ---------------------------------------------------------------------------------------


def test_the_seed_titles_are_loaded_once_and_edits_survive_a_reload(administrator):
    assert PublicDocument.objects.count() == len(SEED_DOCUMENTS) == 9
    guide = PublicDocument.objects.get(slug="guide-varetaegtsarrestanter")
    public_document_update(guide, title="Rettet af en administrator", acting_user=administrator)
    assert load_public_documents() == 9
    call_command("load_reference_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert PublicDocument.objects.count() == 9
    guide.refresh_from_db()
    assert guide.title == "Rettet af en administrator"
    assert set(PublicDocument.objects.values_list("category", flat=True)) == set(PublicDocumentCategory.values)


def test_the_contact_details_form_does_not_promise_what_samarbejde_cannot_do():
    contact_form = PublicDocument.objects.get(slug=CONTACT_FORM_SLUG)
    assert contact_form.title == "Blanket: kontaktoplysninger til kommunen før løsladelse"
    assert "endnu ikke" in contact_form.availability
    assert "Dannes udfyldt" not in contact_form.availability
    # The two forms Samarbejde does fill in (documents.InmateForm) may say so.
    for slug in ("blanket-fritagelse-for-digital-post", "blanket-laeseadgang-for-paaroerende"):
        assert "Dannes udfyldt i Samarbejde" in PublicDocument.objects.get(slug=slug).availability


# --- The public list ----------------------------------------------------------------------------------------


def document_items(html: str) -> dict[str, str]:
    """title -> the <li> of that document on /dokumenter/."""
    items = re.findall(
        r'<li class="document-list__item">(.*?)</li>\s*(?=<li class="document-list__item">|</ul>)', html, re.S
    )
    result = {}
    for item in items:
        title = re.sub(r"<[^>]+>", "", re.search(r"<h3[^>]*>(.*?)</h3>", item, re.S).group(1)).strip()
        result[title] = item
    return result


def test_every_title_is_listed_by_category_and_none_without_a_version_links(client, media, administrator, guide):
    public_document_upload(guide, file=pdf_upload(), acting_user=administrator)
    html = client.get("/dokumenter/").content.decode()
    headings = re.findall(r'<h2 class="mt-6" id="document-category-\d+">([^<]+)</h2>', html)
    assert headings == ["Vejledninger", "Analyser", "Blanketter", "Kontakter"]
    items = document_items(html)
    assert set(items) == {seed.title for seed in SEED_DOCUMENTS}
    for title, item in items.items():
        if title == guide.title:
            assert '<a href="/dokumenter/guide-afsonere/">' in item
            assert f"PDF, {len(PDF)}\xa0bytes · version 1, lagt op " in item
            assert "Endnu ikke offentliggjort" not in item
        else:
            assert "<a " not in item, title  # no dead link
            assert "Endnu ikke offentliggjort i Samarbejde." in item
    assert (
        "Samarbejde kan endnu ikke danne denne blanket udfyldt."
        in items["Blanket: kontaktoplysninger til kommunen før løsladelse"]
    )


def test_older_versions_are_listed_newest_first(client, media, administrator, guide):
    for content in (PDF, PDF_2, PDF):
        public_document_upload(guide, file=pdf_upload(content), acting_user=administrator)
    item = document_items(client.get("/dokumenter/").content.decode())[guide.title]
    assert "version 3, lagt op" in item
    assert re.findall(r'href="(/dokumenter/guide-afsonere/v\d+/)"', item) == [
        "/dokumenter/guide-afsonere/v2/",
        "/dokumenter/guide-afsonere/v1/",
    ]


def test_an_unpublished_document_is_neither_listed_nor_served(client, media, administrator, guide):
    public_document_upload(guide, file=pdf_upload(), acting_user=administrator)
    public_document_update(guide, published=False, acting_user=administrator)
    assert guide.title not in document_items(client.get("/dokumenter/").content.decode())
    assert client.get("/dokumenter/guide-afsonere/").status_code == 404
    assert client.get("/dokumenter/guide-afsonere/v1/").status_code == 404


def test_the_list_takes_two_queries_however_many_versions(client, media, administrator, django_assert_num_queries):
    for document in PublicDocument.objects.all():
        public_document_upload(document, file=pdf_upload(), acting_user=administrator)
        public_document_upload(document, file=pdf_upload(PDF_2), acting_user=administrator)
    with django_assert_num_queries(2):
        assert client.get("/dokumenter/").status_code == 200


def test_the_list_in_english_translates_seeded_titles_and_marks_edited_ones_danish(client, administrator, guide):
    public_document_update(guide, title="En titel kun på dansk", acting_user=administrator)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/dokumenter/").content.decode()
    assert '<h2 class="mt-6" id="document-category-1">Guidance</h2>' in html
    assert "Not yet published in Samarbejde." in html
    assert re.search(r'<h3 class="h4 mb-1" lang="da">\s*En titel kun på dansk\s*</h3>', html)
    assert "Samarbejde cannot yet produce this form filled in." in html


# --- The PDF itself ------------------------------------------------------------------------------------------


def test_the_newest_version_opens_inline_as_a_pdf(client, media, administrator, guide):
    public_document_upload(
        guide, file=pdf_upload(PDF, name="Kirstens udkast (CPR 010170-1234).pdf"), acting_user=administrator
    )
    public_document_upload(guide, file=pdf_upload(PDF_2), acting_user=administrator)
    response = client.get("/dokumenter/guide-afsonere/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="guide-afsonere-v2.pdf"'
    assert response["Content-Length"] == str(len(PDF_2))
    assert response["ETag"] == f'"{hashlib.sha256(PDF_2).hexdigest()}"'
    assert response["Cache-Control"] == "no-cache"
    assert response["X-Content-Type-Options"] == "nosniff"
    # The site's strict CSP stays on: browsers' PDF viewers are not blocked by it (the browser test opens it).
    assert "object-src 'none'" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == PDF_2
    assert "sessionid" not in response.cookies

    older = client.get("/dokumenter/guide-afsonere/v1/")
    assert older["Content-Disposition"] == 'inline; filename="guide-afsonere-v1.pdf"'  # not the uploaded name
    assert b"".join(older.streaming_content) == PDF
    assert older["Cache-Control"] == "public, max-age=3600"


def test_a_repeated_request_with_the_etag_is_not_modified(client, media, administrator, guide):
    public_document_upload(guide, file=pdf_upload(), acting_user=administrator)
    etag = client.get("/dokumenter/guide-afsonere/")["ETag"]
    assert client.get("/dokumenter/guide-afsonere/", headers={"If-None-Match": etag}).status_code == 304


@pytest.mark.parametrize(
    "path",
    [
        "/dokumenter/guide-varetaegtsarrestanter/",  # a title without a version
        "/dokumenter/guide-afsonere/v2/",  # a version that does not exist
        "/dokumenter/guide-afsonere/v0/",
        "/dokumenter/findes-ikke/",
        "/dokumenter/findes-ikke/v1/",
    ],
)
def test_nothing_to_serve_is_the_danish_404_page(client, media, administrator, guide, path):
    public_document_upload(guide, file=pdf_upload(), acting_user=administrator)
    response = client.get(path)
    assert response.status_code == 404
    assert "Siden findes ikke" in response.content.decode()


def test_a_lost_file_is_a_404_not_a_500(client, media, administrator, guide):
    version = public_document_upload(guide, file=pdf_upload(), acting_user=administrator)
    Path(version.file.path).unlink()
    assert client.get("/dokumenter/guide-afsonere/").status_code == 404


def test_only_get_and_head(client, media, administrator, guide):
    public_document_upload(guide, file=pdf_upload(), acting_user=administrator)
    assert client.head("/dokumenter/guide-afsonere/").status_code == 200
    assert client.post("/dokumenter/guide-afsonere/").status_code == 405


@pytest.mark.parametrize("role", list(Role))
def test_every_role_opens_the_public_documents(client, media, administrator, guide, role):
    public_document_upload(guide, file=pdf_upload(), acting_user=administrator)
    client.force_login(user_with_role(role))
    assert client.get("/dokumenter/").status_code == 200
    assert client.get("/dokumenter/guide-afsonere/").status_code == 200


# --- The admin ------------------------------------------------------------------------------------------------


def admin_data(document: PublicDocument | None = None, **overrides) -> dict:
    data = {
        "title": "Ny vejledning",
        "slug": "ny-vejledning",
        "category": PublicDocumentCategory.GUIDANCE,
        "description": "Om noget nyt.",
        "availability": "",
        "sort_order": "5",
        "published": "on",
        "version_note": "",
        # The read-only versions inline still posts its management form.
        "versions-TOTAL_FORMS": "0",
        "versions-INITIAL_FORMS": "0",
        "versions-MIN_NUM_FORMS": "0",
        "versions-MAX_NUM_FORMS": "1000",
    }
    if document is not None:
        data.update(
            title=document.title,
            slug=document.slug,
            category=document.category,
            description=document.description,
            availability=document.availability,
            sort_order=str(document.sort_order),
        )
        if not document.published:
            data.pop("published")
    data.update(overrides)
    return data


def test_an_administrator_creates_a_document_with_its_first_version_in_the_admin(client, media, administrator):
    client.force_login(administrator)
    response = client.post(ADD_URL, {**admin_data(), "new_version": pdf_upload()}, follow=True)
    assert response.status_code == 200
    document = PublicDocument.objects.get(slug="ny-vejledning")
    assert document.versions.get().number == 1
    assert "Version 1 er lagt op" in response.content.decode()
    actions = list(AuditEvent.objects.filter(actor=administrator).values_list("action", flat=True))
    assert "documents.public_create" in actions and "documents.public_upload" in actions
    assert "admin.add" not in actions  # the service's own events, not the admin's generic one
    assert client.get("/dokumenter/ny-vejledning/").status_code == 200


def test_an_administrator_uploads_a_new_version_of_a_seeded_title(client, media, administrator, guide):
    client.force_login(administrator)
    change_url = reverse("admin:documents_publicdocument_change", args=[guide.pk])
    page = client.get(change_url).content.decode()
    assert "Ny version (PDF)" in page and "Kun PDF (.pdf), højst 20,0\xa0MB." in page
    for content in (PDF, PDF_2):
        response = client.post(change_url, {**admin_data(guide), "new_version": pdf_upload(content)})
        assert response.status_code == 302, response.content.decode()[:2000]
    assert list(guide.versions.values_list("number", flat=True)) == [2, 1]
    page = client.get(change_url).content.decode()
    assert "guide-afsonere-v2.pdf" in page and "guide-afsonere-v1.pdf" in page
    assert b"".join(client.get("/dokumenter/guide-afsonere/").streaming_content) == PDF_2
    # Saving without a file changes nothing and uploads nothing.
    assert client.post(change_url, admin_data(guide)).status_code == 302
    assert guide.versions.count() == 2
    assert not AuditEvent.objects.filter(action="documents.public_update").exists()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("program.exe", EXE), "Filen program.exe er ikke en PDF-fil."),
        (SimpleUploadedFile("program.pdf", EXE), "Filen program.pdf er ikke en gyldig PDF-fil"),
        (SimpleUploadedFile("notat.docx", b"PK\x03\x04"), "Filen notat.docx er ikke en PDF-fil."),
        (SimpleUploadedFile("tom.pdf", b""), "Den valgte fil er tom."),
        ("too-large", "Filen stor.pdf er for stor ("),
    ],
)
def test_a_bad_upload_in_the_admin_is_refused_in_danish_and_nothing_is_stored(
    client, media, administrator, guide, settings, upload, message
):
    settings.PUBLIC_DOCUMENT_MAX_BYTES = 1024
    if upload == "too-large":
        upload = pdf_upload(PDF + b"0" * 2048, name="stor.pdf")
    client.force_login(administrator)
    change_url = reverse("admin:documents_publicdocument_change", args=[guide.pk])
    response = client.post(change_url, {**admin_data(guide, title="Ændret titel"), "new_version": upload})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not PublicDocumentVersion.objects.exists()
    assert stored_files(media) == []
    guide.refresh_from_db()
    assert guide.title == "Guide om myndighedssamarbejdet vedrørende afsonere"  # the whole save was refused
    response = client.post(ADD_URL, {**admin_data(), "new_version": SimpleUploadedFile("x.exe", EXE)})
    assert response.status_code == 200 and not PublicDocument.objects.filter(slug="ny-vejledning").exists()


@pytest.mark.parametrize("role", [role for role in Role if role != Role.ADMINISTRATOR])
def test_only_administrators_reach_the_admin_pages(client, role):
    client.force_login(user_with_role(role))
    assert client.get(reverse("admin:documents_publicdocument_changelist")).status_code in (302, 403)
    assert client.post(ADD_URL, {**admin_data(), "new_version": pdf_upload()}).status_code in (302, 403)
    assert not PublicDocument.objects.filter(slug="ny-vejledning").exists()


def test_versions_and_documents_cannot_be_deleted_in_the_admin(client, media, administrator, guide):
    public_document_upload(guide, file=pdf_upload(), acting_user=administrator)
    client.force_login(administrator)
    assert client.get(reverse("admin:documents_publicdocument_delete", args=[guide.pk])).status_code == 403
    page = client.get(reverse("admin:documents_publicdocument_change", args=[guide.pk])).content.decode()
    assert "versions-0-DELETE" not in page


# --- Demo PDFs ------------------------------------------------------------------------------------------------


def pdf_title(pdf: bytes) -> str:
    """The document title in the PDF's metadata, which WeasyPrint writes in a compressed object stream: a literal
    string when ASCII, else hex-encoded UTF-16."""
    import zlib

    for match in re.finditer(rb"/Length (\d+)[^>]*>>\s*stream\r?\n", pdf):
        data = pdf[match.end() : match.end() + int(match.group(1))]
        try:
            data = zlib.decompress(data)
        except zlib.error:
            continue
        title = re.search(rb"/Producer \(WeasyPrint[^)]*\)/Title (?:<feff([0-9a-f]+)>|\(([^)]*)\))", data)
        if title and title.group(1):
            return bytes.fromhex(title.group(1).decode()).decode("utf-16-be")
        if title:
            return title.group(2).decode("latin-1")
    return ""


def test_demo_pdfs_give_every_title_a_version_once_and_leave_real_uploads_alone(media, administrator, guide):
    real = public_document_upload(guide, file=pdf_upload(), acting_user=administrator)
    assert load_demo_public_documents(acting_user=administrator) == 8
    assert load_demo_public_documents(acting_user=administrator) == 0
    assert PublicDocumentVersion.objects.count() == 9
    assert list(guide.versions.all()) == [real]
    for version in PublicDocumentVersion.objects.exclude(pk=real.pk):
        content = version.file.open("rb").read()
        assert content.startswith(b"%PDF-")
        assert pdf_title(content).startswith("Demodokument: ")
        assert version.note.startswith("Demodokument")


def test_the_demo_pdf_says_demodokument_on_the_page():
    from django.template.loader import render_to_string

    document = PublicDocument.objects.get(slug=CONTACT_FORM_SLUG)
    html = render_to_string("documents/public_demo_pdf.html", {"document": document})
    assert "DEMODOKUMENT" in html and "ikke Kriminalforsorgens dokument" in html


def test_demo_pdfs_without_the_demo_administrator_do_nothing(media):
    assert load_demo_public_documents() == 0
    assert stored_files(media) == []


def test_a_content_file_passes_the_check(administrator, media, guide):
    version = public_document_upload(guide, file=ContentFile(PDF, name="x.pdf"), acting_user=administrator)
    assert version.size == len(PDF)
