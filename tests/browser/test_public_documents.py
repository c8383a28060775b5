"""Public documents in the browser: an administrator uploads a PDF in the admin (a renamed .exe first, refused in
Danish), the public page lists every title with the uploaded one as a link, and the link opens the PDF.
Every page and state on the way passes axe-core at WCAG 2.1 AA."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import check_page, login, screenshot, submit, visit

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120
GUIDE = "Guide om myndighedssamarbejdet vedrørende afsonere"


def real_pdf() -> bytes:
    """A real one-page PDF (the browser's viewer must be able to show it)."""
    from weasyprint import HTML

    return HTML(string="<h1>Guide om myndighedssamarbejdet vedrørende afsonere</h1>").write_pdf()


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_upload_a_public_document_and_open_it(page, tmp_path, media):
    # Before: every title is listed, none opens.
    visit(page, "/dokumenter/", "public-documents-none-published")
    expect(page.locator("main h3")).to_have_count(9)
    expect(page.locator("main h3 a")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("Endnu ikke offentliggjort i Samarbejde.")

    login(page, "admin")
    visit(page, "/admin/documents/publicdocument/", "admin-public-documents")
    submit(page, page.get_by_role("link", name=GUIDE))
    check_page(page, "admin-public-document-change")

    # A renamed program is refused with a Danish message; nothing is published.
    renamed = tmp_path / "guide.pdf"
    renamed.write_bytes(EXE)
    page.get_by_label("Ny version (PDF)").set_input_files(str(renamed))
    submit(page, page.get_by_role("button", name="Gem og fortsæt med at redigere"))
    expect(page.locator("main, #content").first).to_contain_text("Filen guide.pdf er ikke en gyldig PDF-fil")
    check_page(page, "admin-public-document-bad-upload")
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))

    real = tmp_path / "guide-afsonere.pdf"
    real.write_bytes(real_pdf())
    page.get_by_label("Ny version (PDF)").set_input_files(str(real))
    page.get_by_label("Bemærkning til versionen").fill("Udgaven fra kriminalforsorgen.dk")
    submit(page, page.get_by_role("button", name="Gem og fortsæt med at redigere"))
    expect(page.locator(".messagelist")).to_contain_text("Version 1 er lagt op")
    expect(page.locator("#content").first).to_contain_text("guide-afsonere-v1.pdf")
    check_page(page, "admin-public-document-uploaded")

    # The public page links the uploaded title; the others still say they are not published.
    visit(page, "/dokumenter/", "public-documents-one-published")
    link = page.get_by_role("link", name=GUIDE)
    expect(link).to_have_attribute("href", "/dokumenter/guide-afsonere/")
    expect(page.locator("main h3 a")).to_have_count(1)
    expect(page.locator("main")).to_contain_text("version 1, lagt op")

    response = page.request.get(page.base_url + "/dokumenter/guide-afsonere/")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == 'inline; filename="guide-afsonere-v1.pdf"'
    assert response.body() == real.read_bytes()

    # Following the link opens the PDF in Chromium's own viewer, under the site's strict CSP.
    with page.expect_response("**/dokumenter/guide-afsonere/") as response_info:
        link.click()
    assert response_info.value.status == 200
    assert response_info.value.headers["content-type"] == "application/pdf"
    page.wait_for_load_state("load")
    assert page.url.endswith("/dokumenter/guide-afsonere/")
    screenshot(page, "public-document-opened")
