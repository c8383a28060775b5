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
