"""The access matrix (issue 9, point 9; ADR 0008): every id-bearing URL pattern of the site (the admin's
included, walked from the URL conf) and every id-bearing API operation (from the drf-spectacular schema) is
requested for every object of the kinds it takes, as every subject of the world (world.py: every role in an
organisation with a link and in one without, need-access grantees, anonymous; API keys of every kind of
organisation), and the status must be what the policy below says. No cell may answer 5xx, and a refused
answer (403/404/405, a redirect) must not name any person of the world or show a CPR number.

A new id-bearing pattern or operation fails `test_every_id_bearing_pattern_is_classified` until it has a row in
ROUTES or API_ROUTES: name the object kind its ids take (a key of `targets()`) and the rule (a function of the
subject and the object that returns the status the policy gives).
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.test import Client

from samarbejde.documents.models import PublicDocument
from samarbejde.organisations.models import ContactChangeRequest
from samarbejde.organisations.roles import Cap
from tests.access_matrix.world import Subject, World
from tests.privacy.test_audit_completeness import ADMIN_MODELS, Refused
from tests.urlwalk import (
    ADMIN_VIEWS,
    admin_model_patterns,
    api_operations,
    is_id_bearing,
    operation_is_id_bearing,
    url_patterns,
)

pytestmark = pytest.mark.django_db

ARTIFACT = Path("test-artifacts") / "access-matrix.txt"


# --- The policy (ADR 0008), from the world's facts -----------------------------------------------------------


def _krfo_sees(s: Subject) -> bool:
    return s.org_is_krfo and s.can(Cap.PERSON_VIEW_ALL)


def sees_person(w: World, s: Subject, person) -> bool:
    """A KRFO unit with a live link to the person, or the user's own need-access grant."""
    key = w.person_key[person.pk]
    return _krfo_sees(s) and (s.org in w.facts.person_orgs[key] or key in s.grants)


def sees_episode(w: World, s: Subject, episode) -> bool:
    """The KRFO institution whose custody link the episode opened (holder, or for 30 days the one it left), or
    a need-access grant to the person (person-wide)."""
    key = w.person_key[episode.person_id]
    return _krfo_sees(s) and (s.org in w.facts.episode_orgs[episode.pk] or key in s.grants)


def sees_notice(w: World, s: Subject, notice) -> bool:
    """Outside KRFO: addressed to the organisation, not withdrawn, and a live link to the person. Inside KRFO:
    a live link to the notice's thread (the episode), or a need-access grant to the person."""
    key = w.person_key[notice.person_id]
    if s.org_is_krfo:
        return _krfo_sees(s) and (s.org in w.facts.episode_orgs.get(notice.thread_id, ()) or key in s.grants)
    return (
        s.can(Cap.PERSON_VIEW_LINKED)
        and notice.recipient_organisation.code == s.org
        and notice.withdrawn_at is None
        and s.org in w.facts.person_orgs[key]
    )


def sees_investigation(w: World, s: Subject, investigation) -> bool:
    """pre_sentence: the KiF office that holds the § 808 investigation, in a role that works on them."""
    return (
        s.org_is_krfo
        and s.org == w.kif
        and s.can(Cap.PERSON_VIEW_ALL)
        and s.can(Cap.PERSON_REGISTER)
        and s.can(Cap.LINK_OPEN)
    )


def _records_consent(w: World, s: Subject, person) -> bool:
    return s.can(Cap.CONSENT_RECORD) and sees_person(w, s, person)


def sees_shared_plan(w: World, s: Subject, plan) -> bool:
    """action_plans: the municipality the plan is shared with (an area shared), with a live link to the person."""
    key = w.person_key[plan.person_id]
    return (
        not s.org_is_krfo
        and s.can(Cap.PERSON_VIEW_LINKED)
        and plan.municipality_id is not None
        and plan.municipality.code == s.org
        and s.org in w.facts.person_orgs[key]
    )


def _web(shown: Callable) -> Callable:
    """A page that shows the object: sign-in first, then 200 for who may see it and 404 for everybody else."""

    def rule(w, s, obj):
        if s.user is None:
            return 302
        return 200 if shown(w, s, obj) else 404

    return rule


def _post_only(*, capability: str | None = None, login_first: bool = True) -> Callable:
    """A POST-only action: 405 on a GET (after sign-in, and after the role check where the view has one: a role
    that may never act gets the same 404 as for a missing object, which tells nothing about the object)."""

    def rule(w, s, obj):
        if s.user is None and login_first:
            return 302
        if capability is not None and not s.can(capability):
            return 404
        return 405

    return rule


def _capability(cap: str, *, refused: int = 403) -> Callable:
    """A page for a capability only (not scoped by links): 200 with it, `refused` without it."""

    def rule(w, s, obj):
        if s.user is None:
            return 302
        return 200 if s.can(cap) else refused

    return rule


def _admin(admin_status: int | frozenset) -> Callable:
    """The admin is for administrators (admin.site): everybody else is sent to the admin's sign-in."""

    def rule(w, s, obj):
        return admin_status if s.can(Cap.ADMIN_SITE) else 302

    return rule


def _public(status: int = 200) -> Callable:
    return lambda w, s, obj: status


# What any answer < 500 may be, for pages that show no person's data (their own tests pin their statuses).
ANY = frozenset({200, 302, 403, 404, 405})


def _not_personal(w, s, obj):
    return ANY


def _api(shown: Callable | None) -> Callable:
    """The API: 401 without a key; with one, 200 for who may see the object and 404 for everybody else."""

    def rule(w, s, obj):
        if not s.api_key:
            return 401
        return 200 if shown(w, s, obj) else 404

    return rule


def _api_post_only(w, s, obj):
    return 401 if not s.api_key else 405


@dataclass(frozen=True)
class Row:
    kind: str  # a key of targets(): what the pattern's ids are filled with
    rule: Callable  # (world, subject, object) -> the status (or set of statuses) the policy gives
    fill: Callable = None  # (route, object) -> URL; default: the route's one converter replaced by the object's id


# Every id-bearing pattern of the site (the admin's per-model patterns are added by admin_rows()).
ROUTES: dict[str, Row] = {
    "revision/person/<uuid:person_id>/": Row("person", _capability(Cap.AUDIT_SUBJECT_REPORT)),
    "blanketter/person/<uuid:person_id>/": Row("person", _web(sees_person)),
    "blanketter/person/<uuid:person_id>/ny/": Row("person", _web(sees_person)),
    "blanketter/<uuid:pk>/": Row("inmate_form", _web(lambda w, s, f: sees_person(w, s, f.person))),
    "blanketter/<uuid:pk>/pdf/": Row("inmate_form", _web(lambda w, s, f: sees_person(w, s, f.person))),
    "blanketter/<uuid:pk>/status/": Row("inmate_form", _post_only(login_first=False)),
    "indbakke/<uuid:pk>/": Row("notice", _web(sees_notice)),
    "indbakke/<uuid:pk>/kvitter/": Row("notice", _post_only()),
    "indbakke/<uuid:pk>/tildel/": Row("notice", _post_only()),
    "indbakke/<uuid:pk>/svar/": Row("notice", _post_only()),
    "indbakke/<uuid:pk>/traek-tilbage/": Row("notice", _post_only()),
    "indbakke/bilag/<uuid:pk>/": Row("attachment", _web(lambda w, s, a: sees_notice(w, s, a.notification))),
    "klienter/forloeb/<uuid:pk>/": Row("episode", _web(sees_episode)),
    "klienter/forloeb/<uuid:pk>/afsoning/": Row("episode", _post_only(capability=Cap.PERSON_REGISTER)),
    "klienter/forloeb/<uuid:pk>/overfoersel/": Row("episode", _post_only(capability=Cap.PERSON_REGISTER)),
    "klienter/forloeb/<uuid:pk>/loesladelsesdato/": Row("episode", _post_only(capability=Cap.PERSON_REGISTER)),
    "klienter/forloeb/<uuid:pk>/loesladelse/": Row("episode", _post_only(capability=Cap.PERSON_REGISTER)),
    "klienter/forloeb/<uuid:pk>/koordinering/": Row("episode", _post_only(capability=Cap.PERSON_REGISTER)),
    "klienter/forloeb/<uuid:pk>/rettelse/": Row("episode", _post_only(capability=Cap.PERSON_REGISTER)),
    # --- pre_sentence ---
    "personundersoegelser/<uuid:pk>/": Row("investigation", _web(sees_investigation)),
    "personundersoegelser/<uuid:pk>/anmodning/": Row("investigation", _post_only(capability=Cap.PERSON_REGISTER)),
    "personundersoegelser/<uuid:pk>/afslut/": Row("investigation", _post_only(capability=Cap.PERSON_REGISTER)),
    "personundersoegelser/<uuid:pk>/erklaering.pdf": Row("investigation", _web(sees_investigation)),
    # --- consent: KRFO units that see the person; recording and revoking with Cap.CONSENT_RECORD ---
    "samtykke/person/<uuid:person_pk>/ny/": Row("person", _web(lambda w, s, p: _records_consent(w, s, p))),
    "samtykke/person/<uuid:person_pk>/erklaering.pdf": Row("person", _web(lambda w, s, p: _records_consent(w, s, p))),
    "samtykke/<uuid:pk>/": Row("consent", _web(lambda w, s, c: sees_person(w, s, c.person))),
    "samtykke/<uuid:pk>/tilbagekald/": Row("consent", _post_only(capability=Cap.CONSENT_RECORD)),
    "samtykke/<uuid:pk>/underskrevet.pdf": Row(
        "consent", _web(lambda w, s, c: bool(c.signed_form) and sees_person(w, s, c.person))
    ),
    # --- action_plans: KRFO's pages for who sees the episode; the municipality's for the one it is shared with ---
    "handleplaner/forloeb/<uuid:episode_pk>/opret/": Row("episode", _post_only(capability=Cap.PERSON_REGISTER)),
    "handleplaner/<uuid:pk>/": Row("plan", _web(lambda w, s, p: sees_episode(w, s, p.episode))),
    "handleplaner/<uuid:pk>/pdf/": Row("plan", _web(lambda w, s, p: sees_episode(w, s, p.episode))),
    "handleplaner/<uuid:pk>/klient/<str:language>/": Row(
        "plan", _web(lambda w, s, p: sees_episode(w, s, p.episode)), lambda route, p: f"/handleplaner/{p.pk}/klient/en/"
    ),
    "handleplaner/<uuid:pk>/versioner/<int:number>/": Row(
        "plan",
        _web(lambda w, s, p: sees_episode(w, s, p.episode)),
        lambda route, p: f"/handleplaner/{p.pk}/versioner/1/",
    ),
    "handleplaner/<uuid:pk>/gem/": Row("plan", _post_only(capability=Cap.PERSON_REGISTER)),
    "handleplaner/<uuid:pk>/indsatser/": Row("plan", _post_only(capability=Cap.PERSON_REGISTER)),
    "handleplaner/<uuid:pk>/indsatser/<uuid:action_pk>/": Row(
        "plan_action",
        _post_only(capability=Cap.PERSON_REGISTER),
        lambda route, a: f"/handleplaner/{a.area.plan_id}/indsatser/{a.pk}/",
    ),
    "handleplaner/<uuid:pk>/deling/": Row("plan", _post_only(capability=Cap.PERSON_REGISTER)),
    "handleplaner/<uuid:pk>/kommentarer/": Row("plan", _post_only(capability=Cap.PERSON_REGISTER)),
    "handleplaner/kommune/<uuid:pk>/": Row("plan", _web(lambda w, s, p: sees_shared_plan(w, s, p))),
    "handleplaner/kommune/<uuid:pk>/indsatser/": Row("plan", _post_only(capability=Cap.PERSON_VIEW_LINKED)),
    "handleplaner/kommune/<uuid:pk>/indsatser/<uuid:action_pk>/": Row(
        "plan_action",
        _post_only(capability=Cap.PERSON_VIEW_LINKED),
        lambda route, a: f"/handleplaner/kommune/{a.area.plan_id}/indsatser/{a.pk}/",
    ),
    "handleplaner/kommune/<uuid:pk>/reference/": Row("plan", _post_only(capability=Cap.PERSON_VIEW_LINKED)),
    "handleplaner/kommune/<uuid:pk>/kommentarer/": Row("plan", _post_only(capability=Cap.PERSON_VIEW_LINKED)),
    # Public pages and the directory: no person's data.
    "kommuner/<str:code>/": Row("municipality", _public()),
    "dokumenter/<slug:slug>/": Row("public_document", _not_personal),
    "dokumenter/<slug:slug>/v<int:number>/": Row(
        "public_document", _not_personal, lambda route, d: f"/dokumenter/{d.slug}/v1/"
    ),
    "organisationer/aendringsforslag/<uuid:pk>/": Row("change_request", _not_personal),
    "organisationer/aendringsforslag/<uuid:pk>/afgoerelse/": Row("change_request", _post_only()),
    "organisationer/kommuner/<str:code>/aendringsforslag/": Row("municipality", _not_personal),
    "organisationer/kommuner/<str:code>/fordeling/aendringsforslag/": Row("municipality", _not_personal),
    "organisationer/kommuner/<str:code>/historik/": Row("municipality", _not_personal),
    # The admin's own id-bearing patterns.
    "admin/(?P<url>.*)$": Row("nothing", _admin(404), lambda route, _: "/admin/findes-ikke/"),
    "admin/^(?P<app_label>otp_totp|axes|django_tasks_database|core|organisations|accounts|legal|people|delivery|"
    "documents|audit|api)/$": Row("nothing", _admin(200), lambda route, _: "/admin/people/"),
    "admin/r/<path:content_type_id>/<path:object_id>/": Row(
        "person", _admin(frozenset({302, 404})), lambda route, p: f"/admin/r/{_ct(p)}/{p.pk}/"
    ),
    "admin/otp_totp/totpdevice/<int:pk>/config/": Row("admin:otp_totp.totpdevice", _admin(ANY)),
    "admin/otp_totp/totpdevice/<int:pk>/qrcode/": Row("admin:otp_totp.totpdevice", _admin(ANY)),
    "admin/accounts/user/<id>/password/": Row("admin:accounts.user", _admin(ANY)),
}

# The admin models that show a person are tried with the world's objects of that model.
ADMIN_KINDS = {"people.person": "person", "people.personlink": "person_link", "audit.auditevent": "audit_event"}


def _ct(obj) -> int:
    return ContentType.objects.get_for_model(obj).pk


def admin_rows() -> dict[str, Row]:
    """The per-model admin patterns that take an id: a person-bearing model as the audit-completeness table
    classifies its views (200 shown, 403 refused, 302 the redirect to the change page); any other model: the
    administrator gets in (any status < 500), nobody else does."""
    rows = {}
    for route, label, view in admin_model_patterns():
        if not is_id_bearing(route):
            continue
        if label in ADMIN_KINDS:
            case = ADMIN_MODELS[label][view]
            status = 302 if view == "redirect" else (case.status if isinstance(case, Refused) else 200)
            rows[route] = Row(ADMIN_KINDS[label], _admin(status))
        else:
            rows[route] = Row(f"admin:{label}", _admin(ANY))
    return rows


# Every id-bearing API operation ("METHOD path" as the schema lists it); a GET is tried on each.
API_ROUTES: dict[str, Row] = {
    "GET /api/v1/municipalities/{code}/": Row("municipality", _public()),
    "GET /api/v1/notifications/{id}/": Row("notice", _api(sees_notice)),
    "POST /api/v1/notifications/{id}/acknowledge/": Row("notice", _api_post_only),
    "POST /api/v1/notifications/{id}/answers/": Row("notice", _api_post_only),
    "GET /api/v1/action-plans/{id}/": Row("plan", _api(sees_shared_plan)),  # action_plans
}


def targets(world: World, kind: str) -> list:
    """The objects a pattern's ids are filled with, by kind."""
    if kind.startswith("admin:"):
        model = {m._meta.label_lower: m for m in admin.site._registry}[kind[6:]]
        obj = model.objects.order_by("pk").first()
        return [obj] if obj is not None else [_Missing()]
    return {
        "person": lambda: list(world.persons.values()),
        "episode": lambda: list(world.episodes.values()),
        "notice": lambda: world.notices,
        "attachment": lambda: [world.attachment],
        "inmate_form": lambda: [world.inmate_form],
        "consent": lambda: world.consents,
        "plan": lambda: world.plans,  # action_plans
        "plan_action": lambda: world.plan_actions,
        "person_link": lambda: world.person_links,
        "audit_event": lambda: [world.audit_event],
        "municipality": lambda: [_Code("101")],
        "public_document": lambda: list(PublicDocument.objects.order_by("slug")[:1]) or [_Missing(slug="findes-ikke")],
        "change_request": lambda: list(ContactChangeRequest.objects.order_by("pk")[:1]) or [_Missing()],
        "nothing": lambda: [None],
        "investigation": lambda: world.investigations,
    }[kind]()


@dataclass
class _Code:
    code: str


@dataclass
class _Missing:
    """No object of the kind exists: the pattern is tried with an id that finds nothing."""

    pk: str = "00000000-0000-0000-0000-000000000000"
    slug: str = ""


def _fill(route: str, obj) -> str:
    """The route with its one id replaced by the object's (code, slug or pk)."""
    import re

    value = getattr(obj, "code", None) if isinstance(obj, _Code) else None
    value = value or getattr(obj, "slug", None) or getattr(obj, "pk", None)
    if route.startswith("/"):  # an API path from the schema
        return re.sub(r"\{[^}]+\}", str(value), route)
    return "/" + re.sub(r"<[^>]+>", str(value), route, count=1)


# --- Trying the cells ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    route: str
    subject: str
    own: bool  # the subject's organisation (or the user's grant) has a live link to the person concerned
    url: str
    expected: object
    status: int
    leak: str = ""

    @property
    def wrong(self) -> bool:
        ok = self.status in self.expected if isinstance(self.expected, frozenset) else self.status == self.expected
        return not ok or self.status >= 500 or bool(self.leak)


RESULTS: dict[str, list[Cell]] = {}


def _person_of(world: World, obj):
    """The world's person an object concerns (itself, its person, its notice's person), else None."""
    notice = getattr(obj, "notification", None)
    for candidate in (obj, getattr(obj, "person", None), getattr(notice, "person", None)):
        if getattr(candidate, "pk", None) in world.person_key:
            return candidate
    return None


def _secrets(world: World) -> list[str]:
    """What a refused answer must never contain: every person's (unique) last name and CPR number, as stored and
    formatted. (First names are common words: "Dan" is in "Danmark".)"""
    out = []
    for person in world.persons.values():
        out += [person.last_name, person.cpr, f"{person.cpr[:6]}-{person.cpr[6:]}"]
    return out


def _is_own(world: World, s: Subject, person) -> bool:
    if person is None or s.org is None:
        return False
    key = world.person_key[person.pk]
    return s.org in world.facts.person_orgs[key] or key in s.grants


def _request(world: World, s: Subject, url: str, *, api: bool):
    if api:
        headers = {"Authorization": f"Bearer {s.api_key}"} if s.api_key else {}
        return Client().get(url, headers=headers)
    return world.clients[s.key].get(url)


def tried(world: World, route: str) -> list[Cell]:
    """Every cell of one pattern (memoised for the figures)."""
    if route in RESULTS:
        return RESULTS[route]
    api = route in API_ROUTES
    row = API_ROUTES[route] if api else all_routes()[route]
    path = route.split(" ", 1)[1] if api else route
    secrets = _secrets(world)
    cells = []
    for obj in targets(world, row.kind):
        url = row.fill(route, obj) if row.fill else _fill(path, obj)
        person = _person_of(world, obj)
        for s in world.api_subjects if api else world.subjects:
            response = _request(world, s, url, api=api)
            status = response.status_code
            leak = ""
            if status != 200:
                body = response.content.decode(errors="replace") + response.get("Location", "")
                leak = next((secret for secret in secrets if secret and secret in body), "")
            cells.append(Cell(route, s.key, _is_own(world, s, person), url, row.rule(world, s, obj), status, leak))
    RESULTS[route] = cells
    return cells


def all_routes() -> dict[str, Row]:
    return {**ROUTES, **admin_rows()}


def _id_routes() -> list[str]:
    """The id-bearing URL patterns, the API's left out: its operations are tried from the schema (API_ROUTES)."""
    return sorted(r for r in url_patterns() if is_id_bearing(r) and not r.startswith("api/"))


def _api_routes_as_operations() -> set[str]:
    """The API's id-bearing URL patterns as schema paths ("api/v1/x/<str:pk>/" -> "/api/v1/x/{id}/")."""
    import re

    routes = [r for r in url_patterns() if is_id_bearing(r) and r.startswith("api/")]
    return {"/" + re.sub(r"<str:(pk|id)>", "{id}", re.sub(r"<str:code>", "{code}", r)) for r in routes}


def _id_operations() -> list[str]:
    return [op for op in api_operations() if operation_is_id_bearing(op)]


# --- The tests ------------------------------------------------------------------------------------------------


def test_every_id_bearing_pattern_is_classified():
    table = all_routes()
    unclassified = [r for r in _id_routes() if r not in table]
    assert not unclassified, (
        f"classify these id-bearing URL patterns in ROUTES ({__name__}): name the object kind their ids take "
        f"(a key of targets(), or add one to tests/access_matrix/world.py) and the rule that gives the status "
        f"the policy (docs/adr/0008) says for each subject: {unclassified}"
    )
    stale = sorted(set(ROUTES) - set(_id_routes()))
    assert not stale, f"these classified patterns no longer exist: {stale}"
    ops = _id_operations()
    unclassified_ops = [op for op in ops if op not in API_ROUTES]
    assert not unclassified_ops, f"classify these id-bearing API operations in API_ROUTES: {unclassified_ops}"
    assert sorted(API_ROUTES) == ops, "API_ROUTES names operations the schema no longer has"
    missing = _api_routes_as_operations() - {op.split(" ", 1)[1] for op in ops}
    assert not missing, f"these API URL patterns are in no schema operation, so the matrix does not try them: {missing}"
    assert set(ADMIN_VIEWS.values()) >= {"change", "history", "delete", "redirect"}


def test_the_world_is_what_the_facts_say(world):
    """The facts the policy reads are the links the services made (a sanity check of the scenario)."""
    from samarbejde.people.models import PersonLink

    for key, person in world.persons.items():
        live = set(
            PersonLink.objects.live()
            .filter(person=person, granted_to__isnull=True)
            .values_list("organisation__code", flat=True)
        )
        assert live == world.facts.person_orgs[key], key
    for notice in world.notices:
        assert notice.thread_id in world.facts.episode_orgs, notice
    assert any(n.withdrawn_at for n in world.notices)
    assert world.facts.person_orgs["C"] == set()


@pytest.mark.parametrize("route", _id_routes())
def test_the_matrix_for_each_url_pattern(world, route):
    wrong = [c for c in tried(world, route) if c.wrong]
    assert not wrong, "\n".join(
        f"{c.subject} ({'own' if c.own else 'other'}) GET {c.url}: {c.status}, the policy says {c.expected}"
        + (f", and the answer names {c.leak!r}" if c.leak else "")
        for c in wrong[:20]
    )


@pytest.mark.parametrize("operation", _id_operations())
def test_the_matrix_for_each_api_operation(world, operation):
    wrong = [c for c in tried(world, operation) if c.wrong]
    assert not wrong, "\n".join(
        f"{c.subject} ({'own' if c.own else 'other'}) GET {c.url}: {c.status}, the policy says {c.expected}"
        for c in wrong[:20]
    )
