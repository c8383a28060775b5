"""Links decide access (ADR 0008), for the rows that exist already:

- every open episode gives its institution a CUSTODY link (the institution sees the inmates it holds);
- an episode closed less than ACCESS_DAYS_AFTER_CUSTODY ago gives its last institution a CUSTODY link that
  expires then (older closed episodes: none, their time is up);
- the notices of closed episodes learn that their thread ended (Notification.thread_ended_at), and their
  recipients' live links get the expiry people.link_rules.link_expiry_after_end gives them.
Custody runs it because custody knows which threads are episodes; notifications and people stay unaware.
Nothing is deleted; reversing removes only the CUSTODY links this created.
"""

from datetime import timedelta

from django.conf import settings
from django.db import migrations

BATCH = 2000


def _period(name: str, default: float) -> timedelta:
    return timedelta(days=float(getattr(settings, name, default)))


def forwards(apps, schema_editor):
    from django.utils import timezone

    Episode = apps.get_model("custody", "Episode")
    PersonLink = apps.get_model("people", "PersonLink")
    Notification = apps.get_model("notifications", "Notification")
    ContentType = apps.get_model("contenttypes", "ContentType")
    episode_type, _ = ContentType.objects.get_or_create(app_label="custody", model="episode")
    notification_type, _ = ContentType.objects.get_or_create(app_label="notifications", model="notification")
    now = timezone.now()
    custody_period = _period("ACCESS_DAYS_AFTER_CUSTODY", 30)
    settled_period = _period("LINK_DAYS_AFTER_SETTLED_AND_ENDED", 90)
    max_period = _period("LINK_MAX_DAYS_AFTER_END", 365)

    links = []
    recent = Episode.objects.filter(status="open") | Episode.objects.filter(
        status="closed", released_at__gt=now - custody_period
    )
    for episode in recent.exclude(institution__isnull=True).iterator(chunk_size=BATCH):
        ends = None if episode.status == "open" else max(episode.released_at, now) + custody_period
        links.append(
            PersonLink(
                person_id=episode.person_id,
                organisation_id=episode.institution_id,
                reason="custody",
                source_type=episode_type,
                source_id=episode.pk,
                opened_at=episode.admitted_at,
                expires_at=ends,
                close_rule="custody.moved_on" if ends else "",
            )
        )
    PersonLink.objects.bulk_create(links, batch_size=BATCH)

    released = dict(Episode.objects.filter(status="closed", released_at__isnull=False).values_list("pk", "released_at"))
    if not released:
        return
    notices = Notification.objects.filter(
        thread_type=episode_type, thread_id__in=list(released), thread_ended_at__isnull=True
    ).only("pk", "thread_id", "recipient_organisation_id", "needs_answer", "acknowledged_at", "answered_at")
    for notice in notices.iterator(chunk_size=BATCH):
        ended_at = released[notice.thread_id]
        Notification.objects.filter(pk=notice.pk).update(thread_ended_at=ended_at)
        settled_at = notice.answered_at or (notice.acknowledged_at if not notice.needs_answer else None)
        at, rule = ended_at + max_period, "notice.max_after_end"
        if settled_at is not None and max(settled_at, ended_at) + settled_period < at:
            at, rule = max(settled_at, ended_at) + settled_period, "notice.settled_after_end"
        PersonLink.objects.filter(
            source_type=notification_type,
            source_id=notice.pk,
            organisation_id=notice.recipient_organisation_id,
            closed_at__isnull=True,
        ).exclude(expires_at__lte=at).update(expires_at=at, close_rule=rule)


def backwards(apps, schema_editor):
    PersonLink = apps.get_model("people", "PersonLink")
    PersonLink.objects.filter(reason="custody").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("custody", "0004_one_idempotency_mechanism"),
        ("people", "0003_links_decide_access"),
        ("notifications", "0006_thread_ended_at"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
