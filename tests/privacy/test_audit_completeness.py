"""Audit completeness, enumerated (issue 9, point 5).

Every URL pattern of the site (django.urls.get_resolver(), walked recursively, the admin's included) and every
operation of the API schema (drf-spectacular's generator) is classified below: it shows a person's data on GET
(`Shows`: who may see it and at which URL), it takes no GET (`PostOnly`), it refuses the GET for everybody
(`Refused`), or it shows no person's data (`NotPersonal`, with the reason). A pattern or an operation that is
not in the tables fails `test_every_*_is_classified`, so a new page is classified when it is added.

For every `Shows` entry a GET is made as a user who may see the page, and the test asserts that the request
wrote at least one audit event naming the person shown (so the person's data-subject report lists it).
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from samarbejde.api.models import ApiScope
from samarbejde.api.services import api_key_create
from samarbejde.audit.models import AuditEvent
from samarbejde.consent.categories import DataCategory
from samarbejde.consent.models import GivenHow
from samarbejde.consent.services import consent_give, consent_require
from samarbejde.consent.tests.factories import ConsentFactory
from samarbejde.custody.services import episode_decide_coordination
from samarbejde.custody.tests.factories import admit, krfo_case_worker, make_person
from samarbejde.documents.models import FormKind
from samarbejde.documents.services import inmate_form_prepare
from samarbejde.notifications.models import NotificationAttachment
from samarbejde.notifications.services import notification_answer
from samarbejde.organisations.roles import Role
from samarbejde.organisations.tests.factories import organisation, user_with_role
from samarbejde.people.link_rules import need_access_hours_allowed
from samarbejde.people.models import PersonLink
from samarbejde.people.services import person_access_grant
from tests.urlwalk import ADMIN_VIEWS, admin_model_patterns, api_operations, url_patterns

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


# --- The data every person page is tried with --------------------------------------------------------------


@dataclass
class World:
    """One inmate with a case: admitted (notices to Københavns Kommune), coordination decided (a request for
    case files, answered with a file), an inmate form prepared, a need-access grant; and the users who may see
    each page."""

    worker: object
    coordinator: object
    administrator: object
    api_key: str
    krfo_api_key: str
    person: object
    episode: object
    notice: object
    attachment: object
    inmate_form: object
    person_link: object
    audit_event: object
    kif: object = None  # a KiF probation officer with a § 808 investigation of the person (pre_sentence)
    investigation: object = None
    consent: object = None  # given on a signed form (its PDF is downloadable)
    plan: object = None  # action_plans: the episode's handleplan, housing shared with 101 on the legal basis


@pytest.fixture
def world(settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path / "media"
    worker = krfo_case_worker(username="completeness.krfo")
    coordinator = user_with_role(Role.MUNICIPAL_COORDINATOR, "101", username="completeness.kbh")
    administrator = user_with_role(Role.ADMINISTRATOR, username="completeness.admin")
    person = make_person(acting_user=worker, benefits=["kontanthjaelp"], first_name="Alma", last_name="Audit")
    episode = admit(person, acting_user=worker).episode
    ConsentFactory(person=person, categories=[DataCategory.CASE_FILES])  # the case-files request rests on consent
    notice = episode_decide_coordination(episode, coordinate=True, acting_user=worker).case_files_request
    notification_answer(
        notice,
        text="Vedlagt",
        files=[SimpleUploadedFile("sagsakter.pdf", PDF, content_type="application/pdf")],
        acting_user=coordinator,
    )
    # A need-access grant, so the user's own grants and the data-protection officer's list show the person.
    person_access_grant(
        person, justification="Opfølgning på en henvendelse", hours=need_access_hours_allowed()[0], acting_user=worker
    )
    consent = consent_give(
        person,
        recipients=[organisation("101")],
        categories=[DataCategory.HOUSING],
        purpose="Koordinering af handleplan",
        given_on=timezone.localdate(),
        given_how=GivenHow.SIGNED_FORM,
        signed_form=SimpleUploadedFile("samtykke.pdf", PDF, content_type="application/pdf"),
        acting_user=worker,
    )
    consent_require(  # one disclosure without consent, so the override list shows the person
        person,
        recipient=organisation("101"),
        category=DataCategory.HEALTH,
        acting_user=user_with_role(Role.KRFO_MANAGER, "krfo-koebenhavns-faengsler", username="completeness.leder"),
        override_reason="Akut",
    )
    raw_key = api_key_create(
        organisation("101"), scopes=[ApiScope.NOTIFICATIONS_READ, ApiScope.NOTIFICATIONS_ANSWER], name="Test"
    )[1]
    # --- pre_sentence: a § 808 investigation of the person by KiF, with a request to 101 ---
    from samarbejde.pre_sentence.tests.factories import kif_officer, open_investigation, send_request

    kif = kif_officer(username="completeness.kif")
    investigation = open_investigation(acting_user=kif, person=person)
    send_request(investigation, acting_user=kif)
    return World(
        kif=kif,
        investigation=investigation,
        worker=worker,
        coordinator=coordinator,
        administrator=administrator,
        api_key=raw_key,
        krfo_api_key=api_key_create(
            organisation("krfo-koebenhavns-faengsler"), scopes=[ApiScope.CUSTODY_EVENTS_WRITE], name="Klientsystem"
        )[1],
        person=person,
        episode=episode,
        notice=notice,
        attachment=NotificationAttachment.objects.get(notification=notice),
        inmate_form=inmate_form_prepare(person, kind=FormKind.DIGITAL_POST_EXEMPTION, acting_user=worker),
        person_link=PersonLink.objects.filter(person=person).first(),
        audit_event=AuditEvent.objects.filter(person=person).first(),
        consent=consent,
        plan=_shared_plan(episode, worker),
    )


def _shared_plan(episode, worker):
    """action_plans: a plan with one action, its housing area shared with 101 (the notice opens 101's link)."""
    from datetime import timedelta

    from samarbejde.action_plans import services as plan_services

    plan = plan_services.plan_start(episode, acting_user=worker).plan
    plan = plan_services.action_add(
        plan,
        expected_version=plan.version,
        category="housing",
        description="Bolig",
        responsible_kind="client",
        due_on=timezone.localdate() + timedelta(days=10),
        acting_user=worker,
    ).plan
    return plan_services.plan_share(
        plan, expected_version=plan.version, shares={"housing": "legal"}, acting_user=worker
    ).plan


# --- The classification -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shows:
    """A GET shows the person's data. `who` names a World user (or "api" for the API key)."""

    who: str
    url: Callable[[World], str]


@dataclass(frozen=True)
class PostOnly:
    """The view takes no GET (405): it never shows anything on one."""


@dataclass(frozen=True)
class Refused:
    """The GET is refused for everybody (e.g. persons cannot be deleted, so no delete page): `status` as `who`."""

    who: str
    url: Callable[[World], str]
    status: int = 403


@dataclass(frozen=True)
class NotPersonal:
    reason: str


ORGS = "organisations, contacts and routing: staff and units, no data subject"
STAFF = "staff accounts and their sign-in data, no data subject"
PUBLIC = "public page"

URL_PATTERNS: dict[str, object] = {
    # The application's own pages.
    "": NotPersonal(PUBLIC),
    "kommuner/": NotPersonal(PUBLIC),
    "kommuner/<str:code>/": NotPersonal(PUBLIC),
    "lovgrundlag/": NotPersonal(PUBLIC),
    "dokumenter/": NotPersonal(PUBLIC),
    "dokumenter/<slug:slug>/": NotPersonal("a public document (PDF)"),
    "dokumenter/<slug:slug>/v<int:number>/": NotPersonal("a public document (PDF)"),
    "tilgaengelighed/": NotPersonal(PUBLIC),
    "personoplysninger/": NotPersonal(PUBLIC),
    "healthz": NotPersonal("database and worker status"),
    "start/": NotPersonal("counts and links only (samarbejde/*/startpage.py)"),
    "i18n/setlang/": NotPersonal("language switch (POST, redirect)"),
    "konto/log-ind/": NotPersonal(STAFF),
    "konto/log-ud/": NotPersonal(STAFF),
    "konto/skift-organisation/": NotPersonal(STAFF),
    "konto/totp/opsaet/": NotPersonal(STAFF),
    "konto/totp/bekraeft/": NotPersonal(STAFF),
    "revision/": Shows("administrator", lambda w: f"/revision/?person={w.person.pk}"),
    "revision/person/<uuid:person_id>/": Shows("administrator", lambda w: f"/revision/person/{w.person.pk}/"),
    "revision/begrundede-adgange/": Shows("administrator", lambda w: "/revision/begrundede-adgange/"),
    "blanketter/": Shows("worker", lambda w: "/blanketter/"),  # the forms prepared most recently
    "blanketter/person/<uuid:person_id>/": Shows("worker", lambda w: f"/blanketter/person/{w.person.pk}/"),
    "blanketter/person/<uuid:person_id>/ny/": Shows("worker", lambda w: f"/blanketter/person/{w.person.pk}/ny/"),
    "blanketter/<uuid:pk>/": Shows("worker", lambda w: f"/blanketter/{w.inmate_form.pk}/"),
    "blanketter/<uuid:pk>/status/": PostOnly(),
    "blanketter/<uuid:pk>/pdf/": Shows("worker", lambda w: f"/blanketter/{w.inmate_form.pk}/pdf/"),
    "organisationer/aendringsforslag/": NotPersonal(ORGS),
    "organisationer/aendringsforslag/<uuid:pk>/": NotPersonal(ORGS),
    "organisationer/aendringsforslag/<uuid:pk>/afgoerelse/": PostOnly(),
    "organisationer/kommuner/<str:code>/aendringsforslag/": NotPersonal(ORGS),
    "organisationer/kommuner/<str:code>/fordeling/aendringsforslag/": NotPersonal(ORGS),
    "organisationer/kommuner/<str:code>/historik/": NotPersonal(ORGS),
    "indbakke/": Shows("coordinator", lambda w: "/indbakke/"),
    "indbakke/<uuid:pk>/": Shows("coordinator", lambda w: f"/indbakke/{w.notice.pk}/"),
    "indbakke/<uuid:pk>/kvitter/": PostOnly(),
    "indbakke/<uuid:pk>/tildel/": PostOnly(),
    "indbakke/<uuid:pk>/svar/": PostOnly(),
    "indbakke/<uuid:pk>/traek-tilbage/": PostOnly(),
    "indbakke/bilag/<uuid:pk>/": Shows("coordinator", lambda w: f"/indbakke/bilag/{w.attachment.pk}/"),
    "klienter/": Shows("worker", lambda w: "/klienter/"),
    # --- pre_sentence ---
    "personundersoegelser/": Shows("kif", lambda w: "/personundersoegelser/"),
    "personundersoegelser/ny/": NotPersonal("on GET only the empty form; the CPR is POSTed (people.search)"),
    "personundersoegelser/<uuid:pk>/": Shows("kif", lambda w: f"/personundersoegelser/{w.investigation.pk}/"),
    "personundersoegelser/<uuid:pk>/anmodning/": PostOnly(),
    "personundersoegelser/<uuid:pk>/afslut/": PostOnly(),
    "personundersoegelser/<uuid:pk>/erklaering.pdf": Shows(
        "kif", lambda w: f"/personundersoegelser/{w.investigation.pk}/erklaering.pdf"
    ),
    "klienter/ubesvarede/": Shows("worker", lambda w: "/klienter/ubesvarede/"),
    "klienter/adgang/": Shows("worker", lambda w: "/klienter/adgang/"),  # the user's own need-access grants
    "klienter/indsaettelse/": NotPersonal("on GET only the empty CPR field; the look-up is a POST (people.search)"),
    "klienter/forloeb/<uuid:pk>/": Shows("worker", lambda w: f"/klienter/forloeb/{w.episode.pk}/"),
    "klienter/forloeb/<uuid:pk>/afsoning/": PostOnly(),
    "klienter/forloeb/<uuid:pk>/overfoersel/": PostOnly(),
    "klienter/forloeb/<uuid:pk>/loesladelsesdato/": PostOnly(),
    "klienter/forloeb/<uuid:pk>/loesladelse/": PostOnly(),
    "klienter/forloeb/<uuid:pk>/koordinering/": PostOnly(),
    "klienter/forloeb/<uuid:pk>/rettelse/": PostOnly(),
    # --- consent ---
    "samtykke/person/<uuid:person_pk>/ny/": Shows("worker", lambda w: f"/samtykke/person/{w.person.pk}/ny/"),
    "samtykke/person/<uuid:person_pk>/erklaering.pdf": Shows(
        "worker", lambda w: f"/samtykke/person/{w.person.pk}/erklaering.pdf"
    ),
    "samtykke/<uuid:pk>/": Shows("worker", lambda w: f"/samtykke/{w.consent.pk}/"),
    "samtykke/<uuid:pk>/tilbagekald/": PostOnly(),
    "samtykke/<uuid:pk>/underskrevet.pdf": Shows("worker", lambda w: f"/samtykke/{w.consent.pk}/underskrevet.pdf"),
    "samtykke/tilsidesaettelser/": Shows("administrator", lambda w: "/samtykke/tilsidesaettelser/"),
    # --- action_plans ---
    "handleplaner/": Shows("worker", lambda w: "/handleplaner/"),
    "handleplaner/forloeb/<uuid:episode_pk>/opret/": PostOnly(),
    "handleplaner/<uuid:pk>/": Shows("worker", lambda w: f"/handleplaner/{w.plan.pk}/"),
    "handleplaner/<uuid:pk>/pdf/": Shows("worker", lambda w: f"/handleplaner/{w.plan.pk}/pdf/"),
    "handleplaner/<uuid:pk>/klient/<str:language>/": Shows("worker", lambda w: f"/handleplaner/{w.plan.pk}/klient/da/"),
    "handleplaner/<uuid:pk>/versioner/<int:number>/": Shows(
        "worker", lambda w: f"/handleplaner/{w.plan.pk}/versioner/2/"
    ),
    "handleplaner/<uuid:pk>/gem/": PostOnly(),
    "handleplaner/<uuid:pk>/indsatser/": PostOnly(),
    "handleplaner/<uuid:pk>/indsatser/<uuid:action_pk>/": PostOnly(),
    "handleplaner/<uuid:pk>/deling/": PostOnly(),
    "handleplaner/<uuid:pk>/kommentarer/": PostOnly(),
    "handleplaner/kommune/<uuid:pk>/": Shows("coordinator", lambda w: f"/handleplaner/kommune/{w.plan.pk}/"),
    "handleplaner/kommune/<uuid:pk>/indsatser/": PostOnly(),
    "handleplaner/kommune/<uuid:pk>/indsatser/<uuid:action_pk>/": PostOnly(),
    "handleplaner/kommune/<uuid:pk>/reference/": PostOnly(),
    "handleplaner/kommune/<uuid:pk>/kommentarer/": PostOnly(),
    "api/v1/action-plans/<str:pk>/": Shows("api", lambda w: f"/api/v1/action-plans/{w.plan.pk}/"),
    "drift/leveringer/": NotPersonal("organisations, channels, counts, notice ids and kinds (delivery/views.py)"),
    # The API's URL patterns; its operations are classified again, by method, in API_OPERATIONS.
    "api/v1/municipalities/": NotPersonal(ORGS),
    "api/v1/municipalities/<str:code>/": NotPersonal(ORGS),
    "api/v1/notifications/": Shows("api", lambda w: "/api/v1/notifications/"),
    "api/v1/notifications/<str:pk>/": Shows("api", lambda w: f"/api/v1/notifications/{w.notice.pk}/"),
    "api/v1/notifications/<str:pk>/acknowledge/": PostOnly(),
    "api/v1/notifications/<str:pk>/answers/": PostOnly(),
    "api/v1/custody-events/": PostOnly(),
    "api/v1/schema/": NotPersonal("the OpenAPI schema"),
    "api/v1/docs/": NotPersonal("the API's documentation page"),
    # The admin site's own pages.
    "admin/": NotPersonal("the model list; the recent-actions box (object names) is left out (templates/admin)"),
    "admin/login/": NotPersonal(STAFF),
    "admin/logout/": NotPersonal(STAFF),
    "admin/password_change/": NotPersonal(STAFF),
    "admin/password_change/done/": NotPersonal(STAFF),
    "admin/autocomplete/": NotPersonal("no admin autocompletes a person (no autocomplete_fields to people.Person)"),
    "admin/jsi18n/": NotPersonal("JavaScript catalogue"),
    "admin/r/<path:content_type_id>/<path:object_id>/": NotPersonal("a redirect to the object's own page"),
    "admin/^(?P<app_label>otp_totp|axes|django_tasks_database|core|organisations|accounts|legal|people|delivery|"
    "documents|audit|api)/$": NotPersonal("the models of one app"),
    "admin/(?P<url>.*)$": NotPersonal("the admin's catch-all 404"),
    "admin/otp_totp/totpdevice/<int:pk>/config/": NotPersonal(STAFF),
    "admin/otp_totp/totpdevice/<int:pk>/qrcode/": NotPersonal(STAFF),
    "admin/accounts/user/<id>/password/": NotPersonal(STAFF),
    "admin/people/person/cpr-opslag/": PostOnly(),
    "admin/audit/auditevent/cpr-opslag/": PostOnly(),
}


def _admin(model: str, view: str, pk: Callable[[World], object] | None = None) -> Callable[[World], str]:
    app_label, model_name = model.split(".")
    if pk is None:
        return lambda w: reverse(f"admin:{app_label}_{model_name}_{view}")
    return lambda w: reverse(f"admin:{app_label}_{model_name}_{view}", args=[pk(w)])


def _person_bearing_admin(model: str, pk: Callable[[World], object], *, deletable: bool = False, addable: bool = True):
    return {
        "changelist": Shows("administrator", _admin(model, "changelist")),
        "add": NotPersonal("an empty form") if addable else Refused("administrator", _admin(model, "add")),
        "history": Shows("administrator", _admin(model, "history", pk)),
        "delete": Shows("administrator", _admin(model, "delete", pk))
        if deletable
        else Refused("administrator", _admin(model, "delete", pk)),
        "change": Shows("administrator", _admin(model, "change", pk)),
        "redirect": NotPersonal("redirects to the change page"),
    }


def _not_personal_admin(reason: str) -> dict:
    return {view: NotPersonal(reason) for view in ADMIN_VIEWS.values()}


ADMIN_MODELS: dict[str, dict] = {
    "people.person": _person_bearing_admin("people.person", lambda w: w.person.pk),
    "people.personlink": _person_bearing_admin("people.personlink", lambda w: w.person_link.pk, addable=False),
    "audit.auditevent": {
        **_person_bearing_admin("audit.auditevent", lambda w: w.audit_event.pk, addable=False),
        # An event's str() is its time and action and it has no admin history: the page names no person.
        "history": NotPersonal("the event's time and action; audit events are never changed"),
    },
    "accounts.user": _not_personal_admin(STAFF),
    "api.apikey": _not_personal_admin("API keys of organisations"),
    "axes.accessattempt": _not_personal_admin(STAFF),
    "axes.accessfailurelog": _not_personal_admin(STAFF),
    "axes.accesslog": _not_personal_admin(STAFF),
    "otp_totp.totpdevice": _not_personal_admin(STAFF),
    "core.workerheartbeat": _not_personal_admin("worker heartbeats"),
    "delivery.delivery": _not_personal_admin("channels, states and recipients of deliveries (delivery/admin.py)"),
    "delivery.webhooksubscription": _not_personal_admin(ORGS),
    "django_tasks_database.dbtaskresult": _not_personal_admin("task names, states and ids, no person's data"),
    "documents.publicdocument": _not_personal_admin("public documents"),
    "legal.act": _not_personal_admin("the legal catalogue"),
    "legal.paragraph": _not_personal_admin("the legal catalogue"),
    "organisations.contact": _not_personal_admin(ORGS),
    "organisations.contactchangerequest": _not_personal_admin(ORGS),
    "organisations.department": _not_personal_admin(ORGS),
    "organisations.membership": _not_personal_admin(STAFF),
    "organisations.noticeroute": _not_personal_admin(ORGS),
    "organisations.organisation": _not_personal_admin(ORGS),
    "organisations.region": _not_personal_admin(ORGS),
}

# The API's operations as the schema lists them ("METHOD path").
API_OPERATIONS: dict[str, object] = {
    "GET /api/v1/municipalities/": NotPersonal(ORGS),
    "GET /api/v1/municipalities/{code}/": NotPersonal(ORGS),
    "GET /api/v1/notifications/": Shows("api", lambda w: "/api/v1/notifications/"),
    "GET /api/v1/notifications/{id}/": Shows("api", lambda w: f"/api/v1/notifications/{w.notice.pk}/"),
    "POST /api/v1/notifications/{id}/acknowledge/": PostOnly(),
    "POST /api/v1/notifications/{id}/answers/": PostOnly(),
    "POST /api/v1/custody-events/": PostOnly(),
    "GET /api/v1/action-plans/{id}/": Shows("api", lambda w: f"/api/v1/action-plans/{w.plan.pk}/"),
}


# --- Walking the URL conf and the schema (tests/urlwalk.py) ---------------------------------------------------


def admin_patterns() -> dict[str, object]:
    """The six per-model patterns of every registered ModelAdmin, classified by ADMIN_MODELS (None: unclassified)."""
    return {route: ADMIN_MODELS.get(label, {}).get(view) for route, label, view in admin_model_patterns()}


def classification() -> dict[str, object]:
    return {**URL_PATTERNS, **admin_patterns()}


def test_every_url_pattern_is_classified():
    table = classification()
    patterns = list(url_patterns())
    unclassified = sorted({p for p in patterns if table.get(p) is None})
    assert not unclassified, f"classify these URL patterns in {__name__}: {unclassified}"
    stale = sorted(set(URL_PATTERNS) - set(patterns))
    assert not stale, f"these classified patterns no longer exist: {stale}"
    assert set(ADMIN_MODELS) == {m._meta.label_lower for m in admin.site._registry}


def test_every_api_operation_is_classified():
    operations = api_operations()
    assert sorted(API_OPERATIONS) == operations, "classify every API operation in API_OPERATIONS"


def _cases(kind) -> list[tuple[str, object]]:
    table = {**classification(), **{f"api {op}": case for op, case in API_OPERATIONS.items()}}
    return sorted((name, case) for name, case in table.items() if isinstance(case, kind))


def test_the_tables_hold_what_the_issue_names():
    shown = {name for name, _case in _cases(Shows)}
    for name in (
        "blanketter/person/<uuid:person_id>/ny/",
        "admin/people/person/<path:object_id>/change/",
        "admin/people/person/",
        "admin/people/personlink/<path:object_id>/change/",
        "admin/audit/auditevent/",
        "klienter/forloeb/<uuid:pk>/",
        "indbakke/<uuid:pk>/",
        "api GET /api/v1/notifications/{id}/",
        "samtykke/<uuid:pk>/",
        "samtykke/<uuid:pk>/underskrevet.pdf",
        "samtykke/tilsidesaettelser/",
    ):
        assert name in shown, name
    # 27 before the consent pages (issue 11) added 5 and the § 808 pages (pre_sentence) 3; other helpers
    # add theirs: at least the ones named above.
    assert len(shown) >= 32 + 3


def _get(client, world: World, who: str, url: str):
    if who in ("api", "krfo_api"):
        key = world.api_key if who == "api" else world.krfo_api_key
        return client.get(url, headers={"Authorization": f"Bearer {key}"})
    client.force_login(getattr(world, who))
    return client.get(url)


@pytest.mark.parametrize(("name", "case"), _cases(Shows), ids=[name for name, _ in _cases(Shows)])
def test_a_get_of_a_page_that_shows_a_person_writes_an_audit_event_naming_the_person(client, world, name, case):
    url = case.url(world)
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    response = _get(client, world, case.who, url)
    assert response.status_code == 200, f"{name}: GET {url} gave {response.status_code}"
    written = AuditEvent.objects.filter(id__gt=last)
    assert written.filter(person=world.person).exists(), (
        f"{name}: GET {url} wrote no audit event naming the person; it wrote "
        f"{list(written.values_list('action', 'person_id'))}"
    )


@pytest.mark.parametrize(("name", "case"), _cases(Refused), ids=[name for name, _ in _cases(Refused)])
def test_a_refused_page_shows_nothing(client, world, name, case):
    response = _get(client, world, case.who, case.url(world))
    assert response.status_code == case.status, name
    assert world.person.last_name not in response.content.decode()


def _example_url(route: str, world: World) -> str:
    """A concrete URL for a POST-only pattern (a real id where the pattern takes one)."""
    url = "/" + route
    for converter, value in (("<uuid:pk>", world.notice.pk), ("<str:pk>", world.notice.pk)):
        url = url.replace(converter, str(value))
    return url


@pytest.mark.parametrize("route", [name for name, _ in _cases(PostOnly) if not name.startswith("api ")])
def test_a_post_only_pattern_shows_nothing_on_get(client, world, route):
    url = _example_url(route, world)
    who = "api" if route.startswith("api/") else ("administrator" if route.startswith("admin/") else "coordinator")
    if route == "api/v1/custody-events/":
        who = "krfo_api"
    if route.startswith("samtykke/"):
        who, url = "worker", url.replace(str(world.notice.pk), str(world.consent.pk))
    if route.startswith("handleplaner/"):  # action_plans
        who = "coordinator" if route.startswith("handleplaner/kommune/") else "worker"
        action = world.plan.areas.get(category="housing").actions.first()
        url = (
            ("/" + route)
            .replace("<uuid:episode_pk>", str(world.episode.pk))
            .replace("<uuid:action_pk>", str(action.pk))
            .replace("<uuid:pk>", str(world.plan.pk))
        )
    if route.startswith("klienter/") or route.startswith("blanketter/"):
        who = "worker"
        url = url.replace(str(world.notice.pk), str(world.episode.pk if "klienter" in route else world.inmate_form.pk))
    if route.startswith("personundersoegelser/"):
        who = "kif"
        url = url.replace(str(world.notice.pk), str(world.investigation.pk))
    response = _get(client, world, who, url)
    assert response.status_code == 405, f"GET {url} gave {response.status_code}"


def test_the_admin_index_names_no_person_changed_recently(client, world):
    """Django's recent-actions box would name a changed person (str() is the name) outside the audit trail."""
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    LogEntry.objects.create(
        user=world.administrator,
        content_type=ContentType.objects.get_for_model(world.person),
        object_id=str(world.person.pk),
        object_repr=str(world.person),
        action_flag=CHANGE,
    )
    client.force_login(world.administrator)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert world.person.full_name not in response.content.decode()
