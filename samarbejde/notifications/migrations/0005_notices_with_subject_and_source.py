"""Notices have a subject, a source, a thread and a sender instead of an episode (ADR 0007).

Every existing notice keeps its data and gets:
- source = its custody event, thread = its episode (generic, so later processes can send notices too);
- sender = the institution that held the person when the event happened (the admission's or latest transfer's
  institution up to that event), sent_by = who registered the event, occurred_at = when it happened;
- rule / rule_version / needs_answer: the registry rule that would have sent it (version 1), from its event, kind
  and recipient. A benefits request that listed no benefits was a plain admission notice in all but name: it
  becomes one (kind admission_notice, rule admission.no_benefits), settled by an acknowledgement;
- a due date for every notice: one that had none gets its rule's default counted from the event (a handover is
  done when the receiver has acknowledged it).
The event and episode columns go only after that (nothing is lost: tests/test_migrations.py checks it on a
populated database).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

# The rule id per (event kind, notification kind[, recipient is Udbetaling Danmark]) as the registry named them
# when this migration was written. Kept here: a migration must not follow later changes of the registry.
RULES = {
    ("admission", "benefits_decision_request"): ("admission.benefits", True),
    ("admission", "cpr_register_notice"): ("admission.cpr_register", False),
    ("admission", "pension_notice", True): ("admission.pension_udk", True),
    ("admission", "pension_notice", False): ("admission.pension_rent", True),
    ("transfer", "transfer_notice"): ("transfer.notice", False),
    ("coordination_decision", "case_files_request"): ("coordination.case_files", True),
}
FAMILY_OF_ADMISSION_RULE = {
    "admission.benefits": "benefits",
    "admission.no_benefits": "benefits",
    "admission.cpr_register": "cpr_register",
    "admission.pension_udk": "pension_udk",
    "admission.pension_rent": "pension_rent",
    "coordination.case_files": "case_files",
    "transfer.notice": "benefits",
}
# Default deadlines in business days for notices that had none (the registry's defaults when written).
ANSWER_BUSINESS_DAYS = 10
ACK_BUSINESS_DAYS = 5
RELEASE_ACK_BUSINESS_DAYS = 2


def _business_days_after(start, days):
    from samarbejde.core.business_days import add_business_days

    return add_business_days(start, days)


def forwards(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    EpisodeEvent = apps.get_model("custody", "EpisodeEvent")
    ContentType = apps.get_model("contenttypes", "ContentType")
    event_type, _ = ContentType.objects.get_or_create(app_label="custody", model="episodeevent")
    episode_type, _ = ContentType.objects.get_or_create(app_label="custody", model="episode")

    # Who held the person at each event: walk each episode's events in order.
    holder_at: dict = {}
    current: dict = {}
    for event in EpisodeEvent.objects.order_by("episode_id", "occurred_at", "created_at").iterator():
        if event.to_institution_id and event.kind in ("admission", "transfer"):
            current[event.episode_id] = event.to_institution_id
        holder_at[event.pk] = current.get(event.episode_id)

    first_family: dict = {}  # (episode id, organisation id, department id) -> family of the first notice
    for notice in Notification.objects.select_related("event", "episode", "recipient_organisation").order_by(
        "created_at", "id"
    ):
        event = notice.event
        to_udk = notice.recipient_organisation.code == "udbetaling-danmark"
        kind = notice.kind
        party = (notice.episode_id, notice.recipient_organisation_id, notice.recipient_department_id)
        if event.kind == "admission" and kind == "benefits_decision_request" and not notice.snapshot.get("benefits"):
            rule, needs_answer, kind = "admission.no_benefits", False, "admission_notice"
        elif (event.kind, kind, to_udk) in RULES:
            rule, needs_answer = RULES[(event.kind, kind, to_udk)]
        elif (event.kind, kind) in RULES:
            rule, needs_answer = RULES[(event.kind, kind)]
        elif event.kind == "release_date_change" and kind == "cpr_register_notice":
            rule, needs_answer = "admission.cpr_register", False
        elif event.kind in ("release", "release_date_change"):
            family = first_family.get(party, "benefits")
            rule, needs_answer = f"{event.kind}.{family}", False
        else:
            rule, needs_answer = f"{event.kind}.notice", False
        first_family.setdefault(party, FAMILY_OF_ADMISSION_RULE.get(rule, "benefits"))
        notice.kind = kind
        notice.rule = rule
        notice.rule_version = 1
        notice.needs_answer = needs_answer
        notice.source_type_id = event_type.pk
        notice.source_id = event.pk
        notice.thread_type_id = episode_type.pk
        notice.thread_id = notice.episode_id
        notice.sender_organisation_id = holder_at.get(event.pk) or notice.episode.institution_id
        notice.sent_by_id = event.acting_user_id
        notice.occurred_at = event.occurred_at
        if notice.due_date is None:
            start = timezone.localtime(event.occurred_at).date()
            if needs_answer:
                days = ANSWER_BUSINESS_DAYS
            else:
                days = RELEASE_ACK_BUSINESS_DAYS if event.kind == "release" else ACK_BUSINESS_DAYS
            notice.due_date = _business_days_after(start, days)
        if notice.answered_at is None and not needs_answer and notice.acknowledged_at is not None:
            notice.status = "acknowledged"
        notice.save(
            update_fields=[
                "kind",
                "rule",
                "rule_version",
                "needs_answer",
                "source_type",
                "source_id",
                "thread_type",
                "thread_id",
                "sender_organisation",
                "sent_by",
                "occurred_at",
                "due_date",
                "status",
            ]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("custody", "0003_correction_event"),
        ("legal", "0002_stable_keys"),
        ("notifications", "0004_notificationattachment"),
        ("organisations", "0002_notice_routes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="notification",
            name="kind",
            field=models.CharField(
                choices=[
                    ("benefits_decision_request", "Anmodning om afgørelse om ydelser"),
                    ("admission_notice", "Meddelelse om indsættelse"),
                    ("cpr_register_notice", "Meddelelse til folkeregisteret"),
                    ("pension_notice", "Meddelelse om pension"),
                    ("transfer_notice", "Meddelelse om overførsel"),
                    ("release_date_change_notice", "Meddelelse om ændret løsladelsesdato"),
                    ("release_notice", "Meddelelse om løsladelse"),
                    ("case_files_request", "Anmodning om sagsakter"),
                ],
                max_length=32,
                verbose_name="type",
            ),
        ),
        migrations.AlterField(
            model_name="notification",
            name="status",
            field=models.CharField(
                choices=[
                    ("new", "Ny"),
                    ("read", "Læst"),
                    ("acknowledged", "Kvitteret"),
                    ("answered", "Besvaret"),
                    ("overdue", "Overskredet frist"),
                    ("withdrawn", "Trukket tilbage"),
                ],
                default="new",
                max_length=16,
                verbose_name="status",
            ),
        ),
        migrations.AlterField(
            model_name="notificationstatuschange",
            name="from_status",
            field=models.CharField(
                blank=True,
                choices=[
                    ("new", "Ny"),
                    ("read", "Læst"),
                    ("acknowledged", "Kvitteret"),
                    ("answered", "Besvaret"),
                    ("overdue", "Overskredet frist"),
                    ("withdrawn", "Trukket tilbage"),
                ],
                max_length=16,
            ),
        ),
        migrations.AlterField(
            model_name="notificationstatuschange",
            name="to_status",
            field=models.CharField(
                choices=[
                    ("new", "Ny"),
                    ("read", "Læst"),
                    ("acknowledged", "Kvitteret"),
                    ("answered", "Besvaret"),
                    ("overdue", "Overskredet frist"),
                    ("withdrawn", "Trukket tilbage"),
                ],
                max_length=16,
            ),
        ),
        migrations.AlterField(
            model_name="notificationreminder",
            name="kind",
            field=models.CharField(
                choices=[("reminder", "Påmindelse"), ("escalation", "Eskalering"), ("withdrawal", "Tilbagetrækning")],
                max_length=16,
                verbose_name="type",
            ),
        ),
        migrations.AlterField(
            model_name="notificationreminder",
            name="due_date",
            field=models.DateField(blank=True, null=True, verbose_name="frist"),
        ),
        migrations.AddField(
            model_name="notification",
            name="rule",
            field=models.CharField(db_index=True, default="", max_length=64, verbose_name="regel"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="notification",
            name="rule_version",
            field=models.PositiveSmallIntegerField(default=1, verbose_name="regelversion"),
        ),
        migrations.AddField(
            model_name="notification",
            name="needs_answer",
            field=models.BooleanField(default=False, verbose_name="skal besvares"),
        ),
        migrations.AddField(
            model_name="notification",
            name="source_type",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="contenttypes.contenttype",
            ),
        ),
        migrations.AddField(model_name="notification", name="source_id", field=models.UUIDField(null=True)),
        migrations.AddField(
            model_name="notification",
            name="thread_type",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="contenttypes.contenttype",
            ),
        ),
        migrations.AddField(model_name="notification", name="thread_id", field=models.UUIDField(null=True)),
        migrations.AddField(
            model_name="notification",
            name="sender_organisation",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="sent_notifications",
                to="organisations.organisation",
                verbose_name="afsender",
            ),
        ),
        migrations.AddField(
            model_name="notification",
            name="sent_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="sendt af",
            ),
        ),
        migrations.AddField(
            model_name="notification",
            name="occurred_at",
            field=models.DateTimeField(null=True, verbose_name="hændelsestidspunkt"),
        ),
        migrations.AddField(
            model_name="notification",
            name="route",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="notifications",
                to="organisations.noticeroute",
                verbose_name="fordeling",
            ),
        ),
        migrations.AddField(
            model_name="notification",
            name="route_label",
            field=models.CharField(blank=True, max_length=300, verbose_name="valgt af"),
        ),
        migrations.AddField(
            model_name="notification",
            name="withdrawn_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="trukket tilbage"),
        ),
        migrations.AddField(
            model_name="notification",
            name="withdrawn_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="notification",
            name="withdrawal_reason",
            field=models.TextField(blank=True, max_length=1000, verbose_name="begrundelse for tilbagetrækning"),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="notification",
            name="source_type",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="contenttypes.contenttype"
            ),
        ),
        migrations.AlterField(model_name="notification", name="source_id", field=models.UUIDField()),
        migrations.AlterField(
            model_name="notification",
            name="thread_type",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="contenttypes.contenttype"
            ),
        ),
        migrations.AlterField(model_name="notification", name="thread_id", field=models.UUIDField()),
        migrations.AlterField(
            model_name="notification",
            name="sender_organisation",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="sent_notifications",
                to="organisations.organisation",
                verbose_name="afsender",
            ),
        ),
        migrations.AlterField(
            model_name="notification",
            name="occurred_at",
            field=models.DateTimeField(verbose_name="hændelsestidspunkt"),
        ),
        migrations.RemoveField(model_name="notification", name="event"),
        migrations.RemoveField(model_name="notification", name="episode"),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(fields=["thread_type", "thread_id"], name="notification_thread"),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(fields=["source_type", "source_id"], name="notification_source"),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(fields=["sender_organisation", "status"], name="notification_sender_status"),
        ),
    ]
