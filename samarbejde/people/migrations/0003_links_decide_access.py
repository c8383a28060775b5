"""PersonLink for access everywhere (ADR 0008): a UUID source id (access queries join on it), a user's
"need access" grant (granted_to + justification), the rule that closed a link, and indexes for the access
queries. The source id changes type in three steps so that no existing link is lost: empty strings become
NULL, the column becomes a UUID, and every row is saved again so that SQLite (which keeps UUIDs as 32 hex
characters) stores the old hyphenated strings in the form its queries compare."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def empty_source_to_null(apps, schema_editor):
    PersonLink = apps.get_model("people", "PersonLink")
    PersonLink.objects.filter(source_id="").update(source_id=None)


def normalise_source_ids(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return  # PostgreSQL converted the column with a cast
    PersonLink = apps.get_model("people", "PersonLink")
    links = list(PersonLink.objects.exclude(source_id=None).only("pk", "source_id"))
    PersonLink.objects.bulk_update(links, ["source_id"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0002_person_benefits_person_pension"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="personlink",
            name="granted_to",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="access_grants",
                to=settings.AUTH_USER_MODEL,
                verbose_name="givet til",
            ),
        ),
        migrations.AddField(
            model_name="personlink",
            name="justification",
            field=models.TextField(blank=True, verbose_name="begrundelse"),
        ),
        migrations.AddField(
            model_name="personlink",
            name="close_rule",
            field=models.CharField(blank=True, max_length=64, verbose_name="lukket efter regel"),
        ),
        migrations.AlterField(
            model_name="personlink",
            name="reason",
            field=models.CharField(
                choices=[
                    ("notification", "Underretning"),
                    ("information_request", "Anmodning om oplysninger"),
                    ("action_plan", "Handleplan"),
                    ("release", "Løsladelse"),
                    ("case", "Sag"),
                    ("custody", "Indsat i institutionen"),
                    ("need_access", "Begrundet adgang"),
                ],
                max_length=32,
                verbose_name="grund",
            ),
        ),
        migrations.AlterField(
            model_name="personlink",
            name="source_id",
            field=models.CharField(blank=True, max_length=64, null=True),
        ),
        migrations.RunPython(empty_source_to_null, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="personlink",
            name="source_id",
            field=models.UUIDField(blank=True, null=True),
        ),
        migrations.RunPython(normalise_source_ids, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="personlink",
            index=models.Index(fields=["person", "organisation"], name="personlink_person_org"),
        ),
        migrations.AddIndex(
            model_name="personlink",
            index=models.Index(fields=["source_type", "source_id"], name="personlink_source"),
        ),
    ]
