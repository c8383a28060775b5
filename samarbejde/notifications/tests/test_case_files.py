"""The request for case files and its answer with attached files (issue 3, point 8): the rule, file checks as a
table (type by extension AND content, size, number), nothing half-saved (no rows, no files on disk), downloads
checked and audited over every role, and too-large request bodies never giving a 500."""

import io
import os
import time
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from samarbejde.audit.models import AuditEvent
from samarbejde.consent.categories import DataCategory
from samarbejde.consent.tests.factories import ConsentFactory
from samarbejde.custody.services import episode_decide_coordination
from samarbejde.custody.tests.factories import admit, krfo_case_worker, make_person
from samarbejde.legal.selectors import paragraph_by_key
from samarbejde.notifications import attachments, rules
from samarbejde.notifications import services as ns
from samarbejde.notifications.models import (
    Notification,
    NotificationAnswer,
    NotificationAttachment,
    NotificationKind,
    NotificationStatus,
)
from samarbejde.notifications.registry import Deadline
from samarbejde.notifications.rules import Notified, PersonSituation, RuleConfig, recipients_for
from samarbejde.organisations.roles import Role
from samarbejde.organisations.tests.factories import user_with_role

MB = 1024 * 1024


# --- file contents ------------------------------------------------------------------------------------------


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def odt_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), attachments.ODT_MIMETYPE, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def plain_zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hej")
    return buffer.getvalue()


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01" + b"\x00" * 32 + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64 + b"This program cannot be run"


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


ALLOWED = "Tilladte typer: PDF, Word (DOCX), ODT, tekst, JPEG og PNG."

# (file name, content, the content type stored)
GOOD_FILES = [
    ("sagsakter.pdf", pdf_bytes(), "application/pdf"),
    ("Handleplan.DOCX", docx_bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("plan.odt", odt_bytes(), "application/vnd.oasis.opendocument.text"),
    ("notat.txt", "Bolig: ingen. Forsørgelse: kontanthjælp. Æøå.".encode(), "text/plain"),
    ("notat-latin1.txt", "Misbrugsbehandling påbegyndt.".encode("cp1252"), "text/plain"),
    ("scan.jpg", JPEG, "image/jpeg"),
    ("scan.jpeg", JPEG, "image/jpeg"),
    ("skema.png", PNG, "image/png"),
]

# (file name, content, the Danish message)
BAD_FILES = [
    ("virus.exe", EXE, "Filtypen .exe er ikke tilladt. " + ALLOWED),
    ("start.bat", b"@echo off\r\n", "Filtypen .bat er ikke tilladt. " + ALLOWED),
    ("x.js", b"alert(1)", "Filtypen .js er ikke tilladt. " + ALLOWED),
    ("arkiv.zip", plain_zip_bytes(), "Filtypen .zip er ikke tilladt. " + ALLOWED),
    ("README", b"tekst", "Filen README har ingen filtype. " + ALLOWED),
    ("faktura.pdf", EXE, "Filen faktura.pdf er ikke en gyldig PDF-fil: indholdet passer ikke til filtypen .pdf."),
    ("notat.txt", EXE, "Filen notat.txt er ikke en gyldig tekst-fil"),
    ("billede.png", JPEG, "Filen billede.png er ikke en gyldig PNG-fil"),
    ("plan.docx", plain_zip_bytes(), "Filen plan.docx er ikke en gyldig Word (DOCX)-fil"),
    ("plan.odt", docx_bytes(), "Filen plan.odt er ikke en gyldig ODT-fil"),
    ("tom.pdf", b"", "Filen tom.pdf er tom."),
    ("../../etc/stor.pdf", b"%PDF-" + b"0" * (10 * MB), "Filen stor.pdf er for stor (maks. 10 MB)."),
]


# --- fixtures -------------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


@pytest.fixture
def worker(db):
    return krfo_case_worker()


@pytest.fixture
def coordinator(db):
    return user_with_role(Role.MUNICIPAL_COORDINATOR, "101")


@pytest.fixture
def request_notice(worker) -> Notification:
    person = make_person(acting_user=worker, benefits=["kontanthjaelp"], first_name="Sara", last_name="Sagsakt")
    ConsentFactory(person=person, categories=[DataCategory.CASE_FILES])  # the request rests on consent
    episode = admit(person, acting_user=worker).episode
    return episode_decide_coordination(episode, coordinate=True, acting_user=worker).case_files_request


def nothing_saved(notice, media) -> bool:
    notice.refresh_from_db()
    return (
        notice.answered_at is None
        and not NotificationAnswer.objects.filter(notification=notice).exists()
        and not NotificationAttachment.objects.exists()
        and stored_files(media) == []
    )


# --- the rule -------------------------------------------------------------------------------------------------

CONFIG = RuleConfig()
SENT = Notified("101", "socialforvaltning", "coordination.case_files")
ADMISSION_SENT = Notified("101", "ydelse", "admission.benefits")


@pytest.mark.parametrize(
    ("situation", "already", "expected"),
    [
        (PersonSituation("101", coordinate_action_plan=True), [ADMISSION_SENT], ["101"]),
        (PersonSituation("751", coordinate_action_plan=True), [], ["751"]),
        (PersonSituation(None, coordinate_action_plan=True), [], [None]),  # -> a warning
        (PersonSituation("101", coordinate_action_plan=True), [ADMISSION_SENT, SENT], []),  # once per episode
        (PersonSituation("101", coordinate_action_plan=False), [ADMISSION_SENT], []),
        (PersonSituation("101", coordinate_action_plan=None), [], []),
    ],
    ids=["yes", "yes-other-municipality", "yes-unknown-home", "yes-already-sent", "no", "undecided"],
)
def test_coordination_rule(situation, already, expected):
    got = recipients_for(rules.COORDINATION, situation, already_notified=already, config=CONFIG)
    assert [r.organisation_code for r in got] == expected
    for recipient in got:
        assert recipient.rule == "coordination.case_files"
        assert rules.default_unit_kind(recipient.topic) == "socialforvaltning"
        notice_type = recipient.notice_type
        assert notice_type.kind == NotificationKind.CASE_FILES_REQUEST
        assert notice_type.legal_basis == "koordineringsbekendtgoerelsen:3-1"
        assert notice_type.deadline.resolve() == Deadline(10, business_days=True)


@pytest.mark.parametrize(
    "trigger", [rules.ADMISSION, rules.CONVERSION, rules.TRANSFER, rules.RELEASE_DATE_CHANGE, rules.RELEASE]
)
def test_other_events_never_ask_for_case_files(trigger):
    situation = PersonSituation("101", coordinate_action_plan=True, benefits=("kontanthjaelp",))
    got = recipients_for(trigger, situation, already_notified=[ADMISSION_SENT], config=CONFIG)
    assert "coordination.case_files" not in {r.rule for r in got}


@pytest.mark.django_db
def test_the_coordination_basis_is_in_the_catalogue():
    paragraph = paragraph_by_key("koordineringsbekendtgoerelsen:3-1")
    assert paragraph.act.number == "642"


# --- the file checks, as a table --------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "content", "content_type"), GOOD_FILES, ids=[row[0] for row in GOOD_FILES])
def test_allowed_files_pass_with_the_type_their_content_proves(name, content, content_type):
    [checked] = attachments.check_files([upload(name, content, "application/x-whatever")])
    assert checked.content_type == content_type
    assert checked.original_name == name and checked.size == len(content)


@pytest.mark.parametrize(("name", "content", "message"), BAD_FILES, ids=[row[0] for row in BAD_FILES])
def test_bad_files_fail_with_a_danish_message(name, content, message):
    with pytest.raises(ValidationError) as exc:
        attachments.check_files([upload(name, content, "application/pdf")])
    [got] = exc.value.message_dict["files"]
    assert got.startswith(message)


def test_too_many_files_and_every_problem_listed(settings):
    with pytest.raises(ValidationError) as exc:
        attachments.check_files([upload(f"{i}.pdf", pdf_bytes()) for i in range(11)])
    assert exc.value.message_dict["files"] == ["Du kan højst vedhæfte 10 filer til et svar."]
    with pytest.raises(ValidationError) as exc:
        attachments.check_files([upload("a.exe", EXE), upload("ok.pdf", pdf_bytes()), upload("b.pdf", EXE)])
    assert len(exc.value.message_dict["files"]) == 2
    settings.ATTACHMENT_MAX_BYTES = MB // 2
    with pytest.raises(ValidationError) as exc:
        attachments.check_files([upload("halv.pdf", b"%PDF-" + b"0" * MB)])
    assert exc.value.message_dict["files"] == ["Filen halv.pdf er for stor (maks. 0,5 MB)."]


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("C:\\Users\\mette\\Sagsakter 2027.pdf", "Sagsakter 2027.pdf"),
        ("../../x.pdf", "x.pdf"),
        ("na\x00me\x1b.pdf", "name.pdf"),
        ("a" * 300 + ".pdf", "a" * 196 + ".pdf"),
        ("", "fil"),
    ],
)
def test_file_names_are_cleaned(raw, clean):
    assert attachments.clean_name(raw) == clean


# --- the answer service: one transaction, nothing half-saved ------------------------------------------------------


@pytest.mark.django_db
def test_answer_with_text_and_files_stores_them_under_a_random_name(request_notice, coordinator, media):
    files = [upload(name, content) for name, content, _ in GOOD_FILES[:3]]
    answer = ns.notification_answer(request_notice, text="Vedlagt handleplan.", files=files, acting_user=coordinator)
    rows = list(NotificationAttachment.objects.order_by("original_name"))
    assert [r.original_name for r in rows] == ["Handleplan.DOCX", "plan.odt", "sagsakter.pdf"]
    for row in rows:
        assert row.notification == request_notice and row.uploaded_by == coordinator
        assert row.file.name.startswith(f"attachments/{request_notice.pk}/")
        assert row.original_name not in row.file.name  # a random name on disk
        assert (media / row.file.name).read_bytes()[:2] in (b"%P", b"PK")
    assert len(stored_files(media)) == 3
    request_notice.refresh_from_db()
    assert request_notice.status == NotificationStatus.ANSWERED and answer.text == "Vedlagt handleplan."
    event = AuditEvent.objects.get(action="notifications.answer", object_id=str(request_notice.pk))
    assert sorted(event.details["attachments"]) == sorted(str(r.pk) for r in rows)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "content", "message"), BAD_FILES[:7], ids=[row[0] for row in BAD_FILES[:7]])
def test_one_bad_file_saves_no_answer_and_no_file(request_notice, coordinator, media, name, content, message):
    files = [upload("ok.pdf", pdf_bytes()), upload(name, content)]
    with pytest.raises(ValidationError) as exc:
        ns.notification_answer(request_notice, text="Svar", files=files, acting_user=coordinator)
    assert exc.value.message_dict["files"][0].startswith(message)
    assert nothing_saved(request_notice, media)


@pytest.mark.django_db
def test_too_many_files_saves_nothing(request_notice, coordinator, media):
    files = [upload(f"{i}.pdf", pdf_bytes()) for i in range(11)]
    with pytest.raises(ValidationError):
        ns.notification_answer(request_notice, files=files, acting_user=coordinator)
    assert nothing_saved(request_notice, media)


@pytest.mark.django_db
def test_a_failure_after_the_files_were_written_removes_them(request_notice, coordinator, media, monkeypatch):
    def broken_audit(*args, **kwargs):
        raise RuntimeError("audit down")

    monkeypatch.setattr(ns, "audit_record", broken_audit)
    with pytest.raises(RuntimeError):
        ns.notification_answer(request_notice, files=[upload("a.pdf", pdf_bytes())], acting_user=coordinator)
    assert nothing_saved(request_notice, media)


@pytest.mark.django_db
def test_answer_is_idempotent_and_a_second_answer_stores_no_files(request_notice, coordinator, media):
    first = ns.notification_answer(request_notice, files=[upload("a.pdf", pdf_bytes())], acting_user=coordinator)
    second = ns.notification_answer(request_notice, files=[upload("b.pdf", pdf_bytes())], acting_user=coordinator)
    assert first == second
    assert [a.original_name for a in NotificationAttachment.objects.all()] == ["a.pdf"]
    assert len(stored_files(media)) == 1


@pytest.mark.django_db
def test_empty_answer_and_files_on_other_kinds_are_refused(request_notice, coordinator, worker, media):
    with pytest.raises(ValidationError) as exc:
        ns.notification_answer(request_notice, text="  ", acting_user=coordinator)
    assert exc.value.messages == [ns.MSG_CASE_FILES_ANSWER_EMPTY]
    benefits = Notification.objects.get(thread_id=request_notice.thread_id, rule="admission.benefits")
    with pytest.raises(ValidationError) as exc:
        ns.notification_answer(
            benefits,
            decisions={"kontanthjaelp": {"code": "continued"}},
            files=[upload("a.pdf", pdf_bytes())],
            acting_user=coordinator,
        )
    assert exc.value.messages == [ns.MSG_FILES_NOT_ALLOWED]
    assert stored_files(media) == []


@pytest.mark.django_db
def test_orphan_sweep_removes_only_old_unreferenced_files(request_notice, coordinator, media):
    ns.notification_answer(request_notice, files=[upload("a.pdf", pdf_bytes())], acting_user=coordinator)
    orphan_dir = media / "attachments" / "0f0f"
    orphan_dir.mkdir(parents=True)
    old, fresh = orphan_dir / "old.pdf", orphan_dir / "fresh.pdf"
    old.write_bytes(b"%PDF-")
    fresh.write_bytes(b"%PDF-")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    assert ns.attachments_remove_orphans() == 1
    assert not old.exists() and fresh.exists()
    assert (media / NotificationAttachment.objects.get().file.name).exists()


# --- the notice page: the form, the answer through the client, too-large bodies ----------------------------------


def answer_url(notice) -> str:
    return f"/indbakke/{notice.pk}/svar/"


@pytest.mark.django_db
def test_notice_page_has_a_multipart_form_with_an_accepting_file_input(client, request_notice, coordinator):
    client.force_login(coordinator)
    html = client.get(f"/indbakke/{request_notice.pk}/").content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'type="file"' in html and "multiple" in html
    assert f'accept="{attachments.ACCEPT}"' in html
    assert "Du kan vedhæfte op til 10 filer på højst 10 MB hver. " + ALLOWED in html
    assert "Koordineringsbekendtgørelsen" in html and "Anmodning om sagsakter" in html


@pytest.mark.django_db
def test_answer_through_the_page(client, request_notice, coordinator, media):
    client.force_login(coordinator)
    response = client.post(
        answer_url(request_notice),
        {"text": "Her er sagsakterne.", "files": [upload("Handleplan.pdf", pdf_bytes()), upload("n.txt", b"ok")]},
        follow=True,
    )
    html = response.content.decode()
    assert "Svaret er sendt til Kriminalforsorgen." in html
    assert "Hent Handleplan.pdf" in html and "Hent n.txt" in html
    assert len(stored_files(media)) == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([("virus.exe", EXE)], "Filtypen .exe er ikke tilladt. " + ALLOWED),
        ([("faktura.pdf", EXE)], "Filen faktura.pdf er ikke en gyldig PDF-fil"),
        ([(f"{i}.pdf", pdf_bytes()) for i in range(11)], "Du kan højst vedhæfte 10 filer til et svar."),
        ([], "Skriv et svar, eller vedhæft sagsakterne, før du sender svaret."),
    ],
    ids=["exe", "pdf-named-exe", "eleven-files", "empty"],
)
def test_bad_uploads_through_the_page_show_the_error_summary(
    client, request_notice, coordinator, media, files, message
):
    client.force_login(coordinator)
    data = {"text": "" if not files else "Svar", "files": [upload(n, c) for n, c in files]}
    response = client.post(answer_url(request_notice), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="error-summary"' in html and message in html
    assert nothing_saved(request_notice, media)


@pytest.mark.django_db
def test_a_50_mb_file_gives_a_danish_form_error_not_a_500(client, request_notice, coordinator, media):
    client.force_login(coordinator)
    big = upload("stor.pdf", b"%PDF-" + b"0" * (50 * MB))
    response = client.post(answer_url(request_notice), {"text": "Svar", "files": [big]})
    assert response.status_code == 200
    assert "Filen stor.pdf er for stor (maks. 10 MB)." in response.content.decode()
    assert nothing_saved(request_notice, media)


@pytest.mark.django_db
def test_form_fields_over_djangos_limit_give_a_danish_413(client, request_notice, coordinator, media):
    client.force_login(coordinator)
    response = client.post(answer_url(request_notice), {"text": "x" * (3 * MB)})
    assert response.status_code == 413
    assert "Svaret fylder for meget" in response.content.decode()
    assert nothing_saved(request_notice, media)


@pytest.mark.django_db
def test_a_body_beyond_every_limit_is_refused_unread(client, request_notice, coordinator, media):
    client.force_login(coordinator)
    response = client.post(answer_url(request_notice), {"text": "Svar"}, CONTENT_LENGTH=str(500 * MB))
    assert response.status_code == 413
    assert nothing_saved(request_notice, media)


@pytest.mark.django_db
def test_the_answer_is_still_csrf_protected(request_notice, coordinator, media):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    response = client.post(answer_url(request_notice), {"text": "Svar", "files": [upload("a.pdf", pdf_bytes())]})
    assert response.status_code == 403
    assert nothing_saved(request_notice, media)


# --- downloads: access over every role, audited -------------------------------------------------------------------

# (role, organisation, may download the København answer's file)
DOWNLOAD_CASES = [
    (Role.KRFO_CASE_WORKER, "krfo-koebenhavns-faengsler", True),  # holds the person (ADR 0008)
    (Role.KRFO_MANAGER, "krfo-koebenhavns-faengsler", True),
    (Role.KRFO_MANAGER, "krfo-storstroem", False),  # another prison
    (Role.PROBATION_OFFICER, "krfo-kif-hovedstaden", False),
    (Role.YOUTH_SUPERVISOR, "krfo-ungekriminalforsorgen", False),
    (Role.MUNICIPAL_CASE_WORKER, "101", True),
    (Role.MUNICIPAL_COORDINATOR, "101", True),
    (Role.MUNICIPAL_CASE_WORKER, "751", False),
    (Role.MUNICIPAL_COORDINATOR, "751", False),
    (Role.POLICE_OFFICER, "1470", False),
    (Role.UDK_OFFICER, "udbetaling-danmark", False),
    (Role.ADMINISTRATOR, "krfo-direktoratet", False),
]


def test_every_role_is_covered():
    assert {row[0] for row in DOWNLOAD_CASES} == set(Role)


@pytest.fixture
def answered_file(request_notice, coordinator) -> NotificationAttachment:
    ns.notification_answer(
        request_notice, files=[upload("Sagsakter æøå.pdf", pdf_bytes())], text="Vedlagt", acting_user=coordinator
    )
    return NotificationAttachment.objects.get()


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "code", "allowed"), DOWNLOAD_CASES, ids=[f"{r}-{c}" for r, c, _ in DOWNLOAD_CASES])
def test_download_access_per_role(client, answered_file, role, code, allowed):
    user = user_with_role(role, code)
    client.force_login(user)
    response = client.get(f"/indbakke/bilag/{answered_file.pk}/")
    downloads = AuditEvent.objects.filter(action="notifications.attachment_download", actor=user)
    if allowed:
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == pdf_bytes()
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert "Sagsakter%20%C3%A6%C3%B8%C3%A5.pdf" in response["Content-Disposition"]
        [event] = downloads
        assert event.person == answered_file.notification.person
        assert event.object_id == str(answered_file.pk)
    else:
        assert response.status_code == 404
        assert not downloads.exists()


@pytest.mark.django_db
def test_download_of_a_missing_or_vanished_file_is_404(client, answered_file, worker, media):
    import uuid

    client.force_login(worker)
    assert client.get(f"/indbakke/bilag/{uuid.uuid4()}/").status_code == 404
    (media / answered_file.file.name).unlink()
    assert client.get(f"/indbakke/bilag/{answered_file.pk}/").status_code == 404
    client.logout()
    assert client.get(f"/indbakke/bilag/{answered_file.pk}/").status_code == 302  # to the login page


@pytest.mark.django_db
def test_krfo_sees_the_answer_and_its_file_on_the_episode_page(client, answered_file, worker):
    client.force_login(worker)
    html = client.get(f"/klienter/forloeb/{answered_file.notification.thread_id}/").content.decode()
    assert "Svar fra Københavns Kommune" in html
    assert f"/indbakke/bilag/{answered_file.pk}/" in html and "Hent Sagsakter æøå.pdf" in html
