"""The world the access matrix is tried in, built once per module through the real services.

- A: home Københavns Kommune (101), folkepension; held by Københavns Fængsler (KF). Notices to 101 and Udbetaling
  Danmark; a case-files request to 101, answered with a PDF; an inmate form. Need-access grants for one KiF user
  and one youth-unit user (the other user of each unit has none).
- B: home Aarhus (751), held by Storstrøm.
- C: home 101, admitted at KF 600 days ago and released 400 days ago (registered then): every link has expired
  (and is swept).
- D: home 101, admitted at KF, transferred to Storstrøm two days ago: KF keeps sight of it for 30 days.
- E: home 751, held by Storstrøm; its notices to 751 were withdrawn (so 751 has no link to E).
- F: home 101, an old stay at KF (ended 400 days ago), held by Storstrøm now: Storstrøm sees the new episode only.
- One of A's notices to 101 is withdrawn: 101 still has a link to A (the other notices), not to that notice.
- G: home 101, no custody: KiF Hovedstaden opened a § 808 investigation (pre_sentence) and asked 101 for
  information: KiF Hovedstaden sees the investigation and the request, 101 the request in its inbox.

`Facts` says, from the scenario (not from the access code), which organisations have a live link to each person
and to each episode: the policy functions in test_access_matrix.py decide every cell from these.
"""

from dataclasses import dataclass, field
from datetime import timedelta

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from samarbejde.api.models import ApiScope
from samarbejde.api.services import api_key_create
from samarbejde.audit.models import AuditEvent
from samarbejde.consent.categories import DataCategory
from samarbejde.consent.models import GivenHow
from samarbejde.consent.services import consent_give
from samarbejde.consent.tests.factories import ConsentFactory
from samarbejde.custody.models import Episode, ReleaseKind
from samarbejde.custody.services import episode_decide_coordination, episode_release, episode_transfer
from samarbejde.custody.tests.factories import INSTITUTION, OTHER_INSTITUTION, admit, make_person
from samarbejde.documents.models import FormKind
from samarbejde.documents.services import inmate_form_prepare
from samarbejde.notifications.models import Notification, NotificationAttachment
from samarbejde.notifications.services import notification_answer, notification_withdraw
from samarbejde.organisations.models import Organisation
from samarbejde.organisations.roles import CAPABILITIES, OrgKind, Role
from samarbejde.organisations.tests.factories import user_with_role
from samarbejde.people.link_rules import need_access_hours_allowed
from samarbejde.people.models import PersonLink
from samarbejde.people.services import person_access_grant, person_links_close_expired

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
KF, STORSTROEM, KBH, AARHUS, UDK = INSTITUTION, OTHER_INSTITUTION, "101", "751", "udbetaling-danmark"
KRFO_CENTRAL = "krfo-direktoratet"


@dataclass(frozen=True)
class Subject:
    """Who makes a request: a user (one role in one organisation) or an API key (its organisation's service role)."""

    key: str
    role: str | None  # None: anonymous
    org: str | None
    org_is_krfo: bool = False
    grants: frozenset = frozenset()  # persons (keys) this user holds a need-access grant for
    user: object = None
    api_key: str | None = None

    def can(self, cap: str) -> bool:
        return self.role is not None and cap in CAPABILITIES.get(self.role, frozenset())


@dataclass
class Facts:
    person_orgs: dict = field(default_factory=dict)  # person key -> org codes with a live link
    episode_orgs: dict = field(default_factory=dict)  # episode pk -> org codes with a live custody link from it


@dataclass
class World:
    persons: dict  # key -> Person
    episodes: dict  # key -> Episode
    notices: list  # every Notification
    attachment: object
    inmate_form: object
    person_links: list
    audit_event: object
    subjects: list
    api_subjects: list
    facts: Facts
    person_key: dict  # person pk -> key
    # Staff who act in the scenario (for the POST tests).
    kf_worker: object = None
    storstroem_worker: object = None
    # pre_sentence: the § 808 investigation of G and the KiF office that holds it.
    investigations: list = field(default_factory=list)
    kif: str = ""
    consents: list = field(default_factory=list)  # A's (no form) and B's (a signed form), both live
    # action_plans: A's plan (KF; housing shared with 101 on the legal basis), B's plan (Storstrøm; not shared).
    plans: list = field(default_factory=list)
    plan_actions: list = field(default_factory=list)

    def subject(self, key: str) -> Subject:
        return next(s for s in self.subjects if s.key == key)


def _other_of_kind(kind: str, not_code: str) -> str:
    return Organisation.objects.filter(kind=kind, is_active=True).exclude(code=not_code).order_by("code").first().code


def build_world(*, now=None) -> World:
    now = now or timezone.now()
    kf_worker = user_with_role(Role.KRFO_CASE_WORKER, KF, username="matrix.kf.scenario")
    st_worker = user_with_role(Role.KRFO_CASE_WORKER, STORSTROEM, username="matrix.st.scenario")
    kbh_coordinator = user_with_role(Role.MUNICIPAL_COORDINATOR, KBH, username="matrix.kbh.scenario")

    a = make_person(
        acting_user=kf_worker,
        home=KBH,
        pension="folkepension",
        benefits=["kontanthjaelp"],
        first_name="Asta",
        last_name="Matrixa",
    )
    b = make_person(acting_user=st_worker, home=AARHUS, first_name="Bent", last_name="Matrixb")
    c = make_person(acting_user=kf_worker, home=KBH, first_name="Carla", last_name="Matrixc")
    d = make_person(acting_user=kf_worker, home=KBH, first_name="Dan", last_name="Matrixd")
    e = make_person(acting_user=st_worker, home=AARHUS, first_name="Eva", last_name="Matrixe")
    f = make_person(acting_user=kf_worker, home=KBH, first_name="Frida", last_name="Matrixf")
    storstroem = Organisation.objects.get(code=STORSTROEM)

    ea = admit(a, acting_user=kf_worker, admitted_at=now - timedelta(days=10)).episode
    consent_a = ConsentFactory(person=a, categories=[DataCategory.CASE_FILES])  # the case-files request rests on it
    request = episode_decide_coordination(ea, coordinate=True, acting_user=kf_worker).case_files_request
    notification_answer(
        request,
        text="Vedlagt",
        files=[SimpleUploadedFile("sagsakter.pdf", PDF, content_type="application/pdf")],
        acting_user=kbh_coordinator,
    )
    form = inmate_form_prepare(a, kind=FormKind.DIGITAL_POST_EXEMPTION, acting_user=kf_worker)
    eb = admit(b, acting_user=st_worker, institution=storstroem).episode
    consent_b = consent_give(
        b,
        recipients=[Organisation.objects.get(code=AARHUS)],
        categories=[DataCategory.HOUSING],
        purpose="Koordinering af handleplan",
        given_on=timezone.localdate(),
        given_how=GivenHow.SIGNED_FORM,
        signed_form=SimpleUploadedFile("samtykke.pdf", PDF, content_type="application/pdf"),
        acting_user=st_worker,
    )
    # C's stay was registered when it happened (a release registered late gives the prison 30 days from then).
    with time_machine.travel(now - timedelta(days=400), tick=True):
        ec = admit(c, acting_user=kf_worker, admitted_at=timezone.now() - timedelta(days=200)).episode
        episode_release(ec, released_at=timezone.now(), release_kind=ReleaseKind.END_OF_SENTENCE, acting_user=kf_worker)
    # F: an old stay at KF (over), a new one at Storstrøm: Storstrøm sees the new episode only.
    with time_machine.travel(now - timedelta(days=400), tick=True):
        ef_old = admit(f, acting_user=kf_worker, admitted_at=timezone.now() - timedelta(days=100)).episode
        episode_release(
            ef_old, released_at=timezone.now(), release_kind=ReleaseKind.END_OF_SENTENCE, acting_user=kf_worker
        )
    ef = admit(f, acting_user=st_worker, institution=storstroem).episode
    ed = admit(d, acting_user=kf_worker, admitted_at=now - timedelta(days=20)).episode
    episode_transfer(ed, to_institution=storstroem, occurred_at=now - timedelta(days=2), acting_user=kf_worker)
    ee = admit(e, acting_user=st_worker, institution=storstroem).episode
    for notice in Notification.objects.filter(person=e):
        notification_withdraw(notice, reason="Sendt ved en fejl", acting_user=st_worker)
    # One of A's notices to 101 withdrawn: 101 keeps its link through the others but no longer sees this one.
    a_withdrawn = (
        Notification.objects.filter(person=a, recipient_organisation__code=KBH)
        .exclude(pk=request.pk)
        .order_by("created_at")
        .first()
    )
    notification_withdraw(a_withdrawn, reason="Sendt ved en fejl", acting_user=kf_worker)
    person_links_close_expired()
    # --- pre_sentence: G, a § 808 investigation by KiF Hovedstaden with a request to 101 ---
    from samarbejde.pre_sentence.tests.factories import KIF, kif_officer, open_investigation, send_request

    kif_worker = kif_officer(username="matrix.kif.scenario")
    g = make_person(acting_user=kif_worker, home=KBH, first_name="Gerda", last_name="Matrixg")
    investigation_g = open_investigation(acting_user=kif_worker, person=g)
    send_request(investigation_g, acting_user=kif_worker)

    # The subjects: for every role a user in an organisation that has a link (where the role has one) and one
    # in another organisation; KiF and the youth unit: one user with a need-access grant to A and one without.
    police, police_other = "1470", _other_of_kind(OrgKind.POLICE_DISTRICT, "1470")
    kif = "krfo-kif-hovedstaden"
    kif_other = _other_of_kind(OrgKind.PROBATION_OFFICE, kif)
    youth = "krfo-ungekriminalforsorgen"
    plan = [
        (Role.KRFO_CASE_WORKER, KF, False),
        (Role.KRFO_CASE_WORKER, STORSTROEM, False),
        (Role.KRFO_CASE_WORKER, KRFO_CENTRAL, False),
        (Role.KRFO_MANAGER, KF, False),
        (Role.KRFO_MANAGER, STORSTROEM, False),
        (Role.PROBATION_OFFICER, kif, True),
        (Role.PROBATION_OFFICER, kif, False),
        (Role.PROBATION_OFFICER, kif_other, False),
        (Role.YOUTH_SUPERVISOR, youth, True),
        (Role.YOUTH_SUPERVISOR, youth, False),
        (Role.MUNICIPAL_CASE_WORKER, KBH, False),
        (Role.MUNICIPAL_CASE_WORKER, AARHUS, False),
        (Role.MUNICIPAL_COORDINATOR, KBH, False),
        (Role.MUNICIPAL_COORDINATOR, AARHUS, False),
        (Role.POLICE_OFFICER, police, False),
        (Role.POLICE_OFFICER, police_other, False),
        (Role.UDK_OFFICER, UDK, False),
        (Role.ADMINISTRATOR, KRFO_CENTRAL, False),
    ]
    subjects = [Subject(key="anonymous", role=None, org=None)]
    hours = need_access_hours_allowed()[0]
    for n, (role, code, granted) in enumerate(plan):
        user = user_with_role(role, code, username=f"matrix.{n}.{role}")
        if role == Role.ADMINISTRATOR:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        if granted:
            person_access_grant(a, justification="Tilsyn efter løsladelse", hours=hours, acting_user=user)
        org = Organisation.objects.get(code=code)
        subjects.append(
            Subject(
                key=f"{role}@{code}" + ("+grant" if granted else ("#2" if (role, code, True) in plan else "")),
                role=role,
                org=code,
                org_is_krfo=org.is_krfo,
                grants=frozenset({"A"}) if granted else frozenset(),
                user=user,
            )
        )

    scopes = [ApiScope.NOTIFICATIONS_READ, ApiScope.NOTIFICATIONS_ANSWER, ApiScope.CUSTODY_EVENTS_WRITE]
    from samarbejde.api.services import SERVICE_ROLE_FOR_KIND

    api_subjects = [Subject(key="api:none", role=None, org=None, api_key="")]
    for code in (KBH, AARHUS, UDK, police, KF, STORSTROEM, kif, youth):
        org = Organisation.objects.get(code=code)
        api_subjects.append(
            Subject(
                key=f"api:{code}",
                role=SERVICE_ROLE_FOR_KIND[org.kind],
                org=code,
                org_is_krfo=org.is_krfo,
                api_key=api_key_create(org, scopes=scopes, name="Matrix")[1],
            )
        )

    persons = {"A": a, "B": b, "C": c, "D": d, "E": e, "F": f, "G": g}
    # As stored now (the services change their own locked copies: D's institution is Storstrøm's).
    episodes = {
        k: Episode.objects.select_related("institution").get(pk=e.pk)
        for k, e in {"A": ea, "B": eb, "C": ec, "D": ed, "E": ee, "F": ef, "F (old)": ef_old}.items()
    }
    facts = Facts()
    # Custody: the holder, and for 30 days the institution that let the person go (D: KF).
    custody = {
        "A": {KF},
        "B": {STORSTROEM},
        "C": set(),
        "D": {KF, STORSTROEM},
        "E": {STORSTROEM},
        "F": {STORSTROEM},
        "F (old)": set(),
    }
    over = {ec.pk, ef_old.pk}  # the stays that ended 400 days ago: their notices' links have expired
    for key, episode in episodes.items():
        facts.episode_orgs[episode.pk] = custody[key]
    facts.episode_orgs[investigation_g.pk] = {KIF}  # the notices' thread: the investigation
    notices = list(Notification.objects.all())
    for key, person in persons.items():
        # A notice's recipient keeps its link while the notice is not withdrawn and its stay not long over.
        recipients = {
            n.recipient_organisation.code
            for n in notices
            if n.person_id == person.pk and not n.withdrawn_at and n.thread_id not in over
        }
        facts.person_orgs[key] = custody.get(key, set()) | recipients
    facts.person_orgs["G"] |= {KIF}  # pre_sentence: no custody; the investigation's link is KiF's
    # action_plans (after the notices above: a shared plan's notice has the plan as its thread; 101 has a link
    # to A already, so the facts stay as they are).
    from samarbejde.action_plans import services as plan_services

    plan_a = plan_services.plan_start(ea, acting_user=kf_worker).plan
    plan_a = plan_services.action_add(
        plan_a,
        expected_version=plan_a.version,
        category="housing",
        description="Bolig",
        responsible_kind="client",
        due_on=timezone.localdate() + timedelta(days=10),
        acting_user=kf_worker,
    ).plan
    plan_a = plan_services.plan_share(
        plan_a, expected_version=plan_a.version, shares={"housing": "legal"}, acting_user=kf_worker
    ).plan
    plan_b = plan_services.plan_start(eb, acting_user=st_worker).plan
    from samarbejde.action_plans.models import PlanAction

    plan_actions = list(PlanAction.objects.filter(area__plan=plan_a))
    return World(
        plans=[plan_a, plan_b],
        plan_actions=plan_actions,
        persons=persons,
        episodes=episodes,
        notices=notices,
        attachment=NotificationAttachment.objects.get(notification=request),
        inmate_form=form,
        person_links=list(PersonLink.objects.filter(person=a, granted_to__isnull=True)[:1])
        + list(PersonLink.objects.filter(person=c)[:1]),
        audit_event=AuditEvent.objects.filter(person=a).first(),
        subjects=subjects,
        api_subjects=api_subjects,
        facts=facts,
        person_key={p.pk: k for k, p in persons.items()},
        kf_worker=kf_worker,
        storstroem_worker=st_worker,
        investigations=[investigation_g],
        kif=KIF,
        consents=[consent_a, consent_b],
    )
