"""One table of answers, fed to the inbox form, the service and the API: all three accept and refuse the same ones.

They all read the notice's rule from notifications.registry and check with notifications.answers.check_answer,
so a rule (which decisions need a date, which are not offered for a subject, the date window) is stated once.
Each attempt runs in a savepoint that is rolled back, so every row starts from the same unanswered notice.
"""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from samarbejde.api.models import ApiScope
from samarbejde.api.services import api_key_create
from samarbejde.custody.tests.factories import admit, krfo_case_worker, make_person
from samarbejde.notifications import services as ns
from samarbejde.notifications.forms import AnswerForm
from samarbejde.notifications.models import NotificationAnswer
from samarbejde.organisations.roles import Role
from samarbejde.organisations.tests.factories import organisation, user_with_role

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
D = TODAY.isoformat()
LONG_BEFORE = (TODAY - timedelta(days=40)).isoformat()  # the notices below are admitted today
YEARS_AHEAD = (TODAY + timedelta(days=800)).isoformat()
SOON = (TODAY + timedelta(days=90)).isoformat()

# (case, notice, decisions {subject: (code, date, text)}, free text, accepted)
CASES = [
    (
        "both stopped with a date",
        "benefits",
        {"kontanthjaelp": ("stopped", D, ""), "uddannelseshjaelp": ("stopped", D, "")},
        "",
        True,
    ),
    (
        "stopped needs a date",
        "benefits",
        {"kontanthjaelp": ("stopped", "", ""), "uddannelseshjaelp": ("stopped", D, "")},
        "",
        False,
    ),
    (
        "rent covered needs a date",
        "benefits",
        {"kontanthjaelp": ("rent_covered", "", ""), "uddannelseshjaelp": ("no_benefit", "", "")},
        "",
        False,
    ),
    (
        "reduced with a date",
        "benefits",
        {"kontanthjaelp": ("reduced", D, ""), "uddannelseshjaelp": ("no_benefit", "", "")},
        "",
        True,
    ),
    (
        "continued needs no date",
        "benefits",
        {"kontanthjaelp": ("continued", "", ""), "uddannelseshjaelp": ("no_benefit", "", "")},
        "",
        True,
    ),
    ("a decision per benefit", "benefits", {"kontanthjaelp": ("stopped", D, "")}, "", False),
    (
        "not a benefit of the notice",
        "benefits",
        {
            "kontanthjaelp": ("stopped", D, ""),
            "uddannelseshjaelp": ("stopped", D, ""),
            "fleksydelse": ("stopped", D, ""),
        },
        "",
        False,
    ),
    (
        "an unknown decision",
        "benefits",
        {"kontanthjaelp": ("maybe", D, ""), "uddannelseshjaelp": ("stopped", D, "")},
        "",
        False,
    ),
    (
        "long before the admission",
        "benefits",
        {"kontanthjaelp": ("stopped", LONG_BEFORE, ""), "uddannelseshjaelp": ("stopped", D, "")},
        "",
        False,
    ),
    (
        "years ahead",
        "benefits",
        {"kontanthjaelp": ("rent_covered", YEARS_AHEAD, ""), "uddannelseshjaelp": ("stopped", D, "")},
        "",
        False,
    ),
    (
        "other needs a text",
        "benefits",
        {"kontanthjaelp": ("other", "", ""), "uddannelseshjaelp": ("stopped", D, "")},
        "",
        False,
    ),
    (
        "other with a text",
        "benefits",
        {"kontanthjaelp": ("other", "", "Afventer ansøgning"), "uddannelseshjaelp": ("stopped", D, "")},
        "",
        True,
    ),
    ("text alone is not a decision", "benefits", {}, "Vi ser på det.", False),
    ("sygedagpenge do not continue", "sygedagpenge", {"sygedagpenge": ("continued", "", "")}, "", False),
    ("sygedagpenge stopped", "sygedagpenge", {"sygedagpenge": ("stopped", D, "")}, "", True),
    ("the municipality does not stop the pension", "pension_rent", {"folkepension": ("stopped", D, "")}, "", False),
    (
        "the municipality covers rent until a date",
        "pension_rent",
        {"folkepension": ("rent_covered", SOON, "")},
        "",
        True,
    ),
    ("no help towards rent", "pension_rent", {"folkepension": ("no_benefit", "", "")}, "", True),
    ("udk stops the pension", "pension_udk", {"folkepension": ("stopped", D, "")}, "", True),
    ("udk stops the pension from a date", "pension_udk", {"folkepension": ("stopped", "", "")}, "", False),
    ("udk does not continue the pension", "pension_udk", {"folkepension": ("continued", "", "")}, "", False),
]


@pytest.fixture(autouse=True)
def _clear_throttle_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def notices():
    worker = krfo_case_worker()

    def admitted(**person):
        return admit(make_person(acting_user=worker, **person), acting_user=worker).notifications

    benefits = admitted(benefits=["kontanthjaelp", "uddannelseshjaelp"])
    sick = admitted(benefits=["sygedagpenge"])
    pensioner = admitted(pension="folkepension")
    by_rule = {n.rule: n for n in pensioner}
    return {
        "benefits": benefits[0],
        "sygedagpenge": sick[0],
        "pension_rent": by_rule["admission.pension_rent"],
        "pension_udk": by_rule["admission.pension_udk"],
    }


def _rolled_back(attempt):
    """Run `attempt` in a savepoint that is always rolled back; its result (accepted or not) is kept."""
    with transaction.atomic():
        result = attempt()
        transaction.set_rollback(True)
    return result


def via_service(notice, user, decisions, text) -> bool:
    def attempt():
        try:
            ns.notification_answer(
                notice,
                decisions={
                    s: {"code": c, "effective_date": d or None, "text": t} for s, (c, d, t) in decisions.items()
                },
                text=text,
                acting_user=user,
            )
        except ValidationError:
            return False
        return True

    return _rolled_back(attempt)


def via_form(notice, decisions, text) -> bool:
    data = {"text": text}
    for subject, (code, day, decision_text) in decisions.items():
        data.update({f"{subject}-code": code, f"{subject}-date": day, f"{subject}-text": decision_text})
    return AnswerForm(data, notification=notice).is_valid()


def via_api(client, notice, raw_key, decisions, text) -> bool:
    body = {
        "decisions": [
            {"subject": s, "code": c, "effective_date": d or None, "text": t} for s, (c, d, t) in decisions.items()
        ],
        "text": text,
    }

    def attempt():
        response = client.post(
            f"/api/v1/notifications/{notice.pk}/answers/",
            body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {raw_key}",
        )
        assert response.status_code in (201, 400), response.content
        if response.status_code == 400:
            assert response["Content-Type"].startswith("application/problem+json")
            assert response.json()["detail"]  # a Danish explanation
        return response.status_code == 201

    return _rolled_back(attempt)


@pytest.mark.parametrize(("case", "which", "decisions", "text", "accepted"), CASES, ids=[c[0] for c in CASES])
def test_form_service_and_api_accept_and_refuse_the_same_answers(
    client, notices, case, which, decisions, text, accepted
):
    notice = notices[which]
    code = notice.recipient_organisation.code
    user = (
        user_with_role(Role.UDK_OFFICER)
        if code == "udbetaling-danmark"
        else user_with_role(Role.MUNICIPAL_CASE_WORKER, code)
    )
    raw_key = api_key_create(organisation(code), scopes=[ApiScope.NOTIFICATIONS_READ, ApiScope.NOTIFICATIONS_ANSWER])[1]
    results = {
        "form": via_form(notice, decisions, text),
        "service": via_service(notice, user, decisions, text),
        "api": via_api(client, notice, raw_key, decisions, text),
    }
    assert results == {"form": accepted, "service": accepted, "api": accepted}, case
    assert not NotificationAnswer.objects.exists()  # every attempt was rolled back


# --- answers with files: the § 808 information request (pre_sentence) and the same checks through the API ------

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE_BYTES = b"MZ\x90\x00" + b"\x00" * 60

# (case, notice, free text, files [(name, bytes)], accepted)
FILE_CASES = [
    ("text alone", "pre_sentence", "Borgeren bor i lejebolig.", [], True),
    ("a file alone", "pre_sentence", "", [("bolig.pdf", PDF_BYTES)], True),
    ("text and two files", "pre_sentence", "Se bilag.", [("a.pdf", PDF_BYTES), ("b.pdf", PDF_BYTES)], True),
    ("nothing at all", "pre_sentence", "", [], False),
    ("a program is no case file", "pre_sentence", "Se bilag.", [("rapport.pdf", EXE_BYTES)], False),
    ("an empty file", "pre_sentence", "Se bilag.", [("tom.pdf", b"")], False),
    ("no files to a benefits request", "benefits", "", [("a.pdf", PDF_BYTES)], False),
]


@pytest.fixture
def file_notices(settings, tmp_path):
    from samarbejde.pre_sentence.tests.factories import kif_officer, open_investigation, send_request

    settings.MEDIA_ROOT = tmp_path / "media"
    worker = krfo_case_worker()
    benefits = admit(make_person(acting_user=worker, benefits=["kontanthjaelp"]), acting_user=worker).notifications
    officer = kif_officer()
    (request,) = send_request(open_investigation(acting_user=officer), acting_user=officer).notifications
    return {"pre_sentence": request, "benefits": benefits[0]}


def _uploads(files):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return [SimpleUploadedFile(name, content, content_type="application/pdf") for name, content in files]


@pytest.mark.parametrize(("case", "which", "text", "files", "accepted"), FILE_CASES, ids=[c[0] for c in FILE_CASES])
def test_form_service_and_api_agree_on_answers_with_files(client, file_notices, case, which, text, files, accepted):
    import base64

    from django.utils.datastructures import MultiValueDict

    notice = file_notices[which]
    user = user_with_role(Role.MUNICIPAL_CASE_WORKER, "101")
    raw_key = api_key_create(organisation("101"), scopes=[ApiScope.NOTIFICATIONS_READ, ApiScope.NOTIFICATIONS_ANSWER])[
        1
    ]
    data = {"text": text}
    if which == "benefits":
        data.update({"kontanthjaelp-code": "stopped", "kontanthjaelp-date": D})
    form = AnswerForm(data, MultiValueDict({"files": _uploads(files)}), notification=notice)
    # The inbox form offers no file field for a benefits request: its files never reach the check.
    form_result = ("files" in form.fields or which != "benefits") and form.is_valid()

    def service_attempt():
        try:
            ns.notification_answer(
                notice,
                decisions={"kontanthjaelp": {"code": "stopped", "effective_date": D}} if which == "benefits" else None,
                text=text,
                files=_uploads(files),
                acting_user=user,
            )
        except ValidationError:
            return False
        return True

    def api_attempt():
        body = {
            "text": text,
            "files": [{"name": n, "content_base64": base64.b64encode(c).decode()} for n, c in files],
            "decisions": [{"subject": "kontanthjaelp", "code": "stopped", "effective_date": D}]
            if which == "benefits"
            else [],
        }
        response = client.post(
            f"/api/v1/notifications/{notice.pk}/answers/",
            body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {raw_key}",
        )
        assert response.status_code in (201, 400), response.content
        if response.status_code == 201:
            assert [f["name"] for f in response.json()["files"]] == [n for n, _ in files]
        else:
            assert response.json()["detail"]
        return response.status_code == 201

    results = {"form": form_result, "service": _rolled_back(service_attempt), "api": _rolled_back(api_attempt)}
    assert results == {"form": accepted, "service": accepted, "api": accepted}, case
    assert not NotificationAnswer.objects.exists()


def test_the_api_refuses_a_file_that_is_not_base64_in_danish(client, file_notices):
    notice = file_notices["pre_sentence"]
    raw_key = api_key_create(organisation("101"), scopes=[ApiScope.NOTIFICATIONS_READ, ApiScope.NOTIFICATIONS_ANSWER])[
        1
    ]
    response = client.post(
        f"/api/v1/notifications/{notice.pk}/answers/",
        {"text": "", "files": [{"name": "a.pdf", "content_base64": "ikke base64!"}]},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw_key}",
    )
    assert response.status_code == 400
    assert "ikke gyldig base64" in response.json()["detail"]
    assert not NotificationAnswer.objects.exists()


def test_the_api_refuses_an_answer_after_the_investigation_is_closed(client, file_notices):
    from samarbejde.pre_sentence.models import Investigation, InvestigationStatus
    from samarbejde.pre_sentence.services import MSG_ANSWER_CLOSED

    notice = file_notices["pre_sentence"]
    Investigation.objects.filter(pk=notice.thread_id).update(status=InvestigationStatus.CLOSED)
    raw_key = api_key_create(organisation("101"), scopes=[ApiScope.NOTIFICATIONS_READ, ApiScope.NOTIFICATIONS_ANSWER])[
        1
    ]
    response = client.post(
        f"/api/v1/notifications/{notice.pk}/answers/",
        {"text": "For sent."},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw_key}",
    )
    assert response.status_code == 400
    assert MSG_ANSWER_CLOSED in response.json()["detail"]
