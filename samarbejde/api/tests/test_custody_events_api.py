"""POST /api/v1/custody-events/: the five event types through the UI's services, idempotency by external_id,
Danish problem details for bad input (nothing saved), keys and scopes, query count."""

import json
from datetime import date, datetime, timedelta
from unittest import mock

import pytest
import time_machine
from django.core.cache import cache
from django.db import IntegrityError
from django.db.models import Q
from django.utils import timezone

from samarbejde.api import services as api_services
from samarbejde.api.custody_event_serializers import body_hash
from samarbejde.api.models import ApiKey, ApiScope, CustodyEventRecord
from samarbejde.api.services import api_key_create, api_key_revoke
from samarbejde.audit.models import AuditEvent
from samarbejde.custody import services as custody_services
from samarbejde.custody.models import Episode, EpisodeEvent
from samarbejde.custody.services import split_name
from samarbejde.custody.tests.factories import INSTITUTION, OTHER_INSTITUTION, krfo_case_worker, next_cpr
from samarbejde.notifications.models import Notification
from samarbejde.organisations.models import Organisation
from samarbejde.people.models import Person, PersonLink

pytestmark = pytest.mark.django_db
URL = "/api/v1/custody-events/"
TZ = timezone.get_current_timezone()
FROZEN = datetime(2027, 3, 24, 10, 0, tzinfo=TZ)
KRFO = "krfo-koebenhavns-faengsler"


@pytest.fixture(autouse=True)
def _clear_throttle_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def frozen():
    with time_machine.travel(FROZEN, tick=False):
        yield


@pytest.fixture
def krfo_key():
    key, raw = api_key_create(Organisation.objects.get(code=KRFO), scopes=[ApiScope.CUSTODY_EVENTS_WRITE])
    return key, raw


def auth(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def post(client, raw, body, **kw):
    return client.post(URL, json.dumps(body), content_type="application/json", **auth(raw), **kw)


_ids = iter(range(1, 10**6))


def admission(cpr: str, **overrides) -> dict:
    body = {
        "external_id": f"klient-2027-{next(_ids):06d}",
        "type": "admission",
        "occurred_at": "2027-03-24T09:30:00+01:00",
        "institution": INSTITUTION,
        "custody_type": "remand",
        "person": {
            "cpr": cpr,
            "name": "Hans Peter Jensen",
            "address": "Testvej 1, 2450 København SV",
            "home_municipality": "101",
            "pension": "folkepension",
            "benefits": ["kontanthjaelp"],
        },
        "expected_release": {"date": "2027-12-01", "certainty": "estimated"},
    }
    body.update(overrides)
    return body


def event(kind: str, cpr: str, **fields) -> dict:
    return {
        "external_id": f"klient-2027-{next(_ids):06d}",
        "type": kind,
        "occurred_at": "2027-03-24T09:45:00+01:00",
        "person": {"cpr": cpr},
        **fields,
    }


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["detail"] and body["type"] == "about:blank"
    return body


def counts() -> tuple:
    return (
        Person.objects.count(),
        Episode.objects.count(),
        EpisodeEvent.objects.count(),
        Notification.objects.count(),
        PersonLink.objects.count(),
        AuditEvent.objects.count(),
        CustodyEventRecord.objects.count(),
    )


def notice_rows(notices) -> list[tuple]:
    """What a notice is, independent of ids: kind, recipient, department, legal basis, due date."""
    return sorted(
        (
            n.kind,
            n.recipient_organisation.code,
            n.recipient_department.kind if n.recipient_department else None,
            str(n.legal_basis),
            n.due_date,
        )
        for n in notices
    )


def api_rows(body) -> list[tuple]:
    return sorted(
        (
            n["kind"],
            n["recipient"]["code"],
            n["recipient"]["department"]["kind"] if n["recipient"]["department"] else None,
            f"{n['legal_basis']['act']} {n['legal_basis']['paragraph']}".strip(),
            date.fromisoformat(n["due_date"]) if n["due_date"] else None,
        )
        for n in body["notifications"]
    )


# -- The five types: the same records as the UI ---------------------------------------------------------


def _ui_run(steps):
    """The same events through the services as the custody pages call them (a KRFO case worker)."""
    worker = krfo_case_worker()
    cpr = next_cpr()
    outcome = custody_services.admission_register(
        person=None,
        cpr=cpr,
        first_name="Hans Peter",
        last_name="Jensen",
        address="Testvej 1, 2450 København SV",
        home_municipality=Organisation.objects.get(code="101"),
        pension="folkepension",
        benefits=["kontanthjaelp"],
        institution=Organisation.objects.get(code=INSTITUTION),
        custody_type="remand",
        admitted_at=datetime(2027, 3, 24, 9, 30, tzinfo=TZ),
        expected_release=date(2027, 12, 1),
        certainty="estimated",
        acting_user=worker,
    )
    outcomes = [outcome]
    for step in steps:
        outcomes.append(step(outcome.episode, worker))
    return outcomes


UI_STEPS = {
    "conversion": lambda episode, user: custody_services.episode_convert_to_sentence(
        episode, occurred_at=datetime(2027, 3, 24, 9, 45, tzinfo=TZ), acting_user=user
    ),
    "transfer": lambda episode, user: custody_services.episode_transfer(
        episode,
        to_institution=Organisation.objects.get(code=OTHER_INSTITUTION),
        occurred_at=datetime(2027, 3, 24, 9, 45, tzinfo=TZ),
        acting_user=user,
    ),
    "release_date_change": lambda episode, user: custody_services.episode_change_release_date(
        episode,
        expected_release=date(2027, 5, 1),
        certainty="decided",
        occurred_at=datetime(2027, 3, 24, 9, 45, tzinfo=TZ),
        acting_user=user,
    ),
    "release": lambda episode, user: custody_services.episode_release(
        episode,
        released_at=datetime(2027, 3, 24, 9, 45, tzinfo=TZ),
        release_kind="from_court",
        address_after="Nyvej 2, 2400 København NV",
        acting_user=user,
    ),
}
API_FIELDS = {
    "conversion": {},
    "transfer": {"institution": OTHER_INSTITUTION},
    "release_date_change": {"expected_release": {"date": "2027-05-01", "certainty": "decided"}},
    "release": {"release": {"kind": "from_court", "address_after": "Nyvej 2, 2400 København NV"}},
}


@pytest.mark.usefixtures("frozen")
def test_admission_creates_person_episode_notices_and_audit_like_the_ui(client, krfo_key):
    key, raw = krfo_key
    (ui,) = _ui_run([])
    cpr = next_cpr()
    body = admission(cpr)
    response = post(client, raw, body)
    assert response.status_code == 201, response.content
    result = response.json()

    person = Person.objects.get(cpr=cpr)
    assert (person.first_name, person.last_name) == ("Hans Peter", "Jensen")
    assert (person.home_municipality.code, person.pension, person.benefits) == (
        "101",
        "folkepension",
        ["kontanthjaelp"],
    )
    episode = Episode.objects.get(person=person)
    assert (episode.institution.code, episode.custody_type, episode.status) == (INSTITUTION, "remand", "open")
    assert (episode.expected_release_date, episode.release_certainty) == (date(2027, 12, 1), "estimated")
    notices = list(Notification.objects.filter(thread_id=episode.pk))
    assert notice_rows(notices) == notice_rows(ui.notifications)
    assert api_rows(result) == notice_rows(notices)
    # Deadlines by the rules, from the admission day (frozen): e.g. the benefits request's due date.
    assert ("benefits_decision_request", "101", "ydelse", "Cirkulæreskrivelse om indberetning", date(2027, 4, 12)) in (
        api_rows(result)
    )

    assert result["external_id"] == body["external_id"] and result["type"] == "admission"
    assert result["episode"] == {
        "id": str(episode.pk),
        "status": "open",
        "url": f"http://testserver/klienter/forloeb/{episode.pk}/",
        "institution": {"code": INSTITUTION, "name": episode.institution.name},
        "custody_type": "remand",
        "admitted_at": "2027-03-24T09:30:00+01:00",
        "expected_release": {"date": "2027-12-01", "certainty": "estimated"},
        "released_at": None,
        "release_kind": "",
    }
    ev = EpisodeEvent.objects.get(episode=episode)
    assert result["event"] == {"id": str(ev.pk), "kind": "admission", "occurred_at": "2027-03-24T09:30:00+01:00"}
    first = next(
        n for n in result["notifications"] if n["kind"] == "pension_notice" and n["recipient"]["code"] == "101"
    )
    notice = Notification.objects.get(pk=first["id"])
    assert first["legal_basis"] == {
        "key": "social-pension:46",
        "act": "Lov om social pension",
        "act_title": notice.legal_basis.act.title,
        "paragraph": "§ 46",
        "reference": "§ 46",
        "citation": notice.legal_basis.act.citation,
        "url": notice.legal_basis.act.url,
    }
    assert first["recipient"]["name"] == "Københavns Kommune" and first["needs_answer"] is True
    assert result["warnings"] == []
    assert "Jensen" not in response.content.decode() and cpr not in response.content.decode()

    # Audit: the UI's events, with the key's service user as actor and the key in the label.
    events = AuditEvent.objects.filter(actor__username=f"api:{KRFO}")
    ui_actions = sorted(AuditEvent.objects.filter(person=ui.episode.person).values_list("action", flat=True))
    assert sorted(e.action for e in events) == sorted([*ui_actions, "people.search"])
    assert all(e.person_id == person.pk for e in events if e.action != "people.search")
    assert {(e.actor.username, e.actor_label) for e in events} == {
        (f"api:{KRFO}", f"api:{KRFO} (nøgle smb_{key.prefix})")
    }

    record = CustodyEventRecord.objects.get()
    assert (record.organisation.code, record.api_key, record.external_id, record.type) == (
        KRFO,
        key,
        body["external_id"],
        "admission",
    )
    assert (record.status_code, record.episode, record.event) == (201, episode, ev)
    assert json.loads(record.response) == result and record.body_hash == body_hash_of(body)


def body_hash_of(body) -> str:
    from samarbejde.api.custody_event_serializers import CustodyEventInputSerializer

    serializer = CustodyEventInputSerializer(data=body)
    assert serializer.is_valid(), serializer.errors
    return body_hash(serializer.validated_data)


@pytest.mark.usefixtures("frozen")
@pytest.mark.parametrize("kind", ["conversion", "transfer", "release_date_change", "release"])
def test_each_later_event_applies_to_the_open_episode_like_the_ui(client, krfo_key, kind):
    key, raw = krfo_key
    _, ui = _ui_run([UI_STEPS[kind]])
    cpr = next_cpr()
    assert post(client, raw, admission(cpr)).status_code == 201
    body = event(kind, cpr, **API_FIELDS[kind])
    before = set(AuditEvent.objects.values_list("pk", flat=True))
    response = post(client, raw, body)
    assert response.status_code == 201, response.content
    result = response.json()

    episode = Episode.objects.get(person__cpr=cpr)
    ui_episode = Episode.objects.get(pk=ui.episode.pk)
    fields = ("status", "custody_type", "institution_id", "expected_release_date", "release_certainty")
    fields += ("released_at", "release_kind", "address_after_release")
    assert [getattr(episode, f) for f in fields] == [getattr(ui_episode, f) for f in fields]
    ev = EpisodeEvent.objects.get(episode=episode, kind=kind)
    ui_ev = EpisodeEvent.objects.get(episode=ui_episode, kind=kind)
    assert (ev.payload, ev.occurred_at, ev.from_institution_id, ev.to_institution_id) == (
        ui_ev.payload,
        ui_ev.occurred_at,
        ui_ev.from_institution_id,
        ui_ev.to_institution_id,
    )
    assert ev.acting_user.username == f"api:{KRFO}"
    sent = Notification.objects.filter(source_id=ev.pk)
    assert notice_rows(sent) == notice_rows(ui.notifications)
    assert api_rows(result) == notice_rows(sent)
    assert result["event"] == {"id": str(ev.pk), "kind": kind, "occurred_at": "2027-03-24T09:45:00+01:00"}
    assert result["episode"]["id"] == str(episode.pk) and result["episode"]["status"] == episode.status

    new_events = AuditEvent.objects.exclude(pk__in=before)
    new_actions = sorted(new_events.values_list("action", flat=True))
    ui_actions = sorted(
        AuditEvent.objects.filter(person=ui_episode.person)
        .filter(Q(details__event=str(ui_ev.pk)) | Q(details__source=str(ui_ev.pk)))
        .values_list("action", flat=True)
    )
    ui_actions += ["people.link_open"] * len(ui.notifications)
    # The custody links (ADR 0008): a transfer opens one for the new holder; a transfer or release lets the old
    # holder's run out, and a release lets every recipient's notice link run out (the same count in the UI run).
    ui_actions += ["people.link_open"] * (kind == "transfer")
    ui_actions += ["people.link_expire"] * AuditEvent.objects.filter(
        person=ui_episode.person, action="people.link_expire"
    ).count()
    assert new_actions == sorted([*ui_actions, "people.search"])
    assert {e.actor_label for e in new_events} == {f"api:{KRFO} (nøgle smb_{key.prefix})"}


@pytest.mark.usefixtures("frozen")
def test_existing_person_has_situation_updated_and_name_kept(client, krfo_key):
    _, raw = krfo_key
    cpr = next_cpr()
    assert post(client, raw, admission(cpr)).status_code == 201
    assert post(client, raw, event("release", cpr, release={"kind": "parole"})).status_code == 201
    again = admission(cpr, occurred_at="2027-03-24T09:50:00+01:00")
    again["person"] = {
        "cpr": f"{cpr[:6]}-{cpr[6:]}",
        "name": "Et Andet Navn",
        "home_municipality": "147",
        "pension": "none",
        "benefits": ["sygedagpenge", "kontanthjaelp"],
    }
    response = post(client, raw, again)
    assert response.status_code == 201, response.content
    person = Person.objects.get(cpr=cpr)
    assert (person.first_name, person.last_name, person.address) == (
        "Hans Peter",
        "Jensen",
        "Testvej 1, 2450 København SV",
    )
    assert (person.home_municipality.code, person.pension, person.benefits) == (
        "147",
        "none",
        ["kontanthjaelp", "sygedagpenge"],
    )
    assert Episode.objects.filter(person=person).count() == 2
    assert {n["recipient"]["code"] for n in response.json()["notifications"]} == {"147"}


@pytest.mark.usefixtures("frozen")
def test_an_offset_postgresql_does_not_know_is_just_another_instant(client, krfo_key):
    _, raw = krfo_key
    response = post(client, raw, admission(next_cpr(), occurred_at="2027-03-23T12:00:00-21:07"))
    assert response.status_code == 201, response.content
    assert response.json()["episode"]["admitted_at"] == "2027-03-24T10:07:00+01:00"


@pytest.mark.usefixtures("frozen")
def test_unknown_home_municipality_gives_a_warning(client, krfo_key):
    _, raw = krfo_key
    body = admission(next_cpr())
    body["person"].update(home_municipality=None, pension="foertidspension", benefits=[])
    result = post(client, raw, body).json()
    assert [n["recipient"]["code"] for n in result["notifications"]] == ["udbetaling-danmark"]
    assert result["warnings"] and "bopælskommune er ukendt" in result["warnings"][0]


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        ({"name": "Hans Peter Jensen"}, ("Hans Peter", "Jensen")),
        ({"name": "  Hans   Jensen "}, ("Hans", "Jensen")),
        ({"name": "Jensen, Hans Peter"}, ("Hans Peter", "Jensen")),
        ({"name": "Hans", "first_name": "Anna", "last_name": "Berg"}, ("Anna", "Berg")),
        ({"name": "Madonna"}, ("", "Madonna")),
        ({}, ("", "")),
    ],
)
def test_split_name(person, expected):
    assert split_name(**person) == expected


# -- Idempotency ------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("frozen")
def test_same_body_again_returns_the_first_result_and_writes_nothing(client, krfo_key):
    _, raw = krfo_key
    body = admission(next_cpr())
    first = post(client, raw, body)
    assert first.status_code == 201
    before = counts()
    # The same event, written differently: same instant in another offset, CPR with a dash, key order.
    same = dict(reversed(list(body.items())))
    same["occurred_at"] = "2027-03-24T08:30:00Z"
    same["person"] = {**body["person"], "cpr": f"{body['person']['cpr'][:6]}-{body['person']['cpr'][6:]}"}
    for again in (body, same):
        response = post(client, raw, again)
        assert response.status_code == 200
        assert response.content == first.content
    assert counts() == before


@pytest.mark.usefixtures("frozen")
def test_a_different_body_with_a_used_external_id_is_409(client, krfo_key):
    _, raw = krfo_key
    body = admission(next_cpr())
    assert post(client, raw, body).status_code == 201
    before = counts()
    changed = {**body, "custody_type": "sentence"}
    problem = assert_problem(post(client, raw, changed), 409)
    assert problem["title"] == "Konflikt"
    assert f"external_id {body['external_id']} er allerede brugt" in problem["detail"]
    assert problem["errors"] == {"external_id": [problem["detail"]]}
    other_type = event("conversion", body["person"]["cpr"], external_id=body["external_id"])
    assert_problem(post(client, raw, other_type), 409)
    assert counts() == before


@pytest.mark.usefixtures("frozen")
def test_external_ids_are_per_organisation(client, krfo_key):
    _, raw = krfo_key
    _, other = api_key_create(Organisation.objects.get(code=OTHER_INSTITUTION), scopes=[ApiScope.CUSTODY_EVENTS_WRITE])
    cpr = next_cpr()
    assert post(client, raw, admission(cpr, external_id="x-1")).status_code == 201
    # The other organisation's own "x-1": its own record (not a replay of the first organisation's result).
    response = post(client, other, admission(next_cpr(), external_id="x-1", institution=OTHER_INSTITUTION))
    assert response.status_code == 201, response.content
    assert CustodyEventRecord.objects.filter(external_id="x-1").count() == 2


@pytest.mark.usefixtures("frozen")
def test_a_prisons_key_acts_only_on_its_own_inmates(client, krfo_key):
    """ADR 0008 / issue 9's done-when: another prison's key cannot report a release (or any event) for this
    prison's inmate: 404 problem+json, the same answer as for a person not in custody (it learns nothing);
    nor admit into another institution (403). A transfer into it may be reported by the receiving prison."""
    _, raw = krfo_key
    _, other = api_key_create(Organisation.objects.get(code=OTHER_INSTITUTION), scopes=[ApiScope.CUSTODY_EVENTS_WRITE])
    cpr = next_cpr()
    assert post(client, raw, admission(cpr)).status_code == 201
    before = (EpisodeEvent.objects.count(), Notification.objects.count())
    foreign = assert_problem(post(client, other, event("release", cpr, release={"kind": "parole"})), 404)
    unknown = assert_problem(post(client, other, event("release", next_cpr(), release={"kind": "parole"})), 404)
    assert foreign["detail"] == unknown["detail"] and "ikke indsat i jeres institution" in foreign["detail"]
    assert_problem(post(client, other, event("conversion", cpr)), 404)
    assert_problem(post(client, other, admission(next_cpr(), institution=INSTITUTION)), 403)
    assert (EpisodeEvent.objects.count(), Notification.objects.count()) == before
    response = post(client, other, event("transfer", cpr, institution=OTHER_INSTITUTION))
    assert response.status_code == 201, response.content
    assert Episode.objects.get(person__cpr=cpr).institution.code == OTHER_INSTITUTION
    # Now the first prison has let go: its key gets the same 404.
    assert_problem(post(client, raw, event("release", cpr, release={"kind": "parole"})), 404)


@pytest.mark.usefixtures("frozen")
def test_a_failed_request_stores_nothing_and_may_be_resent_with_the_same_external_id(client, krfo_key):
    _, raw = krfo_key
    body = admission(next_cpr(), institution="ukendt")
    assert_problem(post(client, raw, body), 400)
    assert not CustodyEventRecord.objects.exists()
    body["institution"] = INSTITUTION
    assert post(client, raw, body).status_code == 201


@pytest.mark.usefixtures("frozen")
def test_a_concurrent_duplicate_returns_the_winners_result(client, krfo_key):
    """The duplicate checked before the winner committed: its own write fails, then it finds the winner's record."""
    _, raw = krfo_key
    body = admission(next_cpr())
    first = post(client, raw, body)
    real = api_services._custody_event_record
    calls = []

    def first_miss(organisation, external_id):
        calls.append(external_id)
        return None if len(calls) == 1 else real(organisation, external_id)

    with mock.patch.object(api_services, "_custody_event_record", first_miss):
        before = counts()
        response = post(client, raw, body)  # the services refuse: already in custody
        assert (response.status_code, response.content) == (200, first.content)
        assert counts() == before
        calls.clear()
        assert_problem(post(client, raw, {**body, "custody_type": "sentence"}), 409)


@pytest.mark.usefixtures("frozen")
def test_the_unique_constraint_decides_when_the_services_succeed_twice(client, krfo_key):
    _, raw = krfo_key
    cpr = next_cpr()
    assert post(client, raw, admission(cpr)).status_code == 201
    body = event("conversion", cpr, external_id="race-1")
    original_create = CustodyEventRecord.objects.create

    def winner_commits_first(**fields):
        # A concurrent request with the same external_id committed just before this insert.
        CustodyEventRecord.objects.bulk_create([CustodyEventRecord(**{**fields, "response": '{"winner": true}'})])
        return original_create(**fields)

    before = counts()
    with (
        mock.patch.object(CustodyEventRecord.objects, "create", side_effect=winner_commits_first),
        mock.patch.object(api_services, "_custody_event_record", side_effect=[None, None]),
    ):
        problem = assert_problem(post(client, raw, body), 409)
    assert "samtidig" in problem["detail"]
    assert counts() == before  # the services' writes rolled back with the failed insert
    assert Episode.objects.get(person__cpr=cpr).custody_type == "remand"


def test_an_integrity_error_with_a_winner_replays_it(client, krfo_key):
    _, raw = krfo_key
    with time_machine.travel(FROZEN, tick=False):
        body = admission(next_cpr())
        first = post(client, raw, body)
        with (
            mock.patch.object(
                api_services.custody_services, "custody_event_apply", side_effect=IntegrityError("duplicate key")
            ),
            mock.patch.object(
                api_services, "_custody_event_record", side_effect=[None, CustodyEventRecord.objects.get()]
            ),
        ):
            response = post(client, raw, body)
    assert (response.status_code, response.content) == (200, first.content)


# -- Bad input: Danish problem details, nothing saved -------------------------------------------------


def _bad_cases():
    def adm(**kw):
        return lambda cpr: admission(cpr, **kw)

    def person(**kw):
        def make(cpr):
            body = admission(cpr)
            body["person"] = {**body["person"], **kw}
            return body

        return make

    def drop(*path):
        def make(cpr):
            body = admission(cpr)
            target = body
            for name in path[:-1]:
                target = target[name]
            del target[path[-1]]
            return body

        return make

    return [
        ("bad_cpr_length", person(cpr="010190123"), 400, ("person", "cpr"), "10 cifre"),
        ("bad_cpr_date", person(cpr="3213901234"), 400, ("person", "cpr"), "fødselsdato"),
        ("unknown_institution", adm(institution="krfo-findes-ikke"), 400, ("institution",), "Ukendt institution"),
        ("municipality_as_institution", adm(institution="101"), 400, ("institution",), "Ukendt institution"),
        (
            "unknown_municipality",
            person(home_municipality="999"),
            400,
            ("person", "home_municipality"),
            "Ukendt kommunekode",
        ),
        ("bad_type", adm(type="escape"), 400, ("type",), "Gyldige værdier: admission"),
        ("bad_pension", person(pension="some"), 400, ("person", "pension"), "Gyldige værdier"),
        ("bad_benefit", person(benefits=["guld"]), 400, ("person", "benefits", "0"), "Gyldige værdier"),
        ("benefits_not_list", person(benefits="kontanthjaelp"), 400, ("person", "benefits"), "liste"),
        ("bad_datetime", adm(occurred_at="i går"), 400, ("occurred_at",), "ISO 8601"),
        ("year_1_east_of_utc", adm(occurred_at="0001-01-01T00:00:00+05:00"), 400, ("occurred_at",), "Kontrollér året"),
        ("year_1", adm(occurred_at="0001-01-01T00:00:00Z"), 400, ("occurred_at",), "2 år tilbage"),
        ("year_9999", adm(occurred_at="9999-12-31T23:59:59-23:59"), 400, ("occurred_at",), "Kontrollér året"),
        ("naive_datetime", adm(occurred_at="2027-03-24T09:30:00"), 400, ("occurred_at",), "mangler en tidszone"),
        ("date_as_datetime", adm(occurred_at="2027-03-24"), 400, ("occurred_at",), "mangler en tidszone"),
        ("decades_ago", adm(occurred_at="1997-03-24T09:30:00+01:00"), 400, ("occurred_at",), "mere end 2 år tilbage"),
        (
            "before_birth",  # born 1 March 2027 (7th digit 4, year 27: 2027), admitted in February
            lambda cpr: {
                **admission("0103274001", occurred_at="2027-02-20T09:30:00+01:00"),
                "expected_release": None,
            },
            400,
            ("occurred_at",),
            "før personens fødselsdato",
        ),
        (
            "expected_far_ahead",
            adm(expected_release={"date": "2072-03-01", "certainty": "estimated"}),
            400,
            ("expected_release", "date"),
            "mere end 30 år ude i fremtiden",
        ),
        (
            "expected_year_1",
            adm(expected_release={"date": "0001-01-01", "certainty": "estimated"}),
            400,
            ("expected_release", "date"),
            "tilbage",
        ),
        (
            "bad_date",
            adm(expected_release={"date": "01-03-2027", "certainty": "estimated"}),
            400,
            ("expected_release", "date"),
            "åååå-mm-dd",
        ),
        (
            "date_without_certainty",
            adm(expected_release={"date": "2027-05-01", "certainty": "unknown"}),
            400,
            ("expected_release", "certainty"),
            "skønnet eller fastsat",
        ),
        (
            "certainty_without_date",
            adm(expected_release={"date": None, "certainty": "decided"}),
            400,
            ("expected_release", "certainty"),
            "Ukendt",
        ),
        ("in_future", adm(occurred_at="2027-03-30T09:00:00+01:00"), 400, ("occurred_at",), "fremtiden"),
        (
            "expected_before_admission",
            adm(expected_release={"date": "2027-03-01", "certainty": "decided"}),
            422,
            ("expected_release", "date"),
            "før indsættelsen",
        ),
        ("missing_external_id", drop("external_id"), 400, ("external_id",), "påkrævet"),
        ("blank_external_id", adm(external_id="  "), 400, ("external_id",), "id'et fra klientsystemet"),
        ("too_long_external_id", adm(external_id="x" * 65), 400, ("external_id",), "højst 64 tegn"),
        ("missing_occurred_at", drop("occurred_at"), 400, ("occurred_at",), "påkrævet"),
        ("missing_person", drop("person"), 400, ("person",), "påkrævet"),
        ("missing_cpr", drop("person", "cpr"), 400, ("person", "cpr"), "påkrævet"),
        ("missing_institution", drop("institution"), 400, ("institution",), "indsættelse"),
        ("missing_custody_type", drop("custody_type"), 400, ("custody_type",), "indsættelse"),
        ("missing_pension", drop("person", "pension"), 400, ("person", "pension"), "indsættelse"),
        ("missing_benefits", drop("person", "benefits"), 400, ("person", "benefits"), "indsættelse"),
        (
            "missing_home_municipality",
            drop("person", "home_municipality"),
            400,
            ("person", "home_municipality"),
            "indsættelse",
        ),
        ("missing_name", drop("person", "name"), 400, ("person", "name"), "fulde navn"),
        ("one_word_name", person(name="Madonna"), 400, ("person", "name"), "fornavn og efternavn"),
        ("person_not_object", adm(person="0101901234"), 400, ("person", "non_field_errors"), "JSON-objekt"),
        ("text_as_number", adm(external_id=12), 400, ("external_id",), "tekst"),
        ("cpr_as_number", person(cpr=1019012345), 400, ("person", "cpr"), "tekst"),
    ]


@pytest.mark.usefixtures("frozen")
@pytest.mark.parametrize(("case", "make", "status", "path", "text"), _bad_cases(), ids=[c[0] for c in _bad_cases()])
def test_bad_admissions_are_danish_problems_and_save_nothing(client, krfo_key, case, make, status, path, text):
    _, raw = krfo_key
    post(client, raw, {})  # creates the service user first, so the counts compare the request only
    before = counts()
    problem = assert_problem(post(client, raw, make(next_cpr())), status)
    errors = problem["errors"]
    for name in path:
        errors = errors[name]
    assert any(text in message for message in errors), errors
    assert text in problem["detail"]
    assert counts() == before


@pytest.mark.usefixtures("frozen")
@pytest.mark.parametrize(
    ("case", "kind", "fields", "status", "text"),
    [
        ("no_episode_conversion", "conversion", {}, 404, "ikke indsat"),
        ("no_episode_release", "release", {"release": {"kind": "parole"}}, 404, "ikke indsat"),
        ("release_without_release", "release", {}, 400, "påkrævet ved løsladelse"),
        ("release_bad_kind", "release", {"release": {"kind": "escape"}}, 400, "Gyldige værdier"),
        ("date_change_without_date", "release_date_change", {}, 400, "påkrævet"),
        ("transfer_without_institution", "transfer", {}, 400, "påkrævet ved overførsel"),
    ],
)
def test_bad_later_events(client, krfo_key, case, kind, fields, status, text):
    _, raw = krfo_key
    post(client, raw, {})
    before = counts()
    problem = assert_problem(post(client, raw, event(kind, next_cpr(), **fields)), status)
    assert text in problem["detail"], problem
    assert counts() == before


@pytest.mark.usefixtures("frozen")
@pytest.mark.parametrize(
    ("kind", "fields", "text", "path"),
    [
        ("transfer", {"institution": INSTITUTION}, "allerede indsat i denne institution", ("institution",)),
        (
            "release_date_change",
            {"expected_release": {"date": "2027-12-01", "certainty": "estimated"}},
            "uændrede",
            ("expected_release",),
        ),
        (
            "release",
            {"occurred_at": "2027-03-24T08:00:00+01:00", "release": {"kind": "parole"}},
            "før indsættelsen",
            ("occurred_at",),
        ),
    ],
)
def test_state_errors_of_the_services_are_422_with_the_field(client, krfo_key, kind, fields, text, path):
    _, raw = krfo_key
    cpr = next_cpr()
    assert post(client, raw, admission(cpr)).status_code == 201
    before = counts()
    problem = assert_problem(post(client, raw, event(kind, cpr, **fields)), 422)
    assert text in problem["detail"]
    errors = problem["errors"]
    for name in path:
        errors = errors[name]
    assert errors == [problem["detail"]]
    assert counts() == before


@pytest.mark.usefixtures("frozen")
def test_already_in_custody_and_conversion_of_a_sentence_are_422_and_no_episode_404(client, krfo_key):
    _, raw = krfo_key
    cpr = next_cpr()
    assert post(client, raw, admission(cpr, custody_type="sentence")).status_code == 201
    assert "allerede indsat" in assert_problem(post(client, raw, admission(cpr)), 422)["detail"]
    assert "afsoner allerede" in assert_problem(post(client, raw, event("conversion", cpr)), 422)["detail"]
    assert post(client, raw, event("release", cpr, release={"kind": "parole"})).status_code == 201
    assert (
        "ikke indsat"
        in assert_problem(post(client, raw, event("release", cpr, release={"kind": "parole"})), 404)["detail"]
    )


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        ("{not json", "application/json", 400),
        ("[1, 2]", "application/json", 400),
        ('"text"', "application/json", 400),
        ("null", "application/json", 400),
        ("", "application/json", 400),
        ("external_id=1", "application/x-www-form-urlencoded", 415),
        ("<x/>", "text/xml", 415),
    ],
)
def test_wrong_json_or_media_type(client, krfo_key, content, content_type, status):
    _, raw = krfo_key
    response = client.post(URL, content, content_type=content_type, **auth(raw))
    problem = assert_problem(response, status)
    assert "Traceback" not in problem["detail"] and "JSON parse error" not in problem["detail"]
    if content == "{not json":
        assert problem["detail"].startswith("Indholdet er ikke gyldig JSON")


def test_external_ids_are_per_sending_organisation(client, krfo_key):
    """One idempotency mechanism (the record per sending organisation and external_id): another institution's
    client system may use the same id for its own event."""
    _, raw = krfo_key
    _, other = api_key_create(Organisation.objects.get(code=OTHER_INSTITUTION), scopes=[ApiScope.CUSTODY_EVENTS_WRITE])
    with time_machine.travel(FROZEN, tick=False):
        first = post(client, raw, admission(next_cpr(), external_id="same"))
        second = post(client, other, admission(next_cpr(), external_id="same", institution=OTHER_INSTITUTION))
    assert (first.status_code, second.status_code) == (201, 201), second.content
    assert first.json()["episode"]["id"] != second.json()["episode"]["id"]
    assert CustodyEventRecord.objects.filter(external_id="same").count() == 2


# -- Keys, scopes and organisations ---------------------------------------------------------------------


def _key(case):
    if case == "none":
        return None
    code = {"municipality": "101", "udk": "udbetaling-danmark", "youth": None}.get(case, KRFO)
    if case == "youth":
        code = Organisation.objects.filter(kind="youth_unit", is_active=True).values_list("code", flat=True).first()
        if code is None:
            pytest.skip("no youth unit in the reference data")
    scopes = [ApiScope.NOTIFICATIONS_READ] if case == "no_scope" else [ApiScope.CUSTODY_EVENTS_WRITE]
    key, raw = api_key_create(Organisation.objects.get(code=code), scopes=scopes)
    if case == "revoked":
        api_key_revoke(key)
    elif case == "expired":
        ApiKey.objects.filter(pk=key.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    elif case == "malformed":
        raw = "smb_nope"
    return raw


@pytest.mark.parametrize(
    ("case", "status", "text"),
    [
        ("none", 401, "Angiv en API-nøgle"),
        ("malformed", 401, "ukendt, udløbet eller tilbagekaldt"),
        ("revoked", 401, "ukendt, udløbet eller tilbagekaldt"),
        ("expired", 401, "ukendt, udløbet eller tilbagekaldt"),
        ("no_scope", 403, "custody-events:write"),
        ("municipality", 403, "Kriminalforsorgens enheder"),
        ("udk", 403, "Kriminalforsorgens enheder"),
        ("youth", 403, "Kriminalforsorgens enheder"),
    ],
)
def test_keys_scopes_and_organisations(client, case, status, text):
    raw = _key(case)
    headers = auth(raw) if raw else {}
    before = counts()
    with time_machine.travel(FROZEN, tick=False):
        response = client.post(URL, json.dumps(admission(next_cpr())), content_type="application/json", **headers)
    problem = assert_problem(response, status)
    assert text in problem["detail"]
    assert counts()[:5] == before[:5] and not CustodyEventRecord.objects.exists()


def test_get_is_405(client, krfo_key):
    assert_problem(client.get(URL, **auth(krfo_key[1])), 405)


# -- Query count -----------------------------------------------------------------------------------------


@pytest.mark.usefixtures("frozen")
def test_admission_query_count_is_pinned(client, krfo_key, django_assert_num_queries):
    _, raw = krfo_key
    assert post(client, raw, admission(next_cpr())).status_code == 201  # service user, last_used_at
    body = admission(next_cpr())
    # Reads before the transaction: key, membership, institution and municipality (one query), record lookup: 4.
    # In it (one savepoint here, the request's transaction in production; the services inside join it without
    # savepoints of their own, core.transactions): CPR search, CPR unique check, person, episode, the
    # institution's custody link, episode event (a new person: nothing to lock, no open episode to look for),
    # then the notices: recipient organisations not loaded yet (UDK), routes, units, legal basis, notices, status
    # history, recipients' links, webhook subscriptions, deliveries; every audit event of the request in one
    # insert (audit_batch), the record: 17, and the savepoint's two. The same for any number of notices. In production add the COMMIT
    # and the send task's row after it.
    with django_assert_num_queries(23) as ctx:
        response = post(client, raw, body)
    assert response.status_code == 201, response.content
    assert len(response.json()["notifications"]) == 4, [q["sql"][:80] for q in ctx.captured_queries]
    audit = [q for q in ctx.captured_queries if q["sql"].startswith('INSERT INTO "audit_auditevent"')]
    assert len(audit) == 1
    assert not [q for q in ctx.captured_queries if q["sql"].startswith("SAVEPOINT")][1:], "one savepoint"
    with django_assert_num_queries(4):  # key, membership, institution and municipality, record: reads only
        assert post(client, raw, body).status_code == 200
