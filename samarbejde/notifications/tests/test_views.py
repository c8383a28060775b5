"""The inbox pages: who sees the inbox and which notices, opening (audited), acknowledging, assigning and
answering (bad input, double submit), 404 for another municipality's notice, and pinned query counts."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from samarbejde.audit.models import AuditEvent
from samarbejde.custody.tests.factories import admit, krfo_case_worker, make_person
from samarbejde.notifications import services as ns
from samarbejde.notifications.models import (
    BenefitDecision,
    Notification,
    NotificationAnswer,
    NotificationKind,
    NotificationStatus,
)
from samarbejde.organisations.models import Organisation
from samarbejde.organisations.roles import Role
from samarbejde.organisations.tests.factories import user_with_role

pytestmark = pytest.mark.django_db

INBOX = "/indbakke/"


@pytest.fixture
def worker():
    return krfo_case_worker()


@pytest.fixture
def kbh():
    return user_with_role(Role.MUNICIPAL_CASE_WORKER, "101")


@pytest.fixture
def admission(worker):
    """A pensioner on kontanthjælp from København, expected to stay long enough for the CPR notice."""
    person = make_person(
        acting_user=worker, pension="folkepension", benefits=["kontanthjaelp"], first_name="Jonas", last_name="Berg"
    )
    return admit(person, acting_user=worker, expected=timezone.localdate() + timedelta(days=200))


def notice_of(admission, kind, org="101"):
    return next(n for n in admission.notifications if n.kind == kind and n.recipient_organisation.code == org)


def detail_url(notice) -> str:
    return f"/indbakke/{notice.pk}/"


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- who sees the inbox, and which notices ----------------------------------------------------------------

# (role, organisation, inbox status, the notices (recipient code, kind) it lists)
INBOX_CASES = [
    (Role.KRFO_CASE_WORKER, "krfo-koebenhavns-faengsler", 403, None),
    (Role.KRFO_MANAGER, "krfo-storstroem", 403, None),
    (Role.PROBATION_OFFICER, "krfo-kif-hovedstaden", 403, None),
    (Role.YOUTH_SUPERVISOR, "krfo-ungekriminalforsorgen", 403, None),
    (
        Role.MUNICIPAL_CASE_WORKER,
        "101",
        200,
        {"benefits_decision_request", "cpr_register_notice", "pension_notice"},
    ),
    (
        Role.MUNICIPAL_COORDINATOR,
        "101",
        200,
        {"benefits_decision_request", "cpr_register_notice", "pension_notice"},
    ),
    (Role.MUNICIPAL_CASE_WORKER, "751", 200, set()),
    (Role.POLICE_OFFICER, "1470", 200, set()),
    (Role.UDK_OFFICER, "udbetaling-danmark", 200, {"pension_notice"}),
    (Role.ADMINISTRATOR, "krfo-direktoratet", 403, None),
]


def test_every_role_is_covered():
    assert {row[0] for row in INBOX_CASES} == set(Role)


@pytest.mark.parametrize(("role", "code", "status", "kinds"), INBOX_CASES, ids=[f"{r}-{c}" for r, c, *_ in INBOX_CASES])
def test_inbox_per_role(client, admission, role, code, status, kinds):
    user = user_with_role(role, code)
    client.force_login(user)
    response = client.get(INBOX)
    assert response.status_code == status
    nav_link = '<a href="/indbakke/"' in response.content.decode() if status == 200 else None
    if status != 200:
        # And the nav has no Indbakke link for them.
        assert '<a href="/indbakke/"' not in client.get("/start/").content.decode()
        return
    assert nav_link
    shown = {n.kind for n in response.context["notices"]}
    assert shown == kinds
    assert all(
        n.recipient_organisation_id == user.active_membership.organisation_id for n in response.context["notices"]
    )
    html = text_of(response)
    if kinds:
        assert "Jonas Berg" in html
        assert "Københavns Fængsler" in html or admission.episode.institution.display_name in html
    else:
        assert "Jonas Berg" not in html
        assert "Der er ingen underretninger" in html


def test_anonymous_is_sent_to_login(client):
    response = client.get(INBOX)
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/log-ind/")


@pytest.mark.parametrize("role", [Role.MUNICIPAL_CASE_WORKER, Role.UDK_OFFICER])
def test_inbox_rows_mask_the_cpr_for_every_recipient(client, admission, kbh, role):
    """ADR 0011: the inbox row masks the CPR number (also for Udbetaling Danmark); the notice shows it in full."""
    person = admission.episode.person
    client.force_login(kbh if role == Role.MUNICIPAL_CASE_WORKER else user_with_role(role))
    html = client.get(INBOX).content.decode()
    assert person.cpr_masked in html and person.cpr_formatted not in html


def test_the_list_audits_one_read_per_person_shown(client, admission, kbh):
    client.force_login(kbh)
    client.get(INBOX)
    events = AuditEvent.objects.filter(action="notifications.list")
    assert list(events.values_list("person_id", flat=True)) == [admission.episode.person.pk]
    assert events.get().actor == kbh


def test_an_empty_inbox_audits_nothing(client):
    client.force_login(user_with_role(Role.MUNICIPAL_CASE_WORKER, "751"))
    client.get(INBOX)
    assert not AuditEvent.objects.filter(action="notifications.list").exists()


# --- order and filters ------------------------------------------------------------------------------------


@pytest.fixture
def overdue_and_fresh(worker):
    """One København notice overdue (admitted 40 days ago), one due in the future (admitted today)."""
    old = admit(
        make_person(acting_user=worker, benefits=["kontanthjaelp"], first_name="Gammel"),
        acting_user=worker,
        admitted_at=timezone.now() - timedelta(days=40),
    )
    fresh = admit(make_person(acting_user=worker, benefits=["sygedagpenge"], first_name="Ny"), acting_user=worker)
    return notice_of(old, "benefits_decision_request"), notice_of(fresh, "benefits_decision_request")


def test_overdue_first_then_due_date(client, kbh, overdue_and_fresh):
    overdue, fresh = overdue_and_fresh
    client.force_login(kbh)
    notices = client.get(INBOX).context["notices"]
    assert [n.pk for n in notices] == [overdue.pk, fresh.pk]
    assert notices[0].current_status == "overdue"
    assert 'badge badge-error">Overskredet frist' in client.get(INBOX).content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=overdue", ["overdue"]),
        ("status=new", ["fresh"]),
        ("status=answered", []),
        ("afdeling=ydelse", ["overdue"]),
        ("afdeling=jobcenter", ["fresh"]),
        ("frist_foer=" + (date.today() + timedelta(days=1)).isoformat(), ["overdue"]),
        ("frist_foer=", ["overdue", "fresh"]),
    ],
)
def test_filters(client, kbh, overdue_and_fresh, query, expected):
    by_name = dict(zip(("overdue", "fresh"), overdue_and_fresh, strict=True))
    client.force_login(kbh)
    response = client.get(f"{INBOX}?{query}")
    assert response.status_code == 200
    assert [n.pk for n in response.context["notices"]] == [by_name[name].pk for name in expected]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("frist_foer=31-13-2026", "Skriv en gyldig dato, fx 01.04.2027."),
        ("status=slettet", "Vælg en status fra listen."),
        ("afdeling=politi", "Vælg en afdeling fra listen."),
    ],
)
def test_bad_filters_give_a_danish_error_and_are_ignored(client, kbh, overdue_and_fresh, query, message):
    client.force_login(kbh)
    response = client.get(f"{INBOX}?{query}")
    assert response.status_code == 200
    assert message in response.content.decode()
    assert len(response.context["notices"]) == 2


def test_htmx_filter_returns_only_the_results(client, kbh, overdue_and_fresh):
    client.force_login(kbh)
    response = client.get(f"{INBOX}?status=overdue", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html and "<table" in html
    assert "1 underretning<" in html


def test_inbox_query_count_is_pinned_and_constant_in_rows(client, kbh, worker, django_assert_num_queries):
    def seed(n):
        for _ in range(n):
            admit(make_person(acting_user=worker, benefits=["kontanthjaelp", "sygedagpenge"]), acting_user=worker)

    seed(1)
    client.force_login(kbh)
    client.get(INBOX)  # warm the session
    # session + user + membership (middleware), rows (a keyset page: no count, ADR 0013), audit insert, the
    # withdrawals list
    with django_assert_num_queries(7) as few:
        assert len(client.get(INBOX).context["notices"]) == 2
    seed(4)
    Notification.objects.filter(recipient_organisation__code="101").update(assigned_to=kbh)
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(client.get(INBOX).context["notices"]) == 10


# --- the notice page --------------------------------------------------------------------------------------


def test_opening_marks_read_audits_and_shows_the_snapshot_and_legal_basis(client, admission, kbh):
    notice = notice_of(admission, NotificationKind.BENEFITS_DECISION_REQUEST)
    client.force_login(kbh)
    response = client.get(detail_url(notice))
    assert response.status_code == 200
    html = text_of(response)
    notice.refresh_from_db()
    assert notice.status == NotificationStatus.READ and notice.read_at is not None
    assert AuditEvent.objects.filter(action="notifications.read", object_id=str(notice.pk), actor=kbh).count() == 1
    assert "<h1>Anmodning om afgørelse om ydelser: Jonas Berg</h1>" in html
    assert "Cirkulæreskrivelse om indberetning" in html
    assert "Ydelser ved indsættelsen</dt> <dd>Kontanthjælp" in html
    assert admission.episode.person.cpr_formatted in html  # the addressed recipient: in full (ADR 0011)
    assert "Ny → Læst" in html  # the history
    assert "Send svar" in html and "Kvittér" in html and "Tildel til" in html
    # Data minimisation: the municipality's benefits notice carries no pension facts.
    assert "Pension</dt>" not in html


def test_another_municipality_gets_404_on_page_and_actions(client, admission):
    notice = notice_of(admission, NotificationKind.BENEFITS_DECISION_REQUEST)
    client.force_login(user_with_role(Role.MUNICIPAL_CASE_WORKER, "751"))
    assert client.get(detail_url(notice)).status_code == 404
    for action in ("kvitter", "tildel", "svar"):
        assert client.post(f"{detail_url(notice)}{action}/", {}).status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None and notice.acknowledged_at is None
    assert not AuditEvent.objects.filter(action="notifications.read").exists()


@pytest.mark.parametrize(
    ("role", "code", "page_status"),
    [
        (Role.KRFO_CASE_WORKER, "krfo-koebenhavns-faengsler", 200),  # read-only: KRFO follows its notices
        (Role.ADMINISTRATOR, "krfo-direktoratet", 404),
        (Role.POLICE_OFFICER, "1470", 404),
        (Role.UDK_OFFICER, "udbetaling-danmark", 404),
    ],
)
def test_non_recipients_cannot_act(client, admission, role, code, page_status):
    notice = notice_of(admission, NotificationKind.BENEFITS_DECISION_REQUEST)
    client.force_login(user_with_role(role, code))
    response = client.get(detail_url(notice))
    assert response.status_code == page_status
    if page_status == 200:
        html = response.content.decode()
        assert "Send svar" not in html and ">Kvittér<" not in html and "Tildel til" not in html
        notice.refresh_from_db()
        assert notice.read_at is None  # KRFO reading does not mark it read
    for action in ("kvitter", "tildel", "svar"):
        assert client.post(f"{detail_url(notice)}{action}/", {}).status_code == 404


def test_malformed_and_unknown_ids_are_404(client, kbh):
    client.force_login(kbh)
    assert client.get("/indbakke/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get("/indbakke/ikke-et-id/").status_code == 404


# --- acknowledge ------------------------------------------------------------------------------------------


def test_acknowledge_a_cpr_notice_settles_it_and_twice_is_a_message(client, admission):
    notice = notice_of(admission, NotificationKind.CPR_REGISTER_NOTICE)
    borgerservice = user_with_role(Role.MUNICIPAL_CASE_WORKER, "101")
    client.force_login(borgerservice)
    page = text_of(client.get(detail_url(notice)))
    assert "Send svar" not in page  # a CPR notice is acknowledged, not answered
    response = client.post(f"{detail_url(notice)}kvitter/", follow=True)
    assert "Du har kvitteret for underretningen." in text_of(response)
    notice.refresh_from_db()
    assert notice.status == NotificationStatus.ACKNOWLEDGED
    again = client.post(f"{detail_url(notice)}kvitter/", follow=True)
    assert again.status_code == 200
    assert "Der er allerede kvitteret for underretningen." in text_of(again)
    assert AuditEvent.objects.filter(action="notifications.acknowledge", object_id=str(notice.pk)).count() == 1


def test_acknowledge_does_not_accept_get(client, admission, kbh):
    client.force_login(kbh)
    notice = notice_of(admission, NotificationKind.CPR_REGISTER_NOTICE)
    assert client.get(f"{detail_url(notice)}kvitter/").status_code == 405


# --- answer -----------------------------------------------------------------------------------------------


def answer_data(**overrides):
    data = {
        "kontanthjaelp-code": "stopped",
        "kontanthjaelp-date": "2027-04-01",
        "kontanthjaelp-text": "",
        "text": "Husleje vurderes særskilt.",
    }
    data.update(overrides)
    return data


def test_answer_records_one_decision_per_benefit_and_shows_it(client, admission, kbh):
    notice = notice_of(admission, NotificationKind.BENEFITS_DECISION_REQUEST)
    client.force_login(kbh)
    response = client.post(f"{detail_url(notice)}svar/", answer_data(), follow=True)
    html = text_of(response)
    assert "Svaret er sendt til Kriminalforsorgen." in html
    assert "Kontanthjælp standset pr. 1. april 2027" in html
    assert "Husleje vurderes særskilt." in html
    notice.refresh_from_db()
    assert notice.status == NotificationStatus.ANSWERED
    decision = BenefitDecision.objects.get()
    assert (decision.subject, decision.code, decision.effective_date) == ("kontanthjaelp", "stopped", date(2027, 4, 1))
    assert "Send svar" not in html and ">Kvittér<" not in html


def test_answer_accepts_the_danish_date_format(client, admission, kbh):
    notice = notice_of(admission, NotificationKind.BENEFITS_DECISION_REQUEST)
    client.force_login(kbh)
    client.post(f"{detail_url(notice)}svar/", answer_data(**{"kontanthjaelp-date": "01.04.2027"}))
    assert BenefitDecision.objects.get().effective_date == date(2027, 4, 1)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"kontanthjaelp-code": ""}, "Vælg en afgørelse for kontanthjælp."),
        ({"kontanthjaelp-code": "deleted"}, "Vælg en afgørelse for kontanthjælp fra listen."),
        ({"kontanthjaelp-date": "31.02.2027"}, "Datoen for kontanthjælp er ikke en gyldig dato."),
        ({"kontanthjaelp-date": "i morgen"}, "Datoen for kontanthjælp er ikke en gyldig dato."),
        ({"kontanthjaelp-date": "1850-01-01"}, "Datoen for kontanthjælp ligger mere end 31 dage før indsættelsen"),
        ({"kontanthjaelp-date": "2099-01-01"}, "Datoen for kontanthjælp ligger mere end 366 dage ude i fremtiden."),
        ({"kontanthjaelp-date": ""}, "Angiv datoen for afgørelsen om kontanthjælp."),
        (
            {"kontanthjaelp-code": "rent_covered", "kontanthjaelp-date": ""},
            "Angiv datoen for afgørelsen om kontanthjælp.",
        ),
        ({"kontanthjaelp-code": "other", "kontanthjaelp-date": ""}, "Uddyb afgørelsen for kontanthjælp"),
        ({"kontanthjaelp-text": "x" * 501}, "Teksten må højst være 500 tegn. Du har skrevet 501."),
        ({"text": "x" * 4001}, "Teksten må højst være 4000 tegn."),
    ],
)
def test_bad_answers_give_danish_errors_and_save_nothing(client, admission, kbh, overrides, message):
    notice = notice_of(admission, NotificationKind.BENEFITS_DECISION_REQUEST)
    client.force_login(kbh)
    response = client.post(f"{detail_url(notice)}svar/", answer_data(**overrides))
    assert response.status_code == 200
    html = text_of(response)
    assert "Der er fejl i formularen" in html
    assert message in html
    assert not NotificationAnswer.objects.exists() and not BenefitDecision.objects.exists()
    notice.refresh_from_db()
    assert notice.answered_at is None and notice.status != NotificationStatus.ANSWERED
    assert not AuditEvent.objects.filter(action="notifications.answer").exists()
    # What was typed is kept.
    if overrides.get("text"):
        assert overrides["text"][:50] in html


def test_decisions_for_several_benefits_each_required(client, worker, kbh):
    outcome = admit(
        make_person(acting_user=worker, benefits=["kontanthjaelp", "uddannelseshjaelp"]), acting_user=worker
    )
    notice = notice_of(outcome, NotificationKind.BENEFITS_DECISION_REQUEST)
    client.force_login(kbh)
    response = client.post(f"{detail_url(notice)}svar/", answer_data())
    assert "Vælg en afgørelse for uddannelseshjælp." in text_of(response)
    assert not NotificationAnswer.objects.exists()
    client.post(
        f"{detail_url(notice)}svar/",
        answer_data(**{"uddannelseshjaelp-code": "rent_covered", "uddannelseshjaelp-date": "2027-06-30"}),
    )
    assert list(BenefitDecision.objects.values_list("subject", "code")) == [
        ("kontanthjaelp", "stopped"),
        ("uddannelseshjaelp", "rent_covered"),
    ]


def test_double_submit_is_idempotent_with_a_message(client, admission, kbh):
    notice = notice_of(admission, NotificationKind.BENEFITS_DECISION_REQUEST)
    colleague = user_with_role(Role.MUNICIPAL_COORDINATOR, "101")
    client.force_login(kbh)
    client.post(f"{detail_url(notice)}svar/", answer_data())
    response = client.post(
        f"{detail_url(notice)}svar/", answer_data(**{"kontanthjaelp-code": "continued"}), follow=True
    )
    assert response.status_code == 200
    assert "Underretningen er allerede besvaret" in text_of(response)
    client.force_login(colleague)
    response = client.post(f"{detail_url(notice)}svar/", {}, follow=True)
    assert "Underretningen er allerede besvaret" in text_of(response)
    response = client.post(f"{detail_url(notice)}kvitter/", follow=True)
    assert "Underretningen er allerede besvaret" in text_of(response)
    assert NotificationAnswer.objects.count() == 1
    assert BenefitDecision.objects.get().code == "stopped"
    assert AuditEvent.objects.filter(action="notifications.answer").count() == 1


def test_udk_records_its_pension_decision_in_the_inbox(client, admission):
    notice = notice_of(admission, NotificationKind.PENSION_NOTICE, org="udbetaling-danmark")
    client.force_login(user_with_role(Role.UDK_OFFICER))
    form_page = text_of(client.get(detail_url(notice)))
    assert "Pensionen standset pr. dato" in form_page and "Fortsætter" not in form_page
    empty = client.post(f"{detail_url(notice)}svar/", {"text": "  "})
    assert "Vælg en afgørelse for folkepension." in text_of(empty)
    assert not NotificationAnswer.objects.exists()
    today = timezone.localdate().isoformat()
    response = client.post(
        f"{detail_url(notice)}svar/",
        {"folkepension-code": "stopped", "folkepension-date": today, "text": "Folkepensionen er standset."},
        follow=True,
    )
    assert "Svaret er sendt til Kriminalforsorgen." in text_of(response)
    notice.refresh_from_db()
    assert notice.status == NotificationStatus.ANSWERED
    assert BenefitDecision.objects.get().code == "stopped"


def test_the_municipality_records_its_rent_decision_in_the_inbox(client, admission, kbh):
    notice = notice_of(admission, NotificationKind.PENSION_NOTICE, org="101")
    coordinator = user_with_role(Role.MUNICIPAL_COORDINATOR, "101")
    client.force_login(coordinator)
    form_page = text_of(client.get(detail_url(notice)))
    assert "Husleje af folkepensionen" in form_page and "Husleje dækkes til dato" in form_page
    until = (timezone.localdate() + timedelta(days=120)).isoformat()
    client.post(f"{detail_url(notice)}svar/", {"folkepension-code": "rent_covered", "folkepension-date": until})
    assert BenefitDecision.objects.get().code == "rent_covered"


def test_a_notice_that_is_not_answered_refuses_an_answer_politely(client, admission, kbh):
    notice = notice_of(admission, NotificationKind.CPR_REGISTER_NOTICE)
    client.force_login(kbh)
    response = client.post(f"{detail_url(notice)}svar/", {"text": "Hej"}, follow=True)
    assert response.status_code == 200
    assert ns.MSG_NOT_ANSWERABLE in text_of(response)
    assert not NotificationAnswer.objects.exists()


# --- assign -----------------------------------------------------------------------------------------------


def test_assign_to_a_colleague_and_back_to_nobody(client, admission, kbh):
    notice = notice_of(admission, NotificationKind.BENEFITS_DECISION_REQUEST)
    colleague = user_with_role(Role.MUNICIPAL_COORDINATOR, "101", first_name="Kirsten", last_name="Kollega")
    client.force_login(kbh)
    page = client.get(detail_url(notice)).content.decode()
    assert "Kirsten Kollega" in page
    response = client.post(f"{detail_url(notice)}tildel/", {"assignee": str(colleague.pk)}, follow=True)
    assert "Underretningen er tildelt Kirsten Kollega." in text_of(response)
    notice.refresh_from_db()
    assert notice.assigned_to == colleague
    assert "Kirsten Kollega" in client.get(INBOX).content.decode()
    client.post(f"{detail_url(notice)}tildel/", {"assignee": ""})
    notice.refresh_from_db()
    assert notice.assigned_to is None
    assert AuditEvent.objects.filter(action="notifications.assign", object_id=str(notice.pk)).count() == 2


def test_assign_to_someone_outside_the_organisation_is_refused(client, admission, kbh):
    notice = notice_of(admission, NotificationKind.BENEFITS_DECISION_REQUEST)
    outsider = user_with_role(Role.MUNICIPAL_CASE_WORKER, "751")
    client.force_login(kbh)
    response = client.post(f"{detail_url(notice)}tildel/", {"assignee": str(outsider.pk)})
    assert response.status_code == 200
    assert "Vælg en kollega fra listen." in text_of(response)
    notice.refresh_from_db()
    assert notice.assigned_to is None


def test_assign_service_validates_membership_and_recipient(admission, kbh):
    from django.core.exceptions import PermissionDenied, ValidationError

    notice = notice_of(admission, NotificationKind.BENEFITS_DECISION_REQUEST)
    outsider = user_with_role(Role.MUNICIPAL_CASE_WORKER, "751")
    with pytest.raises(ValidationError, match="aktiv tilknytning til Københavns Kommune"):
        ns.notification_assign(notice, assignee=outsider, acting_user=kbh)
    with pytest.raises(PermissionDenied):
        ns.notification_assign(notice, assignee=kbh, acting_user=outsider)
    ns.notification_assign(notice, assignee=kbh, acting_user=kbh)
    ns.notification_assign(notice, assignee=kbh, acting_user=kbh)  # no change, no second event
    assert AuditEvent.objects.filter(action="notifications.assign").count() == 1


# --- start page -------------------------------------------------------------------------------------------


def test_start_page_counts_for_the_municipality_and_krfo(client, worker, kbh, overdue_and_fresh):
    client.force_login(kbh)
    html = text_of(client.get("/start/"))
    assert "2 nye, 2 åbne, 1 med overskredet frist." in html
    assert "Gå til indbakken" in html
    assert f'href="/indbakke/{overdue_and_fresh[0].pk}/"' in html
    client.force_login(worker)
    html = text_of(client.get("/start/"))
    assert "2 ubesvarede, heraf 1 med overskredet frist." in html
    # Another institution's staff do not count these.
    client.force_login(user_with_role(Role.KRFO_MANAGER, "krfo-storstroem"))
    assert "0 ubesvarede, heraf 0 med overskredet frist." in text_of(client.get("/start/"))


def test_notices_come_in_order_of_due_date(client, admission, kbh):
    client.force_login(kbh)
    notices = list(client.get(INBOX).context["notices"])
    # The CPR notice is due in 5 days, the benefits request and the pension notice in 10 business days.
    assert notices[0].kind == "cpr_register_notice"
    assert {n.kind for n in notices[1:]} == {"benefits_decision_request", "pension_notice"}
    assert [n.due_date for n in notices] == sorted(n.due_date for n in notices)


def test_the_notice_names_the_sending_institution_with_its_phone_and_mailbox_and_its_contact_person(
    client, admission, kbh
):
    from samarbejde.organisations.models import Contact, ContactFunction

    prison = Organisation.objects.get(code="krfo-koebenhavns-faengsler")
    prison.phone, prison.email = "72 55 10 00", "kbh-faengsler@krfo.example"
    prison.save()
    contact = Contact.objects.create(
        organisation=prison, function=ContactFunction.KRFO_CONTACT, unit_name="Udslusning", phone="72 55 10 10"
    )
    contact.covers.add(Organisation.objects.get(code="101"))
    notice = notice_of(admission, NotificationKind.BENEFITS_DECISION_REQUEST)
    client.force_login(kbh)
    html = text_of(client.get(detail_url(notice)))
    assert "Telefon 72 55 10 00" in html and "kbh-faengsler@krfo.example" in html
    assert "Kontaktperson for Københavns Kommune: Udslusning, telefon 72 55 10 10" in html
    # A due date always, said plainly: no "Ingen frist" beside "besvares inden fristen".
    assert "Ingen frist" not in html and "senest" in html


def test_service_users_are_not_offered_as_colleagues(client, admission, kbh):
    from samarbejde.api.models import ApiScope
    from samarbejde.api.services import api_key_create, service_membership_for

    api_key_create(Organisation.objects.get(code="101"), scopes=[ApiScope.NOTIFICATIONS_READ])
    service = service_membership_for(Organisation.objects.get(code="101")).user
    assert service.is_service_account
    notice = notice_of(admission, NotificationKind.BENEFITS_DECISION_REQUEST)
    client.force_login(kbh)
    html = text_of(client.get(detail_url(notice)))
    assert service.display_name not in html
    with pytest.raises(ns.ValidationError):
        ns.notification_assign(notice, assignee=service, acting_user=kbh)
