"""Reads about deliveries: their state as the notice page and the episode timeline show it, and the
administrators' dashboard (counts per channel and per recipient organisation, failing and dead rows).

Everything here works for any channel (Delivery.get_channel_display); a delivery tied to a webhook
subscription (`subscription_id`, when the model has it) names the subscription's description or host.
Texts shown to case workers explain in Danish; `last_error` (an error class or protocol code) is only
for administrators.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format

from samarbejde.core.pagination import KeysetPage, keyset_page_split

from .access import deliveries_visible_to
from .models import Delivery, DeliveryStatus

# Inbox first: it is where the notice is in any case; then the alerts, then the machines.
CHANNEL_ORDER = {"inbox": 0, "email": 1, "webhook": 2}

# A webhook delivery whose subscription was deactivated ends here (never sent); a plain string, so this
# module does not depend on the status existing.
CANCELLED = "cancelled"

# DKFDS badges: colour plus the status word, never colour alone.
STATUS_BADGES = {
    CANCELLED: "badge",
    DeliveryStatus.PENDING: "badge",
    DeliveryStatus.SENDING: "badge-info",
    DeliveryStatus.SENT: "badge-success",
    DeliveryStatus.FAILED: "badge-warning",
    DeliveryStatus.DEAD: "badge-error",
}

# What went wrong, per channel, in words a case worker understands (never the technical error).
FAILURE_CAUSES = {
    "inbox": "Underretningen kunne ikke lægges i modtagerens indbakke",
    "email": "E-mailen til modtagerens funktionspostkasse kunne ikke afleveres",
    "webhook": "Modtagerens eget system tog ikke imod beskeden",
}
DEFAULT_FAILURE_CAUSE = "Leveringen mislykkedes"
STILL_IN_INBOX = "Underretningen kan stadig ses i modtagerens indbakke i Samarbejde."

# The timeline's one-word summary of a notice's deliveries: the worst state wins.
SUMMARY_STATES = [
    # (statuses, label, badge), worst first
    ({DeliveryStatus.DEAD}, "Opgivet", "badge-error"),
    ({DeliveryStatus.FAILED}, "Fejlet", "badge-warning"),
    ({DeliveryStatus.PENDING, DeliveryStatus.SENDING}, "Undervejs", "badge-info"),
    ({DeliveryStatus.SENT}, "Leveret", "badge-success"),
]


def has_subscription_field() -> bool:
    """Whether deliveries can belong to a webhook subscription (the webhook channel's model change)."""
    try:
        Delivery._meta.get_field("subscription")
    except FieldDoesNotExist:
        return False
    return True


def _related() -> list[str]:
    return ["subscription", "message"] if has_subscription_field() else ["message"]


def delivery_queryset() -> QuerySet[Delivery]:
    """Deliveries with what a row shows joined in (the subscription, once deliveries have one)."""
    return Delivery.objects.select_related(*_related())


# --- one delivery as a row ------------------------------------------------------------------------------


def moment(value: datetime | None, now: datetime) -> str:
    """'kl. 14.05' today, '3. maj kl. 14.05' this year, else with the year."""
    if value is None:
        return ""
    local, today = timezone.localtime(value), timezone.localtime(now)
    if local.date() == today.date():
        return date_format(local, "\\k\\l. H.i")
    if local.year == today.year:
        return date_format(local, "j. F \\k\\l. H.i")
    return date_format(local, "DATETIME_FORMAT")


def _description_and_host(delivery) -> tuple[str, str]:
    if not getattr(delivery, "subscription_id", None):
        return "", ""
    subscription = delivery.subscription
    description = (getattr(subscription, "description", "") or "").strip()
    return description, urlsplit(getattr(subscription, "url", "") or "").hostname or ""


def target_of(delivery) -> str:
    """Where a webhook delivery goes: the subscription's description and host; '' for other channels."""
    description, host = _description_and_host(delivery)
    if description and host:
        return f"{description} ({host})"
    return description or host


def short_target_of(delivery) -> str:
    """The timeline's shorter form: the description, else the host."""
    description, host = _description_and_host(delivery)
    return description or host


MESSAGE_LABELS = {"reminder": "påmindelse", "escalation": "eskalering", "withdrawal": "tilbagetrækning"}


def message_label(delivery) -> str:
    """'' for the notice itself; the follow-up's kind in Danish ("påmindelse") for a reminder and the like."""
    if not getattr(delivery, "message_id", None):
        return ""
    return MESSAGE_LABELS.get(delivery.message.kind, "opfølgning")


def channel_label(delivery) -> str:
    target = target_of(delivery)
    label = delivery.get_channel_display()
    follow_up = message_label(delivery)
    if follow_up:
        label = f"{label} ({follow_up})"
    return f"{label}: {target}" if target else label


@dataclass(frozen=True)
class DeliveryRow:
    channel: str
    channel_label: str
    status: str
    status_label: str
    badge: str
    attempts: int
    when: str
    explanation: str
    last_error: str


def when_text(delivery, now: datetime) -> str:
    """Sent time, or when the next attempt is due."""
    status = delivery.status
    if status == DeliveryStatus.SENT:
        return f"Sendt {moment(delivery.sent_at, now)}" if delivery.sent_at else "Sendt"
    if status == DeliveryStatus.SENDING:
        return "Sendes nu"
    if status in (DeliveryStatus.DEAD, CANCELLED):
        return "Ingen flere forsøg"
    due = delivery.next_attempt_at
    if due is None or due <= now:
        return "Sendes snarest"
    label = "Næste forsøg" if status == DeliveryStatus.FAILED else "Sendes"
    return f"{label} {moment(due, now)}"


def explanation_of(delivery, now: datetime) -> str:
    """A short Danish explanation for a failed, dead or cancelled delivery ('' otherwise): the cause per
    channel, what happens next, and that the notice is in the inbox all the same."""
    if delivery.status == CANCELLED:
        return f"Modtagerens abonnement er slået fra, så beskeden sendes ikke. {STILL_IN_INBOX}"
    if delivery.status not in (DeliveryStatus.FAILED, DeliveryStatus.DEAD):
        return ""
    cause = FAILURE_CAUSES.get(delivery.channel, DEFAULT_FAILURE_CAUSE)
    if delivery.status == DeliveryStatus.FAILED:
        due = delivery.next_attempt_at
        retry = f" {moment(due, now)}" if due and due > now else " snarest"
        text = f"{cause}. Der prøves automatisk igen{retry}."
    else:
        attempts = delivery.attempts
        text = f"{cause}, og leveringen er opgivet efter {attempts} forsøg. En administrator kan sende den igen."
    if delivery.channel != "inbox":
        text = f"{text} {STILL_IN_INBOX}"
    return text


def delivery_row(delivery, now: datetime, *, show_errors: bool = False) -> DeliveryRow:
    return DeliveryRow(
        channel=delivery.channel,
        channel_label=channel_label(delivery),
        status=delivery.status,
        status_label=delivery.get_status_display(),
        badge=STATUS_BADGES.get(delivery.status, "badge"),
        attempts=delivery.attempts,
        when=when_text(delivery, now),
        explanation=explanation_of(delivery, now),
        last_error=delivery.last_error if show_errors else "",
    )


def _ordered(deliveries: Iterable) -> list:
    return sorted(deliveries, key=lambda d: (CHANNEL_ORDER.get(d.channel, 99), target_of(d)))


def delivery_rows(deliveries: Iterable, now: datetime | None = None, *, show_errors: bool = False) -> list:
    """Rows for already fetched deliveries (e.g. a prefetch): no queries of their own."""
    now = now or timezone.now()
    return [delivery_row(d, now, show_errors=show_errors) for d in _ordered(deliveries)]


def notification_delivery_rows(user, notification, now: datetime | None = None, *, show_errors: bool = False):
    """The notice page's "Levering": one query, whatever the number of deliveries.

    `notification` has passed notifications.access already; the access-scoped queryset is the second lock."""
    deliveries = deliveries_visible_to(user).filter(notification=notification).select_related(*_related())
    return delivery_rows(deliveries, now, show_errors=show_errors)


# --- the timeline's compact summary ---------------------------------------------------------------------


@dataclass(frozen=True)
class DeliverySummary:
    label: str
    badge: str
    text: str


def _short(delivery) -> str:
    target = short_target_of(delivery)
    label = delivery.get_channel_display().lower()
    follow_up = message_label(delivery)
    if follow_up:
        label = f"{label}, {follow_up}"
    return f"{label} ({target})" if target else label


def delivery_summary(deliveries: Iterable, now: datetime | None = None) -> DeliverySummary | None:
    """E.g. 'Leveret: indbakke, e-mail · webhook fejlet, prøves igen kl. 14.05'. None without deliveries.

    Works on already fetched deliveries (a prefetch): no queries of its own."""
    deliveries = _ordered(deliveries)
    if not deliveries:
        return None
    now = now or timezone.now()
    sent = [_short(d) for d in deliveries if d.status == DeliveryStatus.SENT]
    parts = [f"Leveret: {', '.join(sent)}"] if sent else []
    for delivery in deliveries:
        name = _short(delivery)
        if delivery.status == DeliveryStatus.PENDING:
            parts.append(f"{name} afventer")
        elif delivery.status == DeliveryStatus.SENDING:
            parts.append(f"{name} sendes")
        elif delivery.status == DeliveryStatus.FAILED:
            due = delivery.next_attempt_at
            parts.append(f"{name} fejlet, prøves igen {moment(due, now) if due and due > now else 'snarest'}")
        elif delivery.status == DeliveryStatus.DEAD:
            parts.append(f"{name} opgivet efter {delivery.attempts} forsøg")
        elif delivery.status == CANCELLED:
            parts.append(f"{name} annulleret")
    statuses = {d.status for d in deliveries}
    label, badge = next(((lbl, b) for states, lbl, b in SUMMARY_STATES if states & statuses), ("Annulleret", "badge"))
    return DeliverySummary(label=label, badge=badge, text=" · ".join(parts))


# --- the administrators' dashboard ----------------------------------------------------------------------

OPEN_STATUSES = (DeliveryStatus.PENDING, DeliveryStatus.SENDING, DeliveryStatus.FAILED, DeliveryStatus.DEAD)
PROBLEM_STATUSES = (DeliveryStatus.FAILED, DeliveryStatus.DEAD)
SENT_WINDOW = timedelta(hours=24)

# (key, column heading): the order of the dashboard's columns.
COUNT_COLUMNS = (
    ("pending", "Afventer"),
    ("sending", "Sendes"),
    ("failed", "Fejlet (prøves igen)"),
    ("dead", "Opgivet"),
    ("sent_24h", "Sendt seneste 24 timer"),
)


COLUMN_KEYS = [key for key, _ in COUNT_COLUMNS]


@dataclass
class CountRow:
    label: str
    counts: dict[str, int]
    code: str = ""

    @property
    def values(self) -> list[int]:
        return [self.counts[key] for key, _ in COUNT_COLUMNS]


@dataclass
class DeliveryCounts:
    per_channel: list[CountRow] = field(default_factory=list)
    per_organisation: list[CountRow] = field(default_factory=list)
    totals: CountRow = field(default_factory=lambda: CountRow("I alt", {key: 0 for key, _ in COUNT_COLUMNS}))


def _filtered(user, *, channel: str = "", status: str = "", organisation=None) -> QuerySet[Delivery]:
    qs = deliveries_visible_to(user)
    if channel:
        qs = qs.filter(channel=channel)
    if status:
        qs = qs.filter(status=status)
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    return qs


def delivery_counts(user, *, channel="", status="", organisation=None, now=None, organisations=None) -> DeliveryCounts:
    """Open deliveries by state, and those sent in the last 24 hours, per channel and per recipient
    organisation: at most two grouped queries, whatever the outbox holds.

    "Open or sent in the last 24 hours" is two queries, not one OR: PostgreSQL serves neither half of an OR by
    an index and hashed all 2 million deliveries (ADR 0014). Each half is an index-only scan of its partial
    index (delivery_unsent_by_change, delivery_sent_by_time), grouped by channel, organisation id (and status)
    only: the tables per channel and per organisation are added up here from those groups (a few hundred).
    `organisations` (the dashboard's filter list, every organisation with a delivery) names them; without it,
    one more query does."""
    from samarbejde.organisations.models import Organisation

    now = now or timezone.now()
    since = now - SENT_WINDOW
    qs = _filtered(user, channel=channel, status=status, organisation=organisation)
    groups = []  # (channel, organisation id, column key, count)
    if not status or status in OPEN_STATUSES:
        open_rows = qs.filter(status__in=OPEN_STATUSES).values_list("channel", "organisation_id", "status")
        groups += [(c, o, s, n) for c, o, s, n in open_rows.annotate(n=Count("pk")).order_by()]
    if not status or status == DeliveryStatus.SENT:
        sent = qs.filter(status=DeliveryStatus.SENT, sent_at__gte=since).values_list("channel", "organisation_id")
        groups += [(c, o, "sent_24h", n) for c, o, n in sent.annotate(n=Count("pk")).order_by()]
    per_channel: dict = {}
    per_organisation: dict = {}
    for channel_code, organisation_id, key, n in groups:
        per_channel.setdefault(channel_code, dict.fromkeys(COLUMN_KEYS, 0))[key] += n
        per_organisation.setdefault(organisation_id, dict.fromkeys(COLUMN_KEYS, 0))[key] += n
    if organisations is None:
        organisations = Organisation.objects.filter(pk__in=per_organisation).only("code", "name", "kind")
    by_id = {o.pk: o for o in organisations}
    labels = dict(Delivery._meta.get_field("channel").choices)
    result = DeliveryCounts()
    for code, counts in sorted(per_channel.items(), key=lambda item: CHANNEL_ORDER.get(item[0], 99)):
        result.per_channel.append(CountRow(labels.get(code, code), counts, code=code))
    for pk, counts in per_organisation.items():
        recipient = by_id.get(pk)
        name = recipient.display_name if recipient is not None else str(pk)
        result.per_organisation.append(CountRow(name, counts, code=getattr(recipient, "code", "")))
    # Most dead first, then most failed, then by name.
    result.per_organisation.sort(key=lambda r: (-r.counts["dead"], -r.counts["failed"], r.label))
    for key in COLUMN_KEYS:
        result.totals.counts[key] = sum(r.counts[key] for r in result.per_channel)
    return result


# The list's order: by status, then the most recently changed first. By status ascending, dead comes before
# failed, which is the order the dashboard wants (dead first): checked here, as it rests on the codes.
PROBLEM_STATUSES = tuple(sorted(PROBLEM_STATUSES))
assert PROBLEM_STATUSES == (DeliveryStatus.DEAD, DeliveryStatus.FAILED)
LIST_ORDERING = ["status", "-updated_at", "-id"]
# The sent list is ordered by when they were sent (served by delivery_sent_by_time).
SENT_LIST_ORDERING = ["-sent_at", "-id"]


def problem_deliveries(user, *, channel="", status="", organisation=None) -> QuerySet[Delivery]:
    """The rows of the dashboard's list (failing and dead deliveries, or those of the chosen status) with
    what a row shows joined in (no person, no notice content). problem_page pages it."""
    qs = _filtered(user, channel=channel, status=status, organisation=organisation)
    return _with_row_fields(qs.filter(status__in=[status] if status else PROBLEM_STATUSES))


def _with_row_fields(qs: QuerySet[Delivery]) -> QuerySet[Delivery]:
    return qs.select_related(
        "organisation", "notification__recipient_organisation", "notification__recipient_department", *_related()
    ).defer("notification__snapshot")


def problem_page(user, *, channel="", status="", organisation=None, after="", before="", per_page=50) -> KeysetPage:
    """One keyset page of the dashboard's list: dead first, then failed (or the chosen status), the most
    recently changed first. One part per status, each an index range scan of a page in
    delivery_unsent_by_change (the sent list: delivery_sent_by_time); no COUNT: the counts above say how
    many. One query for one status, two for dead and failed (their merged keys, then their rows)."""
    # The status is in the parts only, not in the queryset that fetches the page's rows by key: with it there
    # too, PostgreSQL estimated one row and joined the organisations by a scan per row (ADR 0014).
    qs = _with_row_fields(_filtered(user, channel=channel, organisation=organisation))
    statuses = [status] if status else list(PROBLEM_STATUSES)
    ordering = SENT_LIST_ORDERING if status == DeliveryStatus.SENT else LIST_ORDERING
    parts = [{"status": s} for s in statuses]
    if status == DeliveryStatus.SENT:
        parts = [{"status": s, "sent_at__isnull": False} for s in statuses]  # the key (sent_at) must be set
    return keyset_page_split(qs, ordering, parts=parts, after=after, before=before, per_page=per_page)


def list_count(counts: DeliveryCounts, status: str = "") -> int | None:
    """How many rows the list has, from the counts already made (None for the sent list: only the last 24
    hours are counted)."""
    if status == DeliveryStatus.SENT or (status and status not in OPEN_STATUSES):
        return None
    statuses = [status] if status else PROBLEM_STATUSES
    return sum(counts.totals.counts[s] for s in statuses)


def dashboard_organisations(user) -> QuerySet:
    """Organisations that have received a delivery (the dashboard's organisation filter). EXISTS per
    organisation: a probe of delivery_organisation_status each (a couple of hundred), not a scan of the outbox."""
    from samarbejde.organisations.models import Organisation

    received = deliveries_visible_to(user).filter(organisation=OuterRef("pk"))
    return Organisation.objects.filter(Exists(received)).order_by("name")


def problem_counts(user) -> dict[str, int]:
    """For the administrators' start page: open deliveries by state, one query."""
    # Only the open rows: an index scan of delivery_unsent_by_change, not a count over the whole outbox.
    return (
        deliveries_visible_to(user)
        .filter(status__in=OPEN_STATUSES)
        .aggregate(
            pending=Count("pk", filter=Q(status__in=(DeliveryStatus.PENDING, DeliveryStatus.SENDING))),
            failed=Count("pk", filter=Q(status=DeliveryStatus.FAILED)),
            dead=Count("pk", filter=Q(status=DeliveryStatus.DEAD)),
        )
    )
