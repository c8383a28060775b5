"""Writes follow the holder and the recipient (ADR 0008): every POST action (a notice's acknowledge, assign,
answer and withdraw; every episode action; a form's status; the API's acknowledge, answers and custody events)
is posted by every subject of the world that may not take it, with data that would work for one that may; the
answer is 403/404 (a redirect to sign-in for the anonymous), names no person, and nothing changes. One subject
that may take it then does, so the data is known to be good (the test's savepoint undoes it)."""

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from samarbejde.custody.models import Episode, EpisodeEvent
from samarbejde.documents.models import InmateForm, InmateFormStatusChange
from samarbejde.notifications.models import Notification, NotificationAnswer, NotificationStatusChange
from samarbejde.organisations.roles import Cap
from samarbejde.people.models import PersonLink
from tests.access_matrix.test_access_matrix import (
    ARTIFACT,
    Cell,
    _id_operations,
    _id_routes,
    sees_investigation,
    sees_notice,
    sees_person,
    tried,
)
from tests.access_matrix.world import KBH, KF, STORSTROEM, Subject, World

pytestmark = pytest.mark.django_db

WRITES: dict[str, list[Cell]] = {}  # the POST cells of this module, by action (for the figures)


def _now_local(days: int = 0) -> str:
    return (timezone.localtime() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def _third_prison() -> str:
    """A KRFO institution that is neither KF nor Storstrøm (so only the holder may report the transfer)."""
    from samarbejde.organisations.models import Organisation
    from samarbejde.organisations.roles import OrgKind

    others = Organisation.objects.filter(kind=OrgKind.KRFO_INSTITUTION, is_active=True).exclude(
        code__in=[KF, STORSTROEM]
    )
    return others.order_by("code").first().code


def _holder_acts(w: World, s: Subject, episode) -> bool:
    """Only the institution holding the person registers its events (ADR 0008), with a role that registers."""
    return s.user is not None and s.can(Cap.PERSON_REGISTER) and s.org == episode.institution.code


def _recipient_acts(w: World, s: Subject, notice) -> bool:
    return not s.org_is_krfo and sees_notice(w, s, notice)


def _withdrawer_acts(w: World, s: Subject, notice) -> bool:
    return s.org_is_krfo and s.can(Cap.PERSON_REGISTER) and sees_notice(w, s, notice)


@dataclass(frozen=True)
class Action:
    url: str  # with "{pk}"
    target: Callable  # world -> the objects to act on
    data: Callable  # (world, object) -> POST data
    allowed: Callable  # (world, subject, object) -> may this subject take the action


def _a_notice_to_101(w: World) -> list:
    """A's open notices to Københavns Kommune (not withdrawn, not answered): 101 may act on them, nobody else."""
    a, answered = w.persons["A"], w.attachment.notification_id
    return [
        n
        for n in w.notices
        if n.person_id == a.pk and n.recipient_organisation.code == KBH and not n.withdrawn_at and n.pk != answered
    ]


def _episodes(w: World) -> list:
    """A (held by KF) and D (transferred from KF to Storstrøm two days ago: KF still sees it, but may not act)."""
    return [w.episodes["A"], w.episodes["D"]]


def _consent_recorder_acts(w: World, s: Subject, consent) -> bool:
    return s.user is not None and s.can(Cap.CONSENT_RECORD) and sees_person(w, s, consent.person)


def _plan_version(plan) -> int:
    from samarbejde.action_plans.models import ActionPlan

    return ActionPlan.objects.get(pk=plan.pk).version


def _plan_holder_acts(w: World, s: Subject, plan) -> bool:
    """action_plans: the institution that holds the person writes the plan."""
    return _holder_acts(w, s, plan.episode)


def _plan_municipality_acts(w: World, s: Subject, plan) -> bool:
    from tests.access_matrix.test_access_matrix import sees_shared_plan

    return s.user is not None and sees_shared_plan(w, s, plan)


ACTIONS: dict[str, Action] = {
    # --- action_plans ---
    "plan_save": Action(
        "/handleplaner/{pk}/gem/",
        lambda w: w.plans,
        lambda w, p: {"version": _plan_version(p), "status": "written", "housing_goals": "Egen bolig"},
        _plan_holder_acts,
    ),
    "plan_share": Action(
        "/handleplaner/{pk}/deling/",
        lambda w: w.plans,
        lambda w, p: {"share-version": _plan_version(p), "share-housing": "legal", "share-finances": "legal"},
        _plan_holder_acts,
    ),
    "plan_municipal_reference": Action(
        "/handleplaner/kommune/{pk}/reference/",
        lambda w: w.plans,
        lambda w, p: {"reference-version": _plan_version(p), "reference-reference": "KK-2027-1"},
        _plan_municipality_acts,
    ),
    "consent_revoke": Action(
        "/samtykke/{pk}/tilbagekald/",
        lambda w: w.consents,
        lambda w, c: {"revoke-revoked_on": timezone.localdate().isoformat(), "revoke-reason": "Borgeren sagde nej"},
        _consent_recorder_acts,
    ),
    "acknowledge": Action("/indbakke/{pk}/kvitter/", _a_notice_to_101, lambda w, n: {}, _recipient_acts),
    "answer": Action(
        "/indbakke/{pk}/svar/", _a_notice_to_101, lambda w, n: {"text": "Vi tager over."}, _recipient_acts
    ),
    "assign": Action(
        "/indbakke/{pk}/tildel/",
        _a_notice_to_101,
        lambda w, n: {"assignee": str(w.subject("municipal_coordinator@101").user.pk)},
        _recipient_acts,
    ),
    "withdraw": Action(
        "/indbakke/{pk}/traek-tilbage/",
        _a_notice_to_101,
        lambda w, n: {"reason": "Sendt ved en fejl"},
        _withdrawer_acts,
    ),
    "convert": Action(
        "/klienter/forloeb/{pk}/afsoning/", _episodes, lambda w, e: {"convert-occurred_at": _now_local()}, _holder_acts
    ),
    "transfer": Action(
        "/klienter/forloeb/{pk}/overfoersel/",
        _episodes,
        lambda w, e: {"transfer-to_institution": _third_prison(), "transfer-occurred_at": _now_local()},
        _holder_acts,
    ),
    "release_date": Action(
        "/klienter/forloeb/{pk}/loesladelsesdato/",
        _episodes,
        lambda w, e: {
            "date-expected_release": (timezone.localdate() + timedelta(days=60)).isoformat(),
            "date-certainty": "estimated",
        },
        _holder_acts,
    ),
    "release": Action(
        "/klienter/forloeb/{pk}/loesladelse/",
        _episodes,
        lambda w, e: {
            "release-released_at": _now_local(),
            "release-release_kind": "parole",
            "release-address_after": "Testvej 2",
        },
        _holder_acts,
    ),
    "coordination": Action(
        "/klienter/forloeb/{pk}/koordinering/",
        _episodes,
        lambda w, e: {"coordination-coordinate": "nej", "coordination-reason": "Borgeren ønsker det ikke."},
        _holder_acts,
    ),
    "form_status": Action(
        "/blanketter/{pk}/status/",
        lambda w: [w.inmate_form],
        lambda w, f: {"status": "signed", "note": ""},
        lambda w, s, f: sees_person(w, s, f.person),
    ),
    # --- pre_sentence: the KiF office that holds the § 808 investigation sends requests and closes it ---
    "pre_sentence_request": Action(
        "/personundersoegelser/{pk}/anmodning/",
        lambda w: w.investigations,
        lambda w, i: {
            "to_home": "on",
            "questions": "Bolig?",
            "basis": "retsplejeloven:808",
            "answer_due": (timezone.localdate() + timedelta(days=5)).isoformat(),
        },
        sees_investigation,
    ),
    "pre_sentence_close": Action(
        "/personundersoegelser/{pk}/afslut/", lambda w: w.investigations, lambda w, i: {"note": ""}, sees_investigation
    ),
}


def _state(obj) -> tuple:
    """Everything an action could change about its object, its person's custody and notices."""
    model = type(obj)
    person_id = obj.person_id
    return (
        model.objects.filter(pk=obj.pk).values().get(),
        list(Episode.objects.filter(person_id=person_id).order_by("pk").values()),
        EpisodeEvent.objects.filter(episode__person_id=person_id).count(),
        list(Notification.objects.filter(person_id=person_id).order_by("pk").values("pk", "status", "withdrawn_at")),
        NotificationAnswer.objects.filter(notification__person_id=person_id).count(),
        NotificationStatusChange.objects.filter(notification__person_id=person_id).count(),
        InmateFormStatusChange.objects.filter(form__person_id=person_id).count(),
        list(InmateForm.objects.filter(person_id=person_id).values("pk", "status")),
        PersonLink.objects.filter(person_id=person_id).count(),
    )


def _names(w: World) -> list[str]:
    return [p.last_name for p in w.persons.values()] + [p.cpr for p in w.persons.values()]


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_a_post_by_a_subject_who_may_not_act_is_refused_and_changes_nothing(world, name):
    action = ACTIONS[name]
    wrong, tried, allowed_somewhere = [], 0, False
    for obj in action.target(world):
        url = action.url.format(pk=obj.pk)
        data = action.data(world, obj)
        allowed = [s for s in world.subjects if action.allowed(world, s, obj)]
        before = _state(obj)
        for s in world.subjects:
            if s in allowed:
                continue
            response = world.clients[s.key].post(url, data)
            tried += 1
            expected = {302} if s.user is None else {403, 404}
            body = response.content.decode(errors="replace")
            leak = next((x for x in _names(world) if x in body), "")
            after = _state(obj)
            if response.status_code not in expected or leak or after != before:
                wrong.append(f"{s.key} POST {url}: {response.status_code} (changed: {after != before}, leak: {leak!r})")
            WRITES.setdefault(f"POST {action.url}", []).append(
                Cell(f"POST {action.url}", s.key, False, url, frozenset(expected), response.status_code, leak)
            )
        # One who may act does: the data is good, so a refusal above was the access rule's.
        if allowed:
            allowed_somewhere = True
            response = world.clients[allowed[0].key].post(url, data)
            assert response.status_code in (200, 302) and _state(obj) != before, (
                f"{allowed[0].key} POST {url} (allowed) gave {response.status_code} and changed nothing: "
                f"{response.content.decode(errors='replace')[:2000]}"
            )
    assert tried and allowed_somewhere
    assert not wrong, "\n".join(wrong)


# --- The API's writes ----------------------------------------------------------------------------------------


def _api_post(s: Subject, url: str, body: dict):
    headers = {"Authorization": f"Bearer {s.api_key}"} if s.api_key else {}
    return Client().post(url, json.dumps(body), content_type="application/json", headers=headers)


@pytest.mark.parametrize("operation", ["acknowledge", "answers"])
def test_an_api_notice_action_by_a_key_that_may_not_act_is_refused_and_changes_nothing(world, operation):
    wrong = []
    for notice in [n for n in world.notices if n.person_id == world.persons["A"].pk]:
        url = f"/api/v1/notifications/{notice.pk}/{operation}/"
        body = {} if operation == "acknowledge" else {"text": "Vi tager over."}
        before = _state(notice)
        for s in world.api_subjects:
            if s.api_key and _recipient_acts(world, s, notice):
                continue
            response = _api_post(s, url, body)
            expected = {401} if not s.api_key else {403, 404}
            if response.status_code not in expected or _state(notice) != before:
                wrong.append(f"{s.key} POST {url}: {response.status_code}")
            WRITES.setdefault(f"POST /api/v1/notifications/{{id}}/{operation}/", []).append(
                Cell(f"POST api {operation}", s.key, False, url, frozenset(expected), response.status_code)
            )
    assert not wrong, "\n".join(wrong)


def test_a_custody_event_for_another_institutions_inmate_is_404_and_changes_nothing(world):
    """Only the holder's key registers a release; every other key gets the answer a person not in custody gets."""
    a, episode = world.persons["A"], world.episodes["A"]
    wrong = []
    for n, s in enumerate(world.api_subjects):
        if s.org == KF:
            continue
        before = _state(episode)
        body = {
            "external_id": f"matrix-{n}",
            "type": "release",
            "occurred_at": timezone.localtime().isoformat(timespec="seconds"),
            "person": {"cpr": a.cpr},
            "release": {"kind": "parole"},
        }
        response = _api_post(s, "/api/v1/custody-events/", body)
        # A key whose role never registers custody (the youth unit's, no KRFO key) is refused as such: 403.
        expected = {401} if not s.api_key else ({404} if s.can(Cap.PERSON_REGISTER) else {403, 404})
        body_text = response.content.decode(errors="replace")
        if response.status_code not in expected or _state(episode) != before or a.last_name in body_text:
            wrong.append(f"{s.key}: {response.status_code} {body_text[:300]}")
        WRITES.setdefault("POST /api/v1/custody-events/", []).append(
            Cell(
                "POST /api/v1/custody-events/",
                s.key,
                s.org == STORSTROEM,
                "",
                frozenset(expected),
                response.status_code,
            )
        )
    assert not wrong, "\n".join(wrong)


# --- The figures (last: after the POST tests of this module) -------------------------------------------------


def test_the_figures(world):
    """Every GET pattern tried (the ones a -k selection left out are tried here) and the POST actions of this
    module; the totals recorded in test-artifacts/access-matrix.txt."""
    cells = [cell for route in _id_routes() + _id_operations() for cell in tried(world, route)]
    posts = [cell for route_cells in WRITES.values() for cell in route_cells]
    statuses = Counter(c.status for c in cells)
    leaks = [c for c in cells if c.leak]
    errors = [c for c in cells if c.status >= 500]
    wrong = [c for c in cells if c.wrong]
    web_subjects, api_subjects = len(world.subjects), len(world.api_subjects)
    lines = [
        "Access matrix (tests/access_matrix/test_access_matrix.py; ADR 0008)",
        f"id-bearing URL patterns classified: {len(_id_routes())} (+ {len(_id_operations())} API operations)",
        f"subjects: {web_subjects} web (roles x own/other organisation, grants, anonymous), {api_subjects} API keys",
        f"cells tried (pattern x object x subject): {len(cells)}",
        f"  of which own organisation: {sum(c.own for c in cells)}, other: {sum(not c.own for c in cells)}",
        "statuses seen: " + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items())),
        f"not as the policy says: {len(wrong)}",
        f"leaks (a refused answer naming a person or a CPR): {len(leaks)}",
        f"server errors (5xx): {len(errors)}",
        f"POST actions tried by subjects who may not act: {len(posts)} in {len(WRITES)} actions; "
        "statuses: " + ", ".join(f"{k}: {v}" for k, v in sorted(Counter(c.status for c in posts).items())),
        f"  of which leaks: {sum(bool(c.leak) for c in posts)}, server errors: {sum(c.status >= 500 for c in posts)}",
    ]
    ARTIFACT.parent.mkdir(exist_ok=True)
    ARTIFACT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    assert len(cells) > 1000 and statuses[200] > 0 and statuses[404] > 0
    assert not wrong and not leaks and not errors
    assert not [c for c in posts if c.leak or c.status >= 500]
