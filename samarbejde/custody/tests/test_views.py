"""KRFO custody pages: who may open them (every role), register admission (CPR first, found or created),
the episode page and its actions with every bad input giving a Danish message, and query counts."""

from datetime import date, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from samarbejde.audit.models import AuditEvent
from samarbejde.custody import services as s
from samarbejde.custody.models import CustodyType, Episode, EpisodeEvent, EpisodeStatus
from samarbejde.custody.tests.factories import INSTITUTION, OTHER_INSTITUTION, admit, krfo_case_worker, make_person
from samarbejde.notifications.models import Notification, NotificationKind
from samarbejde.notifications.services import notification_answer
from samarbejde.organisations.roles import Role
from samarbejde.organisations.tests.factories import user_with_role
from samarbejde.people.cpr import MSG_DATE, MSG_LENGTH
from samarbejde.people.models import Person

pytestmark = pytest.mark.django_db

ADMISSION_URL = reverse("custody:admission_create")
INMATES_URL = reverse("custody:inmate_list")
UNSETTLED_URL = reverse("custody:unsettled_list")
NEW_CPR = "010150-1234"


@pytest.fixture
def worker():
    return krfo_case_worker()


@pytest.fixture
def episode(worker):
    person = make_person(acting_user=worker, pension="folkepension", benefits=["kontanthjaelp"])
    return admit(person, acting_user=worker, expected=timezone.localdate() + timedelta(days=180)).episode


def login(client, user):
    client.force_login(user)
    return client


def episode_url(episode, name="episode_detail"):
    return reverse(f"custody:{name}", kwargs={"pk": episode.pk})


def admission_data(**overrides):
    data = {
        "cpr": NEW_CPR,
        "first_name": "Jens",
        "last_name": "Hansen",
        "address": "Testvej 1, 2450 København SV",
        "home_municipality": "101",
        "pension": "folkepension",
        "benefits": ["kontanthjaelp"],
        "institution": INSTITUTION,
        "custody_type": CustodyType.REMAND,
        "admitted_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "expected_release": (timezone.localdate() + timedelta(days=180)).isoformat(),
        "certainty": "estimated",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def counts():
    return Person.objects.count(), Episode.objects.count(), EpisodeEvent.objects.count(), Notification.objects.count()


# --- access: every role ----------------------------------------------------------------------------------

# role (in its default organisation) -> (lists, admission form, episode page, episode actions). The episode is
# held by Københavns Fængsler: the default case worker's own institution; the manager's default is another
# prison (Storstrøm), which sees neither the episode nor may act on it (ADR 0008); KiF and the youth unit
# have no link to an adult inmate, and no admission form (an institution registers its own admissions).
ACCESS = {
    Role.KRFO_CASE_WORKER: (200, 200, 200, 302),
    Role.KRFO_MANAGER: (200, 200, 404, 404),
    Role.PROBATION_OFFICER: (200, 403, 404, 404),
    Role.YOUTH_SUPERVISOR: (200, 403, 404, 404),
    Role.MUNICIPAL_CASE_WORKER: (403, 403, 404, 404),
    Role.MUNICIPAL_COORDINATOR: (403, 403, 404, 404),
    Role.POLICE_OFFICER: (403, 403, 404, 404),
    Role.UDK_OFFICER: (403, 403, 404, 404),
    Role.ADMINISTRATOR: (403, 403, 404, 404),
}


def test_access_table_covers_every_role():
    assert set(ACCESS) == set(Role.values)


@pytest.mark.parametrize("role", list(ACCESS), ids=list(ACCESS))
def test_who_may_open_the_custody_pages(client, role, episode):
    lists, admission, page, action = ACCESS[role]
    login(client, user_with_role(role))
    assert client.get(INMATES_URL).status_code == lists
    assert client.get(UNSETTLED_URL).status_code == lists
    assert client.get(ADMISSION_URL).status_code == admission
    assert client.get(episode_url(episode)).status_code == page
    before = counts()
    response = client.post(
        episode_url(episode, "episode_release_date"),
        {"date-expected_release": (timezone.localdate() + timedelta(days=30)).isoformat(), "date-certainty": "decided"},
    )
    assert response.status_code == action
    assert (counts()[2] > before[2]) == (action == 302)


def test_the_holding_institutions_manager_may_act_like_its_case_workers(client, episode):
    login(client, user_with_role(Role.KRFO_MANAGER, INSTITUTION))
    assert client.get(episode_url(episode)).status_code == 200
    response = client.post(
        episode_url(episode, "episode_release_date"),
        {"date-expected_release": (timezone.localdate() + timedelta(days=30)).isoformat(), "date-certainty": "decided"},
    )
    assert response.status_code == 302


def test_anonymous_is_sent_to_login(client, episode):
    for url in (INMATES_URL, UNSETTLED_URL, ADMISSION_URL, episode_url(episode)):
        response = client.get(url)
        assert response.status_code == 302 and "/konto/log-ind/" in response["Location"]
    assert client.post(episode_url(episode, "episode_release")).status_code == 302
    assert Episode.objects.get(pk=episode.pk).is_open


def test_nav_link_only_for_krfo(client, worker):
    assert "Klienter" in login(client, worker).get(reverse("core:start")).content.decode()
    client.force_login(user_with_role(Role.MUNICIPAL_CASE_WORKER))
    assert f'href="{INMATES_URL}"' not in client.get(reverse("core:start")).content.decode()


def test_malformed_and_unknown_episode_ids_are_404(client, worker):
    login(client, worker)
    assert client.get("/klienter/forloeb/ikke-et-id/").status_code == 404
    assert client.get("/klienter/forloeb/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.post("/klienter/forloeb/00000000-0000-0000-0000-000000000000/loesladelse/").status_code == 404


# --- register admission ----------------------------------------------------------------------------------


def test_lookup_step_shows_only_the_cpr_field(client, worker):
    body = login(client, worker).get(ADMISSION_URL).content.decode()
    assert 'id="lookup_cpr"' in body and "Registrér indsættelse</button>" not in body


def test_lookup_unknown_cpr_offers_the_create_form_with_defaults(client, worker):
    response = login(client, worker).post(ADMISSION_URL, {"step": "find", "cpr": NEW_CPR})
    body = response.content.decode()
    assert "Der findes ingen person" in body and 'name="first_name"' in body
    form = response.context["form"]
    assert form.initial["institution"] == INSTITUTION  # the user's own institution
    assert form.initial["custody_type"] == CustodyType.REMAND and form.initial["admitted_at"]
    search = AuditEvent.objects.filter(action="people.search").latest("occurred_at")
    assert search.details == {"found": False}


def test_lookup_found_person_shows_name_situation_and_prefills(client, worker):
    person = make_person(acting_user=worker, first_name="Ole", last_name="Olsen", pension="foertidspension")
    response = login(client, worker).post(ADMISSION_URL, {"step": "find", "cpr": person.cpr})
    body = response.content.decode()
    assert "Personen findes: Ole Olsen" in body and "førtidspension" in body and "ikke indsat" in body
    assert 'name="first_name"' not in body
    assert response.context["form"].initial["pension"] == "foertidspension"
    assert AuditEvent.objects.filter(action="people.search", person=person).exists()


def test_lookup_with_htmx_returns_the_partial(client, worker):
    response = login(client, worker).post(
        ADMISSION_URL, {"step": "find", "cpr": NEW_CPR}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="admission-details"') and "<html" not in body


def test_lookup_found_person_in_custody_links_to_the_episode(client, worker, episode):
    body = login(client, worker).post(ADMISSION_URL, {"step": "find", "cpr": episode.person.cpr}).content.decode()
    assert "Personen er indsat i" in body and episode_url(episode) in body


@pytest.mark.parametrize(
    ("cpr", "message"),
    [("311350-1234", MSG_DATE), ("1234", MSG_LENGTH % {"count": 4})],
)
def test_invalid_cpr_gives_the_danish_message(client, worker, cpr, message):
    login(client, worker)
    assert message in client.post(ADMISSION_URL, {"step": "find", "cpr": cpr}).content.decode()
    assert (
        message
        in client.post(ADMISSION_URL, {"step": "find", "cpr": cpr}, headers={"HX-Request": "true"}).content.decode()
    )
    before = counts()
    response = client.post(ADMISSION_URL, admission_data(cpr=cpr))
    assert response.status_code == 200 and message in response.content.decode()
    assert counts() == before


def test_register_new_person_creates_person_episode_and_notices(client, worker):
    response = login(client, worker).post(ADMISSION_URL, admission_data())
    person = Person.objects.get(cpr="0101501234")
    episode = Episode.objects.get(person=person)
    assert response.status_code == 302 and response["Location"] == episode_url(episode)
    assert (person.first_name, person.pension, person.benefits) == ("Jens", "folkepension", ["kontanthjaelp"])
    assert episode.institution.code == INSTITUTION and episode.release_certainty == "estimated"
    kinds = sorted(Notification.objects.filter(thread_id=episode.pk).values_list("kind", flat=True))
    assert kinds == sorted(
        [
            NotificationKind.BENEFITS_DECISION_REQUEST,
            NotificationKind.CPR_REGISTER_NOTICE,
            NotificationKind.PENSION_NOTICE,
            NotificationKind.PENSION_NOTICE,
        ]
    )
    [message] = texts(response)
    assert message.startswith("Indsættelsen er registreret. 4 underretninger er sendt:")
    assert "Udbetaling Danmark: Meddelelse om pension (Lov om social pension § 46)" in message


def test_register_known_person_updates_situation_in_the_same_transaction(client, worker):
    person = make_person(acting_user=worker, pension="none", benefits=[])
    response = login(client, worker).post(
        ADMISSION_URL, admission_data(cpr=person.cpr, first_name=None, last_name=None, benefits=["sygedagpenge"])
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.first_name, person.pension, person.benefits) == ("Test", "folkepension", ["sygedagpenge"])
    assert Episode.objects.filter(person=person, status=EpisodeStatus.OPEN).count() == 1


def test_unknown_home_municipality_registers_with_a_warning(client, worker):
    response = login(client, worker).post(ADMISSION_URL, admission_data(home_municipality=""))
    assert response.status_code == 302
    levels = [m.level_tag for m in get_messages(response.wsgi_request)]
    assert "warning" in levels
    assert Person.objects.get(cpr="0101501234").home_municipality is None


def test_second_admission_gives_the_service_message_and_changes_nothing(client, worker, episode):
    person = episode.person
    before = counts()
    response = login(client, worker).post(
        ADMISSION_URL, admission_data(cpr=person.cpr, first_name=None, last_name=None, pension="none", benefits=[])
    )
    assert response.status_code == 200
    assert s.MSG_ALREADY_IN_CUSTODY in response.content.decode()
    assert counts() == before
    person.refresh_from_db()
    assert person.pension == "folkepension" and person.benefits == ["kontanthjaelp"]  # situation not updated


def test_new_person_is_not_created_when_the_admission_fails(client, worker):
    before = counts()
    yesterday = timezone.localdate() - timedelta(days=1)
    response = login(client, worker).post(ADMISSION_URL, admission_data(expected_release=yesterday.isoformat()))
    assert response.status_code == 200 and s.MSG_EXPECTED_BEFORE_ADMISSION in response.content.decode()
    assert counts() == before
    assert not AuditEvent.objects.filter(action="people.create").exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"first_name": ""}, "Udfyld fornavn(e)."),
        ({"admitted_at": "i går"}, "Skriv dato og klokkeslæt"),
        ({"expected_release": "31-02-2027"}, "Skriv en gyldig dato"),
        ({"institution": "101"}, "Vælg en af Kriminalforsorgens institutioner."),
        ({"home_municipality": "9999"}, "Vælg en af de 98 kommuner."),
        ({"benefits": ["bistandshjaelp"]}, "Vælg blandt de seks ydelser."),
        ({"pension": "alderdom"}, "Vælg ingen pension, folkepension eller førtidspension."),
        ({"custody_type": ""}, "Vælg varetægtsfængsling eller afsoning."),
        ({"expected_release": None, "certainty": "decided"}, s.MSG_CERTAINTY_WITHOUT_DATE),
        (
            {"admitted_at": "2099-01-01T10:00", "expected_release": None, "certainty": "unknown"},
            "for langt ude i fremtiden",
        ),
        ({"address": "x" * 301}, "højst være 300 tegn"),
    ],
)
def test_bad_admission_input_gives_danish_messages(client, worker, overrides, message):
    before = counts()
    response = login(client, worker).post(ADMISSION_URL, admission_data(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert counts() == before


# The whole POST: request set-up, CPR search (audited), form choices (the user's own institution: no query),
# admission_register in one transaction (the services inside join it without savepoints, core.transactions):
# person_register, the admission of a person registered in it (nothing to lock, no open episode to look for)
# with the institution's custody link and its four notices (routing lines, units and legal bases in one query
# each; the notices, their status history and person links one insert each; their webhook subscriptions in one
# query and deliveries in one insert), every audit event of the admission in one insert (audit_batch), the
# content types of the notices' source and thread (cleared below), and the redirect's messages.
ADMISSION_QUERIES = 27


def test_admission_query_count_is_pinned(client, worker, django_assert_num_queries):
    login(client, worker)
    client.get(INMATES_URL)  # session and membership warm-up
    ContentType.objects.clear_cache()  # the count must not depend on which tests ran before
    with django_assert_num_queries(ADMISSION_QUERIES):
        response = client.post(ADMISSION_URL, admission_data())
    assert response.status_code == 302


# --- the episode page ------------------------------------------------------------------------------------


def test_episode_page_shows_person_notices_legal_bases_and_audits_the_read(client, worker, episode):
    body = login(client, worker).get(episode_url(episode)).content.decode()
    assert "Test Person" in body and episode.person.cpr_formatted in body
    assert "Københavns Fængsler" in body and "Tidslinje" in body
    assert "Lov om social pension § 46" in body and "Anmodning om afgørelse om ydelser" in body
    assert "Meddelelse til folkeregisteret" in body
    assert AuditEvent.objects.filter(action="custody.view", person=episode.person).count() == 1


def test_episode_page_shows_the_municipality_answer(client, worker, episode):
    notice = Notification.objects.get(thread_id=episode.pk, kind=NotificationKind.BENEFITS_DECISION_REQUEST)
    municipal = user_with_role(Role.MUNICIPAL_CASE_WORKER, "101")
    notification_answer(
        notice,
        decisions={"kontanthjaelp": {"code": "stopped", "text": "", "effective_date": date(2027, 4, 1)}},
        text="Husleje vurderes særskilt.",
        acting_user=municipal,
    )
    body = login(client, worker).get(episode_url(episode)).content.decode()
    assert "Svar fra Københavns Kommune" in body and "Kontanthjælp: standset pr. 1. april 2027" in body
    assert "Husleje vurderes særskilt." in body and municipal.display_name in body


def test_youth_supervisor_sees_an_adult_inmate_only_with_need_access_and_without_actions(client, episode):
    from samarbejde.people.services import person_access_grant

    supervisor = user_with_role(Role.YOUTH_SUPERVISOR)
    login(client, supervisor)
    assert client.get(episode_url(episode)).status_code == 404
    person_access_grant(
        episode.person, justification="Sagen er overdraget fra anden enhed", hours=4, acting_user=supervisor
    )
    body = client.get(episode_url(episode)).content.decode()
    assert "Tidslinje" in body and "Registrér løsladelse" not in body


def test_episode_page_query_count_is_constant_in_events_and_notices(client, worker, episode):
    login(client, worker)
    client.get(episode_url(episode))
    with CaptureQueriesContext(connection) as first:
        client.get(episode_url(episode))
    s.episode_change_release_date(
        episode, expected_release=timezone.localdate() + timedelta(days=200), certainty="decided", acting_user=worker
    )
    s.episode_transfer(
        episode,
        to_institution=Episode.objects.get(pk=episode.pk).institution.__class__.objects.get(code=OTHER_INSTITUTION),
        occurred_at=timezone.now(),
        acting_user=worker,
    )
    # Storstrøm holds the person now: its worker sees the page with the actions, as København did (ADR 0008).
    login(client, user_with_role(Role.KRFO_CASE_WORKER, OTHER_INSTITUTION))
    client.get(episode_url(episode))
    with CaptureQueriesContext(connection) as second:
        client.get(episode_url(episode))
    assert len(first) == len(second), [q["sql"][:90] for q in second.captured_queries]


# --- the episode's actions -------------------------------------------------------------------------------


def now_field():
    """A minute from now: the fixture's admission has seconds; the form's field has minutes."""
    return (timezone.localtime() + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")


def test_convert_to_sentence(client, worker, episode):
    response = login(client, worker).post(episode_url(episode, "episode_convert"), {"convert-occurred_at": now_field()})
    assert response.status_code == 302
    assert Episode.objects.get(pk=episode.pk).custody_type == CustodyType.SENTENCE
    assert "Varetægtsfængslingen er ændret til afsoning." in texts(response)[0]
    # A second conversion: the service's message, no 500.
    response = client.post(episode_url(episode, "episode_convert"), {"convert-occurred_at": now_field()})
    assert response.status_code == 200 and s.MSG_ALREADY_SENTENCE in response.content.decode()


def test_transfer_and_its_bad_input(client, worker, episode):
    login(client, worker)
    url = episode_url(episode, "episode_transfer")
    response = client.post(url, {"transfer-to_institution": INSTITUTION, "transfer-occurred_at": now_field()})
    assert response.status_code == 200 and "Vælg en af Kriminalforsorgens institutioner." in response.content.decode()
    early = (episode.admitted_at - timedelta(days=2)).astimezone(timezone.get_current_timezone())
    response = client.post(
        url, {"transfer-to_institution": OTHER_INSTITUTION, "transfer-occurred_at": early.strftime("%Y-%m-%dT%H:%M")}
    )
    assert response.status_code == 200 and s.MSG_BEFORE_ADMISSION in response.content.decode()
    response = client.post(url, {"transfer-to_institution": OTHER_INSTITUTION, "transfer-occurred_at": now_field()})
    assert response.status_code == 302
    assert Episode.objects.get(pk=episode.pk).institution.code == OTHER_INSTITUTION
    assert "Overførslen er registreret. 2 underretninger er sendt: Københavns Kommune, " in texts(response)[0]


def test_change_release_date_and_its_bad_input(client, worker, episode):
    login(client, worker)
    url = episode_url(episode, "episode_release_date")
    same = {"date-expected_release": episode.expected_release_date.isoformat(), "date-certainty": "estimated"}
    response = client.post(url, same)
    assert response.status_code == 200 and s.MSG_NO_DATE_CHANGE in response.content.decode()
    response = client.post(url, {"date-expected_release": "", "date-certainty": "decided"})
    assert response.status_code == 200 and s.MSG_CERTAINTY_WITHOUT_DATE in response.content.decode()
    response = client.post(url, {"date-expected_release": "", "date-certainty": "unknown"})
    assert response.status_code == 302
    assert Episode.objects.get(pk=episode.pk).expected_release_date is None


def test_release_and_its_bad_input(client, worker, episode):
    login(client, worker)
    url = episode_url(episode, "episode_release")
    early = (episode.admitted_at - timedelta(days=2)).astimezone(timezone.get_current_timezone())
    data = {"release-released_at": early.strftime("%Y-%m-%dT%H:%M"), "release-release_kind": "from_court"}
    response = client.post(url, data)
    assert response.status_code == 200 and s.MSG_RELEASE_BEFORE_ADMISSION in response.content.decode()
    response = client.post(url, {"release-released_at": now_field(), "release-release_kind": "flugt"})
    assert response.status_code == 200 and "Vælg, hvordan personen er løsladt." in response.content.decode()
    assert Episode.objects.get(pk=episode.pk).is_open
    response = client.post(
        url,
        {"release-released_at": now_field(), "release-release_kind": "from_court", "release-address_after": "Nyvej 2"},
    )
    assert response.status_code == 302
    closed = Episode.objects.get(pk=episode.pk)
    assert closed.status == EpisodeStatus.CLOSED and closed.address_after_release == "Nyvej 2"
    assert Notification.objects.filter(thread_id=episode.pk, kind=NotificationKind.RELEASE_NOTICE).exists()
    body = client.get(episode_url(episode)).content.decode()
    assert "Registrér løsladelse" not in body and "Nyvej 2" in body
    # After the release: the service's message for any further event.
    response = client.post(url, {"release-released_at": now_field(), "release-release_kind": "from_court"})
    assert response.status_code == 200 and s.MSG_EPISODE_CLOSED in response.content.decode()


# --- lists -----------------------------------------------------------------------------------------------


def test_inmate_list_shows_own_institution_and_audits(client, worker, episode):
    storstroem = user_with_role(Role.KRFO_CASE_WORKER, OTHER_INSTITUTION)
    other = make_person(acting_user=storstroem, first_name="Anden", last_name="Fange")
    admit(
        other,
        acting_user=storstroem,
        institution=Episode.objects.get(pk=episode.pk).institution.__class__.objects.get(code=OTHER_INSTITUTION),
    )
    body = login(client, worker).get(INMATES_URL).content.decode()
    assert "Test Person" in body and "Anden Fange" not in body
    assert episode_url(episode) in body and ADMISSION_URL in body
    assert AuditEvent.objects.filter(action="custody.list", person=episode.person).exists()
    # Another prison's inmates are not København's to see (ADR 0008): the list is empty, not a leak.
    body = client.get(INMATES_URL, {"institution": OTHER_INSTITUTION}).content.decode()
    assert "Anden Fange" not in body and "Test Person" not in body
    body = login(client, storstroem).get(INMATES_URL).content.decode()
    assert "Anden Fange" in body and "Test Person" not in body


def test_probation_officer_chooses_an_institution_and_sees_only_the_inmates_it_may(client, episode):
    from samarbejde.people.services import person_access_grant

    officer = user_with_role(Role.PROBATION_OFFICER)
    login(client, officer)
    assert "Vælg en institution" in client.get(INMATES_URL).content.decode()
    assert "Test Person" not in client.get(INMATES_URL, {"institution": INSTITUTION}).content.decode()
    assert client.get(INMATES_URL, {"institution": "ukendt"}).status_code == 200
    person_access_grant(
        episode.person, justification="Tilsyn efter løsladelse planlægges", hours=8, acting_user=officer
    )
    assert "Test Person" in client.get(INMATES_URL, {"institution": INSTITUTION}).content.decode()


def _get_query_count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_list_query_counts_are_constant_in_rows(client, worker, episode):
    login(client, worker)
    client.get(INMATES_URL)
    inmates_one, unsettled_one = _get_query_count(client, INMATES_URL), _get_query_count(client, UNSETTLED_URL)
    for n in range(3):
        admit(make_person(acting_user=worker, pension="folkepension", benefits=["kontanthjaelp"]), acting_user=worker)
    assert _get_query_count(client, INMATES_URL) == inmates_one
    assert _get_query_count(client, UNSETTLED_URL) == unsettled_one


# session, user, membership, KRFO institutions (filter), page, one audit insert for the page's persons (both
# lists are keyset pages: no count, ADR 0013)
INMATES_QUERIES = 6
UNSETTLED_QUERIES = 6


def test_list_query_counts_pinned(client, worker, episode, django_assert_num_queries):
    login(client, worker)
    client.get(INMATES_URL)
    with django_assert_num_queries(INMATES_QUERIES):
        client.get(INMATES_URL)
    with django_assert_num_queries(UNSETTLED_QUERIES):
        client.get(UNSETTLED_URL)


def test_unsettled_list_overdue_first_and_settled_left_out(client, worker, episode):
    notices = Notification.objects.filter(thread_id=episode.pk)
    overdue = notices.get(kind=NotificationKind.BENEFITS_DECISION_REQUEST)
    overdue.due_date = timezone.localdate() - timedelta(days=3)
    overdue.save(update_fields=["due_date", "list_key"])  # the stored list key follows the due date (ADR 0013)
    answered = notices.get(kind=NotificationKind.PENSION_NOTICE, recipient_organisation__code="101")
    notification_answer(
        answered,
        decisions={"folkepension": {"code": "rent_covered", "text": "", "effective_date": timezone.localdate()}},
        acting_user=user_with_role(Role.MUNICIPAL_CASE_WORKER, "101"),
    )
    response = login(client, worker).get(UNSETTLED_URL)
    rows = list(response.context["page"])
    assert rows[0].pk == overdue.pk and answered.pk not in [n.pk for n in rows]
    assert "Overskredet" in response.content.decode()


def test_the_youth_supervisors_lists_show_no_adult_inmate(client, episode):
    """Issue 9's done-when: the youth unit sees only youth cases; an adult inmate is on none of its lists."""
    login(client, user_with_role(Role.YOUTH_SUPERVISOR))
    for url, query in (
        (INMATES_URL, {}),
        (INMATES_URL, {"institution": INSTITUTION}),
        (UNSETTLED_URL, {}),
        (UNSETTLED_URL, {"institution": INSTITUTION}),
        (reverse("core:start"), {}),
    ):
        body = client.get(url, query).content.decode()
        assert "Test Person" not in body, (url, query)
    assert client.get(episode_url(episode)).status_code == 404
