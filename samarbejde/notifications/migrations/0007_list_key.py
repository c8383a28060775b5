"""The lists' stored sort key (ADR 0013): a column, filled for every existing notice by one set-based UPDATE
(the same rule as notifications.status.list_key, written in each database's SQL), then its indexes."""

from django.db import migrations, models
from django.utils import timezone

import samarbejde.notifications.models

KEY_DAY = 10**10
NO_DUE_ORDINAL = 3652059  # date.max.toordinal()
SETTLED_BASE = 10**17
DORMANT_BASE = 2 * 10**17
OPEN_KEY = models.Q(("list_key__lt", SETTLED_BASE)) | models.Q(
    ("list_key__gte", DORMANT_BASE), ("list_key__lt", DORMANT_BASE + SETTLED_BASE)
)

# Settled: withdrawn, answered, or acknowledged when no answer is needed (notifications.status.is_settled).
SETTLED = "(withdrawn_at IS NOT NULL OR answered_at IS NOT NULL OR (NOT needs_answer AND acknowledged_at IS NOT NULL))"

# date.toordinal() and int(datetime.timestamp()) in SQL, per vendor.
ORDINAL = {
    "postgresql": "(due_date - DATE '0001-01-01' + 1)",
    "sqlite": "(CAST(julianday(due_date) - julianday('0001-01-01') AS INTEGER) + 1)",
}
SECONDS = {
    "postgresql": "FLOOR(EXTRACT(EPOCH FROM created_at))::bigint",
    "sqlite": "CAST(strftime('%%s', created_at) AS INTEGER)",  # %% : the statement has a parameter
}


def fill(apps, schema_editor):
    from samarbejde.notifications.status import dormant_after

    vendor = schema_editor.connection.vendor
    ordinal, seconds = ORDINAL[vendor], SECONDS[vendor]
    table = apps.get_model("notifications", "Notification")._meta.db_table
    schema_editor.execute(
        f"UPDATE {table} SET list_key = CASE WHEN {SETTLED} "  # noqa: S608 - constants only, no input
        f"THEN {SETTLED_BASE} + {KEY_DAY - 1} - {seconds} "
        f"ELSE COALESCE({ordinal}, {NO_DUE_ORDINAL}) * {KEY_DAY} + {seconds} END "
        f"+ CASE WHEN thread_ended_at IS NOT NULL AND thread_ended_at <= %s THEN {DORMANT_BASE} ELSE 0 END",
        [timezone.now() - dormant_after()],
    )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0006_thread_ended_at")]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="list_key",
            field=samarbejde.notifications.models.ListKeyField(
                default=0, editable=False, verbose_name="sorteringsnøgle"
            ),
            preserve_default=False,
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(fields=["recipient_organisation", "list_key", "id"], name="notification_inbox_key"),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                condition=OPEN_KEY,
                fields=["recipient_organisation", "list_key", "id"],
                name="notification_inbox_open",
            ),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                condition=OPEN_KEY,
                fields=["sender_organisation", "list_key", "id"],
                name="notification_sender_open",
            ),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                condition=OPEN_KEY,
                fields=["recipient_organisation", "created_at"],
                name="notification_recipient_open",
            ),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                fields=["recipient_organisation", "updated_at", "id"], name="notification_recipient_sync"
            ),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                condition=models.Q(("list_key__lt", DORMANT_BASE), ("thread_ended_at__isnull", False)),
                fields=["thread_ended_at"],
                name="notification_ended_live",
            ),
        ),
    ]
