"""Reads of the audit trail: the administrator's search and the events about one person.

Every function starts from audit.access.audit_events_visible_to(user); ordering is stable
(newest first, then id), so pages do not shift between requests.

Lists are keyset pages (core.pagination, ADR 0014): a page is an index range scan of one page and the count
stops at a cap, whatever the trail holds. A search by several actions or users is split into one part per
action and user, each served by its (action|actor, occurred_at, id) index; the database merges the parts.
"""

import re
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone

from samarbejde.audit.access import audit_events_visible_to
from samarbejde.audit.models import AuditEvent
from samarbejde.core.pagination import KeysetPage, capped_count, keyset_page_split
from samarbejde.organisations.models import Organisation
from samarbejde.organisations.roles import Role
from samarbejde.people.models import Person

ORDERING = ("-occurred_at", "-id")

# Danish descriptions of actions for the search page and the data subject's report. An action that is
# not listed is shown by its code (`app.verb`), so new actions never break the report.
ACTION_LABELS: dict[str, str] = {
    "people.create": "Person registreret",
    "people.view": "Opslag på person",
    "people.view_list": "Person vist på liste",
    "people.update": "Oplysninger om person ændret",
    "people.link_open": "Henvendelse om person åbnet",
    "people.link_close": "Henvendelse om person lukket",
    "people.link_extend": "Udløb af henvendelse om person ændret",
    "people.link_expire": "Adgang til person sat til at udløbe (efter regel)",
    "people.need_access": "Begrundet adgang til person givet",
    "people.need_access_list": "Person vist på listen over egne begrundede adgange",
    "audit.access_grants": "Person vist på listen over begrundede adgange",
    "audit.search": "Søgning i revisionsspor",
    "audit.subject_report": "Indsigtsrapport udtrukket",
    "admin.add": "Oprettet i administrationsmodulet",
    "admin.change": "Ændret i administrationsmodulet",
    "admin.delete": "Slettet i administrationsmodulet",
    "admin.view": "Opslag i administrationsmodulet",
    "organisations.membership_grant": "Tilknytning til organisation givet",
    "organisations.membership_update": "Tilknytningens rolle eller afdeling ændret",
    "organisations.membership_revoke": "Tilknytning til organisation deaktiveret",
    "organisations.change_request_propose": "Ændring af kontaktlisten foreslået",
    "organisations.change_request_approve": "Ændringsforslag godkendt",
    "organisations.change_request_reject": "Ændringsforslag afvist",
    "organisations.notice_route_save": "Fordeling af underretninger ændret",
    "organisations.notice_route_delete": "Linje i fordelingen af underretninger fjernet",
    "accounts.login": "Logget ind",
    "accounts.logout": "Logget ud",
    "accounts.enrolment_code_issue": "Tilmeldingskode til totrinsbekræftelse oprettet",
    "accounts.otp_enrol": "Opsætning af totrinsbekræftelse påbegyndt",
    "accounts.otp_setup": "Totrinsbekræftelse slået til",
    "accounts.otp_verify": "Logget ind med totrinsbekræftelse",
    "accounts.switch_membership": "Skiftet organisation",
    "people.search": "Søgning efter CPR-nummer",
    "custody.admit": "Indsættelse registreret",
    "custody.convert": "Varetægt ændret til afsoning",
    "custody.transfer": "Overførsel registreret",
    "custody.change_release_date": "Forventet løsladelse ændret",
    "custody.release": "Løsladelse registreret",
    "custody.decide_coordination": "Beslutning om koordinering af handleplan",
    "custody.correct": "Bopælskommune, pension eller ydelser rettet",
    "custody.view": "Opslag på forløb",
    "custody.list": "Person vist på liste over indsatte",
    "custody.notices_list": "Person vist på liste over ubesvarede underretninger",
    "notifications.create": "Underretning sendt",
    "notifications.read": "Underretning åbnet",
    "notifications.list": "Person vist i indbakken",
    "api.key_create": "API-nøgle udstedt",
    "api.key_revoke": "API-nøgle tilbagekaldt",
    "notifications.acknowledge": "Underretning kvitteret",
    "notifications.assign": "Underretning fordelt",
    "notifications.answer": "Underretning besvaret",
    "notifications.mark_overdue": "Frist overskredet",
    "notifications.withdraw": "Underretning trukket tilbage",
    "notifications.remind": "Påmindelse om frist",
    "notifications.escalate": "Overskredet frist eskaleret",
    "notifications.attachment_download": "Bilag hentet",
    "documents.prepare": "Blanket udfyldt",
    "documents.status": "Blankettens status ændret",
    "documents.print": "Blanket udskrevet",
    "documents.view": "Opslag på blanket",
    "documents.list": "Blanketter til person vist",
    "documents.recent_list": "Person vist på liste over senest udfyldte blanketter",
    "documents.public_create": "Offentligt dokument oprettet",
    "documents.public_update": "Offentligt dokument ændret",
    "documents.public_upload": "Ny version af offentligt dokument lagt op",
    "delivery.retry": "Opgivet levering sendt igen",
    "delivery.webhook_create": "Webhook-abonnement oprettet",
    "delivery.webhook_rotate": "Hemmelighed for webhook-abonnement udskiftet",
    "delivery.webhook_deactivate": "Webhook-abonnement deaktiveret",
    "delivery.webhook_test": "Testhændelse sendt til webhook-abonnement",
    # --- pre_sentence ---
    "pre_sentence.open": "Personundersøgelse (§ 808) oprettet",
    "pre_sentence.request_send": "Anmodning om oplysninger til personundersøgelse sendt",
    "pre_sentence.close": "Personundersøgelse (§ 808) afsluttet",
    "pre_sentence.read": "Opslag på personundersøgelse",
    "pre_sentence.list": "Person vist på liste over personundersøgelser",
    "pre_sentence.report": "Erklæring til retten (§ 808) udskrevet",
    # --- consent (issue 11) ---
    "action_plans.start": "Handleplan oprettet",
    "action_plans.update": "Handleplan gemt",
    "action_plans.action_add": "Indsats tilføjet til handleplan",
    "action_plans.action_update": "Indsats i handleplan ændret",
    "action_plans.share": "Områder af handleplanen delt med kommunen",
    "action_plans.municipal_reference": "Kommunens handleplan (serviceloven § 141) angivet",
    "action_plans.comment": "Kommentar til handleplan",
    "action_plans.deadline": "Påmindelse om handleplanens frist sendt",
    "action_plans.view": "Opslag på handleplan",
    "action_plans.municipal_view": "Kommunens opslag på delt handleplan",
    "action_plans.view_version": "Opslag på en version af handleplan",
    "action_plans.pdf": "Handleplan udskrevet",
    "action_plans.client_version": "Handleplan i klart sprog til klienten vist",
    "action_plans.list": "Person vist på liste over handleplaner",
    "action_plans.api_read": "Kommunens sagssystem har læst den delte handleplan (API)",
    "consent.give": "Samtykke registreret",
    "consent.revoke": "Samtykke tilbagekaldt",
    "consent.override": "Oplysninger videregivet uden samtykke (tilsidesættelse)",
    "consent.view": "Opslag på samtykke",
    "consent.form_view": "Formular til registrering af samtykke åbnet",
    "consent.print_form": "Samtykkeerklæring udskrevet",
    "consent.signed_form_download": "Underskrevet samtykkeerklæring hentet",
    "consent.override_list": "Person vist på listen over videregivelser uden samtykke",
}

ROLE_LABELS: dict[str, str] = dict(Role.choices)


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role)


def with_labels(events) -> list[AuditEvent]:
    """Materialise events and attach the Danish labels templates and reports show (no queries)."""
    events = list(events)
    for event in events:
        event.action_label = action_label(event.action)
        event.role_label = role_label(event.role)
        event.actor_display = _actor_display(event)
    return events


def _actor_display(event: AuditEvent) -> str:
    if event.actor is not None:
        full_name = event.actor.get_full_name()
        return f"{full_name} ({event.actor_label})" if full_name else event.actor_label
    return event.actor_label or "System"


def period_bounds(date_from: date | None, date_to: date | None) -> tuple[datetime | None, datetime | None]:
    """Whole local days: [from 00:00, the day after `to` 00:00) as aware datetimes."""
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(date_from, time.min), tz) if date_from else None
    end = timezone.make_aware(datetime.combine(date_to + timedelta(days=1), time.min), tz) if date_to else None
    return start, end


# A search matching more actions or users than this is refused (a Danish form error): each is a part of the
# query, and a page costs one index range scan per part.
MAX_PARTS = 30
COUNT_CAP = 1000
# `app.verb`: an action code (known or not) is searched as given.
ACTION_CODE = re.compile(r"^[a-z_]+\.[a-z_]+$")
SYSTEM_LABEL = "system"


def actions_matching(text: str) -> list[str]:
    """The action codes a search text stands for: a known code itself (`people.view`); else every known code
    that begins with it (`people`, `audit.`, `organisations.change_request`); else a code as given (one the
    code no longer writes); else every known action whose code or Danish label contains the text
    (`link_close`, `indsættelse`). Resolved here, not by LIKE in the database: each action is then an index
    range scan in time order, and a prefix needs no pattern-ops index (ADR 0014)."""
    text = text.strip().lower()
    if not text:
        return []
    if text in ACTION_LABELS:
        return [text]
    by_prefix = [code for code in ACTION_LABELS if code.startswith(text)]
    if by_prefix:
        return by_prefix
    if ACTION_CODE.match(text):
        return [text]
    return [code for code, label in ACTION_LABELS.items() if text in code or text in label.lower()]


def users_matching(text: str, *, limit: int = MAX_PARTS + 1) -> list[int]:
    """The ids of users whose username contains `text` (at most `limit`; the users table is small)."""
    User = get_user_model()
    return list(
        User.objects.filter(username__icontains=text.strip()).order_by("username").values_list("pk", flat=True)[:limit]
    )


def system_matches(text: str) -> bool:
    """Events without a user (the system, a management command) are labelled "system": "sys" finds them."""
    text = text.strip().lower()
    return bool(text) and text in SYSTEM_LABEL


def audit_search(
    user,
    *,
    person: Person | None = None,
    cpr_searched: bool = False,
    actor_ids: list | None = None,
    include_system: bool = False,
    organisation: Organisation | None = None,
    actions: list[str] | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> tuple[QuerySet[AuditEvent], list[dict]]:
    """Audit events matching every given filter, as (queryset, parts) for event_page: the person, organisation
    and period filter the queryset; each action and each user (or the system) is a part. A CPR that matches no
    person matches no events; `actor_ids` given but empty (and not the system) matches none either."""
    qs = audit_events_visible_to(user, action="search")
    if cpr_searched:
        if person is None:
            return qs.none(), [{}]
        qs = qs.filter(person=person)
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    start, end = period_bounds(date_from, date_to)
    if start is not None:
        qs = qs.filter(occurred_at__gte=start)
    if end is not None:
        qs = qs.filter(occurred_at__lt=end)
    action_parts = [{"action": action} for action in actions] if actions else [{}]
    actor_parts = [{}]
    if actor_ids is not None:
        actor_parts = [{"actor_id": pk} for pk in actor_ids] + ([{"actor__isnull": True}] if include_system else [])
        if not actor_parts:
            return qs.none(), [{}]
    return qs, [{**a, **b} for a in action_parts for b in actor_parts]


def event_page(queryset: QuerySet[AuditEvent], parts: list[dict] | None = None, *, after="", before="", per_page=50):
    """One keyset page of events, newest first, with their count up to COUNT_CAP (two queries, three for
    several parts): the cost is one page, whatever the trail holds."""
    parts = parts or [{}]
    page: KeysetPage = keyset_page_split(
        queryset, list(ORDERING), parts=parts, after=after, before=before, per_page=per_page
    )
    page.count, page.count_is_capped = capped_count(queryset, parts=parts, cap=COUNT_CAP)
    page.object_list = with_labels(page.object_list)
    return page


def audit_events_about(user, person: Person) -> QuerySet[AuditEvent]:
    """Every audit event about one person (the data-subject access report), newest first."""
    return audit_events_visible_to(user, action="subject_report").filter(person=person).order_by(*ORDERING)


def organisations_for_filter() -> QuerySet[Organisation]:
    return Organisation.objects.only("id", "code", "name", "kind").order_by("name", "code")
