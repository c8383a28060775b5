"""§ 808 personundersøgelse end to end (issue 11, point 5): a KiF probation officer opens an investigation for a
person with no custody (a hearing in the past first: a Danish error), sends an information request to
Københavns Kommune (no questions first: a Danish error); the municipal coordinator answers in the inbox with a
text and a PDF; KiF sees the answer, prints the court report (PDF) and closes the investigation. Every page and
state passes axe."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from samarbejde.pre_sentence.models import InformationRequest, Investigation
from tests.browser.helpers import check_page, login, logout, submit, visit

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_a_kif_officer_asks_koebenhavn_and_the_answer_with_a_file_feeds_the_court_report(page):
    login(page, "kif.tilsyn")
    visit(page, "/personundersoegelser/", "pre-sentence-list-empty")
    expect(page.locator("main")).to_contain_text("Der er ingen personundersøgelser")
    submit(page, page.get_by_role("link", name="Opret personundersøgelse"))
    check_page(page, "pre-sentence-create")

    page.get_by_label("CPR-nummer").fill("010150-1234")
    page.get_by_label(re.compile(r"^Fornavn")).fill("Vera")
    page.get_by_label(re.compile(r"^Efternavn")).fill("Vidnesen")
    page.get_by_label(re.compile(r"^Bopælskommune")).select_option("101")
    page.get_by_label(re.compile(r"^Ret")).select_option("Københavns Byret")
    page.get_by_label("Dato for retsmødet").fill((timezone.localdate() - timedelta(days=2)).isoformat())
    submit(page, page.get_by_role("button", name="Opret personundersøgelse"))
    expect(page.locator("main")).to_contain_text("Retsmødet skal ligge i fremtiden")
    assert not Investigation.objects.exists()
    check_page(page, "pre-sentence-create-error")

    page.get_by_label("CPR-nummer").fill("010150-1234")
    page.get_by_label("Dato for retsmødet").fill((timezone.localdate() + timedelta(days=21)).isoformat())
    submit(page, page.get_by_role("button", name="Opret personundersøgelse"))
    expect(page.locator("h1")).to_contain_text("Personundersøgelse: Vera Vidnesen")
    assert "0101501234" not in page.url and "010150" not in page.url
    check_page(page, "pre-sentence-investigation")

    # A request without questions: a Danish message, nothing sent.
    page.get_by_label(re.compile(r"^Spørgsmål")).fill("")
    submit(page, page.get_by_role("button", name="Send anmodningen"))
    expect(page.locator("main")).to_contain_text("Skriv de spørgsmål, modtageren skal svare på.")
    assert not InformationRequest.objects.exists()
    check_page(page, "pre-sentence-request-error")

    page.get_by_label(re.compile(r"^Spørgsmål")).fill("Har borgeren bolig og forsørgelse?")
    submit(page, page.get_by_role("button", name="Send anmodningen"))
    expect(page.get_by_role("status")).to_contain_text("Anmodningen om oplysninger er sendt til Københavns Kommune")
    expect(page.locator("#requests")).to_contain_text("Ikke besvaret endnu.")
    check_page(page, "pre-sentence-request-sent")
    investigation_url = page.url

    # København's coordinator answers in the inbox with a text and a PDF.
    logout(page)
    login(page, "kbh.koordinator")
    visit(page, "/indbakke/", "pre-sentence-inbox")
    row = page.get_by_role("row").filter(has_text="Vera Vidnesen")
    submit(page, row.get_by_role("link").first)
    expect(page.locator("main")).to_contain_text("Har borgeren bolig og forsørgelse?")
    expect(page.locator("main")).to_contain_text("Københavns Byret")
    check_page(page, "pre-sentence-notice")
    page.get_by_label("Filer").set_input_files(
        [{"name": "Bolig Vera.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("textbox", name=re.compile(r"^Svar")).fill("Borgeren bor i lejebolig og får kontanthjælp.")
    submit(page, page.get_by_role("button", name="Send svar"))
    expect(page.get_by_role("status")).to_contain_text("Svaret er sendt til Kriminalforsorgen.")
    check_page(page, "pre-sentence-answered")

    # KiF sees the answer and the file, prints the report and closes the investigation.
    logout(page)
    login(page, "kif.tilsyn")
    visit(page, investigation_url.replace(page.base_url, ""), "pre-sentence-investigation-answered")
    expect(page.locator("#requests")).to_contain_text("Borgeren bor i lejebolig og får kontanthjælp.")
    expect(page.locator("#requests")).to_contain_text("Hent Bolig Vera.pdf")
    report = page.request.get(investigation_url + "erklaering.pdf")
    assert report.status == 200 and report.headers["content-type"] == "application/pdf"
    assert report.body().startswith(b"%PDF")
    submit(page, page.get_by_role("button", name="Afslut personundersøgelsen"))
    expect(page.get_by_role("status")).to_contain_text("Personundersøgelsen er afsluttet.")
    expect(page.locator("#investigation-status")).to_contain_text("Afsluttet")
    check_page(page, "pre-sentence-closed")
    visit(page, "/personundersoegelser/", "pre-sentence-list")
    expect(page.locator("main")).to_contain_text("Vera Vidnesen")
