# The delivery dashboard's indexes (ADR 0014): two partial indexes that split the outbox, one on the rows not
# yet sent (by status and last change), one on the sent rows (by time). The dashboard's one delivery migration.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("delivery", "0003_follow_up_messages"),
        ("notifications", "0006_thread_ended_at"),
        ("organisations", "0004_contact_demo_mark"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="delivery",
            index=models.Index(
                condition=models.Q(("status__in", ["pending", "sending", "failed", "dead", "cancelled"])),
                fields=["status", "-updated_at", "-id", "channel", "organisation"],
                name="delivery_unsent_by_change",
            ),
        ),
        migrations.AddIndex(
            model_name="delivery",
            index=models.Index(
                condition=models.Q(("status", "sent")),
                fields=["-sent_at", "-id", "channel", "organisation"],
                name="delivery_sent_by_time",
            ),
        ),
    ]
