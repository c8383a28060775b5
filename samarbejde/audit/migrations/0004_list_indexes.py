# The audit lists' indexes (ADR 0014): one per filter the search drives by, each ending in (occurred_at, id)
# newest first, so a keyset page is an index range scan. The new indexes are built before the old ones go, so
# the trail is never without an index on its time.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

FOREIGN_KEYS = ("actor", "organisation", "person")


def _single_column_indexes(schema_editor, model, column):
    with schema_editor.connection.cursor() as cursor:
        constraints = schema_editor.connection.introspection.get_constraints(cursor, model._meta.db_table)
    return [
        name
        for name, info in constraints.items()
        if info["index"] and not info["unique"] and not info["primary_key"] and info["columns"] == [column]
    ]


def drop_foreign_key_indexes(apps, schema_editor):
    model = apps.get_model("audit", "AuditEvent")
    for name in FOREIGN_KEYS:
        for index in _single_column_indexes(schema_editor, model, model._meta.get_field(name).column):
            schema_editor.execute(schema_editor._delete_index_sql(model, index))


def create_foreign_key_indexes(apps, schema_editor):
    model = apps.get_model("audit", "AuditEvent")
    for name in FOREIGN_KEYS:
        field = model._meta.get_field(name)
        if not _single_column_indexes(schema_editor, model, field.column):
            schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))


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
        # The single-column indexes (the foreign keys' own too): the composite ones above lead with the same
        # columns and serve every look-up by them; each index less is one write less per audit event.
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
        # Only the foreign keys' indexes go: Django's AlterField would also drop and re-add the constraints, which
        # re-checks every row of the trail.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent",
                    name="actor",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="bruger",
                    ),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="organisation",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="organisations.organisation",
                        verbose_name="organisation",
                    ),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="person",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="people.person",
                        verbose_name="person",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(drop_foreign_key_indexes, create_foreign_key_indexes)],
        ),
    ]
