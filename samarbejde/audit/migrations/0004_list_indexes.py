# The audit lists' indexes (ADR 0014): one per filter the search drives by, each ending in (occurred_at, id)
# newest first, so a keyset page is an index range scan. The new indexes are built before the old ones go, so
# the trail is never without an index on its time.

import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_append_only_trigger"),
        ("organisations", "0004_contact_demo_mark"),
        ("people", "0003_links_decide_access"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["-occurred_at", "-id"], name="audit_time_id"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["action", "-occurred_at", "-id"], name="audit_action_time_id"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["person", "-occurred_at", "-id"], name="audit_person_time_id"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["actor", "-occurred_at", "-id"], name="audit_actor_time_id"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["organisation", "-occurred_at", "-id"], name="audit_org_time_id"),
        ),
        migrations.RemoveIndex(model_name="auditevent", name="audit_person_time"),
        migrations.RemoveIndex(model_name="auditevent", name="audit_actor_time"),
        migrations.RemoveIndex(model_name="auditevent", name="audit_org_time"),
        # The single-column indexes: the composite ones above lead with the same columns.
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(max_length=64, verbose_name="handling"),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="occurred_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="tidspunkt"),
        ),
    ]
