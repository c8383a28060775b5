"""Consent services: giving (form or witness), bad input (each its Danish message, nothing saved), expiry,
revocation (notices to every recipient, live_for None at once) and the override gate by role."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from samarbejde.audit.models import AuditEvent
from samarbejde.consent import services as s
from samarbejde.consent.categories import DataCategory
from samarbejde.consent.models import Consent, ConsentOverride, ConsentRevocation, ConsentScope, GivenHow
from samarbejde.consent.selectors import consent_categories_live_for, consent_live_for
from samarbejde.consent.tests.factories import ConsentFactory
from samarbejde.custody.tests.factories import admit, krfo_case_worker, make_person
from samarbejde.notifications.models import Notification, NotificationKind
from samarbejde.organisations.roles import Role
from samarbejde.organisations.tests.factories import organisation, user_with_role

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def worker():
    return krfo_case_worker()


@pytest.fixture
def person(worker):
    person = make_person(acting_user=worker)
    admit(person, acting_user=worker)
    return person


@pytest.fixture
def kbh():
    return organisation("101")


def give(person, worker, **overrides):
    data = {
        "recipients": [organisation("101")],
        "categories": [DataCategory.CASE_FILES, DataCategory.HOUSING],
        "purpose": "Indhentning af sagsakter",
        "given_on": timezone.localdate(),
        "given_how": GivenHow.ORAL,
        "witness_name": "Vibeke Vidne",
        "witness_role": "Fængselsbetjent",
    }
    data.update(overrides)
    return s.consent_give(person, acting_user=worker, **data)


def pdf_upload(content=PDF, name="erklaering.pdf"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


# --- giving ---------------------------------------------------------------------------------------------


def test_give_with_witness_records_scope_rows_and_an_audit_event(person, worker, kbh):
    consent = give(person, worker, recipients=[kbh, organisation("751")])
    assert consent.given_how == GivenHow.ORAL and consent.witness_name == "Vibeke Vidne"
    assert consent.expires_on == timezone.localdate() + timedelta(days=365)
    assert consent.recorded_by == worker and consent.recorded_by_organisation.code == "krfo-koebenhavns-faengsler"
    assert set(ConsentScope.objects.filter(consent=consent).values_list("recipient__code", "category")) == {
        ("101", "case_files"),
        ("101", "housing"),
        ("751", "case_files"),
        ("751", "housing"),
    }
    [event] = AuditEvent.objects.filter(action="consent.give")
    assert event.person == person and event.object_id == str(consent.pk)
    assert event.details["recipients"] == ["101", "751"]
    assert consent_live_for(person, recipient=kbh, category=DataCategory.CASE_FILES) == consent


def test_give_with_a_signed_pdf_stores_it_privately(person, worker, media):
    consent = give(person, worker, given_how=GivenHow.SIGNED_FORM, signed_form=pdf_upload(), witness_name="x")
    assert consent.witness_name == "" and consent.signed_form.name.startswith(f"consent_forms/{consent.pk}/")
    assert consent.signed_form_size == len(PDF)
    assert consent.signed_form.read() == PDF
    assert "erklaering" not in consent.signed_form.name


def test_recipients_may_be_given_as_ids(person, worker):
    consent = give(person, worker, recipients=[str(organisation("101").pk), organisation("751").pk])
    assert set(consent.scopes.values_list("recipient__code", flat=True)) == {"101", "751"}


def test_the_default_validity_is_a_setting(person, worker, settings):
    settings.CONSENT_DEFAULT_VALIDITY_DAYS = 30
    assert give(person, worker).expires_on == timezone.localdate() + timedelta(days=30)


TODAY = date(2026, 6, 10)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"recipients": []}, s.MSG_RECIPIENTS_REQUIRED),
        ({"recipients": ["00000000-0000-0000-0000-000000000000"]}, s.MSG_RECIPIENT_UNKNOWN),
        ({"recipients": ["ikke-et-id"]}, s.MSG_RECIPIENT_UNKNOWN),
        ({"recipients": [None]}, s.MSG_RECIPIENT_UNKNOWN),
        ({"recipients": "own"}, s.MSG_RECIPIENT_OWN_UNIT),
        ({"categories": []}, s.MSG_CATEGORIES_REQUIRED),
        ({"categories": ["bogus"]}, s.MSG_CATEGORY_UNKNOWN),
        ({"purpose": "  "}, s.MSG_PURPOSE_REQUIRED),
        ({"purpose": "x" * 301}, s.MSG_PURPOSE_TOO_LONG),
        ({"given_how": ""}, s.MSG_GIVEN_HOW),
        ({"given_how": GivenHow.SIGNED_FORM}, s.MSG_FORM_REQUIRED),
        ({"given_how": GivenHow.SIGNED_FORM, "signed_form": "exe"}, s.MSG_FORM_NOT_PDF),
        ({"given_how": GivenHow.SIGNED_FORM, "signed_form": "fake_pdf"}, "Filen fake.pdf er ikke en gyldig PDF-fil"),
        ({"given_how": GivenHow.SIGNED_FORM, "signed_form": "empty"}, "Filen tom.pdf er tom."),
        ({"witness_name": ""}, s.MSG_WITNESS_REQUIRED),
        ({"witness_role": " "}, s.MSG_WITNESS_REQUIRED),
        ({"witness_name": "x" * 201}, s.MSG_WITNESS_TOO_LONG),
        ({"given_on": None}, s.MSG_GIVEN_REQUIRED),
        ({"given_on": TODAY + timedelta(days=1)}, s.MSG_GIVEN_IN_FUTURE),
        ({"given_on": date(2020, 1, 1)}, "Datoen ligger mere end 2 år tilbage"),
        ({"expires_on": TODAY}, s.MSG_EXPIRES_BEFORE_GIVEN),
        ({"given_on": TODAY - timedelta(days=30), "expires_on": TODAY - timedelta(days=1)}, s.MSG_EXPIRES_PAST),
        ({"expires_on": TODAY + timedelta(days=2000)}, "Et samtykke kan højst gælde i 1096 dage"),
    ],
)
def test_bad_input_gives_a_danish_message_and_saves_nothing(person, worker, media, overrides, message):
    files = {
        "exe": SimpleUploadedFile("virus.exe", b"MZ\x90\x00", content_type="application/pdf"),
        "fake_pdf": SimpleUploadedFile("fake.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"),
        "empty": SimpleUploadedFile("tom.pdf", b"", content_type="application/pdf"),
    }
    if overrides.get("signed_form") in files:
        overrides["signed_form"] = files[overrides["signed_form"]]
    if overrides.get("recipients") == "own":
        overrides["recipients"] = [organisation("krfo-koebenhavns-faengsler")]
    noon = timezone.make_aware(timezone.datetime(2026, 6, 10, 12))
    with time_machine.travel(noon, tick=False), pytest.raises(ValidationError) as exc:
        give(person, worker, **overrides)
    assert message in exc.value.messages[0]
    assert exc.value.code
    assert Consent.objects.count() == 0 and ConsentScope.objects.count() == 0
    assert not AuditEvent.objects.filter(action="consent.give").exists()
    assert not (media / "consent_forms").exists() or not any((media / "consent_forms").rglob("*.pdf"))


@pytest.mark.parametrize(
    ("role", "code"),
    [
        (Role.MUNICIPAL_COORDINATOR, "101"),
        (Role.ADMINISTRATOR, "krfo-direktoratet"),
        (Role.KRFO_CASE_WORKER, "krfo-storstroem"),  # another institution: no live link to the person
        (Role.YOUTH_SUPERVISOR, "krfo-ungekriminalforsorgen"),
    ],
)
def test_only_krfo_users_who_see_the_person_may_record(person, role, code):
    with pytest.raises(PermissionDenied):
        give(person, user_with_role(role, code))
    assert Consent.objects.count() == 0


# --- expiry ---------------------------------------------------------------------------------------------


def test_a_consent_is_live_through_its_expiry_day_and_not_after(person, worker, kbh):
    with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 3, 1, 9)), tick=False):
        consent = give(person, worker, expires_on=date(2026, 3, 31))
    for moment, live in (
        (timezone.datetime(2026, 3, 1, 10), True),
        (timezone.datetime(2026, 3, 31, 23, 59), True),
        (timezone.datetime(2026, 4, 1, 0, 1), False),
    ):
        with time_machine.travel(timezone.make_aware(moment), tick=False):
            found = consent_live_for(person, recipient=kbh, category=DataCategory.CASE_FILES)
            assert (found == consent) is live, moment
            assert (consent_categories_live_for(person, recipient=kbh) == {"case_files", "housing"}) is live


# --- revoking -------------------------------------------------------------------------------------------


def test_revoke_stops_sharing_at_once_and_tells_every_recipient(person, worker, kbh):
    consent = give(person, worker, recipients=[kbh, organisation("751")])
    revocation = s.consent_revoke(
        consent, revoked_on=timezone.localdate(), reason="Borgeren trak samtykket tilbage", acting_user=worker
    )
    assert consent_live_for(person, recipient=kbh, category=DataCategory.CASE_FILES) is None
    assert consent_categories_live_for(person, recipient=kbh) == set()
    consent.refresh_from_db()
    assert consent.revoked_at is not None and revocation.reason == "Borgeren trak samtykket tilbage"
    notices = Notification.objects.filter(kind=NotificationKind.CONSENT_REVOKED_NOTICE).order_by(
        "recipient_organisation__code"
    )
    assert [n.recipient_organisation.code for n in notices] == ["101", "751"]
    for notice in notices:
        assert notice.rule == "consent.revoked" and not notice.needs_answer
        assert notice.source_id == revocation.pk and notice.thread_id == consent.pk
        assert notice.person == person
        assert notice.snapshot["consent_categories"] == ["case_files", "housing"]
        assert notice.snapshot["consent_purpose"] == "Indhentning af sagsakter"
        assert notice.legal_basis.act.key == "databeskyttelsesloven"
        assert notice.thread_ended_at is not None  # the recipients' links run out (people.link_rules)
    assert AuditEvent.objects.filter(action="consent.revoke", person=person).count() == 1


def test_a_revoked_consent_was_live_before_the_revocation(person, worker, kbh):
    with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 3, 1, 9)), tick=False):
        consent = give(person, worker)
    with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 3, 10, 9)), tick=False):
        s.consent_revoke(consent, revoked_on=date(2026, 3, 9), reason="Tilbagekaldt", acting_user=worker)
    assert consent_live_for(person, recipient=kbh, category="case_files", at=date(2026, 3, 5)) == consent
    assert consent_live_for(person, recipient=kbh, category="case_files", at=date(2026, 3, 10)) is None
    assert (
        consent_live_for(
            person, recipient=kbh, category="case_files", at=timezone.make_aware(timezone.datetime(2026, 3, 10, 8))
        )
        == consent
    )


@pytest.mark.parametrize(
    ("revoked_on", "reason", "message"),
    [
        ("today", "", s.MSG_REVOKE_REASON_REQUIRED),
        ("today", "x" * 1001, s.MSG_REVOKE_REASON_TOO_LONG),
        (None, "Grund", s.MSG_REVOKED_ON_REQUIRED),
        ("tomorrow", "Grund", s.MSG_REVOKED_ON_FUTURE),
        ("before", "Grund", s.MSG_REVOKED_BEFORE_GIVEN),
    ],
)
def test_bad_revocation_input_saves_nothing(person, worker, revoked_on, reason, message):
    consent = give(person, worker)
    day = {
        "today": timezone.localdate(),
        "tomorrow": timezone.localdate() + timedelta(days=1),
        "before": timezone.localdate() - timedelta(days=1),
        None: None,
    }[revoked_on]
    with pytest.raises(ValidationError) as exc:
        s.consent_revoke(consent, revoked_on=day, reason=reason, acting_user=worker)
    assert exc.value.messages == [message]
    consent.refresh_from_db()
    assert consent.revoked_at is None and not ConsentRevocation.objects.exists()
    assert not Notification.objects.filter(kind=NotificationKind.CONSENT_REVOKED_NOTICE).exists()


def test_a_second_revocation_is_refused(person, worker):
    consent = give(person, worker)
    s.consent_revoke(consent, revoked_on=timezone.localdate(), reason="Grund", acting_user=worker)
    with pytest.raises(ValidationError) as exc:
        s.consent_revoke(consent, revoked_on=timezone.localdate(), reason="Igen", acting_user=worker)
    assert exc.value.messages == [s.MSG_ALREADY_REVOKED]
    assert Notification.objects.filter(kind=NotificationKind.CONSENT_REVOKED_NOTICE).count() == 1


def test_municipal_users_may_not_revoke(person, worker):
    consent = give(person, worker)
    with pytest.raises(PermissionDenied):
        s.consent_revoke(
            consent,
            revoked_on=timezone.localdate(),
            reason="Grund",
            acting_user=user_with_role(Role.MUNICIPAL_COORDINATOR, "101"),
        )


# --- the gate and the override --------------------------------------------------------------------------


def test_require_returns_the_live_consent(person, kbh):
    consent = ConsentFactory(person=person, recipients=[kbh], categories=[DataCategory.HOUSING])
    assert s.consent_require(person, recipient=kbh, category=DataCategory.HOUSING) == consent
    with pytest.raises(s.ConsentMissing) as exc:
        s.consent_require(person, recipient=kbh, category=DataCategory.HEALTH)
    assert exc.value.messages == [s.MSG_NO_CONSENT] and exc.value.code == "no_consent"


def test_a_manager_overrides_with_a_reason_audited_and_listed(person, kbh):
    manager = user_with_role(Role.KRFO_MANAGER, "krfo-koebenhavns-faengsler")
    override = s.consent_require(
        person,
        recipient=kbh,
        category=DataCategory.CASE_FILES,
        purpose="Indhentning af sagsakter",
        acting_user=manager,
        override_reason="Borgeren er akut selvmordstruet; kommunens oplysninger er nødvendige nu",
    )
    assert isinstance(override, ConsentOverride)
    assert (override.person, override.recipient, override.category, override.acting_user) == (
        person,
        kbh,
        "case_files",
        manager,
    )
    assert override.organisation.code == "krfo-koebenhavns-faengsler" and override.purpose == "Indhentning af sagsakter"
    [event] = AuditEvent.objects.filter(action="consent.override")
    assert event.person == person and event.object_id == str(override.pk)


@pytest.mark.parametrize(
    ("role", "code", "reason", "message"),
    [
        (Role.KRFO_CASE_WORKER, "krfo-koebenhavns-faengsler", "Hastende", s.MSG_OVERRIDE_NOT_ALLOWED),
        (Role.PROBATION_OFFICER, "krfo-kif-hovedstaden", "Hastende", s.MSG_OVERRIDE_NOT_ALLOWED),
        (Role.ADMINISTRATOR, "krfo-direktoratet", "Hastende", s.MSG_OVERRIDE_NOT_ALLOWED),
        (Role.MUNICIPAL_COORDINATOR, "101", "Hastende", s.MSG_OVERRIDE_NOT_ALLOWED),
        (Role.KRFO_MANAGER, "krfo-storstroem", "   ", s.MSG_NO_CONSENT),
        (Role.KRFO_MANAGER, "krfo-storstroem", "x" * 1001, s.MSG_OVERRIDE_REASON_TOO_LONG),
    ],
)
def test_override_refused(person, kbh, role, code, reason, message):
    with pytest.raises(ValidationError) as exc:
        s.consent_require(
            person, recipient=kbh, category="case_files", acting_user=user_with_role(role, code), override_reason=reason
        )
    assert exc.value.messages == [message]
    assert not ConsentOverride.objects.exists() and not AuditEvent.objects.filter(action="consent.override").exists()


def test_an_override_rolls_back_with_the_disclosure_that_failed(person, kbh):
    """consent_require joins the caller's transaction: a disclosure that fails after the gate leaves no
    override row and no audit event behind."""
    from django.db import transaction

    manager = user_with_role(Role.KRFO_MANAGER, "krfo-koebenhavns-faengsler")
    with pytest.raises(RuntimeError), transaction.atomic():
        s.consent_require(person, recipient=kbh, category="health", acting_user=manager, override_reason="Akut")
        raise RuntimeError("the disclosure failed")
    assert not ConsentOverride.objects.exists()
    assert not AuditEvent.objects.filter(action="consent.override").exists()


def test_a_failure_after_the_file_is_stored_removes_it(person, worker, media, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr(s, "_save_consent", boom)
    with pytest.raises(RuntimeError):
        give(person, worker, given_how=GivenHow.SIGNED_FORM, signed_form=pdf_upload())
    assert (media / "consent_forms").is_dir()  # the file was written, then removed
    assert not any((media / "consent_forms").rglob("*.pdf"))
    assert not Consent.objects.exists()
