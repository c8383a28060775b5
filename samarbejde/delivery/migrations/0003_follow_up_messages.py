"""Deliveries of follow-up messages (reminders, escalations, withdrawals) and the addressee organisation.

Existing deliveries are of notices: their addressee is the notice's recipient.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Q, Subquery


def addressee_is_the_recipient(apps, schema_editor):
    Delivery = apps.get_model("delivery", "Delivery")
    Notification = apps.get_model("notifications", "Notification")
    recipient = Notification.objects.filter(pk=OuterRef("notification_id")).values("recipient_organisation_id")[:1]
    Delivery.objects.update(organisation_id=Subquery(recipient))


class Migration(migrations.Migration):
    dependencies = [
        ("delivery", "0002_webhook_subscriptions"),
        ("notifications", "0005_notices_with_subject_and_source"),
        ("organisations", "0002_notice_routes"),
    ]

    operations = [
        migrations.AddField(
            model_name="delivery",
            name="message",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="deliveries",
                to="notifications.notificationreminder",
                verbose_name="opfølgning",
            ),
        ),
        migrations.AddField(
            model_name="delivery",
            name="organisation",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="organisations.organisation",
                verbose_name="modtager",
            ),
        ),
        migrations.RunPython(addressee_is_the_recipient, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="delivery",
            name="organisation",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="organisations.organisation",
                verbose_name="modtager",
            ),
        ),
        migrations.RemoveConstraint(model_name="delivery", name="delivery_one_per_notice_and_channel"),
        migrations.RemoveConstraint(model_name="delivery", name="delivery_one_per_notice_and_subscription"),
        migrations.AddConstraint(
            model_name="delivery",
            constraint=models.UniqueConstraint(
                condition=Q(subscription__isnull=True, message__isnull=True),
                fields=("notification", "channel"),
                name="delivery_one_per_notice_and_channel",
            ),
        ),
        migrations.AddConstraint(
            model_name="delivery",
            constraint=models.UniqueConstraint(
                condition=Q(subscription__isnull=False, message__isnull=True),
                fields=("notification", "subscription"),
                name="delivery_one_per_notice_and_subscription",
            ),
        ),
        migrations.AddConstraint(
            model_name="delivery",
            constraint=models.UniqueConstraint(
                condition=Q(subscription__isnull=True, message__isnull=False),
                fields=("message", "channel"),
                name="delivery_one_per_message_and_channel",
            ),
        ),
        migrations.AddConstraint(
            model_name="delivery",
            constraint=models.UniqueConstraint(
                condition=Q(subscription__isnull=False, message__isnull=False),
                fields=("message", "subscription"),
                name="delivery_one_per_message_and_subscription",
            ),
        ),
        migrations.AddIndex(
            model_name="delivery",
            index=models.Index(fields=["organisation", "status"], name="delivery_organisation_status"),
        ),
    ]
