"""A large synthetic dataset for benchmarks (`manage.py generate_dataset --persons N`), PostgreSQL only.

What it makes, per person: the person (a valid, unique CPR number), ~2 custody episodes across KRFO's
institutions with their timeline (admission, conversion, transfers, new release dates, coordination, release),
the notices each event calls for (~5 per episode), their status history, answers and decisions, the outbox
rows (~2 per notice), the live links (custody and notice) and ~20 audit events; every row dated within the
last ten years. Sizes for N persons: 2N episodes, ~10N notices, ~20N deliveries, ~20N audit events.

How it stays true to the application:
- Who is told what is not restated here: each event's facts go through the real `notifications.rules`
  (recipients_for, merge) and `notifications.routing.route`, due dates come from the registry's deadline
  rules, statuses from `notifications.status.status_on`, link expiry from `people.link_rules`. Those calls
  are memoised on their inputs (the facts that matter), so the real code runs a few thousand times, not
  ten million times.
- Columns are read from the models' `_meta` at run time: every concrete field is written, and a field this
  module does not know (one added later) gets its Django default. So a new nullable or defaulted column
  does not break the generator.
- Rows go in by COPY (psycopg 3), never by the ORM's save(); the foreign keys, unique and check constraints
  stay on and check every row.

Identity of the generated rows, for --reset and resume: UUID keys are version-8 UUIDs under the prefix
`da7a5e70-` (uuid4, which the application uses, never has version 8), numbered from the person's index, so
the same seed gives the same ids and B-tree inserts land at the right-hand edge; integer keys (status
changes, decisions, audit events) start at GENERATED_ID_BASE, far above what the sequences hand out.
The helper users the data needs (one per organisation without a demo user) are named `dataset.<code>`.

Chunks: persons are generated in chunks (CHUNK_PERSONS); one chunk is one transaction over all tables, and
its row in the bookkeeping table `dataset_chunk` is written in that same transaction. A killed run
continues at the first missing chunk; a larger N adds only the missing persons. Every value of a person
comes from a random generator seeded by (seed, person index), so the output does not depend on chunking.

Speed: a fresh load (no chunk finished yet, FRESH_INDEX_MIN_PERSONS or more) drops the plain secondary indexes
of these tables and builds them once at the end (primary keys, unique indexes, foreign keys and checks stay
on); their definitions wait in dataset_dropped_index, so a killed run's are built by the next run or --reset.
The rules' memo keys on what the rules read of a thread (its first notice per party and family), so the real
rules run a few hundred times per chunk. See docs/dataset.md for the measured costs.
"""

from __future__ import annotations

import bisect
import json
import random
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone

CHUNK_PERSONS = 5000
GENERATED_ID_BASE = 7_000_000_000_000_000  # integer keys of generated rows start here
UUID_PREFIX = "da7a5e70"
YEARS_BACK = 10

# The tag in a generated UUID (its second group) says which table it belongs to.
TAG_PERSON, TAG_EPISODE, TAG_EVENT, TAG_NOTICE, TAG_ANSWER, TAG_LINK, TAG_DELIVERY, TAG_CORRELATION = (
    0x0001,
    0x0002,
    0x0003,
    0x0004,
    0x0005,
    0x0006,
    0x0007,
    0x0008,
)

# Numbering: a child's sequence number is its parent's times the fan-out, plus its position (ids follow the
# person index, so they are the same whatever the chunking).
EPISODES_PER_PERSON = 8
EVENTS_PER_EPISODE = 16
NOTICES_PER_EVENT = 16
CHANGES_PER_NOTICE = 8
DELIVERIES_PER_NOTICE = 8
LINKS_PER_PERSON = 1024
AUDIT_PER_PERSON = 1024

BOOKKEEPING_DDL = """
CREATE TABLE IF NOT EXISTS dataset_chunk (
    chunk integer PRIMARY KEY,
    persons integer NOT NULL,
    chunk_size integer NOT NULL,
    seed bigint NOT NULL,
    row_counts jsonb NOT NULL DEFAULT '{}',
    seconds double precision NOT NULL DEFAULT 0,
    finished_at timestamptz NOT NULL DEFAULT now()
)
"""


# A fresh load (no finished chunk yet) of at least this many persons drops the secondary indexes of the tables it
# writes and builds them once at the end (one sort per index instead of every index maintained row by row).
FRESH_INDEX_MIN_PERSONS = 10_000

# The definitions of the indexes a fresh load dropped, until they are built again: a killed run finds them
# here (the next run, or --reset, builds them). Not a Django model, like dataset_chunk.
DROPPED_INDEX_DDL = """
CREATE TABLE IF NOT EXISTS dataset_dropped_index (
    name text PRIMARY KEY,
    definition text NOT NULL
)
"""


class DatasetError(Exception):
    """A run that cannot go on (wrong database, other seed or chunk size than the rows already there)."""


def gen_uuid(tag: int, seq: int) -> str:
    """A version-8 UUID in the generator's namespace: prefix, table tag, and the row's sequence number."""
    tail = 0x8000000000000000 | seq
    return f"{UUID_PREFIX}-{tag:04x}-8000-{tail >> 48:04x}-{tail & 0xFFFFFFFFFFFF:012x}"


UUID_LOW = f"{UUID_PREFIX}-0000-0000-0000-000000000000"
UUID_HIGH = f"{UUID_PREFIX}-ffff-ffff-ffff-ffffffffffff"


# --- reference weights ------------------------------------------------------------------------------------

# Inhabitants (thousands, rounded; Danmarks Statistik FOLK1A, 2024) per municipality code: persons are spread
# by these. København is weighted up (CAPITAL_FACTOR): the capital has more than its share of KRFO's clients,
# and it makes København the recipient of ~13 % of the notices.
POPULATION = {
    "101": 660,
    "147": 105,
    "151": 52,
    "153": 39,
    "155": 15,
    "157": 75,
    "159": 70,
    "161": 24,
    "163": 30,
    "165": 28,
    "167": 54,
    "169": 58,
    "173": 57,
    "175": 41,
    "183": 24,
    "185": 44,
    "187": 17,
    "190": 42,
    "201": 26,
    "210": 41,
    "217": 64,
    "219": 52,
    "223": 25,
    "230": 57,
    "240": 44,
    "250": 46,
    "253": 52,
    "259": 62,
    "260": 32,
    "265": 90,
    "269": 24,
    "270": 42,
    "306": 33,
    "316": 73,
    "320": 37,
    "326": 49,
    "329": 36,
    "330": 80,
    "336": 23,
    "340": 30,
    "350": 29,
    "360": 40,
    "370": 84,
    "376": 60,
    "390": 45,
    "400": 39,
    "410": 39,
    "420": 41,
    "430": 52,
    "440": 24,
    "450": 32,
    "461": 207,
    "479": 59,
    "480": 30,
    "482": 12,
    "492": 6,
    "510": 56,
    "530": 27,
    "540": 74,
    "550": 37,
    "561": 116,
    "563": 3.5,
    "573": 50,
    "575": 43,
    "580": 59,
    "607": 52,
    "615": 98,
    "621": 95,
    "630": 121,
    "657": 90,
    "661": 59,
    "665": 19,
    "671": 21,
    "706": 43,
    "707": 37,
    "710": 50,
    "727": 24,
    "730": 99,
    "740": 100,
    "741": 3.7,
    "746": 64,
    "751": 365,
    "756": 42,
    "760": 56,
    "766": 47,
    "773": 20,
    "779": 46,
    "787": 43,
    "791": 98,
    "810": 36,
    "813": 58,
    "820": 36,
    "825": 1.8,
    "840": 30,
    "846": 42,
    "849": 38,
    "851": 222,
    "860": 64,
}
CAPITAL_FACTOR = 1.3
UNKNOWN_HOME_SHARE = 0.01  # no fixed address: no municipality is told

# Where a region's remand prisoners go first (the local jail), and the prisons sentences are served in.
REMAND_JAIL_BY_REGION = {
    "1084": ("krfo-koebenhavns-faengsler",),
    "1085": ("krfo-koebenhavns-faengsler", "krfo-arrest-holbaek", "krfo-arrest-naestved"),
    "1083": ("krfo-arrest-odense", "krfo-arrest-esbjerg"),
    "1082": ("krfo-arrest-aarhus",),
    "1081": ("krfo-arrest-aalborg",),
}
PRISONS_CLOSED = ("krfo-storstroem", "krfo-oestjylland", "krfo-enner-mark", "krfo-nyborg")
PRISONS_OPEN = (
    "krfo-horseroed",
    "krfo-soebysoegaard",
    "krfo-kragskovhede",
    "krfo-moegelkaer",
    "krfo-renbaek",
    "krfo-jyderup",
    "krfo-sdr-omme",
)
HALFWAY = ("krfo-pension-engelsborg", "krfo-pension-skejby")

FIRST_NAMES = [
    "Mads",
    "Lars",
    "Jens",
    "Peter",
    "Michael",
    "Morten",
    "Søren",
    "Thomas",
    "Henrik",
    "Anders",
    "Rasmus",
    "Jonas",
    "Mikkel",
    "Martin",
    "Niels",
    "Christian",
    "Kasper",
    "Frederik",
    "Emil",
    "Lucas",
    "Oliver",
    "Mathias",
    "Ahmad",
    "Ali",
    "Omar",
    "Mohammad",
    "Jan",
    "Kim",
    "Bo",
    "Ole",
    "Kenneth",
    "Brian",
    "Dennis",
    "Jesper",
    "Anne",
    "Mette",
    "Hanne",
    "Susanne",
    "Camilla",
    "Louise",
    "Sara",
    "Julie",
    "Maria",
    "Sofie",
    "Ida",
    "Emma",
    "Fatima",
    "Line",
    "Pia",
    "Tina",
]
LAST_NAMES = [
    "Nielsen",
    "Jensen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Petersen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Thomsen",
    "Christiansen",
    "Poulsen",
    "Johansen",
    "Møller",
    "Mortensen",
    "Knudsen",
    "Jakobsen",
    "Mikkelsen",
    "Olesen",
    "Frederiksen",
    "Laursen",
    "Henriksen",
    "Lund",
    "Schmidt",
    "Eriksen",
    "Holm",
    "Kristiansen",
    "Clausen",
    "Simonsen",
    "Svendsen",
    "Andreasen",
    "Iversen",
    "Jeppesen",
    "Vestergaard",
    "Nissen",
    "Mogensen",
    "Hassan",
    "Ali",
    "Yilmaz",
    "Khan",
    "Berg",
    "Dam",
    "Bach",
    "Friis",
    "Winther",
]
STREETS = [
    "Vestergade",
    "Østergade",
    "Nørregade",
    "Søndergade",
    "Algade",
    "Storegade",
    "Jernbanegade",
    "Skolevej",
    "Kirkevej",
    "Møllevej",
    "Parkvej",
    "Engvej",
    "Birkevej",
    "Elmevej",
    "Bøgevej",
    "Lærkevej",
    "Rosenvej",
    "Vibevej",
    "Ahornvej",
    "Granvej",
]

RELEASE_KINDS_REMAND = (("from_court", 0.6), ("from_local_jail", 0.35), ("other", 0.05))
RELEASE_KINDS_SENTENCE = (("parole", 0.55), ("end_of_sentence", 0.42), ("other", 0.03))


def _weighted(rng: random.Random, choices):
    point = rng.random()
    total = 0.0
    for value, weight in choices:
        total += weight
        if point < total:
            return value
    return choices[-1][0]


# --- the table writer -------------------------------------------------------------------------------------


class Table:
    """One model's table: the column order the generator fills, plus every other concrete field with its
    Django default (read from _meta now, so a column added later is filled too)."""

    def __init__(self, model, known: tuple[str, ...]):
        self.model = model
        self.name = model._meta.db_table
        fields = {f.attname: f for f in model._meta.concrete_fields}
        missing = [name for name in known if name not in fields]
        if missing:
            raise DatasetError(f"{model._meta.label} has no field(s) {', '.join(missing)}")
        self.known = known
        extra = [f for name, f in fields.items() if name not in known]
        self.extra_columns = [f.column for f in extra]
        self.extra_values = tuple(_db_default(f) for f in extra)
        self.columns = [fields[name].column for name in known] + self.extra_columns
        self.rows: list[tuple] = []

    def add(self, *values) -> None:
        self.rows.append(values + self.extra_values if self.extra_values else values)

    def copy(self, cursor) -> int:
        if not self.rows:
            return 0
        columns = ", ".join(f'"{c}"' for c in self.columns)
        with cursor.copy(f'COPY "{self.name}" ({columns}) FROM STDIN') as copy:
            write = copy.write_row
            for row in self.rows:
                write(row)
        count = len(self.rows)
        self.rows = []
        return count


def _db_default(field):
    """A field's Django default as COPY writes it (JSON as text)."""
    value = field.get_default()
    if field.get_internal_type() == "JSONField":
        return json.dumps(value)
    return value


def _tables():
    from samarbejde.audit.models import AuditEvent
    from samarbejde.custody.models import Episode, EpisodeEvent
    from samarbejde.delivery.models import Delivery
    from samarbejde.notifications.models import (
        BenefitDecision,
        Notification,
        NotificationAnswer,
        NotificationStatusChange,
    )
    from samarbejde.people.models import Person, PersonLink

    # In foreign-key order: COPY checks each row's references as it goes.
    return {
        "person": Table(
            Person,
            (
                "id",
                "created_at",
                "updated_at",
                "cpr",
                "first_name",
                "last_name",
                "address",
                "home_municipality_id",
                "pension",
                "benefits",
            ),
        ),
        "episode": Table(
            Episode,
            (
                "id",
                "created_at",
                "updated_at",
                "person_id",
                "institution_id",
                "custody_type",
                "admitted_at",
                "expected_release_date",
                "release_certainty",
                "released_at",
                "release_kind",
                "address_after_release",
                "status",
                "coordinate_action_plan",
                "coordination_reason",
                "coordination_decided_by_id",
                "coordination_decided_at",
            ),
        ),
        "event": Table(
            EpisodeEvent,
            (
                "id",
                "created_at",
                "updated_at",
                "episode_id",
                "kind",
                "occurred_at",
                "acting_user_id",
                "from_institution_id",
                "to_institution_id",
                "payload",
            ),
        ),
        "notice": Table(
            Notification,
            (
                "id",
                "created_at",
                "updated_at",
                "recipient_organisation_id",
                "recipient_department_id",
                "kind",
                "rule",
                "rule_version",
                "needs_answer",
                "person_id",
                "source_type_id",
                "source_id",
                "thread_type_id",
                "thread_id",
                "sender_organisation_id",
                "sent_by_id",
                "occurred_at",
                "snapshot",
                "legal_basis_id",
                "due_date",
                "status",
                "read_at",
                "acknowledged_at",
                "acknowledged_by_id",
                "answered_at",
                "assigned_to_id",
                "route_id",
                "route_label",
                "withdrawn_at",
                "withdrawn_by_id",
                "withdrawal_reason",
                "thread_ended_at",
                "list_key",
            ),
        ),
        "status_change": Table(
            NotificationStatusChange,
            ("id", "notification_id", "from_status", "to_status", "changed_at", "acting_user_id"),
        ),
        "answer": Table(
            NotificationAnswer,
            ("id", "created_at", "updated_at", "notification_id", "text", "answered_by_id", "answered_at"),
        ),
        "decision": Table(BenefitDecision, ("id", "answer_id", "subject", "code", "text", "effective_date")),
        "link": Table(
            PersonLink,
            (
                "id",
                "created_at",
                "updated_at",
                "person_id",
                "organisation_id",
                "department_id",
                "reason",
                "source_type_id",
                "source_id",
                "granted_to_id",
                "justification",
                "opened_at",
                "expires_at",
                "closed_at",
                "close_rule",
            ),
        ),
        "delivery": Table(
            Delivery,
            (
                "id",
                "created_at",
                "updated_at",
                "notification_id",
                "message_id",
                "organisation_id",
                "channel",
                "status",
                "attempts",
                "next_attempt_at",
                "claimed_at",
                "last_error",
                "idempotency_key",
                "sent_at",
                "subscription_id",
            ),
        ),
        "audit": Table(
            AuditEvent,
            (
                "id",
                "occurred_at",
                "actor_id",
                "actor_label",
                "organisation_id",
                "organisation_label",
                "role",
                "action",
                "person_id",
                "object_type",
                "object_id",
                "purpose",
                "correlation_id",
                "details",
            ),
        ),
    }


def generated_models():
    """The models the generator writes, parents first (reset deletes them in reverse)."""
    return [table.model for table in _tables().values()]


# --- the world the generator reads once -------------------------------------------------------------------


@dataclass(frozen=True)
class Org:
    id: object
    code: str
    kind: str
    display_name: str
    address: str = ""
    phone: str = ""
    email: str = ""
    region_code: str = ""
    institution_type: str = ""


@dataclass(frozen=True)
class Actor:
    """A user acting for an organisation (what an audit event and the *_by columns name)."""

    id: int
    username: str
    display_name: str
    role: str


@dataclass
class World:
    now: datetime
    today: date
    orgs_by_code: dict
    orgs_by_id: dict
    municipality_codes: list
    municipality_cum: list
    departments: dict  # department id -> (organisation id, kind, name, email)
    actors: dict  # organisation id -> [Actor] (first: the one who sends and registers)
    dept_actors: dict  # department id -> [Actor] (demo users with a department, e.g. kbh.sagsbehandler)
    paragraphs: dict  # legal key -> paragraph id
    content_types: dict  # label -> id
    subscriptions: dict  # organisation id -> [subscription id]
    organisation_objects: dict  # code -> Organisation (for the real routing)
    institution_objects: dict = field(default_factory=dict)


def _content_type_ids() -> dict:
    from django.contrib.contenttypes.models import ContentType

    from samarbejde.custody.models import Episode, EpisodeEvent
    from samarbejde.notifications.models import Notification
    from samarbejde.people.models import Person

    return {
        model._meta.label_lower: ContentType.objects.get_for_model(model).pk
        for model in (Person, Episode, EpisodeEvent, Notification)
    }


HELPER_ROLES = {
    "municipality": "municipal_case_worker",
    "udbetaling_danmark": "udk_officer",
    "police_district": "police_officer",
    "krfo_institution": "krfo_case_worker",
}
HELPER_PREFIX = "dataset."


def ensure_helper_users() -> int:
    """One user per organisation that receives or sends notices and has no demo user (they answer, register
    and appear in the audit trail). Few rows: made through the ORM, named dataset.<code>."""
    from django.contrib.auth import get_user_model

    from samarbejde.organisations.models import Membership, Organisation

    User = get_user_model()
    has_member = set(Membership.objects.filter(is_active=True).values_list("organisation_id", flat=True))
    made = 0
    for org in Organisation.objects.filter(kind__in=HELPER_ROLES, is_active=True).order_by("code"):
        if org.pk in has_member:
            continue
        user, created = User.objects.get_or_create(
            username=f"{HELPER_PREFIX}{org.code}",
            defaults={"first_name": "Medarbejder", "last_name": org.display_name[:150], "email": ""},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            made += 1
        Membership.objects.get_or_create(user=user, organisation=org, role=HELPER_ROLES[org.kind], department=None)
    return made


MAILBOX_DOMAIN = "dataset.invalid"


def ensure_mailboxes() -> int:
    """A functional mailbox (ending in .dataset.invalid) for every receiving unit and organisation that has
    none, so that notices go out by e-mail as well as to the inbox, as in production (delivery.channels_for).
    Reset empties exactly these addresses again."""
    from samarbejde.organisations.models import Department, Organisation

    changed = 0
    for department in Department.objects.filter(email="").select_related("organisation"):
        department.email = f"{department.kind}@{department.organisation.code}.{MAILBOX_DOMAIN}"
        department.save(update_fields=["email", "updated_at"])
        changed += 1
    for organisation in Organisation.objects.filter(email="", kind__in=HELPER_ROLES):
        organisation.email = f"post@{organisation.code}.{MAILBOX_DOMAIN}"
        organisation.save(update_fields=["email", "updated_at"])
        changed += 1
    return changed


def load_world() -> World:
    from samarbejde.legal.models import Paragraph
    from samarbejde.organisations.models import Department, Membership, Organisation
    from samarbejde.organisations.roles import OrgKind

    now = timezone.now().replace(microsecond=0)
    organisations = list(Organisation.objects.select_related("region").filter(is_active=True))
    orgs = [
        Org(
            o.pk,
            o.code,
            o.kind,
            o.display_name,
            o.address,
            o.phone,
            o.email,
            o.region.code if o.region_id else "",
            o.institution_type,
        )
        for o in organisations
    ]
    by_code = {o.code: o for o in orgs}
    codes = [c for c in POPULATION if c in by_code and by_code[c].kind == OrgKind.MUNICIPALITY]
    weights = [POPULATION[c] * (CAPITAL_FACTOR if c == "101" else 1.0) for c in codes]
    total = sum(weights)
    cum, running = [], 0.0
    for w in weights:
        running += w / total
        cum.append(running)
    departments = {
        d.pk: (d.organisation_id, d.kind, d.name, d.email)
        for d in Department.objects.filter(organisation__is_active=True)
    }
    actors: dict = {}
    dept_actors: dict = {}
    memberships = (
        Membership.objects.active()
        .select_related("user")
        .filter(user__is_service_account=False)
        .order_by("user__username")
    )
    for m in memberships:
        actor = Actor(m.user.pk, m.user.username, m.user.get_full_name() or m.user.username, m.role)
        actors.setdefault(m.organisation_id, []).append(actor)
        if m.department_id:
            dept_actors.setdefault(m.department_id, []).append(actor)
    # The demo users act first for their organisation, helpers after them.
    for _org_id, found in actors.items():
        found.sort(key=lambda a: (a.username.startswith(HELPER_PREFIX), a.username))
    from samarbejde.delivery.models import WebhookSubscription

    subscriptions: dict = {}
    for s in WebhookSubscription.objects.filter(active=True).order_by("created_at"):
        subscriptions.setdefault(s.organisation_id, []).append(s.pk)
    return World(
        now=now,
        today=timezone.localdate(now),
        orgs_by_code=by_code,
        orgs_by_id={o.id: o for o in orgs},
        municipality_codes=codes,
        municipality_cum=cum,
        departments=departments,
        actors=actors,
        dept_actors=dept_actors,
        paragraphs=dict(Paragraph.objects.exclude(key="").values_list("key", "pk")),
        content_types=_content_type_ids(),
        subscriptions=subscriptions,
        organisation_objects={o.code: o for o in organisations},
    )


# --- memoised calls into the real rules -------------------------------------------------------------------


class Rules:
    """The application's rules, called once per distinct input and remembered."""

    def __init__(self, world: World):
        from samarbejde.notifications import registry

        self.world = world
        self.registry = registry
        self._plans: dict = {}
        self._due: dict = {}
        self._contacts: dict = {}
        self._labels: dict = {}
        self._families: dict = {}
        from samarbejde.notifications.rules import RuleConfig

        self.long_stay = RuleConfig.from_settings().cpr_notice_min_stay_days

    def plan(self, trigger: str, situation_key: tuple, already: tuple) -> tuple:
        """The routed, merged recipients of one event: ((rule, organisation code, unit id), ...)."""
        # Only whether the stay is long enough for the CPR register matters to the rules, not its length.
        home, pension, benefits, stay_days, coordinate = situation_key
        if stay_days is not None:
            stay_days = self.long_stay if stay_days >= self.long_stay else 0
        situation_key = (home, pension, benefits, stay_days, coordinate)
        # The rules read the thread's notices only as "the first notice per party" and "is there one of family
        # F", so a later notice with the party and family of an earlier one changes nothing: keep the first of
        # each (the key repeats far more often, the rules run far less often; their answers are the same).
        seen = set()
        kept = []
        for item in already:
            mark = (item[0], item[1], self.family(item[2]))
            if mark not in seen:
                seen.add(mark)
                kept.append(item)
        already = tuple(kept)
        key = (trigger, situation_key, already)
        found = self._plans.get(key)
        if found is None:
            found = self._plans[key] = self._compute_plan(trigger, situation_key, already)
        return found

    def family(self, rule: str) -> str:
        found = self._families.get(rule)
        if found is None:
            notice_type = self.registry.notice_type_or_none(rule)
            found = self._families[rule] = notice_type.family if notice_type else ""
        return found

    def preload(self) -> None:
        self._preloaded()
        self.contact("", "")

    def _preloaded(self):
        """The directory's routing lines and units, read once: the routing's two look-ups answered from memory."""
        if not hasattr(self, "_routes"):
            from samarbejde.organisations.models import Department, NoticeRoute

            self._routes = {
                (line.organisation_id, line.topic, line.subject): line
                for line in NoticeRoute.objects.select_related("organisation", "department")
            }
            self._departments = {}
            for d in Department.objects.all():
                self._departments.setdefault(d.organisation_id, {})[(d.organisation_id, d.kind)] = d
        return self._routes, self._departments

    def _compute_plan(self, trigger, situation_key, already):
        from unittest import mock

        from samarbejde.notifications import routing, rules

        routes, departments = self._preloaded()

        home, pension, benefits, stay_days, coordinate = situation_key
        situation = rules.PersonSituation(
            home_municipality_code=home,
            pension=pension,
            benefits=benefits,
            stay_days=stay_days,
            coordinate_action_plan=coordinate,
        )
        notified = [rules.Notified(code, unit, rule) for code, unit, rule in already]
        recipients = rules.recipients_for(trigger, situation, already_notified=notified)
        recipients = [r for r in recipients if r.organisation_code in self.world.organisation_objects]
        # routing.route as it is, with its two directory reads answered from what was read once.
        with (
            mock.patch.object(routing, "notice_routes_of", lambda _orgs: routes),
            mock.patch.object(
                routing,
                "departments_of",
                lambda orgs: {key: d for o in orgs for key, d in departments.get(o.pk, {}).items()},
            ),
        ):
            routed = rules.merge(routing.route(recipients, self.world.organisation_objects))
        return tuple((r.rule, r.organisation_code, r.unit, r.subjects, r.route, r.route_label[:300]) for r in routed)

    def due(self, rule: str, start: date) -> date:
        key = (rule, start)
        found = self._due.get(key)
        if found is None:
            found = self._due[key] = self.registry.notice_type(rule).deadline.due_from(start)
        return found

    def contact(self, sender_code: str, municipality_code: str) -> dict:
        key = (sender_code, municipality_code)
        if not self._contacts:
            # organisations.selectors.krfo_contacts_of for every sender and municipality, in one query: the
            # sender's KRFO contact covering the municipality, the first by sort order.
            from samarbejde.organisations.models import Contact, ContactFunction

            self._contacts[None] = {}
            rows = Contact.objects.filter(function=ContactFunction.KRFO_CONTACT, covers__isnull=False).values_list(
                "organisation__code",
                "covers__code",
                "unit_name",
                "person_name",
                "phone",
                "secure_mailbox",
                "sort_order",
            )
            for sender, covered, unit_name, person_name, phone, mailbox, _order in sorted(rows, key=lambda r: r[6]):
                self._contacts.setdefault(
                    (sender, covered),
                    {"unit_name": unit_name, "person_name": person_name, "phone": phone, "secure_mailbox": mailbox},
                )
        return self._contacts.get(key, {})

    def kind_label(self, kind: str) -> str:
        if kind not in self._labels:
            from samarbejde.notifications.codes import NotificationKind

            self._labels[kind] = NotificationKind(kind).label
        return self._labels[kind]


@lru_cache(maxsize=1)
def _zone():
    # timezone.localtime's zone (the command activates none), looked up once instead of on every call.
    return timezone.get_current_timezone()


@lru_cache(maxsize=200_000)
def _local_iso(moment: datetime) -> str:
    return moment.astimezone(_zone()).isoformat()


@lru_cache(maxsize=20_000)
def _local_date(moment_day: datetime) -> date:
    return moment_day.astimezone(_zone()).date()


@lru_cache(maxsize=20_000)
def _local_moment(day: date, hour: int, minute: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=hour, minute=minute))


def _local(moment: datetime) -> date:
    # Cached per hour: the local date of a moment changes at most on the hour.
    return _local_date(moment.replace(minute=0, second=0, microsecond=0))


# --- one person -------------------------------------------------------------------------------------------

BIRTH_FIRST = date(1945, 1, 1)
BIRTH_DAYS = (date(1998, 12, 31) - BIRTH_FIRST).days + 1
BIRTH_STRIDE = 7919  # a prime: p * stride mod days walks every birth date before one repeats


def cpr_for(index: int) -> str:
    """A unique, valid CPR number for person `index`: a birth date 1945-1998 and a serial 0000-0999 (the 7th
    digit 0 means born in the 1900s; the demo persons' serials start with 1 or 2, so none collide)."""
    day = (index * BIRTH_STRIDE) % BIRTH_DAYS
    serial = index // BIRTH_DAYS
    if serial > 999:
        raise DatasetError("Højst 19,7 mio. personer kan få et CPR-nummer i generatorens talrum.")
    born = BIRTH_FIRST + timedelta(days=day)
    return f"{born:%d%m%y}{serial:04d}"


class PersonGenerator:
    """Writes everything about one person into the tables (the rows of one chunk)."""

    def __init__(self, world: World, rules: Rules, tables: dict, seed: int):
        self.w = world
        self.rules = rules
        self.t = tables
        self.seed = seed
        self.rng = random.Random()
        self.window_start = world.now - timedelta(days=365 * YEARS_BACK)
        ct = world.content_types
        self.ct_person = ct["people.person"]
        self.ct_episode = ct["custody.episode"]
        self.ct_event = ct["custody.episodeevent"]
        self.ct_notice = ct["notifications.notification"]
        self.institutions = {
            code: world.orgs_by_code[code]
            for code in {*PRISONS_CLOSED, *PRISONS_OPEN, *HALFWAY}
            | {c for codes in REMAND_JAIL_BY_REGION.values() for c in codes}
            if code in world.orgs_by_code
        }
        self.udk = world.orgs_by_code.get("udbetaling-danmark")
        from samarbejde.people import link_rules

        self.custody_period = link_rules.CUSTODY_MOVED_ON.period

    # -- helpers --

    def actor_of(self, org_id, department_id=None) -> Actor | None:
        if department_id is not None:
            found = self.w.dept_actors.get(department_id)
            if found:
                return found[0]
        found = self.w.actors.get(org_id)
        return found[0] if found else None

    def pick_institution(self, codes) -> Org:
        codes = [c for c in codes if c in self.institutions] or list(self.institutions)
        return self.institutions[codes[int(self.rng.random() * len(codes))]]

    def audit(
        self,
        seq,
        at,
        actor: Actor | None,
        org: Org | None,
        action,
        person_id,
        obj_type,
        obj_id,
        purpose,
        correlation,
        details,
    ):
        self.t["audit"].add(
            GENERATED_ID_BASE + seq,
            at,
            actor.id if actor else None,
            actor.username if actor else "system",
            org.id if org else None,
            org.display_name[:200] if org else "",
            actor.role if actor else "",
            action,
            person_id,
            obj_type,
            obj_id,
            purpose[:300],
            correlation,
            json.dumps(details) if details else "{}",
        )

    # -- the person --

    def generate(self, p: int) -> None:
        rng = self.rng
        rng.seed(self.seed * 100_000_003 + p)
        w = self.w
        now = w.now
        person_id = gen_uuid(TAG_PERSON, p)
        self.p = p
        self.cpr = cpr_for(p)
        self.person_id = person_id
        self.audit_seq = p * AUDIT_PER_PERSON
        self.link_seq = p * LINKS_PER_PERSON

        if rng.random() < UNKNOWN_HOME_SHARE:
            home = None
        else:
            home = w.orgs_by_code[
                w.municipality_codes[
                    min(bisect.bisect_left(w.municipality_cum, rng.random()), len(w.municipality_codes) - 1)
                ]
            ]
        r = rng.random()
        pension = "folkepension" if r < 0.05 else "foertidspension" if r < 0.11 else "none"
        benefits: list[str] = []
        if pension == "none":
            r = rng.random()
            if r < 0.45:
                benefits.append("kontanthjaelp")
            elif r < 0.57:
                benefits.append("uddannelseshjaelp")
            elif r < 0.60:
                benefits.append("sygedagpenge")
            elif r < 0.62:
                benefits.append("ledighedsydelse")
            elif r < 0.64:
                benefits.append("fleksydelse")
            elif r < 0.65:
                benefits.append("revalidering")
            if benefits and rng.random() < 0.08:
                extra = "sygedagpenge" if benefits[0] != "sygedagpenge" else "kontanthjaelp"
                benefits.append(extra)
            order = [
                "kontanthjaelp",
                "uddannelseshjaelp",
                "revalidering",
                "ledighedsydelse",
                "fleksydelse",
                "sygedagpenge",
            ]
            benefits.sort(key=order.index)
        first = FIRST_NAMES[int(rng.random() * len(FIRST_NAMES))]
        last = LAST_NAMES[int(rng.random() * len(LAST_NAMES))]
        city = home.display_name.removesuffix(" Kommune") if home else ""
        address = f"{STREETS[int(rng.random() * len(STREETS))]} {1 + int(rng.random() * 120)}, {city}" if home else ""
        self.person = (first, last, home, pension, tuple(benefits))

        episodes = self.plan_episodes()
        registered = episodes[0][0] if episodes else now - timedelta(days=int(rng.random() * 3650))
        self.t["person"].add(
            person_id,
            registered,
            episodes[-1][0] if episodes else registered,
            self.cpr,
            first,
            last,
            address,
            home.id if home else None,
            pension,
            json.dumps(benefits),
        )
        first_institution = episodes[0][3] if episodes else None
        actor = self.actor_of(first_institution.id) if first_institution else None
        self.audit(
            self.next_audit(),
            registered,
            actor,
            first_institution,
            "people.create",
            person_id,
            "people.person",
            person_id,
            "Registrering af klient",
            gen_uuid(TAG_CORRELATION, p * EPISODES_PER_PERSON * EVENTS_PER_EPISODE),
            None,
        )
        for number, episode in enumerate(episodes):
            self.generate_episode(number, episode, address)

    def next_audit(self) -> int:
        self.audit_seq += 1
        return self.audit_seq

    def next_link(self) -> str:
        self.link_seq += 1
        return gen_uuid(TAG_LINK, self.link_seq)

    def plan_episodes(self):
        """The person's stays, oldest first: (admitted_at, released_at or None, custody type, institution)."""
        rng = self.rng
        now = self.w.now
        r = rng.random()
        count = 1 if r < 0.40 else 2 if r < 0.72 else 3 if r < 0.88 else 4 if r < 0.96 else 5
        home = self.person[2]
        region = home.region_code if home else "1084"
        stays = []
        # Backwards from now: the last stay is still going on for some, ended recently for some, long ago for most.
        r = rng.random()
        if r < 0.08:
            end = None
        elif r < 0.14:
            end = now - timedelta(days=rng.random() * 30)
        elif r < 0.30:
            end = now - timedelta(days=30 + rng.random() * 335)
        else:
            end = now - timedelta(days=365 + rng.random() * 365 * 6)
        for _ in range(count):
            remand = rng.random() < 0.55
            days = 2 + rng.expovariate(1 / 60) if remand else 20 + rng.expovariate(1 / 240)
            days = min(days, 3 * 365)
            if end is None:
                # Still in custody: admitted some time ago, not yet released.
                admitted = now - timedelta(days=rng.random() * min(days, 400), hours=rng.random() * 24)
                released = None
            else:
                released = end
                admitted = end - timedelta(days=days, hours=rng.random() * 24)
            if admitted < self.window_start:
                break
            if remand:
                institution = self.pick_institution(REMAND_JAIL_BY_REGION.get(region, ("krfo-koebenhavns-faengsler",)))
            elif rng.random() < 0.5:
                institution = self.pick_institution(PRISONS_OPEN)
            else:
                institution = self.pick_institution(PRISONS_CLOSED)
            stays.append(
                (
                    admitted.replace(microsecond=0),
                    released.replace(microsecond=0) if released else None,
                    "remand" if remand else "sentence",
                    institution,
                )
            )
            end = admitted - timedelta(days=20 + rng.expovariate(1 / 500))
        stays.reverse()
        return stays

    # -- one episode --

    def generate_episode(self, number: int, stay, home_address: str) -> None:
        rng = self.rng
        w = self.w
        now = w.now
        admitted, released, custody_type, institution = stay
        first, last, home, pension, benefits = self.person
        episode_seq = self.p * EPISODES_PER_PERSON + number
        episode_id = gen_uuid(TAG_EPISODE, episode_seq)
        end = released or now
        stay_days_total = (end - admitted).total_seconds() / 86400

        # The timeline: (occurred_at, kind, extra) in time order.
        timeline = [(admitted, "admission", {})]
        current_type = custody_type
        holder = institution
        expected = None
        certainty = "unknown"
        if custody_type == "sentence":
            planned = released or now + timedelta(days=10 + rng.random() * 400)
            expected = _local(planned) + timedelta(days=int(rng.random() * 20) - 10)
            expected = max(expected, _local(admitted))
            certainty = "decided" if rng.random() < 0.6 else "estimated"
        admission_expected = (expected, certainty)
        moments = sorted(admitted + timedelta(days=rng.random() * stay_days_total) for _ in range(4))
        if custody_type == "remand" and stay_days_total > 20 and rng.random() < 0.5:
            converted_at = moments[0]
            timeline.append((converted_at, "conversion", {}))
            if rng.random() < 0.6:
                target = self.pick_institution(PRISONS_OPEN if rng.random() < 0.5 else PRISONS_CLOSED)
                transfer_at = converted_at + timedelta(days=1 + rng.random() * 6)
                if target.id != holder.id and transfer_at < end:
                    timeline.append((transfer_at, "transfer", {"to": target}))
            new_expected = _local(end) if released else _local(now) + timedelta(days=30 + int(rng.random() * 300))
            timeline.append(
                (converted_at + timedelta(hours=2), "release_date_change", {"expected": (new_expected, "decided")})
            )
        elif custody_type == "sentence":
            if stay_days_total > 120 and rng.random() < 0.25:
                target = self.pick_institution(HALFWAY if rng.random() < 0.3 else PRISONS_OPEN)
                if target.id != holder.id:
                    timeline.append((moments[2], "transfer", {"to": target}))
            for moment in moments[: int(rng.random() * 4.2)]:
                shift = int(rng.random() * 60) - 30
                base = expected or _local(end)
                new_expected = max(base + timedelta(days=shift), _local(moment))
                timeline.append((moment, "release_date_change", {"expected": (new_expected, "decided")}))
            if stay_days_total > 60 and rng.random() < 0.35:
                timeline.append(
                    (
                        admitted + timedelta(days=3 + rng.random() * 10),
                        "coordination_decision",
                        {"coordinate": rng.random() < 0.6},
                    )
                )
        timeline = [item for item in timeline if item[0] <= end]
        timeline.sort(key=lambda item: item[0])
        if released is not None:
            timeline.append((released, "release", {}))

        # Replay the timeline: the episode's state changes, each event's notices.
        kind_of_release = ""
        if released is not None:
            kinds = (
                RELEASE_KINDS_REMAND
                if custody_type == "remand" and not any(k == "conversion" for _, k, _ in timeline)
                else RELEASE_KINDS_SENTENCE
            )
            kind_of_release = _weighted(rng, kinds)
        address_after = ""
        if released is not None and rng.random() < 0.8:
            address_after = (
                home_address if rng.random() < 0.7 else f"Herberget, {STREETS[int(rng.random() * len(STREETS))]} 3"
            )
        coordinate = None
        coordinated_by = None
        coordinated_at = None
        notified: list[tuple] = []  # (code, unit, rule) of the thread's live notices, oldest first
        thread_notices: list[list] = []  # the notice rows of the thread (thread_ended_at set on release)
        correlation_base = episode_seq * EVENTS_PER_EPISODE
        expected, certainty = admission_expected
        holder_link = None
        for event_number, (occurred, kind, extra) in enumerate(timeline):
            event_seq = correlation_base + event_number
            event_id = gen_uuid(TAG_EVENT, event_seq)
            correlation = gen_uuid(TAG_CORRELATION, event_seq + 1)
            actor = self.actor_of(holder.id)
            from_institution = to_institution = None
            payload: dict
            facts_extra: dict = {}
            if kind == "admission":
                to_institution = holder
                payload = {
                    "custody_type": custody_type,
                    "institution": holder.code,
                    "expected_release_date": expected.isoformat() if expected else None,
                    "release_certainty": certainty,
                }
                purpose = f"Indsættelse ({'varetægtsfængsling' if custody_type == 'remand' else 'afsoning'}) i {holder.display_name}"
                action = "custody.admit"
                holder_link = self.custody_link(episode_id, holder, occurred, actor)
            elif kind == "conversion":
                current_type = "sentence"
                payload = {"from": "remand", "to": "sentence"}
                purpose, action = "Varetægtsfængsling ændret til afsoning", "custody.convert"
            elif kind == "transfer":
                target = extra["to"]
                from_institution, to_institution = holder, target
                payload = {"from": holder.code, "to": target.code}
                purpose = f"Overført fra {holder.display_name} til {target.display_name}"
                action = "custody.transfer"
                facts_extra = {
                    "transferred_at": _local_iso(occurred),
                    "from_institution": {"name": holder.display_name},
                }
                self.let_go(holder_link, occurred)
                holder = target
                actor = self.actor_of(holder.id) or actor
                holder_link = self.custody_link(episode_id, holder, occurred, actor)
            elif kind == "release_date_change":
                new_expected, new_certainty = extra["expected"]
                if (new_expected, new_certainty) == (expected, certainty):
                    new_expected = new_expected + timedelta(days=7)
                payload = {
                    "previous_release_date": expected.isoformat() if expected else None,
                    "previous_certainty": certainty,
                    "expected_release_date": new_expected.isoformat(),
                    "release_certainty": new_certainty,
                }
                facts_extra = {"previous_release_date": payload["previous_release_date"]}
                expected, certainty = new_expected, new_certainty
                purpose, action = "Ændret forventet løsladelse", "custody.change_release_date"
            elif kind == "coordination_decision":
                coordinate = extra["coordinate"]
                coordinated_by, coordinated_at = actor, occurred
                payload = {"coordinate": coordinate, "reason": ""}
                purpose, action = "Beslutning om koordinering af handleplan", "custody.decide_coordination"
                facts_extra = {
                    "requested_by": {"name": actor.display_name, "institution": holder.display_name} if actor else {}
                }
            else:  # release
                payload = {"release_kind": kind_of_release, "released_at": _local_iso(occurred)}
                purpose, action = "Løsladelse", "custody.release"
                facts_extra = {
                    "released_at": _local_iso(occurred),
                    "release_kind": kind_of_release,
                    "address_after_release": address_after,
                }
                self.let_go(holder_link, occurred)
            self.t["event"].add(
                event_id,
                occurred,
                occurred,
                episode_id,
                kind,
                occurred,
                actor.id if actor else None,
                from_institution.id if from_institution else None,
                to_institution.id if to_institution else None,
                json.dumps(payload),
            )
            self.audit(
                self.next_audit(),
                occurred,
                actor,
                holder,
                action,
                self.person_id,
                "custody.episode",
                episode_id,
                purpose,
                correlation,
                {"event": event_id, "kind": kind},
            )

            # The notices: the facts the rules read, as custody.services.notice_facts builds them.
            admitted_local = _local(admitted)
            if kind == "release":
                stay_days = (_local(occurred) - admitted_local).days
            elif expected is not None:
                stay_days = (expected - admitted_local).days
            else:
                stay_days = None
            situation = (home.code if home else None, pension, benefits, stay_days, coordinate)
            plan = self.rules.plan(f"custody.{kind}", situation, () if kind == "admission" else tuple(notified))
            if not plan:
                continue
            facts = {
                "custody_type": current_type,
                "institution": {
                    "name": holder.display_name,
                    "address": holder.address,
                    "phone": holder.phone,
                    "email": holder.email,
                },
                "admitted_at": _local_iso(admitted),
                "expected_release_date": expected.isoformat() if expected else None,
                "release_certainty": certainty,
                "pension": pension,
                "benefits": list(benefits),
                **facts_extra,
            }
            for notice_number, recipient in enumerate(plan):
                row = self.notice(
                    event_seq * NOTICES_PER_EVENT + notice_number,
                    recipient,
                    occurred,
                    event_id,
                    episode_id,
                    holder,
                    actor,
                    facts,
                    correlation,
                    first,
                    last,
                )
                if row is not None:
                    thread_notices.append(row)
                    if row[-1]["withdrawn_at"] is None:
                        notified.append((recipient[1], recipient[2], recipient[0]))

        self.t["episode"].add(
            episode_id,
            admitted,
            end,
            self.person_id,
            holder.id,
            current_type,
            admitted,
            expected,
            certainty,
            released,
            kind_of_release,
            address_after,
            "closed" if released else "open",
            coordinate,
            "",
            coordinated_by.id if coordinated_by else None,
            coordinated_at,
        )
        self.finish_notices(thread_notices, released)

    def custody_link(self, episode_id, institution: Org, at, actor) -> list:
        link = [
            self.next_link(),
            at,
            at,
            self.person_id,
            institution.id,
            None,
            "custody",
            self.ct_episode,
            episode_id,
            None,
            "",
            at,
            None,
            None,
            "",
        ]
        self.t["link"].rows.append(link)  # a list: let_go sets its expiry later (made a tuple at the end)
        return link

    def let_go(self, link, at) -> None:
        from samarbejde.people import link_rules

        if link is None:
            return
        expires = at + self.custody_period
        link[2] = at
        link[12] = expires
        link[14] = link_rules.CUSTODY_MOVED_ON.id
        if expires <= self.w.now:
            link[13] = expires

    # -- one notice --

    def notice(
        self, seq, recipient, occurred, event_id, episode_id, sender: Org, sent_by, facts, correlation, first, last
    ):
        from samarbejde.notifications.status import status_on

        rng = self.rng
        w = self.w
        now = w.now
        rule, code, unit, subjects, route_id, route_label = recipient
        org = w.orgs_by_code[code]
        notice_type = self.rules.registry.notice_type(rule)
        notice_id = gen_uuid(TAG_NOTICE, seq)
        created = min(occurred + timedelta(seconds=5 + int(rng.random() * 600)), now)
        due = self.rules.due(rule, _local(occurred))
        snapshot = {"cpr": self.cpr, "name": f"{first} {last}"}
        for name in notice_type.snapshot_fields:
            if name == "benefits":
                snapshot["benefits"] = list(subjects) if rule == "admission.benefits" else facts["benefits"]
            elif name == "contact":
                snapshot["contact"] = self.rules.contact(sender.code, code) if org.kind == "municipality" else {}
            elif name == "request":
                snapshot["request"] = notice_type.request_text
            else:
                snapshot[name] = facts.get(name)
        recipient_actor = self.actor_of(org.id, unit)

        # The recipient's steps, each a while after the one before; a step still in the future has not happened.
        age_days = (now - created).total_seconds() / 86400
        ignored = rng.random() < (0.03 if age_days > 60 else 0.15)
        read_at = created + timedelta(hours=0.5 + rng.expovariate(1 / 20))
        ack_at = read_at + timedelta(hours=rng.expovariate(1 / 6))
        answer_at = ack_at + timedelta(hours=4 + rng.expovariate(1 / 60)) if notice_type.needs_answer else None
        if ignored:
            if rng.random() < 0.5:
                read_at = None
            ack_at = answer_at = None
        if read_at is not None and read_at > now:
            read_at = ack_at = answer_at = None
        if ack_at is not None and ack_at > now:
            ack_at = answer_at = None
        if answer_at is not None and answer_at > now:
            answer_at = None
        if recipient_actor is None:
            ack_at = answer_at = None
        withdrawn_at = None
        withdrawn_by = None
        if rng.random() < 0.01 and answer_at is None:
            withdrawn_at = min(created + timedelta(hours=1 + rng.random() * 48), now)
            withdrawn_by = sent_by
            if ack_at is not None and ack_at > withdrawn_at:
                ack_at = None
            if read_at is not None and read_at > withdrawn_at:
                read_at = None
        status = status_on(
            w.today,
            needs_answer=notice_type.needs_answer,
            due_date=due,
            read_at=read_at,
            acknowledged_at=ack_at,
            answered_at=answer_at,
            withdrawn_at=withdrawn_at,
        )
        # The status history, as the services write it: created, then each step (and overdue from the sweep).
        changes = [("", "new", created, sent_by)]
        # The sweep marks it overdue early on the day after the due date (never later than now).
        overdue_day = min(_local_moment(due + timedelta(days=1), 0, 30), now) if w.today > due else now + timedelta(1)
        steps = [
            (read_at, "read", recipient_actor),
            (ack_at, "acknowledged", recipient_actor),
            (answer_at, "answered", recipient_actor),
            (withdrawn_at, "withdrawn", withdrawn_by),
        ]
        settled = answer_at if answer_at else (ack_at if not notice_type.needs_answer else None)
        settled_or_withdrawn = settled or withdrawn_at
        if overdue_day <= now and (settled_or_withdrawn is None or settled_or_withdrawn > overdue_day):
            steps.append((overdue_day, "overdue", None))
        steps = sorted((s for s in steps if s[0] is not None), key=lambda s: s[0])
        current = "new"
        change_seq = seq * CHANGES_PER_NOTICE
        for at, to_status, who in steps:
            if to_status == "read" and current != "new":
                continue  # reading an overdue notice leaves it overdue
            if to_status == "acknowledged" and current == "overdue" and notice_type.needs_answer:
                continue
            changes.append((current, to_status, at, who))
            current = to_status
        table = self.t["status_change"]
        for number, (from_status, to_status, at, who) in enumerate(changes):
            table.add(
                GENERATED_ID_BASE + change_seq + number, notice_id, from_status, to_status, at, who.id if who else None
            )
        updated = max(c[2] for c in changes)
        row = [
            notice_id,
            created,
            updated,
            org.id,
            unit,
            notice_type.kind,
            rule,
            notice_type.version,
            notice_type.needs_answer,
            self.person_id,
            self.ct_event,
            event_id,
            self.ct_episode,
            episode_id,
            sender.id,
            sent_by.id if sent_by else None,
            occurred,
            json.dumps(snapshot, ensure_ascii=False),
            w.paragraphs[notice_type.legal_basis],
            due,
            status,
            read_at,
            ack_at,
            recipient_actor.id if ack_at and recipient_actor else None,
            answer_at,
            recipient_actor.id if recipient_actor and (read_at or ack_at) and rng.random() < 0.3 else None,
            route_id,
            route_label,
            withdrawn_at,
            withdrawn_by.id if withdrawn_by else None,
            "Sendt til den forkerte kommune." if withdrawn_at else "",
            None,
            {"withdrawn_at": withdrawn_at, "settled_at": settled, "org": org, "created": created},
        ]
        if answer_at is not None:
            self.answer(seq, notice_id, notice_type, subjects, snapshot, answer_at, recipient_actor, occurred)
        self.deliveries(seq, notice_id, org, unit, created)
        kind_label = self.rules.kind_label(notice_type.kind)
        self.audit(
            self.next_audit(),
            created,
            sent_by,
            sender,
            "notifications.create",
            self.person_id,
            "notifications.notification",
            notice_id,
            f"{kind_label} til {org.display_name}",
            correlation,
            {"kind": notice_type.kind, "rule": rule, "source": event_id},
        )
        settle_step = answer_at or ack_at
        if settle_step is not None and rng.random() < 0.5:
            action = "notifications.answer" if answer_at else "notifications.acknowledge"
            self.audit(
                self.next_audit(),
                settle_step,
                recipient_actor,
                org,
                action,
                self.person_id,
                "notifications.notification",
                notice_id,
                kind_label,
                gen_uuid(TAG_CORRELATION, (1 << 40) + seq),
                None,
            )
        return row

    def answer(self, seq, notice_id, notice_type, subjects, snapshot, at, actor, occurred) -> None:
        answer_id = gen_uuid(TAG_ANSWER, seq)
        self.t["answer"].add(answer_id, at, at, notice_id, "", actor.id, at)
        spec = notice_type.answer
        if spec is None:
            return
        decision_seq = seq * CHANGES_PER_NOTICE
        for number, subject in enumerate(spec.subjects(snapshot)):
            options = spec.options_for(subject)
            option = options[0] if self.rng.random() < 0.8 else options[int(self.rng.random() * len(options))]
            text = "Se sagen." if option.needs_text else ""
            effective = _local(occurred) if option.needs_date else None
            self.t["decision"].add(
                GENERATED_ID_BASE + decision_seq + number, answer_id, subject, option.code, text, effective
            )

    def deliveries(self, seq, notice_id, org: Org, unit, created) -> None:
        rng = self.rng
        now = self.w.now
        channels = ["inbox"]
        department = self.w.departments.get(unit) if unit else None
        if (department and department[3]) or org.email:
            channels.append("email")
        table = self.t["delivery"]
        number = 0
        for channel in channels:
            self.delivery(table, seq * DELIVERIES_PER_NOTICE + number, notice_id, org, channel, None, created, rng, now)
            number += 1
        for subscription in self.w.subscriptions.get(org.id, ()):
            self.delivery(
                table, seq * DELIVERIES_PER_NOTICE + number, notice_id, org, "webhook", subscription, created, rng, now
            )
            number += 1

    @staticmethod
    def delivery(table, seq, notice_id, org, channel, subscription, created, rng, now) -> None:
        r = rng.random()
        recent = (now - created).total_seconds() < 600
        next_attempt = claimed = sent = None
        error = ""
        if channel == "inbox":
            status, attempts, sent = "sent", 1, created
        elif recent and r < 0.5:
            status, attempts, next_attempt = "pending", 0, created
        elif r < 0.004:
            status, attempts, error = "failed", 2 + int(rng.random() * 4), "SMTPServerDisconnected"
            next_attempt = now + timedelta(minutes=5 + rng.random() * 120)
        elif r < 0.006:
            status, attempts, error = "dead", 8, "SMTPRecipientsRefused"
        elif r < 0.008:
            status, attempts, next_attempt = "pending", 0, created
        else:
            status, attempts = "sent", 1 if r < 0.97 else 2
            sent = created + timedelta(seconds=2 + rng.expovariate(1 / 30))
            if sent > now:
                sent = now
        key = f"{notice_id}:{channel}" if subscription is None else f"{notice_id}:{channel}:{subscription}"
        table.add(
            gen_uuid(TAG_DELIVERY, seq),
            created,
            sent or created,
            notice_id,
            None,
            org.id,
            channel,
            status,
            attempts,
            next_attempt,
            claimed,
            error,
            key,
            sent,
            subscription,
        )

    def finish_notices(self, rows, released) -> None:
        """The notices of one thread are complete: the release date ends the thread, and each recipient's link
        to the person runs out as people.link_rules say (closed once that moment has passed)."""
        from samarbejde.notifications import status
        from samarbejde.people import link_rules

        now = self.w.now
        table = self.t["notice"]
        links = self.t["link"]
        for row in rows:
            meta = row.pop()
            created, org = meta["created"], meta["org"]
            opened = created
            expires = closed = None
            rule = ""
            if meta["withdrawn_at"] is not None:
                closed, rule = meta["withdrawn_at"], link_rules.WITHDRAWN.id
            elif released is not None:
                # thread_ended_at: every live notice of the thread, the release's own included (notices_send
                # ends the thread after creating them).
                row[31] = released
                expires, close = link_rules.link_expiry_after_end(ended_at=released, settled_at=meta["settled_at"])
                rule = close.id
                if expires <= now:
                    closed = expires
            # The stored list key (ADR 0013) as the model's save works it out, dormant when the thread ended
            # longer ago than any link from it lives.
            key = status.list_key(
                settled=status.is_settled(
                    needs_answer=row[8], acknowledged_at=row[22], answered_at=row[24], withdrawn_at=row[28]
                ),
                due_date=row[19],
                created_at=row[1],
                dormant=status.is_dormant(row[31], now),
            )
            table.rows.append((*row, key, *table.extra_values))
            links.rows.append(
                [
                    self.next_link(),
                    opened,
                    closed or opened,
                    self.person_id,
                    org.id,
                    row[4],
                    "notification",
                    self.ct_notice,
                    row[0],
                    None,
                    "",
                    opened,
                    expires,
                    closed,
                    rule,
                ]
            )


# --- runs ---------------------------------------------------------------------------------------------------


class Progress:
    """One plain line per chunk on stderr (fits a log file as well as a terminal): done, rate and ETA."""

    def __init__(self, stream, total_persons: int, todo_persons: int):
        self.stream = stream
        self.total = total_persons
        self.todo = max(todo_persons, 1)
        self.done = 0
        self.rows = 0
        self.started = time.monotonic()

    def chunk(self, chunk: int, persons_done: int, persons: int, counts: dict, seconds: float) -> None:
        self.done += persons
        self.rows += sum(counts.values())
        elapsed = time.monotonic() - self.started
        rate = self.rows / elapsed if elapsed else 0
        eta = elapsed / self.done * (self.todo - self.done) if self.done else 0
        tables = " ".join(f"{name}={count}" for name, count in counts.items())
        self.stream.write(
            f"[dataset] chunk {chunk}: persons {persons_done}/{self.total} "
            f"{100 * self.done / self.todo:5.1f}% | {sum(counts.values())} rows in {seconds:.1f}s | "
            f"{rate:,.0f} rows/s | ETA {_clock(eta)} | {tables}\n"
        )
        self.stream.flush()


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600:d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _require_postgresql() -> None:
    if connection.vendor != "postgresql":
        raise DatasetError(
            "generate_dataset kræver PostgreSQL (COPY og sæt-baseret SQL); databasen er "
            f"{connection.vendor}. Sæt DATABASE_URL til en PostgreSQL-database."
        )


def bookkeeping() -> dict:
    """{chunk: (persons, chunk_size, seed)} of the finished chunks (creates the table when missing)."""
    with connection.cursor() as cursor:
        cursor.execute(BOOKKEEPING_DDL)
        cursor.execute("SELECT chunk, persons, chunk_size, seed FROM dataset_chunk ORDER BY chunk")
        return {chunk: (persons, size, seed) for chunk, persons, size, seed in cursor.fetchall()}


def prepare(seed: int, chunk_size: int, stream) -> dict:
    """Check the rows already there were made the same way, and make the mailboxes and helper users the rows
    need. Returns the finished chunks (see bookkeeping)."""
    done = bookkeeping()
    for _chunk, (_count, size, old_seed) in done.items():
        if size != chunk_size or old_seed != seed:
            raise DatasetError(
                f"Datasættet er lavet med --seed {old_seed} og chunks på {size} personer; kør med de samme "
                "værdier, eller fjern det først med --reset."
            )
    mailboxes = ensure_mailboxes()
    if mailboxes:
        stream.write(f"[dataset] {mailboxes} funktionspostkasser sat (*.{MAILBOX_DOMAIN})\n")
    helper_users = ensure_helper_users()
    if helper_users:
        stream.write(f"[dataset] {helper_users} hjælpebrugere oprettet (dataset.<kode>)\n")
    return done


def chunk_counts() -> dict:
    """Rows per table over the finished chunks, and "_chunks": how many chunks."""
    with connection.cursor() as cursor:
        cursor.execute(BOOKKEEPING_DDL)
        cursor.execute("SELECT k, sum(v::bigint) FROM dataset_chunk, jsonb_each_text(row_counts) AS e(k, v) GROUP BY k")
        counts = {k: int(v) for k, v in cursor.fetchall()}
        cursor.execute("SELECT count(*) FROM dataset_chunk")
        counts["_chunks"] = cursor.fetchone()[0]
    return counts


@dataclass
class RunResult:
    persons: int = 0
    chunks: int = 0
    rows: dict = field(default_factory=dict)
    seconds: float = 0.0
    timings: dict = field(default_factory=dict)  # seconds per table's COPY, and "python" for making the rows

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def generate(
    persons: int,
    *,
    seed: int = 1,
    chunk_size: int = CHUNK_PERSONS,
    stream=None,
    check_references: bool = True,
    worker: tuple[int, int] | None = None,
    drop_indexes: str = "auto",
) -> RunResult:
    """Make sure persons 0..persons-1 exist with everything about them; only missing chunks are made.

    `worker` (i, k): make only the chunks with number % k == i, and leave ANALYZE to the caller (several worker
    processes share one run; see the command's --jobs).

    `drop_indexes`: "auto" drops the secondary indexes for a fresh load of FRESH_INDEX_MIN_PERSONS or more
    (see fresh_load), "yes" always, "no" never; they are built again at the end (not by a worker)."""
    _require_postgresql()
    stream = stream or sys.stderr
    done = prepare(seed, chunk_size, stream) if worker is None else bookkeeping()
    if worker is None and fresh_load(persons, done, drop_indexes):
        drop_secondary_indexes(stream)
    world = load_world()
    rules = Rules(world)
    rules.preload()  # every database read of the rules now, in this thread: the maker thread reads nothing
    generator = PersonGenerator(world, rules, _tables(), seed)
    plan = []
    for chunk in range((persons + chunk_size - 1) // chunk_size):
        start = chunk * chunk_size
        want = min(chunk_size, persons - start)
        have = done.get(chunk, (0, 0, 0))[0]
        if want > have and (worker is None or chunk % worker[1] == worker[0]):
            plan.append((chunk, start + have, start + want))
    result = RunResult()
    progress = Progress(stream, persons, sum(end - begin for _, begin, end in plan))
    started = time.monotonic()
    cpu_started = time.process_time()
    timings = result.timings

    def make(begin: int, end: int) -> tuple[dict, float]:
        made_started = time.monotonic()
        generator.t = _tables()
        for p in range(begin, end):
            generator.generate(p)
        return generator.t, time.monotonic() - made_started

    # A pipeline of two: one thread makes the rows of the next chunk while this one copies the current
    # chunk into the database (the server's work and the socket waits release the GIL).
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="dataset") as maker:
        pending = maker.submit(make, plan[0][1], plan[0][2]) if plan else None
        for number, (chunk, begin, end) in enumerate(plan):
            chunk_started = time.monotonic()
            tables, made_seconds = pending.result()
            if number + 1 < len(plan):
                pending = maker.submit(make, plan[number + 1][1], plan[number + 1][2])
            timings["python"] = timings.get("python", 0.0) + made_seconds
            counts = {}
            with transaction.atomic(), connection.cursor() as cursor:
                # The chunk and its bookkeeping row commit together; losing the last commits in a crash only
                # means the chunk is made again, so the commit need not wait for the disk.
                cursor.execute("SET LOCAL synchronous_commit = off")
                if not check_references:
                    cursor.execute("SET LOCAL session_replication_role = replica")
                raw = cursor.cursor
                for name, table in tables.items():
                    if name == "link":
                        table.rows = [tuple(row) + table.extra_values for row in table.rows]
                    copy_started = time.monotonic()
                    counts[name] = table.copy(raw)
                    timings[name] = timings.get(name, 0.0) + time.monotonic() - copy_started
                cursor.execute(
                    """
                    INSERT INTO dataset_chunk (chunk, persons, chunk_size, seed, row_counts, seconds)
                    VALUES (%s, %s, %s, %s, %s, %s)
                    ON CONFLICT (chunk) DO UPDATE SET persons = EXCLUDED.persons,
                        row_counts = (
                            SELECT jsonb_object_agg(k, COALESCE((dataset_chunk.row_counts->>k)::bigint, 0) + v::bigint)
                            FROM jsonb_each_text(EXCLUDED.row_counts) AS e(k, v)
                        ),
                        seconds = dataset_chunk.seconds + EXCLUDED.seconds, finished_at = now()
                    """,
                    [
                        chunk,
                        end - chunk * chunk_size,
                        chunk_size,
                        seed,
                        json.dumps(counts),
                        time.monotonic() - chunk_started,
                    ],
                )
            for name, count in counts.items():
                result.rows[name] = result.rows.get(name, 0) + count
            result.persons += end - begin
            result.chunks += 1
            progress.chunk(chunk, end, end - begin, counts, time.monotonic() - chunk_started)
    if result.persons:
        # This process's CPU (both threads): making the rows and sending them; the rest of the wall time is the
        # server's (and waiting for a core on a busy machine).
        cpu = time.process_time() - cpu_started
        stream.write(
            f"[dataset] Python CPU {cpu:.1f}s for {result.persons} persons "
            f"({1000 * cpu / result.persons:.2f} s per 1000), wall {time.monotonic() - started:.1f}s\n"
        )
    if worker is None:
        finish(stream, analyze_tables=bool(plan))
    result.seconds = time.monotonic() - started
    return result


def drop_secondary_indexes(stream) -> int:
    """Drop the plain indexes of the tables the generator writes (not the primary keys, unique indexes or any
    index behind a constraint: those keep checking every row), remembering their definitions in
    dataset_dropped_index in the same transaction. restore_indexes builds them again."""
    tables = [model._meta.db_table for model in generated_models()]
    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(DROPPED_INDEX_DDL)
        cursor.execute(
            """
            SELECT i.relname, pg_get_indexdef(x.indexrelid)
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            WHERE t.relname = ANY(%s) AND t.relnamespace = 'public'::regnamespace
              AND NOT x.indisunique AND NOT x.indisprimary AND NOT x.indisexclusion
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
            ORDER BY t.relname, i.relname
            """,
            [tables],
        )
        indexes = cursor.fetchall()
        for name, definition in indexes:
            cursor.execute(
                "INSERT INTO dataset_dropped_index (name, definition) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                [name, definition],
            )
            cursor.execute(f'DROP INDEX "{name}"')
    if indexes:
        stream.write(
            f"[dataset] {len(indexes)} sekundære indeks fjernet under indlæsningen ({time.monotonic() - started:.1f}s)\n"
        )
    return len(indexes)


def restore_indexes(stream) -> int:
    """Build the indexes drop_secondary_indexes dropped (also those of a killed run), one commit each."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('dataset_dropped_index')")
        if cursor.fetchone()[0] is None:
            return 0
        cursor.execute("SELECT name, definition FROM dataset_dropped_index ORDER BY name")
        indexes = cursor.fetchall()
        if not indexes:
            cursor.execute("DROP TABLE dataset_dropped_index")
            return 0
    started = time.monotonic()
    with connection.cursor() as cursor:
        # A sort per index, with room for it and a parallel worker where the server has one to spare.
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute("SET max_parallel_maintenance_workers = 2")
        # Inside an outer transaction (the tests) the deferred foreign-key checks of the COPYs are still queued,
        # and CREATE INDEX refuses a table with pending trigger events: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for name, definition in indexes:
            with transaction.atomic():
                cursor.execute(definition.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1))
                cursor.execute("DELETE FROM dataset_dropped_index WHERE name = %s", [name])
        cursor.execute("DROP TABLE dataset_dropped_index")
        cursor.execute("RESET maintenance_work_mem")
        cursor.execute("RESET max_parallel_maintenance_workers")
    stream.write(f"[dataset] {len(indexes)} indeks bygget igen: {time.monotonic() - started:.1f}s\n")
    return len(indexes)


def fresh_load(persons: int, done: dict, mode: str = "auto") -> bool:
    """Whether a run drops the secondary indexes while it loads: always for "yes", never for "no"; for "auto"
    when no chunk is finished yet (nothing generated to keep indexed) and the run is large."""
    if mode == "yes":
        return True
    return mode == "auto" and not done and persons >= FRESH_INDEX_MIN_PERSONS


def finish(stream, *, analyze_tables: bool = True) -> None:
    """The end of a run: build any dropped index again (this run's, or a killed run's), then ANALYZE."""
    restored = restore_indexes(stream)
    if analyze_tables or restored:
        analyze(stream)


def analyze(stream) -> None:
    """Statistics for the planner, and (outside a transaction) the visibility map as autovacuum keeps it in
    production: VACUUM marks the freshly loaded pages all-visible, so an index-only scan (e.g. the delivery
    dashboard's open counts, ADR 0014) reads no heap; after a plain ANALYZE it fetched every row's page (15 ms
    instead of 5 at 1 M notices). VACUUM cannot run in a transaction (a test's): then ANALYZE only."""
    started = time.monotonic()
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        for model in generated_models():
            cursor.execute(f'{command} "{model._meta.db_table}"')
    stream.write(f"[dataset] {command}: {time.monotonic() - started:.1f}s\n")


def _generated_filter(model) -> tuple[str, list]:
    """SQL that picks the generated rows of a model, and rows anything else made about them (e.g. audit events
    of a benchmark that opened a generated person): by key, or by a foreign key into a generated table."""
    generated = {m._meta.db_table for m in generated_models()}
    pk = model._meta.pk
    conditions, params = [], []

    def key_range(column, field) -> None:
        if field.get_internal_type() == "UUIDField":
            conditions.append(f'"{column}" BETWEEN %s AND %s')
            params.extend([UUID_LOW, UUID_HIGH])
        else:
            conditions.append(f'"{column}" >= %s')
            params.append(GENERATED_ID_BASE)

    key_range(pk.column, pk)
    for f in model._meta.concrete_fields:
        if f.is_relation and f.related_model is not None and f.related_model._meta.db_table in generated:
            key_range(f.column, f.related_model._meta.pk)
    return " OR ".join(conditions), params


def reset(stream=None) -> dict:
    """Remove the generated rows (and rows made about them), the helper users and the bookkeeping."""
    _require_postgresql()
    from django.contrib.auth import get_user_model

    from samarbejde.notifications.models import NotificationReminder
    from samarbejde.organisations.models import Membership

    stream = stream or sys.stderr
    # Indexes a killed fresh load left dropped first: the deletes below look rows up by those columns.
    restore_indexes(stream)
    removed = {}
    with transaction.atomic(), connection.cursor() as cursor:
        # The audit trail refuses deletes unless a purge is declared for the transaction (audit migration 0003).
        cursor.execute("SET LOCAL samarbejde.audit_purge = 'on'")
        from samarbejde.delivery.models import Delivery

        # Rows the application made later about generated notices (follow-ups and their deliveries) go first.
        cursor.execute(
            f'DELETE FROM "{Delivery._meta.db_table}" WHERE message_id IN (SELECT id FROM '  # noqa: S608 - names from the models' _meta, values as parameters
            f'"{NotificationReminder._meta.db_table}" WHERE notification_id BETWEEN %s AND %s)',
            [UUID_LOW, UUID_HIGH],
        )
        cursor.execute(
            f'DELETE FROM "{NotificationReminder._meta.db_table}" WHERE notification_id BETWEEN %s AND %s',  # noqa: S608 - names from the models' _meta, values as parameters
            [UUID_LOW, UUID_HIGH],
        )
        removed["reminder"] = cursor.rowcount
        # Any other row that points at a generated row (e.g. a benchmark's attachment) goes too.
        generated = set(generated_models())
        for model in apps.get_models():
            if model in generated or model is NotificationReminder or model._meta.proxy:
                continue
            for f in model._meta.concrete_fields:
                if f.is_relation and f.related_model in generated:
                    pk = f.related_model._meta.pk
                    low, high = (
                        (UUID_LOW, UUID_HIGH)
                        if pk.get_internal_type() == "UUIDField"
                        else (GENERATED_ID_BASE, 2**63 - 1)
                    )
                    cursor.execute(
                        f'DELETE FROM "{model._meta.db_table}" WHERE "{f.column}" BETWEEN %s AND %s',  # noqa: S608
                        [low, high],
                    )
                    if cursor.rowcount:
                        removed[model._meta.label_lower] = removed.get(model._meta.label_lower, 0) + cursor.rowcount
        for model in reversed(generated_models()):
            where, params = _generated_filter(model)
            cursor.execute(f'DELETE FROM "{model._meta.db_table}" WHERE {where}', params)  # noqa: S608 - names from the models' _meta, values as parameters
            removed[model._meta.label_lower] = cursor.rowcount
        cursor.execute("DROP TABLE IF EXISTS dataset_chunk")
    from samarbejde.organisations.models import Department, Organisation

    suffix = f".{MAILBOX_DOMAIN}"
    Department.objects.filter(email__endswith=suffix).update(email="")
    Organisation.objects.filter(email__endswith=suffix).update(email="")
    User = get_user_model()
    helpers = User.objects.filter(username__startswith=HELPER_PREFIX)
    with transaction.atomic():
        Membership.objects.filter(user__in=helpers).delete()
        removed["helper_users"] = helpers.count()
        helpers.delete()
    stream.write("[dataset] fjernet: " + ", ".join(f"{k}={v}" for k, v in removed.items()) + "\n")
    return removed
