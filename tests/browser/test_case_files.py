"""Coordination of the handleplan end to end (issue 3, point 8): KRFO decides to coordinate on a new admission
(the admission itself is created in the test, through the services), which asks Københavns Kommune's social
services for case files; the municipal coordinator finds the request in the inbox, tries an .exe (a Danish
error, nothing saved), then answers with text and a PDF; KRFO sees the answer on the timeline and downloads
the file. Every page and state passes axe."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from samarbejde.consent.categories import DataCategory
from samarbejde.consent.tests.factories import ConsentFactory
from samarbejde.custody.tests.factories import admit, krfo_case_worker, make_person
from samarbejde.notifications.models import NotificationAttachment
from tests.browser.helpers import check_page, login, logout, submit, visit

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_coordination_request_answered_with_case_files(page, media):
    worker = krfo_case_worker()
    person = make_person(
        acting_user=worker, home="101", benefits=["kontanthjaelp"], first_name="Kim", last_name="Koordinering"
    )
    # The client's consent to collect the municipality's files (Køreplan step 3): the request rests on it.
    ConsentFactory(person=person, categories=[DataCategory.CASE_FILES])
    episode = admit(person, acting_user=worker).episode
    episode_url = f"/klienter/forloeb/{episode.pk}/"

    # KRFO decides to coordinate: one request for case files goes to København's socialforvaltning.
    login(page, "krfo.sagsbehandler")
    visit(page, episode_url, "case-files-episode")
    expect(page.locator("#coordination-status")).to_contain_text("Der er ikke taget stilling")
    group = page.get_by_role("group", name="Skal handleplanen koordineres med kommunen?")
    group.get_by_label("Nej").check()
    submit(page, page.get_by_role("button", name="Registrér beslutning"))
    expect(page.locator("#error-summary")).to_contain_text("Skriv en begrundelse")
    check_page(page, "case-files-decision-error")

    page.get_by_role("group", name="Skal handleplanen koordineres med kommunen?").get_by_label(
        "Ja, anmod kommunen om sagsakter"
    ).check()
    submit(page, page.get_by_role("button", name="Registrér beslutning"))
    # København routes case files to its social centre (the demo routing, as in the domain brief).
    expect(page.get_by_role("status")).to_contain_text(
        "Socialcenter København (ydelser og handleplaner): Anmodning om sagsakter"
    )
    expect(page.locator("main")).to_contain_text("Handleplanen skal koordineres med kommunen.")
    check_page(page, "case-files-decided")

    # A second "yes" sends nothing new, and says so.
    submit(page, page.get_by_role("button", name="Registrér beslutning"))
    expect(page.get_by_role("status")).to_contain_text("Der er ikke sendt en ny anmodning.")

    # The municipal coordinator of København finds the request in the inbox and answers it.
    logout(page)
    login(page, "kbh.koordinator")
    visit(page, "/indbakke/", "case-files-inbox")
    row = page.get_by_role("row").filter(has_text="Kim Koordinering").filter(has_text="Anmodning om sagsakter")
    submit(page, row.get_by_role("link", name="Anmodning om sagsakter"))
    expect(page.locator("h1")).to_have_text("Anmodning om sagsakter: Kim Koordinering")
    expect(page.locator("main")).to_contain_text("Koordineringsbekendtgørelsen § 3, stk. 1")
    check_page(page, "case-files-notice")

    files = page.get_by_label("Sagsakter")
    files.set_input_files([{"name": "program.exe", "mimeType": "application/octet-stream", "buffer": EXE}])
    page.get_by_role("textbox", name=re.compile(r"^Svar")).fill("Vedlagt kommunens handleplan.")
    submit(page, page.get_by_role("button", name="Send svar"))
    expect(page.locator("#error-summary")).to_contain_text("Filtypen .exe er ikke tilladt.")
    assert not NotificationAttachment.objects.exists()
    check_page(page, "case-files-answer-error")

    page.get_by_label("Sagsakter").set_input_files(
        [{"name": "Handleplan Kim.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("textbox", name=re.compile(r"^Svar")).fill("Vedlagt kommunens handleplan.")
    submit(page, page.get_by_role("button", name="Send svar"))
    expect(page.get_by_role("status")).to_contain_text("Svaret er sendt til Kriminalforsorgen.")
    expect(page.locator("#attachments")).to_contain_text("Hent Handleplan Kim.pdf")
    check_page(page, "case-files-answered")

    # KRFO sees the answer on the timeline and downloads the file.
    logout(page)
    login(page, "krfo.sagsbehandler")
    visit(page, episode_url, "case-files-episode-answered")
    expect(page.locator("main")).to_contain_text("Svar fra Københavns Kommune")
    expect(page.locator("main")).to_contain_text("Vedlagt kommunens handleplan.")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Hent Handleplan Kim.pdf").click()
    download = download_info.value
    assert download.suggested_filename == "Handleplan Kim.pdf"
    assert Path(download.path()).read_bytes() == PDF
